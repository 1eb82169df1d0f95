#include "theme.h"

namespace valiant::app::theme {

namespace {

QString hex(const QColor& color)
{
    return color.name(QColor::HexArgb);
}

QColor blend(const QColor& base, const QColor& over, double amount)
{
    return QColor::fromRgbF(base.redF() * (1 - amount) + over.redF() * amount,
                            base.greenF() * (1 - amount) + over.greenF() * amount,
                            base.blueF() * (1 - amount) + over.blueF() * amount);
}

}  // namespace

bool isDark(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

bool looksDark(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightness() <
           palette.color(QPalette::WindowText).lightness();
}

bool isHighContrast(const QPalette& palette)
{
    return palette.color(QPalette::Window) == QColor(Qt::black) &&
           palette.color(QPalette::WindowText) == QColor(Qt::white);
}

QColor gainColor(const QPalette& palette)
{
    if (isHighContrast(palette))
        return QColor(0x5c, 0xff, 0x7a);
    return isDark(palette) ? QColor(0x3f, 0xb9, 0x50) : QColor(0x1a, 0x7f, 0x37);
}

QColor lossColor(const QPalette& palette)
{
    if (isHighContrast(palette))
        return QColor(0xff, 0x8c, 0x8c);
    return isDark(palette) ? QColor(0xf8, 0x51, 0x49) : QColor(0xcf, 0x22, 0x2e);
}

QColor neutralColor(const QPalette& palette)
{
    return palette.color(QPalette::PlaceholderText);
}

QColor trendColor(const QPalette& palette, int sign)
{
    if (sign > 0)
        return gainColor(palette);
    if (sign < 0)
        return lossColor(palette);
    return neutralColor(palette);
}

QString signPrefix(int sign)
{
    if (sign > 0)
        return QStringLiteral("+");
    if (sign < 0)
        return QStringLiteral("−");
    return {};
}

QString arrowFor(int sign)
{
    if (sign > 0)
        return QStringLiteral("▲");
    if (sign < 0)
        return QStringLiteral("▼");
    return QStringLiteral("■");
}

QPalette darkPalette()
{
    QPalette palette;
    const QColor window(0x16, 0x1b, 0x22);
    const QColor base(0x0d, 0x11, 0x17);
    const QColor text(0xe6, 0xed, 0xf3);
    const QColor muted(0x8b, 0x94, 0x9e);

    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, QColor(0x16, 0x1b, 0x22));
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, QColor(0x21, 0x26, 0x2d));
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::ToolTipBase, QColor(0x21, 0x26, 0x2d));
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, muted);
    palette.setColor(QPalette::Highlight, QColor(0x2f, 0x81, 0xf7));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Link, QColor(0x58, 0xa6, 0xff));
    palette.setColor(QPalette::Mid, QColor(0x30, 0x36, 0x3d));
    palette.setColor(QPalette::Dark, QColor(0x01, 0x04, 0x09));
    palette.setColor(QPalette::Light, QColor(0x30, 0x36, 0x3d));
    palette.setColor(QPalette::Disabled, QPalette::Text, muted);
    palette.setColor(QPalette::Disabled, QPalette::WindowText, muted);
    palette.setColor(QPalette::Disabled, QPalette::ButtonText, muted);
    return palette;
}

QPalette highContrastPalette()
{
    QPalette palette;
    const QColor black(Qt::black);
    const QColor white(Qt::white);
    const QColor yellow(0xff, 0xff, 0x00);
    for (QPalette::ColorRole role : {QPalette::Window, QPalette::Base, QPalette::AlternateBase,
                                     QPalette::Button, QPalette::ToolTipBase, QPalette::Dark,
                                     QPalette::Shadow})
        palette.setColor(role, black);
    for (QPalette::ColorRole role :
         {QPalette::WindowText, QPalette::Text, QPalette::ButtonText, QPalette::ToolTipText,
          QPalette::BrightText, QPalette::Light, QPalette::Mid})
        palette.setColor(role, white);
    // Light grey (11.5:1 on black) so a placeholder never reads as typed text.
    palette.setColor(QPalette::PlaceholderText, QColor(0xc0, 0xc0, 0xc0));
    palette.setColor(QPalette::Highlight, yellow);
    palette.setColor(QPalette::HighlightedText, black);
    palette.setColor(QPalette::Link, yellow);
    const QColor disabled(0xc0, 0xc0, 0xc0);
    palette.setColor(QPalette::Disabled, QPalette::Text, disabled);
    palette.setColor(QPalette::Disabled, QPalette::WindowText, disabled);
    palette.setColor(QPalette::Disabled, QPalette::ButtonText, disabled);
    return palette;
}

QString styleSheet(const QPalette& palette)
{
    const bool dark = isDark(palette);
    const QColor window = palette.color(QPalette::Window);
    const QColor base = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    const QColor muted = palette.color(QPalette::PlaceholderText);
    const bool highContrast = isHighContrast(palette);
    const QColor border = highContrast ? text : blend(window, text, dark ? 0.16 : 0.12);
    const QColor card = dark ? blend(window, text, 0.03) : base;
    const QColor disabledBackground = highContrast ? window : blend(card, text, 0.10);
    const QColor disabledText = highContrast ? QColor(0xc0, 0xc0, 0xc0) : blend(card, text, 0.40);
    const QColor focus = palette.color(QPalette::Highlight);
    const QColor loss = lossColor(palette);
    const QColor gain = gainColor(palette);

    QString sheet = QStringLiteral(R"(
QFrame#card { background: %1; border: 1px solid %2; border-radius: 12px; }
QLabel#cardTitle { color: %3; font-weight: 600; letter-spacing: 0.5px; }
QLabel#mutedLabel { color: %3; }
QPushButton#buyButton, QPushButton#sellButton, QPushButton#praiseButton {
    border: 2px solid transparent; border-radius: 8px; padding: 9px 14px; font-weight: 600; }
QPushButton#buyButton { background: #1f883d; color: #ffffff; }
QPushButton#buyButton:hover { background: #1a7f37; }
QPushButton#buyButton:pressed { background: #116329; }
QPushButton#sellButton { background: #cf222e; color: #ffffff; }
QPushButton#sellButton:hover { background: #b91c27; }
QPushButton#sellButton:pressed { background: #a40e26; }
QPushButton#praiseButton { background: #f2b705; color: #1f1300; }
QPushButton#praiseButton:hover { background: #e3a900; }
QPushButton#praiseButton:pressed { background: #c99600; }
QPushButton#buyButton:focus, QPushButton#sellButton:focus, QPushButton#praiseButton:focus {
    border: 2px solid %4; }
QPushButton#buyButton:disabled, QPushButton#sellButton:disabled, QPushButton#praiseButton:disabled {
    background: %5; color: %6; }
QFrame#messageBar { border-radius: 8px; border: 1px solid %7; background: %8; }
QFrame#messageBar[kind="info"] { border: 1px solid %9; background: %10; }
QTableView { border: none; background: transparent; gridline-color: transparent; }
QHeaderView { background: transparent; border: none; }
QStatusBar QLabel { padding: 2px 10px; }
QHeaderView::section { background: transparent; border: none; border-bottom: 1px solid %2;
    color: %3; font-weight: 600; padding: 4px 8px; }
)");
    sheet = sheet.arg(hex(card), hex(border), hex(muted), hex(focus), hex(disabledBackground),
                      hex(disabledText), hex(loss), hex(blend(card, loss, 0.12)), hex(gain),
                      hex(blend(card, gain, 0.12)));
    if (highContrast) {
        // Every control gets a visible edge, and focus a thick yellow one.
        // A styled spin box or combo box loses the style's arrows, so they
        // are drawn from images, and the combo box text gets room beside its arrow.
        sheet += QStringLiteral(
            "QPushButton, QLineEdit, QSpinBox, QComboBox { border: 2px solid #ffffff; }\n"
            "QPushButton:focus, QLineEdit:focus, QSpinBox:focus, QComboBox:focus,"
            " QTableView:focus { border: 3px solid #ffff00; }\n"
            "QSpinBox { padding-right: 20px; }\n"
            "QSpinBox::up-button, QSpinBox::down-button { width: 20px; border-left: 2px solid "
            "#ffffff; }\n"
            "QSpinBox::up-button { subcontrol-position: top right; }\n"
            "QSpinBox::down-button { subcontrol-position: bottom right; }\n"
            "QSpinBox::up-arrow { image: url(:/icons/arrow-up-high-contrast.svg); width: 10px;"
            " height: 6px; }\n"
            "QSpinBox::down-arrow { image: url(:/icons/arrow-down-high-contrast.svg); width: 10px;"
            " height: 6px; }\n"
            "QComboBox { padding: 1px 6px; }\n"
            // The style's dark button icons vanish on black.
            "QDialogButtonBox { dialogbuttonbox-buttons-have-icons: 0; }\n"
            "QComboBox::drop-down { width: 20px; border-left: 2px solid #ffffff; }\n"
            "QComboBox::down-arrow { image: url(:/icons/arrow-down-high-contrast.svg); width: 10px;"
            " height: 6px; }\n");
    }
    return sheet;
}

}  // namespace valiant::app::theme
