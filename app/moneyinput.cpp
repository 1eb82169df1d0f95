#include "moneyinput.h"

#include <QLocale>

namespace valiant::app {

std::optional<core::Money> MoneyInput::parsePositive(const QString& text, const QLocale& locale,
                                                     QString& problem)
{
    using LocaleError = core::Money::LocaleError;
    LocaleError error = LocaleError::NotANumber;
    const std::optional<core::Money> amount = core::Money::parseLocale(text, locale, &error);
    if (amount && amount->cents() > 0)
        return amount;

    if (amount) {
        problem = tr("\"%1\" is not above zero.").arg(text);
        return std::nullopt;
    }
    if (text.trimmed().isEmpty()) {
        problem = tr("The field is empty.");
        return std::nullopt;
    }
    switch (error) {
    case LocaleError::MisplacedSeparator:
        problem = tr("\"%1\" has \"%2\" in the wrong place: \"%2\" only groups thousands here, "
                     "and the decimal separator is \"%3\".")
                      .arg(text, locale.groupSeparator(), locale.decimalPoint());
        break;
    case LocaleError::TooManyDecimals:
        problem = tr("\"%1\" has more than two decimals.").arg(text);
        break;
    case LocaleError::TooLarge:
        problem = tr("\"%1\" is too large.").arg(text);
        break;
    case LocaleError::NotANumber:
        problem = tr("\"%1\" is not an amount.").arg(text);
        break;
    }
    return std::nullopt;
}

}  // namespace valiant::app
