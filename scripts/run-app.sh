#!/usr/bin/env bash
# Installs what Valiant needs, builds the desktop app and starts it on the
# bundled local instance (an in-process server with a SQLite file).
# Extra arguments go to the app, e.g. scripts/run-app.sh --lang de.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"

cmake --preset release -S "$root" -DVALIANT_BUILD_TESTS=OFF -DVALIANT_BUILD_BENCH=OFF
cmake --build "$root/build/release" --target valiant

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "run-app: no display found (DISPLAY and WAYLAND_DISPLAY are unset)." >&2
  echo "run-app: start it from a desktop session, or under Xvfb: xvfb-run -a $root/build/release/app/valiant" >&2
  exit 1
fi
exec "$root/build/release/app/valiant" "$@"
