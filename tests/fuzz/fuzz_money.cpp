// Fuzz target for Money: parsing the API form ("12.34") and what a person
// types in a locale, plus the checked arithmetic. The input is UTF-8 text.
// Beyond crashes it aborts when parse() disagrees with an independent
// reading of the grammar, when a parsed amount does not survive formatting
// and parsing again, or when checked arithmetic disagrees with 128-bit math.

#include "core/money.h"

#include <QLocale>
#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>

using valiant::core::Money;

namespace {

[[noreturn]] void fail(const QString& text, const char* problem)
{
    std::fprintf(stderr, "Money check failed for \"%s\": %s\n", qPrintable(text), problem);
    std::abort();
}

bool isDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

/// The cents of `text` when it has the API form (optional '-', at least one
/// digit, '.', exactly two digits) and fits in 64 bits, read digit by digit
/// with 128-bit math and independently of Money::parse.
std::optional<std::int64_t> expectedCents(const QString& text)
{
    const bool negative = text.startsWith(u'-');
    const QString digits = negative ? text.mid(1) : text;
    const qsizetype dot = digits.size() - 3;
    if (dot < 1 || digits[dot] != u'.') {
        return std::nullopt;
    }

    __int128 value = 0;
    for (qsizetype i = 0; i < digits.size(); ++i) {
        if (i == dot) {
            continue;
        }
        if (!isDigit(digits[i])) {
            return std::nullopt;
        }
        value = value * 10 + (digits[i].unicode() - u'0');
        if (value > std::numeric_limits<std::int64_t>::max()) {
            return std::nullopt;
        }
    }
    return static_cast<std::int64_t>(negative ? -value : value);
}

void checkApiForm(const QString& text)
{
    const auto parsed = Money::parse(text);
    const std::optional<std::int64_t> expected = expectedCents(text);
    if (parsed.ok() != expected.has_value()) {
        fail(text, parsed ? "parse accepted text outside the API form" : "parse rejected valid text");
    }
    if (!parsed) {
        if (parsed.error().code != u"invalid_money" || parsed.error().message.size() > 200) {
            fail(text, "the parse error is not a short invalid_money error");
        }
        return;
    }
    if (parsed->cents() != *expected) {
        fail(text, "parse returned other cents than the digits say");
    }

    const auto again = Money::parse(parsed->toString());
    if (!again || *again != *parsed) {
        fail(text, "toString() does not parse back to the same amount");
    }
}

/// Compares plus, minus and times of `a` and `b` with 128-bit results:
/// each must return the exact value when it fits in 64 bits, otherwise
/// std::nullopt.
void checkArithmetic(const QString& text, Money a, Money b)
{
    const auto check = [&text](std::optional<Money> result, __int128 exact, const char* problem) {
        const bool fits = exact >= std::numeric_limits<std::int64_t>::min()
                          && exact <= std::numeric_limits<std::int64_t>::max();
        if (result.has_value() != fits || (fits && result->cents() != exact)) {
            fail(text, problem);
        }
    };
    check(a.plus(b), __int128(a.cents()) + b.cents(), "plus() disagrees with 128-bit math");
    check(a.minus(b), __int128(a.cents()) - b.cents(), "minus() disagrees with 128-bit math");
    check(a.times(b.cents()), __int128(a.cents()) * b.cents(), "times() disagrees with 128-bit math");
}

/// What a person types: a parsed amount must also come back from its own
/// display form and from its API form.
void checkLocaleForm(const QString& text, const QLocale& locale)
{
    const std::optional<Money> parsed = Money::parseLocale(text, locale);
    if (!parsed) {
        return;
    }
    const std::optional<Money> displayed =
        Money::parseLocale(parsed->toLocaleString(locale), locale);
    if (displayed != parsed) {
        fail(text, "toLocaleString() does not parse back with parseLocale()");
    }
    const auto apiForm = Money::parse(parsed->toString());
    if (!apiForm || *apiForm != *parsed) {
        fail(text, "a parseLocale() amount does not survive toString() and parse()");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    // The app's languages (English, German, Spanish) and French, whose
    // group separator is a narrow no-break space.
    static const QLocale locales[] = {QLocale(QStringLiteral("en_US")), QLocale(QStringLiteral("de_DE")),
                                      QLocale(QStringLiteral("es_ES")), QLocale(QStringLiteral("fr_FR"))};

    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), qsizetype(size));
    checkApiForm(text);
    for (const QLocale& locale : locales) {
        checkLocaleForm(text, locale);
    }

    // Amounts at the edges, against the parsed one or zero.
    const auto result = Money::parse(text);
    const Money parsed = result ? *result : Money();
    for (const std::int64_t cents : {std::int64_t(0), std::int64_t(-1), std::int64_t(100),
                                     std::numeric_limits<std::int64_t>::max(),
                                     std::numeric_limits<std::int64_t>::min()}) {
        checkArithmetic(text, parsed, Money::fromCents(cents));
        checkArithmetic(text, Money::fromCents(cents), parsed);
    }
    return 0;
}
