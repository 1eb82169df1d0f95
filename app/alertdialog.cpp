#include "alertdialog.h"

#include "moneyinput.h"
#include "pricealerts.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace valiant::app {

AlertDialog::AlertDialog(PriceAlerts& alerts, QWidget* parent) : QDialog(parent), m_alerts(alerts)
{
    setObjectName(QStringLiteral("alertDialog"));
    setWindowTitle(tr("Price alerts"));

    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("alertList"));
    m_list->setAccessibleName(tr("Active price alerts"));
    m_empty = new QLabel(tr("No price alerts yet. Add one below, and the app tells you when "
                            "the price reaches its level."),
                         this);
    m_empty->setObjectName(QStringLiteral("alertEmptyLabel"));
    m_empty->setWordWrap(true);
    m_remove = new QPushButton(tr("&Remove alert"), this);
    m_remove->setAccessibleName(tr("Remove the selected alert"));
    connect(m_remove, &QPushButton::clicked, this, [this] {
        m_alerts.removeAt(m_list->currentRow());
    });

    m_direction = new QComboBox(this);
    m_direction->setObjectName(QStringLiteral("alertDirection"));
    m_direction->setAccessibleName(tr("Alert when the price is"));
    m_direction->addItem(tr("at or above"));
    m_direction->addItem(tr("at or below"));
    m_level = new QLineEdit(this);
    m_level->setObjectName(QStringLiteral("alertLevel"));
    m_level->setAccessibleName(tr("Alert price level"));
    m_level->setPlaceholderText(exampleLevel());
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("alertError"));
    m_error->setWordWrap(true);
    m_error->hide();

    auto* add = new QPushButton(tr("&Add alert"), this);
    add->setObjectName(QStringLiteral("alertAddButton"));
    add->setAccessibleName(tr("Add the price alert"));
    add->setDefault(true);
    connect(add, &QPushButton::clicked, this, &AlertDialog::addAlert);

    auto* form = new QFormLayout;
    form->addRow(tr("Alert when the price is"), m_direction);
    form->addRow(tr("&Level"), m_level);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_empty);
    layout->addWidget(m_list);
    layout->addWidget(m_remove);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(add);
    layout->addWidget(buttons);

    connect(&m_alerts, &PriceAlerts::alertsChanged, this, &AlertDialog::refreshList);
    // The example level follows the price while the dialog is open.
    connect(&m_alerts, &PriceAlerts::lastPriceChanged, this,
            [this] { m_level->setPlaceholderText(exampleLevel()); });
    refreshList();
    m_level->setFocus();
}

void AlertDialog::refreshList()
{
    m_list->clear();
    for (const PriceAlert& alert : m_alerts.alerts())
        m_list->addItem(PriceAlerts::describe(alert, locale()));
    m_remove->setEnabled(m_list->count() > 0);
    m_empty->setVisible(m_list->count() == 0);
    if (m_list->count() > 0)
        m_list->setCurrentRow(0);
}

QString AlertDialog::exampleLevel() const
{
    // The current price is the example a user can adjust. Until a quote
    // arrives, the example is $50.00, the market's first price.
    return m_alerts.lastPrice().value_or(core::Money::fromCents(50'00)).toLocaleString(locale());
}

void AlertDialog::addAlert()
{
    QString problem;
    const std::optional<core::Money> level =
        MoneyInput::parsePositive(m_level->text(), locale(), problem);
    if (!level) {
        m_error->setText(tr("%1 Type the level like %2.").arg(problem, exampleLevel()));
        m_error->show();
        return;
    }
    m_error->hide();
    m_alerts.add(PriceAlert{m_direction->currentIndex() == 0 ? PriceAlert::Direction::Above
                                                             : PriceAlert::Direction::Below,
                            *level});
    m_level->clear();
}

}  // namespace valiant::app
