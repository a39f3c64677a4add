// The held-out section of bench/results/accuracy.md (held-out-summary.ts).
import type { FoldSummary, HeldOutFigures, HeldOutGrouping, HeldOutSummary } from './held-out-summary.js';
import type { ErrorStats } from './metrics.js';

const pct = (x: number | null) => (x === null ? '–' : `${x.toFixed(1)}%`);
const signed = (x: number | null) => (x === null ? '–' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`);
const ttft = (s: ErrorStats) => `${pct(s.ttftMape)} (${signed(s.ttftMedianSigned)})`;
const tpot = (s: ErrorStats) => `${pct(s.tpotMape)} (${signed(s.tpotMedianSigned)})`;

function figuresRow(name: string, f: HeldOutFigures): string {
  const all = [f.recorded, f.inSample, f.heldOut];
  return `| ${name} | ${f.rows} | ${all.map(ttft).join(' | ')} | ${all.map(tpot).join(' | ')} |`;
}

function foldTable(name: string, folds: readonly FoldSummary[]): string {
  return [
    `| ${name} left out | engine | rows | constants fitted without it: step + per sequence, front end | TTFT in-sample refit → held out | TPOT in-sample refit → held out |`,
    '|---|---|---|---|---|---|',
    ...folds.map((f) => {
      const c = f.fitted
        ? `${f.fitted.stepMs.toFixed(2)} ms + ${f.fitted.perSequenceUs.toFixed(2)} µs, ${f.fitted.frontendMs.toFixed(0)} ms`
        : 'none: no other rows to fit on';
      return `| ${f.group} | ${f.engine} | ${f.rows} | ${c} | ${ttft(f.inSample)} → ${ttft(f.heldOut)} | ${tpot(f.inSample)} → ${tpot(f.heldOut)} |`;
    }),
  ].join('\n');
}

/** One grouping: its figures overall and by engine, then fold by fold. */
function groupingTables(name: string, g: HeldOutGrouping): string {
  const notHeldOut =
    g.notHeldOut === 0
      ? ''
      : `\n\n${g.notHeldOut} modelled rows are in no ${name} fold's figures: their engine has no other ${name}'s rows to fit on.`;
  const rows = [figuresRow('all', g.overall), ...Object.entries(g.engines).map(([e, f]) => figuresRow(e, f))];
  return `| ${name} held out | rows | TTFT recorded | TTFT in-sample refit | TTFT held out | TPOT recorded | TPOT in-sample refit | TPOT held out |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}${notHeldOut}

${foldTable(name, g.folds)}`;
}

/** The section; `selection`: what a partial run left out (its folds fit on its rows alone), or null. */
export function heldOutSection(s: HeldOutSummary, selection: string | null): string {
  const used = Object.entries(s.used)
    .map(
      ([e, u]) =>
        `${e} ${u.stepMs.toFixed(2)} ms + ${u.perSequenceUs.toFixed(2)} µs/sequence, ${u.frontendMs.toFixed(0)} ms`,
    )
    .join('; ');
  const partial = selection
    ? ` This is a partial run (${selection}): the folds fit on its rows alone, not the file's.`
    : '';
  return `## Held out: the fitted constants on rows they were not fitted to

The per-engine constants, the step overhead a + b × sequences (ENGINE_OVERHEADS) and the front end
(ENGINE_FRONTEND_SECONDS), are fitted on this file's rows (docs/architecture/engine-overheads.md), so every
figure above is in-sample. Here each engine's constants are refitted by the same fits
(bench/accuracy/constant-fits.ts, which scripts/fit-engine-overhead.ts and scripts/fit-frontend-latency.ts
run) on its rows of every model family but one, and predict that family's rows; then likewise with each
source left out (bench/accuracy/row-source.ts: InferenceMAX, with the rows of other exports that republish
its runs; AIConfigurator's gap analysis; the other exports' own runs).${partial}

A fold's constants predict a row from its recorded prediction (re-simulating every fold is too slow):

- **Front end: exact.** The simulator adds it to each request's TTFT after the engine has run (the engine
  sees a client's next request when its last settles: src/engine/sim/closed-loop.ts), so another front end
  moves the row's TTFT by the difference and its TPOT not at all.
- **Step overhead: approximate.** TPOT moves by the change of a + b × sequences per replica, the fit's own
  model (one step per output token at the row's clients over its decode replicas), which re-simulation
  bears out closely. TTFT keeps the step overhead the run used: the prefill steps and the steps a prompt
  waits behind carry the overhead too, and how many there are only a re-simulation counts. So where a
  fold's step overhead is larger than the one the run used, its held-out TTFT is too low by that many
  steps' difference, and the other way round (docs/architecture/engine-overheads.md gives a re-simulated
  check).

Recorded: the simulator's predictions, with the constants this commit ships (${used}), which the
re-application takes the run to have used. In-sample refit: each engine's constants refitted on all its
rows and re-applied the same way, so that it differs from the held-out column by the fold alone. Each
table is over the rows its folds predict. Cells: MAPE (median signed error).

${groupingTables('family', s.family)}

${groupingTables('source', s.source)}
`;
}
