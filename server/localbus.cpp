#include "quotebus.h"

#include <QList>
#include <QMutex>
#include <QMutexLocker>

namespace valiant::server {

struct LocalBus::Private
{
    struct Subscriber
    {
        QuoteHandler onQuote;
        PortfolioHandler onPortfolio;
    };

    mutable QMutex mutex;
    QList<Subscriber> subscribers;

    // Handlers run outside the lock, so a handler may publish or subscribe
    // without deadlocking.
    QList<Subscriber> snapshot() const
    {
        QMutexLocker locker(&mutex);
        return subscribers;
    }
};

LocalBus::LocalBus() : d(std::make_unique<Private>()) {}

LocalBus::~LocalBus() = default;

QString LocalBus::state() const
{
    return QStringLiteral("local");
}

void LocalBus::publishQuote(const core::Quote& quote)
{
    for (const Private::Subscriber& subscriber : d->snapshot()) {
        if (subscriber.onQuote) {
            subscriber.onQuote(quote);
        }
    }
}

void LocalBus::publishPortfolio(std::int64_t accountId, const core::Portfolio& portfolio)
{
    for (const Private::Subscriber& subscriber : d->snapshot()) {
        if (subscriber.onPortfolio) {
            subscriber.onPortfolio(accountId, portfolio);
        }
    }
}

void LocalBus::deliverPortfolioLocally(std::int64_t accountId, const core::Portfolio& portfolio)
{
    publishPortfolio(accountId, portfolio);
}

void LocalBus::subscribe(QuoteHandler onQuote, PortfolioHandler onPortfolio)
{
    QMutexLocker locker(&d->mutex);
    d->subscribers.append(Private::Subscriber{std::move(onQuote), std::move(onPortfolio)});
}

}  // namespace valiant::server
