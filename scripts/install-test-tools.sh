#!/usr/bin/env bash
# Installs the npm tools that the deployment checks use (tests/deploy) at the
# versions pinned in tests/deploy/package-lock.json. Safe to run again: it
# does nothing while node_modules matches the lock file.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/tests/deploy"

if ! command -v npm >/dev/null 2>&1; then
  echo "install-test-tools: npm not found; run scripts/install-deps.sh first." >&2
  exit 1
fi

stamp="$tools/node_modules/.package-lock.json"
if [[ -f "$stamp" && "$stamp" -nt "$tools/package-lock.json" ]]; then
  echo "install-test-tools: tests/deploy/node_modules is up to date."
  exit 0
fi

echo "install-test-tools: npm ci in tests/deploy"
npm ci --prefix "$tools" --no-audit --no-fund
