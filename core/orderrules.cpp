#include "orderrules.h"

namespace valiant::core {

namespace {
// 128-bit intermediate for products of cents and factors; a GCC/Clang extension.
__extension__ using Wide = __int128;
}  // namespace

namespace {

// "$51.20" or "$49,880,000.00" for messages, which are in US English like
// the rest of the API; clients format amounts for their own locale.
QString dollars(Money amount)
{
    QString text = amount.toString();
    const bool negative = text.startsWith(QLatin1Char('-'));
    if (negative) {
        text.remove(0, 1);
    }
    for (qsizetype at = text.indexOf(QLatin1Char('.')) - 3; at > 0; at -= 3) {
        text.insert(at, QLatin1Char(','));
    }
    return (negative ? QStringLiteral("-$") : QStringLiteral("$")) + text;
}

QString shares(std::int64_t quantity)
{
    return quantity == 1 ? QStringLiteral("1 share") : QStringLiteral("%1 shares").arg(quantity);
}

Error amountTooLarge(std::int64_t quantity, Money price)
{
    return makeError(422, QStringLiteral("amount_too_large"),
                     QStringLiteral("%1 at %2 is more money than the wallet can hold. Order fewer "
                                    "shares.")
                         .arg(shares(quantity), dollars(price)));
}

Result<Fill> buy(const Holdings& holdings, const OrderRequest& request, Money price)
{
    if (request.limitPrice && price > *request.limitPrice) {
        return makeError(422, QStringLiteral("limit_not_met"),
                         QStringLiteral("The price is %1 per share, above your limit of %2. Raise "
                                        "the limit or wait for the price to fall.")
                             .arg(dollars(price), dollars(*request.limitPrice)));
    }

    const std::optional<Money> total = price.times(request.quantity);
    if (!total) {
        return amountTooLarge(request.quantity, price);
    }
    if (*total > holdings.cash) {
        return makeError(422, QStringLiteral("insufficient_funds"),
                         QStringLiteral("Buying %1 at %2 costs %3 but the cash balance is %4.")
                             .arg(shares(request.quantity), dollars(price), dollars(*total),
                                  dollars(holdings.cash)));
    }

    const std::optional<Money> basis = holdings.costBasis.plus(*total);
    if (!basis) {
        return amountTooLarge(request.quantity, price);
    }

    Fill fill{holdings, price, *total};
    fill.holdings.cash = *holdings.cash.minus(*total);  // total <= cash, so no overflow
    fill.holdings.shares += request.quantity;
    fill.holdings.costBasis = *basis;
    return fill;
}

Result<Fill> sell(const Holdings& holdings, const OrderRequest& request, Money price)
{
    if (request.quantity > holdings.shares) {
        return makeError(422, QStringLiteral("insufficient_shares"),
                         QStringLiteral("Cannot sell %1 because you hold %2.")
                             .arg(shares(request.quantity), shares(holdings.shares)));
    }
    if (request.limitPrice && price < *request.limitPrice) {
        return makeError(422, QStringLiteral("limit_not_met"),
                         QStringLiteral("The price is %1 per share, below your limit of %2. Lower "
                                        "the limit or wait for the price to rise.")
                             .arg(dollars(price), dollars(*request.limitPrice)));
    }

    const std::optional<Money> total = price.times(request.quantity);
    const std::optional<Money> cash = total ? holdings.cash.plus(*total) : std::nullopt;
    if (!cash) {
        return amountTooLarge(request.quantity, price);
    }

    // Average cost: the sold shares take their proportional part of the
    // basis, rounded down in 128 bits; selling everything clears it.
    const std::int64_t remaining = holdings.shares - request.quantity;
    const Wide keptBasis =
        static_cast<Wide>(holdings.costBasis.cents()) * remaining / holdings.shares;

    Fill fill{holdings, price, *total};
    fill.holdings.cash = *cash;
    fill.holdings.shares = remaining;
    fill.holdings.costBasis = Money::fromCents(static_cast<std::int64_t>(keptBasis));
    return fill;
}

}  // namespace

Result<Ok> checkQuantity(std::int64_t quantity)
{
    if (quantity < minOrderQuantity || quantity > maxOrderQuantity) {
        return makeError(422, QStringLiteral("invalid_quantity"),
                         QStringLiteral("Quantity %1 is out of range. Order a whole number of "
                                        "shares from %2 to %3.")
                             .arg(quantity)
                             .arg(minOrderQuantity)
                             .arg(maxOrderQuantity));
    }
    return Ok{};
}

Result<Fill> executeOrder(const Holdings& holdings, const OrderRequest& request, Money price)
{
    if (const Result<Ok> valid = checkQuantity(request.quantity); !valid) {
        return valid.error();
    }
    return request.side == Side::Buy ? buy(holdings, request, price)
                                     : sell(holdings, request, price);
}

Result<PraiseOutcome> praise(const Holdings& holdings)
{
    const std::optional<Money> bonus = praiseBonusPerShare.times(holdings.shares);
    const std::optional<Money> cash = bonus ? holdings.cash.plus(*bonus) : std::nullopt;
    if (!cash) {
        return makeError(422, QStringLiteral("amount_too_large"),
                         QStringLiteral("The bonus for %1 would overflow the cash balance.")
                             .arg(shares(holdings.shares)));
    }

    PraiseOutcome outcome{holdings, *bonus};
    outcome.holdings.cash = *cash;
    return outcome;
}

}  // namespace valiant::core
