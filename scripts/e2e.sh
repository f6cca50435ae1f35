#!/usr/bin/env bash
# End-to-end test in a real editor: code-server (VS Code in the browser) driven by Playwright in
# Debian's Chromium. Needs the Debian packages chromium, ripgrep, libkrb5-dev and pkg-config
# (.ci/run installs them). Screenshots go to test/e2e/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in /usr/bin/chromium /usr/bin/rg; do
  [[ -x $tool ]] || { echo "e2e: $tool is missing; install Debian's chromium and ripgrep (see .ci/run)" >&2; exit 2; }
done

# code-server's @vscode/ripgrep downloads rg from GitHub while installing; offline, seed its cache with Debian's rg.
cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
tarball="$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [[ ! -f $tarball ]]; then
  mkdir -p "$cache"
  staging=$(mktemp -d)
  cp /usr/bin/rg "$staging/rg"
  tar -C "$staging" -czf "$tarball" rg
  rm -rf "$staging"
fi

if [[ ! -f test/e2e/node_modules/.package-lock.json || test/e2e/package-lock.json -nt test/e2e/node_modules/.package-lock.json ]]; then
  (cd test/e2e && npm_config_unsafe_perm=true npm_config_yes=true npm ci --no-audit --no-fund)
fi

npm run package --silent -- linux-x64
npx tsc --noEmit -p test/e2e
node --import tsx --test --test-concurrency=1 --test-reporter=spec test/e2e/*.e2e.ts

# The README's picture of the Depth Explorer is this run's, so it stays true.
cp test/e2e/screenshots/3-depth-explorer.png docs/images/depth-explorer.png
cp test/e2e/screenshots/report-run.png docs/images/report.png
