#include "ratelimiter.h"

#include <QHash>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QMutex>
#include <QMutexLocker>
#include <QStringList>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_map>

namespace valiant::server {

namespace {

Q_LOGGING_CATEGORY(lcLimits, "valiant.http")

// Keys with tokens still owed are kept at most this many per bucket set, so
// that a client cycling through addresses cannot grow memory without bound.
constexpr std::size_t maxKeys = 100'000;
constexpr int maxRuleCount = 1'000'000;
constexpr int maxRulePeriodSeconds = 86'400;
// How long an address that logged in to a username stays exempt from the
// failures that other addresses cause for that username.
constexpr std::int64_t knownLoginMs = 30LL * 24 * 3600 * 1000;
// Usernames longer than this cannot exist, so the rest of a longer one is
// not part of its key.
constexpr qsizetype maxUsernameKeyLength = 64;

core::Error settingsError(const QString& message)
{
    return core::makeError(400, QStringLiteral("invalid_configuration"), message);
}

/// The buckets of one rule, keyed by username, address or account id.
class BucketSet
{
public:
    BucketSet(RateLimitRule rule, QString name) : m_rule(rule), m_name(std::move(name)) {}

    /// Takes one token for `key`; when none is left returns the milliseconds
    /// until one will be.
    std::optional<std::int64_t> take(const QString& key, std::int64_t nowMs)
    {
        QMutexLocker locker(&m_mutex);
        Bucket* bucket = find(key, nowMs);
        if (bucket == nullptr) {
            return std::nullopt;
        }
        refill(*bucket, nowMs);
        if (bucket->tokens >= 1.0) {
            bucket->tokens -= 1.0;
            return std::nullopt;
        }
        return static_cast<std::int64_t>(std::ceil((1.0 - bucket->tokens) / tokensPerMs()));
    }

    /// Gives back one token taken by take().
    void refund(const QString& key, std::int64_t nowMs)
    {
        QMutexLocker locker(&m_mutex);
        const auto found = m_buckets.find(key);
        if (found == m_buckets.end()) {
            return;
        }
        refill(found->second, nowMs);
        found->second.tokens = std::min<double>(m_rule.burst, found->second.tokens + 1.0);
    }

private:
    struct Bucket
    {
        double tokens = 0;
        std::int64_t updatedMs = 0;
    };

    double tokensPerMs() const
    {
        return double(m_rule.count) / (double(m_rule.periodSeconds) * 1000.0);
    }

    void refill(Bucket& bucket, std::int64_t nowMs) const
    {
        const std::int64_t elapsed = std::max<std::int64_t>(0, nowMs - bucket.updatedMs);
        bucket.tokens = std::min<double>(m_rule.burst, bucket.tokens + elapsed * tokensPerMs());
        bucket.updatedMs = nowMs;
    }

    /// The bucket of `key`, created full; null when the set is full even
    /// after dropping the buckets that have refilled completely.
    Bucket* find(const QString& key, std::int64_t nowMs)
    {
        const auto found = m_buckets.find(key);
        if (found != m_buckets.end()) {
            return &found->second;
        }
        if (m_buckets.size() >= maxKeys) {
            prune(nowMs);
        }
        if (m_buckets.size() >= maxKeys) {
            // NOTE: this fails open, so requests pass the limit while more
            // than maxKeys keys owe tokens at once. Failing closed would
            // lock out every new client instead.
            if (++m_overflowCount % 1000 == 1) {
                qCWarning(lcLimits).noquote()
                    << "Rate limit" << m_name << "tracks" << m_buckets.size()
                    << "keys, its maximum; new keys pass unlimited until old ones refill ("
                    << m_overflowCount << "times so far)";
            }
            return nullptr;
        }
        return &m_buckets.emplace(key, Bucket{double(m_rule.burst), nowMs}).first->second;
    }

    /// Drops the buckets that are full again: a new bucket starts full, so
    /// dropping them changes no decision.
    void prune(std::int64_t nowMs)
    {
        for (auto it = m_buckets.begin(); it != m_buckets.end();) {
            refill(it->second, nowMs);
            it = it->second.tokens >= m_rule.burst ? m_buckets.erase(it) : std::next(it);
        }
    }

    struct KeyHash
    {
        std::size_t operator()(const QString& key) const { return qHash(key); }
    };

    const RateLimitRule m_rule;
    const QString m_name;
    QMutex m_mutex;
    std::unordered_map<QString, Bucket, KeyHash> m_buckets;
    std::uint64_t m_overflowCount = 0;
};

/// The pairs of username and client address that logged in successfully,
/// each remembered for knownLoginMs after its last success.
class KnownLogins
{
public:
    bool contains(const QString& key, std::int64_t nowMs)
    {
        QMutexLocker locker(&m_mutex);
        const auto found = m_lastSuccessMs.find(key);
        return found != m_lastSuccessMs.end() && nowMs - found->second < knownLoginMs;
    }

    void remember(const QString& key, std::int64_t nowMs)
    {
        QMutexLocker locker(&m_mutex);
        if (m_lastSuccessMs.size() >= maxKeys && !m_lastSuccessMs.contains(key)) {
            std::erase_if(m_lastSuccessMs,
                          [nowMs](const auto& entry) { return nowMs - entry.second >= knownLoginMs; });
        }
        // NOTE: when full of recent pairs, a new pair is not remembered, so
        // its address shares the username's limit like any other.
        if (m_lastSuccessMs.size() < maxKeys || m_lastSuccessMs.contains(key))
            m_lastSuccessMs[key] = nowMs;
    }

private:
    struct KeyHash
    {
        std::size_t operator()(const QString& key) const { return qHash(key); }
    };

    QMutex m_mutex;
    std::unordered_map<QString, std::int64_t, KeyHash> m_lastSuccessMs;
};

RateLimited rateLimited(std::int64_t waitMs, const QString& what)
{
    const int seconds = static_cast<int>(std::max<std::int64_t>(1, (waitMs + 999) / 1000));
    return RateLimited{seconds, QStringLiteral("Too many %1. Try again in %2 second%3.")
                                    .arg(what)
                                    .arg(seconds)
                                    .arg(seconds == 1 ? QString() : QStringLiteral("s"))};
}

QString usernameKey(const QString& username)
{
    return username.left(maxUsernameKeyLength).toLower();
}

QString loginKey(const QString& username, const QString& address)
{
    return usernameKey(username) + QLatin1Char('\n') + RateLimiter::addressKey(address);
}

core::Result<RateLimitRule> parseRule(const QString& name, const QString& text)
{
    const auto invalid = [&] {
        return settingsError(
            QStringLiteral("Invalid --rate-limits rule %1=%2: use COUNT/SECONDS or "
                           "COUNT/SECONDS:BURST with whole numbers from 1 to %3 (seconds at "
                           "most %4), such as orders=10/1:20.")
                .arg(name, text)
                .arg(maxRuleCount)
                .arg(maxRulePeriodSeconds));
    };

    const QStringList countAndRest = text.split(QLatin1Char('/'));
    if (countAndRest.size() != 2) {
        return invalid();
    }
    const QStringList periodAndBurst = countAndRest.at(1).split(QLatin1Char(':'));
    if (periodAndBurst.size() > 2) {
        return invalid();
    }

    bool countOk = false;
    bool periodOk = false;
    bool burstOk = true;
    RateLimitRule rule;
    rule.count = countAndRest.at(0).trimmed().toInt(&countOk);
    rule.periodSeconds = periodAndBurst.at(0).trimmed().toInt(&periodOk);
    rule.burst = periodAndBurst.size() == 2 ? periodAndBurst.at(1).trimmed().toInt(&burstOk)
                                            : rule.count;
    if (!countOk || !periodOk || !burstOk || rule.count < 1 || rule.count > maxRuleCount ||
        rule.periodSeconds < 1 || rule.periodSeconds > maxRulePeriodSeconds || rule.burst < 1 ||
        rule.burst > maxRuleCount) {
        return invalid();
    }
    return rule;
}

RateLimitRule* ruleNamed(RateLimitSettings& settings, const QString& name)
{
    if (name == u"login-username") {
        return &settings.loginFailuresPerUsername;
    }
    if (name == u"login-address") {
        return &settings.loginsPerAddress;
    }
    if (name == u"signup-address") {
        return &settings.signupsPerAddress;
    }
    if (name == u"orders") {
        return &settings.ordersPerAccount;
    }
    if (name == u"praise") {
        return &settings.praisePerAccount;
    }
    return nullptr;
}

std::int64_t steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

core::Result<RateLimitSettings> parseRateLimitSettings(const QString& text)
{
    const QString trimmed = text.trimmed();
    RateLimitSettings settings;
    if (trimmed.compare(QLatin1String("on"), Qt::CaseInsensitive) == 0) {
        return settings;
    }
    if (trimmed.compare(QLatin1String("off"), Qt::CaseInsensitive) == 0) {
        settings.enabled = false;
        return settings;
    }

    QHash<QString, QString> itemsByName;  // to name both items of a rule given twice
    for (const QString& item : trimmed.split(QLatin1Char(','))) {
        const qsizetype equals = item.indexOf(QLatin1Char('='));
        const QString name = item.left(equals).trimmed();
        RateLimitRule* rule = equals > 0 ? ruleNamed(settings, name) : nullptr;
        if (rule == nullptr) {
            return settingsError(
                QStringLiteral("Invalid --rate-limits item \"%1\": use on, off or a list of "
                               "NAME=COUNT/SECONDS[:BURST] where NAME is login-username, "
                               "login-address, signup-address, orders or praise.")
                    .arg(item));
        }
        if (itemsByName.contains(name)) {
            return settingsError(
                QStringLiteral("Invalid --rate-limits value: the rule %1 is given twice (\"%2\" "
                               "and \"%3\"); give each rule once.")
                    .arg(name, itemsByName.value(name), item.trimmed()));
        }
        itemsByName.insert(name, item.trimmed());
        const core::Result<RateLimitRule> parsed = parseRule(name, item.mid(equals + 1).trimmed());
        if (!parsed) {
            return parsed.error();
        }
        *rule = *parsed;
    }
    return settings;
}

struct RateLimiter::Private
{
    explicit Private(const RateLimitSettings& settings)
        : loginFailures(settings.loginFailuresPerUsername, QStringLiteral("login-username")),
          knownAddressFailures(settings.loginFailuresPerUsername,
                               QStringLiteral("login-username (known address)")),
          logins(settings.loginsPerAddress, QStringLiteral("login-address")),
          signups(settings.signupsPerAddress, QStringLiteral("signup-address")),
          orders(settings.ordersPerAccount, QStringLiteral("orders")),
          praise(settings.praisePerAccount, QStringLiteral("praise"))
    {
    }

    BucketSet loginFailures;
    // Failures from an address that logged in to the username before, kept
    // apart so that guesses from elsewhere cannot lock its owner out.
    BucketSet knownAddressFailures;
    KnownLogins knownLogins;
    BucketSet logins;
    BucketSet signups;
    BucketSet orders;
    BucketSet praise;
    Clock clock;
};

RateLimiter::RateLimiter(RateLimitSettings settings, Clock clock)
    : d(std::make_unique<Private>(settings))
{
    d->clock = clock ? std::move(clock) : Clock(steadyMs);
}

RateLimiter::~RateLimiter() = default;

std::optional<RateLimited> RateLimiter::admitLogIn(const QString& username, const QString& address)
{
    const std::int64_t now = d->clock();
    if (const auto wait = d->logins.take(addressKey(address), now)) {
        return rateLimited(*wait, QStringLiteral("log-in attempts from this address"));
    }
    const QString pair = loginKey(username, address);
    if (d->knownLogins.contains(pair, now)) {
        if (const auto wait = d->knownAddressFailures.take(pair, now)) {
            return rateLimited(*wait,
                               QStringLiteral("failed log-ins for this username from this address"));
        }
        return std::nullopt;
    }
    if (const auto wait = d->loginFailures.take(usernameKey(username), now)) {
        return rateLimited(*wait, QStringLiteral("failed log-ins for this username"));
    }
    return std::nullopt;
}

void RateLimiter::refundLogIn(const QString& username, const QString& address)
{
    const std::int64_t now = d->clock();
    const QString pair = loginKey(username, address);
    if (d->knownLogins.contains(pair, now))
        d->knownAddressFailures.refund(pair, now);
    else
        d->loginFailures.refund(usernameKey(username), now);
}

void RateLimiter::rememberLogIn(const QString& username, const QString& address)
{
    d->knownLogins.remember(loginKey(username, address), d->clock());
}

std::optional<RateLimited> RateLimiter::admitSignUp(const QString& address)
{
    if (const auto wait = d->signups.take(addressKey(address), d->clock())) {
        return rateLimited(*wait, QStringLiteral("sign-up attempts from this address"));
    }
    return std::nullopt;
}

void RateLimiter::refundSignUp(const QString& address)
{
    d->signups.refund(addressKey(address), d->clock());
}

std::optional<RateLimited> RateLimiter::admitOrder(std::int64_t accountId)
{
    if (const auto wait = d->orders.take(QString::number(accountId), d->clock())) {
        return rateLimited(*wait, QStringLiteral("orders for this account"));
    }
    return std::nullopt;
}

std::optional<RateLimited> RateLimiter::admitPraise(std::int64_t accountId)
{
    if (const auto wait = d->praise.take(QString::number(accountId), d->clock())) {
        return rateLimited(*wait, QStringLiteral("praises for this account"));
    }
    return std::nullopt;
}

QString RateLimiter::addressKey(const QString& address)
{
    QHostAddress host(address);
    if (host.isNull()) {
        return address.left(64);
    }

    bool isMappedIpv4 = false;
    const quint32 ipv4 = host.toIPv4Address(&isMappedIpv4);
    if (isMappedIpv4) {
        return QHostAddress(ipv4).toString();
    }
    if (host.protocol() != QAbstractSocket::IPv6Protocol) {
        return host.toString();
    }

    Q_IPV6ADDR bytes = host.toIPv6Address();
    std::fill(bytes.c + 8, bytes.c + 16, quint8(0));
    return QHostAddress(bytes).toString() + QStringLiteral("/64");
}

}  // namespace valiant::server
