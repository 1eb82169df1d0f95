#include "connectionoverlay.h"

#include <QEvent>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QVBoxLayout>

namespace valiant::app {

ConnectionOverlay::ConnectionOverlay(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("connectionOverlay"));
    setAccessibleName(tr("Connection status"));
    setAttribute(Qt::WA_NoMousePropagation);
    setFocusPolicy(Qt::StrongFocus);

    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("overlayTitle"));
    m_title->setAlignment(Qt::AlignCenter);
    m_title->setWordWrap(true);  // German and Spanish titles are longer than the card
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.35);
    titleFont.setWeight(QFont::DemiBold);
    m_title->setFont(titleFont);

    m_detail = new QLabel(this);
    m_detail->setObjectName(QStringLiteral("mutedLabel"));
    m_detail->setAlignment(Qt::AlignCenter);
    m_detail->setWordWrap(true);
    m_detail->setText(pausedText());

    auto* layout = new QVBoxLayout(this);
    layout->addStretch();
    layout->addWidget(m_title);
    layout->addSpacing(6);
    layout->addWidget(m_detail);
    layout->addStretch();

    parent->installEventFilter(this);
    setGeometry(parent->rect());
    hide();
}

void ConnectionOverlay::setConnectionState(core::MarketClient::ConnectionState state,
                                           bool everConnected)
{
    using State = core::MarketClient::ConnectionState;
    if (state == State::Connected) {
        hide();
        return;
    }

    if (state == State::Disconnected) {
        // The client is stopped: logged out, or waiting for a log-in.
        m_title->setText(tr("Not connected"));
        m_detail->setText(tr("Log in, or choose another connection under Server in the toolbar."));
    } else {
        m_title->setText(everConnected ? tr("Disconnected from server, reconnecting…")
                                       : tr("Connecting to the server…"));
        m_detail->setText(pausedText());
    }
    setAccessibleDescription(m_title->text());
    setGeometry(parentWidget()->rect());
    raise();
    show();
}

QString ConnectionOverlay::pausedText()
{
    return tr("Trading is paused until the connection is back. "
              "Your wallet and orders are kept by the server.");
}

QString ConnectionOverlay::message() const
{
    return m_title->text();
}

bool ConnectionOverlay::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == parentWidget() && event->type() == QEvent::Resize)
        setGeometry(parentWidget()->rect());
    return QWidget::eventFilter(watched, event);
}

void ConnectionOverlay::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);

    QColor veil = palette().color(QPalette::Window);
    veil.setAlpha(215);
    painter.fillRect(rect(), veil);

    // A card behind the text, so it stays readable over the busy chart.
    QPainterPath path;
    path.addRoundedRect(cardRect(), 14, 14);
    painter.fillPath(path, palette().color(QPalette::Base));
    QColor border = palette().color(QPalette::Text);
    border.setAlpha(40);
    painter.setPen(QPen(border, 1));
    painter.drawPath(path);
}

void ConnectionOverlay::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    const QRect card = cardRect();
    layout()->setContentsMargins(card.left() + 20, card.top(), width() - card.right() + 20,
                                 height() - card.bottom());
}

QRect ConnectionOverlay::cardRect() const
{
    const int cardWidth = std::min(width() - 48, 520);
    const int cardHeight = std::min(height() - 48, 150);
    return QRect((width() - cardWidth) / 2, (height() - cardHeight) / 2, cardWidth, cardHeight);
}

}  // namespace valiant::app
