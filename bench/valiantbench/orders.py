"""Orders per second: SQLite with 8 clients, and PostgreSQL with 8 and 32
clients on one replica and on two, each beside `pgbench -N` on the same
PostgreSQL server at the same concurrency."""

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

from .common import Postgres, Row, build_dir, free_port, met, rss_kib, start_server, stop

TARGET_RATIO = 0.7
# Alternating rounds of orderbench and pgbench per client count.
ROUNDS = 5


def run_orderbench(urls, clients, seconds):
    arguments = [os.path.join(build_dir(), "bench", "orderbench"), "--clients", str(clients),
                 "--seconds", str(seconds)]
    for url in urls:
        arguments += ["--url", url]
    output = subprocess.run(arguments, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def pgbench_tps(pg, clients, seconds):
    """TPS of pgbench's simple-update script (-N) on an initialized database."""
    output = pg.pgbench("pgbench", "-N", "-c", str(clients), "-j", str(min(clients, 4)),
                        "-T", str(seconds))
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", output)
    if not match:
        raise RuntimeError(f"no tps in pgbench output: {output!r}")
    return float(match.group(1))


class Redis:
    """A throwaway redis-server on a free loopback port, without persistence."""

    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "/usr/bin/redis-server", "--bind", "127.0.0.1",
             "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL)
        time.sleep(0.3)
        if self.process.poll() is not None:
            raise RuntimeError("redis-server did not start")

    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def stop(self):
        stop(self.process)


def sqlite_orders(seconds, clients):
    with tempfile.TemporaryDirectory() as data_dir:
        server, url = start_server(data_dir, "--starting-cash", "1000000.00", "--tick-ms", "1000")
        try:
            idle_kib = rss_kib(server.pid)
            result = run_orderbench([url], clients, seconds)
            result["server_idle_rss_kib"] = idle_kib
            result["server_loaded_rss_kib"] = rss_kib(server.pid)
            return result
        finally:
            stop(server)


def workers_per_replica(replicas, clients):
    """Return one worker thread for each client a replica serves, and at
    least the server's default 4. With fewer, requests wait for a worker. With more,
    each request wakes idle workers that find nothing to do, which cost
    about 8% of the rate of two replicas with 8 clients on 2 cores."""
    return max(4, -(-clients // replicas))


@contextlib.contextmanager
def replica_servers(database_url, redis, replicas, clients):
    """Starts `replicas` servers on one database, sized for `clients`, and
    yields their base URLs."""
    workers = workers_per_replica(replicas, clients)
    servers = []
    with tempfile.TemporaryDirectory() as data_dir:
        try:
            for _ in range(replicas):
                extra = ["--starting-cash", "1000000.00", "--tick-ms", "1000",
                         "--workers", str(workers)]
                if redis:
                    extra += ["--redis", redis.url()]
                servers.append(start_server(data_dir, *extra, database=database_url))
            yield [url for _, url in servers]
        finally:
            for server, _ in servers:
                stop(server)


def postgres_orders(pg, seconds, client_counts, replicas):
    """Orders per second through `replicas` servers sharing one PostgreSQL
    (and Redis when there are several), then pgbench -N on the same server."""
    database = f"orders_{replicas}"
    pg.create_database(database)
    redis = Redis() if replicas > 1 else None
    results = {}
    try:
        for clients in client_counts:
            with replica_servers(pg.url(database), redis, replicas, clients) as urls:
                # The two alternate, and the round with the median ratio
                # counts, because on a shared machine one window can be
                # much slower than the next.
                rounds = []
                for _ in range(ROUNDS):
                    orders = run_orderbench(urls, clients, seconds)
                    orders["pgbench_tps"] = pgbench_tps(pg, clients, seconds)
                    orders["ratio"] = orders["orders_per_second"] / orders["pgbench_tps"]
                    rounds.append(orders)
                results[clients] = median_round(rounds)
    finally:
        if redis:
            redis.stop()
    return results


def median_round(rounds):
    """Returns a copy of the round with the median ratio (the upper one of
    an even count), with every round's ratio in run order under "ratios"."""
    if not rounds:
        raise ValueError("median_round needs at least one round")
    by_ratio = sorted(rounds, key=lambda result: result["ratio"])
    median = dict(by_ratio[len(by_ratio) // 2])
    median["ratios"] = [round(result["ratio"], 3) for result in rounds]
    return median


def latency(result):
    return f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms"


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def run(options):
    seconds = 2 if options.quick else options.seconds
    sqlite = sqlite_orders(seconds, 8)
    with Postgres() as pg:
        pg.create_database("pgbench")
        pg.pgbench("pgbench", "-i", "-s", "10", "-q")
        postgres = {replicas: postgres_orders(pg, seconds, (8, 32), replicas)
                    for replicas in (1, 2)}

    rows = [Row("Orders per second, SQLite, 8 concurrent clients",
                f"{sqlite['orders_per_second']:.0f}/s ({latency(sqlite)}, "
                f"{sqlite['failed']} failed)", "none set", "n/a")]
    for replicas, by_clients in postgres.items():
        for clients, result in by_clients.items():
            ratio = result["ratio"]
            servers = "one replica" if replicas == 1 else f"{replicas} replicas"
            all_ratios = ", ".join(f"{r:.3f}" for r in result["ratios"])
            rows.append(Row(
                f"Orders per second, PostgreSQL, {servers}, {clients} concurrent clients, "
                f"against `pgbench -N` on the same server",
                f"{result['orders_per_second']:.0f}/s ({latency(result)}, {result['failed']} "
                f"failed) vs {result['pgbench_tps']:.0f} TPS: {ratio:.3f} (median of rounds "
                f"{all_ratios})",
                f"at least {TARGET_RATIO} of pgbench", met(ratio >= TARGET_RATIO)))
    rows += [
        Row("Server memory (RSS), idle", mib(sqlite["server_idle_rss_kib"]), "none set", "n/a"),
        Row("Server memory (RSS), after the SQLite order run",
            mib(sqlite["server_loaded_rss_kib"]), "none set", "n/a"),
    ]
    report = {"sqlite": sqlite, "postgres": {str(r): v for r, v in postgres.items()}}
    return report, rows
