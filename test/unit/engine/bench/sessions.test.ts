import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runBench } from '../../../../src/engine/bench/run.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';
import { NO_SLO } from '../../../../src/engine/workload/slo-verdict.js';

describe('load generator and sessions', () => {
  it('refuses a workload of multi-turn sessions before sending anything', async () => {
    const spec = 'poisson:rate=1,n=4,turns=fixed(2)';
    await assert.rejects(
      runBench({
        url: 'http://127.0.0.1:9',
        servedModel: 'm',
        workload: loadWorkload(spec),
        workloadOrigin: { source: spec, seed: 0 },
        mode: { kind: 'closed', concurrency: 1 },
        maxRequests: 4,
        maxSeconds: 5,
        timeoutSeconds: 1,
        slo: NO_SLO,
        seed: 0,
      }),
      /does not send multi-turn sessions/,
    );
  });
});
