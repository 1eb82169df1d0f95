#pragma once

// CSV export of the order history: one header line, then one line per order
// with its time in ISO 8601 (UTC, milliseconds) and amounts in the API's
// form ("12.34"), so spreadsheets in any locale read the same numbers.

#include "core/market.h"
#include "core/result.h"

#include <QByteArray>
#include <QList>

namespace valiant::app {

QByteArray ordersToCsv(const QList<core::Order>& orders);

/// Writes ordersToCsv(orders) to `path` through QSaveFile, so a failed
/// write leaves any earlier file as it was.
core::Result<core::Ok> writeOrdersCsv(const QString& path, const QList<core::Order>& orders);

}  // namespace valiant::app
