#!/usr/bin/env bash
# Installs what only the benchmarks need on top of scripts/install-deps.sh:
# Debian's chromium, for the desktop-against-the-browser comparison, and the
# npm packages of its Chart.js page at the versions pinned in
# bench/peers/chartjs-page/package-lock.json. Safe to run again: it does
# nothing when both are already in place.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
page="$root/bench/peers/chartjs-page"
packages=(chromium)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -gt 0 ]]; then
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
  fi
  echo "install-bench-deps: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "install-bench-deps: npm not found; run scripts/install-deps.sh first." >&2
  exit 1
fi

stamp="$page/node_modules/.package-lock.json"
if [[ -f "$stamp" && "$stamp" -nt "$page/package-lock.json" ]]; then
  exit 0
fi
echo "install-bench-deps: npm ci in bench/peers/chartjs-page"
npm ci --prefix "$page" --no-audit --no-fund
