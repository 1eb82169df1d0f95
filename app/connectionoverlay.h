#pragma once

// ConnectionOverlay: covers its parent widget while the client is not
// connected, says so in words, and takes every mouse click so nothing
// underneath can be used. It follows the parent's size.

#include "core/marketclient.h"

#include <QWidget>

class QLabel;

namespace valiant::app {

class ConnectionOverlay : public QWidget
{
    Q_OBJECT

public:
    explicit ConnectionOverlay(QWidget* parent);

    /// Shows the overlay for every state but Connected. `everConnected`
    /// picks the wording: "connecting" at start-up, "reconnecting" later.
    /// Disconnected means the client is stopped, so the text requests a log-in.
    void setConnectionState(core::MarketClient::ConnectionState state, bool everConnected);
    QString message() const;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    QRect cardRect() const;
    static QString pausedText();

    QLabel* m_title = nullptr;
    QLabel* m_detail = nullptr;
};

}  // namespace valiant::app
