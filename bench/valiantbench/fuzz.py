"""Long fuzzing run: each libFuzzer target of tests/fuzz runs for 10 million
inputs (10,000 with --quick) under ASan and UBSan, as many at once as there
are cores. --fuzz-target runs only the named targets and keeps the others'
rows from the page. The target is no crash at all. Builds the clang preset "fuzz" in build/fuzz, or
in VALIANT_FUZZ_BUILD_DIR when that is set."""

import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

from .common import ROOT, Row, met

FULL_RUNS = 10_000_000
QUICK_RUNS = 10_000
# libFuzzer's limit for one input; a slower input counts as a crash.
INPUT_TIMEOUT_SECONDS = 30
# The resident size of a fuzzer under ASan grows slowly over millions of
# inputs (about 750 MB after 8 million for fuzz_apicodec on the 2-core
# machine of the recorded run). libFuzzer's default limit of 2048 MB could
# end a run of 10 million inputs as out of memory.
RSS_LIMIT_MB = 6144
# Logs and crash inputs stay here after the run for inspection.
OUTPUT_DIR = os.path.join(tempfile.gettempdir(), "valiant-fuzz")


def fuzz_build_dir():
    return os.environ.get("VALIANT_FUZZ_BUILD_DIR", os.path.join(ROOT, "build", "fuzz"))


def build(build_dir):
    subprocess.run(["cmake", "--preset", "fuzz", "-S", ROOT, "-B", build_dir], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", build_dir, "--target", "fuzzers"], check=True)


def final_stats(output):
    """Read the stat::NAME: VALUE lines that libFuzzer prints with -print_final_stats=1."""
    return {name: int(value) for name, value in re.findall(r"^stat::(\w+):\s+(\d+)$", output, re.M)}


def last_coverage(output):
    """Read the edges and features covered from the last status line ("#N ... cov: 1234 ft: ...")."""
    matches = re.findall(r"\bcov: (\d+) ft: (\d+)", output)
    return (int(matches[-1][0]), int(matches[-1][1])) if matches else (None, None)


def run_target(fuzzer, runs, asan_options, artifacts_dir, log_path):
    """Runs one fuzzer for `runs` inputs on a scratch copy of its seed corpus,
    so the repository keeps only the seeds. Returns its raw numbers."""
    with tempfile.TemporaryDirectory(prefix=f"valiant-fuzz-{fuzzer['name']}-") as scratch:
        corpus = os.path.join(scratch, "corpus")
        shutil.copytree(fuzzer["corpus"], corpus)
        seeds = len(os.listdir(corpus))
        command = [fuzzer["executable"], f"-runs={runs}", f"-max_len={fuzzer['max_len']}",
                   f"-timeout={INPUT_TIMEOUT_SECONDS}", f"-rss_limit_mb={RSS_LIMIT_MB}",
                   "-print_final_stats=1",
                   f"-artifact_prefix={artifacts_dir}/{fuzzer['name']}-"]
        if fuzzer["dict"]:
            command.append(f"-dict={fuzzer['dict']}")
        command.append(corpus)

        started = time.monotonic()
        with open(log_path, "w") as log:
            log.write("$ " + " ".join(command) + "\n")
            log.flush()
            environment = dict(os.environ, UBSAN_OPTIONS="print_stacktrace=1",
                               ASAN_OPTIONS=asan_options)
            result = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=environment)
        wall = time.monotonic() - started
        corpus_units = len(os.listdir(corpus))

    with open(log_path, errors="replace") as log:
        output = log.read()
    stats = final_stats(output)
    # Slow inputs are saved too (slow-unit-…) but are no failure.
    failures = tuple(f"{fuzzer['name']}-{kind}-" for kind in ("crash", "leak", "timeout", "oom"))
    artifacts = sorted(name for name in os.listdir(artifacts_dir) if name.startswith(failures))
    executions = stats.get("number_of_executed_units", 0)
    coverage, features = last_coverage(output)
    return {
        "executions": executions,
        "exec_per_second": round(executions / wall) if wall > 0 else 0,
        "wall_seconds": round(wall, 1),
        # libFuzzer stops at the first crash, leak or timeout and saves its input.
        "crashes": len(artifacts) + (1 if result.returncode != 0 and not artifacts else 0),
        "exit_status": result.returncode,
        "artifacts": [os.path.join(artifacts_dir, name) for name in artifacts],
        "seeds": seeds,
        "corpus_units": corpus_units,
        "coverage_edges": coverage,
        "coverage_features": features,
        "peak_rss_mb": stats.get("peak_rss_mb"),
        "log": log_path,
    }


def earlier_rows(names):
    """Find the rows of the fuzzers in `names` in the table that
    docs/benchmarks.md has now, each marked with the time it was measured."""
    with open(os.path.join(ROOT, "docs", "benchmarks.md")) as page:
        text = page.read()
    block = re.search(r"<!-- results:fuzz:start -->(.*?)<!-- results:fuzz:end -->", text, re.S)
    if not block:
        return {}
    stamp = re.search(r"(?:Measured|started) (\d{4}-\d\d-\d\d \d\d:\d\d UTC)", block.group(1))
    when = f"run of {stamp.group(1)}" if stamp else "an earlier run"
    rows = {}
    for line in block.group(1).splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4:
            continue
        for name in names:
            if cells[0].startswith((f"Fuzzing {name}:", f"{name},")):
                value = cells[1] if "run of" in cells[1] else f"{cells[1]} ({when})"
                rows[name] = Row(cells[0], value, cells[2], cells[3])
    return rows


def run(options):
    runs = QUICK_RUNS if options.quick else FULL_RUNS
    build_dir = fuzz_build_dir()
    if not getattr(options, "no_build", False):
        build(build_dir)
    # Written by tests/fuzz/CMakeLists.txt: the targets, their seeds and options.
    with open(os.path.join(build_dir, "tests", "fuzz", "fuzzers.json")) as manifest_file:
        manifest = json.load(manifest_file)

    known = [fuzzer["name"] for fuzzer in manifest["fuzzers"]]
    chosen = getattr(options, "fuzz_target", None) or known
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise RuntimeError(f"unknown fuzz target {', '.join(unknown)}. Pick one of "
                           f"{', '.join(known)}")
    fuzzers = [fuzzer for fuzzer in manifest["fuzzers"] if fuzzer["name"] in chosen]

    artifacts_dir = os.path.join(OUTPUT_DIR, "artifacts")
    os.makedirs(artifacts_dir, exist_ok=True)
    for fuzzer in fuzzers:
        # Crash inputs of an earlier run would be counted as this run's.
        for old in os.listdir(artifacts_dir):
            if old.startswith(fuzzer["name"] + "-"):
                os.remove(os.path.join(artifacts_dir, old))

    # Each fuzzer is one process on one core, so as many run at once as
    # there are cores.
    workers = max(1, min(len(fuzzers), os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {fuzzer["name"]: pool.submit(run_target, fuzzer, runs, manifest["asan_options"],
                                               artifacts_dir,
                                               os.path.join(OUTPUT_DIR, fuzzer["name"] + ".log"))
                   for fuzzer in fuzzers}
        results = {name: future.result() for name, future in futures.items()}

    report = {"runs_per_target": runs, "asan_options": manifest["asan_options"],
              "parallel_runs": workers, "targets": results}
    # A run of some targets keeps the other targets' rows from the page.
    earlier = {} if options.quick else earlier_rows([name for name in known if name not in chosen])
    rows = []
    for name in known:
        if name in earlier:
            rows.append(earlier[name])
        if name not in results:
            continue
        numbers = results[name]
        rows.append(Row(
            f"Fuzzing {name}: inputs run and crashes",
            f"{numbers['executions']:,} inputs in {numbers['wall_seconds']:,.0f} s "
            f"({numbers['exec_per_second']:,}/s), {numbers['crashes']} crashes",
            f"≥ {runs:,} inputs, 0 crashes",
            met(numbers["executions"] >= runs and numbers["crashes"] == 0)))
    return report, rows
