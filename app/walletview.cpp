#include "walletview.h"

#include "theme.h"

#include <QEvent>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>

#include <cstdlib>

namespace valiant::app {

WalletView::WalletView(QWidget* parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("card"));

    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(16, 14, 16, 16);
    layout->setHorizontalSpacing(12);
    layout->setVerticalSpacing(8);
    layout->setColumnStretch(1, 1);

    auto* title = new QLabel(tr("WALLET"), this);
    title->setObjectName(QStringLiteral("cardTitle"));
    layout->addWidget(title, 0, 0, 1, 2);

    m_cash = addRow(QStringLiteral("cashValue"), tr("Cash"), tr("Cash balance"));
    m_shares = addRow(QStringLiteral("sharesValue"), tr("Shares"), tr("Shares held"));
    m_marketValue = addRow(QStringLiteral("marketValueValue"), tr("Market value"),
                           tr("Market value of the shares"));
    m_costBasis =
        addRow(QStringLiteral("costBasisValue"), tr("Cost basis"), tr("What the shares held cost"));
    m_profitAndLoss =
        addRow(QStringLiteral("profitAndLossValue"), tr("Profit and loss"), tr("Profit and loss"));

    QFont emphasis = m_cash->font();
    emphasis.setPointSizeF(emphasis.pointSizeF() * 1.15);
    emphasis.setWeight(QFont::DemiBold);
    m_cash->setFont(emphasis);
    m_profitAndLoss->setFont(emphasis);

    refresh();
}

QLabel* WalletView::addRow(const QString& objectName, const QString& title,
                           const QString& accessibleName)
{
    auto* layout = static_cast<QGridLayout*>(this->layout());
    const int row = layout->rowCount();

    auto* name = new QLabel(title, this);
    name->setObjectName(QStringLiteral("mutedLabel"));

    auto* value = new QLabel(this);
    value->setObjectName(objectName);
    value->setAccessibleName(accessibleName);
    value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    name->setBuddy(value);

    layout->addWidget(name, row, 0);
    layout->addWidget(value, row, 1);
    return value;
}

void WalletView::setPortfolio(const core::Portfolio& portfolio)
{
    // A portfolio valued at an older quote than the one shown keeps the
    // newer quote, so the market value never steps back in time.
    std::optional<core::Quote> newest = portfolio.lastQuote;
    if (m_portfolio && m_portfolio->lastQuote &&
        (!newest || newest->id < m_portfolio->lastQuote->id))
        newest = m_portfolio->lastQuote;

    m_portfolio = portfolio;
    m_portfolio->lastQuote = newest;
    refresh();
}

void WalletView::updateQuote(const core::Quote& quote)
{
    if (!m_portfolio)
        return;
    if (m_portfolio->lastQuote && m_portfolio->lastQuote->id >= quote.id)
        return;

    m_portfolio->lastQuote = quote;
    refresh();
}

void WalletView::changeEvent(QEvent* event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::LocaleChange)
        refresh();
}

void WalletView::clear()
{
    m_portfolio.reset();
    refresh();
}

void WalletView::refresh()
{
    const QString unknown = QStringLiteral("—");
    if (!m_portfolio) {
        for (QLabel* label : {m_cash, m_shares, m_marketValue, m_costBasis, m_profitAndLoss})
            label->setText(unknown);
        return;
    }

    const QLocale locale = this->locale();
    const core::Holdings& holdings = m_portfolio->holdings;
    m_cash->setText(holdings.cash.toLocaleString(locale));
    m_shares->setText(locale.toString(static_cast<qlonglong>(holdings.shares)));
    m_costBasis->setText(holdings.costBasis.toLocaleString(locale));

    if (!m_portfolio->lastQuote) {
        m_marketValue->setText(unknown);
        m_profitAndLoss->setText(unknown);
        return;
    }

    m_marketValue->setText(m_portfolio->marketValue().toLocaleString(locale));

    const std::int64_t cents = m_portfolio->profitAndLoss().cents();
    const int sign = (cents > 0) - (cents < 0);
    const QString amount = core::Money::fromCents(std::llabs(cents)).toLocaleString(locale);
    const QString signText = theme::signPrefix(sign);
    m_profitAndLoss->setText(
        QStringLiteral("%1 %2%3").arg(theme::arrowFor(sign), signText, amount));

    const QColor color = theme::trendColor(palette(), sign);
    QPalette valuePalette = m_profitAndLoss->palette();
    valuePalette.setColor(QPalette::WindowText, color);
    m_profitAndLoss->setPalette(valuePalette);
}

}  // namespace valiant::app
