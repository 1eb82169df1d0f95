#include "ordercsv.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QSaveFile>
#include <QStandardPaths>

namespace valiant::app {

QByteArray ordersToCsv(const QList<core::Order>& orders)
{
    QByteArray csv = "id,time,side,quantity,price,total,quote_id\r\n";
    for (const core::Order& order : orders) {
        const QString time = QDateTime::fromMSecsSinceEpoch(order.createdMs, Qt::UTC)
                                 .toString(Qt::ISODateWithMs);
        csv += QStringLiteral("%1,%2,%3,%4,%5,%6,%7\r\n")
                   .arg(order.id)
                   .arg(time, core::sideName(order.side))
                   .arg(order.quantity)
                   .arg(order.price.toString(), order.total.toString())
                   .arg(order.quoteId)
                   .toUtf8();
    }
    return csv;
}

core::Result<core::Ok> writeOrdersCsv(const QString& path, const QList<core::Order>& orders)
{
    QSaveFile file(path);
    const auto failed = [&path](const QString& reason) {
        return core::makeError(
            0, QStringLiteral("export_failed"),
            QCoreApplication::translate("valiant::app::OrderCsv",
                                        "Could not write the order history to %1: %2. Choose a "
                                        "folder you can write to.")
                .arg(QDir::toNativeSeparators(path), reason));
    };
    if (!file.open(QIODevice::WriteOnly))
        return failed(file.errorString());
    file.write(ordersToCsv(orders));
    if (!file.commit())
        return failed(file.errorString());
    return core::Ok{};
}

QString suggestedExportPath(const QDate& date)
{
    QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (folder.isEmpty() || !QDir(folder).exists())
        folder = QDir::homePath();
    return QDir(folder).filePath(
        QStringLiteral("valiant-orders-%1.csv").arg(date.toString(Qt::ISODate)));
}

}  // namespace valiant::app
