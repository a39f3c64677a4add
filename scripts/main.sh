#!/usr/bin/env bash
# The main job on a fresh machine: set up, measure the local GPU (when WebGPU finds an adapter), search
# parallel plans and scheduler settings, and write a self-contained HTML report.
# Defaults: Llama-3.1-70B on 8× H100 SXM, the embedded Azure conversation trace slice, SLO 90% of
# requests within TTFT 2 s and p90 token gap 100 ms (--slo ttft=2,tbt=0.1), vLLM flags. Override with MODEL, HARDWARE, GPUS, WORKLOAD, SLO, ENGINE,
# OUT_DIR; extra arguments go to `servetune search`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-e2e
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/servetune-xdg-$(id -u)}
mkdir -p "$XDG_RUNTIME_DIR"

model=${MODEL:-llama-3.1-70b}
hardware=${HARDWARE:-h100-sxm}
gpus=${GPUS:-8}
workload=${WORKLOAD:-data/traces/azure-conv-2000.csv}
slo=${SLO:-ttft=2,tbt=0.1}
engine=${ENGINE:-vllm}
out=${OUT_DIR:-servetune-output}
mkdir -p "$out"

profile_args=()
echo "== Measuring the local GPU (servetune profile --quick)"
if node dist/cli.mjs profile --quick --out "$out/profile.json"; then
  # A measured profile calibrates the search only when it was taken on the GPU being planned for.
  measured=$(node -e 'const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(p.catalogId ?? "")' "$out/profile.json")
  if [ "$measured" = "$hardware" ]; then
    profile_args=(--profile "$out/profile.json")
    echo "Calibrating the search with the measured $measured profile."
  else
    echo "The local adapter is not a $hardware: the profile is saved in $out/profile.json, the search uses catalog efficiencies."
  fi
else
  echo "No usable WebGPU adapter here: the search uses catalog efficiencies."
fi

echo
echo "== Searching plans for $model on $gpus× $hardware ($workload, SLO $slo)"
node dist/cli.mjs search --model "$model" --hardware "$hardware" --gpus "$gpus" --workload "$workload" \
  --slo "$slo" --engine "$engine" --html "$out/report.html" "${profile_args[@]}" "$@"
