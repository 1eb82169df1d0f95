#!/bin/sh
# Proves without a Docker engine that the container's runtime stage has
# every library valiant-server needs. mmdebstrap builds a Debian 12 root
# file system from exactly the packages that docker/Dockerfile's runtime
# stage installs. The built server is copied in and serves under chroot
# against a throwaway PostgreSQL and Redis on 127.0.0.1.
# Usage: check_runtime.sh SOURCE_DIR SERVER_BINARY CACHE_DIR
# Needs root (chroot); exits 77, which CTest reports as skipped, without it.
set -eu

source_dir=$1
server_binary=$2
cache_dir=$3

fail() {
  echo "check_runtime: $*" >&2
  exit 1
}

if [ "$(id -u)" -ne 0 ]; then
  echo "check_runtime: skipped, chroot needs root; run ctest -L runtime as root." >&2
  exit 77
fi
for tool in mmdebstrap chroot runuser redis-server curl; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool not found; install it with scripts/install-deps.sh."
done
pg_bin=${VALIANT_PG_BINDIR:-/usr/lib/postgresql/15/bin}
[ -x "$pg_bin/initdb" ] || fail "initdb not found in $pg_bin; install postgresql or set VALIANT_PG_BINDIR."
id postgres >/dev/null 2>&1 || fail "there is no postgres user to run PostgreSQL as."

# The runtime stage's package list: the words after `install` in its
# apt-get line, options and shell operators left out.
dockerfile=$source_dir/docker/Dockerfile
packages=$(awk '/^FROM .* AS runtime/{runtime=1} runtime' "$dockerfile" |
  sed -n '/apt-get install/,/rm -rf/p' | tr -d '\\' | tr ' ' '\n' |
  grep -E '^[a-z0-9][a-z0-9.+-]+$' |
  grep -vxE 'apt-get|install|rm|update|DEBIAN_FRONTEND=noninteractive' | sort -u | paste -sd, -)
[ -n "$packages" ] || fail "found no runtime package list in $dockerfile."
echo "check_runtime: runtime packages: $packages"

# The root file system is cached by package list, because mmdebstrap
# downloads it from the Debian archive.
mkdir -p "$cache_dir"
key=$(echo "$packages" | sha256sum | cut -c1-16)
tarball=$cache_dir/runtime-$key.tar
if [ ! -f "$tarball" ]; then
  partial=$cache_dir/partial-$key.tar
  mmdebstrap --variant=apt --include="$packages" bookworm "$partial" \
    "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main" ||
    fail "mmdebstrap could not build the runtime root file system."
  mv "$partial" "$tarball"
fi

scratch=$(mktemp -d)
server_pid=
redis_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
  if [ -f "$scratch/pg/postmaster.pid" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$scratch/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

root=$scratch/root
mkdir "$root"
tar -xf "$tarball" -C "$root"
install -m 0755 "$server_binary" "$root/usr/local/bin/valiant-server"

missing=$(chroot "$root" ldd /usr/local/bin/valiant-server | grep 'not found' || true)
[ -z "$missing" ] || fail "the runtime packages lack libraries: $missing"
chroot "$root" /usr/local/bin/valiant-server --version || fail "valiant-server --version failed in the runtime root."

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
pg_port=$(free_port)
redis_port=$(free_port)
server_port=$(free_port)

mkdir "$scratch/pg"
chown postgres "$scratch/pg"
chmod 0755 "$scratch"
runuser -u postgres -- "$pg_bin/initdb" -D "$scratch/pg" --auth=trust -U valiant >/dev/null ||
  fail "initdb failed."
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$scratch/pg" -w -l "$scratch/pg/log" \
  -o "-p $pg_port -k $scratch/pg -c listen_addresses=127.0.0.1" start >/dev/null || {
  cat "$scratch/pg/log" >&2
  fail "PostgreSQL did not start (log above)."
}
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$scratch/redis.log" 2>&1 &
redis_pid=$!

chroot "$root" env HOME=/tmp HOST=127.0.0.1 PORT="$server_port" \
  DATABASE_URL="postgres://valiant@127.0.0.1:$pg_port/postgres" \
  REDIS_URL="redis://127.0.0.1:$redis_port" \
  /usr/local/bin/valiant-server serve >"$scratch/server.log" 2>&1 &
server_pid=$!

healthy=no
for attempt in $(seq 1 30); do
  if chroot "$root" env PORT="$server_port" /usr/local/bin/valiant-server healthcheck >/dev/null 2>&1; then
    healthy=yes
    break
  fi
  sleep 1
done
if [ "$healthy" != yes ]; then
  cat "$scratch/server.log" >&2
  fail "valiant-server in the runtime root did not pass its healthcheck within 30 s."
fi

# An account and a quote go through PostgreSQL and Redis.
status=$(curl -s -o "$scratch/account.json" -w '%{http_code}' -X POST \
  -H 'Content-Type: application/json' -d '{"username":"runtime","password":"correct horse battery"}' \
  "http://127.0.0.1:$server_port/api/v1/accounts")
[ "$status" = 201 ] || fail "POST /api/v1/accounts returned $status: $(cat "$scratch/account.json")"
quote=no
for attempt in $(seq 1 10); do
  if curl -sf "http://127.0.0.1:$server_port/api/v1/quotes/latest" >/dev/null; then
    quote=yes
    break
  fi
  sleep 1
done
[ "$quote" = yes ] || fail "GET /api/v1/quotes/latest returned no quote within 10 s."

kill -TERM "$server_pid"
stopped=no
for attempt in $(seq 1 12); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    stopped=yes
    break
  fi
  sleep 1
done
[ "$stopped" = yes ] || fail "valiant-server did not exit within 12 s of SIGTERM."
wait "$server_pid" || fail "valiant-server exited with status $? after SIGTERM."
server_pid=

echo "check_runtime: valiant-server ran in the runtime root on PostgreSQL and Redis."
