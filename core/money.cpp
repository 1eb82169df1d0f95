#include "money.h"

#include <QLocale>

namespace valiant::core {

namespace {

bool isAsciiDigit(QChar c)
{
    return c >= QLatin1Char('0') && c <= QLatin1Char('9');
}

Error invalidMoney(QStringView text)
{
    return makeError(422, QStringLiteral("invalid_money"),
                     QStringLiteral("\"%1\" is not an amount of money. Write dollars and exactly "
                                    "two cent digits, such as \"12.34\" or \"-0.50\".")
                         .arg(text.left(40).toString()));
}

// Accumulates decimal digits into `value`; false when it would pass INT64_MAX.
bool appendDigits(QStringView digits, std::int64_t& value)
{
    for (QChar c : digits) {
        if (__builtin_mul_overflow(value, 10, &value) ||
            __builtin_add_overflow(value, c.unicode() - '0', &value)) {
            return false;
        }
    }
    return true;
}

}  // namespace

Result<Money> Money::parse(QStringView text)
{
    const bool negative = text.startsWith(QLatin1Char('-'));
    const QStringView unsignedText = negative ? text.mid(1) : text;

    const qsizetype dot = unsignedText.indexOf(QLatin1Char('.'));
    if (dot < 1 || unsignedText.size() - dot != 3) {
        return invalidMoney(text);
    }
    for (qsizetype i = 0; i < unsignedText.size(); ++i) {
        if (i != dot && !isAsciiDigit(unsignedText[i])) {
            return invalidMoney(text);
        }
    }

    // Digits of dollars and cents read as one integer: "12.34" is 1234.
    std::int64_t cents = 0;
    if (!appendDigits(unsignedText.left(dot), cents) ||
        !appendDigits(unsignedText.mid(dot + 1), cents)) {
        return makeError(422, QStringLiteral("invalid_money"),
                         QStringLiteral("\"%1\" is too large; amounts are limited to "
                                        "92233720368547758.07.")
                             .arg(text.left(40).toString()));
    }
    return Money(negative ? -cents : cents);
}

std::optional<Money> Money::parseLocale(QStringView text, const QLocale& locale,
                                        LocaleError* error)
{
    const auto fail = [error](LocaleError reason) -> std::optional<Money> {
        if (error)
            *error = reason;
        return std::nullopt;
    };

    QString cleaned = text.trimmed().toString();
    cleaned.remove(QLatin1Char('$'));
    cleaned = cleaned.trimmed();

    bool negative = false;
    if (cleaned.startsWith(locale.negativeSign()) || cleaned.startsWith(QLatin1Char('-'))) {
        negative = true;
        cleaned = cleaned.mid(1).trimmed();
    }

    const QString point = locale.decimalPoint();
    const qsizetype pointAt = cleaned.indexOf(point);
    const QString whole = pointAt < 0 ? cleaned : cleaned.left(pointAt);
    QString fraction = pointAt < 0 ? QString() : cleaned.mid(pointAt + point.size());

    // Groups after the first have exactly three digits: "1,234" but not
    // "1,00". The first may have more, as Qt 6.4 writes 1922.233.720,00 in
    // Spanish, whose minimum grouping leaves four digits ungrouped.
    const QStringList groups = whole.split(locale.groupSeparator());
    for (qsizetype i = 0; i < groups.size(); ++i) {
        const qsizetype size = groups.at(i).size();
        if (groups.size() > 1 && (size == 0 || (i > 0 && size != 3)))
            return fail(LocaleError::MisplacedSeparator);
    }
    const QString dollars = groups.join(QString());
    if (fraction.contains(locale.groupSeparator()))
        return fail(LocaleError::MisplacedSeparator);
    if (dollars.isEmpty())
        return fail(LocaleError::NotANumber);
    for (QChar c : dollars + fraction) {
        if (!isAsciiDigit(c))
            return fail(LocaleError::NotANumber);
    }
    if (fraction.size() > 2)
        return fail(LocaleError::TooManyDecimals);
    while (fraction.size() < 2) {
        fraction.append(QLatin1Char('0'));
    }

    std::int64_t cents = 0;
    if (!appendDigits(dollars, cents) || !appendDigits(fraction, cents))
        return fail(LocaleError::TooLarge);
    return Money(negative ? -cents : cents);
}

QString Money::toString() const
{
    // Work on the magnitude as unsigned so that INT64_MIN has one too.
    const bool negative = m_cents < 0;
    const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(m_cents)
                                             : static_cast<std::uint64_t>(m_cents);
    const QString text = QStringLiteral("%1.%2")
                             .arg(magnitude / 100)
                             .arg(static_cast<unsigned>(magnitude % 100), 2, 10, QLatin1Char('0'));
    return negative ? QLatin1Char('-') + text : text;
}

QString Money::toLocaleString(const QLocale& locale) const
{
    const bool negative = m_cents < 0;
    const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(m_cents)
                                             : static_cast<std::uint64_t>(m_cents);
    const QString cents = QStringLiteral("%1").arg(static_cast<unsigned>(magnitude % 100), 2, 10,
                                                   QLatin1Char('0'));
    const QString number =
        locale.toString(static_cast<qulonglong>(magnitude / 100)) + locale.decimalPoint() + cents;

    // Take the symbol placement from the locale's currency format of 1 and
    // put a plain minus sign in front for negatives: CLDR's accounting form
    // "($0.05)" reads poorly next to live prices.
    const QString one = locale.toString(1);
    QString result = locale.toCurrencyString(1.0, QStringLiteral("$"), 0);
    const qsizetype oneAt = result.indexOf(one);
    if (oneAt < 0) {
        result = QLatin1Char('$') + number;
    } else {
        result.replace(oneAt, one.size(), number);
    }
    return negative ? locale.negativeSign() + result : result;
}

std::optional<Money> Money::plus(Money other) const
{
    std::int64_t sum = 0;
    if (__builtin_add_overflow(m_cents, other.m_cents, &sum)) {
        return std::nullopt;
    }
    return Money(sum);
}

std::optional<Money> Money::minus(Money other) const
{
    std::int64_t difference = 0;
    if (__builtin_sub_overflow(m_cents, other.m_cents, &difference)) {
        return std::nullopt;
    }
    return Money(difference);
}

std::optional<Money> Money::times(std::int64_t factor) const
{
    std::int64_t product = 0;
    if (__builtin_mul_overflow(m_cents, factor, &product)) {
        return std::nullopt;
    }
    return Money(product);
}

}  // namespace valiant::core
