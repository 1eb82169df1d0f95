#pragma once

// The behaviour that every Store implementation shares. tst_sqlitestore and
// tst_postgresstore derive from StoreContract, open a fresh store in their
// init(), and add the cases that only their store has. Qt Test runs the
// private slots of a base class too, so each contract case runs once per
// store.

#include "server/store.h"

#include <QJsonObject>
#include <QObject>

#include <cstdint>

namespace valiant::test {

// A fixed whole minute (2026-09-21T14:13:00Z), so minute buckets start at baseMs.
inline constexpr std::int64_t baseMs = 1'789'999'980'000;

QJsonObject jsonOf(const QByteArray& body);
/// The `error.code` of an error response body.
QString errorCodeOf(const QByteArray& body);
core::OrderRequest buy(std::int64_t quantity);
core::OrderRequest sell(std::int64_t quantity);

class StoreContract : public QObject
{
    Q_OBJECT

protected:
    /// The store under test, opened and migrated by the derived init().
    virtual server::Store& store() = 0;
    /// How long the store keeps an idempotency key's response.
    virtual std::int64_t idempotencyKeyRetentionMs() const = 0;

    /// Creates an account with `cash`; returns its id, or 0 (with a warning) on failure.
    std::int64_t createAccount(const QString& name, const QString& cash = QStringLiteral("100.00"));

private Q_SLOTS:
    void accountCreateAndFind();
    void accountUsernameTakenIgnoresCase();
    void sessionLifecycle();
    void sessionExpires();
    void quotesInIdOrder();
    void candlesAlignedToInterval();
    void candlesRejectZeroInterval();
    void orderFillsAtLatestQuote();
    void orderWithoutQuotesIsRejected();
    void orderRejectionIsReplayed();
    void orderReplayChangesNothing();
    void orderKeyReusedWithOtherBody();
    void invalidOrderKeptUnderKey();
    void orderKeysArePerAccount();
    void orderKeysExpireAfterRetention();
    void orderSellReducesCostBasis();
    void concurrentBuysFillOnlyAffordable();
    void concurrentSameKeyPlacesOneOrder();
    void walletVersionGrowsPerChange();
    void ordersNewestFirstWithPaging();
};

}  // namespace valiant::test
