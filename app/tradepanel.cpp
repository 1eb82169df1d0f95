#include "tradepanel.h"

#include "moneyinput.h"

#include "core/orderrules.h"

#include <QEvent>
#include <QGridLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QShortcut>
#include <QSpinBox>
#include <QValidator>

namespace valiant::app {

namespace {

// B, S and Space mean nothing in a number or an amount, so they reach the
// window's shortcuts even while a trade field has focus.
bool isTradeKey(const QEvent* event)
{
    if (event->type() != QEvent::ShortcutOverride)
        return false;
    const auto* key = static_cast<const QKeyEvent*>(event);
    const bool tradeKey =
        key->key() == Qt::Key_B || key->key() == Qt::Key_S || key->key() == Qt::Key_Space;
    return tradeKey && key->modifiers() == Qt::NoModifier;
}

class QuantitySpinBox : public QSpinBox
{
public:
    using QSpinBox::QSpinBox;

protected:
    bool event(QEvent* event) override
    {
        if (isTradeKey(event)) {
            event->ignore();
            return true;
        }
        return QSpinBox::event(event);
    }
};

/// Accepts only the characters that Money::parseLocale reads in the
/// validator's locale: ASCII digits, the decimal point, the group separator,
/// "$" and spaces. A text of those characters that is not yet an amount,
/// such as "12." while typing, is Intermediate.
class LimitPriceValidator : public QValidator
{
public:
    using QValidator::QValidator;

    State validate(QString& input, int& /*position*/) const override
    {
        const QLocale locale = this->locale();
        for (const QChar c : input) {
            if (!isPriceCharacter(c, locale))
                return Invalid;
        }
        if (input.trimmed().isEmpty() || core::Money::parseLocale(input, locale))
            return Acceptable;
        return Intermediate;
    }

private:
    static bool isPriceCharacter(QChar c, const QLocale& locale)
    {
        const bool asciiDigit = c >= QLatin1Char('0') && c <= QLatin1Char('9');
        return asciiDigit || c == QLatin1Char('$') || c.isSpace() ||
               locale.decimalPoint().contains(c) || locale.groupSeparator().contains(c);
    }
};

class LimitPriceEdit : public QLineEdit
{
public:
    explicit LimitPriceEdit(QWidget* parent) : QLineEdit(parent)
    {
        m_validator = new LimitPriceValidator(this);
        m_validator->setLocale(locale());
        setValidator(m_validator);
    }

protected:
    bool event(QEvent* event) override
    {
        if (isTradeKey(event)) {
            event->ignore();
            return true;
        }
        return QLineEdit::event(event);
    }

    void changeEvent(QEvent* event) override
    {
        QLineEdit::changeEvent(event);
        if (event->type() == QEvent::LocaleChange)
            m_validator->setLocale(locale());
    }

private:
    LimitPriceValidator* m_validator = nullptr;
};

/// A push button that a held Enter or Space cannot click again and again.
class OrderButton : public QPushButton
{
public:
    using QPushButton::QPushButton;

protected:
    void keyPressEvent(QKeyEvent* event) override
    {
        if (event->isAutoRepeat()) {
            event->accept();
            return;
        }
        QPushButton::keyPressEvent(event);
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

    auto* limitLabel = new QLabel(tr("&Limit price per share (optional)"), this);
    m_limitPrice = new LimitPriceEdit(this);
    m_limitPrice->setObjectName(QStringLiteral("limitPriceEdit"));
    m_limitPrice->setAccessibleName(tr("Limit price per share"));
    m_limitPrice->setPlaceholderText(tr("Any price"));
    m_limitPrice->setToolTip(tr("The most a buy pays or the least a sell takes per share. "
                                "Leave empty to trade at the live price."));
    m_limitPrice->setClearButtonEnabled(true);
    m_limitPrice->setMinimumHeight(34);
    limitLabel->setBuddy(m_limitPrice);

    m_estimate = new QLabel(this);
    m_estimate->setObjectName(QStringLiteral("mutedLabel"));
    m_estimate->setAccessibleName(tr("Estimated order total"));
    // A total of millions does not fit the panel's width on one line.
    m_estimate->setWordWrap(true);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("tradeStatusLabel"));
    m_status->setAccessibleName(tr("Trading status"));
    m_status->setWordWrap(true);
    m_status->hide();

    m_buy = makeButton(QStringLiteral("buyButton"), QString(), tr("Buy"), Qt::Key_B,
                       tr("Buy the quantity at the live price. Shortcut: B"), &m_buyShortcut);
    m_sell = makeButton(QStringLiteral("sellButton"), QString(), tr("Sell"), Qt::Key_S,
                        tr("Sell the quantity at the live price. Shortcut: S"), &m_sellShortcut);
    m_praise = makeButton(QStringLiteral("praiseButton"), QString(), tr("Praise the sun"),
                          Qt::Key_Space, tr("Earn $0.10 for every share you hold. Shortcut: Space"),
                          &m_praiseShortcut);
    retranslateButtons();

    connect(m_buy, &QPushButton::clicked, this, [this] { requestOrder(core::Side::Buy); });
    connect(m_sell, &QPushButton::clicked, this, [this] { requestOrder(core::Side::Sell); });
    connect(m_praise, &QPushButton::clicked, this, &TradePanel::requestPraise);
    connect(m_quantity, &QSpinBox::valueChanged, this, &TradePanel::updateEstimate);
    connect(m_limitPrice, &QLineEdit::textChanged, this, [this] {
        m_limitError.clear();
        updateButtons();
        updateEstimate();
    });

    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(16, 14, 16, 16);
    layout->setHorizontalSpacing(10);
    layout->setVerticalSpacing(10);
    layout->addWidget(title, 0, 0, 1, 2);
    layout->addWidget(quantityLabel, 1, 0, 1, 2);
    layout->addWidget(m_quantity, 2, 0, 1, 2);
    layout->addWidget(limitLabel, 3, 0, 1, 2);
    layout->addWidget(m_limitPrice, 4, 0, 1, 2);
    layout->addWidget(m_estimate, 5, 0, 1, 2);
    layout->addWidget(m_buy, 6, 0);
    layout->addWidget(m_sell, 6, 1);
    layout->addWidget(m_status, 7, 0, 1, 2);
    layout->addWidget(m_praise, 8, 0, 1, 2);

    setTabOrder(m_quantity, m_limitPrice);
    setTabOrder(m_limitPrice, m_buy);
    setTabOrder(m_buy, m_sell);
    setTabOrder(m_sell, m_praise);
    updateEstimate();
}

QPushButton* TradePanel::makeButton(const QString& objectName, const QString& text,
                                    const QString& accessibleName, const QKeySequence& key,
                                    const QString& toolTip, QShortcut** shortcutOut)
{
    auto* button = new OrderButton(text, this);
    button->setObjectName(objectName);
    button->setAccessibleName(accessibleName);
    button->setAccessibleDescription(toolTip);
    button->setToolTip(toolTip);
    button->setCursor(Qt::PointingHandCursor);
    button->setMinimumHeight(40);

    // The shortcut belongs to the window, not to the button: it works
    // wherever focus is, and a press while the button is off does nothing.
    // B and S stay enabled even then, so that they never fall through to a
    // focused field as typed letters. A held key repeats nothing.
    auto* shortcut = new QShortcut(key, this);
    shortcut->setContext(Qt::WindowShortcut);
    shortcut->setAutoRepeat(false);
    connect(shortcut, &QShortcut::activated, button, [button] {
        if (button->isEnabled())
            button->click();
    });
    *shortcutOut = shortcut;
    return button;
}

void TradePanel::retranslateButtons()
{
    const bool buying = m_pendingSide == core::Side::Buy;
    const bool selling = m_pendingSide == core::Side::Sell;
    m_buy->setText(buying ? tr("Buying…") : tr("Buy  (B)"));
    m_sell->setText(selling ? tr("Selling…") : tr("Sell  (S)"));
    m_praise->setText(tr("☀  Praise the sun  (Space)"));
}

void TradePanel::setTradingEnabled(bool enabled)
{
    m_tradingEnabled = enabled;
    updateButtons();
}

void TradePanel::setBuySellBlockedReason(const QString& reason)
{
    if (reason == m_blockedReason)
        return;
    m_blockedReason = reason;
    updateButtons();
}

void TradePanel::setOrderPending(core::Side side)
{
    m_pendingSide = side;
    retranslateButtons();
    updateButtons();
}

void TradePanel::clearOrderPending()
{
    m_pendingSide.reset();
    retranslateButtons();
    updateButtons();
}

void TradePanel::updateButtons()
{
    const bool buySell = m_tradingEnabled && m_blockedReason.isEmpty() && !m_pendingSide;
    m_buy->setEnabled(buySell);
    m_sell->setEnabled(buySell);
    m_praise->setEnabled(m_tradingEnabled);
    m_praiseShortcut->setEnabled(m_tradingEnabled);

    QString status;
    if (m_pendingSide)
        status = tr("Waiting for the server to confirm the order…");
    else if (m_tradingEnabled && !m_blockedReason.isEmpty())
        status = m_blockedReason;
    else if (!m_limitError.isEmpty())
        status = m_limitError;
    m_status->setText(status);
    m_status->setVisible(!status.isEmpty());
    m_status->setAccessibleDescription(status);
}

void TradePanel::setLastPrice(core::Money price)
{
    m_lastPrice = price;
    updateEstimate();
}

void TradePanel::clearServerState()
{
    m_lastPrice.reset();
    m_limitError.clear();
    clearOrderPending();
    updateEstimate();
    updateButtons();
}

std::int64_t TradePanel::quantity() const
{
    return m_quantity->value();
}

void TradePanel::setQuantity(std::int64_t quantity)
{
    m_quantity->setValue(static_cast<int>(quantity));
}

core::Result<std::optional<core::Money>> TradePanel::limitPrice() const
{
    const QString text = m_limitPrice->text().trimmed();
    if (text.isEmpty())
        return std::optional<core::Money>();

    const QLocale locale = this->locale();
    QString problem;
    const std::optional<core::Money> price = MoneyInput::parsePositive(text, locale, problem);
    if (!price) {
        const QString example = core::Money::fromCents(12'50).toLocaleString(locale);
        return core::makeError(
            422, QStringLiteral("invalid_limit_price"),
            tr("Limit price: %1 Type it like %2, or leave it empty to trade at any price.")
                .arg(problem, example));
    }
    return std::optional<core::Money>(price);
}

void TradePanel::changeEvent(QEvent* event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::LocaleChange)
        updateEstimate();
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
    const QString totalText = total->toLocaleString(locale());
    const QString priceText = m_lastPrice->toLocaleString(locale());
    // The limit as the app reads it, so a surprise shows before the order.
    const core::Result<std::optional<core::Money>> limit = limitPrice();
    if (limit && limit.value()) {
        m_estimate->setText(tr("Estimated total: %1 at %2 per share, with a limit of %3 per share")
                                .arg(totalText, priceText, limit.value()->toLocaleString(locale())));
        return;
    }
    m_estimate->setText(tr("Estimated total: %1 at %2 per share").arg(totalText, priceText));
}

void TradePanel::requestOrder(core::Side side)
{
    if (!m_tradingEnabled || !m_blockedReason.isEmpty() || m_pendingSide)
        return;

    const core::Result<std::optional<core::Money>> limit = limitPrice();
    if (!limit) {
        m_limitError = limit.error().message;
        updateButtons();
        m_limitPrice->setFocus();
        return;
    }
    Q_EMIT orderRequested(side, quantity(), limit.value());
}

void TradePanel::requestPraise()
{
    if (m_tradingEnabled)
        Q_EMIT praiseRequested();
}

}  // namespace valiant::app
