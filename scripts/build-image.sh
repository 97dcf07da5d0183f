#!/usr/bin/env bash
# Builds the Portcullis container image without a container engine (docs/image.md):
# an OCI image layout, reproducible (same commit → same digest), optionally pushed.
#
#   scripts/build-image.sh [--no-build] [--out DIR] [--platform amd64,arm64] [--push REF [--plain-http]]
#
# Prints {layoutDir, tag, digest, platforms} as JSON on stdout. Needs the tools of
# scripts/install-tools.sh (opa for `npm run build`, oras for --push) and apt-get, dpkg-deb
# and npm for the pinned inputs (scripts/image/inputs.json), cached under
# ${PORTCULLIS_CACHE:-~/.cache/portcullis}/image.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
if [ "${1:-}" = --no-build ]; then shift; else npm run --silent build >&2; fi
# The pinned node (the `node` devDependency) runs the builder, so its zlib writes the layers.
exec node_modules/.bin/node --import ./bench/ts-hooks.mjs scripts/image/cli.ts "$@"
