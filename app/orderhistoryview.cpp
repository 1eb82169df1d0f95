#include "orderhistoryview.h"

#include "orderhistorymodel.h"

#include <QEvent>
#include <QHeaderView>
#include <QPainter>

namespace valiant::app {

OrderHistoryView::OrderHistoryView(OrderHistoryModel* model, QWidget* parent)
    : QTableView(parent), m_model(model)
{
    setObjectName(QStringLiteral("orderHistoryView"));
    setAccessibleName(tr("Order history, newest first"));
    setModel(model);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setAlternatingRowColors(true);
    setShowGrid(false);
    setWordWrap(false);
    setFocusPolicy(Qt::StrongFocus);
    verticalHeader()->hide();
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 12);
    horizontalHeader()->setHighlightSections(false);
    horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    horizontalHeader()->setSectionResizeMode(OrderHistoryModel::TimeColumn, QHeaderView::Fixed);
    horizontalHeader()->resizeSection(
        OrderHistoryModel::TimeColumn,
        fontMetrics().horizontalAdvance(QStringLiteral("0000-00-00 00:00:00")) + 24);
    m_model->setSidePalette(palette());

    connect(model, &QAbstractItemModel::modelReset, viewport(), qOverload<>(&QWidget::update));
    connect(model, &QAbstractItemModel::rowsInserted, viewport(), qOverload<>(&QWidget::update));
}

void OrderHistoryView::paintEvent(QPaintEvent* event)
{
    QTableView::paintEvent(event);
    if (m_model->rowCount() > 0)
        return;

    QPainter painter(viewport());
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(viewport()->rect().adjusted(12, 12, -12, -12),
                     Qt::AlignCenter | Qt::TextWordWrap,
                     tr("No orders yet. Press B to buy or S to sell at the live price."));
}

void OrderHistoryView::changeEvent(QEvent* event)
{
    QTableView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        m_model->setSidePalette(palette());
}

}  // namespace valiant::app
