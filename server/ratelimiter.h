#pragma once

// RateLimiter: token buckets that cap log-ins, sign-ups, orders and praise
// per username, client address or account. HttpApi consults it before any
// store call and before any password hashing, and returns 429 with
// Retry-After when a bucket is empty.
//
// The buckets live in the memory of one process, so behind a load balancer
// with N replicas a client can get up to N times each limit. That is
// accepted: the limits exist to make password guessing and floods slow,
// not to meter exactly.
//
// The client address is what HttpApi::clientAddress() gives: the TCP peer,
// or behind N trusted proxies (--trusted-proxies) the address the outermost
// of them saw.

#include "core/result.h"

#include <QString>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace valiant::server {

/// A token bucket: `count` tokens are added every `periodSeconds`, and the
/// bucket contains at most `burst` of them (a new key starts full).
struct RateLimitRule
{
    int count = 0;
    int periodSeconds = 1;
    int burst = 0;
};

struct RateLimitSettings
{
    bool enabled = true;
    RateLimitRule loginFailuresPerUsername{5, 60, 5};
    RateLimitRule loginsPerAddress{30, 60, 30};
    RateLimitRule signupsPerAddress{10, 3600, 10};
    RateLimitRule ordersPerAccount{10, 1, 20};
    RateLimitRule praisePerAccount{10, 1, 20};
};

/// Parses the --rate-limits value: "on" (the defaults), "off", or a
/// comma-separated list of NAME=COUNT/SECONDS[:BURST] that replaces those
/// rules and keeps the defaults of the rest. NAME is one of login-username,
/// login-address, signup-address, orders, praise.
core::Result<RateLimitSettings> parseRateLimitSettings(const QString& text);

/// One rejected request: when the client may try again and why.
struct RateLimited
{
    int retryAfterSeconds = 1;  // whole seconds, at least 1 (the Retry-After header)
    QString message;
};

class RateLimiter
{
public:
    using Clock = std::function<std::int64_t()>;  // milliseconds, monotonic

    /// Uses std::chrono::steady_clock when `clock` is empty.
    explicit RateLimiter(RateLimitSettings settings, Clock clock = {});
    ~RateLimiter();

    /// Takes one log-in attempt from the client address and reserves one
    /// failure for the username. Call refundLogIn when the log-in succeeds,
    /// so that only failures count against the username.
    ///
    /// An address that logged in to the username in the last 30 days (see
    /// rememberLogIn) has a failure budget of its own, with the same rule.
    /// Guesses from other addresses then cannot lock the owner out.
    std::optional<RateLimited> admitLogIn(const QString& username, const QString& address);
    void refundLogIn(const QString& username, const QString& address);
    /// Records a successful log-in or sign-up of `username` from `address`.
    void rememberLogIn(const QString& username, const QString& address);

    /// Takes one sign-up attempt from the client address. Call refundSignUp
    /// when the request is rejected before any work, so it does not count.
    std::optional<RateLimited> admitSignUp(const QString& address);
    void refundSignUp(const QString& address);
    std::optional<RateLimited> admitOrder(std::int64_t accountId);
    std::optional<RateLimited> admitPraise(std::int64_t accountId);

    /// The key of a client address: IPv4 as it is, IPv6 by its /64 prefix,
    /// because one host usually owns a whole /64.
    static QString addressKey(const QString& address);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

}  // namespace valiant::server
