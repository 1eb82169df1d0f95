"""Tests of how bench/run judges and records results: the median round of
the order benchmark, the fan-out rows and their targets, the rewriting of
one section's table and the exit status. They run no benchmark."""

import importlib.machinery
import importlib.util
import os
import sys
import unittest

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, BENCH_DIR)

from valiantbench import common, fanout, orders  # noqa: E402


def load_run_script():
    """Imports bench/run, a script without the .py suffix, as a module."""
    loader = importlib.machinery.SourceFileLoader("bench_run", os.path.join(BENCH_DIR, "run"))
    spec = importlib.util.spec_from_loader("bench_run", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def fanout_run(server, clients, tick_ms, p99, **problems):
    """A fanoutbench result as fanout._measure returns it."""
    result = {"server": server, "clients": clients, "tick_ms": tick_ms, "seconds": 10,
              "slow_clients": 0, "open": clients, "failed": 0, "dropped": 0, "id_gaps": 0,
              "id_duplicates": 0, "malformed": 0, "slow_open": 0, "slow_closed": 0,
              "latency_ms": {"p50": p99 / 2, "p99": p99, "max": p99 + 1},
              "messages_per_second": clients * 1000 / tick_ms,
              "expected_messages_per_second": clients * 1000 / tick_ms,
              "server_cpu_share": 0.1, "memory_per_connection_kb": 8.0}
    result.update(problems)
    return result


def fanout_runs(sizes, valiant_p99, node_p99, floor_p99=1.0, **valiant_problems):
    runs = []
    for tick_ms in fanout.TICKS_MS:
        for clients in sizes:
            runs.append(fanout_run("valiant", clients, tick_ms, valiant_p99, **valiant_problems))
            runs.append(fanout_run("node", clients, tick_ms, node_p99))
            runs.append(fanout_run("floor", clients, tick_ms, floor_p99))
    return runs


def row_named(rows, prefix):
    matches = [row for row in rows if row.name.startswith(prefix)]
    if len(matches) != 1:
        raise AssertionError(f"expected one row named {prefix!r}, found {len(matches)}")
    return matches[0]


class MedianRoundTest(unittest.TestCase):
    def test_odd_count_takes_middle_ratio(self):
        rounds = [{"ratio": 0.75, "run": 1}, {"ratio": 0.61, "run": 2}, {"ratio": 0.70, "run": 3}]
        median = orders.median_round(rounds)
        self.assertEqual(median["run"], 3)
        self.assertEqual(median["ratios"], [0.75, 0.61, 0.7])

    def test_even_count_takes_upper_middle(self):
        rounds = [{"ratio": 0.4}, {"ratio": 0.9}, {"ratio": 0.5}, {"ratio": 0.6}]
        self.assertEqual(orders.median_round(rounds)["ratio"], 0.6)

    def test_rounds_left_unchanged(self):
        rounds = [{"ratio": 0.5}]
        orders.median_round(rounds)
        self.assertNotIn("ratios", rounds[0])

    def test_no_rounds_rejected(self):
        with self.assertRaises(ValueError):
            orders.median_round([])


class WorkersPerReplicaTest(unittest.TestCase):
    def test_one_worker_per_client(self):
        self.assertEqual(orders.workers_per_replica(1, 8), 8)
        self.assertEqual(orders.workers_per_replica(1, 32), 32)
        self.assertEqual(orders.workers_per_replica(2, 32), 16)

    def test_uneven_split_rounds_up(self):
        self.assertEqual(orders.workers_per_replica(3, 32), 11)

    def test_never_below_server_default(self):
        self.assertEqual(orders.workers_per_replica(2, 8), 4)
        self.assertEqual(orders.workers_per_replica(3, 8), 4)


class FanoutMedianRoundTest(unittest.TestCase):
    def test_middle_p99_counts(self):
        rounds = [fanout_run("valiant", 10000, 1000, p99) for p99 in (58.0, 46.0, 51.0)]
        median = fanout.median_round(rounds)
        self.assertEqual(median["latency_ms"]["p99"], 51.0)
        self.assertEqual(median["p99_rounds"], [58.0, 46.0, 51.0])

    def test_failed_round_shows(self):
        rounds = [fanout_run("valiant", 10000, 1000, 40.0),
                  fanout_run("valiant", 10000, 1000, 45.0, id_gaps=2),
                  {"server": "valiant", "clients": 10000, "tick_ms": 1000,
                   "error": "fanoutbench timed out"}]
        chosen = fanout.median_round(rounds)
        self.assertEqual(chosen["id_gaps"], 2)
        self.assertEqual(chosen["p99_rounds"], [40.0, 45.0, None])

    def test_single_round_unchanged(self):
        only = fanout_run("node", 1000, 100, 9.0)
        self.assertIs(fanout.median_round([only]), only)

    def test_rounds_listed_in_row(self):
        runs = fanout_runs((1000, 10000), 30.0, 40.0)
        target = next(index for index, run in enumerate(runs)
                      if run["server"] == "valiant" and run["clients"] == 10000
                      and run["tick_ms"] == 1000)
        runs[target] = fanout.median_round(
            [fanout_run("valiant", 10000, 1000, p99) for p99 in (52.0, 47.5, 49.0)])
        rows = fanout._rows(runs, [], (1000, 10000), quick=False)
        row = row_named(rows, "p99 delay at 10,000 clients")
        self.assertIn("median of 3 rounds by p99 (52.0, 47.5, 49.0 ms)", row.value)
        self.assertEqual(row.met, "yes")

    def test_no_rounds_rejected(self):
        with self.assertRaises(ValueError):
            fanout.median_round([])


class FanoutRowsTest(unittest.TestCase):
    sizes = (1000, 10000)

    def test_faster_than_node_is_met(self):
        rows = fanout._rows(fanout_runs(self.sizes, 30.0, 40.0), [], self.sizes, quick=False)
        row = row_named(rows, "fan-out, 10,000 clients, 1 quote/s")
        self.assertEqual(row.met, "yes")
        self.assertIn("floor (bare send loop) p99 1.0 ms", row.value)

    def test_slower_than_node_is_missed(self):
        rows = fanout._rows(fanout_runs(self.sizes, 41.0, 40.0), [], self.sizes, quick=False)
        self.assertEqual(row_named(rows, "fan-out, 1,000 clients, 1 quote/s").met, "no")

    def test_gap_misses_even_when_faster(self):
        rows = fanout._rows(fanout_runs(self.sizes, 30.0, 40.0, id_gaps=3), [], self.sizes,
                            quick=False)
        row = row_named(rows, "fan-out, 1,000 clients, 1 quote/s")
        self.assertEqual(row.met, "no")
        self.assertIn("3 id gaps", row.value)

    def test_p99_target_at_largest_size(self):
        under = fanout._rows(fanout_runs(self.sizes, 49.9, 60.0), [], self.sizes, quick=False)
        self.assertEqual(row_named(under, "p99 delay at 10,000 clients").met, "yes")
        over = fanout._rows(fanout_runs(self.sizes, 50.0, 60.0), [], self.sizes, quick=False)
        self.assertEqual(row_named(over, "p99 delay at 10,000 clients").met, "no")

    def test_quick_run_sets_no_p99_verdict(self):
        rows = fanout._rows(fanout_runs(self.sizes, 500.0, 60.0), [], self.sizes, quick=True)
        self.assertEqual(row_named(rows, "p99 delay at 10,000 clients").met, "n/a")

    def test_failed_run_is_missed(self):
        runs = fanout_runs(self.sizes, 30.0, 40.0)
        runs[0] = {"server": "valiant", "clients": 1000, "tick_ms": fanout.TICKS_MS[0],
                   "error": "fanoutbench timed out"}
        rows = fanout._rows(runs, [], self.sizes, quick=False)
        row = row_named(rows, f"fan-out, 1,000 clients, {fanout._tick_name(fanout.TICKS_MS[0])}")
        self.assertEqual(row.met, "no")
        self.assertIn("fanoutbench timed out", row.value)


class RunScriptTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.script = load_run_script()

    def test_table_rewritten_between_its_markers(self):
        text = ("intro\n<!-- results:orders:start -->\nold orders\n<!-- results:orders:end -->\n"
                "<!-- results:history:start -->\nold history\n<!-- results:history:end -->\n")
        rows = [common.Row("Orders per second", "4547/s", "at least 0.7 of pgbench", "yes")]
        rewritten = self.script.write_table(text, "orders", rows, "bench/run --only orders")
        self.assertNotIn("old orders", rewritten)
        self.assertIn("| Orders per second | 4547/s | at least 0.7 of pgbench | yes |", rewritten)
        self.assertIn("with `bench/run --only orders`", rewritten)
        self.assertIn("old history", rewritten)
        self.assertTrue(rewritten.startswith("intro\n"))

    def test_missing_markers_rejected(self):
        with self.assertRaises(RuntimeError):
            self.script.write_table("no markers here", "orders", [], "bench/run")

    def test_only_missed_targets_count(self):
        rows = {"orders": [common.Row("a", "1", "t", "yes"), common.Row("b", "2", "none set", "n/a")],
                "fanout": [common.Row("c", "3", "t", "no")]}
        self.assertEqual([row.name for row in self.script.missed_rows(rows)], ["c"])
        rows["fanout"] = []
        self.assertEqual(self.script.missed_rows(rows), [])


if __name__ == "__main__":
    unittest.main()
