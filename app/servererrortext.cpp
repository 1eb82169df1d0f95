#include "servererrortext.h"

#include <QCoreApplication>

namespace valiant::app {

namespace {

struct CodeText
{
    const char* code;
    const char* text;  // translated in the context "ServerError"
};

// The error codes that orders, praise and sessions return to users.
constexpr CodeText codeTexts[] = {
    {"insufficient_funds",
     QT_TRANSLATE_NOOP("ServerError", "You do not have enough cash for this order.")},
    {"insufficient_shares", QT_TRANSLATE_NOOP("ServerError", "You do not hold that many shares.")},
    {"limit_not_met",
     QT_TRANSLATE_NOOP("ServerError",
                       "The price is beyond your limit price, so the order was not executed.")},
    {"no_quotes",
     QT_TRANSLATE_NOOP("ServerError", "No price exists yet. Wait for the first quote.")},
    {"invalid_quantity",
     QT_TRANSLATE_NOOP("ServerError", "The quantity must be a whole number from 1 to 1,000,000.")},
    {"invalid_limit_price",
     QT_TRANSLATE_NOOP("ServerError",
                       "The limit price must be a positive amount in dollars and cents.")},
    {"amount_too_large",
     QT_TRANSLATE_NOOP("ServerError", "The amount is too large for an account.")},
    {"rate_limited",
     QT_TRANSLATE_NOOP("ServerError", "Too many requests at once. Wait a moment and try again.")},
    {"database_unavailable",
     QT_TRANSLATE_NOOP("ServerError",
                       "The server cannot reach its database. Try again in a moment.")},
    {"storage_full",
     QT_TRANSLATE_NOOP("ServerError", "The server's disk is full. Try again later.")},
    {"shutting_down",
     QT_TRANSLATE_NOOP("ServerError", "The server is shutting down. Connect again in a moment.")},
    {"invalid_token", QT_TRANSLATE_NOOP("ServerError", "Your session has ended. Log in again.")},
    {"missing_token", QT_TRANSLATE_NOOP("ServerError", "Your session has ended. Log in again.")},
    {"network_error",
     QT_TRANSLATE_NOOP("ServerError",
                       "The server cannot be reached. Check the connection and try again.")},
};

}  // namespace

QString serverErrorText(const core::Error& error)
{
    const QString serverText = error.message.isEmpty() ? error.code : error.message;
    for (const CodeText& entry : codeTexts) {
        if (error.code != QLatin1String(entry.code)) {
            continue;
        }
        // Without a translation (English, or a language the app does not
        // ship) the server's own message is better: it names the amounts.
        const QString translated = QCoreApplication::translate("ServerError", entry.text);
        return translated == QLatin1String(entry.text) ? serverText : translated;
    }
    return serverText;
}

}  // namespace valiant::app
