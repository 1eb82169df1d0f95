#include "messagebar.h"

#include <QAccessible>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

namespace valiant::app {

namespace {

constexpr int infoVisibleMs = 6000;

}  // namespace

MessageBar::MessageBar(QWidget* parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("messageBar"));
    setAccessibleName(tr("Message"));

    m_icon = new QLabel(this);
    m_icon->setObjectName(QStringLiteral("messageIcon"));
    QFont iconFont = m_icon->font();
    iconFont.setWeight(QFont::Bold);
    iconFont.setPointSizeF(iconFont.pointSizeF() * 1.3);
    m_icon->setFont(iconFont);

    m_text = new QLabel(this);
    m_text->setObjectName(QStringLiteral("messageText"));
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_close = new QToolButton(this);
    m_close->setObjectName(QStringLiteral("messageCloseButton"));
    m_close->setText(QStringLiteral("✕"));
    m_close->setAutoRaise(true);
    m_close->setAccessibleName(tr("Close message"));
    m_close->setToolTip(tr("Close message"));
    connect(m_close, &QToolButton::clicked, this, &QWidget::hide);

    m_hideTimer = new QTimer(this);
    m_hideTimer->setSingleShot(true);
    connect(m_hideTimer, &QTimer::timeout, this, &QWidget::hide);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 8, 8, 8);
    layout->setSpacing(10);
    layout->addWidget(m_icon, 0, Qt::AlignVCenter);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_close, 0, Qt::AlignVCenter);

    hide();
}

void MessageBar::showError(const QString& text)
{
    m_hideTimer->stop();
    showMessage(QStringLiteral("error"), QStringLiteral("⚠"), text);
}

void MessageBar::showInfo(const QString& text)
{
    showMessage(QStringLiteral("info"), QStringLiteral("✓"), text);
    m_hideTimer->start(infoVisibleMs);
}

QString MessageBar::text() const
{
    return m_text->text();
}

bool MessageBar::isError() const
{
    return property("kind").toString() == QLatin1String("error");
}

void MessageBar::showMessage(const QString& kind, const QString& icon, const QString& text)
{
    setProperty("kind", kind);
    // A dynamic property selector only applies after the style re-polishes.
    style()->unpolish(this);
    style()->polish(this);

    m_icon->setText(icon);
    m_text->setText(text);
    setAccessibleDescription(text);
    show();

    QAccessibleEvent event(this, QAccessible::Alert);
    QAccessible::updateAccessibility(&event);
}

}  // namespace valiant::app
