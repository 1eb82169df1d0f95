"""Desktop against the browser: start-up time and memory of the desktop app
`valiant` next to headless Chromium showing an equivalent live chart.

The peer is bench/peers/chartjs-page: a Chart.js line chart of the last 60
prices, one new price a second over Server-Sent Events from a Node.js server
on 127.0.0.1. Both programs report "first price painted" once the first price
is on screen, `valiant` on standard output (VALIANT_REPORT_FIRST_PAINT=1) and
the page as a console message that Chromium writes to standard error.

`valiant` draws a real window on an Xvfb display started beforehand, so X
start-up is not counted. Chromium runs headless (--headless=new) and so has no
window and no X connection at all.

Run this section alone from bench/: `python3 -m valiantbench.browser --help`.
"""

import argparse
import collections
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import types

from .common import ROOT, Row, build_dir, met, set_build_dir, stop

PAGE_DIR = os.path.join(ROOT, "bench", "peers", "chartjs-page")
INSTALL_SCRIPT = os.path.join(ROOT, "scripts", "install-bench-deps.sh")
# The Debian package's real binary. /usr/bin/chromium is a shell wrapper that
# adds start-up work and flags of its own.
CHROMIUM = os.environ.get("VALIANT_CHROMIUM", "/usr/lib/chromium/chromium")

FIRST_PAINT = "first price painted"
LIVE_PRICES = re.compile(r"chartjs-page: (\d+) live prices shown")
START_TIMEOUT_SECONDS = 60
# The size MainWindow gives itself when no geometry is saved.
WINDOW_WIDTH, WINDOW_HEIGHT = 1200, 780
# The page logs every 10th live price, so its count lags by up to 9.
LIVE_PRICE_LOG_INTERVAL = 10


class WatchedProcess:
    """A child process whose standard output and error a thread reads line by
    line, recording when the first line containing FIRST_PAINT arrived."""

    def __init__(self, command, env):
        self.painted = threading.Event()
        self.painted_at = None
        self.live_prices = 0
        self.tail = collections.deque(maxlen=20)
        self.started = time.monotonic()
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, errors="replace")
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    @property
    def pid(self):
        return self.process.pid

    def _read(self):
        for line in self.process.stdout:
            if self.painted_at is None and FIRST_PAINT in line:
                self.painted_at = time.monotonic()
                self.painted.set()
            match = LIVE_PRICES.search(line)
            if match:
                self.live_prices = int(match.group(1))
            self.tail.append(line.rstrip())
        # Wake a waiter when the output ends without the line.
        self.painted.set()

    def seconds_to_first_paint(self):
        """Wait for the first-paint line; return the seconds from spawn to it."""
        name = os.path.basename(self.process.args[0])
        if not self.painted.wait(START_TIMEOUT_SECONDS):
            raise RuntimeError(f"{name} timed out: no '{FIRST_PAINT}' line within "
                               f"{START_TIMEOUT_SECONDS} s. Last output:\n" + "\n".join(self.tail))
        if self.painted_at is None:
            raise RuntimeError(f"{name} exited with status {self.process.wait()} before "
                               f"writing '{FIRST_PAINT}'. Last output:\n" + "\n".join(self.tail))
        return self.painted_at - self.started

    def check_running(self):
        status = self.process.poll()
        if status is not None:
            name = os.path.basename(self.process.args[0])
            raise RuntimeError(f"{name} exited with status {status} during the memory run. "
                               "Last output:\n" + "\n".join(self.tail))


def process_tree(pid):
    """Return pid and the ids of all its descendants that are alive now."""
    children = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                # The command name may contain spaces, so split after its closing
                # parenthesis. The parent id is the second field there.
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        children[parent].append(int(entry))
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(children[current])
    return tree


def processes_mentioning(text):
    """Return the ids of processes whose command line contains text."""
    found = []
    needle = text.encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                if needle in cmdline.read():
                    found.append(int(entry))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def memory_kib(pids):
    """Sum Rss and Pss (KiB, from /proc/PID/smaps_rollup) over pids.

    Rss counts a page shared by several of the processes once per process;
    Pss divides each shared page among the processes that map it."""
    total = {"rss_kib": 0, "pss_kib": 0, "processes": 0}
    for pid in sorted(set(pids)):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                lines = rollup.read().splitlines()
        except (FileNotFoundError, ProcessLookupError):
            continue
        for line in lines:
            if line.startswith("Rss:"):
                total["rss_kib"] += int(line.split()[1])
            elif line.startswith("Pss:"):
                total["pss_kib"] += int(line.split()[1])
        total["processes"] += 1
    return total


class Xvfb:
    """An Xvfb server on a display number that Xvfb picks and reports (-displayfd)."""

    def __enter__(self):
        read_end, write_end = os.pipe()
        self.process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            pass_fds=(write_end,), stderr=subprocess.DEVNULL)
        os.close(write_end)
        # Xvfb writes the number once it accepts connections.
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()
        if not number:
            stop(self.process)
            raise RuntimeError("Xvfb failed to start: it wrote no display number. "
                               "Check that scripts/install-deps.sh has installed xvfb.")
        self.display = ":" + number
        return self

    def __exit__(self, *_):
        stop(self.process)


class PageServer:
    """bench/peers/chartjs-page/server.js on a free 127.0.0.1 port."""

    def __enter__(self):
        self.process = subprocess.Popen(["node", os.path.join(PAGE_DIR, "server.js")],
                                        stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        if not match:
            stop(self.process)
            raise RuntimeError(f"the Chart.js page server did not start: {line!r}")
        self.url = match.group(1) + "/"
        return self

    def __exit__(self, *_):
        stop(self.process)


class Valiant:
    """The desktop app on an X display, with its data and settings in a
    temporary home that every start of this object shares."""

    def __init__(self, display):
        self.home = tempfile.mkdtemp(prefix="valiant-bench-app-")
        self.env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb",
                        XDG_DATA_HOME=os.path.join(self.home, "data"),
                        XDG_CONFIG_HOME=os.path.join(self.home, "config"),
                        VALIANT_REPORT_FIRST_PAINT="1")
        self.running = None

    def start(self):
        self.running = WatchedProcess([os.path.join(build_dir(), "app", "valiant")], self.env)
        return self.running

    def processes(self):
        return process_tree(self.running.pid)

    def stop(self):
        stop(self.running.process)

    def remove(self):
        shutil.rmtree(self.home, ignore_errors=True)


class Chromium:
    """Headless Chromium showing one URL, with its profile (--user-data-dir)
    and its config and cache folders under one temporary directory."""

    def __init__(self, url):
        self.url = url
        self.root = tempfile.mkdtemp(prefix="valiant-bench-chromium-")
        self.running = None

    def command(self):
        command = [
            CHROMIUM, "--headless=new", f"--user-data-dir={os.path.join(self.root, 'profile')}",
            "--no-first-run", "--no-default-browser-check",
            f"--window-size={WINDOW_WIDTH},{WINDOW_HEIGHT}",
            # Console messages of the page go to standard error.
            "--enable-logging=stderr", "--v=0",
            # Keep every connection on 127.0.0.1: no update, sync or safe-browsing
            # traffic, and any other host resolves to nothing and goes to a closed
            # proxy port. Chromium bypasses the proxy for loopback addresses.
            "--disable-background-networking", "--disable-component-update",
            "--proxy-server=http://127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            self.url,
        ]
        if os.geteuid() == 0:
            # Chromium refuses to start as root with its sandbox on.
            command.insert(1, "--no-sandbox")
        return command

    def start(self):
        env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(self.root, "config"),
                   XDG_CACHE_HOME=os.path.join(self.root, "cache"))
        self.running = WatchedProcess(self.command(), env)
        return self.running

    def processes(self):
        # The crash handlers detach from the browser process, but their
        # command lines name the crash database under this object's folder.
        return sorted(set(process_tree(self.running.pid)) | set(processes_mentioning(self.root)))

    def stop(self):
        leftover = self.processes()
        stop(self.running.process)
        time.sleep(0.5)
        for pid in set(leftover) & set(processes_mentioning(self.root)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def remove(self):
        shutil.rmtree(self.root, ignore_errors=True)


def chromium_version():
    result = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def time_start(program):
    """Start program, wait for its first paint and stop it; return milliseconds."""
    watched = program.start()
    try:
        return watched.seconds_to_first_paint() * 1000
    finally:
        program.stop()


def time_fresh_chromium_starts(url, count):
    starts = []
    for _ in range(count):
        chromium = Chromium(url)
        try:
            starts.append(time_start(chromium))
        finally:
            chromium.remove()
    return starts


def measure_memory(app, chromium, seconds):
    """Run both programs at once for `seconds` after both have painted a price.

    Return their memory at the end, and also after 60 s when the run is longer."""
    app.start()
    chromium.start()
    try:
        app.running.seconds_to_first_paint()
        chromium.running.seconds_to_first_paint()
        painted = time.monotonic()
        samples = {}
        for at in sorted({min(60, seconds), seconds}):
            time.sleep(max(0.0, painted + at - time.monotonic()))
            app.running.check_running()
            chromium.running.check_running()
            samples[at] = {"valiant": memory_kib(app.processes()),
                           "chromium": memory_kib(chromium.processes())}
        live_prices = chromium.running.live_prices
    finally:
        app.stop()
        chromium.stop()
    expected = int(seconds * 0.8) // LIVE_PRICE_LOG_INTERVAL * LIVE_PRICE_LOG_INTERVAL
    if live_prices < expected:
        raise RuntimeError(f"the Chart.js page showed only {live_prices} live prices in "
                           f"{seconds} s; expected at least {expected}, one a second")
    return samples, live_prices


def summarize(starts):
    return {"median_ms": statistics.median(starts), "all_ms": starts}


def run(options):
    subprocess.run([INSTALL_SCRIPT], check=True)
    starts = 1 if options.quick else 5
    seconds = 10 if options.quick else round(options.app_minutes * 60)

    with Xvfb() as xvfb, PageServer() as page:
        app = Valiant(xvfb.display)
        warm_profile = Chromium(page.url)
        try:
            # The first start creates the app's database and local account,
            # and both first starts bring the binaries into the page cache.
            time_start(app)
            time_start(warm_profile)

            valiant_starts = [time_start(app) for _ in range(starts)]
            fresh_starts = time_fresh_chromium_starts(page.url, starts)
            warm_starts = [time_start(warm_profile) for _ in range(starts)]

            memory_peer = Chromium(page.url)
            try:
                samples, live_prices = measure_memory(app, memory_peer, seconds)
            finally:
                memory_peer.remove()
            page_server = memory_kib([page.process.pid])
        finally:
            app.remove()
            warm_profile.remove()

    final = samples[seconds]
    report = {
        "valiant": {"start": summarize(valiant_starts),
                    "memory": {str(at): sample["valiant"] for at, sample in samples.items()}},
        "chromium": {"version": chromium_version(),
                     "start_fresh_profile": summarize(fresh_starts),
                     "start_existing_profile": summarize(warm_starts),
                     "memory": {str(at): sample["chromium"] for at, sample in samples.items()},
                     "live_prices_shown": live_prices},
        "page_server_memory": page_server,
        "memory_seconds": seconds,
        "pss_ratio": final["valiant"]["pss_kib"] / final["chromium"]["pss_kib"],
        "rss_ratio": final["valiant"]["rss_kib"] / final["chromium"]["rss_kib"],
    }
    return report, rows(report)


def rows(report):
    def mib(kib):
        return f"{kib / 1024:.1f} MiB"

    def memory(sample):
        return f"PSS {mib(sample['pss_kib'])}, RSS {mib(sample['rss_kib'])}"

    valiant, chromium = report["valiant"], report["chromium"]
    seconds = report["memory_seconds"]
    after = f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds} s"
    count = len(valiant["start"]["all_ms"])
    valiant_memory = valiant["memory"][str(seconds)]
    chromium_memory = chromium["memory"][str(seconds)]
    return [
        Row(f"App start to first price painted (Xvfb window), median of {count}",
            f"{valiant['start']['median_ms']:.0f} ms", "under 500 ms",
            met(valiant["start"]["median_ms"] < 500)),
        Row(f"Headless Chromium start to first price painted, Chart.js page, new profile, "
            f"median of {count}",
            f"{chromium['start_fresh_profile']['median_ms']:.0f} ms", "none set (comparison)", "n/a"),
        Row(f"Headless Chromium start to first price painted, Chart.js page, existing profile, "
            f"median of {count}",
            f"{chromium['start_existing_profile']['median_ms']:.0f} ms", "none set (comparison)",
            "n/a"),
        Row(f"App memory after {after} (Xvfb window)", memory(valiant_memory), "none set", "n/a"),
        Row(f"Headless Chromium memory after {after}, Chart.js page, "
            f"{chromium_memory['processes']} processes",
            memory(chromium_memory), "none set (comparison)", "n/a"),
        Row(f"App memory over headless Chromium memory after {after}",
            f"PSS {report['pss_ratio']:.2f}, RSS {report['rss_ratio']:.2f}",
            "PSS at most 0.3", met(report["pss_ratio"] <= 0.3)),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 timed start of each program and 10 s of memory run")
    parser.add_argument("--app-minutes", type=float, default=5,
                        help="minutes both programs run before their memory is read (default 5)")
    parser.add_argument("--build-dir", help="Release build that contains app/valiant "
                                            "(default build/release)")
    arguments = parser.parse_args()
    if arguments.build_dir:
        set_build_dir(arguments.build_dir)
    options = types.SimpleNamespace(quick=arguments.quick, seconds=10,
                                    app_minutes=arguments.app_minutes)
    report, table = run(options)
    print(json.dumps(report, indent=2))
    for row in table:
        print(f"| {row.name} | {row.value} | {row.target} | {row.met} |")


if __name__ == "__main__":
    main()
