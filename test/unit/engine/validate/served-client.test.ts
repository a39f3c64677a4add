import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultCalibration } from '../../../../src/engine/perf/calibration.js';
import type { SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import type { RunSummary } from '../../../../src/engine/sim/summary.js';
import { servedClient } from '../../../../src/engine/validate/served-client.js';
import { generateWorkload, parseWorkloadSpec } from '../../../../src/engine/workload/spec.js';
import type { Workload } from '../../../../src/engine/workload/types.js';

const colocated = (extra: Partial<SimulationConfigInput> = {}): SimulationConfigInput => ({
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  deployment: {
    kind: 'colocated',
    pool: {
      plan: { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' },
      scheduler: { policy: 'vllm-v1', maxModelLen: 8192 },
    },
  },
  ...extra,
});
const workload = (spec: string, seed = 1) => generateWorkload(parseWorkloadSpec(spec), seed, spec);

describe('served client: simulate replays a run as validation serves it', () => {
  it('asked for nothing, it is the ideal client: the same run as without one', () => {
    const busy = workload('poisson:rate=20,prompt=lognormal(800,0.8),output=lognormal(150,0.8),n=200');
    const config = colocated({ slo: { ttft: 0.5 } });
    const plain = simulate(config, busy);
    const served = simulate(config, busy, { client: servedClient({}) });
    assert.deepEqual({ ...served, wallSeconds: 0 }, { ...plain, wallSeconds: 0 });
  });

  it('serves blocks one after another, each as if alone, when asked to', () => {
    // Three bursts of 12 requests at 0 to 0.11 s: unblocked they pile up; blocked, each waits for the
    // previous one to drain and then runs exactly as it would alone.
    const burst = (seed: number) =>
      workload('poisson:rate=100,prompt=fixed(600),output=fixed(40),n=12', seed);
    const bursts = [burst(1), burst(2), burst(3)];
    const joined: Workload = {
      source: 'bursts',
      hashBlockTokens: 512,
      requests: bursts.flatMap((b) =>
        b.requests.map((r) => ({ ...r, arrival: r.arrival - b.requests[0].arrival })),
      ),
    };
    const config = colocated();
    const alone = bursts.map((b) =>
      simulate(config, {
        ...b,
        requests: b.requests.map((r) => ({ ...r, arrival: r.arrival - b.requests[0].arrival })),
      }),
    );
    const blocked = simulate(config, joined, { client: servedClient({ blockRequests: 12 }) });
    const piled = simulate(config, {
      ...joined,
      requests: [...joined.requests].sort((a, b) => a.arrival - b.arrival),
    });
    const total = (f: (s: RunSummary) => number) => alone.reduce((sum, s) => sum + f(s), 0);
    assert.equal(blocked.requests.completed, 36);
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
    assert.ok(
      close(
        blocked.ttft!.mean * 36,
        total((s) => s.ttft!.mean * 12),
      ),
      'each block waits for nothing but itself',
    );
    assert.ok(
      close(
        blocked.e2e!.mean * 36,
        total((s) => s.e2e!.mean * 12),
      ),
    );
    assert.ok(close(blocked.ttft!.max, Math.max(...alone.map((s) => s.ttft!.max))));
    // Back to back: the run lasts as long as the blocks together.
    assert.ok(
      close(
        blocked.simulatedSeconds,
        total((s) => s.simulatedSeconds),
      ),
    );
    assert.ok(piled.ttft!.mean > 2 * blocked.ttft!.mean, 'the same bursts together queue behind each other');
  });

  const base = defaultCalibration('nvidia-hopper');

  it('with the client on the host, a request due in a slow step is sent when its slow part ends', () => {
    // Every step takes twice the model's time (a constant spread of 2), its first half the slow part. A
    // long request keeps the engine in decode steps; a short one is due at points across two steps.
    const doubled = colocated({ calibration: { ...base, stepTimeSpread: [2, 2] } });
    const long = { arrival: 0, promptTokens: 200, outputTokens: 400 };
    const at = (arrival: number): Workload => ({
      source: 'two requests',
      hashBlockTokens: 512,
      requests: [long, { arrival, promptTokens: 50, outputTokens: 4 }],
    });
    const step = simulate(doubled, { ...at(0), requests: [long] }).itl!.p50;
    const sends: { due: number; delay: number }[] = [];
    for (let k = 0; k < 40; k++) {
      const due = 0.5 + (k / 20) * step;
      const blind = simulate(doubled, at(due));
      const stalled = simulate(doubled, at(due), { client: servedClient({ clientSharesHost: true }) });
      assert.equal(stalled.e2e!.max, blind.e2e!.max, 'the long request ran the same steps');
      // The long request's TTFT is the same in both: the mean of the two moved by half the delay.
      sends.push({ due, delay: 2 * (blind.ttft!.mean - stalled.ttft!.mean) });
    }
    const delayed = sends.filter((x) => x.delay > 1e-9);
    assert.ok(
      sends.every((x) => x.delay > -1e-9 && x.delay <= step / 2 + 1e-9),
      'at most the slow half',
    );
    assert.ok(Math.abs(delayed.length / sends.length - 0.5) <= 0.1, `about half: ${delayed.length} of 40`);
    // Every request due in one slow half is sent at the same moment, its end.
    const sentAt = delayed.map((x) => x.due + x.delay);
    const distinct = sentAt.filter((t, i) => i === 0 || t - sentAt[i - 1] > step / 4);
    assert.ok(distinct.length >= 2 && distinct.length <= 3, `sent at ${distinct.length} slow halves' ends`);
    for (const t of sentAt)
      assert.ok(
        distinct.some((d) => Math.abs(t - d) < 1e-9),
        'a slow half ends once',
      );
    // Without a spread no step has a slow part.
    const plain = colocated();
    const due = sends[delayed.length > 0 ? sends.indexOf(delayed[0]) : 0].due;
    assert.deepEqual(
      simulate(plain, at(due), { client: servedClient({ clientSharesHost: true }) }).ttft,
      simulate(plain, at(due)).ttft,
    );
  });
});
