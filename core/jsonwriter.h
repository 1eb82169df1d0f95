#pragma once

// JsonWriter: compact JSON written straight into bytes, for the API's
// responses and stream messages. Building QJsonObjects and serialising them
// took about 60% of the server's user-space instructions per filled order
// (callgrind, Qt 6.4). This writer does a few appends per member.
//
// The output is byte for byte what QJsonDocument::toJson(Compact) writes
// for the same values, as long as the caller writes each object's members
// in sorted key order, because QJsonObject sorts its keys. Stored idempotent
// replies and request fingerprints therefore stay comparable with those
// written before. tst_apicodec checks that equality.

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <string_view>

namespace valiant::core {

class JsonWriter
{
public:
    explicit JsonWriter(qsizetype reserve = 256) { m_out.reserve(reserve); }

    JsonWriter& beginObject();
    JsonWriter& endObject();
    JsonWriter& beginArray();
    JsonWriter& endArray();

    /// A member name: plain ASCII that needs no escape, such as "quote_id".
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::int64_t number);
    JsonWriter& value(const QString& text);
    /// A string already known to need no escape: ASCII letters, digits and
    /// punctuation other than '"' and '\', such as "12.34" or a time.
    JsonWriter& plainString(std::string_view text);
    JsonWriter& null();

    QByteArray take() { return std::move(m_out); }

private:
    /// Writes the ',' that goes before a member or an array element.
    void separate();

    QByteArray m_out;
};

}  // namespace valiant::core
