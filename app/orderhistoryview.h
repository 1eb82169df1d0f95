#pragma once

// OrderHistoryView: the order history table, with a hint in place of an
// empty table.

#include <QTableView>

namespace valiant::app {

class OrderHistoryModel;

class OrderHistoryView : public QTableView
{
    Q_OBJECT

public:
    explicit OrderHistoryView(OrderHistoryModel* model, QWidget* parent = nullptr);

protected:
    void paintEvent(QPaintEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    OrderHistoryModel* m_model = nullptr;
};

}  // namespace valiant::app
