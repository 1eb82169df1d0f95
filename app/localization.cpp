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
