#include "networkcontext.h"  // first: it includes <utility> before Asio

#include "websocketsession.h"

#include "framesocket.h"

#include "core/apicodec.h"
#include "marketservice.h"
#include "metrics.h"
#include "streamhub.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QLoggingCategory>

#include <algorithm>
#include <array>
#include <deque>
#include <iterator>
#include <vector>

namespace valiant::server {

namespace {

Q_LOGGING_CATEGORY(lcHttp, "valiant.http")

// The accept and close handshakes must finish within this time.
constexpr auto handshakeTimeout = std::chrono::seconds(5);
// With keep-alive pings Beast sends a ping after half of this without
// incoming traffic (20 s) and drops the client after all of it without a pong.
constexpr auto idleTimeout = std::chrono::seconds(40);
constexpr std::size_t maxMessageBytes = 64 * 1024;
// After sending a close frame the server waits this long for the client's
// close frame and TCP close, then closes the socket itself. It is shorter
// than handshakeTimeout because Beast 1.74 asserts (boostorg/beast#2264)
// when its own timeout fires while a read waits behind the close.
constexpr auto closeTimeout = std::chrono::seconds(2);
// An authenticated stream re-checks its token this often, so a log-out or
// expiry on any replica ends it even when no wallet change is pushed.
constexpr auto tokenRecheckInterval = std::chrono::seconds(30);
// A failed watching wallet read is tried again after this, doubling per
// failure up to tokenRecheckInterval. Until it succeeds, changes made on
// other replicas do not reach the session.
constexpr auto watchRetryDelay = std::chrono::milliseconds(500);
// A client sends one auth message, so more invalid messages than this come
// from a broken or hostile client. The stream then closes rather than send
// an error for each one and log it.
constexpr int maxInvalidMessages = 10;
// A client sends at most one message before its hello, the auth message.
// More messages than maxEarlyMessages, or more bytes than maxEarlyBytes,
// come from a broken or hostile client, which is closed as one that sent
// too many invalid messages.
// NOTE: no test reaches these limits, because whether a client's messages
// arrive before its hello depends on how fast the backlog loads.
constexpr std::size_t maxEarlyMessages = maxInvalidMessages + 1;
constexpr std::size_t maxEarlyBytes = maxMessageBytes;

// The most queued messages written with one system call. Their buffer
// list is part of the write operation.
constexpr std::size_t maxMessagesPerWrite = 32;
// The kernel send buffer of a stream connection (SO_SNDBUF, which Linux
// doubles). Left alone, Linux grows it up to net.ipv4.tcp_wmem's maximum,
// 4 MiB by default or about 50,000 quote messages, which a client that
// stops reading would absorb before its send queue reached maxQueuedMessages.
constexpr int sendBufferBytes = 64 * 1024;

struct Outgoing
{
    std::shared_ptr<const QByteArray> message;
    std::int64_t quoteId = 0;  // 0 for messages that are not quotes
    bool portfolio = false;
    bool backlog = false;
    std::int64_t walletVersion = 0;  // of a portfolio message, 0 when unknown
    bool framed = false;  // `message` is a whole frame, header included
    TextFrameHeader header{0};  // set when a message without one is written
};

struct EarlyMessage
{
    QByteArray text;
    bool binary = false;
};

struct InitialState
{
    std::int64_t latestId = 0;
    QList<core::Quote> backlog;
};

std::shared_ptr<const QByteArray> share(QByteArray message)
{
    return std::make_shared<const QByteArray>(std::move(message));
}

/// The token of an "Authorization: Bearer TOKEN" header, or empty.
QString headerToken(const UpgradeRequest& request)
{
    const auto found = request.find(http::field::authorization);
    if (found == request.end()) {
        return {};
    }
    const QByteArray header = QByteArray(found->value().data(),
                                         static_cast<qsizetype>(found->value().size())).trimmed();
    const int space = header.indexOf(' ');
    return space < 0 ? QString() : QString::fromLatin1(header.mid(space + 1).trimmed());
}

/// Loads the latest quote id and the quotes after `afterId` (at most the
/// newest maxBacklogQuotes), page by page in case the service caps a page.
core::Result<InitialState> loadInitialState(MarketService& service,
                                            std::optional<std::int64_t> afterId)
{
    InitialState state;
    const auto latest = service.latestQuote();
    if (latest) {
        state.latestId = latest->id;
    } else if (latest.error().status != 404) {
        return latest.error();
    }

    if (!afterId || *afterId >= state.latestId) {
        return state;
    }
    std::int64_t cursor = std::max(*afterId, state.latestId - WebSocketSession::maxBacklogQuotes);
    while (cursor < state.latestId && state.backlog.size() < WebSocketSession::maxBacklogQuotes) {
        const int wanted = WebSocketSession::maxBacklogQuotes - static_cast<int>(state.backlog.size());
        const auto page = service.quotesAfter(cursor, wanted);
        if (!page) {
            return page.error();
        }
        if (page->isEmpty()) {
            break;
        }
        state.backlog.append(*page);
        cursor = page->last().id;
    }
    return state;
}

}  // namespace

struct WebSocketSession::Private
{
    Private(NetworkContext& context, FrameSocket&& socket, UpgradeRequest&& request,
            std::int64_t accountId, std::optional<std::int64_t> afterId,
            std::optional<core::Error> authError)
        : context(context),
          ws(std::move(socket)),
          upgradeRequest(std::move(request)),
          closeTimer(ws.get_executor()),
          recheckTimer(ws.get_executor()),
          accountId(accountId),
          afterId(afterId),
          authError(std::move(authError))
    {
        if (accountId > 0) {
            token = headerToken(upgradeRequest);
        }
    }

    std::shared_ptr<WebSocketSession> self() { return owner->shared_from_this(); }

    void onAccepted(beast::error_code error);
    void loadInitial();
    void onInitialLoaded(core::Result<InitialState> state);
    void deliverQuote(std::int64_t quoteId, const std::shared_ptr<const QuoteMessage>& message);
    void enqueueLive(Outgoing item);
    void enqueueReady(Outgoing item);
    void writeNext();
    /// Writes `rest`, what the kernel did not take of the first `count`
    /// messages of the outbox, asynchronously.
    template <typename ConstBuffers>
    void writeRestLater(const ConstBuffers& rest, std::size_t count);
    /// Removes the first `count` messages of the outbox, which are sent.
    void popWritten(std::size_t count);
    void onWritten(beast::error_code error);
    void readNext();
    void onRead(beast::error_code error);
    void handleMessage(const QByteArray& text, bool binary = false);
    void sendError(const QString& code, const QString& message);
    void authenticate(const QString& token);
    void rejectAuthentication(const core::Error& error);
    void loadPortfolio();
    void unwatchPortfolio();
    void enqueuePortfolio(Outgoing item);
    void recheckToken();
    void scheduleRecheck(std::chrono::steady_clock::duration delay = tokenRecheckInterval);
    void sendErrorAndClose(const QString& code, const QString& message,
                           websocket::close_code closeCode);
    void goAway();
    void dropQueuedMessages();
    void closeNow();
    void armCloseDeadline();
    void overflow();
    void end();
    /// Ends the lane reservation of a session that never attached to the hub.
    void releaseLane();

    NetworkContext& context;
    WebSocketSession* owner = nullptr;
    websocket::stream<FrameSocket> ws;

    // Read by every quote delivery, so they come first and prefetch()
    // loads them in a few cache lines. Touched only on the session's strand.
    bool ready = false;  // hello and backlog are queued
    bool writing = false;
    bool closing = false;  // no more messages are queued
    bool ended = false;
    std::optional<websocket::close_code> pendingClose;
    std::size_t messagesWriting = 0;  // the first ones in outbox
    std::size_t backlogQueued = 0;
    std::int64_t lastQuoteId = 0;
    std::deque<Outgoing> outbox;

    UpgradeRequest upgradeRequest;
    beast::flat_buffer readBuffer;
    net::steady_timer closeTimer;
    net::steady_timer recheckTimer;
    std::int64_t accountId = 0;
    QString token;  // of the authenticated account, never logged
    std::optional<std::int64_t> afterId;
    std::optional<core::Error> authError;  // from the Authorization header
    std::uint64_t connectionId = 0;
    std::size_t lane = 0;  // of the hub, reserved until attached
    bool laneReserved = true;

    // Everything below is touched only on the session's strand.
    bool accepted = false;
    bool counted = false;  // included in the stream clients gauge
    bool closeStarted = false;
    bool closeDeadlineArmed = false;
    // An auth message handled after this is rejected. A time rather than
    // a timer, because thousands of quote-only sessions would each arm one.
    std::chrono::steady_clock::time_point authDeadline;
    bool authPending = false;
    // Client messages that arrived before hello was queued, in order, up to
    // maxEarlyMessages. Frames sent with the upgrade request are among them.
    std::vector<EarlyMessage> earlyMessages;
    bool earlyOverflow = false;  // more than maxEarlyMessages or maxEarlyBytes arrived
    // Vectors rather than deques: libstdc++'s std::deque allocates a
    // 512-byte block even when empty, which adds up over thousands of
    // sessions.
    std::vector<Outgoing> early;  // live messages that arrived before the backlog was loaded
    std::uint64_t portfolioPushes = 0;
    // The account whose wallet this session is counted as watching in the
    // store (0 for none), and whether a watching read is running.
    std::int64_t watchedAccount = 0;
    bool watchLoading = false;
    int watchFailures = 0;  // in a row
    // The newest wallet version queued for the client. Wallet changes can
    // arrive out of order (two orders of one account finishing on two
    // workers or replicas), so an older or equal one is dropped.
    std::int64_t walletVersion = 0;
    bool recheckPending = false;
    int invalidMessages = 0;
    std::vector<Outgoing> unchecked;  // wallet pushes waiting for the token re-check
};

void WebSocketSession::Private::onAccepted(beast::error_code error)
{
    if (error || ended) {
        if (error) {
            qCDebug(lcHttp) << "Stream upgrade handshake failed:" << error.message().c_str();
        }
        end();
        return;
    }

    accepted = true;
    upgradeRequest = {};  // its headers are no longer needed
    readNext();
    if (authError) {
        rejectAuthentication(*authError);
        return;
    }

    context.hub.attach(self(), accountId, lane);
    laneReserved = false;
    context.metrics.addStreamClients(1);
    counted = true;

    authDeadline = std::chrono::steady_clock::now() + std::chrono::seconds(authTimeoutSeconds);

    // Attached to the hub before the backlog is read, so that a quote made
    // in between arrives live and no quote falls into a gap.
    loadInitial();
}

void WebSocketSession::Private::loadInitial()
{
    runOnWorkers(
        context, ws.get_executor(),
        [&service = context.service, afterId = afterId] { return loadInitialState(service, afterId); },
        [session = self()](core::Result<InitialState> state) {
            session->d->onInitialLoaded(std::move(state));
        });
}

void WebSocketSession::Private::onInitialLoaded(core::Result<InitialState> state)
{
    if (ended || closing) {
        return;
    }
    if (!state) {
        qCWarning(lcHttp) << "Stream session closed: loading its backlog failed:"
                          << state.error().message;
        ready = true;
        sendErrorAndClose(state.error().code, state.error().message, websocket::close_code::internal_error);
        return;
    }

    outbox.push_back(Outgoing{share(core::api::helloMessage(context.service.now(), state->latestId))});

    // Live quotes continue right after the one the hello names, so a quote
    // that reached the hub before the latest id was read is not sent. A
    // client that resumes skips what it has. An after_id beyond the latest
    // quote comes from another database, so it is not trusted.
    lastQuoteId = afterId ? std::min(*afterId, state->latestId) : state->latestId;
    for (const core::Quote& quote : state->backlog) {
        if (quote.id <= lastQuoteId) {
            continue;
        }
        outbox.push_back(Outgoing{share(core::api::quoteMessage(quote)), quote.id, false, true});
        lastQuoteId = quote.id;
        ++backlogQueued;
    }

    ready = true;
    for (Outgoing& item : early) {
        enqueueReady(std::move(item));
    }
    early.clear();
    writeNext();
    if (ended) {
        return;  // sending failed
    }

    if (accountId > 0) {
        loadPortfolio();
        scheduleRecheck();
    }
    const std::vector<EarlyMessage> messages = std::move(earlyMessages);
    earlyMessages.clear();
    for (const EarlyMessage& message : messages) {
        if (ended || closing) {
            return;
        }
        handleMessage(message.text, message.binary);
    }
    if (earlyOverflow && !ended && !closing) {
        qCInfo(lcHttp) << "Stream closed: the client sent more than" << maxEarlyMessages
                       << "messages or" << maxEarlyBytes << "bytes before its hello";
        sendErrorAndClose(QStringLiteral("too_many_invalid_messages"),
                          QStringLiteral("The client sent more than %1 messages or %2 bytes before "
                                         "the hello message. Send only the text "
                                         "{\"type\":\"auth\",\"token\":\"...\"}, then reconnect.")
                              .arg(maxEarlyMessages)
                              .arg(maxEarlyBytes),
                          websocket::close_code::policy_error);
    }
}

/// Sends a live quote. When nothing waits before it, the quote's shared
/// frame goes straight to the kernel and the outbox is left alone. Only
/// what the kernel does not take is queued.
void WebSocketSession::Private::deliverQuote(std::int64_t quoteId,
                                             const std::shared_ptr<const QuoteMessage>& message)
{
    // The frame lives as long as the quote message that contains it.
    auto queued = [&message, quoteId] {
        Outgoing item{std::shared_ptr<const QByteArray>(message, &message->frame()), quoteId};
        item.framed = true;
        return item;
    };
    const FrameSocket& socket = ws.next_layer();
    const bool sendNow = ready && !writing && !closing && !ended && outbox.empty() &&
                         quoteId > lastQuoteId && !socket.busy() && !socket.closeFrameStarted();
    if (!sendNow) {
        enqueueLive(queued());
        return;
    }

    lastQuoteId = quoteId;
    const QByteArray& frame = message->frame();
    const net::const_buffer buffer(frame.constData(), static_cast<std::size_t>(frame.size()));
    beast::error_code error;
    const std::size_t written = ws.next_layer().writeNow(std::array{buffer}, error);
    if (error) {
        qCDebug(lcHttp) << "Stream session ended: sending failed:" << error.message().c_str();
        end();
        return;
    }
    if (written == buffer.size()) {
        return;
    }
    outbox.push_back(queued());
    writeRestLater(buffer + written, 1);
}

void WebSocketSession::Private::enqueueLive(Outgoing item)
{
    if (ended || closing) {
        return;
    }
    if (item.portfolio) {
        ++portfolioPushes;
    }
    if (!ready) {
        early.push_back(std::move(item));
        if (early.size() > maxQueuedMessages) {
            overflow();
        }
        return;
    }
    enqueueReady(std::move(item));
    writeNext();
}

void WebSocketSession::Private::enqueueReady(Outgoing item)
{
    if (closing || ended) {
        return;  // only the error and close frame already queued go out
    }
    if (item.quoteId > 0) {
        if (item.quoteId <= lastQuoteId) {
            return;  // already sent in the backlog
        }
        lastQuoteId = item.quoteId;
    }
    if (outbox.size() - backlogQueued >= maxQueuedMessages) {
        overflow();
        return;
    }
    outbox.push_back(std::move(item));
}

void WebSocketSession::Private::writeNext()
{
    // Each round sends up to maxMessagesPerWrite queued messages in one
    // system call, straight from this handler. Only what the kernel does not
    // take at once goes through an asynchronous write, so a fan-out to an
    // idle client costs one sendmsg and no completion handler.
    while (!writing && !ended) {
        if (outbox.empty()) {
            if (pendingClose) {
                closeNow();
            }
            return;
        }

        // After Beast has sent or received a close frame no data frame may follow.
        if (!ws.is_open()) {
            return;
        }
        FrameSocket& socket = ws.next_layer();
        if (socket.busy()) {
            return;  // a Beast control frame is being written; the idle callback resumes
        }

        InlineBuffers<2 * maxMessagesPerWrite> buffers;
        std::size_t count = 0;
        std::size_t total = 0;
        for (Outgoing& item : outbox) {
            if (count == maxMessagesPerWrite) {
                break;
            }
            const auto size = static_cast<std::size_t>(item.message->size());
            if (!item.framed) {
                item.header = TextFrameHeader(size);
                buffers.push_back(net::buffer(item.header.data(), item.header.size()));
                total += item.header.size();
            }
            buffers.push_back(net::buffer(item.message->constData(), size));
            total += size;
            ++count;
        }

        beast::error_code error;
        const std::size_t written = socket.writeNow(buffers, error);
        if (error) {
            qCDebug(lcHttp) << "Stream session ended: sending failed:" << error.message().c_str();
            end();
            return;
        }
        if (written == total) {
            popWritten(count);
            continue;
        }

        // The kernel took part of the round: the rest, whole frames and
        // the tail of a cut one, goes out asynchronously.
        InlineBuffers<2 * maxMessagesPerWrite> rest;
        std::size_t skip = written;
        for (const net::const_buffer& buffer : buffers) {
            if (skip >= buffer.size()) {
                skip -= buffer.size();
                continue;
            }
            rest.push_back(buffer + skip);
            skip = 0;
        }
        writeRestLater(rest, count);
    }
}

template <typename ConstBuffers>
void WebSocketSession::Private::writeRestLater(const ConstBuffers& rest, std::size_t count)
{
    writing = true;
    messagesWriting = count;
    ws.next_layer().asyncWriteDirect(rest, [session = self()](beast::error_code error, std::size_t) {
        session->d->onWritten(error);
    });
}

void WebSocketSession::Private::popWritten(std::size_t count)
{
    for (; count > 0 && !outbox.empty(); --count) {
        if (outbox.front().backlog) {
            --backlogQueued;
        }
        outbox.pop_front();
    }
}

void WebSocketSession::Private::onWritten(beast::error_code error)
{
    writing = false;
    if (error) {
        qCDebug(lcHttp) << "Stream session ended: sending failed:" << error.message().c_str();
        end();
        return;
    }

    popWritten(messagesWriting);
    messagesWriting = 0;
    writeNext();
}

void WebSocketSession::Private::readNext()
{
    ws.async_read(readBuffer, [session = self()](beast::error_code error, std::size_t) {
        session->d->onRead(error);
    });
}

void WebSocketSession::Private::onRead(beast::error_code error)
{
    if (error) {
        if (error != websocket::error::closed && error != net::error::operation_aborted) {
            qCDebug(lcHttp) << "Stream session ended: reading failed:" << error.message().c_str();
        }
        end();
        return;
    }

    const auto data = readBuffer.data();
    const QByteArray text(static_cast<const char*>(data.data()), static_cast<qsizetype>(data.size()));
    readBuffer.consume(readBuffer.size());
    handleMessage(text, !ws.got_text());
    if (!ended) {
        readNext();
    }
}

void WebSocketSession::Private::handleMessage(const QByteArray& text, bool binary)
{
    if (!ready) {
        // Handled after hello is queued, so hello stays the first message.
        std::size_t bytes = static_cast<std::size_t>(text.size());
        for (const EarlyMessage& early : earlyMessages) {
            bytes += static_cast<std::size_t>(early.text.size());
        }
        if (earlyMessages.size() < maxEarlyMessages && bytes <= maxEarlyBytes) {
            earlyMessages.push_back(EarlyMessage{text, binary});
        } else {
            earlyOverflow = true;
        }
        return;
    }
    if (closing) {
        return;
    }
    const QString expected = QStringLiteral("The only message a client sends is the text "
                                            "{\"type\":\"auth\",\"token\":\"...\"}.");
    if (binary) {
        sendErrorAndClose(QStringLiteral("invalid_message"),
                          QStringLiteral("Binary frames are not supported. ") + expected,
                          websocket::close_code::unknown_data);
        return;
    }

    // The auth message is the only message a client sends, so anything
    // else gets an error and the stream stays open.
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    const QJsonValue type = document.object().value(QStringLiteral("type"));
    if (parseError.error != QJsonParseError::NoError || !document.isObject() || !type.isString()) {
        sendError(QStringLiteral("invalid_message"),
                  QStringLiteral("The message is not a JSON object with a string field type. ") + expected);
        return;
    }
    if (type.toString() != u"auth") {
        sendError(QStringLiteral("invalid_message"),
                  QStringLiteral("Unknown message type \"%1\". ").arg(type.toString().left(40)) + expected);
        return;
    }
    if (accountId > 0 || authPending) {
        return;  // already authenticated or checking a token
    }
    const QJsonObject object = document.object();
    if (std::chrono::steady_clock::now() >= authDeadline) {
        sendErrorAndClose(QStringLiteral("auth_timeout"),
                          QStringLiteral("The auth message must arrive within %1 seconds of "
                                         "connecting; reconnect and send it first.")
                              .arg(authTimeoutSeconds),
                          websocket::close_code::policy_error);
        return;
    }
    const QJsonValue token = object.value(QStringLiteral("token"));
    if (!token.isString() || token.toString().isEmpty()) {
        sendErrorAndClose(QStringLiteral("invalid_token"),
                          QStringLiteral("The auth message needs a non-empty string field token."),
                          websocket::close_code::policy_error);
        return;
    }
    authenticate(token.toString());
}

/// Queues an error message without closing the stream, until the client
/// passes maxInvalidMessages: then the stream closes with 1008.
void WebSocketSession::Private::sendError(const QString& code, const QString& message)
{
    ++invalidMessages;
    if (invalidMessages > maxInvalidMessages) {
        qCInfo(lcHttp) << "Stream closed: the client sent more than" << maxInvalidMessages
                       << "invalid messages";
        sendErrorAndClose(QStringLiteral("too_many_invalid_messages"),
                          QStringLiteral("The client sent more than %1 invalid messages. Send only "
                                         "the text {\"type\":\"auth\",\"token\":\"...\"}, "
                                         "then reconnect.")
                              .arg(maxInvalidMessages),
                          websocket::close_code::policy_error);
        return;
    }
    if (invalidMessages == 1) {
        qCInfo(lcHttp) << "Stream client sent an invalid message:" << code;
    }
    enqueueReady(Outgoing{share(core::api::errorMessage(code, message))});
    writeNext();
}

void WebSocketSession::Private::authenticate(const QString& token)
{
    authPending = true;
    runOnWorkers(
        context, ws.get_executor(),
        [&service = context.service, token] { return service.authenticate(token); },
        [session = self(), token](core::Result<core::Account> account) {
            Private& state = *session->d;
            state.authPending = false;
            if (state.ended || state.closing) {
                return;
            }
            if (!account) {
                state.rejectAuthentication(account.error());
                return;
            }

            // Registered for pushes before the first wallet is read, so a
            // change in between is not lost.
            state.accountId = account->id;
            state.token = token;
            state.context.hub.setAccount(session.get(), account->id);
            state.loadPortfolio();
            state.scheduleRecheck();
        });
}

/// Holds a wallet push until the token is checked again, so a revoked or
/// expired token (on any replica) gets no more private messages.
void WebSocketSession::Private::enqueuePortfolio(Outgoing item)
{
    if (ended || closing) {
        return;
    }
    if (item.walletVersion > 0) {
        if (item.walletVersion <= walletVersion) {
            return;  // the client has this wallet or a newer one
        }
        walletVersion = item.walletVersion;
    }
    unchecked.push_back(std::move(item));
    if (unchecked.size() > maxQueuedMessages) {
        overflow();
        return;
    }
    if (!recheckPending) {
        recheckToken();
    }
}

/// Checks the token with the store on the worker pool. A rejected token
/// ends the stream with invalid_token and close code 1008.
void WebSocketSession::Private::recheckToken()
{
    recheckPending = true;
    const std::size_t covered = unchecked.size();
    runOnWorkers(
        context, ws.get_executor(),
        [&service = context.service, token = token] { return service.authenticate(token); },
        [session = self(), covered](core::Result<core::Account> account) {
            Private& state = *session->d;
            state.recheckPending = false;
            if (state.ended || state.closing) {
                return;
            }
            if (!account && account.error().status == 401) {
                state.unchecked.clear();
                state.rejectAuthentication(account.error());
                return;
            }
            // A store failure does not prove the token revoked, so the pushes go out.
            if (!account) {
                qCWarning(lcHttp) << "Stream token re-check failed for account" << state.accountId
                                  << ":" << account.error().message;
            }
            const auto checked = std::min(covered, state.unchecked.size());
            std::vector<Outgoing> items(std::make_move_iterator(state.unchecked.begin()),
                                        std::make_move_iterator(state.unchecked.begin() + checked));
            state.unchecked.erase(state.unchecked.begin(), state.unchecked.begin() + checked);
            for (Outgoing& item : items) {
                // Skipped when a newer wallet was queued meanwhile.
                if (item.walletVersion > 0 && item.walletVersion < state.walletVersion) {
                    continue;
                }
                state.enqueueLive(std::move(item));
            }
            if (!state.unchecked.empty()) {
                state.recheckToken();
            }
        });
}

void WebSocketSession::Private::scheduleRecheck(std::chrono::steady_clock::duration delay)
{
    recheckTimer.expires_after(delay);
    recheckTimer.async_wait([session = self()](beast::error_code error) {
        Private& state = *session->d;
        if (error || state.ended || state.closing) {
            return;
        }
        if (!state.recheckPending) {
            state.recheckToken();
        }
        // A wallet read that failed is tried again, because until it
        // succeeds the store may not count this session as watching.
        if (state.accountId > 0 && state.watchedAccount != state.accountId &&
            !state.watchLoading) {
            state.loadPortfolio();
        }
        state.scheduleRecheck();
    });
}

/// Sends the error of a failed authentication and closes: 1008 for a
/// rejected token, 1011 when the token could not be checked.
void WebSocketSession::Private::rejectAuthentication(const core::Error& error)
{
    const bool rejected = error.status == 401;
    qCInfo(lcHttp) << "Stream authentication failed:" << error.code;
    sendErrorAndClose(rejected ? QStringLiteral("invalid_token") : error.code, error.message,
                      rejected ? websocket::close_code::policy_error
                               : websocket::close_code::internal_error);
}

void WebSocketSession::Private::loadPortfolio()
{
    const std::uint64_t pushesBefore = portfolioPushes;
    const bool watch = watchedAccount != accountId;
    if (watch) {
        unwatchPortfolio();
        watchLoading = true;
    }
    runOnWorkers(
        context, ws.get_executor(),
        [&service = context.service, id = accountId, watch] {
            return watch ? service.watchPortfolio(id) : service.portfolio(id);
        },
        [session = self(), pushesBefore, watch,
         id = accountId](core::Result<core::Portfolio> portfolio) {
            Private& state = *session->d;
            if (watch) {
                state.watchLoading = false;
                if (portfolio) {
                    state.watchedAccount = id;
                    state.watchFailures = 0;
                } else if (!state.ended && !state.closing && state.accountId == id) {
                    // The recheck tries the read again, sooner than usual.
                    const int doublings = std::min(state.watchFailures++, 6);
                    state.scheduleRecheck(std::min<std::chrono::steady_clock::duration>(
                        watchRetryDelay * (1 << doublings), tokenRecheckInterval));
                }
                // Counted after the session ended or changed account.
                if (state.ended || state.accountId != id)
                    state.unwatchPortfolio();
            }
            if (state.ended || state.closing) {
                return;
            }
            if (!portfolio) {
                qCWarning(lcHttp) << "Stream session could not load the wallet of account"
                                  << state.accountId << ":" << portfolio.error().message;
                return;
            }
            // A push that arrived meanwhile is at least as new as what was
            // read, unless versions show otherwise.
            const std::int64_t version = portfolio->holdings.version;
            if (version > 0 ? version <= state.walletVersion
                            : state.portfolioPushes != pushesBefore) {
                return;
            }
            if (version > 0) {
                state.walletVersion = version;
            }
            Outgoing item{share(core::api::portfolioMessage(*portfolio))};
            item.portfolio = true;
            item.walletVersion = version;
            state.enqueueReady(std::move(item));
            state.writeNext();
        });
}

/// Stops counting this session as a watcher of its account's wallet. The
/// update runs on a worker, and the session does not wait for it.
void WebSocketSession::Private::unwatchPortfolio()
{
    if (watchedAccount == 0)
        return;
    // NOTE: a server that stops before this runs leaves the session
    // counted, which only costs publishes of that account's changes.
    // Counted as a pending job, so a graceful shutdown waits for it.
    ++context.pendingJobs;
    net::post(context.workers, [&context = context, id = watchedAccount] {
        const core::Result<core::Ok> done = context.service.unwatchPortfolio(id);
        if (!done) {
            qCWarning(lcHttp) << "Could not stop counting a stream session watching account" << id
                              << ":" << done.error().message;
        }
        --context.pendingJobs;
    });
    watchedAccount = 0;
}

void WebSocketSession::Private::sendErrorAndClose(const QString& code, const QString& message,
                                                  websocket::close_code closeCode)
{
    if (closing || ended) {
        return;
    }
    closing = true;
    pendingClose = closeCode;
    dropQueuedMessages();
    outbox.push_back(Outgoing{share(core::api::errorMessage(code, message))});
    armCloseDeadline();
    writeNext();
}

void WebSocketSession::Private::goAway()
{
    if (ended || closing) {
        return;
    }
    closing = true;
    if (!accepted) {
        end();
        return;
    }
    pendingClose = websocket::close_code::going_away;
    dropQueuedMessages();
    armCloseDeadline();
    writeNext();
}

/// Drops every queued message except those being written, whose buffers
/// must stay alive until the write completes.
void WebSocketSession::Private::dropQueuedMessages()
{
    while (outbox.size() > (writing ? messagesWriting : 0u)) {
        outbox.pop_back();
    }
    backlogQueued = static_cast<std::size_t>(
        std::count_if(outbox.begin(), outbox.end(), [](const Outgoing& item) { return item.backlog; }));
    early.clear();
}

void WebSocketSession::Private::closeNow()
{
    if (closeStarted || ended) {
        return;
    }
    closeStarted = true;
    armCloseDeadline();
    ws.async_close(*pendingClose, [session = self()](beast::error_code) { session->d->end(); });
}

/// Ends the session if its close has not finished within closeTimeout,
/// also when a client that stopped reading keeps the last messages before
/// the close frame from going out. Armed once per session.
void WebSocketSession::Private::armCloseDeadline()
{
    if (closeDeadlineArmed || ended) {
        return;
    }
    closeDeadlineArmed = true;
    closeTimer.expires_after(closeTimeout);
    closeTimer.async_wait([session = self()](beast::error_code timerError) {
        if (!timerError) {
            session->d->end();
        }
    });
}

void WebSocketSession::Private::overflow()
{
    beast::error_code ignored;
    const auto peer = beast::get_lowest_layer(ws).remote_endpoint(ignored);
    qCWarning(lcHttp).noquote() << "Stream client" << QString::fromStdString(peer.address().to_string())
                                << "port" << peer.port() << "of account" << accountId
                                << "dropped: more than" << maxQueuedMessages
                                << "messages waited in its send queue";
    // Before hello is queued no other message may go out. After it, the
    // queue is dropped and an error and a close frame follow what is being
    // written. A client that reads none of it is cut off at the close
    // deadline.
    if (!ready) {
        end();
        return;
    }
    sendErrorAndClose(QStringLiteral("too_slow"),
                      QStringLiteral("The client read too slowly: more than %1 messages waited "
                                     "for it. Reconnect with after_id set to the id of the last "
                                     "quote received.")
                          .arg(maxQueuedMessages),
                      websocket::close_code::try_again_later);
}

/// Ends the session at once: detaches it from the hub and closes the
/// socket, which aborts any read or write still pending.
void WebSocketSession::Private::end()
{
    if (ended) {
        return;
    }
    ended = true;
    closing = true;
    closeTimer.cancel();
    recheckTimer.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws).close(ignored);

    context.hub.detach(owner);
    releaseLane();
    context.removeConnection(connectionId);
    if (counted) {
        context.metrics.addStreamClients(-1);
    }
    unwatchPortfolio();
}

void WebSocketSession::Private::releaseLane()
{
    if (laneReserved) {
        laneReserved = false;
        context.hub.cancelLaneReservation(lane);
    }
}

WebSocketSession::WebSocketSession(std::unique_ptr<Private> state) : d(std::move(state))
{
    d->owner = this;
}

WebSocketSession::~WebSocketSession()
{
    // Reached without end() only when the server's io_context is destroyed.
    if (!d->ended) {
        d->ended = true;
        d->context.hub.detach(this);
        d->releaseLane();
        d->context.removeConnection(d->connectionId);
        if (d->counted) {
            d->context.metrics.addStreamClients(-1);
        }
    }
}

void WebSocketSession::start()
{
    auto& ws = d->ws;
    ws.set_option(websocket::stream_base::timeout{handshakeTimeout, idleTimeout, true});
    ws.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
        response.set(http::field::server, "valiant/" VALIANT_VERSION);
    }));
    ws.read_message_max(maxMessageBytes);
    ws.next_layer().setOwner(weak_from_this());
    ws.next_layer().setIdleCallback([weak = weak_from_this()] {
        if (const auto session = weak.lock()) {
            session->d->writeNext();
        }
    });

    const std::weak_ptr<WebSocketSession> weak = weak_from_this();
    d->connectionId = d->context.addConnection(
        [weak] {
            if (const auto session = weak.lock()) {
                session->closeGoingAway();
            }
        },
        this);
    // A shutdown that began after the upgrade was handed over, but before
    // this registration, did not see this session.
    if (d->context.stopping) {
        d->goAway();
        return;
    }

    ws.async_accept(d->upgradeRequest, [session = shared_from_this()](beast::error_code error) {
        session->d->onAccepted(error);
    });
}

// The hub calls this from its fan-out job, which runs on the strand of
// this session's lane (runFanOut), so the quote is queued and written at
// once, without a handler per session.
void WebSocketSession::deliverQuote(const core::Quote& quote,
                                    const std::shared_ptr<const QuoteMessage>& message)
{
    BOOST_ASSERT(d->ws.get_executor().running_in_this_thread());
    d->deliverQuote(quote.id, message);
}

// Stage 1 loads the fields at the start of Private, through the outbox.
// Stage 2 loads the socket layer, whose address stage 1 brought in. A
// fan-out touches each session once per quote, long after its state has
// left the cache. At 10,000 clients and one quote per second the
// prefetches cut the server's CPU per message from about 6.8 to 6.0 µs
// (measured by hand with fanoutbench on 2026-12-05).
void WebSocketSession::prefetch(int stage) const noexcept
{
    if (stage == 1) {
        const char* first = reinterpret_cast<const char*>(d.get());
        const char* last = reinterpret_cast<const char*>(&d->outbox + 1);
        for (const char* line = first; line < last; line += 64) {
            __builtin_prefetch(line);
        }
        return;
    }
    const char* socket = reinterpret_cast<const char*>(&d->ws.next_layer());
    __builtin_prefetch(socket);
    __builtin_prefetch(socket + 64);
}

// The hub delivers only wallet changes through deliver(), so each one
// counts as a portfolio push.
void WebSocketSession::deliver(std::shared_ptr<const QByteArray> message,
                               std::int64_t walletVersion)
{
    net::post(d->ws.get_executor(), [session = shared_from_this(), message = std::move(message),
                                     walletVersion]() mutable {
        Outgoing item{std::move(message)};
        item.portfolio = true;
        item.walletVersion = walletVersion;
        session->d->enqueuePortfolio(std::move(item));
    });
}

void WebSocketSession::closeGoingAway()
{
    net::post(d->ws.get_executor(), [session = shared_from_this()] { session->d->goAway(); });
}

// Every session of a lane shares the lane's strand, so the job may call
// deliverQuote() on any of them. It delivers to a few hundred sessions per
// step, so the lane's own reads and writes wait at most one step.
void WebSocketSession::runFanOut(std::function<void()> job)
{
    net::post(d->ws.get_executor(), std::move(job));
}

// The session moves from the HTTP connection's strand to the strand of
// the hub lane it joins, where all its handlers run from then on.
void startWebSocketSession(NetworkContext& context, beast::tcp_stream stream,
                           UpgradeRequest request, std::string receivedBytes,
                           std::int64_t accountId, std::optional<std::int64_t> afterId,
                           std::optional<core::Error> authError)
{
    const std::size_t lane = context.hub.reserveLane();
    if (lane >= context.streamLanes.size()) {
        context.hub.cancelLaneReservation(lane);
        qCCritical(lcHttp) << "Stream upgrade dropped: the server has no strand for stream lane"
                           << lane;
        return;
    }
    const SessionStrand& strand = context.streamLanes[lane];
    std::optional<FrameSocket> socket;
    try {
        socket.emplace(strand, stream.release_socket());
        socket->setReceivedBytes(std::move(receivedBytes));
        socket->next_layer().set_option(net::socket_base::send_buffer_size(sendBufferBytes));
    } catch (const boost::system::system_error& error) {
        context.hub.cancelLaneReservation(lane);
        qCDebug(lcHttp) << "Stream upgrade dropped: setting up its socket failed:" << error.what();
        return;
    }
    auto state = std::make_unique<WebSocketSession::Private>(
        context, std::move(*socket), std::move(request), accountId, afterId, std::move(authError));
    state->lane = lane;
    auto session = std::make_shared<WebSocketSession>(std::move(state));
    net::post(strand, [session = std::move(session)] { session->start(); });
}

}  // namespace valiant::server
