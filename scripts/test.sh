#!/usr/bin/env bash
# Set up a fresh machine and run every test tier (type check, lint, unit, end-to-end where present).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/servetune-xdg-$(id -u)}
mkdir -p "$XDG_RUNTIME_DIR"
npm test
