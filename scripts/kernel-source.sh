#!/usr/bin/env bash
# Unpack the reference kernel source (Debian's linux-source-7.2 from trixie-backports) outside the
# project, for reading mm/*.c and include/linux/*.h. Prints the source directory.
# Usage: scripts/kernel-source.sh [DIR]   (default: ../linux-7.2 beside the checkout)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$(dirname "$here")/linux-7.2}
if [ ! -f "$dir/mm/mlock.c" ]; then
  debs=$(mktemp -d)
  "$here/scripts/trixie-backports.sh" "$debs" linux-source-7.2
  mkdir -p "$debs/x"
  dpkg-deb -x "$debs"/linux-source-7.2_*.deb "$debs/x"
  tarball=$(ls "$debs"/x/usr/src/linux-source-7.2*.tar.* | head -1)
  mkdir -p "$dir"
  tar -xf "$tarball" -C "$dir" --strip-components=1
  rm -rf "$debs"
fi
echo "$dir"
