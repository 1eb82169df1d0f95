#!/bin/sh
# Runs a command with a real Secret Service keychain: a private D-Bus session
# and a gnome-keyring whose login keyring is created and unlocked with a
# throwaway password, in a temporary home folder that is removed afterwards.
# Needs dbus-run-session (dbus-daemon) and gnome-keyring-daemon.
set -eu

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT INT TERM
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config"
unset XDG_RUNTIME_DIR DISPLAY

# An empty password creates no login keyring, so jobs would fail with
# "Object does not exist at path /org/freedesktop/secrets/collection/login".
dbus-run-session -- sh -c '
  echo valiant-test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"' with-keyring "$@"
