import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';

const plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const };
const config = (
  scheduler: Record<string, unknown> = {},
  slo: Record<string, number> = {},
): SimulationConfigInput => ({
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  deployment: {
    kind: 'colocated',
    pool: { plan, scheduler: { policy: 'vllm-v1', maxModelLen: 32768, ...scheduler } },
  },
  slo,
});

describe('multi-turn sessions in the simulator', () => {
  it('sends each turn its think time after the previous turn’s last token, timing it from then', () => {
    const w = loadWorkload(
      'constant:rate=1,n=3,prompt=fixed(200),output=fixed(20),turns=fixed(3),think=fixed(100)',
    );
    const s = simulate(config(), w);
    assert.equal(s.requests.completed, 3);
    // Two think times and three short turns; unlinked, all three would be sent at once.
    assert.ok(s.simulatedSeconds > 200 && s.simulatedSeconds < 203, `${s.simulatedSeconds}`);
    assert.ok(s.e2e!.max < 1, `e2e ${s.e2e!.max}`);
  });

  it('hits the previous turn’s prefix in the cache, and prefix caching cuts TTFT', () => {
    const spec =
      'poisson:rate=1,n=300,prompt=lognormal(400,0.3),output=fixed(100),system=2000,turns=uniform(3,6),think=fixed(5)';
    const w = loadWorkload(spec, { seed: 2 });
    const cached = simulate(config({ enablePrefixCaching: true }), w);
    const uncached = simulate(config({ enablePrefixCaching: false }), w);
    assert.ok(cached.prefixCache!.hitRate > 0.7, `hit rate ${cached.prefixCache!.hitRate}`);
    assert.ok(
      cached.ttft!.mean < uncached.ttft!.mean * 0.7,
      `${cached.ttft!.mean} vs ${uncached.ttft!.mean}`,
    );
  });

  it('refuses a closed loop over sessions, which send their own turns', () => {
    const w = loadWorkload('poisson:rate=1,n=10,turns=fixed(2)');
    assert.throws(() => simulate(config(), w, { closedLoop: { concurrency: 2 } }), /multi-turn sessions/);
  });
});

describe('request classes and priority scheduling in the simulator', () => {
  const flood =
    'poisson:rate=2,duration=60,prompt=lognormal(500,0.5),output=lognormal(150,0.5),class=interactive + poisson:rate=12,duration=60,prompt=lognormal(6000,0.3),output=fixed(300),class=batch,priority=1';

  it('summarizes each class, and priority scheduling serves the interactive class first', () => {
    const w = loadWorkload(flood, { seed: 1 });
    const run = (schedulingPolicy: string) =>
      simulate(config({ schedulingPolicy, maxModelLen: 8192 }, { ttft: 1 }), w);
    const fcfs = run('fcfs');
    const priority = run('priority');
    const of = (s: ReturnType<typeof run>, name: string) => s.classes!.find((c) => c.name === name)!;
    assert.deepEqual(new Set(fcfs.classes!.map((c) => c.name)), new Set(['interactive', 'batch']));
    const total = fcfs.classes!.reduce((sum, c) => sum + c.requests, 0);
    assert.equal(total, w.requests.length);
    const before = of(fcfs, 'interactive');
    const after = of(priority, 'interactive');
    assert.ok(after.ttft!.p50 < before.ttft!.p50 / 10, `${after.ttft!.p50} vs ${before.ttft!.p50}`);
    assert.ok(after.sloAttainment! > before.sloAttainment! + 0.3);
    assert.equal(fcfs.resolvedSchedulers?.mixed.schedulingPolicy, 'fcfs');
  });

  it('counts a class against its own targets where the workload gives them', () => {
    const w = loadWorkload(
      `${flood.replace('class=batch', 'class=batch,slo=(e2e=100000)')}`.replace(
        /duration=60/g,
        'duration=20',
      ),
      { seed: 1 },
    );
    const s = simulate(config({ maxModelLen: 8192 }, { ttft: 0.001 }), w);
    const batch = s.classes!.find((c) => c.name === 'batch')!;
    const interactive = s.classes!.find((c) => c.name === 'interactive')!;
    assert.deepEqual(batch.slo, { e2e: 100000 });
    assert.equal(batch.sloAttainment, 1);
    assert.equal(interactive.slo, undefined);
    assert.equal(interactive.sloAttainment, 0);
  });

  it('has no classes where the workload has none, and refuses priority where the engine has none', () => {
    const w = loadWorkload('poisson:rate=1,n=5');
    assert.equal(simulate(config(), w).classes, undefined);
    assert.throws(
      () =>
        simulate(
          {
            ...config(),
            deployment: {
              kind: 'colocated',
              pool: { plan, scheduler: { policy: 'orca', schedulingPolicy: 'priority' } },
            },
          },
          w,
        ),
      /orca policy has no priority scheduling/,
    );
  });
});
