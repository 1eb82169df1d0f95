#pragma once

// Money: a signed 64-bit count of US cents. No floating point touches it,
// from parsing a "12.34" string through arithmetic to display.

#include "result.h"

#include <QString>
#include <QStringView>

#include <compare>
#include <cstdint>
#include <optional>

class QLocale;

namespace valiant::core {

class Money
{
public:
    constexpr Money() = default;
    static constexpr Money fromCents(std::int64_t cents) { return Money(cents); }

    /// Parses the API form: optional '-', digits, '.', exactly two digits
    /// ("12.34", "-0.05", "0.00"). Anything else is an invalid_money error
    /// naming the text.
    static Result<Money> parse(QStringView text);

    /// The reason parseLocale() rejected a text.
    enum class LocaleError {
        NotANumber,          // empty, or a character other than digits and separators
        MisplacedSeparator,  // a group separator not followed by three digits
        TooManyDecimals,     // more than two fraction digits
        TooLarge,            // beyond the range of 64-bit cents
    };

    /// Parses what a person typed in a locale: zero to two fraction digits,
    /// an optional currency symbol, and group separators only before groups
    /// of three digits. Examples: "12,50" and "1.234,5" in German, "$1,234.5"
    /// in English. "12.50" in German and "1,00" in English are rejected
    /// rather than read as 1250 and 100. Sets `error`, when given, on failure.
    static std::optional<Money> parseLocale(QStringView text, const QLocale& locale,
                                            LocaleError* error = nullptr);

    constexpr std::int64_t cents() const { return m_cents; }

    /// Formats the API form: "-3.25", "0.10", "92233720368547758.07".
    QString toString() const;

    /// Formats for display in the locale, with the dollar sign: "$1,234.50"
    /// in en_US, "1.234,50 $" in de_DE.
    QString toLocaleString(const QLocale& locale) const;

    /// Checked arithmetic: std::nullopt on 64-bit overflow, never a wrap.
    std::optional<Money> plus(Money other) const;
    std::optional<Money> minus(Money other) const;
    std::optional<Money> times(std::int64_t factor) const;

    constexpr auto operator<=>(const Money&) const = default;

private:
    constexpr explicit Money(std::int64_t cents) : m_cents(cents) {}

    std::int64_t m_cents = 0;
};

}  // namespace valiant::core
