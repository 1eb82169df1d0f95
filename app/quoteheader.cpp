#include "quoteheader.h"

#include "theme.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

#include <cstdlib>

namespace valiant::app {

namespace {

QFont scaledFont(const QFont& base, double factor, QFont::Weight weight)
{
    QFont font = base;
    font.setPointSizeF(base.pointSizeF() * factor);
    font.setWeight(weight);
    return font;
}

}  // namespace

QuoteHeader::QuoteHeader(QWidget* parent) : QWidget(parent)
{
    m_symbol = new QLabel(tr("ValveCoin"), this);
    m_symbol->setObjectName(QStringLiteral("symbolLabel"));
    m_symbol->setFont(scaledFont(font(), 1.5, QFont::DemiBold));

    m_ticker = new QLabel(tr("VALV · simulated market"), this);
    m_ticker->setObjectName(QStringLiteral("mutedLabel"));

    m_price = new QLabel(QStringLiteral("—"), this);
    m_price->installEventFilter(this);
    m_price->setObjectName(QStringLiteral("priceLabel"));
    m_price->setFont(scaledFont(font(), 2.4, QFont::Bold));
    m_price->setAccessibleName(tr("Live price"));
    m_price->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    m_change = new QLabel(tr("Waiting for the first price…"), this);
    m_change->setObjectName(QStringLiteral("changeLabel"));
    m_change->setFont(scaledFont(font(), 1.1, QFont::DemiBold));
    m_change->setAccessibleName(tr("Price change"));
    m_change->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    m_window = new QLabel(tr("change over the last 60 seconds"), this);
    m_window->setObjectName(QStringLiteral("mutedLabel"));
    m_window->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    auto* icon = new QLabel(this);
    icon->setPixmap(QIcon(QStringLiteral(":/icons/valiant.svg")).pixmap(QSize(44, 44)));
    icon->setAccessibleName(tr("Valiant"));

    auto* names = new QVBoxLayout;
    names->setSpacing(2);
    names->addWidget(m_symbol);
    names->addWidget(m_ticker);

    auto* price = new QVBoxLayout;
    price->setSpacing(2);
    price->addWidget(m_price);
    auto* changeRow = new QHBoxLayout;
    changeRow->addStretch();
    changeRow->addWidget(m_window);
    changeRow->addSpacing(8);
    changeRow->addWidget(m_change);
    price->addLayout(changeRow);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 4, 0);
    layout->addWidget(icon);
    layout->addSpacing(10);
    layout->addLayout(names);
    layout->addStretch();
    layout->addLayout(price);
}

void QuoteHeader::setQuotes(const core::Quote& reference, const core::Quote& latest)
{
    m_reference = reference;
    m_latest = latest;
    m_price->setText(latest.price.toLocaleString(locale()));
    updateChange();
}

void QuoteHeader::clear()
{
    m_reference.reset();
    m_latest.reset();
    m_price->setText(QStringLiteral("—"));
    m_change->clear();
}

bool QuoteHeader::eventFilter(QObject* watched, QEvent* event)
{
    const bool result = QWidget::eventFilter(watched, event);
    if (watched == m_price && event->type() == QEvent::Paint && m_latest && !m_pricePainted) {
        // The label paints after this filter returns, so report on the next
        // turn of the event loop, when the price is on screen.
        m_pricePainted = true;
        m_price->removeEventFilter(this);
        QMetaObject::invokeMethod(this, &QuoteHeader::firstPricePainted, Qt::QueuedConnection);
    }
    return result;
}

void QuoteHeader::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        updateChange();
}

void QuoteHeader::updateChange()
{
    if (!m_latest || !m_reference)
        return;

    const std::int64_t changeCents = m_latest->price.cents() - m_reference->price.cents();
    const int sign = (changeCents > 0) - (changeCents < 0);
    const QString amount = core::Money::fromCents(std::llabs(changeCents)).toLocaleString(locale());

    // Percent in hundredths, rounded half away from zero, in integers so
    // the display matches the cents exactly. Prices are at least $1.00.
    const std::int64_t base = m_reference->price.cents();
    std::int64_t hundredths =
        base > 0 ? (std::llabs(changeCents) * 10'000 * 2 + base) / (2 * base) : 0;
    const QString percent = locale().toString(static_cast<double>(hundredths) / 100.0, 'f', 2);

    const QString signText = theme::signPrefix(sign);
    const QString percentText = tr("%1%", "a percentage such as +0.84%").arg(signText + percent);
    m_change->setText(
        QStringLiteral("%1 %2%3 (%4)").arg(theme::arrowFor(sign), signText, amount, percentText));

    const QColor color = theme::trendColor(palette(), sign);
    QPalette changePalette = m_change->palette();
    changePalette.setColor(QPalette::WindowText, color);
    m_change->setPalette(changePalette);

    QString direction = tr("unchanged");
    if (sign > 0)
        direction = tr("up");
    else if (sign < 0)
        direction = tr("down");
    m_change->setAccessibleDescription(
        tr("%1 by %2, %3 percent, over the last 60 seconds").arg(direction, amount, percent));
}

}  // namespace valiant::app
