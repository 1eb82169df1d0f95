#pragma once

// AlertDialog: lists the price alerts, removes them and adds a new one with
// a level typed in the locale's format.

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace valiant::app {

class PriceAlerts;

class AlertDialog : public QDialog
{
    Q_OBJECT

public:
    /// `alerts` is not owned and must outlive the dialog.
    explicit AlertDialog(PriceAlerts& alerts, QWidget* parent = nullptr);

private:
    void refreshList();
    void addAlert();
    /// A level to show as an example: the last price, in the locale's format.
    QString exampleLevel() const;

    PriceAlerts& m_alerts;
    QListWidget* m_list = nullptr;
    QPushButton* m_remove = nullptr;
    QComboBox* m_direction = nullptr;
    QLineEdit* m_level = nullptr;
    QLabel* m_error = nullptr;
    QLabel* m_empty = nullptr;  // shown above the list while it is empty
};

}  // namespace valiant::app
