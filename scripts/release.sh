#!/usr/bin/env bash
# Releases the Portcullis image (docs/verify-portcullis.md): SBOMs (syft), SLSA v1 provenance,
# Notation + Cosign signatures, and the provenance and SBOMs as signed Cosign attestations.
#
#   scripts/release.sh --image REGISTRY/portcullis:TAG --builder-id URI [--plain-http] [--no-tlog] [--out DIR]
#       builds the image first (npm run build, scripts/build-image.sh), pushes it, releases it;
#   scripts/release.sh --layout DIR --tag TAG --image REF --build-command CMD… …
#       releases an image already built into DIR by the commands named (recorded in the provenance).
#
# Keys: --notation-key/--notation-cert (or $NOTATION_KEY_FILE/$NOTATION_CERT_FILE: the PEM key
# and its certificate chain), --cosign-key (or $COSIGN_KEY; its password in $COSIGN_PASSWORD).
# Registry credentials: the docker config (`notation login`/`cosign login`/`oras login`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
args=("$@")
has_layout=false
platform=""
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --layout) has_layout=true ;;
    --platform) platform="${args[$((i + 1))]:-}"; unset 'args[i]' 'args[i+1]'; i=$((i + 1)) ;;
  esac
done
args=("${args[@]}")
if [ "$has_layout" = false ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  layout="$work/layout"
  build=(scripts/build-image.sh --no-build --out "$layout")
  if [ -n "$platform" ]; then build+=(--platform "$platform"); fi
  npm run --silent build >&2
  tag="$("${build[@]}" | node_modules/.bin/node -e 'process.stdout.write(JSON.parse(require("node:fs").readFileSync(0, "utf8")).tag)')"
  args+=(--layout "$layout" --tag "$tag" --build-command "npm run build" --build-command "${build[*]}")
fi
# Not exec: the EXIT trap removes the layout built here once the release is done.
node_modules/.bin/node --import ./bench/ts-hooks.mjs scripts/release/cli.ts "${args[@]}"
