#!/bin/sh
# Runs check_deploy.js, failing with instructions when Node.js or the npm
# tools are missing rather than skipping the checks.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null 2>&1; then
  echo "deploy checks: node not found; install nodejs (scripts/install-deps.sh)." >&2
  exit 1
fi
if [ ! -d "$here/node_modules" ]; then
  echo "deploy checks: $here/node_modules is missing; run scripts/install-test-tools.sh" \
       "(or npm ci --prefix tests/deploy)." >&2
  exit 1
fi
exec node "$here/check_deploy.js"
