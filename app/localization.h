#pragma once

// Choosing the app's language and number format, and loading its
// translations (compiled into the app under :/i18n) and Qt's own.

#include "core/result.h"

#include <QLocale>
#include <QString>

class QCoreApplication;
class QTranslator;

namespace valiant::app {

/// The locale from `--lang` when given (e.g. "de", "es", "en_US"), else the
/// system's (LC_ALL, LC_MESSAGES, LANG: "de_AT.UTF-8" gives German). An
/// unset system locale (C) means US English, the language of the source
/// strings and of the dollar amounts.
QLocale chooseLocale(const QString& languageOption);

/// chooseLocale, but a `--lang` value that names no language the app ships
/// (en, de, es) is an error naming the value and the supported codes.
core::Result<QLocale> localeFromOption(const QString& languageOption);

/// Loads the app's and Qt's translations for `locale` into the two
/// translators and installs those that loaded. English needs none.
void installTranslations(QCoreApplication& app, const QLocale& locale,
                         QTranslator& appTranslator, QTranslator& qtTranslator);

}  // namespace valiant::app
