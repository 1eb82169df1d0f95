#pragma once

// OrderHistoryModel: the account's orders, newest first. A fill may arrive
// both as a signal and in a later fetch; orders are unique by id.

#include "core/market.h"

#include <QAbstractTableModel>
#include <QList>
#include <QPalette>

namespace valiant::app {

class OrderHistoryModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        TimeColumn,
        SideColumn,
        QuantityColumn,
        PriceColumn,
        TotalColumn,
        ColumnCount
    };

    explicit OrderHistoryModel(QObject* parent = nullptr);

    /// Replaces the list with `orders` (any order; sorted newest first).
    void setOrders(QList<core::Order> orders);
    /// Adds `orders` to those shown, such as an older page; known ids update.
    void addOrders(const QList<core::Order>& orders);
    /// Inserts one order at its place by id, or updates it when known.
    void addOrder(const core::Order& order);
    const core::Order& orderAt(int row) const { return m_orders.at(row); }

    /// Colours of the Buy and Sell texts; set from the view's palette.
    void setSidePalette(const QPalette& palette);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QVariant displayData(const core::Order& order, int column) const;

    QList<core::Order> m_orders;  // descending id
    QPalette m_palette;
};

}  // namespace valiant::app
