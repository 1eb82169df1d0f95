#include "strictjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QString>

#include <charconv>
#include <string_view>
#include <vector>

namespace valiant::core::api {

namespace {

struct Container
{
    bool object = false;
    bool expectsKey = false;  // in an object: the next string is a member name
    QSet<QString> keys;
};

Error invalidJson(const QString& reason, qsizetype offset)
{
    return makeError(400, QStringLiteral("invalid_json"),
                     QStringLiteral("The request body is not valid JSON (%1 at byte %2). Send one "
                                    "JSON object.")
                         .arg(reason)
                         .arg(offset));
}

constexpr std::string_view numberCharacters = "0123456789+-.eE";

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

/// The UTF-16 code unit of the four hex digits at `at`, or -1.
int hexCodeUnit(const QByteArray& text, qsizetype at)
{
    if (at + 4 > text.size()) {
        return -1;
    }
    int unit = 0;
    const auto [end, status] = std::from_chars(text.constData() + at, text.constData() + at + 4, unit, 16);
    return status == std::errc() && end == text.constData() + at + 4 ? unit : -1;
}

bool isHighSurrogate(int unit)
{
    return unit >= 0xD800 && unit <= 0xDBFF;
}

bool isLowSurrogate(int unit)
{
    return unit >= 0xDC00 && unit <= 0xDFFF;
}

/// Returns the index after the string whose opening quote is at `at`, or -1
/// when the string does not end. Sets `controlAt` to the first unescaped
/// control character and `surrogateAt` to the first \u escape of a lone
/// UTF-16 surrogate, if any. A lone surrogate encodes no character, and
/// converting it to UTF-8 turns it into "?", so two different texts could
/// become one (RFC 8259 section 8.2).
qsizetype scanString(const QByteArray& text, qsizetype at, qsizetype* controlAt,
                     qsizetype* surrogateAt)
{
    for (++at; at < text.size(); ++at) {
        const auto c = static_cast<unsigned char>(text[at]);
        if (c < 0x20 && *controlAt < 0) {
            *controlAt = at;
        }
        if (c == '\\') {
            if (at + 1 < text.size() && text[at + 1] == 'u' && *surrogateAt < 0) {
                const int unit = hexCodeUnit(text, at + 2);
                const bool pairFollows = at + 7 < text.size() && text[at + 6] == '\\' &&
                                         text[at + 7] == 'u' &&
                                         isLowSurrogate(hexCodeUnit(text, at + 8));
                if (isLowSurrogate(unit) || (isHighSurrogate(unit) && !pairFollows)) {
                    *surrogateAt = at;
                } else if (isHighSurrogate(unit)) {
                    at += 6;  // past the high half; the loop steps over the low one
                }
            }
            ++at;
        } else if (c == '"') {
            return at + 1;
        }
    }
    return -1;
}

/// The member name of a raw JSON string literal, quotes included.
QString decodeKey(const QByteArray& literal)
{
    if (!literal.contains('\\')) {
        return QString::fromUtf8(literal.mid(1, literal.size() - 2));
    }
    return QJsonDocument::fromJson("[" + literal + "]").array().at(0).toString();
}

/// True when `literal` has the RFC 8259 number form:
/// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool isNumberLiteral(const QByteArray& literal)
{
    qsizetype at = literal.startsWith('-') ? 1 : 0;
    const auto digits = [&literal, &at] {
        const qsizetype start = at;
        while (at < literal.size() && isDigit(literal[at])) {
            ++at;
        }
        return at - start;
    };
    const qsizetype integerStart = at;
    const qsizetype integerDigits = digits();
    if (integerDigits == 0 || (integerDigits > 1 && literal[integerStart] == '0')) {
        return false;
    }
    if (at < literal.size() && literal[at] == '.') {
        ++at;
        if (digits() == 0) {
            return false;
        }
    }
    if (at < literal.size() && (literal[at] == 'e' || literal[at] == 'E')) {
        ++at;
        if (at < literal.size() && (literal[at] == '+' || literal[at] == '-')) {
            ++at;
        }
        if (digits() == 0) {
            return false;
        }
    }
    return at == literal.size();
}

/// True when the valid number `literal` has a magnitude of at least 1, so
/// that being out of a double's range means overflow, not underflow.
bool isAtLeastOne(const QByteArray& literal)
{
    const qsizetype exponentAt = std::max(literal.indexOf('e'), literal.indexOf('E'));
    const QByteArray mantissa = exponentAt < 0 ? literal : literal.left(exponentAt);
    const qsizetype point = mantissa.indexOf('.');
    QByteArray integerPart = point < 0 ? mantissa : mantissa.left(point);
    integerPart.replace("-", "");
    const QByteArray fraction = point < 0 ? QByteArray() : mantissa.mid(point + 1);

    // The decimal exponent of the first non-zero digit, before the e part.
    const QByteArray digits = integerPart + fraction;
    qsizetype first = 0;
    while (first < digits.size() && digits[first] == '0') {
        ++first;
    }
    if (first == digits.size()) {
        return false;
    }
    const long long magnitude = integerPart.size() - 1 - first;

    // Exponents beyond nine digits are clamped: they are far out of range either way.
    long long exponent = 0;
    if (exponentAt >= 0) {
        const QByteArray text = literal.mid(exponentAt + 1);
        const bool negative = text.startsWith('-');
        const QByteArray exponentDigits = text.mid(negative || text.startsWith('+') ? 1 : 0);
        exponent = exponentDigits.size() > 9 ? 1'000'000'000LL : exponentDigits.toLongLong();
        exponent = negative ? -exponent : exponent;
    }
    return magnitude + exponent >= 0;
}

/// The stand-in for a number literal that a double cannot hold, or
/// nothing when a double holds it.
std::optional<QByteArray> outOfRangeStandIn(const QByteArray& literal)
{
    if (!isNumberLiteral(literal)) {
        return std::nullopt;
    }
    double value = 0;
    const auto [end, status] = std::from_chars(literal.constData(), literal.constData() + literal.size(), value);
    if (status != std::errc::result_out_of_range) {
        return std::nullopt;
    }
    QByteArray standIn = !isAtLeastOne(literal) ? QByteArray("0")
                         : literal.startsWith('-') ? QByteArray("-1e308")
                                                   : QByteArray("1e308");
    return standIn.leftJustified(literal.size(), ' ');
}

}  // namespace

StrictJsonScan scanStrictJson(const QByteArray& body)
{
    StrictJsonScan scan{body, std::nullopt};
    std::vector<Container> containers;
    qsizetype at = 0;
    while (at < body.size()) {
        const char c = body[at];
        if (c == '{' || c == '[') {
            containers.push_back(Container{c == '{', c == '{', {}});
            ++at;
            continue;
        }
        if (c == '}' || c == ']') {
            if (containers.empty()) {
                return scan;
            }
            containers.pop_back();
            ++at;
            continue;
        }
        if ((c == ',' || c == ':') && !containers.empty()) {
            containers.back().expectsKey = c == ',' && containers.back().object;
            ++at;
            continue;
        }

        if (c == '"') {
            qsizetype controlAt = -1;
            qsizetype surrogateAt = -1;
            const qsizetype end = scanString(body, at, &controlAt, &surrogateAt);
            if (end < 0) {
                return scan;
            }
            if (surrogateAt >= 0 && !scan.error) {
                scan.error = invalidJson(
                    QStringLiteral("the escape %1 is half of a UTF-16 surrogate pair without "
                                   "its other half, so it encodes no character; send the whole "
                                   "pair or the character itself")
                        .arg(QString::fromLatin1(body.mid(surrogateAt, 6))),
                    surrogateAt);
            }
            if (controlAt >= 0 && !scan.error) {
                scan.error = invalidJson(
                    QStringLiteral("unescaped control character U+%1 inside a string; escape it "
                                   "as \\u%1")
                        .arg(static_cast<unsigned char>(body[controlAt]), 4, 16, QLatin1Char('0')),
                    controlAt);
            }
            if (!containers.empty() && containers.back().expectsKey) {
                Container& object = containers.back();
                object.expectsKey = false;
                const QString key = decodeKey(body.mid(at, end - at));
                if (object.keys.contains(key) && !scan.error) {
                    scan.error = invalidJson(
                        QStringLiteral("the member \"%1\" appears twice in one object; send each "
                                       "field once")
                            .arg(key.left(40)),
                        at);
                }
                object.keys.insert(key);
            }
            at = end;
            continue;
        }

        if (c == '-' || c == '+' || isDigit(c)) {
            qsizetype end = at;
            while (end < body.size() && numberCharacters.find(body[end]) != std::string_view::npos) {
                ++end;
            }
            const QByteArray literal = body.mid(at, end - at);
            if (!isNumberLiteral(literal) && !scan.invalidNumber) {
                scan.invalidNumber = invalidJson(
                    QStringLiteral("the number %1 is not valid JSON; write it without leading "
                                   "zeros or a plus sign, with digits on both sides of a point")
                        .arg(QString::fromLatin1(literal.left(40))),
                    at);
                scan.invalidNumberAt = at;
            }
            if (const auto standIn = outOfRangeStandIn(literal)) {
                scan.text.replace(at, end - at, *standIn);
            }
            at = end;
            continue;
        }
        ++at;
    }
    return scan;
}

}  // namespace valiant::core::api
