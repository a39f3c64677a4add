// The held-out report's folds: each family's rows predicted with constants fitted on the other families'.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fitFrontend,
  fitStepOverhead,
  frontendPointOf,
  stepPointOf,
} from '../../../../bench/accuracy/constant-fits.js';
import type { ScoredRow } from '../../../../bench/accuracy/fit-rows.js';
import { inSample, leaveOneOut, type UsedConstants } from '../../../../bench/accuracy/held-out.js';
import { heldOutSection } from '../../../../bench/accuracy/held-out-report.js';
import { heldOutSummary } from '../../../../bench/accuracy/held-out-summary.js';

const close = (actual: number | undefined, expected: number, what: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

let next = 0;
/** A row whose TPOT is `kernelsMs` + the used overhead, and whose TTFT is `engineMs` + the used front end. */
function row(
  family: string,
  measured: { ttftMs: number; tpotMs: number },
  over: Partial<ScoredRow> & { engineMs?: number; kernelsMs?: number } = {},
): ScoredRow {
  const { engineMs = 100, kernelsMs = 9, ...rest } = over;
  next++;
  return {
    id: `r${next}`,
    engine: 'vllm',
    family,
    // Two sources, so that the source folds have rows to fit on.
    source: next % 2 ? 'InferenceMAX' : 'AIConfigurator gap analysis',
    mode: 'agg',
    concurrency: 1,
    sequences: 1,
    measured,
    predicted: {
      ttftMs: engineMs + USED.frontendSeconds * 1e3,
      tpotMs: kernelsMs + USED.overhead.stepSeconds * 1e3,
    },
    ...rest,
  };
}

const USED: UsedConstants = {
  overhead: { stepSeconds: 0.5e-3, perSequenceSeconds: 0, perTokenSeconds: 0 },
  frontendSeconds: 0.03,
};
const usedOf = () => USED;

describe('accuracy benchmark: the constant fits', () => {
  it('recover a step overhead a + b × sequences and a front end the rows were made with', () => {
    const rows = [1, 16, 64, 256].map((sequences) =>
      row('f', { ttftMs: 100 + 42, tpotMs: 9 + 0.8 + 0.02 * sequences }, { sequences }),
    );
    const step = fitStepOverhead(rows.map((r) => stepPointOf(r, USED.overhead)));
    close(step.a, 0.8e-3, 'a');
    close(step.b, 20e-6, 'b');
    const frontend = fitFrontend(rows.flatMap((r) => frontendPointOf(r, USED.frontendSeconds) ?? []));
    close(frontend.f, 0.042, 'front end');
  });

  it('fit the front end on aggregated rows of at most 8 clients alone', () => {
    assert.equal(frontendPointOf(row('f', { ttftMs: 1, tpotMs: 1 }, { concurrency: 9 }), 0), undefined);
    assert.equal(frontendPointOf(row('f', { ttftMs: 1, tpotMs: 1 }, { mode: 'disagg' }), 0), undefined);
    assert.ok(frontendPointOf(row('f', { ttftMs: 1, tpotMs: 1 }, { concurrency: 8 }), 0));
  });
});

describe('accuracy benchmark: leave one family out', () => {
  // TTFT: the engine part is 100 ms everywhere; family a's four rows want a 10 ms front end, b's two 50 ms,
  // c's one 20 ms. TPOT: kernels 9 ms; a's four rows want a 1 ms step overhead, b's and c's three 0.2 ms
  // (each family at 1 and 100 sequences, so that no per-sequence term fits).
  const rows = [
    ...[1, 1, 1, 100].map((sequences) => row('a', { ttftMs: 110, tpotMs: 10 }, { sequences })),
    ...[1, 100].map((sequences) => row('b', { ttftMs: 150, tpotMs: 9.2 }, { sequences })),
    row('c', { ttftMs: 120, tpotMs: 9.2 }),
  ];
  const held = leaveOneOut(rows, (r) => r.family, usedOf);
  const fold = (family: string) => held.folds.find((f) => f.group === family)?.fitted;

  it('fits each fold without its own rows: a family that pulls the constants gets the others', () => {
    // In-sample, a's four rows pull both constants to theirs (front end: of the kinks 10, 20 and 50 ms,
    // 10 errs least over all seven rows, 2 × 40/150 + 10/120; step: a's 4 × 1/10 outweighs 3 × 1/9.2).
    const all = inSample(rows, usedOf).folds[0]?.fitted;
    close(all?.frontendSeconds, 0.01, 'in-sample front end');
    close(all?.step.a, 1e-3, 'in-sample step');
    close(all?.step.b, 0, 'in-sample per sequence');
    // Without a: b's 50 ms (b, c: 0 + 0 + 30/120 beats 20 ms's 2 × 30/150) and 0.2 ms.
    close(fold('a')?.frontendSeconds, 0.05, 'front end without a');
    close(fold('a')?.step.a, 0.2e-3, 'step without a');
    close(fold('a')?.step.b, 0, 'per sequence without a');
    // Without b: a's and c's rows, a's four at 10 ms and 1 ms.
    close(fold('b')?.frontendSeconds, 0.01, 'front end without b');
    close(fold('b')?.step.a, 1e-3, 'step without b');
  });

  it("predicts a family's rows with its fold's constants, from the recorded prediction", () => {
    const [a] = rows;
    // TTFT 100 ms engine + 50 ms front end, TPOT 9 ms kernels + 0.2 ms: a's rows held out are off by
    // +36.4% and −8%, where in-sample they were exact.
    close(held.predictions.get(a.id)?.ttftMs, 150, 'TTFT of a held out');
    close(held.predictions.get(a.id)?.tpotMs, 9.2, 'TPOT of a held out');
    const s = heldOutSummary(rows, usedOf);
    const aFold = s.family.folds.find((f) => f.group === 'a');
    close(aFold?.inSample.tpotMape ?? undefined, 0, 'a in-sample TPOT MAPE');
    close(aFold?.heldOut.ttftMape ?? undefined, (100 * 40) / 110, 'a held-out TTFT MAPE');
    close(aFold?.heldOut.tpotMape ?? undefined, 8, 'a held-out TPOT MAPE');
  });

  it("keeps other engines' rows out of an engine's fit, and predicts nothing it has no rows to fit on", () => {
    const trtllm = row('b', { ttftMs: 1000, tpotMs: 50 }, { engine: 'trtllm' });
    const mixed = leaveOneOut([...rows, trtllm], (r) => r.family, usedOf);
    close(
      mixed.folds.find((f) => f.engine === 'vllm' && f.group === 'a')?.fitted?.frontendSeconds,
      0.05,
      'vllm',
    );
    // trtllm has one family: its fold has nothing to fit on.
    assert.equal(mixed.folds.find((f) => f.engine === 'trtllm')?.fitted, undefined);
    assert.equal(mixed.predictions.has(trtllm.id), false);
    assert.equal(heldOutSummary([...rows, trtllm], usedOf).family.notHeldOut, 1);
  });

  it('reports the family held-out figure beside the in-sample one, in accuracy.md', () => {
    const md = heldOutSection(heldOutSummary(rows, usedOf), null);
    // a's four rows in-sample exact; b's TTFT −33.3% (100 + 10 vs 150) and c's −8.3%; TPOT of b, c +8.7%.
    const line = md.split('\n').find((l) => l.startsWith('| family left out'));
    assert.ok(line, 'the family folds table');
    assert.match(
      md,
      /\| a \| vllm \| 4 \| 0\.20 ms \+ 0\.00 µs, 50 ms \| 0\.0% \(\+0\.0%\) → 36\.4% \(\+36\.4%\) \|/,
    );
  });
});
