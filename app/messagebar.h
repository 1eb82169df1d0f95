#pragma once

// MessageBar: one line at the top of the window that explains what just
// happened in plain words: a rejected order (kept until closed) or a fill
// (hidden after a few seconds).

#include <QFrame>

class QLabel;
class QTimer;
class QToolButton;

namespace valiant::app {

class MessageBar : public QFrame
{
    Q_OBJECT

public:
    explicit MessageBar(QWidget* parent = nullptr);

    void showError(const QString& text);
    void showInfo(const QString& text);
    QString text() const;
    bool isError() const;

private:
    void showMessage(const QString& kind, const QString& icon, const QString& text);

    QLabel* m_icon = nullptr;
    QLabel* m_text = nullptr;
    QToolButton* m_close = nullptr;
    QTimer* m_hideTimer = nullptr;
};

}  // namespace valiant::app
