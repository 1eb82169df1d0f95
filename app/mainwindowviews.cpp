// MainWindow's menus and the views around the live screen: chart ranges
// from candles, the stale-price guard, price alerts, the CSV export of the
// order history, the high-contrast palette and the saved window settings.

#include "mainwindow.h"

#include "alertdialog.h"
#include "logging.h"
#include "messagebar.h"
#include "ordercsv.h"
#include "orderhistorypager.h"
#include "orderhistoryview.h"
#include "pricealerts.h"
#include "theme.h"
#include "tradepanel.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QPointer>
#include <QScrollBar>
#include <QSettings>
#include <QSystemTrayIcon>
#include <QTimer>

#include <memory>

namespace valiant::app {

namespace {

constexpr int staleCheckIntervalMs = 250;
// The candle API returns at most 2000 candles per request.
constexpr std::int64_t maxCandlesPerRequest = 2000;

struct HistorySpec
{
    QString interval;
    std::int64_t intervalMs = 0;
};

// An hour in one-second candles (two requests), a day in one-minute ones.
HistorySpec historySpec(PriceChart::Range range)
{
    if (range == PriceChart::Range::Hour)
        return {QStringLiteral("1s"), 1000};
    return {QStringLiteral("1m"), 60'000};
}

/// Fetches the candles of [fromMs, toMs) in requests of at most 2000
/// candles each and hands `done` all of them, ascending, or the first error.
void fetchCandlesInChunks(core::MarketClient& client, const HistorySpec& spec, std::int64_t fromMs,
                          std::int64_t toMs, QList<core::Candle> collected,
                          std::function<void(core::Result<QList<core::Candle>>)> done)
{
    if (fromMs >= toMs) {
        done(collected);
        return;
    }
    const std::int64_t chunkEndMs = std::min(toMs, fromMs + maxCandlesPerRequest * spec.intervalMs);
    client.fetchCandles(spec.interval, fromMs, chunkEndMs,
                        [&client, spec, chunkEndMs, toMs, collected = std::move(collected),
                         done = std::move(done)](core::Result<QList<core::Candle>> chunk) mutable {
                            if (!chunk) {
                                done(chunk.error());
                                return;
                            }
                            for (const core::Candle& candle : chunk.value()) {
                                if (collected.isEmpty() || candle.startMs > collected.last().startMs)
                                    collected.append(candle);
                            }
                            fetchCandlesInChunks(client, spec, chunkEndMs, toMs,
                                                 std::move(collected), std::move(done));
                        });
}

}  // namespace

void MainWindow::setUpViews()
{
    buildMenus();

    m_staleTimer = new QTimer(this);
    m_staleTimer->setInterval(staleCheckIntervalMs);
    connect(m_staleTimer, &QTimer::timeout, this, &MainWindow::updateTradeGuard);
    m_staleTimer->start();

    connect(m_alerts, &PriceAlerts::alertTriggered, this,
            [this](const PriceAlert& alert, const core::Quote& quote) {
                notify(tr("Valiant price alert"),
                       tr("%1: VALV is at %2.")
                           .arg(PriceAlerts::describe(alert, locale()),
                                quote.price.toLocaleString(locale())));
            });

    connect(m_pager, &OrderHistoryPager::loadFailed, this, [this](const core::Error& error) {
        m_messageBar->showError(tr("Could not load the order history. %1").arg(error.message));
    });
    // Scrolling to the end of the list loads the next older page.
    QScrollBar* scrollBar = m_ordersView->verticalScrollBar();
    connect(scrollBar, &QScrollBar::valueChanged, this, [this, scrollBar](int value) {
        if (value == scrollBar->maximum())
            m_pager->loadOlder();
    });

    updateTradeGuard();
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* exportAction = file->addAction(tr("&Export order history as CSV…"), this,
                                            &MainWindow::chooseExportFile);
    exportAction->setObjectName(QStringLiteral("exportOrdersAction"));
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    QAction* olderAction = file->addAction(tr("Load &older orders"), this,
                                           [this] { m_pager->loadOlder(); });
    olderAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_O));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    m_rangeActions = new QActionGroup(this);
    const struct
    {
        PriceChart::Range range;
        QString text;
        Qt::Key key;
    } ranges[] = {{PriceChart::Range::LiveMinute, tr("Last &minute (live)"), Qt::Key_1},
                  {PriceChart::Range::Hour, tr("Last &hour"), Qt::Key_2},
                  {PriceChart::Range::Day, tr("Last &day"), Qt::Key_3}};
    for (const auto& entry : ranges) {
        QAction* action = view->addAction(entry.text);
        action->setCheckable(true);
        action->setChecked(entry.range == m_chart->range());
        action->setShortcut(QKeySequence(Qt::CTRL | entry.key));
        action->setData(QVariant::fromValue(entry.range));
        m_rangeActions->addAction(action);
        const PriceChart::Range range = entry.range;
        connect(action, &QAction::triggered, this, [this, range] { setChartRange(range); });
    }
    view->addSeparator();
    m_highContrastAction = view->addAction(tr("High &contrast"));
    m_highContrastAction->setObjectName(QStringLiteral("highContrastAction"));
    m_highContrastAction->setCheckable(true);
    m_highContrastAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H));
    connect(m_highContrastAction, &QAction::toggled, this, &MainWindow::setHighContrast);

    QMenu* alerts = menuBar()->addMenu(tr("&Alerts"));
    QAction* alertsAction =
        alerts->addAction(tr("&Price alerts…"), this, &MainWindow::showAlertDialog);
    alertsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
}

void MainWindow::setChartRange(PriceChart::Range range)
{
    m_chart->setRange(range);
    for (QAction* action : m_rangeActions->actions()) {
        if (action->data().value<PriceChart::Range>() == range)
            action->setChecked(true);
    }
    switch (range) {
        case PriceChart::Range::LiveMinute:
            m_chartTitle->setText(tr("PRICE · LAST 60 SECONDS"));
            break;
        case PriceChart::Range::Hour:
            m_chartTitle->setText(tr("PRICE · LAST HOUR"));
            break;
        case PriceChart::Range::Day:
            m_chartTitle->setText(tr("PRICE · LAST DAY"));
            break;
    }
    loadChartHistory();
}

void MainWindow::loadChartHistory()
{
    const PriceChart::Range range = m_chart->range();
    const int request = ++m_historyRequest;
    if (range == PriceChart::Range::LiveMinute)
        return;

    const HistorySpec spec = historySpec(range);
    const std::int64_t nowMs = QDateTime::currentMSecsSinceEpoch();
    // Candles start on whole intervals, so the first one may begin before the range.
    const std::int64_t fromMs = (nowMs - PriceChart::spanMs(range)) / spec.intervalMs * spec.intervalMs;
    QPointer<MainWindow> self(this);
    fetchCandlesInChunks(m_client, spec, fromMs, nowMs + spec.intervalMs, {},
                         [self, request, spec](core::Result<QList<core::Candle>> candles) {
                             if (!self || request != self->m_historyRequest)
                                 return;
                             if (!candles) {
                                 self->m_messageBar->showError(
                                     tr("Could not load the price history. %1")
                                         .arg(candles.error().message));
                                 return;
                             }
                             self->m_chart->setHistory(candles.value(), spec.intervalMs);
                         });
}

void MainWindow::updateTradeGuard()
{
    if (m_client.connectionState() != core::MarketClient::ConnectionState::Connected) {
        m_tradePanel->setBuySellBlockedReason(QString());
        return;
    }
    if (!m_sinceLastQuote.isValid()) {
        m_tradePanel->setBuySellBlockedReason(
            tr("Buy and Sell wait for the first live price."));
        return;
    }
    const qint64 ageMs = m_sinceLastQuote.elapsed();
    if (ageMs <= staleQuoteMs) {
        m_tradePanel->setBuySellBlockedReason(QString());
        return;
    }
    m_tradePanel->setBuySellBlockedReason(
        tr("Buy and Sell are paused: the last price arrived %n second(s) ago, so it may no "
           "longer be the market price.",
           nullptr, static_cast<int>(ageMs / 1000)));
}

void MainWindow::notify(const QString& title, const QString& text)
{
    // Desktops without a tray (and the offscreen platform) get the message
    // in the window only.
    if (QSystemTrayIcon::isSystemTrayAvailable() && QSystemTrayIcon::supportsMessages()) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(windowIcon(), this);
            m_tray->setToolTip(windowTitle());
        }
        m_tray->show();
        m_tray->showMessage(title, text, QSystemTrayIcon::Information);
    }
    m_messageBar->showInfo(text);
}

void MainWindow::showAlertDialog()
{
    AlertDialog dialog(*m_alerts, this);
    dialog.exec();
}

void MainWindow::chooseExportFile()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export order history"),
                                                      suggestedExportPath(QDate::currentDate()),
                                                      tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    exportOrderHistory(path);
}

void MainWindow::exportOrderHistory(const QString& path, std::function<void(core::Result<int>)> done)
{
    QPointer<MainWindow> self(this);
    m_pager->loadAll([self, path, done](core::Result<QList<core::Order>> orders) {
        const auto finish = [&](core::Result<int> result) {
            if (done)
                done(result);
        };
        if (!self)
            return;
        if (!orders) {
            self->m_messageBar->showError(
                tr("Could not export the order history. %1").arg(orders.error().message));
            finish(orders.error());
            return;
        }
        const core::Result<core::Ok> written = writeOrdersCsv(path, orders.value());
        if (!written) {
            self->m_messageBar->showError(written.error().message);
            finish(written.error());
            return;
        }
        const int count = static_cast<int>(orders->size());
        self->m_messageBar->showInfo(tr("%n order(s) exported to %1.", nullptr, count)
                                         .arg(QDir::toNativeSeparators(path)));
        finish(count);
    });
}

void MainWindow::setHighContrast(bool enabled)
{
    if (m_highContrastAction->isChecked() != enabled)
        m_highContrastAction->setChecked(enabled);
    if (enabled == m_highContrast)
        return;
    m_highContrast = enabled;
    // The application palette, so dialogs and tooltips follow too (a widget
    // palette would also lose to the window's style sheet). Turning it off
    // brings back the palette from before: the system's or --palette's.
    if (enabled) {
        m_paletteBeforeHighContrast = QApplication::palette();
        QApplication::setPalette(theme::highContrastPalette());
    } else {
        QApplication::setPalette(m_paletteBeforeHighContrast);
    }
    setStyleSheet(theme::styleSheet(palette()));
}

void MainWindow::saveSettings(QSettings& settings) const
{
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/state"), saveState());
    settings.setValue(QStringLiteral("view/chartRange"), static_cast<int>(m_chart->range()));
    settings.setValue(QStringLiteral("view/highContrast"), m_highContrast);
    settings.setValue(QStringLiteral("alerts/levels"), m_alerts->toStrings());
}

void MainWindow::restoreSettings(const QSettings& settings)
{
    if (restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray()))
        m_fitOnFirstShow = false;
    restoreState(settings.value(QStringLiteral("mainWindow/state")).toByteArray());
    const int range = settings.value(QStringLiteral("view/chartRange"), 0).toInt();
    if (range >= 0 && range <= static_cast<int>(PriceChart::Range::Day))
        setChartRange(static_cast<PriceChart::Range>(range));
    setHighContrast(settings.value(QStringLiteral("view/highContrast"), false).toBool());
    m_alerts->setFromStrings(settings.value(QStringLiteral("alerts/levels")).toStringList());
}

}  // namespace valiant::app
