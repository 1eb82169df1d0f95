#pragma once

// Colours and the style sheet of the main window, derived from the current
// QPalette so the same code reads well in light and dark palettes. A gain
// or loss is never shown by colour alone: arrowFor() adds a shape too.

#include <QColor>
#include <QPalette>
#include <QString>

namespace valiant::app::theme {

bool isDark(const QPalette& palette);

/// Whether a system palette is dark: its window is darker than its text.
/// Qt 6.4 has no colour-scheme query, so the palette itself is the signal.
bool looksDark(const QPalette& palette);

/// Whether `palette` is highContrastPalette(): pure black window, white text.
bool isHighContrast(const QPalette& palette);

/// Text colours for rising and falling values, readable on QPalette::Base.
QColor gainColor(const QPalette& palette);
QColor lossColor(const QPalette& palette);
QColor neutralColor(const QPalette& palette);

/// gainColor, lossColor or neutralColor for the sign of a change.
QColor trendColor(const QPalette& palette, int sign);

/// "+" for a positive sign, "−" (minus sign) for a negative one, "" for zero.
QString signPrefix(int sign);

/// "▲" for a positive sign, "▼" for a negative one, "■" for zero.
QString arrowFor(int sign);

/// A dark palette for Fusion, used with --palette dark.
QPalette darkPalette();

/// Black and white with yellow focus and selection, offered in the View
/// menu for low vision. Its text on window contrast is 21:1.
QPalette highContrastPalette();

/// Style sheet of the main window: cards, trade buttons, message bars.
QString styleSheet(const QPalette& palette);

}  // namespace valiant::app::theme
