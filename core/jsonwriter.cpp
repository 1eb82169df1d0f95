#include "jsonwriter.h"

#include <charconv>

namespace valiant::core {

namespace {

char hexDigit(unsigned value)
{
    return "0123456789abcdef"[value & 0xf];
}

// A \uXXXX escape in lower-case hex, as Qt writes one.
void appendEscape(QByteArray& out, char16_t unit)
{
    const char escape[] = {'\\',
                           'u',
                           hexDigit(unit >> 12),
                           hexDigit(unit >> 8),
                           hexDigit(unit >> 4),
                           hexDigit(unit),
                           '\0'};
    out.append(escape, 6);
}

}  // namespace

void JsonWriter::separate()
{
    if (m_out.isEmpty())
        return;
    const char last = m_out.back();
    if (last != '{' && last != '[' && last != ':')
        m_out.append(',');
}

JsonWriter& JsonWriter::beginObject()
{
    separate();
    m_out.append('{');
    return *this;
}

JsonWriter& JsonWriter::endObject()
{
    m_out.append('}');
    return *this;
}

JsonWriter& JsonWriter::beginArray()
{
    separate();
    m_out.append('[');
    return *this;
}

JsonWriter& JsonWriter::endArray()
{
    m_out.append(']');
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view name)
{
    separate();
    m_out.append('"');
    m_out.append(name.data(), qsizetype(name.size()));
    m_out.append("\":", 2);
    return *this;
}

JsonWriter& JsonWriter::value(std::int64_t number)
{
    separate();
    char digits[24];
    const auto written = std::to_chars(digits, digits + sizeof digits, number);
    m_out.append(digits, written.ptr - digits);
    return *this;
}

JsonWriter& JsonWriter::plainString(std::string_view text)
{
    separate();
    m_out.append('"');
    m_out.append(text.data(), qsizetype(text.size()));
    m_out.append('"');
    return *this;
}

JsonWriter& JsonWriter::null()
{
    separate();
    m_out.append("null", 4);
    return *this;
}

// The escapes and the UTF-8 of QJsonDocument: the two-character forms for
// '"', '\', \b, \f, \n, \r and \t, \u00XX for the other control characters,
// and \uXXXX for a surrogate without its pair, which has no UTF-8.
JsonWriter& JsonWriter::value(const QString& text)
{
    separate();
    m_out.append('"');
    const char16_t* at = reinterpret_cast<const char16_t*>(text.constData());
    const char16_t* const end = at + text.size();
    while (at != end) {
        const char16_t unit = *at++;
        if (unit < 0x80) {
            switch (unit) {
            case u'"': m_out.append("\\\"", 2); break;
            case u'\\': m_out.append("\\\\", 2); break;
            case u'\b': m_out.append("\\b", 2); break;
            case u'\f': m_out.append("\\f", 2); break;
            case u'\n': m_out.append("\\n", 2); break;
            case u'\r': m_out.append("\\r", 2); break;
            case u'\t': m_out.append("\\t", 2); break;
            default:
                if (unit < 0x20)
                    appendEscape(m_out, unit);
                else
                    m_out.append(char(unit));
            }
        } else if (unit < 0x800) {
            m_out.append(char(0xc0 | (unit >> 6)));
            m_out.append(char(0x80 | (unit & 0x3f)));
        } else if (QChar::isHighSurrogate(unit) && at != end && QChar::isLowSurrogate(*at)) {
            const char32_t point = QChar::surrogateToUcs4(unit, *at++);
            m_out.append(char(0xf0 | (point >> 18)));
            m_out.append(char(0x80 | ((point >> 12) & 0x3f)));
            m_out.append(char(0x80 | ((point >> 6) & 0x3f)));
            m_out.append(char(0x80 | (point & 0x3f)));
        } else if (QChar::isSurrogate(unit)) {
            appendEscape(m_out, unit);
        } else {
            m_out.append(char(0xe0 | (unit >> 12)));
            m_out.append(char(0x80 | ((unit >> 6) & 0x3f)));
            m_out.append(char(0x80 | (unit & 0x3f)));
        }
    }
    m_out.append('"');
    return *this;
}

}  // namespace valiant::core
