#!/usr/bin/env bash
# Runs the webhook on embedded defaults (or with the arguments given, e.g. --config FILE):
# installs the npm packages, builds, and starts `portcullis serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
# opa compiles the bundled default policy (policies/) to Wasm during the build.
bash scripts/install-tools.sh opa
npm run --silent build
exec node_modules/.bin/node bin/portcullis.js serve "$@"
