#include "orderhistorypager.h"

#include "orderhistorymodel.h"

#include <QPointer>

namespace valiant::app {

namespace {

// Export pages use the API's maximum, so a long history needs few requests.
constexpr int exportPageSize = 500;

}  // namespace

OrderHistoryPager::OrderHistoryPager(core::MarketClient& client, OrderHistoryModel& model,
                                     int pageSize, QObject* parent)
    : QObject(parent), m_client(client), m_model(model), m_pageSize(pageSize)
{
}

void OrderHistoryPager::reload()
{
    const int generation = ++m_generation;
    m_loading = true;
    QPointer<OrderHistoryPager> self(this);
    m_client.fetchOrders(0, m_pageSize, [self, generation](core::Result<QList<core::Order>> page) {
        if (!self || generation != self->m_generation)
            return;
        self->m_loading = false;
        if (!page) {
            Q_EMIT self->loadFailed(page.error());
            return;
        }
        self->m_hasMore = page->size() >= self->m_pageSize;
        self->m_model.setOrders(page.value());
        Q_EMIT self->pageLoaded();
    });
}

void OrderHistoryPager::refreshNewest()
{
    const int generation = m_generation;
    QPointer<OrderHistoryPager> self(this);
    m_client.fetchOrders(0, m_pageSize, [self, generation](core::Result<QList<core::Order>> page) {
        if (!self || generation != self->m_generation)
            return;
        if (!page) {
            Q_EMIT self->loadFailed(page.error());
            return;
        }
        self->mergeNewest(page.value());
        Q_EMIT self->pageLoaded();
    });
}

void OrderHistoryPager::mergeNewest(const QList<core::Order>& page)
{
    const bool fullPage = page.size() >= m_pageSize;
    const bool reachesShown =
        m_model.rowCount() > 0 && (!fullPage || page.last().id <= m_model.orderAt(0).id);
    if (reachesShown) {
        m_model.addOrders(page);
        return;
    }

    // Older pages in flight would continue from an order no longer shown.
    ++m_generation;
    m_loading = false;
    m_hasMore = fullPage;
    m_model.setOrders(page);
}

void OrderHistoryPager::loadOlder()
{
    if (m_loading || !m_hasMore || m_model.rowCount() == 0)
        return;

    const std::int64_t oldestId = m_model.orderAt(m_model.rowCount() - 1).id;
    const int generation = m_generation;
    m_loading = true;
    QPointer<OrderHistoryPager> self(this);
    m_client.fetchOrders(oldestId, m_pageSize,
                         [self, generation](core::Result<QList<core::Order>> page) {
                             if (!self || generation != self->m_generation)
                                 return;
                             self->m_loading = false;
                             if (!page) {
                                 Q_EMIT self->loadFailed(page.error());
                                 return;
                             }
                             self->m_hasMore = page->size() >= self->m_pageSize;
                             self->m_model.addOrders(page.value());
                             Q_EMIT self->pageLoaded();
                         });
}

void OrderHistoryPager::loadAll(std::function<void(core::Result<QList<core::Order>>)> done)
{
    fetchAllFrom(0, {}, std::move(done));
}

void OrderHistoryPager::fetchAllFrom(std::int64_t beforeId, QList<core::Order> collected,
                                     std::function<void(core::Result<QList<core::Order>>)> done)
{
    QPointer<OrderHistoryPager> self(this);
    m_client.fetchOrders(
        beforeId, exportPageSize,
        [self, collected = std::move(collected),
         done = std::move(done)](core::Result<QList<core::Order>> page) mutable {
            if (!self)
                return;
            if (!page) {
                done(page.error());
                return;
            }
            collected.append(page.value());
            if (page->size() >= exportPageSize) {
                self->fetchAllFrom(page->last().id, std::move(collected), std::move(done));
                return;
            }
            ++self->m_generation;
            self->m_loading = false;
            self->m_hasMore = false;
            self->m_model.setOrders(collected);
            Q_EMIT self->pageLoaded();
            done(collected);
        });
}

}  // namespace valiant::app
