#!/usr/bin/env bash
# Installs the Debian 12 packages that building, running and testing Valiant
# need. Safe to run again: apt-get skips what is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  clang libclang-rt-14-dev
  qt6-base-dev qt6-websockets-dev qt6-charts-dev libqt6opengl6-dev
  qtkeychain-qt6-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  qt6-translations-l10n libqt6sql6-sqlite libqt6svg6 qt6-svg-dev
  libpqxx-dev libhiredis-dev libsqlite3-dev libsodium-dev libboost-dev libjemalloc-dev
  postgresql redis-server pgbouncer
  xvfb xauth imagemagick fonts-dejavu-core
  gnome-keyring libsecret-1-0 dbus-daemon openssl
  curl python3 nodejs
  desktop-file-utils appstream help2man lintian librsvg2-bin mmdebstrap
)

# The deployment checks (tests/deploy) install their tools with npm. The
# nodejs package from NodeSource bundles npm and conflicts with Debian's.
if ! command -v npm >/dev/null 2>&1; then
  packages+=(npm)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages are already installed."
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
