#!/usr/bin/env bash
# Everything ServeTune needs on a fresh Debian machine: system packages (lavapipe, and unless --no-e2e
# the end-to-end test browser), the npm dependencies, and the build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

log=${SERVETUNE_SETUP_LOG:-/tmp/servetune-setup-system.log}
if ! bash scripts/setup-system.sh "$@" >"$log" 2>&1; then
  echo "setup: installing system packages failed; the log follows ($log)" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
tail -n 1 "$log"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  # `npm ci` rejects lockfiles that npm itself wrote when a dependency has optional per-platform packages
  # (npm/cli#9846), so install the locked versions without rewriting the lockfile instead.
  npm install --no-save --no-audit --no-fund --loglevel=error
fi
node esbuild.mjs
