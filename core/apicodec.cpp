#include "apicodec.h"

#include "strictjson.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>
#include <QMetaType>
#include <QVariant>

#include <algorithm>
#include <charconv>

namespace valiant::core::api {

namespace {

Error invalid(const QString& code, const QString& message)
{
    return makeError(422, code, message);
}

// Shortens `text` to 40 characters for a message, so a huge value cannot
// flood a response or a log. A shortened text names its full length, which
// also keeps a sentence from ending in "....".
QString shortened(const QString& text)
{
    if (text.size() <= 40) {
        return text;
    }
    return text.left(37) + QStringLiteral("... (%1 characters)").arg(text.size());
}

// Shows a JSON value in a message, shortened.
QString describe(const QJsonValue& value)
{
    if (value.isUndefined()) {
        return QStringLiteral("no value");
    }
    QJsonArray wrapper{value};
    const QByteArray text = QJsonDocument(wrapper).toJson(QJsonDocument::Compact);
    return shortened(QString::fromUtf8(text.mid(1, text.size() - 2)));
}

// Names the type of `value` for a message, such as "a JSON string".
QString jsonTypeName(const QJsonValue& value)
{
    switch (value.type()) {
        case QJsonValue::Array:
            return QStringLiteral("a JSON array");
        case QJsonValue::String:
            return QStringLiteral("a JSON string");
        case QJsonValue::Double:
            return QStringLiteral("a JSON number");
        case QJsonValue::Bool:
            return value.toBool() ? QStringLiteral("the JSON value true")
                                  : QStringLiteral("the JSON value false");
        case QJsonValue::Null:
            return QStringLiteral("the JSON value null");
        case QJsonValue::Object:
            return QStringLiteral("a JSON object");
        case QJsonValue::Undefined:
            break;
    }
    return QStringLiteral("no JSON value");
}

// A JSON number with a whole value that fits in 64 bits. Qt 6.4 stores such
// numbers as integers (also when written 2.0 or 1e3, which JSON Schema
// counts as integers too) and everything else, 1.5 or 2^64, as a double.
std::optional<std::int64_t> strictInteger(const QJsonValue& value)
{
    if (!value.isDouble()) {
        return std::nullopt;
    }
    const QVariant variant = value.toVariant();
    if (variant.typeId() != QMetaType::LongLong) {
        return std::nullopt;
    }
    return variant.toLongLong();
}

Result<std::int64_t> requireInteger(const QJsonObject& object, const QString& field)
{
    const QJsonValue value = object.value(field);
    if (const std::optional<std::int64_t> number = strictInteger(value)) {
        return *number;
    }
    return makeError(422, QStringLiteral("invalid_field"),
                     QStringLiteral("Field \"%1\" must be a whole number, got %2.")
                         .arg(field, describe(value)));
}

Result<QString> requireString(const QJsonObject& object, const QString& field)
{
    const QJsonValue value = object.value(field);
    if (value.isString()) {
        return value.toString();
    }
    return makeError(422, QStringLiteral("invalid_field"),
                     QStringLiteral("Field \"%1\" must be a string, got %2.")
                         .arg(field, describe(value)));
}

Result<Money> requireMoney(const QJsonObject& object, const QString& field)
{
    const Result<QString> text = requireString(object, field);
    if (!text) {
        return text.error();
    }
    return Money::parse(*text);
}

Result<std::int64_t> requireTime(const QJsonObject& object, const QString& field)
{
    const Result<QString> text = requireString(object, field);
    if (!text) {
        return text.error();
    }
    if (const std::optional<std::int64_t> ms = parseTime(*text)) {
        return *ms;
    }
    return makeError(422, QStringLiteral("invalid_field"),
                     QStringLiteral("Field \"%1\" must be an RFC 3339 time, got \"%2\".")
                         .arg(field, text->left(40)));
}

bool isUsernameCharacter(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
           (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) ||
           (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('_') ||
           c == QLatin1Char('-') || c == QLatin1Char('.');
}

}  // namespace

// --- Times -----------------------------------------------------------------

QString formatTime(std::int64_t msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC)
        .toString(Qt::ISODateWithMs);
}

std::optional<std::int64_t> parseTime(QStringView text)
{
    // RFC 3339 requires a date, a 'T' (or 't'), a time and an offset.
    if (text.size() < 20 || text.size() > 40) {
        return std::nullopt;
    }
    const QChar separator = text[10];
    if (separator != QLatin1Char('T') && separator != QLatin1Char('t')) {
        return std::nullopt;
    }
    const QChar last = text.back();
    const bool hasOffset = last == QLatin1Char('Z') || last == QLatin1Char('z') ||
                           (text.size() >= 6 && (text[text.size() - 6] == QLatin1Char('+') ||
                                                 text[text.size() - 6] == QLatin1Char('-')));
    if (!hasOffset) {
        return std::nullopt;
    }

    QString normalized = text.toString();
    normalized[10] = QLatin1Char('T');
    if (last == QLatin1Char('z')) {
        normalized.back() = QLatin1Char('Z');
    }
    const QDateTime time = QDateTime::fromString(normalized, Qt::ISODateWithMs);
    // An offset can move a time near either end of years 1 to 9999 out of
    // them in UTC, where formatTime() writes an empty string.
    const int utcYear = time.toUTC().date().year();
    if (!time.isValid() || utcYear < 1 || utcYear > 9999) {
        return std::nullopt;
    }
    return time.toMSecsSinceEpoch();
}

// --- Requests --------------------------------------------------------------

Result<QJsonObject> parseObject(const QByteArray& body)
{
    if (body.trimmed().isEmpty()) {
        return makeError(400, QStringLiteral("invalid_json"),
                         QStringLiteral("The request body is empty. Send one JSON object with "
                                        "the request's fields."));
    }

    // Qt's parser keeps the last of repeated members and accepts raw
    // control characters, and it rejects numbers beyond a double's range.
    const StrictJsonScan scan = scanStrictJson(body);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(scan.text, &parseError);
    QJsonValue topLevel = document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
    if (parseError.error != QJsonParseError::NoError) {
        // Qt 6.4 reads only an object or an array at the top level, but
        // RFC 8259 allows any value there, so a lone "str", 42 or null is
        // valid JSON of the wrong type.
        QJsonParseError wrappedError;
        const QJsonDocument wrapped = QJsonDocument::fromJson("[" + scan.text + "]", &wrappedError);
        if (wrappedError.error != QJsonParseError::NoError || wrapped.array().size() != 1) {
            if (scan.invalidNumber && scan.invalidNumberAt <= parseError.offset) {
                return *scan.invalidNumber;
            }
            return makeError(400, QStringLiteral("invalid_json"),
                             QStringLiteral("The request body is not valid JSON (%1 at byte %2). "
                                            "Send one JSON object.")
                                 .arg(parseError.errorString())
                                 .arg(parseError.offset));
        }
        topLevel = wrapped.array().first();
    }
    if (scan.error) {
        return *scan.error;
    }
    // Qt 6.4 accepts some literals that RFC 8259 does not, such as "1.".
    if (scan.invalidNumber) {
        return *scan.invalidNumber;
    }
    if (!topLevel.isObject()) {
        return makeError(400, QStringLiteral("invalid_json"),
                         QStringLiteral("The request body is %1, but it must be a JSON object. Send "
                                        "one JSON object with the request's fields.")
                             .arg(jsonTypeName(topLevel)));
    }
    return topLevel.toObject();
}

Result<Ok> checkUsername(const QString& username)
{
    const bool lengthOk =
        username.size() >= minUsernameLength && username.size() <= maxUsernameLength;
    const bool charactersOk = std::all_of(username.begin(), username.end(), isUsernameCharacter);
    if (lengthOk && charactersOk) {
        return Ok{};
    }
    QString shown = username.left(40);
    return invalid(QStringLiteral("invalid_username"),
                   QStringLiteral("Username \"%1\" is not allowed. Use %2 to %3 letters, digits, "
                                  "'_', '-' or '.'.")
                       .arg(shown)
                       .arg(minUsernameLength)
                       .arg(maxUsernameLength));
}

Result<Ok> checkPassword(const QString& password)
{
    const qsizetype length = password.toUcs4().size();
    if (length >= minPasswordLength && length <= maxPasswordLength) {
        return Ok{};
    }
    return invalid(QStringLiteral("invalid_password"),
                   QStringLiteral("The password is %1 characters long. Use %2 to %3 characters.")
                       .arg(length)
                       .arg(minPasswordLength)
                       .arg(maxPasswordLength));
}

Result<Credentials> decodeCredentials(const QJsonObject& object)
{
    const QJsonValue username = object.value(QStringLiteral("username"));
    if (!username.isString()) {
        return invalid(QStringLiteral("invalid_username"),
                       QStringLiteral("Field \"username\" must be a string, got %1.")
                           .arg(describe(username)));
    }
    const QJsonValue password = object.value(QStringLiteral("password"));
    if (!password.isString()) {
        // Never echo a password back, not even a malformed one.
        return invalid(QStringLiteral("invalid_password"),
                       QStringLiteral("Field \"password\" must be a string."));
    }
    return Credentials{username.toString(), password.toString()};
}

Result<OrderRequest> decodeOrderRequest(const QJsonObject& object)
{
    OrderRequest request;

    const QJsonValue side = object.value(QStringLiteral("side"));
    if (side == QJsonValue(QStringLiteral("buy"))) {
        request.side = Side::Buy;
    } else if (side == QJsonValue(QStringLiteral("sell"))) {
        request.side = Side::Sell;
    } else {
        return invalid(QStringLiteral("invalid_side"),
                       QStringLiteral("Field \"side\" must be \"buy\" or \"sell\", got %1.")
                           .arg(describe(side)));
    }

    const QJsonValue quantity = object.value(QStringLiteral("quantity"));
    const std::optional<std::int64_t> count = strictInteger(quantity);
    if (!count || !checkQuantity(*count)) {
        return invalid(QStringLiteral("invalid_quantity"),
                       QStringLiteral("Field \"quantity\" must be a whole number of shares from "
                                      "%1 to %2, got %3.")
                           .arg(minOrderQuantity)
                           .arg(maxOrderQuantity)
                           .arg(describe(quantity)));
    }
    request.quantity = *count;

    const QJsonValue limit = object.value(QStringLiteral("limit_price"));
    if (limit.isUndefined() || limit.isNull()) {
        return request;
    }
    const Result<Money> limitPrice =
        limit.isString() ? Money::parse(limit.toString()) : Result<Money>(Error{});
    if (!limitPrice || limitPrice->cents() <= 0) {
        return invalid(QStringLiteral("invalid_limit_price"),
                       QStringLiteral("Field \"limit_price\" must be a positive amount with two "
                                      "decimals as a string, such as \"51.00\", got %1.")
                           .arg(describe(limit)));
    }
    request.limitPrice = *limitPrice;
    return request;
}

namespace {

qsizetype skipSpace(const QByteArray& text, qsizetype at)
{
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r')) {
        ++at;
    }
    return at;
}

/// Returns the index after the string that starts with the quote at `at`.
qsizetype skipString(const QByteArray& text, qsizetype at)
{
    for (++at; at < text.size(); ++at) {
        if (text[at] == '\\') {
            ++at;
        } else if (text[at] == '"') {
            return at + 1;
        }
    }
    return at;
}

/// Returns the index after the JSON value that starts at `at`.
qsizetype skipValue(const QByteArray& text, qsizetype at)
{
    if (at >= text.size()) {
        return at;
    }
    if (text[at] == '"') {
        return skipString(text, at);
    }
    if (text[at] == '{' || text[at] == '[') {
        int depth = 0;
        while (at < text.size()) {
            const char c = text[at];
            if (c == '"') {
                at = skipString(text, at);
                continue;
            }
            if (c == '{' || c == '[') {
                ++depth;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return at + 1;
            }
            ++at;
        }
        return at;
    }
    while (at < text.size() && !QByteArrayLiteral(",}] \t\r\n").contains(text[at])) {
        ++at;
    }
    return at;
}

/// Returns the raw text of the last top-level member `name` of the JSON
/// object in `text`, which the caller has already parsed as valid.
std::optional<QByteArray> memberLiteral(const QByteArray& text, const QString& name)
{
    std::optional<QByteArray> found;
    qsizetype at = skipSpace(text, 0);
    if (at >= text.size() || text[at] != '{') {
        return found;
    }
    at = skipSpace(text, at + 1);
    while (at < text.size() && text[at] == '"') {
        const qsizetype keyEnd = skipString(text, at);
        const QByteArray rawKey = text.mid(at, keyEnd - at);
        // Keys with escapes are decoded by Qt, so \u0071uantity matches too.
        const QString key = rawKey.contains('\\')
            ? QJsonDocument::fromJson("[" + rawKey + "]").array().at(0).toString()
            : QString::fromUtf8(rawKey.mid(1, rawKey.size() - 2));
        at = skipSpace(text, keyEnd);
        if (at >= text.size() || text[at] != ':') {
            return found;
        }
        const qsizetype valueStart = skipSpace(text, at + 1);
        const qsizetype valueEnd = skipValue(text, valueStart);
        if (key == name) {
            found = text.mid(valueStart, valueEnd - valueStart);
        }
        at = skipSpace(text, valueEnd);
        if (at >= text.size() || text[at] != ',') {
            return found;
        }
        at = skipSpace(text, at + 1);
    }
    return found;
}

/// Parses an integer literal: an optional '-' and digits only, within 64 bits.
std::optional<std::int64_t> integerLiteral(const QByteArray& literal)
{
    const QByteArray digits = literal.startsWith('-') ? literal.mid(1) : literal;
    const bool plain = !digits.isEmpty()
        && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!plain) {
        return std::nullopt;
    }
    bool ok = false;
    const qlonglong value = literal.toLongLong(&ok);
    return ok ? std::optional<std::int64_t>(value) : std::nullopt;
}

}  // namespace

Result<OrderRequest> decodeOrderRequest(const QJsonObject& object, const QByteArray& body)
{
    Result<OrderRequest> request = decodeOrderRequest(object);

    // A price sent as a number is shown as written: 51.00, not Qt's 51.
    if (!request && request.error().code == u"invalid_limit_price" &&
        object.value(QStringLiteral("limit_price")).isDouble()) {
        const std::optional<QByteArray> literal = memberLiteral(body, QStringLiteral("limit_price"));
        if (literal) {
            const QString literalText = shortened(QString::fromUtf8(*literal));
            return invalid(QStringLiteral("invalid_limit_price"),
                           QStringLiteral("Field \"limit_price\" must be a positive amount with "
                                          "two decimals as a string, such as \"51.00\", got the "
                                          "number %1.")
                               .arg(literalText));
        }
    }

    const QJsonValue quantity = object.value(QStringLiteral("quantity"));
    if (!quantity.isDouble() || (!request && request.error().code != u"invalid_quantity")) {
        return request;
    }
    const std::optional<QByteArray> literal = memberLiteral(body, QStringLiteral("quantity"));
    if (!literal) {
        return request;
    }
    const std::optional<std::int64_t> count = integerLiteral(*literal);
    if (count && checkQuantity(*count)) {
        return request;
    }
    const QString written = shortened(QString::fromUtf8(*literal));
    return invalid(QStringLiteral("invalid_quantity"),
                   QStringLiteral("Field \"quantity\" must be a whole number of shares from "
                                  "%1 to %2 without a decimal point or exponent, got %3.")
                       .arg(minOrderQuantity)
                       .arg(maxOrderQuantity)
                       .arg(written));
}

Result<Ok> checkIdempotencyKey(const QByteArray& key)
{
    const auto isPrintable = [](char c) { return c >= 0x21 && c <= 0x7e; };
    const QString rule = QStringLiteral("use 1 to %1 printable ASCII characters without spaces, "
                                        "such as a UUID.")
                             .arg(maxIdempotencyKeyLength);
    if (key.isEmpty()) {
        return invalid(QStringLiteral("invalid_idempotency_key"),
                       QStringLiteral("The Idempotency-Key header is empty; %1").arg(rule));
    }

    const auto firstInvalid = std::find_if_not(key.begin(), key.end(), isPrintable);
    if (firstInvalid != key.end()) {
        // Every byte that is neither printable ASCII nor a space is shown as \xNN.
        const auto hexByte = [](char c) {
            return QStringLiteral("\\x%1").arg(quint8(c), 2, 16, QLatin1Char('0'));
        };
        QString displayedKey;
        for (const char c : key.left(40)) {
            displayedKey += isPrintable(c) || c == ' ' ? QString(QLatin1Char(c)) : hexByte(c);
        }
        const QString invalidCharacter = *firstInvalid == ' '
            ? QStringLiteral("a space")
            : QStringLiteral("the byte ") + hexByte(*firstInvalid);
        const QString ellipsis = key.size() > 40 ? QStringLiteral("...") : QString();
        return invalid(QStringLiteral("invalid_idempotency_key"),
                       QStringLiteral("The Idempotency-Key header \"%1\"%2 contains %3 at position "
                                      "%4; %5")
                           .arg(displayedKey, ellipsis, invalidCharacter)
                           .arg(firstInvalid - key.begin() + 1)
                           .arg(rule));
    }

    if (key.size() > maxIdempotencyKeyLength) {
        return invalid(QStringLiteral("invalid_idempotency_key"),
                       QStringLiteral("The Idempotency-Key header \"%1\" is %2 characters long; %3")
                           .arg(QString::fromLatin1(key.left(37)) + QStringLiteral("..."))
                           .arg(key.size())
                           .arg(rule));
    }
    return Ok{};
}

// --- Values to JSON --------------------------------------------------------
//
// Each value's members are listed once, in sorted key order, so that the
// bytes equal what QJsonDocument writes (see jsonwriter.h).

namespace {

// "-3.25": the form of Money::toString() without a QString.
std::string_view moneyText(Money money, char (&buffer)[32])
{
    const std::int64_t cents = money.cents();
    const std::uint64_t magnitude =
        cents < 0 ? 0 - static_cast<std::uint64_t>(cents) : static_cast<std::uint64_t>(cents);
    char* at = buffer;
    if (cents < 0)
        *at++ = '-';
    at = std::to_chars(at, buffer + sizeof buffer - 3, magnitude / 100).ptr;
    *at++ = '.';
    *at++ = char('0' + magnitude % 100 / 10);
    *at++ = char('0' + magnitude % 10);
    return {buffer, std::size_t(at - buffer)};
}

// Days since 1970-01-01 to a proleptic Gregorian date (the civil_from_days
// algorithm described by Howard Hinnant).
void civilFromDays(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day)
{
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const unsigned dayOfEra = unsigned(days - era * 146097);
    const unsigned yearOfEra =
        (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
    const unsigned dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const unsigned shiftedMonth = (5 * dayOfYear + 2) / 153;
    day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1;
    month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
    year = std::int64_t(yearOfEra) + era * 400 + (month <= 2 ? 1 : 0);
}

void appendDigits(char*& at, unsigned value, int width)
{
    for (int i = width - 1; i >= 0; --i) {
        at[i] = char('0' + value % 10);
        value /= 10;
    }
    at += width;
}

// "2026-12-04T19:00:01.000Z", as formatTime() writes it, without QDateTime.
// Empty outside the years 1 to 9999, where the caller uses formatTime().
std::string_view timeText(std::int64_t msSinceEpoch, char (&buffer)[32])
{
    constexpr std::int64_t msPerDay = 86'400'000;
    std::int64_t days = msSinceEpoch / msPerDay;
    std::int64_t msOfDay = msSinceEpoch % msPerDay;
    if (msOfDay < 0) {
        msOfDay += msPerDay;
        --days;
    }
    std::int64_t year = 0;
    unsigned month = 0;
    unsigned day = 0;
    civilFromDays(days, year, month, day);
    if (year < 1 || year > 9999)
        return {};

    char* at = buffer;
    appendDigits(at, unsigned(year), 4);
    *at++ = '-';
    appendDigits(at, month, 2);
    *at++ = '-';
    appendDigits(at, day, 2);
    *at++ = 'T';
    appendDigits(at, unsigned(msOfDay / 3'600'000), 2);
    *at++ = ':';
    appendDigits(at, unsigned(msOfDay / 60'000 % 60), 2);
    *at++ = ':';
    appendDigits(at, unsigned(msOfDay / 1000 % 60), 2);
    *at++ = '.';
    appendDigits(at, unsigned(msOfDay % 1000), 3);
    *at++ = 'Z';
    return {buffer, std::size_t(at - buffer)};
}

void writeMoney(JsonWriter& out, Money money)
{
    char buffer[32];
    out.plainString(moneyText(money, buffer));
}

void writeTime(JsonWriter& out, std::int64_t msSinceEpoch)
{
    char buffer[32];
    const std::string_view text = timeText(msSinceEpoch, buffer);
    if (text.empty())
        out.value(formatTime(msSinceEpoch));
    else
        out.plainString(text);
}

void writeSide(JsonWriter& out, Side side)
{
    out.plainString(side == Side::Buy ? "buy" : "sell");
}

void writeMembers(JsonWriter& out, const Quote& quote)
{
    out.key("created");
    writeTime(out, quote.createdMs);
    out.key("id").value(quote.id);
    out.key("price");
    writeMoney(out, quote.price);
}

// Writes every member but "version", which the callers write after a
// message's "type" so that keys stay in the sorted order QJsonDocument uses.
void writeMembers(JsonWriter& out, const Portfolio& portfolio)
{
    const Holdings& holdings = portfolio.holdings;
    out.key("cash");
    writeMoney(out, holdings.cash);
    out.key("cost_basis");
    writeMoney(out, holdings.costBasis);
    if (portfolio.lastQuote) {
        out.key("last_price");
        writeMoney(out, portfolio.lastQuote->price);
        out.key("last_quote_id").value(portfolio.lastQuote->id);
    } else {
        out.key("last_price").null();
        out.key("last_quote_id").null();
    }
    out.key("market_value");
    writeMoney(out, portfolio.marketValue());
    out.key("profit_and_loss");
    writeMoney(out, portfolio.profitAndLoss());
    out.key("shares").value(holdings.shares);
}

template <typename T>
QJsonObject readBack(const T& value)
{
    return QJsonDocument::fromJson(toJson(value)).object();
}

}  // namespace

void write(JsonWriter& out, const Quote& quote)
{
    out.beginObject();
    writeMembers(out, quote);
    out.endObject();
}

void write(JsonWriter& out, const Candle& candle)
{
    out.beginObject();
    out.key("close");
    writeMoney(out, candle.close);
    out.key("count").value(candle.count);
    out.key("high");
    writeMoney(out, candle.high);
    out.key("low");
    writeMoney(out, candle.low);
    out.key("open");
    writeMoney(out, candle.open);
    out.key("start");
    writeTime(out, candle.startMs);
    out.endObject();
}

void write(JsonWriter& out, const Account& account)
{
    out.beginObject();
    out.key("id").value(account.id);
    out.key("username").value(account.username);
    out.endObject();
}

void write(JsonWriter& out, const Order& order)
{
    out.beginObject();
    out.key("created");
    writeTime(out, order.createdMs);
    out.key("id").value(order.id);
    out.key("price");
    writeMoney(out, order.price);
    out.key("quantity").value(order.quantity);
    out.key("quote_id").value(order.quoteId);
    out.key("side");
    writeSide(out, order.side);
    out.key("total");
    writeMoney(out, order.total);
    out.endObject();
}

void write(JsonWriter& out, const Portfolio& portfolio)
{
    out.beginObject();
    writeMembers(out, portfolio);
    out.key("version").value(portfolio.holdings.version);
    out.endObject();
}

void write(JsonWriter& out, const OrderRequest& request)
{
    out.beginObject();
    if (request.limitPrice) {
        out.key("limit_price");
        writeMoney(out, *request.limitPrice);
    }
    out.key("quantity").value(request.quantity);
    out.key("side");
    writeSide(out, request.side);
    out.endObject();
}

void write(JsonWriter& out, const Error& error)
{
    out.beginObject().key("error").beginObject();
    out.key("code").value(error.code);
    out.key("message").value(error.message);
    out.endObject().endObject();
}

QJsonObject encode(const Quote& quote)
{
    return readBack(quote);
}

QJsonObject encode(const Candle& candle)
{
    return readBack(candle);
}

QJsonObject encode(const Account& account)
{
    return readBack(account);
}

QJsonObject encode(const Order& order)
{
    return readBack(order);
}

QJsonObject encode(const Portfolio& portfolio)
{
    return readBack(portfolio);
}

QJsonObject encodeOrderRequest(const OrderRequest& request)
{
    return readBack(request);
}

QJsonObject encodeError(const Error& error)
{
    return readBack(error);
}

QByteArray toBytes(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// --- Stream messages -------------------------------------------------------

QByteArray helloMessage(std::int64_t serverTimeMs, std::int64_t latestId)
{
    JsonWriter out(96);
    out.beginObject();
    if (latestId > 0)
        out.key("latest_id").value(latestId);
    else
        out.key("latest_id").null();
    out.key("server_time");
    writeTime(out, serverTimeMs);
    out.key("type").plainString("hello");
    return out.endObject().take();
}

QByteArray quoteMessage(const Quote& quote)
{
    JsonWriter out(96);
    out.beginObject();
    writeMembers(out, quote);
    out.key("type").plainString("quote");
    return out.endObject().take();
}

QByteArray portfolioMessage(const Portfolio& portfolio)
{
    JsonWriter out(224);
    out.beginObject();
    writeMembers(out, portfolio);
    out.key("type").plainString("portfolio");
    out.key("version").value(portfolio.holdings.version);
    return out.endObject().take();
}

QByteArray errorMessage(const QString& code, const QString& message)
{
    JsonWriter out;
    out.beginObject();
    out.key("code").value(code);
    out.key("message").value(message);
    out.key("type").plainString("error");
    return out.endObject().take();
}

// --- JSON to values --------------------------------------------------------

Result<Quote> decodeQuote(const QJsonObject& object)
{
    const Result<std::int64_t> id = requireInteger(object, QStringLiteral("id"));
    const Result<Money> price = requireMoney(object, QStringLiteral("price"));
    const Result<std::int64_t> created = requireTime(object, QStringLiteral("created"));
    if (!id) {
        return id.error();
    }
    if (!price) {
        return price.error();
    }
    if (!created) {
        return created.error();
    }
    return Quote{*id, *price, *created};
}

Result<Candle> decodeCandle(const QJsonObject& object)
{
    Candle candle;
    const Result<std::int64_t> start = requireTime(object, QStringLiteral("start"));
    if (!start) {
        return start.error();
    }
    candle.startMs = *start;

    const std::pair<const char*, Money*> prices[] = {{"open", &candle.open},
                                                     {"high", &candle.high},
                                                     {"low", &candle.low},
                                                     {"close", &candle.close}};
    for (const auto& [field, target] : prices) {
        const Result<Money> price = requireMoney(object, QString::fromLatin1(field));
        if (!price) {
            return price.error();
        }
        *target = *price;
    }

    const Result<std::int64_t> count = requireInteger(object, QStringLiteral("count"));
    if (!count) {
        return count.error();
    }
    candle.count = *count;
    return candle;
}

Result<Account> decodeAccount(const QJsonObject& object)
{
    const Result<std::int64_t> id = requireInteger(object, QStringLiteral("id"));
    if (!id) {
        return id.error();
    }
    const Result<QString> username = requireString(object, QStringLiteral("username"));
    if (!username) {
        return username.error();
    }
    return Account{*id, *username};
}

Result<Order> decodeOrder(const QJsonObject& object)
{
    Order order;
    const QString side = object.value(QStringLiteral("side")).toString();
    if (side != QLatin1String("buy") && side != QLatin1String("sell")) {
        return invalid(QStringLiteral("invalid_side"),
                       QStringLiteral("Order side must be \"buy\" or \"sell\", got \"%1\".")
                           .arg(side.left(20)));
    }
    order.side = side == QLatin1String("buy") ? Side::Buy : Side::Sell;

    const std::pair<const char*, std::int64_t*> integers[] = {
        {"id", &order.id}, {"quantity", &order.quantity}, {"quote_id", &order.quoteId}};
    for (const auto& [field, target] : integers) {
        const Result<std::int64_t> value = requireInteger(object, QString::fromLatin1(field));
        if (!value) {
            return value.error();
        }
        *target = *value;
    }

    const Result<Money> price = requireMoney(object, QStringLiteral("price"));
    if (!price) {
        return price.error();
    }
    const Result<Money> total = requireMoney(object, QStringLiteral("total"));
    if (!total) {
        return total.error();
    }
    const Result<std::int64_t> created = requireTime(object, QStringLiteral("created"));
    if (!created) {
        return created.error();
    }
    order.price = *price;
    order.total = *total;
    order.createdMs = *created;
    return order;
}

Result<Portfolio> decodePortfolio(const QJsonObject& object)
{
    Portfolio portfolio;
    const Result<Money> cash = requireMoney(object, QStringLiteral("cash"));
    if (!cash) {
        return cash.error();
    }
    const Result<std::int64_t> shares = requireInteger(object, QStringLiteral("shares"));
    if (!shares) {
        return shares.error();
    }
    const Result<Money> costBasis = requireMoney(object, QStringLiteral("cost_basis"));
    if (!costBasis) {
        return costBasis.error();
    }
    portfolio.holdings = Holdings{*cash, *shares, *costBasis};
    // Servers before the field existed send no version, which reads as 0.
    if (object.contains(QStringLiteral("version"))) {
        const Result<std::int64_t> version = requireInteger(object, QStringLiteral("version"));
        if (!version) {
            return version.error();
        }
        portfolio.holdings.version = *version;
    }

    const QJsonValue lastPrice = object.value(QStringLiteral("last_price"));
    if (lastPrice.isNull() || lastPrice.isUndefined()) {
        return portfolio;
    }
    const Result<Money> price = requireMoney(object, QStringLiteral("last_price"));
    if (!price) {
        return price.error();
    }
    const Result<std::int64_t> quoteId = requireInteger(object, QStringLiteral("last_quote_id"));
    if (!quoteId) {
        return quoteId.error();
    }
    // The wallet carries the quote's id and price but not its time.
    portfolio.lastQuote = Quote{*quoteId, *price, 0};
    return portfolio;
}

Error decodeError(int httpStatus, const QByteArray& body)
{
    const QJsonObject error =
        QJsonDocument::fromJson(body).object().value(QStringLiteral("error")).toObject();
    const QString code = error.value(QStringLiteral("code")).toString();
    if (!code.isEmpty()) {
        return Error{httpStatus, code, error.value(QStringLiteral("message")).toString()};
    }
    const QString text = QString::fromUtf8(body.left(200)).trimmed();
    return Error{httpStatus, QStringLiteral("http_%1").arg(httpStatus),
                 QStringLiteral("The server answered HTTP %1%2")
                     .arg(httpStatus)
                     .arg(text.isEmpty() ? QStringLiteral(".") : QStringLiteral(": ") + text)};
}

}  // namespace valiant::core::api
