import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { searchChartModel } from '../../../../src/engine/chart/search-chart.js';
import { HostToWebview } from '../../../../src/engine/protocol/webview.js';
import { searchServing } from '../../../../src/engine/search/run.js';
import { Slo } from '../../../../src/engine/search/schema.js';

const input = {
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  gpus: 1,
  engine: 'sglang' as const,
  workload: 'poisson:rate=2,prompt=fixed(256),output=fixed(32),n=40',
  slo: Slo.parse({ ttft: 2, tbt: 0.2 }),
  sampleRequests: 40,
  threads: 0,
};

describe('the engine behaviours in the Pareto panel', () => {
  it("names the behaviours away from the defaults that timed the search, through the panel's message", async () => {
    const eager = await searchServing({ ...input, enforceEager: true, disableCustomAllReduce: true });
    assert.deepEqual(eager.engineBehaviour, ['NCCL all-reduce', 'eager']);
    const model = searchChartModel(eager);
    assert.deepEqual(model.engine, { name: 'sglang', behaviour: ['NCCL all-reduce', 'eager'] });
    const message = HostToWebview.parse({ type: 'chart', state: { model, selectedId: null, variants: {} } });
    assert.equal(message.type, 'chart');
    if (message.type === 'chart')
      assert.deepEqual(message.state.model.engine?.behaviour, ['NCCL all-reduce', 'eager']);
  });

  it('names none at the defaults', async () => {
    const plain = await searchServing(input);
    assert.equal(plain.engineBehaviour, undefined);
    const model = searchChartModel(plain);
    assert.deepEqual(model.engine, { name: 'sglang', behaviour: [] });
    // The panel's message is validated: a malformed engine is refused, the well-formed one taken.
    const message = (engine: unknown) => ({
      type: 'chart',
      state: { model: { ...model, engine }, selectedId: null, variants: {} },
    });
    assert.equal(HostToWebview.safeParse(message(model.engine)).success, true);
    assert.equal(HostToWebview.safeParse(message({ name: 'sglang', behaviour: [1] })).success, false);
  });
});
