// Checks the PostgresServer test fixture itself: a real server that starts,
// runs SQL, and keeps its data and port across a stop, a crash and restarts.

#include "support/postgresserver.h"

#include <QTest>

using valiant::test::PostgresServer;

class TestPostgresServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void startCreatesValiantDatabase();
    void dataSurvivesRestartAndCrash();
    void createDatabaseMakesFreshDatabase();
    void executeReportsSqlErrors();
};

void TestPostgresServer::startCreatesValiantDatabase()
{
    PostgresServer postgres;
    QVERIFY2(postgres.start(), qPrintable(postgres.errorString()));
    QVERIFY(postgres.port() > 0);
    QCOMPARE(postgres.url(), QStringLiteral("postgres://postgres@127.0.0.1:%1/valiant").arg(postgres.port()));

    QString output;
    QVERIFY2(postgres.execute(QStringLiteral("SELECT current_database()"), &output),
             qPrintable(postgres.errorString()));
    QCOMPARE(output, QStringLiteral("valiant"));
    QVERIFY2(postgres.execute(QStringLiteral("SHOW server_version_num"), &output),
             qPrintable(postgres.errorString()));
    QVERIFY2(output.toInt() >= 150000, qPrintable(output));
}

void TestPostgresServer::dataSurvivesRestartAndCrash()
{
    PostgresServer postgres;
    QVERIFY2(postgres.start(), qPrintable(postgres.errorString()));
    const int port = postgres.port();
    QVERIFY2(postgres.execute(QStringLiteral("CREATE TABLE t (v int); INSERT INTO t VALUES (1)")),
             qPrintable(postgres.errorString()));

    QVERIFY2(postgres.restart(), qPrintable(postgres.errorString()));
    QCOMPARE(postgres.port(), port);
    QVERIFY2(postgres.execute(QStringLiteral("INSERT INTO t VALUES (2)")),
             qPrintable(postgres.errorString()));

    postgres.kill();
    QVERIFY(!postgres.isRunning());
    QVERIFY(!postgres.execute(QStringLiteral("SELECT 1")));
    QVERIFY2(postgres.start(), qPrintable(postgres.errorString()));
    QCOMPARE(postgres.port(), port);

    QString output;
    QVERIFY2(postgres.execute(QStringLiteral("SELECT sum(v) FROM t"), &output),
             qPrintable(postgres.errorString()));
    QCOMPARE(output, QStringLiteral("3"));
    QVERIFY2(postgres.stop(), qPrintable(postgres.errorString()));
}

void TestPostgresServer::createDatabaseMakesFreshDatabase()
{
    PostgresServer postgres;
    QVERIFY2(postgres.start(), qPrintable(postgres.errorString()));
    QVERIFY2(postgres.createDatabase(QStringLiteral("second")), qPrintable(postgres.errorString()));
    QVERIFY(!postgres.createDatabase(QStringLiteral("second")));
    QVERIFY2(postgres.errorString().contains(QLatin1String("already exists")),
             qPrintable(postgres.errorString()));

    QString output;
    QVERIFY2(postgres.execute(QStringLiteral("SELECT current_database()"), &output,
                              QStringLiteral("second")),
             qPrintable(postgres.errorString()));
    QCOMPARE(output, QStringLiteral("second"));
}

void TestPostgresServer::executeReportsSqlErrors()
{
    PostgresServer postgres;
    QVERIFY2(postgres.start(), qPrintable(postgres.errorString()));
    QVERIFY(!postgres.execute(QStringLiteral("SELECT * FROM no_such_table")));
    QVERIFY2(postgres.errorString().contains(QLatin1String("no_such_table")),
             qPrintable(postgres.errorString()));
}

QTEST_GUILESS_MAIN(TestPostgresServer)
#include "tst_postgresserver.moc"
