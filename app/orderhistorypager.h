#pragma once

// OrderHistoryPager: loads the account's orders into an OrderHistoryModel a
// page at a time, newest first, asking for each older page with before_id,
// and can page through all of them for an export.

#include "core/marketclient.h"

#include <QObject>

#include <functional>

namespace valiant::app {

class OrderHistoryModel;

class OrderHistoryPager : public QObject
{
    Q_OBJECT

public:
    /// `client` and `model` are not owned and must outlive the pager.
    /// `pageSize` is the API's limit: 1 to 500 orders per request.
    OrderHistoryPager(core::MarketClient& client, OrderHistoryModel& model, int pageSize,
                      QObject* parent = nullptr);

    /// Replaces the model's orders with the newest page.
    void reload();
    /// Fetches the newest page and merges it into the orders shown, keeping
    /// older pages already loaded. When the page does not reach the newest
    /// order shown, it replaces them, so no order is missing in between.
    void refreshNewest();
    /// Adds the page before the oldest order shown; does nothing while a
    /// request runs or when every order is shown.
    void loadOlder();
    /// Pages through every order from the newest, puts them all in the
    /// model and hands them to `done` (newest first), or the first error.
    void loadAll(std::function<void(core::Result<QList<core::Order>>)> done);

    bool hasMore() const { return m_hasMore; }
    bool isLoading() const { return m_loading; }

Q_SIGNALS:
    void pageLoaded();
    void loadFailed(const valiant::core::Error& error);

private:
    void mergeNewest(const QList<core::Order>& page);
    void fetchAllFrom(std::int64_t beforeId, QList<core::Order> collected,
                      std::function<void(core::Result<QList<core::Order>>)> done);

    core::MarketClient& m_client;
    OrderHistoryModel& m_model;
    int m_pageSize = 50;
    bool m_hasMore = false;
    bool m_loading = false;
    int m_generation = 0;  // a reload makes older pages in flight stale
};

}  // namespace valiant::app
