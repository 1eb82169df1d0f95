#include "tradepanel.h"

#include "core/orderrules.h"

#include <QEvent>
#include <QGridLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QShortcut>
#include <QSpinBox>
#include <QVBoxLayout>

namespace valiant::app {

namespace {

/// A spin box that lets the trade shortcuts through: B, S and Space mean
/// nothing in a number, so they reach the window's shortcuts even while
/// the quantity has focus.
class QuantitySpinBox : public QSpinBox
{
public:
    using QSpinBox::QSpinBox;

protected:
    bool event(QEvent* event) override
    {
        if (event->type() == QEvent::ShortcutOverride) {
            const auto* key = static_cast<QKeyEvent*>(event);
            const bool tradeKey =
                key->key() == Qt::Key_B || key->key() == Qt::Key_S || key->key() == Qt::Key_Space;
            if (tradeKey && key->modifiers() == Qt::NoModifier) {
                event->ignore();
                return true;
            }
        }
        return QSpinBox::event(event);
    }
};

}  // namespace

TradePanel::TradePanel(QWidget* parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("card"));

    auto* title = new QLabel(tr("TRADE"), this);
    title->setObjectName(QStringLiteral("cardTitle"));

    auto* quantityLabel = new QLabel(tr("&Quantity (shares)"), this);
    m_quantity = new QuantitySpinBox(this);
    m_quantity->setObjectName(QStringLiteral("quantitySpinBox"));
    m_quantity->setRange(static_cast<int>(core::minOrderQuantity),
                         static_cast<int>(core::maxOrderQuantity));
    m_quantity->setValue(1);
    m_quantity->setGroupSeparatorShown(true);
    m_quantity->setAccessibleName(tr("Quantity in shares"));
    m_quantity->setToolTip(tr("Number of shares to buy or sell, from 1 to 1,000,000"));
    m_quantity->setMinimumHeight(34);
    quantityLabel->setBuddy(m_quantity);

    m_estimate = new QLabel(this);
    m_estimate->setObjectName(QStringLiteral("mutedLabel"));
    m_estimate->setAccessibleName(tr("Estimated order total"));

    m_buy = makeButton(QStringLiteral("buyButton"), tr("Buy  (B)"), tr("Buy"), Qt::Key_B,
                       tr("Buy the quantity at the live price. Shortcut: B"));
    m_sell = makeButton(QStringLiteral("sellButton"), tr("Sell  (S)"), tr("Sell"), Qt::Key_S,
                        tr("Sell the quantity at the live price. Shortcut: S"));
    m_praise = makeButton(QStringLiteral("praiseButton"), tr("☀  Praise the sun  (Space)"),
                          tr("Praise the sun"), Qt::Key_Space,
                          tr("Earn $0.10 for every share you hold. Shortcut: Space"));

    connect(m_buy, &QPushButton::clicked, this, &TradePanel::requestBuy);
    connect(m_sell, &QPushButton::clicked, this, &TradePanel::requestSell);
    connect(m_praise, &QPushButton::clicked, this, &TradePanel::requestPraise);
    connect(m_quantity, &QSpinBox::valueChanged, this, &TradePanel::updateEstimate);

    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(16, 14, 16, 16);
    layout->setHorizontalSpacing(10);
    layout->setVerticalSpacing(10);
    layout->addWidget(title, 0, 0, 1, 2);
    layout->addWidget(quantityLabel, 1, 0, 1, 2);
    layout->addWidget(m_quantity, 2, 0, 1, 2);
    layout->addWidget(m_estimate, 3, 0, 1, 2);
    layout->addWidget(m_buy, 4, 0);
    layout->addWidget(m_sell, 4, 1);
    layout->addWidget(m_praise, 5, 0, 1, 2);

    updateEstimate();
}

QPushButton* TradePanel::makeButton(const QString& objectName, const QString& text,
                                    const QString& accessibleName, const QKeySequence& key,
                                    const QString& toolTip)
{
    auto* button = new QPushButton(text, this);
    button->setObjectName(objectName);
    button->setAccessibleName(accessibleName);
    button->setAccessibleDescription(toolTip);
    button->setToolTip(toolTip);
    button->setCursor(Qt::PointingHandCursor);
    button->setMinimumHeight(40);

    // The shortcut belongs to the window, not to the button: it works
    // wherever focus is, and it is switched off together with the button.
    auto* shortcut = new QShortcut(key, this);
    shortcut->setContext(Qt::WindowShortcut);
    connect(shortcut, &QShortcut::activated, button, &QPushButton::animateClick);
    m_shortcuts.append(shortcut);
    return button;
}

void TradePanel::setTradingEnabled(bool enabled)
{
    m_tradingEnabled = enabled;
    for (QPushButton* button : {m_buy, m_sell, m_praise})
        button->setEnabled(enabled);
    for (QShortcut* shortcut : std::as_const(m_shortcuts))
        shortcut->setEnabled(enabled);
}

void TradePanel::setLastPrice(core::Money price)
{
    m_lastPrice = price;
    updateEstimate();
}

std::int64_t TradePanel::quantity() const
{
    return m_quantity->value();
}

void TradePanel::setQuantity(std::int64_t quantity)
{
    m_quantity->setValue(static_cast<int>(quantity));
}

void TradePanel::updateEstimate()
{
    if (!m_lastPrice) {
        m_estimate->setText(tr("Estimated total: waiting for a price"));
        return;
    }

    const std::optional<core::Money> total = m_lastPrice->times(quantity());
    if (!total) {
        m_estimate->setText(tr("Estimated total: too large to compute"));
        return;
    }
    m_estimate->setText(
        tr("Estimated total: %1 at %2 per share")
            .arg(total->toLocaleString(locale()), m_lastPrice->toLocaleString(locale())));
}

void TradePanel::requestBuy()
{
    if (m_tradingEnabled)
        Q_EMIT buyRequested(quantity());
}

void TradePanel::requestSell()
{
    if (m_tradingEnabled)
        Q_EMIT sellRequested(quantity());
}

void TradePanel::requestPraise()
{
    if (m_tradingEnabled)
        Q_EMIT praiseRequested();
}

}  // namespace valiant::app
