#include "logging.h"

#include <QRegularExpression>

namespace valiant::server {

QString flattenLineBreaks(const QString& text)
{
    static const QRegularExpression lineBreak(QStringLiteral("[ \\t]*[\\r\\n]+[ \\t]*"));
    QString flat = text.trimmed();
    flat.replace(lineBreak, QStringLiteral(" / "));
    flat.replace(QLatin1Char('\t'), QLatin1Char(' '));
    return flat;
}

QString repeatNote(std::uint64_t suppressed)
{
    if (suppressed == 0) {
        return QString();
    }
    return QStringLiteral(" (%1 more since the last message, not logged)").arg(suppressed);
}

bool LogThrottle::allow(const void* key, std::uint64_t& suppressed)
{
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(m_mutex);
    const auto [found, added] = m_states.try_emplace(key);
    State& state = found->second;
    if (!added && now - state.lastLogged < m_interval) {
        ++state.suppressed;
        return false;
    }
    suppressed = state.suppressed;
    state.suppressed = 0;
    state.lastLogged = now;
    return true;
}

}  // namespace valiant::server
