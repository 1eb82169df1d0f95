#include "pricealerts.h"

#include "logging.h"

#include <QLocale>

namespace valiant::app {

PriceAlerts::PriceAlerts(QObject* parent) : QObject(parent) {}

void PriceAlerts::add(const PriceAlert& alert)
{
    m_alerts.append(alert);
    Q_EMIT alertsChanged();
}

void PriceAlerts::removeAt(int index)
{
    if (index < 0 || index >= m_alerts.size())
        return;
    m_alerts.removeAt(index);
    Q_EMIT alertsChanged();
}

void PriceAlerts::checkQuote(const core::Quote& quote)
{
    if (m_lastPrice != quote.price) {
        m_lastPrice = quote.price;
        Q_EMIT lastPriceChanged();
    }
    QList<PriceAlert> triggered;
    for (qsizetype i = m_alerts.size() - 1; i >= 0; --i) {
        if (m_alerts.at(i).isMetBy(quote.price))
            triggered.prepend(m_alerts.takeAt(i));
    }
    if (triggered.isEmpty())
        return;

    Q_EMIT alertsChanged();
    for (const PriceAlert& alert : std::as_const(triggered))
        Q_EMIT alertTriggered(alert, quote);
}

QStringList PriceAlerts::toStrings() const
{
    QStringList entries;
    for (const PriceAlert& alert : m_alerts) {
        const QString direction = alert.direction == PriceAlert::Direction::Above
                                      ? QStringLiteral("above")
                                      : QStringLiteral("below");
        entries.append(direction + QLatin1Char(':') + alert.level.toString());
    }
    return entries;
}

void PriceAlerts::setFromStrings(const QStringList& entries)
{
    m_alerts.clear();
    for (const QString& entry : entries) {
        const QString direction = entry.section(QLatin1Char(':'), 0, 0);
        const core::Result<core::Money> level = core::Money::parse(entry.section(QLatin1Char(':'), 1));
        if (!level || (direction != QLatin1String("above") && direction != QLatin1String("below"))) {
            qCWarning(lcApp) << "Skipped the saved price alert" << entry
                             << "because it is not of the form above:12.34 or below:12.34";
            continue;
        }
        m_alerts.append(PriceAlert{direction == QLatin1String("above")
                                       ? PriceAlert::Direction::Above
                                       : PriceAlert::Direction::Below,
                                   *level});
    }
    Q_EMIT alertsChanged();
}

QString PriceAlerts::describe(const PriceAlert& alert, const QLocale& locale)
{
    const QString level = alert.level.toLocaleString(locale);
    return alert.direction == PriceAlert::Direction::Above ? tr("Price at or above %1").arg(level)
                                                           : tr("Price at or below %1").arg(level);
}

}  // namespace valiant::app
