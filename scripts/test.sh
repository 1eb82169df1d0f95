#!/usr/bin/env bash
# Installs what Valiant needs, builds everything in Debug and runs the whole
# test suite with CTest. Extra arguments go to ctest, e.g. scripts/test.sh -L unit.
# Without arguments, and with exactly -L fuzz, it also builds the fuzz
# targets with clang, ASan and UBSan (preset fuzz, in build/fuzz) and runs
# each briefly over its seed corpus.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/install-test-tools.sh"

jobs=$(nproc)
run_debug=true
run_fuzz=false
if [[ $# -eq 0 ]]; then
  run_fuzz=true
elif [[ "$*" == "-L fuzz" ]]; then
  run_debug=false
  run_fuzz=true
fi

if [[ $run_debug == true ]]; then
  cmake --preset dev -S "$root"
  cmake --build "$root/build/dev" -j "$jobs"

  # GUI tests use Qt's offscreen platform; the API tests start their own
  # valiant-server processes on 127.0.0.1 with temporary databases.
  export QT_QPA_PLATFORM=offscreen
  (cd "$root/build/dev" && ctest --output-on-failure --timeout 600 -j "$jobs" "$@")
fi

if [[ $run_fuzz == true ]]; then
  # The fuzz targets need a build of their own, with clang and all code
  # instrumented. Only they and the libraries they link are built.
  (cd "$root" && cmake --preset fuzz && cmake --build --preset fuzz -j "$jobs")
  (cd "$root" && ctest --preset fuzz -j "$jobs")
fi
