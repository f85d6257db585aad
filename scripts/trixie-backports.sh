#!/usr/bin/env bash
# Download Debian packages from the trixie-backports suite on a machine whose apt knows another suite.
# Usage: scripts/trixie-backports.sh DEST_DIR PACKAGE...
# Gives apt a private sources list (same mirror as the system's, suite trixie-backports) with its own
# state and cache directories, so the system's apt configuration is never touched.
set -euo pipefail
dest=$1; shift
state=${FOLIOLAB_APT_STATE:-${XDG_CACHE_HOME:-$HOME/.cache}/foliolab/apt-trixie-backports}
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$dest"
uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
uri=${uri:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cat > "$state/sources.list" <<SRC
deb [signed-by=$keyring] $uri trixie-backports main
deb [signed-by=$keyring] $uri trixie main
SRC
opts=(-o Dir::Etc::SourceList="$state/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o Dir::State::Lists="$state/lists" -o Dir::Cache="$state/cache"
      -o Dir::State::Status=/dev/null -o APT::Get::List-Cleanup=0)
# Refresh the private lists at most once a day.
if [ -z "$(find "$state/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
  apt-get "${opts[@]}" update -qq >&2
fi
cd "$dest"
for p in "$@"; do
  if [ -n "$(ls "${p}"_*.deb 2>/dev/null | head -1)" ]; then continue; fi
  apt-get "${opts[@]}" download -qq "$p" >&2
done
