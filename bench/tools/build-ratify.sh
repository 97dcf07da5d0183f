#!/usr/bin/env bash
# Builds the Ratify server that bench/side-by-side.ts compares Portcullis with (issue 15).
# Benchmark-only: it is NOT in tools/versions.txt, scripts/install-tools.sh never builds it and
# no test runs it. Pinned by bench/tools/ratify/go.mod + go.sum (module proxy, checksum db).
# The binary is cached by version under ${PORTCULLIS_CACHE:-~/.cache/portcullis}/bench-tools,
# outside the clone; a second run only prints its path. Prints the path on stdout.
#
#   bash bench/tools/build-ratify.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}"; export HOME
cache=${PORTCULLIS_CACHE:-$HOME/.cache/portcullis}/bench-tools
ver=$(awk '$1 == "require" && $2 == "github.com/ratify-project/ratify" { print $3 }' "$here/ratify/go.mod")
[ -n "$ver" ] || { echo "build-ratify: no ratify version in $here/ratify/go.mod" >&2; exit 1; }
dest="$cache/ratify-$ver/ratify"
if [ ! -x "$dest" ]; then
  mkdir -p "$(dirname "$dest")"
  echo "build-ratify: building ratify $ver (a large module graph: minutes on a busy machine; cached at $dest)" >&2
  log=$(mktemp)
  # nice: the machine is shared; the build must not starve the tests of others.
  if ! (cd "$here/ratify" && CGO_ENABLED=0 GOFLAGS=-mod=mod nice -n 10 go build -trimpath -ldflags='-s -w' \
      -o "$dest.tmp" github.com/ratify-project/ratify/cmd/ratify) >"$log" 2>&1; then
    echo "build-ratify: building ratify failed:" >&2; tail -n 30 "$log" >&2; rm -f "$log" "$dest.tmp"; exit 1
  fi
  rm -f "$log"
  mv "$dest.tmp" "$dest"
fi
echo "$dest"
