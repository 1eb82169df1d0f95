// The views around the live screen: chart gaps and duplicates, order
// history paging and CSV export, price alerts, the high-contrast palette,
// accessible names, saved settings and the second-instance lock.

#include "app/alertdialog.h"
#include "app/embeddedserver.h"
#include "app/instancelock.h"
#include "app/mainwindow.h"
#include "app/ordercsv.h"
#include "app/messagebar.h"
#include "app/orderhistorymodel.h"
#include "app/orderhistorypager.h"
#include "app/pricealerts.h"
#include "app/pricechart.h"
#include "app/resources.h"
#include "app/theme.h"

#include "core/marketclient.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QFile>
#include <QDate>
#include <QFileInfo>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStyle>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

#include <memory>

using valiant::app::EmbeddedServer;
using valiant::app::MainWindow;
using valiant::app::PriceAlert;
using valiant::app::PriceAlerts;
using valiant::app::PriceChart;
using valiant::core::Candle;
using valiant::core::MarketClient;
using valiant::core::Money;
using valiant::core::Order;
using valiant::core::Quote;

namespace {

constexpr int connectTimeoutMs = 15'000;
constexpr int ordersToPlace = 60;  // more than one page of MainWindow::orderHistoryLimit

Quote quoteAt(std::int64_t id, std::int64_t cents)
{
    return Quote{id, Money::fromCents(cents), 1'800'000'000'000LL + id * 1000};
}

}  // namespace

class TestViews : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void chartMarksMissingIdsAsGap();
    void chartMarksSilentStretchAsGap();
    void chartDropsDuplicateIds();
    void chartMarksMissingCandlesAsGap();
    void historyPagesThroughAllOrders();
    void exportWritesIsoTimesCsv();
    void exportSuggestsDocumentsOrHome();
    void alertDialogUsesLastPrice();
    void alertDialogNamesLevelProblem_data();
    void alertDialogNamesLevelProblem();
    void alertFiresOnce();
    void highContrastPaletteApplied();
    void systemPaletteDarknessDetected();
    void controlsHaveAccessibleNames();
    void settingsRestoreViewState();
    void secondInstanceDetected();

private:
    QTemporaryDir m_dataDir;
    std::unique_ptr<EmbeddedServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<MarketClient> m_client;
    std::unique_ptr<MainWindow> m_window;
    QList<Order> m_placed;
};

void TestViews::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    valiant::app::initResources();
    QVERIFY2(m_dataDir.isValid(), qPrintable(m_dataDir.errorString()));

    EmbeddedServer::Options options;
    options.databasePath = m_dataDir.filePath(QStringLiteral("data/valiant.db"));
    options.tickMs = 100;
    options.startingCash = Money::fromCents(1'000'000'00);
    m_server = std::make_unique<EmbeddedServer>(options);
    const auto started = m_server->start();
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().message));

    m_network = std::make_unique<QNetworkAccessManager>();
    m_client = std::make_unique<MarketClient>(m_network.get());
    m_client->setServerUrl(m_server->url());
    m_client->setToken(m_server->token());

    m_window = std::make_unique<MainWindow>(*m_client, QStringLiteral("this computer"));
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_client->start();
    QTRY_COMPARE_WITH_TIMEOUT(m_client->connectionState(), MarketClient::ConnectionState::Connected,
                              connectTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->findChild<PriceChart*>()->pointCount() > 0, connectTimeoutMs);
}

void TestViews::cleanupTestCase()
{
    m_window.reset();
    if (m_client)
        m_client->stop();
    m_client.reset();
    m_server.reset();
}

void TestViews::chartMarksMissingIdsAsGap()
{
    PriceChart chart;
    chart.resize(600, 300);
    QList<Quote> quotes;
    for (std::int64_t id : {1, 2, 3, 4, 5, 9, 10, 11})
        quotes.append(quoteAt(id, 50'00 + id));

    chart.addQuotes(quotes);

    QCOMPARE(chart.points().size(), 8);
    QCOMPARE(chart.gapCount(), 1);
    QVERIFY(chart.points().at(5).gapBefore);
    QCOMPARE(chart.points().at(5).timeMs, quoteAt(9, 0).createdMs);
    QVERIFY(!chart.grab().isNull());

    // Backfilled ids close the gap.
    chart.addQuotes({quoteAt(6, 50'06), quoteAt(7, 50'07), quoteAt(8, 50'08)});
    QCOMPARE(chart.gapCount(), 0);
    QCOMPARE(chart.points().size(), 11);
}

void TestViews::chartMarksSilentStretchAsGap()
{
    // Ids 1 to 8 are consecutive, but the server stopped for 20 s after id 5.
    PriceChart chart;
    chart.resize(600, 300);
    QList<Quote> quotes;
    for (std::int64_t id = 1; id <= 8; ++id) {
        Quote quote = quoteAt(id, 50'00 + id);
        if (id > 5)
            quote.createdMs += 20'000;
        quotes.append(quote);
    }

    chart.addQuotes(quotes);

    QCOMPARE(chart.points().size(), 8);
    QCOMPARE(chart.gapCount(), 1);
    QVERIFY(chart.points().at(5).gapBefore);
    QCOMPARE(chart.points().at(5).timeMs, quoteAt(6, 0).createdMs + 20'000);
    QVERIFY(!chart.grab().isNull());

    // A late tick of under three intervals is jitter, not a gap.
    PriceChart jittery;
    QList<Quote> late;
    for (std::int64_t id = 1; id <= 6; ++id) {
        Quote quote = quoteAt(id, 50'00);
        if (id > 3)
            quote.createdMs += 1'500;
        late.append(quote);
    }
    jittery.addQuotes(late);
    QCOMPARE(jittery.gapCount(), 0);
}

void TestViews::chartDropsDuplicateIds()
{
    PriceChart chart;
    chart.addQuotes({quoteAt(1, 50'00), quoteAt(2, 50'10), quoteAt(3, 50'20)});

    chart.addQuotes({quoteAt(2, 50'10), quoteAt(3, 50'20), quoteAt(4, 50'30)});

    QCOMPARE(chart.pointCount(), 4);
    QCOMPARE(chart.points().size(), 4);
    QCOMPARE(chart.gapCount(), 0);
}

void TestViews::chartMarksMissingCandlesAsGap()
{
    PriceChart chart;
    chart.setRange(PriceChart::Range::Hour);
    const std::int64_t startMs = QDateTime::currentMSecsSinceEpoch() / 1000 * 1000 - 600'000;
    QList<Candle> candles;
    for (int second = 0; second < 600; ++second) {
        if (second >= 200 && second < 260)
            continue;  // a minute the server has no quotes for
        const Money price = Money::fromCents(40'00 + second);
        candles.append(Candle{startMs + second * 1000LL, price, price, price, price, 1});
    }

    chart.setHistory(candles, 1000);

    QCOMPARE(chart.points().size(), 540);
    QCOMPARE(chart.gapCount(), 1);
}

void TestViews::historyPagesThroughAllOrders()
{
    // Place the orders one after another, each with its own key.
    for (int i = 0; i < ordersToPlace; ++i) {
        valiant::core::OrderRequest request;
        request.side = valiant::core::Side::Buy;
        request.quantity = 1;
        bool done = false;
        m_client->placeOrder(request, [&](valiant::core::Result<Order> order) {
            QVERIFY2(order.ok(), qPrintable(order.ok() ? QString() : order.error().message));
            m_placed.append(order.value());
            done = true;
        });
        QTRY_VERIFY(done);
    }

    auto& pager = m_window->orderHistoryPager();
    auto* view = m_window->findChild<QTableView*>(QStringLiteral("orderHistoryView"));
    QSignalSpy pages(&pager, &valiant::app::OrderHistoryPager::pageLoaded);
    pager.reload();
    QTRY_COMPARE(view->model()->rowCount(), MainWindow::orderHistoryLimit);
    QVERIFY(pager.hasMore());

    QTRY_VERIFY(!pager.isLoading());
    pager.loadOlder();
    QTRY_COMPARE(view->model()->rowCount(), ordersToPlace);
    QTRY_VERIFY(!pager.hasMore());

    // Newest first, each placed order once.
    QCOMPARE(m_placed.size(), ordersToPlace);
    auto* model = qobject_cast<valiant::app::OrderHistoryModel*>(view->model());
    QVERIFY(model);
    for (int row = 0; row < ordersToPlace; ++row)
        QCOMPARE(model->orderAt(row).id, m_placed.at(ordersToPlace - 1 - row).id);
}

void TestViews::exportWritesIsoTimesCsv()
{
    // English ships only the plural forms, which the message below uses.
    QTranslator english;
    QVERIFY(english.load(QLocale(QLocale::English, QLocale::UnitedStates), QStringLiteral("valiant"),
                         QStringLiteral("_"), QStringLiteral(":/i18n")));
    QCoreApplication::installTranslator(&english);
    const auto removeTranslator =
        qScopeGuard([&english] { QCoreApplication::removeTranslator(&english); });

    const QString path = m_dataDir.filePath(QStringLiteral("orders.csv"));
    std::optional<valiant::core::Result<int>> outcome;
    m_window->exportOrderHistory(path, [&outcome](valiant::core::Result<int> result) {
        outcome = result;
    });
    QTRY_VERIFY(outcome.has_value());
    QVERIFY2(outcome->ok(), qPrintable(outcome->ok() ? QString() : outcome->error().message));
    QCOMPARE(outcome->value(), ordersToPlace);
    auto* message = m_window->findChild<valiant::app::MessageBar*>(QStringLiteral("messageBar"));
    QCOMPARE(message->text(), QStringLiteral("%1 orders exported to %2.")
                                  .arg(ordersToPlace)
                                  .arg(QDir::toNativeSeparators(path)));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QStringLiteral("\r\n"),
                                                                      Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), ordersToPlace + 1);
    QCOMPARE(lines.first(), QStringLiteral("id,time,side,quantity,price,total,quote_id"));

    const QRegularExpression iso(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)"));
    std::int64_t previousId = std::numeric_limits<std::int64_t>::max();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QStringList fields = lines.at(i).split(QLatin1Char(','));
        QCOMPARE(fields.size(), 7);
        QVERIFY2(iso.match(fields.at(1)).hasMatch(), qPrintable(fields.at(1)));
        QCOMPARE(fields.at(2), QStringLiteral("buy"));
        QCOMPARE(fields.at(3), QStringLiteral("1"));
        QVERIFY(Money::parse(fields.at(4)).ok());
        const std::int64_t id = fields.at(0).toLongLong();
        QVERIFY(id < previousId);
        previousId = id;
    }

    // The newest order matches what the server filled.
    const Order& newest = m_placed.last();
    const QStringList first = lines.at(1).split(QLatin1Char(','));
    QCOMPARE(first.at(0).toLongLong(), newest.id);
    QCOMPARE(first.at(4), newest.price.toString());
    QCOMPARE(QDateTime::fromString(first.at(1), Qt::ISODateWithMs).toMSecsSinceEpoch(),
             newest.createdMs);
}

void TestViews::alertFiresOnce()
{
    PriceAlerts& alerts = m_window->priceAlerts();
    QSignalSpy fired(&alerts, &PriceAlerts::alertTriggered);
    // The price never goes below $1.00, so the first alert fires on the next
    // quote and the second never does.
    alerts.add(PriceAlert{PriceAlert::Direction::Above, Money::fromCents(1)});
    alerts.add(PriceAlert{PriceAlert::Direction::Below, Money::fromCents(1)});

    QTRY_COMPARE(fired.count(), 1);
    QTest::qWait(800);
    QCOMPARE(fired.count(), 1);
    QCOMPARE(alerts.alerts().size(), 1);
    QCOMPARE(alerts.alerts().first().direction, PriceAlert::Direction::Below);

    auto* message = m_window->findChild<valiant::app::MessageBar*>(QStringLiteral("messageBar"));
    QVERIFY(message->isVisible());
    QVERIFY2(message->text().contains(QStringLiteral("Price at or above $0.01: VALV is at")),
             qPrintable(message->text()));
    alerts.removeAt(0);
}

void TestViews::highContrastPaletteApplied()
{
    auto* action = m_window->findChild<QAction*>(QStringLiteral("highContrastAction"));
    QVERIFY(action);
    QVERIFY(!action->shortcut().isEmpty());

    action->trigger();

    QVERIFY(m_window->isHighContrast());
    QCOMPARE(m_window->palette().color(QPalette::Window), QColor(Qt::black));
    QCOMPARE(m_window->palette().color(QPalette::WindowText), QColor(Qt::white));
    auto* limit = m_window->findChild<QWidget*>(QStringLiteral("limitPriceEdit"));
    QCOMPARE(limit->palette().color(QPalette::Base), QColor(Qt::black));
    QCOMPARE(limit->palette().color(QPalette::Text), QColor(Qt::white));
    QVERIFY(m_window->styleSheet().contains(QStringLiteral("#ffff00")));
    // A placeholder must not look like a typed value.
    QVERIFY(limit->palette().color(QPalette::PlaceholderText) !=
            limit->palette().color(QPalette::Text));
    // The styled spin box draws its arrows from images, which must exist.
    const QRegularExpression image(QStringLiteral(R"(url\((:/[^)]+)\))"));
    int images = 0;
    for (const QRegularExpressionMatch& match : image.globalMatch(m_window->styleSheet())) {
        QVERIFY2(QFile::exists(match.captured(1)), qPrintable(match.captured(1)));
        ++images;
    }
    QVERIFY(images >= 2);

    action->trigger();
    QVERIFY(!m_window->isHighContrast());
    QCOMPARE(m_window->palette().color(QPalette::Window),
             QApplication::palette().color(QPalette::Window));
}

void TestViews::systemPaletteDarknessDetected()
{
    QVERIFY(valiant::app::theme::looksDark(valiant::app::theme::darkPalette()));
    QVERIFY(!valiant::app::theme::looksDark(QApplication::style()->standardPalette()));
    QVERIFY(valiant::app::theme::looksDark(valiant::app::theme::highContrastPalette()));
}

void TestViews::controlsHaveAccessibleNames()
{
    const QList<QWidget*> widgets = m_window->findChildren<QWidget*>();
    int checked = 0;
    for (QWidget* widget : widgets) {
        const bool control = qobject_cast<QAbstractButton*>(widget) ||
                             qobject_cast<QLineEdit*>(widget) ||
                             qobject_cast<QAbstractSpinBox*>(widget) ||
                             qobject_cast<QTableView*>(widget) || qobject_cast<PriceChart*>(widget);
        // Qt's own inner parts (the spin box's line edit, the table's corner
        // button) take their names from the control around them.
        if (!control || widget->objectName().startsWith(QLatin1String("qt_")) ||
            qobject_cast<QAbstractSpinBox*>(widget->parentWidget()) ||
            qobject_cast<QLineEdit*>(widget->parentWidget()) ||
            qobject_cast<QTableView*>(widget->parentWidget()))
            continue;
        QVERIFY2(!widget->accessibleName().isEmpty(),
                 qPrintable(QStringLiteral("%1 '%2' has no accessible name")
                                .arg(QString::fromLatin1(widget->metaObject()->className()),
                                     widget->objectName())));
        ++checked;
    }
    QVERIFY(checked >= 7);
}

void TestViews::settingsRestoreViewState()
{
    const QString path = m_dataDir.filePath(QStringLiteral("settings.ini"));
    {
        QSettings settings(path, QSettings::IniFormat);
        m_window->setChartRange(PriceChart::Range::Day);
        m_window->setHighContrast(true);
        m_window->priceAlerts().add(PriceAlert{PriceAlert::Direction::Above, Money::fromCents(99'00)});
        m_window->saveSettings(settings);
        settings.sync();
        QCOMPARE(settings.status(), QSettings::NoError);
        m_window->setHighContrast(false);
        m_window->setChartRange(PriceChart::Range::LiveMinute);
    }

    MainWindow restored(*m_client, QStringLiteral("this computer"));
    QSettings settings(path, QSettings::IniFormat);
    restored.restoreSettings(settings);

    QCOMPARE(restored.findChild<PriceChart*>()->range(), PriceChart::Range::Day);
    QVERIFY(restored.isHighContrast());
    QVERIFY(restored.priceAlerts().alerts().contains(
        PriceAlert{PriceAlert::Direction::Above, Money::fromCents(99'00)}));
}

void TestViews::secondInstanceDetected()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    auto first = std::make_unique<valiant::app::InstanceLock>(folder.path());
    QVERIFY(first->acquire().ok());

    valiant::app::InstanceLock second(folder.path());
    const auto refused = second.acquire();
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, QStringLiteral("already_running"));
    QVERIFY2(refused.error().message.contains(QString::number(QCoreApplication::applicationPid())),
             qPrintable(refused.error().message));
    QVERIFY2(refused.error().message.contains(QDir::toNativeSeparators(folder.path())),
             qPrintable(refused.error().message));

    // Once the first app quits, the next start gets the folder.
    first.reset();
    QVERIFY(second.acquire().ok());
}

void TestViews::exportSuggestsDocumentsOrHome()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QByteArray savedHome = qgetenv("HOME");
    const QByteArray savedDocuments = qgetenv("XDG_DOCUMENTS_DIR");
    qputenv("HOME", home.path().toLocal8Bit());
    qunsetenv("XDG_DOCUMENTS_DIR");
    const QDate date(2026, 12, 5);

    // Without a documents folder the dialog starts at home, not in the
    // working directory.
    QCOMPARE(QFileInfo(valiant::app::suggestedExportPath(date)).absolutePath(),
             QFileInfo(home.path()).absoluteFilePath());
    QCOMPARE(QFileInfo(valiant::app::suggestedExportPath(date)).fileName(),
             QStringLiteral("valiant-orders-2026-12-05.csv"));

    QVERIFY(QDir(home.path()).mkdir(QStringLiteral("Documents")));
    QCOMPARE(QFileInfo(valiant::app::suggestedExportPath(date)).absolutePath(),
             QFileInfo(home.filePath(QStringLiteral("Documents"))).absoluteFilePath());

    qputenv("HOME", savedHome);
    if (!savedDocuments.isEmpty())
        qputenv("XDG_DOCUMENTS_DIR", savedDocuments);
}

void TestViews::alertDialogUsesLastPrice()
{
    valiant::app::PriceAlerts alerts;
    {
        valiant::app::AlertDialog dialog(alerts);
        dialog.setLocale(QLocale(QLocale::English, QLocale::UnitedStates));
        // Before any quote the example is the market's first price.
        QVERIFY(dialog.findChild<QLineEdit*>(QStringLiteral("alertLevel"))
                    ->placeholderText()
                    .contains(QStringLiteral("50.00")));
    }

    alerts.checkQuote(valiant::core::Quote{7, valiant::core::Money::fromCents(19'04), 0});
    valiant::app::AlertDialog dialog(alerts);
    auto* level = dialog.findChild<QLineEdit*>(QStringLiteral("alertLevel"));
    QVERIFY2(level->placeholderText().contains(QStringLiteral("19.04")),
             qPrintable(level->placeholderText()));
    // While the dialog is open, the example follows the price.
    alerts.checkQuote(valiant::core::Quote{8, valiant::core::Money::fromCents(21'37), 0});
    QVERIFY2(level->placeholderText().contains(QStringLiteral("21.37")),
             qPrintable(level->placeholderText()));

    // A line explains the empty list until an alert is added.
    auto* empty = dialog.findChild<QLabel*>(QStringLiteral("alertEmptyLabel"));
    QVERIFY(empty != nullptr);
    QVERIFY(empty->isVisibleTo(&dialog));
    alerts.add(valiant::app::PriceAlert{valiant::app::PriceAlert::Direction::Above,
                                        valiant::core::Money::fromCents(20'00)});
    QVERIFY(!empty->isVisibleTo(&dialog));
}

void TestViews::alertDialogNamesLevelProblem_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("problem");

    QTest::newRow("three decimals") << "0.001" << "more than two decimals";
    QTest::newRow("comma decimals") << "1,00" << "wrong place";
    QTest::newRow("too large") << "99999999999999999999" << "too large";
    QTest::newRow("zero") << "0" << "not above zero";
    QTest::newRow("letters") << "ten" << "not an amount";
    QTest::newRow("empty") << "" << "The field is empty.";
}

void TestViews::alertDialogNamesLevelProblem()
{
    QFETCH(QString, typed);
    QFETCH(QString, problem);
    valiant::app::PriceAlerts alerts;
    valiant::app::AlertDialog dialog(alerts);
    dialog.setLocale(QLocale(QLocale::English, QLocale::UnitedStates));

    dialog.findChild<QLineEdit*>(QStringLiteral("alertLevel"))->setText(typed);
    dialog.findChild<QAbstractButton*>(QStringLiteral("alertAddButton"))->click();
    const QString error = dialog.findChild<QLabel*>(QStringLiteral("alertError"))->text();
    if (!typed.isEmpty())
        QVERIFY2(error.contains(QStringLiteral("\"%1\"").arg(typed)), qPrintable(error));
    QVERIFY2(error.contains(problem), qPrintable(error));
    QVERIFY(alerts.alerts().isEmpty());
}

QTEST_MAIN(TestViews)
#include "tst_views.moc"
