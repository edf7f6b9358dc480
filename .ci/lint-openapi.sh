#!/usr/bin/env bash
# Lints openapi.yaml with Spectral (spectral:oas, .spectral.yaml) and Redocly (its recommended rules) and fails on any
# error or warning of either. Both come from npm at pinned versions into a cache directory outside the repository,
# installed once and reused, so a second run costs only the linting.
set -euo pipefail
cd "$(dirname "$0")/.."
SPECTRAL_VERSION=6.16.3
REDOCLY_VERSION=2.77.0
CACHE=${SHEARS_LINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shears-openapi-lint}
SPEC=${1:-openapi.yaml}

installed() {
  node -e "process.exit(require('$CACHE/node_modules/$1/package.json').version === '$2' ? 0 : 1)" 2>/dev/null
}
if ! installed @stoplight/spectral-cli "$SPECTRAL_VERSION" || ! installed @redocly/cli "$REDOCLY_VERSION"; then
  mkdir -p "$CACHE"
  [ -f "$CACHE/package.json" ] || echo '{"private": true}' > "$CACHE/package.json"
  npm install --prefix "$CACHE" --no-audit --no-fund --loglevel=error \
    "@stoplight/spectral-cli@$SPECTRAL_VERSION" "@redocly/cli@$REDOCLY_VERSION"
fi

echo "spectral $SPECTRAL_VERSION (spectral:oas) on $SPEC"
"$CACHE/node_modules/.bin/spectral" lint --ruleset .spectral.yaml --fail-severity warn "$SPEC"

echo "redocly $REDOCLY_VERSION (recommended) on $SPEC"
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  "$CACHE/node_modules/.bin/redocly" lint --format=json "$SPEC" 2>/dev/null > "$CACHE/redocly.json" || true
node -e '
  const report = require(process.argv[1]);
  for (const p of report.problems) {
    const where = (p.location || []).map(l => l.pointer).join(" ");
    console.log(`${p.severity} ${p.ruleId}: ${p.message} ${where}`);
  }
  const t = report.totals;
  console.log(`redocly: ${t.errors} errors, ${t.warnings} warnings`);
  process.exit(t.errors + t.warnings > 0 ? 1 : 0);
' "$CACHE/redocly.json"
