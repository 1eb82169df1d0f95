#pragma once

// PriceAlerts: levels the person wants to hear about. An alert fires once,
// on the first quote at or beyond its level, and is then removed.

#include "core/market.h"

#include <QList>
#include <QObject>
#include <QStringList>

#include <optional>

namespace valiant::app {

struct PriceAlert
{
    enum class Direction { Above, Below };
    Direction direction = Direction::Above;
    core::Money level;

    bool isMetBy(core::Money price) const
    {
        return direction == Direction::Above ? price >= level : price <= level;
    }
    bool operator==(const PriceAlert&) const = default;
};

class PriceAlerts : public QObject
{
    Q_OBJECT

public:
    explicit PriceAlerts(QObject* parent = nullptr);

    void add(const PriceAlert& alert);
    void removeAt(int index);
    const QList<PriceAlert>& alerts() const { return m_alerts; }

    /// Fires and removes every alert that `quote` meets.
    void checkQuote(const core::Quote& quote);
    /// The price of the last quote checked, if any.
    std::optional<core::Money> lastPrice() const { return m_lastPrice; }

    /// Settings form, one "above:12.34" or "below:0.50" per alert.
    QStringList toStrings() const;
    /// Replaces the alerts with those of toStrings(); skips malformed entries.
    void setFromStrings(const QStringList& entries);

    /// Sentence for a person, e.g. "Price at or above $60.00".
    static QString describe(const PriceAlert& alert, const QLocale& locale);

Q_SIGNALS:
    void alertTriggered(const valiant::app::PriceAlert& alert, const valiant::core::Quote& quote);
    void alertsChanged();
    void lastPriceChanged();

private:
    QList<PriceAlert> m_alerts;
    std::optional<core::Money> m_lastPrice;
};

}  // namespace valiant::app
