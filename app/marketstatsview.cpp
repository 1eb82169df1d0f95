#include "marketstatsview.h"

#include <QGridLayout>
#include <QLabel>
#include <QLocale>

#include <algorithm>

namespace valiant::app {

MarketStatsView::MarketStatsView(QWidget* parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("card"));

    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(16, 14, 16, 16);
    layout->setHorizontalSpacing(12);
    layout->setVerticalSpacing(8);
    layout->setColumnStretch(1, 1);

    auto* title = new QLabel(tr("MARKET · LAST 60 SECONDS"), this);
    title->setObjectName(QStringLiteral("cardTitle"));
    layout->addWidget(title, 0, 0, 1, 2);

    m_open = addRow(QStringLiteral("openValue"), tr("Open"));
    m_high = addRow(QStringLiteral("highValue"), tr("High"));
    m_low = addRow(QStringLiteral("lowValue"), tr("Low"));
    m_count = addRow(QStringLiteral("quoteCountValue"), tr("Quotes"));
    setQuotes({});
}

QLabel* MarketStatsView::addRow(const QString& objectName, const QString& title)
{
    auto* layout = static_cast<QGridLayout*>(this->layout());
    const int row = layout->rowCount();

    auto* name = new QLabel(title, this);
    name->setObjectName(QStringLiteral("mutedLabel"));
    auto* value = new QLabel(this);
    value->setObjectName(objectName);
    value->setAccessibleName(title);
    value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    name->setBuddy(value);

    layout->addWidget(name, row, 0);
    layout->addWidget(value, row, 1);
    return value;
}

void MarketStatsView::setQuotes(const QList<core::Quote>& quotes)
{
    const QLocale locale = this->locale();
    m_count->setText(locale.toString(quotes.size()));
    if (quotes.isEmpty()) {
        for (QLabel* label : {m_open, m_high, m_low})
            label->setText(QStringLiteral("—"));
        return;
    }

    const auto byPrice = [](const core::Quote& a, const core::Quote& b) {
        return a.price < b.price;
    };
    const auto [low, high] = std::minmax_element(quotes.begin(), quotes.end(), byPrice);
    m_open->setText(quotes.first().price.toLocaleString(locale));
    m_high->setText(high->price.toLocaleString(locale));
    m_low->setText(low->price.toLocaleString(locale));
}

}  // namespace valiant::app
