"""History reads on PostgreSQL at two table sizes: the latest 60 quotes and
one day of 1-minute candles."""

import datetime
import http.client
import tempfile
import time
import urllib.parse

from .common import Postgres, Row, met, start_server, stop

ROLLUP_INTERVALS_MS = (60_000, 300_000, 3_600_000, 86_400_000)
LATEST_P99_MS = 2.0
CANDLES_P99_MS = 20.0
MAX_GROWTH = 1.5


def load_quotes(pg, database, count):
    """Writes `count` quotes one second apart, ending now, and their rollup
    candles straight into the store's tables, as the server would have."""
    end_ms = int(time.time() * 1000)
    intervals = ",".join(str(ms) for ms in ROLLUP_INTERVALS_MS)
    pg.psql(f"""
        SET work_mem = '256MB';
        INSERT INTO quotes (id, price_cents, created_ms)
        SELECT g, 5000 + ((g * 7919) % 2001) - 1000, {end_ms} - ({count} - g) * 1000
        FROM generate_series(1::bigint, {count}::bigint) AS g;
        INSERT INTO candles (interval_ms, start_ms, open_cents, high_cents, low_cents,
                             close_cents, count)
        SELECT b.interval_ms, b.start_ms, o.price_cents, b.high, b.low, c.price_cents, b.n
        FROM (SELECT i.interval_ms, q.created_ms - q.created_ms % i.interval_ms AS start_ms,
                     min(q.id) AS first_id, max(q.id) AS last_id,
                     max(q.price_cents) AS high, min(q.price_cents) AS low, count(*) AS n
              FROM quotes q CROSS JOIN unnest(ARRAY[{intervals}]::bigint[]) AS i(interval_ms)
              GROUP BY 1, 2) b
        JOIN quotes o ON o.id = b.first_id
        JOIN quotes c ON c.id = b.last_id;
        SELECT setval(pg_get_serial_sequence('quotes', 'id'), {count});
    """, database)
    # VACUUM cannot run in the transaction that psql -c wraps around several statements.
    pg.psql("VACUUM ANALYZE quotes", database)
    pg.psql("VACUUM ANALYZE candles", database)
    # The load's WAL is flushed now, not by a checkpoint during the reads.
    pg.psql("CHECKPOINT", database)
    return end_ms


WARM_UP_REQUESTS = 20


def time_requests(url, path, requests):
    """p50 and p99 in ms of `requests` sequential GETs on one keep-alive
    connection, after WARM_UP_REQUESTS uncounted ones (connection set-up,
    first statement plans and a cold page cache are not what a reader of
    a running server waits for)."""
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    latencies = []
    try:
        for index in range(WARM_UP_REQUESTS + requests):
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            if index >= WARM_UP_REQUESTS:
                latencies.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise RuntimeError(f"GET {path} returned {response.status}: {body[:200]!r}")
    finally:
        connection.close()
    latencies.sort()
    return {"p50_ms": latencies[len(latencies) // 2],
            "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "requests": requests}


def rfc3339(ms):
    moment = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def measure(pg, counts, requests):
    results = {}
    for count in counts:
        database = f"history_{count}"
        pg.create_database(database)
        with tempfile.TemporaryDirectory() as data_dir:
            # The first start creates the schema; the load goes in between.
            server, _ = start_server(data_dir, "--generator", "off", database=pg.url(database))
            stop(server)
            started = time.monotonic()
            end_ms = load_quotes(pg, database, count)
            load_seconds = time.monotonic() - started
            server, url = start_server(data_dir, "--generator", "off", database=pg.url(database))
            try:
                day = (f"/api/v1/candles?interval=1m&from={rfc3339(end_ms - 86_400_000)}"
                       f"&to={rfc3339(end_ms)}")
                results[count] = {
                    "load_seconds": load_seconds,
                    "latest_60": time_requests(url, "/api/v1/quotes?limit=60", requests),
                    "candles_1m_day": time_requests(url, day, requests),
                }
            finally:
                stop(server)
        pg.psql(f"DROP DATABASE {database}")
    return results


def latency(result):
    return f"p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms"


def run(options):
    counts = (10_000, 100_000) if options.quick else (1_000_000, 10_000_000)
    requests = 50 if options.quick else 1000
    with Postgres() as pg:
        results = measure(pg, counts, requests)

    rows = []
    for count, result in results.items():
        rows.append(Row(f"Latest 60 quotes, {count:,} quotes stored", latency(result["latest_60"]),
                        f"p99 under {LATEST_P99_MS:g} ms",
                        met(result["latest_60"]["p99_ms"] < LATEST_P99_MS)))
        rows.append(Row(f"One day of 1-minute candles, {count:,} quotes stored",
                        latency(result["candles_1m_day"]), f"p99 under {CANDLES_P99_MS:g} ms",
                        met(result["candles_1m_day"]["p99_ms"] < CANDLES_P99_MS)))
    small, large = counts
    for key, name in (("latest_60", "Latest 60 quotes"), ("candles_1m_day", "One day of candles")):
        growth = results[large][key]["p50_ms"] / results[small][key]["p50_ms"]
        rows.append(Row(f"{name}: p50 at {large:,} quotes over p50 at {small:,}",
                        f"{growth:.2f}×", f"at most {MAX_GROWTH}×", met(growth <= MAX_GROWTH)))
    return {str(count): result for count, result in results.items()}, rows
