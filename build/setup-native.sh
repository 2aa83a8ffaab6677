#!/usr/bin/env bash
# Makes this machine able to load TorchSharp 0.107's native library.
#
# libLibTorchSharp.so (TorchSharp 0.107.0) needs libstdc++ from GCC 13+ (symbol version
# GLIBCXX_3.4.32). Debian 12 ships GCC 12's libstdc++, so on Debian 12 this script installs
# libstdc++6 from Debian 13 ("trixie"), pinned at priority 100 so that no other package moves.
# It is idempotent: when the symbol is already there it does nothing.
#
# Usage: build/setup-native.sh          (needs root, or sudo, only when something must be installed)
set -euo pipefail

required=GLIBCXX_3.4.32

find_libstdcxx() {
  local path
  path=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64|libstdc\+\+\.so\.6 .*AArch64/{print $NF; exit}')
  [ -n "$path" ] || path=$(ls /lib/*-linux-gnu/libstdc++.so.6 /usr/lib/*-linux-gnu/libstdc++.so.6 2>/dev/null | head -n 1)
  printf '%s' "$path"
}

has_symbol() {
  local lib
  lib=$(find_libstdcxx)
  [ -n "$lib" ] && grep -qa "$required" "$lib"
}

if [ "$(uname -s)" != "Linux" ]; then
  echo "setup-native: not Linux; nothing to do."
  exit 0
fi

if has_symbol; then
  echo "setup-native: $(find_libstdcxx) provides $required; nothing to do."
  exit 0
fi

. /etc/os-release
if [ "${ID:-}" != "debian" ] || [ "${VERSION_ID:-}" != "12" ]; then
  echo "setup-native: $(find_libstdcxx) lacks $required and this is ${PRETTY_NAME:-an unknown system}, not Debian 12." >&2
  echo "setup-native: install libstdc++ from GCC 13 or newer (Ubuntu 24.04+, Debian 13+, Fedora 39+ ship it)." >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup-native: installing libstdc++6 from Debian 13 needs root; rerun as root." >&2
    exit 1
  fi
fi

echo "setup-native: $required missing; installing libstdc++6 from Debian 13 (trixie), pinned at priority 100."
uri=""
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
[ -n "$uri" ] || uri=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$uri" ] || uri=http://deb.debian.org/debian

$sudo tee /etc/apt/sources.list.d/trixie.sources >/dev/null <<SRC
Types: deb
URIs: $uri
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' | $sudo tee /etc/apt/preferences.d/trixie >/dev/null
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -t trixie libstdc++6 >/dev/null

if has_symbol; then
  echo "setup-native: done; $(find_libstdcxx) now provides $required."
else
  echo "setup-native: libstdc++6 from trixie was installed but $required is still missing." >&2
  exit 1
fi
