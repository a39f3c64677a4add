#!/usr/bin/env bash
# The main job on a fresh machine: set up, then report which parallel plans fit a model on a cluster.
# Defaults: Llama-3.1-70B on 8× H100 SXM; override with MODEL, HARDWARE and GPUS.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-e2e
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/servetune-xdg-$(id -u)}
mkdir -p "$XDG_RUNTIME_DIR"
node dist/cli.mjs plans --model "${MODEL:-llama-3.1-70b}" --hardware "${HARDWARE:-h100-sxm}" --gpus "${GPUS:-8}" "$@"
