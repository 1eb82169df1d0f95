#include "server/streamhub.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QTest>

using namespace valiant::core;
using valiant::server::StreamHub;
using valiant::server::StreamSink;

namespace {

/// A stream client that keeps every message the hub queues for it.
class RecordingSink final : public StreamSink
{
public:
    void deliverQuote(const Quote&, std::shared_ptr<const QByteArray> message) override
    {
        deliver(std::move(message), 0);
    }

    void deliver(std::shared_ptr<const QByteArray> message, std::int64_t walletVersion) override
    {
        QMutexLocker locker(&m_mutex);
        m_messages.append(*message);
        m_walletVersions.append(walletVersion);
    }

    void closeGoingAway() override {}
    void runFanOut(std::function<void()> job) override { job(); }

    /// The cash of each wallet message received so far.
    QStringList walletCash() const
    {
        QMutexLocker locker(&m_mutex);
        QStringList cash;
        for (const QByteArray& message : m_messages) {
            const QJsonObject object = QJsonDocument::fromJson(message).object();
            if (object.value(QStringLiteral("type")) == QStringLiteral("portfolio"))
                cash.append(object.value(QStringLiteral("cash")).toString());
        }
        return cash;
    }

    QList<std::int64_t> walletVersions() const
    {
        QMutexLocker locker(&m_mutex);
        return m_walletVersions;
    }

private:
    mutable QMutex m_mutex;
    QList<QByteArray> m_messages;
    QList<std::int64_t> m_walletVersions;  // one per message, 0 for quotes
};

Portfolio walletWithCash(std::int64_t cents)
{
    Portfolio portfolio;
    portfolio.holdings.cash = Money::fromCents(cents);
    return portfolio;
}

}  // namespace

class TestStreamHub : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void walletReachesOnlyItsAccount();
    void walletFollowsAccountChanges();
    void walletVersionReachesSessions();
};

void TestStreamHub::walletReachesOnlyItsAccount()
{
    StreamHub hub(2);
    auto first = std::make_shared<RecordingSink>();
    auto second = std::make_shared<RecordingSink>();
    auto other = std::make_shared<RecordingSink>();
    auto anonymous = std::make_shared<RecordingSink>();
    hub.attach(first, 1);
    hub.attach(second, 1);
    hub.attach(other, 2);
    hub.attach(anonymous, 0);

    hub.sendPortfolio(1, walletWithCash(150));

    QCOMPARE(first->walletCash(), QStringList{QStringLiteral("1.50")});
    QCOMPARE(second->walletCash(), QStringList{QStringLiteral("1.50")});
    QVERIFY(other->walletCash().isEmpty());
    QVERIFY(anonymous->walletCash().isEmpty());
    QVERIFY(hub.hasSessionsOf(1));
    QVERIFY(hub.hasSessionsOf(2));
    QVERIFY(!hub.hasSessionsOf(0));
    QVERIFY(!hub.hasSessionsOf(3));
}

void TestStreamHub::walletVersionReachesSessions()
{
    // Sessions drop a wallet older than one they queued, so each needs the
    // version of what it receives, from a push and from a refresh alike.
    StreamHub hub(1);
    auto session = std::make_shared<RecordingSink>();
    hub.attach(session, 1);

    Portfolio pushed = walletWithCash(150);
    pushed.holdings.version = 7;
    hub.sendPortfolio(1, pushed);
    Portfolio stored = walletWithCash(175);
    stored.holdings.version = 9;
    hub.refreshPortfolios([&](std::int64_t) { return std::optional<Portfolio>(stored); });

    QCOMPARE(session->walletVersions(), (QList<std::int64_t>{7, 9}));
}

void TestStreamHub::walletFollowsAccountChanges()
{
    StreamHub hub(2);
    auto session = std::make_shared<RecordingSink>();
    auto stays = std::make_shared<RecordingSink>();
    hub.attach(session, 0);
    hub.attach(stays, 1);

    // Signing in on an open stream, as with the first-message token.
    hub.setAccount(session.get(), 1);
    hub.sendPortfolio(1, walletWithCash(100));
    QCOMPARE(session->walletCash(), QStringList{QStringLiteral("1.00")});

    // Attaching again under another account moves the session.
    hub.attach(session, 2);
    hub.sendPortfolio(1, walletWithCash(200));
    hub.sendPortfolio(2, walletWithCash(300));
    QCOMPARE(session->walletCash(), (QStringList{QStringLiteral("1.00"), QStringLiteral("3.00")}));
    QCOMPARE(stays->walletCash(), (QStringList{QStringLiteral("1.00"), QStringLiteral("2.00")}));

    hub.detach(session.get());
    QVERIFY(!hub.hasSessionsOf(2));
    hub.sendPortfolio(2, walletWithCash(400));
    QCOMPARE(session->walletCash().size(), 2);

    hub.detach(stays.get());
    QVERIFY(!hub.hasSessionsOf(1));
    QCOMPARE(hub.sessionCount(), 0);
}

QTEST_GUILESS_MAIN(TestStreamHub)
#include "tst_streamhub.moc"
