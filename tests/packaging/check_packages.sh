#!/bin/sh
# Builds the .deb and .tar.gz installers with CPack from an already built
# tree and checks their contents and dependencies. It validates the desktop
# entry, the AppStream metainfo and the .deb (lintian), then extracts both
# packages into a temporary root and runs each program's --version there.
# Usage: check_packages.sh BUILD_DIR VERSION
set -eu

build=$1
version=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM

fail() {
  echo "check_packages: $*" >&2
  exit 1
}

for tool in cpack dpkg-deb dpkg-shlibdeps desktop-file-validate appstreamcli lintian; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool not found; install it with scripts/install-deps.sh."
done

cd "$build"
if ! cpack --config CPackConfig.cmake -G "DEB;TGZ" -B "$scratch/out" >"$scratch/cpack.log" 2>&1; then
  cat "$scratch/cpack.log" >&2
  fail "cpack failed in $build (output above)."
fi
deb=$(find "$scratch/out" -maxdepth 1 -name '*.deb' | head -n 1)
tgz=$(find "$scratch/out" -maxdepth 1 -name '*.tar.gz' | head -n 1)
[ -n "$deb" ] || fail "cpack made no .deb in $scratch/out."
[ -n "$tgz" ] || fail "cpack made no .tar.gz in $scratch/out."

# Contents of the .deb.
dpkg-deb -c "$deb" | awk '{print $6}' >"$scratch/contents"
expected="./usr/bin/valiant
./usr/bin/valiant-server
./usr/share/applications/valiant.desktop
./usr/share/metainfo/io.github.valiant_sim.valiant.metainfo.xml
./usr/share/icons/hicolor/scalable/apps/valiant.svg
./usr/share/man/man1/valiant.1.gz
./usr/share/man/man1/valiant-server.1.gz
./usr/lib/systemd/system/valiant-server.service
./usr/share/valiant/translations/valiant_de.qm
./usr/share/valiant/translations/valiant_es.qm
./usr/share/doc/valiant/copyright
./usr/share/doc/valiant/changelog.gz"
for size in 16 24 32 48 64 128 256 512; do
  expected="$expected
./usr/share/icons/hicolor/${size}x${size}/apps/valiant.png"
done
echo "$expected" | while read -r path; do
  grep -qxF "$path" "$scratch/contents" || fail "the .deb lacks $path."
done

# Dependencies computed by dpkg-shlibdeps.
depends=$(dpkg-deb -f "$deb" Depends)
for package in libc6 libqt6core6 libqt6network6 libqt6widgets6 libqt6svg6 libpqxx-6.4 \
               libhiredis0.14 libsodium23 libsqlite3-0 libqt6keychain1 libjemalloc2; do
  echo "$depends" | grep -q "\\b$package\\b" || fail "Depends lacks $package: $depends"
done
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "the .deb's version is not $version."

lintian --fail-on error "$deb" >"$scratch/lintian.log" 2>&1 || {
  cat "$scratch/lintian.log" >&2
  fail "lintian reports errors in $(basename "$deb") (output above)."
}

# Run both programs from an extracted root.
dpkg-deb -x "$deb" "$scratch/root"
root=$scratch/root
desktop-file-validate "$root/usr/share/applications/valiant.desktop" ||
  fail "desktop-file-validate rejects the desktop entry."
appstreamcli validate --no-net "$root/usr/share/metainfo/io.github.valiant_sim.valiant.metainfo.xml" ||
  fail "appstreamcli rejects the metainfo."
gzip -dc "$root/usr/share/man/man1/valiant-server.1.gz" | grep -q '^\.TH VALIANT-SERVER' ||
  fail "valiant-server.1 is not a man page made by help2man."
gzip -dc "$root/usr/share/man/man1/valiant-server.1.gz" | grep -q 'healthcheck' ||
  fail "valiant-server.1 does not list the healthcheck command from --help."

unit=$root/usr/lib/systemd/system/valiant-server.service
for setting in DynamicUser=yes NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes \
               PrivateTmp=yes CapabilityBoundingSet= 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
               SystemCallFilter=@system-service StateDirectory=valiant; do
  grep -qxF "$setting" "$unit" || fail "valiant-server.service lacks $setting."
done

check_version() {
  output=$(QT_QPA_PLATFORM=offscreen "$1" --version 2>&1) || fail "$1 --version failed: $output"
  echo "$output" | grep -qF "$version" || fail "$1 --version printed '$output', not $version."
}
check_version "$root/usr/bin/valiant-server"
check_version "$root/usr/bin/valiant"

mkdir "$scratch/tgz"
tar -xzf "$tgz" -C "$scratch/tgz"
archive_root=$(find "$scratch/tgz" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[ -x "$archive_root/bin/valiant-server" ] || fail "the .tar.gz lacks bin/valiant-server."
check_version "$archive_root/bin/valiant-server"
check_version "$archive_root/bin/valiant"

echo "check_packages: $(basename "$deb") and $(basename "$tgz") passed."
