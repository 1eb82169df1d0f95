#include "redisbus.h"

#include "core/apicodec.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QLoggingCategory>
#include <QMutex>
#include <QMutexLocker>
#include <QRandomGenerator>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace valiant::server {

namespace {

Q_LOGGING_CATEGORY(lcBus, "valiant.bus")

using Clock = std::chrono::steady_clock;

constexpr int connectTimeoutMs = 1000;
constexpr int commandTimeoutMs = 1000;
// XREAD blocks at most this long, so stop() returns within about this time.
constexpr int blockMs = 500;
constexpr int readBatch = 500;
constexpr int minBackoffMs = 100;
constexpr int maxBackoffMs = 2000;
constexpr std::size_t maxQueuedPortfolios = 10000;
// Quotes waiting for a stalled Redis. Followers read older ones from the
// store when an id skips ahead, so only the newest few are worth keeping.
constexpr std::size_t maxQueuedQuotes = 64;

/// Builds the fields of a wallet-stream entry that makes every other replica
/// send its stream clients their wallets again.
QList<QByteArray> walletsStaleMarker()
{
    return {QByteArrayLiteral("wallets_stale"), QByteArrayLiteral("1")};
}

struct ReplyDeleter
{
    void operator()(redisReply* reply) const
    {
        if (reply) {
            freeReplyObject(reply);
        }
    }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter
{
    void operator()(redisContext* context) const
    {
        if (context) {
            redisFree(context);
        }
    }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

timeval toTimeval(int ms)
{
    return timeval{ms / 1000, (ms % 1000) * 1000};
}

/// Runs one command with binary-safe arguments; null when the connection failed.
Reply command(redisContext* context, const QList<QByteArray>& arguments)
{
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    argv.reserve(std::size_t(arguments.size()));
    lengths.reserve(std::size_t(arguments.size()));
    for (const QByteArray& argument : arguments) {
        argv.push_back(argument.constData());
        lengths.push_back(std::size_t(argument.size()));
    }
    return Reply(static_cast<redisReply*>(
        redisCommandArgv(context, int(argv.size()), argv.data(), lengths.data())));
}

/// The reason a command failed: the connection's error or Redis's error reply.
QString commandError(redisContext* context, const redisReply* reply)
{
    if (!reply) {
        return QString::fromUtf8(context->errstr);
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        return QString::fromUtf8(reply->str, int(reply->len));
    }
    return QStringLiteral("unexpected reply type %1").arg(reply->type);
}

QByteArray replyString(const redisReply* reply)
{
    if (!reply || (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_STATUS)) {
        return {};
    }
    return QByteArray(reply->str, qsizetype(reply->len));
}

QString describe(const RedisEndpoint& endpoint)
{
    return QStringLiteral("%1:%2/%3").arg(endpoint.host).arg(endpoint.port).arg(endpoint.database);
}

/// Connects, authenticates and selects the database. Returns null with
/// `error` set on failure.
Context connectTo(const RedisEndpoint& endpoint, int socketTimeoutMs, QString& error)
{
    const QByteArray host = endpoint.host.toUtf8();
    Context context(
        redisConnectWithTimeout(host.constData(), endpoint.port, toTimeval(connectTimeoutMs)));
    if (!context) {
        error = QStringLiteral("out of memory for the Redis connection");
        return {};
    }
    if (context->err) {
        error = QString::fromUtf8(context->errstr);
        return {};
    }
    redisSetTimeout(context.get(), toTimeval(socketTimeoutMs));
    redisEnableKeepAlive(context.get());

    if (!endpoint.password.isEmpty()) {
        QList<QByteArray> arguments{QByteArrayLiteral("AUTH")};
        if (!endpoint.username.isEmpty()) {
            arguments.append(endpoint.username.toUtf8());
        }
        arguments.append(endpoint.password.toUtf8());
        const Reply reply = command(context.get(), arguments);
        if (!reply || reply->type == REDIS_REPLY_ERROR) {
            error = QStringLiteral("AUTH failed: %1").arg(commandError(context.get(), reply.get()));
            return {};
        }
    }

    // CLIENT LIST then shows which process owns each connection. A Redis
    // that rejects the command still serves the bus.
    const QByteArray name =
        "valiant-server-" + QByteArray::number(QCoreApplication::applicationPid());
    const Reply named = command(
        context.get(), {QByteArrayLiteral("CLIENT"), QByteArrayLiteral("SETNAME"), name});
    if (!named) {
        error = QStringLiteral("CLIENT SETNAME failed: %1")
                    .arg(commandError(context.get(), named.get()));
        return {};
    }

    if (endpoint.database != 0) {
        const Reply reply = command(
            context.get(), {QByteArrayLiteral("SELECT"), QByteArray::number(endpoint.database)});
        if (!reply || reply->type == REDIS_REPLY_ERROR) {
            error = QStringLiteral("SELECT %1 failed: %2")
                        .arg(endpoint.database)
                        .arg(commandError(context.get(), reply.get()));
            return {};
        }
    }
    return context;
}

/// The field-value pairs of one stream entry.
QHash<QByteArray, QByteArray> entryFields(const redisReply* fields)
{
    QHash<QByteArray, QByteArray> result;
    if (!fields || fields->type != REDIS_REPLY_ARRAY) {
        return result;
    }
    for (std::size_t i = 0; i + 1 < fields->elements; i += 2) {
        result.insert(replyString(fields->element[i]), replyString(fields->element[i + 1]));
    }
    return result;
}

std::optional<std::int64_t> toInteger(const QByteArray& text)
{
    bool ok = false;
    const qlonglong value = text.toLongLong(&ok);
    return ok ? std::optional<std::int64_t>(value) : std::nullopt;
}

}  // namespace

struct RedisBus::Private
{
    struct Subscriber
    {
        QuoteHandler onQuote;
        PortfolioHandler onPortfolio;
    };

    explicit Private(RedisEndpoint endpoint) : endpoint(std::move(endpoint)) {}

    RedisEndpoint endpoint;
    // Tags this process's entries, which it delivered to itself already.
    const QByteArray origin = QByteArray::number(QRandomGenerator::system()->generate64(), 16);

    mutable QMutex handlersMutex;
    QList<Subscriber> subscribers;
    QList<std::function<void()>> walletsStaleHandlers;

    // Quotes and wallet changes are published from portfolioThread, so a
    // stalled Redis holds up neither the generator nor orders.
    std::mutex publishMutex;
    Context publisher;
    Clock::time_point nextPublishAttempt{};
    int publishBackoffMs = minBackoffMs;
    std::atomic<bool> publishFailing = false;

    std::mutex portfolioMutex;
    std::condition_variable portfolioReady;
    std::deque<QList<QByteArray>> portfolioQueue;
    std::deque<QList<QByteArray>> quoteQueue;
    bool staleMarkerDue = false;  // the queue dropped a change
    bool portfolioStopping = false;
    std::thread portfolioThread;

    std::atomic<bool> subscriberConnected = false;
    // Entry ids the subscriber has read up to; touched only by its thread.
    QByteArray quoteCursor;
    QByteArray portfolioCursor;

    std::thread thread;
    std::mutex stopMutex;
    std::condition_variable stopCondition;
    bool stopping = false;

    QList<Subscriber> snapshot() const
    {
        QMutexLocker locker(&handlersMutex);
        return subscribers;
    }

    void deliverQuote(const core::Quote& quote) const;
    void deliverPortfolio(std::int64_t accountId, const core::Portfolio& portfolio) const;
    // Set before the subscriber starts, read only by the subscriber thread.
    std::function<bool(std::int64_t accountId)> portfolioFilter;
    void reportWalletsStale() const;

    /// Publishing: XADD on the publisher connection; a failure starts the
    /// backoff. Called with publishMutex held, which appendPipelined() and
    /// probePublisher() take.
    bool connectPublisher();
    QList<QByteArray> xadd(const char* stream, const QList<QByteArray>& fields) const;
    /// Records the outcome of a publish. The first success after a failure
    /// queues the wallets_stale marker, unless `markerSent` is true
    /// because the successful write was that marker.
    bool published(const char* stream, const redisReply* reply, bool markerSent = false);
    void appendPipelined(const char* stream, const std::deque<QList<QByteArray>>& batch);

    /// Wallet changes go out from their own thread in pipelined batches, so
    /// an order does not wait for Redis or for other orders' XADDs.
    void queuePortfolio(QList<QByteArray> fields);
    /// Queues a quote for the publisher thread, after the quotes before it.
    void queueQuote(QList<QByteArray> fields);
    void runPortfolioPublisher();
    /// Writes the wallets_stale marker on the publisher connection, so that
    /// a publisher whose last publish failed finds out when Redis takes
    /// writes again, and the other replicas learn of the lost changes.
    void probePublisher();
    void stopPortfolioPublisher();

    bool isStopping();
    void waitForStop(int ms);
    void run();
    bool initializeCursors(redisContext* context, QString& error);
    QByteArray lastEntryId(redisContext* context, const char* stream, QString& error);
    void readUntilError(redisContext* context);
    void handleEntry(const QByteArray& stream, const redisReply* entry);
};

void RedisBus::Private::deliverQuote(const core::Quote& quote) const
{
    for (const Subscriber& subscriber : snapshot()) {
        if (subscriber.onQuote) {
            subscriber.onQuote(quote);
        }
    }
}

void RedisBus::Private::deliverPortfolio(std::int64_t accountId,
                                         const core::Portfolio& portfolio) const
{
    for (const Subscriber& subscriber : snapshot()) {
        if (subscriber.onPortfolio) {
            subscriber.onPortfolio(accountId, portfolio);
        }
    }
}

void RedisBus::Private::reportWalletsStale() const
{
    QList<std::function<void()>> handlers;
    {
        QMutexLocker locker(&handlersMutex);
        handlers = walletsStaleHandlers;
    }
    for (const std::function<void()>& handler : handlers)
        handler();
}

bool RedisBus::Private::connectPublisher()
{
    if (publisher)
        return true;
    // While Redis is away, a publish fails at once instead of paying a
    // connection attempt on every call.
    if (Clock::now() < nextPublishAttempt)
        return false;
    QString error;
    publisher = connectTo(endpoint, commandTimeoutMs, error);
    if (publisher)
        return true;
    if (!publishFailing.exchange(true)) {
        qCWarning(lcBus).noquote() << QStringLiteral(
                                          "Publishing to Redis at %1 failed: %2. Other replicas "
                                          "catch up from the database; retrying with backoff.")
                                          .arg(describe(endpoint), error);
    }
    nextPublishAttempt = Clock::now() + std::chrono::milliseconds(publishBackoffMs);
    publishBackoffMs = std::min(publishBackoffMs * 2, maxBackoffMs);
    return false;
}

QList<QByteArray> RedisBus::Private::xadd(const char* stream, const QList<QByteArray>& fields) const
{
    QList<QByteArray> arguments{QByteArrayLiteral("XADD"),           QByteArray(stream),
                                QByteArrayLiteral("MAXLEN"),         QByteArrayLiteral("~"),
                                QByteArray::number(streamMaxLength), QByteArrayLiteral("*"),
                                QByteArrayLiteral("origin"),         origin};
    arguments.append(fields);
    return arguments;
}

bool RedisBus::Private::published(const char* stream, const redisReply* reply, bool markerSent)
{
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
        if (!publishFailing.exchange(true)) {
            qCWarning(lcBus).noquote()
                << QStringLiteral(
                       "XADD %1 on Redis at %2 failed: %3. Other replicas catch up "
                       "from the database; retrying with backoff.")
                       .arg(QLatin1String(stream), describe(endpoint),
                            commandError(publisher.get(), reply));
        }
        publisher.reset();
        nextPublishAttempt = Clock::now() + std::chrono::milliseconds(publishBackoffMs);
        publishBackoffMs = std::min(publishBackoffMs * 2, maxBackoffMs);
        return false;
    }
    publishBackoffMs = minBackoffMs;
    if (publishFailing.exchange(false)) {
        qCInfo(lcBus).noquote()
            << QStringLiteral("Publishing to Redis at %1 works again").arg(describe(endpoint));
        // Wallet changes published during the failure are lost, so this
        // marker makes the other replicas send their clients' wallets again.
        if (!markerSent)
            queuePortfolio(walletsStaleMarker());
    }
    return true;
}

void RedisBus::Private::appendPipelined(const char* stream,
                                        const std::deque<QList<QByteArray>>& batch)
{
    std::lock_guard lock(publishMutex);
    if (!connectPublisher())
        return;
    // One write and one read for the whole batch instead of a round trip each.
    for (const QList<QByteArray>& fields : batch) {
        const QList<QByteArray> arguments = xadd(stream, fields);
        std::vector<const char*> argv;
        std::vector<size_t> lengths;
        for (const QByteArray& argument : arguments) {
            argv.push_back(argument.constData());
            lengths.push_back(std::size_t(argument.size()));
        }
        if (redisAppendCommandArgv(publisher.get(), int(argv.size()), argv.data(),
                                   lengths.data()) != REDIS_OK) {
            published(stream, nullptr);
            return;
        }
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
        void* raw = nullptr;
        const int status = redisGetReply(publisher.get(), &raw);
        const Reply reply(static_cast<redisReply*>(raw));
        // A lost connection (status not REDIS_OK) also goes through
        // published(), which logs it, drops the broken context and marks
        // the changes lost, so that they are made good once Redis is back.
        if (!published(stream, status == REDIS_OK ? reply.get() : nullptr))
            return;
    }
}

void RedisBus::Private::probePublisher()
{
    std::lock_guard lock(publishMutex);
    if (!connectPublisher())
        return;
    // The probe is the marker itself, a write: a Redis that replies to PING but
    // rejects writes (a replica after a failover) still counts as failing.
    const Reply reply = command(publisher.get(), xadd(portfolioStream, walletsStaleMarker()));
    published(portfolioStream, reply.get(), true);
}

void RedisBus::Private::runPortfolioPublisher()
{
    std::unique_lock lock(portfolioMutex);
    for (;;) {
        const auto due = [this] {
            return portfolioStopping || !portfolioQueue.empty() || !quoteQueue.empty();
        };
        // Changes lost in a failed publish are made good by the
        // wallets_stale marker, which published() queues once a publish
        // works again. Without more changes to send, probePublisher() tries
        // the connection once a retry interval has passed.
        bool retryDue = false;
        if (publishFailing)
            retryDue = !portfolioReady.wait_for(lock, std::chrono::milliseconds(maxBackoffMs), due);
        else
            portfolioReady.wait(lock, due);
        const bool queued = !portfolioQueue.empty() || !quoteQueue.empty();
        if (!queued && !retryDue)
            return;  // stopping, and everything queued went out
        if (!queued) {
            lock.unlock();
            probePublisher();
            lock.lock();
            continue;
        }
        std::deque<QList<QByteArray>> quotes;
        quotes.swap(quoteQueue);
        std::deque<QList<QByteArray>> batch;
        batch.swap(portfolioQueue);
        if (staleMarkerDue) {
            batch.push_back(walletsStaleMarker());
            staleMarkerDue = false;
        }
        lock.unlock();
        if (!quotes.empty())
            appendPipelined(quoteStream, quotes);
        if (!batch.empty())
            appendPipelined(portfolioStream, batch);
        lock.lock();
    }
}

void RedisBus::Private::queueQuote(QList<QByteArray> fields)
{
    std::lock_guard lock(portfolioMutex);
    if (!portfolioThread.joinable()) {
        portfolioStopping = false;
        portfolioThread = std::thread([this] { runPortfolioPublisher(); });
    }
    if (quoteQueue.size() >= maxQueuedQuotes)
        quoteQueue.pop_front();
    quoteQueue.push_back(std::move(fields));
    portfolioReady.notify_one();
}

void RedisBus::Private::queuePortfolio(QList<QByteArray> fields)
{
    std::lock_guard lock(portfolioMutex);
    if (!portfolioThread.joinable()) {
        portfolioStopping = false;
        portfolioThread = std::thread([this] { runPortfolioPublisher(); });
    }
    // A Redis that stalls must not grow the queue without bound. Changes
    // dropped here are lost like those of an outage, so the next publish
    // that works sends the wallets_stale marker.
    if (portfolioQueue.size() >= maxQueuedPortfolios) {
        portfolioQueue.pop_front();
        staleMarkerDue = true;
    }
    portfolioQueue.push_back(std::move(fields));
    portfolioReady.notify_one();
}

void RedisBus::Private::stopPortfolioPublisher()
{
    {
        std::lock_guard lock(portfolioMutex);
        if (!portfolioThread.joinable())
            return;
        portfolioStopping = true;
    }
    portfolioReady.notify_one();
    portfolioThread.join();
}

bool RedisBus::Private::isStopping()
{
    std::lock_guard lock(stopMutex);
    return stopping;
}

void RedisBus::Private::waitForStop(int ms)
{
    std::unique_lock lock(stopMutex);
    stopCondition.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping; });
}

void RedisBus::Private::run()
{
    int backoffMs = minBackoffMs;
    bool reportedDown = false;
    bool everConnected = false;

    while (!isStopping()) {
        QString error;
        // The socket timeout must outlast a blocked XREAD.
        Context context = connectTo(endpoint, blockMs + commandTimeoutMs, error);
        if (context && !initializeCursors(context.get(), error)) {
            context.reset();
        }
        if (!context) {
            subscriberConnected = false;
            if (!reportedDown) {
                qCWarning(lcBus).noquote()
                    << QStringLiteral(
                           "Redis at %1 is unreachable: %2. Serving quotes from the "
                           "database; reconnecting with backoff up to %3 ms.")
                           .arg(describe(endpoint), error)
                           .arg(maxBackoffMs);
                reportedDown = true;
            }
            waitForStop(backoffMs);
            backoffMs = std::min(backoffMs * 2, maxBackoffMs);
            continue;
        }

        const bool reconnected = everConnected;
        qCInfo(lcBus).noquote() << QStringLiteral("%1 Redis at %2, reading quotes after entry %3")
                                       .arg(everConnected ? QStringLiteral("Reconnected to")
                                                          : QStringLiteral("Connected to"),
                                            describe(endpoint), QString::fromLatin1(quoteCursor));
        everConnected = true;
        reportedDown = false;
        backoffMs = minBackoffMs;

        // Redis is back, so the next publish may try at once.
        {
            std::lock_guard lock(publishMutex);
            nextPublishAttempt = {};
            publishBackoffMs = minBackoffMs;
        }
        // publishFailing stays as it is: only a publish that works clears
        // it, and that sends the wallets_stale marker for the changes that
        // failed to go out.
        subscriberConnected = true;
        // Redis may have dropped entries while this replica could not read
        // them (a restart without persistence), so clients get their wallets again.
        if (reconnected)
            reportWalletsStale();

        readUntilError(context.get());
        subscriberConnected = false;
    }
}

QByteArray RedisBus::Private::lastEntryId(redisContext* context, const char* stream, QString& error)
{
    const Reply reply = command(
        context, {QByteArrayLiteral("XREVRANGE"), QByteArray(stream), QByteArrayLiteral("+"),
                  QByteArrayLiteral("-"), QByteArrayLiteral("COUNT"), QByteArrayLiteral("1")});
    if (!reply || reply->type != REDIS_REPLY_ARRAY) {
        error = QStringLiteral("XREVRANGE %1 failed: %2")
                    .arg(QLatin1String(stream), commandError(context, reply.get()));
        return {};
    }
    if (reply->elements == 0) {
        return QByteArrayLiteral("0-0");
    }
    const redisReply* entry = reply->element[0];
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 1) {
        error =
            QStringLiteral("XREVRANGE %1 returned a malformed entry").arg(QLatin1String(stream));
        return {};
    }
    return replyString(entry->element[0]);
}

bool RedisBus::Private::initializeCursors(redisContext* context, QString& error)
{
    // The first connection starts after the newest entries: older quotes
    // are in the database. Later connections resume from the cursors.
    if (quoteCursor.isEmpty()) {
        const QByteArray last = lastEntryId(context, quoteStream, error);
        if (last.isEmpty()) {
            return false;
        }
        quoteCursor = last;
    }
    if (portfolioCursor.isEmpty()) {
        const QByteArray last = lastEntryId(context, portfolioStream, error);
        if (last.isEmpty()) {
            return false;
        }
        portfolioCursor = last;
    }
    return true;
}

void RedisBus::Private::readUntilError(redisContext* context)
{
    while (!isStopping()) {
        const Reply reply = command(
            context,
            {QByteArrayLiteral("XREAD"), QByteArrayLiteral("COUNT"), QByteArray::number(readBatch),
             QByteArrayLiteral("BLOCK"), QByteArray::number(blockMs), QByteArrayLiteral("STREAMS"),
             QByteArray(quoteStream), QByteArray(portfolioStream), quoteCursor, portfolioCursor});
        if (!reply || reply->type == REDIS_REPLY_ERROR) {
            qCWarning(lcBus).noquote()
                << QStringLiteral(
                       "Reading from Redis at %1 failed: %2. Serving quotes from the "
                       "database until it reconnects.")
                       .arg(describe(endpoint), commandError(context, reply.get()));
            return;
        }
        if (reply->type == REDIS_REPLY_NIL) {
            continue;  // BLOCK timed out without new entries
        }
        if (reply->type != REDIS_REPLY_ARRAY) {
            qCWarning(lcBus) << "XREAD returned reply type" << reply->type << "; reconnecting";
            return;
        }

        for (std::size_t s = 0; s < reply->elements; ++s) {
            const redisReply* streamReply = reply->element[s];
            if (streamReply->type != REDIS_REPLY_ARRAY || streamReply->elements != 2) {
                continue;
            }
            const QByteArray stream = replyString(streamReply->element[0]);
            const redisReply* entries = streamReply->element[1];
            for (std::size_t e = 0; entries->type == REDIS_REPLY_ARRAY && e < entries->elements;
                 ++e) {
                handleEntry(stream, entries->element[e]);
            }
        }
    }
}

void RedisBus::Private::handleEntry(const QByteArray& stream, const redisReply* entry)
{
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2) {
        return;
    }
    const QByteArray entryId = replyString(entry->element[0]);
    const bool isQuote = stream == quoteStream;
    (isQuote ? quoteCursor : portfolioCursor) = entryId;

    const QHash<QByteArray, QByteArray> fields = entryFields(entry->element[1]);
    if (fields.value(QByteArrayLiteral("origin")) == origin) {
        return;  // published by this process, which delivered it already
    }

    if (isQuote) {
        const auto id = toInteger(fields.value(QByteArrayLiteral("id")));
        const auto cents = toInteger(fields.value(QByteArrayLiteral("price_cents")));
        const auto created = toInteger(fields.value(QByteArrayLiteral("created_ms")));
        if (!id || !cents || !created) {
            qCWarning(lcBus).noquote()
                << "Skipped malformed quote entry" << entryId << "in" << stream;
            return;
        }
        deliverQuote(core::Quote{*id, core::Money::fromCents(*cents), *created});
        return;
    }

    if (fields.contains(QByteArrayLiteral("wallets_stale"))) {
        qCInfo(lcBus).noquote() << "Another replica lost wallet changes on their way to Redis, so "
                                   "every stream client gets its wallet again";
        reportWalletsStale();
        return;
    }

    const auto accountId = toInteger(fields.value(QByteArrayLiteral("account")));
    if (accountId && portfolioFilter && !portfolioFilter(*accountId))
        return;
    const QJsonDocument body = QJsonDocument::fromJson(fields.value(QByteArrayLiteral("body")));
    core::Result<core::Portfolio> portfolio =
        core::api::decodePortfolio(body.isObject() ? body.object() : QJsonObject());
    if (!accountId || !portfolio.ok()) {
        qCWarning(lcBus).noquote()
            << "Skipped malformed portfolio entry" << entryId << "in" << stream;
        return;
    }
    // Entries from a replica that predates wallet versions have none: 0,
    // which stream sessions always accept.
    portfolio->holdings.version = toInteger(fields.value(QByteArrayLiteral("version"))).value_or(0);
    deliverPortfolio(*accountId, *portfolio);
}

RedisBus::RedisBus(RedisEndpoint endpoint) : d(std::make_unique<Private>(std::move(endpoint))) {}

RedisBus::~RedisBus()
{
    stop();
}

QString RedisBus::state() const
{
    const bool healthy = d->subscriberConnected && !d->publishFailing;
    return healthy ? QStringLiteral("redis") : QStringLiteral("degraded");
}

void RedisBus::publishQuote(const core::Quote& quote)
{
    d->deliverQuote(quote);
    d->queueQuote({QByteArrayLiteral("id"), QByteArray::number(qint64(quote.id)),
                   QByteArrayLiteral("price_cents"), QByteArray::number(qint64(quote.price.cents())),
                   QByteArrayLiteral("created_ms"), QByteArray::number(qint64(quote.createdMs))});
}

void RedisBus::publishPortfolio(std::int64_t accountId, const core::Portfolio& portfolio)
{
    d->deliverPortfolio(accountId, portfolio);
    // A change lost in an outage is made good by the wallets_stale marker,
    // after which every replica sends its stream clients their wallets again.
    d->queuePortfolio({QByteArrayLiteral("account"), QByteArray::number(qint64(accountId)),
                       QByteArrayLiteral("version"),
                       QByteArray::number(qint64(portfolio.holdings.version)),
                       QByteArrayLiteral("body"), core::api::toJson(portfolio)});
}

void RedisBus::deliverPortfolioLocally(std::int64_t accountId, const core::Portfolio& portfolio)
{
    d->deliverPortfolio(accountId, portfolio);
}

void RedisBus::setPortfolioFilter(std::function<bool(std::int64_t accountId)> wanted)
{
    d->portfolioFilter = std::move(wanted);
}

void RedisBus::subscribe(QuoteHandler onQuote, PortfolioHandler onPortfolio)
{
    QMutexLocker locker(&d->handlersMutex);
    d->subscribers.append(Private::Subscriber{std::move(onQuote), std::move(onPortfolio)});
}

void RedisBus::subscribeWalletsStale(std::function<void()> handler)
{
    QMutexLocker locker(&d->handlersMutex);
    d->walletsStaleHandlers.append(std::move(handler));
}

void RedisBus::start()
{
    if (d->thread.joinable()) {
        return;
    }
    {
        std::lock_guard lock(d->stopMutex);
        d->stopping = false;
    }
    d->thread = std::thread([this] { d->run(); });
}

void RedisBus::stop()
{
    // Wallet changes already queued still go out.
    d->stopPortfolioPublisher();
    if (!d->thread.joinable()) {
        return;
    }
    {
        std::lock_guard lock(d->stopMutex);
        d->stopping = true;
    }
    d->stopCondition.notify_all();
    d->thread.join();
    d->subscriberConnected = false;
}

}  // namespace valiant::server
