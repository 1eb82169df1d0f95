#pragma once

// CSV export of the order history: one header line, then one line per order
// with its time in ISO 8601 (UTC, milliseconds) and amounts in the API's
// form ("12.34"), so spreadsheets in any locale read the same numbers.

#include "core/market.h"
#include "core/result.h"

#include <QByteArray>
#include <QDate>
#include <QList>
#include <QString>

namespace valiant::app {

QByteArray ordersToCsv(const QList<core::Order>& orders);

/// Writes ordersToCsv(orders) to `path` through QSaveFile, so a failed
/// write leaves any earlier file as it was.
core::Result<core::Ok> writeOrdersCsv(const QString& path, const QList<core::Order>& orders);

/// The file name the export dialog suggests, valiant-orders-DATE.csv, in
/// the user's documents folder, or in the home folder when that does not
/// exist (a file dialog would otherwise open in the working directory).
QString suggestedExportPath(const QDate& date);

}  // namespace valiant::app
