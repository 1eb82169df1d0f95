#pragma once

// LeaderElection: decides which replica generates quotes, with a PostgreSQL
// session advisory lock held on a dedicated connection. The lock lives as
// long as that session, so a dead leader process or a killed lock
// connection frees it for a follower. Before each tick the leader claims
// the tick's slot in a one-row fencing table on the same connection; the
// claim succeeds only while that session still holds the lock and only for
// a slot later than every earlier claim, so two replicas never both
// generate for one tick. Not thread-safe: one thread (the generator's)
// calls it.

#include "core/result.h"

#include <QString>

#include <cstdint>
#include <memory>

namespace valiant::server {

class LeaderElection
{
public:
    /// The two int4 keys of the advisory lock: "VALI" in ASCII, and 1.
    static constexpr int lockKeyHigh = 0x56414C49;
    static constexpr int lockKeyLow = 1;

    /// `databaseUrl` is a postgres:// URL; the lock connection adds
    /// short timeouts to it. `tickMs` is the generator's tick: a leader
    /// whose lock session runs no statement for three ticks and 2 s loses
    /// the lock to PostgreSQL's idle_session_timeout.
    explicit LeaderElection(QString databaseUrl, int tickMs = 1000);
    ~LeaderElection();

    LeaderElection(const LeaderElection&) = delete;
    LeaderElection& operator=(const LeaderElection&) = delete;

    /// Opens the lock connection and checks that it keeps one server
    /// session. Fails only for a configuration that cannot hold the lock
    /// (a transaction-pooling proxy); an unreachable database is retried
    /// at each tick.
    core::Result<core::Ok> start();

    /// Run before every tick: a follower tries to take the lock, the leader
    /// checks that its lock connection still works. Returns true when this
    /// replica leads and claimed `slot`, so it may generate the tick's quote.
    bool claimTick(std::int64_t slot);

    bool isLeader() const;

    /// Unlocks and closes the lock connection, so a follower takes over at
    /// its next tick instead of waiting for the session to end.
    void release();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

}  // namespace valiant::server
