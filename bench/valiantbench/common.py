"""What every benchmark section shares: the build in use, processes on
127.0.0.1, a throwaway PostgreSQL server and the rows of the results table."""

import collections
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PG_BINDIR = os.environ.get("VALIANT_PG_BINDIR", "/usr/lib/postgresql/15/bin")

# One line of the table in docs/benchmarks.md; met is "yes", "no" or "n/a".
Row = collections.namedtuple("Row", "name value target met")

_build_dir = os.path.join(ROOT, "build", "release")


def build_dir():
    return _build_dir


def set_build_dir(path):
    global _build_dir
    _build_dir = os.path.abspath(path)


def met(condition):
    return "yes" if condition else "no"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid):
    """User plus system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:
        # The command name may hold spaces; the fields after it do not.
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The servers' log lines go here, so the terminal shows only bench/run's own.
LOG_PATH = os.path.join(tempfile.gettempdir(), "valiant-bench-servers.log")


def server_log():
    """Open the servers' shared log file for appending."""
    return open(LOG_PATH, "a")


def start_server(data_dir, *extra, database=None):
    """Starts valiant-server on a free loopback port; returns (process, base URL)."""
    database = database or "sqlite://" + os.path.join(data_dir, "bench.db")
    # Rate limits would cap each benchmark client at 10 orders per second.
    with server_log() as log:
        server = subprocess.Popen(
            [os.path.join(build_dir(), "server", "valiant-server"), "serve", "--host",
             "127.0.0.1", "--port", "0", "--database", database, "--rate-limits", "off",
             *extra],
            stdout=subprocess.PIPE, stderr=log, text=True)
    line = server.stdout.readline()
    match = re.search(r"listening on (http://\S+)", line)
    if not match:
        server.kill()
        raise RuntimeError(f"valiant-server did not start: {line!r}")
    return server, match.group(1)


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Postgres:
    """A throwaway PostgreSQL server on a free 127.0.0.1 port, in the manner
    of tests/support/postgresserver.cpp: initdb in a temporary directory with
    trust authentication, run as the postgres user when this script is root."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="valiant-bench-pg-")
        self.data = os.path.join(self.directory, "data")
        self.port = free_port()
        self.process = None
        self.as_user = []
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root.
            shutil.chown(self.directory, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *_):
        self.stop()

    def start(self):
        subprocess.run([*self.as_user, os.path.join(PG_BINDIR, "initdb"), "-D", self.data,
                        "-U", "postgres", "-A", "trust", "-E", "UTF8", "-N"],
                       check=True, stdout=subprocess.DEVNULL)
        log = open(os.path.join(self.directory, "postgres.log"), "w")
        self.process = subprocess.Popen(
            [*self.as_user, os.path.join(PG_BINDIR, "postgres"), "-D", self.data,
             "-c", "listen_addresses=127.0.0.1", "-c", f"port={self.port}",
             "-c", f"unix_socket_directories={self.directory}", "-c", "max_connections=300"],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while subprocess.run([os.path.join(PG_BINDIR, "pg_isready"), "-q", "-h", "127.0.0.1",
                              "-p", str(self.port)]).returncode != 0:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"PostgreSQL did not start; see {log.name}")
            time.sleep(0.2)

    def url(self, database):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql, database="postgres"):
        result = subprocess.run(
            [os.path.join(PG_BINDIR, "psql"), "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
            capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"psql on {database} failed: {result.stderr.strip()}")
        return result.stdout

    def create_database(self, name):
        self.psql(f"DROP DATABASE IF EXISTS {name}")
        self.psql(f"CREATE DATABASE {name}")

    def pgbench(self, database, *arguments):
        return subprocess.run(
            [os.path.join(PG_BINDIR, "pgbench"), "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", *arguments, database],
            check=True, capture_output=True, text=True).stdout

    def stop(self):
        if self.process and self.process.poll() is None:
            # pg_ctl signals the postmaster itself: runuser neither passes
            # SIGINT on nor takes the server down when it is killed.
            subprocess.run([*self.as_user, os.path.join(PG_BINDIR, "pg_ctl"), "stop", "-D",
                            self.data, "-m", "fast", "-w", "-t", "30"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.directory, ignore_errors=True)
