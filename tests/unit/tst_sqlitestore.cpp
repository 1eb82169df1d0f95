// SqliteStore: the store contract (storecontract.h) plus opening and
// migrating a SQLite file.

#include "server/sqlitestore.h"
#include "storecontract.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using valiant::core::Money;
using valiant::server::SqliteStore;
using valiant::test::baseMs;
using valiant::test::buy;

class TestSqliteStore : public valiant::test::StoreContract
{
    Q_OBJECT

protected:
    valiant::server::Store& store() override { return *m_store; }
    std::int64_t idempotencyKeyRetentionMs() const override
    {
        return SqliteStore::idempotencyKeyRetentionMs;
    }

private Q_SLOTS:
    void init();
    void cleanup();

    void migrateTwiceKeepsVersion();
    void migrateAfterReopenKeepsData();
    void openRejectsMissingFolder();
    void openRejectsNonDatabaseFile();
    void praiseAddsBonusPerShare();

private:
    std::unique_ptr<SqliteStore> openStore();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<SqliteStore> m_store;
};

std::unique_ptr<SqliteStore> TestSqliteStore::openStore()
{
    auto opened = SqliteStore::open(m_dir->filePath(QStringLiteral("valiant.sqlite3")));
    if (!opened.ok()) {
        qWarning() << "open failed:" << opened.error().message;
        return nullptr;
    }
    return std::move(opened).value();
}

void TestSqliteStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = openStore();
    QVERIFY(m_store);
    const auto migrated = m_store->migrate();
    QVERIFY2(migrated.ok(), qPrintable(migrated.ok() ? QString() : migrated.error().message));
}

void TestSqliteStore::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

void TestSqliteStore::migrateTwiceKeepsVersion()
{
    QCOMPARE(m_store->schemaVersion().value(), SqliteStore::latestSchemaVersion());
    QVERIFY(m_store->migrate().ok());
    QVERIFY(m_store->migrate().ok());
    QCOMPARE(m_store->schemaVersion().value(), SqliteStore::latestSchemaVersion());
}

void TestSqliteStore::migrateAfterReopenKeepsData()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(id > 0);
    QVERIFY(m_store->insertQuote(Money::fromCents(5000), baseMs).ok());
    m_store.reset();

    m_store = openStore();
    QVERIFY(m_store);
    QVERIFY(m_store->migrate().ok());
    QCOMPARE(m_store->findAccount(QStringLiteral("ada"))->account.id, id);
    QCOMPARE(m_store->latestQuote()->value().price, Money::fromCents(5000));
}

void TestSqliteStore::openRejectsMissingFolder()
{
    const auto opened =
        SqliteStore::open(m_dir->filePath(QStringLiteral("missing/valiant.sqlite3")));
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().status, 503);
    QVERIFY2(opened.error().message.contains(QStringLiteral("missing/valiant.sqlite3")),
             qPrintable(opened.error().message));
}

void TestSqliteStore::openRejectsNonDatabaseFile()
{
    const QString path = m_dir->filePath(QStringLiteral("notes.txt"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(4096, 'x'));
    file.close();

    const auto opened = SqliteStore::open(path);
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().code, QStringLiteral("database_unavailable"));
    QVERIFY2(opened.error().message.contains(path), qPrintable(opened.error().message));
}

void TestSqliteStore::praiseAddsBonusPerShare()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));

    const auto none = m_store->praise(id, baseMs);
    QVERIFY(none.ok());
    QCOMPARE(none->bonus, Money());
    QCOMPARE(none->portfolio.holdings.cash, Money::fromCents(10000));

    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());
    QCOMPARE(m_store->placeOrder(id, buy(3), "", "", baseMs)->response.status, 201);

    const auto praised = m_store->praise(id, baseMs);
    QVERIFY(praised.ok());
    QCOMPARE(praised->bonus, Money::fromCents(30));
    QCOMPARE(praised->portfolio.holdings.cash, Money::fromCents(7030));
    QCOMPARE(praised->portfolio.lastQuote->id, 1);
    QCOMPARE(m_store->portfolio(id)->holdings.cash, Money::fromCents(7030));

    QCOMPARE(m_store->praise(id + 100, baseMs).error().status, 404);
}

QTEST_GUILESS_MAIN(TestSqliteStore)
#include "tst_sqlitestore.moc"
