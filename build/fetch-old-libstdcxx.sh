#!/usr/bin/env bash
# Extracts Debian 12's libstdc++.so.6 (GCC 12, no GLIBCXX_3.4.32) into a folder and prints the folder.
# Test-only: NativeRuntimeTests runs a child process against it to prove the explained load failure.
# Exits non-zero (printing nothing) where it cannot: not Debian, no bookworm package in the apt lists.
set -euo pipefail
target=${1:?usage: fetch-old-libstdcxx.sh FOLDER}
mkdir -p "$target"
target=$(cd "$target" && pwd)
if [ -f "$target/libstdc++.so.6" ]; then echo "$target"; exit 0; fi
command -v apt-cache >/dev/null && command -v dpkg-deb >/dev/null || exit 1
version=$(apt-cache madison libstdc++6 2>/dev/null | awk -F'|' '$3 ~ /bookworm/ {gsub(/ /, "", $2); print $2; exit}')
[ -n "$version" ] || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q "libstdc++6=$version" >/dev/null 2>&1) || exit 1
dpkg-deb -x "$work"/libstdc++6_*.deb "$work/x"
lib=$(find "$work/x" -type f -name 'libstdc++.so.6.0.*' ! -name '*.py' | head -n 1)
[ -n "$lib" ] || exit 1
cp "$lib" "$target/libstdc++.so.6"
echo "$target"
