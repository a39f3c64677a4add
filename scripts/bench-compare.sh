#!/usr/bin/env bash
# Runs a benchmark on an older commit and on the working tree side by side, in alternating rounds, so that
# load from other work on the machine falls on both. Each round runs the whole benchmark once per side;
# the JSON each run writes is kept under bench/results/compare/<bench>/<side>-<round>.json, and a table of
# the per-case medians over rounds is printed (and written to bench/results/compare/<bench>/summary.md).
#   bash scripts/bench-compare.sh <old-ref> sim|search [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
old_ref=${1:?usage: bench-compare.sh <old-ref> sim|search [rounds]}
bench=${2:?usage: bench-compare.sh <old-ref> sim|search [rounds]}
rounds=${3:-3}
case "$bench" in sim | search) ;; *) echo "bench-compare: no benchmark '$bench' (sim or search)" >&2; exit 2 ;; esac

old_sha=$(git rev-parse --short "$old_ref")
new_sha=$(git rev-parse --short HEAD)
if [ -n "$(git status --porcelain -- src bench/*.ts)" ]; then new_sha="$new_sha+changes"; fi
out="bench/results/compare/$bench"
mkdir -p "$out"
old_tree=$(mktemp -d /tmp/servetune-bench-old.XXXXXX)
trap 'git worktree remove --force "$old_tree" >/dev/null 2>&1 || rm -rf "$old_tree"' EXIT
git worktree add --detach -q "$old_tree" "$old_ref"
ln -s "$PWD/node_modules" "$old_tree/node_modules"

run_side() { # side dir round
  local side=$1 dir=$2 round=$3
  echo "bench-compare: round $round, $side ($dir)" >&2
  (cd "$dir" && npm run -s "bench:$bench" >/dev/null)
  cp "$dir/bench/results/$bench.json" "$out/$side-$round.json"
  # The benchmark rewrites its own record; the comparison must not change the old tree or this one's.
  git -C "$dir" checkout -q -- "bench/results/$bench.json" "bench/results/$bench.md"
}
for round in $(seq 1 "$rounds"); do
  run_side old "$old_tree" "$round"
  run_side new "$PWD" "$round"
done

node --input-type=module - "$out" "$bench" "$rounds" "$old_sha" "$new_sha" <<'EOF'
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
const [out, bench, rounds, oldSha, newSha] = process.argv.slice(2);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const wall = (r) => (bench === 'sim' ? r.wallSecondsMedian : r.wallSeconds);
const rss = (r) => r.peakRssBytes;
const side = (name) =>
  Array.from({ length: Number(rounds) }, (_, i) => JSON.parse(readFileSync(`${out}/${name}-${i + 1}.json`, 'utf8')).results);
const old = side('old');
const now = side('new');
const rows = old[0].map((r, c) => {
  const o = old.map((run) => wall(run[c]));
  const n = now.map((run) => wall(run[c]));
  const mo = median(o);
  const mn = median(n);
  const mem = (runs) => (median(runs.map((run) => rss(run[c]) ?? 0)) / 2 ** 20).toFixed(0);
  // CPU time (search only) is less sensitive than wall time to other work on the machine.
  const cpu = (runs) => median(runs.map((run) => run[c].cpuSeconds ?? Number.NaN)).toFixed(2);
  const cpuCell = bench === 'search' ? ` ${cpu(old)} → ${cpu(now)} |` : '';
  return `| ${r.case} | ${o.map((x) => x.toFixed(3)).join(' / ')} | ${n.map((x) => x.toFixed(3)).join(' / ')} | ${mo.toFixed(3)} → ${mn.toFixed(3)} (${(((mn - mo) / mo) * 100).toFixed(1)}%) |${cpuCell} ${mem(old)} → ${mem(now)} |`;
});
const md = [
  `# bench:${bench}, ${oldSha} (old) against ${newSha} (new), ${rounds} alternating rounds`,
  '',
  `Machine: ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores, Node ${process.version}; load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}. ${new Date().toISOString()}.`,
  '',
  `| case | old wall s per round | new wall s per round | median old → new |${bench === 'search' ? ' CPU s old → new |' : ''} peak RSS MiB old → new |`,
  `|---|---|---|---|${bench === 'search' ? '---|' : ''}---|`,
  ...rows,
  '',
].join('\n');
writeFileSync(`${out}/summary.md`, md);
process.stdout.write(md);
EOF
