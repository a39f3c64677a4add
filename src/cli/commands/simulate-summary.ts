// A run's summary in words: what `simulate` and `bench` print when --json is not asked for.
import { calibrationText } from '../../engine/sim/calibration-text.js';
import { kvUseText } from '../../engine/sim/kv-use.js';
import { runLoadText } from '../../engine/sim/load-text.js';
import { summarySloVerdict } from '../../engine/sim/slo-check.js';
import type { MetricSummary, RunSummary } from '../../engine/sim/summary.js';
import { sloInWords } from '../../engine/workload/slo-verdict.js';
import { table } from '../format.js';

const ms = (s: number) => `${(s * 1e3).toFixed(3)} ms`;

/** The label, load, latency table, throughput, goodput, batch and cache use, classes and speculation. */
export function printSummary(s: RunSummary, source: string): void {
  console.log(`${s.label}\nworkload: ${source}`);
  if (s.load) console.log(runLoadText(s.load));
  const calibration = calibrationText(s);
  if (calibration) console.log(calibration);
  if (!s.feasible) {
    console.log(`\nInfeasible, not simulated:\n  ${s.problems.join('\n  ')}`);
    return;
  }
  const row = (name: string, m: MetricSummary | null) =>
    m
      ? [name, ms(m.mean), ms(m.p50), ms(m.p90), ms(m.p99), String(m.count)]
      : [name, '-', '-', '-', '-', '0'];
  console.log(
    `\n${s.requests.completed}/${s.requests.total} requests completed (${s.requests.failed} failed) over ${s.simulatedSeconds.toFixed(1)} s ${s.kind === 'measured' ? `measured (wall ${s.wallSeconds.toFixed(2)} s)` : `simulated in ${s.wallSeconds.toFixed(2)} s (${s.steps} steps)`}\n`,
  );
  console.log(
    table([
      ['metric', 'mean', 'p50', 'p90', 'p99', 'samples'],
      row('TTFT', s.ttft),
      row('TPOT', s.tpot),
      row('ITL', s.itl),
      row('E2E', s.e2e),
      row('queueing', s.queueing),
      ...(s.kvTransfer ? [row('KV transfer', s.kvTransfer)] : []),
    ]),
  );
  const t = s.throughput;
  console.log(
    `\nthroughput: ${t.requestsPerSecond.toFixed(2)} req/s, ${t.outputTokensPerSecond.toFixed(0)} output tok/s (${t.outputTokensPerSecondPerGpu.toFixed(0)} per GPU over ${s.gpus} GPU${s.gpus === 1 ? '' : 's'}), ${t.totalTokensPerSecond.toFixed(0)} total tok/s`,
  );
  const verdict = summarySloVerdict(s);
  if (s.goodput && verdict) {
    console.log(
      `goodput: ${s.goodput.requestsPerSecond.toFixed(2)} req/s (${(100 * s.goodput.fraction).toFixed(1)}% of requests meet every target)`,
    );
    console.log(`SLO ${sloInWords(verdict.slo)}: ${verdict.meets ? 'met' : 'not met'}`);
  }
  console.log(
    `preemptions: ${s.preemptions}; mean batch ${s.batchSize?.mean.toFixed(1) ?? '-'}; ${kvUseText(s)}` +
      (s.prefixCache ? `; prefix cache hit rate ${(100 * s.prefixCache.hitRate).toFixed(1)}%` : '') +
      (s.prefixCache?.hostHitTokens
        ? ` (${((100 * s.prefixCache.hostHitTokens) / Math.max(1, s.prefixCache.queriedTokens)).toFixed(1)}% from host memory)`
        : ''),
  );
  if (s.classes) printClasses(s.classes);
  if (s.speculation) {
    const sp = s.speculation;
    console.log(
      `speculation ${sp.setting}: ${sp.tokensPerVerification.toFixed(2)} tokens per verification (acceptance model: ${sp.expectedTokensPerVerification.toFixed(2)}), ${sp.draftedTokens} drafted over ${sp.verifications} verifications`,
    );
  }
  if (s.problems.length > 0) console.log(`note: ${s.problems.join('; ')}`);
}

/** One row per request class: its latencies (p50 / p99) and its share meeting the SLO. */
function printClasses(classes: NonNullable<RunSummary['classes']>): void {
  const pair = (m: MetricSummary | null) => (m ? `${ms(m.p50)} / ${ms(m.p99)}` : '-');
  console.log(
    `
${table([
  ['class', 'requests', 'TTFT p50 / p99', 'TPOT p50 / p99', 'E2E p50 / p99', 'meet SLO'],
  ...classes.map((c) => [
    c.name,
    `${c.completed}/${c.requests}`,
    pair(c.ttft),
    pair(c.tpot),
    pair(c.e2e),
    c.sloAttainment === null ? '-' : `${(100 * c.sloAttainment).toFixed(1)}%`,
  ]),
])}`,
  );
}
