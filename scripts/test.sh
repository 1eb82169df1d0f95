#!/usr/bin/env bash
# Installs what Valiant needs, builds everything in Debug and runs the whole
# test suite with CTest. Extra arguments go to ctest, e.g. scripts/test.sh -L unit.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/install-test-tools.sh"

jobs=$(nproc)
cmake --preset dev -S "$root"
cmake --build "$root/build/dev" -j "$jobs"

# GUI tests use Qt's offscreen platform; the API tests start their own
# valiant-server processes on 127.0.0.1 with temporary databases.
export QT_QPA_PLATFORM=offscreen
cd "$root/build/dev"
ctest --output-on-failure --timeout 600 -j "$jobs" "$@"
