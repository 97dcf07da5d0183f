#!/usr/bin/env bash
# Runs every test: installs what it needs (pinned Go tools, Debian packages, npm packages),
# then type-check, lint, the Rego policy tests, and the unit, integration and end-to-end suites.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-tools.sh
if [ ! -x node_modules/.bin/jest ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
export PATH="$PWD/.tools/bin:$PATH"

echo "== typecheck"; npm run --silent typecheck
echo "== lint";      npm run --silent lint
if [ -d policies ] && ls policies/*.rego >/dev/null 2>&1; then
  echo "== opa fmt";  test -z "$(opa fmt --list policies)" || { echo "opa fmt: these files are not formatted:"; opa fmt --list policies; exit 1; }
  echo "== opa test"; opa test policies
fi
echo "== build";     npm run --silent build

echo "== jest"
# Every temporary file the tests make goes under one folder, removed when the run ends.
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-run-XXXXXX"); export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
report=$(mktemp)
status=0
npm run --silent jest -- --maxWorkers=2 --json --outputFile="$report" "$@" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
' "$report" || true
rm -f "$report"
exit $status
