#include "localization.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QTranslator>

namespace valiant::app {

QLocale chooseLocale(const QString& languageOption)
{
    if (!languageOption.isEmpty())
        return QLocale(languageOption);

    const QLocale system = QLocale::system();
    if (system.language() == QLocale::C)
        return QLocale(QLocale::English, QLocale::UnitedStates);
    return system;
}

core::Result<QLocale> localeFromOption(const QString& languageOption)
{
    if (languageOption.isEmpty())
        return chooseLocale(languageOption);

    // QLocale returns the C locale for an unknown code, so C is rejected too.
    const QLocale locale(languageOption);
    const QList<QLocale::Language> shipped{QLocale::English, QLocale::German, QLocale::Spanish};
    if (!shipped.contains(locale.language()))
        return core::makeError(
            400, QStringLiteral("unsupported_language"),
            QStringLiteral("Unsupported --lang '%1': use en, de or es (optionally with a region, "
                           "such as de_AT).")
                .arg(languageOption));
    return locale;
}

void installTranslations(QCoreApplication& app, const QLocale& locale, QTranslator& appTranslator,
                         QTranslator& qtTranslator)
{
    if (appTranslator.load(locale, QStringLiteral("valiant"), QStringLiteral("_"),
                           QStringLiteral(":/i18n")))
        app.installTranslator(&appTranslator);

    if (qtTranslator.load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                          QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        app.installTranslator(&qtTranslator);
}

}  // namespace valiant::app
