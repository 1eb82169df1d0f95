#include "orderhistorymodel.h"

#include "theme.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>

namespace valiant::app {

OrderHistoryModel::OrderHistoryModel(QObject* parent) : QAbstractTableModel(parent) {}

void OrderHistoryModel::setOrders(QList<core::Order> orders)
{
    std::sort(orders.begin(), orders.end(),
              [](const core::Order& a, const core::Order& b) { return a.id > b.id; });
    orders.erase(
        std::unique(orders.begin(), orders.end(),
                    [](const core::Order& a, const core::Order& b) { return a.id == b.id; }),
        orders.end());

    beginResetModel();
    m_orders = std::move(orders);
    endResetModel();
}

void OrderHistoryModel::addOrders(const QList<core::Order>& orders)
{
    // Orders never change once filled, so either copy of a known id will do.
    QList<core::Order> merged = m_orders;
    merged.append(orders);
    setOrders(std::move(merged));
}

void OrderHistoryModel::addOrder(const core::Order& order)
{
    const auto position = std::lower_bound(
        m_orders.begin(), m_orders.end(), order.id,
        [](const core::Order& existing, std::int64_t id) { return existing.id > id; });
    const int row = static_cast<int>(position - m_orders.begin());

    if (position != m_orders.end() && position->id == order.id) {
        *position = order;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }

    beginInsertRows({}, row, row);
    m_orders.insert(row, order);
    endInsertRows();
}

void OrderHistoryModel::setSidePalette(const QPalette& palette)
{
    m_palette = palette;
    if (!m_orders.isEmpty())
        Q_EMIT dataChanged(index(0, SideColumn), index(rowCount() - 1, SideColumn));
}

int OrderHistoryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_orders.size());
}

int OrderHistoryModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant OrderHistoryModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_orders.size())
        return {};

    const core::Order& order = m_orders.at(index.row());
    switch (role) {
        case Qt::DisplayRole:
            return displayData(order, index.column());
        case Qt::TextAlignmentRole:
            if (index.column() == TimeColumn || index.column() == SideColumn)
                return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        case Qt::ForegroundRole:
            if (index.column() != SideColumn)
                return {};
            return order.side == core::Side::Buy ? theme::gainColor(m_palette)
                                                 : theme::lossColor(m_palette);
        case Qt::AccessibleTextRole:
            return tr("%1 %2 shares at %3, total %4")
                .arg(displayData(order, SideColumn).toString(),
                     displayData(order, QuantityColumn).toString(),
                     displayData(order, PriceColumn).toString(),
                     displayData(order, TotalColumn).toString());
        default:
            return {};
    }
}

QVariant OrderHistoryModel::displayData(const core::Order& order, int column) const
{
    const QLocale locale;
    switch (column) {
        case TimeColumn: {
            // Orders of today show the time only, and older ones add the date.
            const QDateTime created = QDateTime::fromMSecsSinceEpoch(order.createdMs);
            if (created.date() == QDate::currentDate())
                return locale.toString(created.time(), QStringLiteral("HH:mm:ss"));
            return locale.toString(created, QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        }
        case SideColumn:
            return order.side == core::Side::Buy ? tr("▲ Buy") : tr("▼ Sell");
        case QuantityColumn:
            return locale.toString(static_cast<qlonglong>(order.quantity));
        case PriceColumn:
            return order.price.toLocaleString(locale);
        case TotalColumn:
            return order.total.toLocaleString(locale);
        default:
            return {};
    }
}

QVariant OrderHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole)
        return QVariant::fromValue(
            (section == TimeColumn || section == SideColumn ? Qt::AlignLeft : Qt::AlignRight) |
            Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};

    switch (section) {
        case TimeColumn:
            return tr("Time");
        case SideColumn:
            return tr("Side");
        case QuantityColumn:
            return tr("Quantity");
        case PriceColumn:
            return tr("Price");
        case TotalColumn:
            return tr("Total");
        default:
            return {};
    }
}

}  // namespace valiant::app
