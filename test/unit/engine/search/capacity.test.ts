import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import {
  CapacityInput,
  CapacityPlan,
  planCapacity,
  replicaCandidates,
  replicated,
} from '../../../../src/engine/search/capacity.js';
import { loadSearchSample } from '../../../../src/engine/search/run.js';
import { Slo } from '../../../../src/engine/search/schema.js';
import { SimulationEvaluator } from '../../../../src/engine/search/simulation-evaluator.js';
import { meetsSlo } from '../../../../src/engine/search/slo.js';
import { candidateGpus, candidateId } from '../../../../src/engine/search/space.js';

const input = {
  model: 'llama-3.1-8b',
  hardware: ['l40s', 'h100-sxm'],
  minGpus: 1,
  maxGpus: 8,
  workload: 'poisson:rate=20,prompt=uniform(256,1024),output=uniform(32,192),n=200',
  rate: 20,
  slo: Slo.parse({ ttft: 1.5, tbt: 0.06 }),
  sampleRequests: 200,
  threads: 0,
  seed: 0,
  prices: { l40s: 0.8 },
};

describe('capacity planning', () => {
  it('per GPU type, the fewest GPUs meeting the SLO at the rate, costed, the cheapest marked', async () => {
    const plan = CapacityPlan.parse(await planCapacity(input));
    assert.deepEqual(
      plan.rows.map((r) => r.hardware),
      ['l40s', 'h100-sxm'],
    );
    assert.equal(plan.rows[0].price?.from, 'given');
    assert.equal(plan.rows[1].price?.from, 'catalog');
    const model = getModel(input.model);
    const { workload, maxModelLen } = loadSearchSample(input, model);
    for (const row of plan.rows) {
      const o = row.plan;
      assert.ok(o, `${row.hardware}: ${row.reason}`);
      assert.equal(o.cost?.usdPerHour, o.gpus * row.price!.usdPerGpuHour);
      assert.ok(o.gpus >= 1 && o.gpus <= 8);
      assert.ok(meetsSlo(o.metrics, input.slo));
      // One replica fewer misses the SLO at the rate: the count is the fewest.
      if (o.replicas > 1 && o.candidate.kind === 'colocated') {
        const evaluator = new SimulationEvaluator({
          model,
          hardware: getHardware(row.hardware),
          engine: 'vllm',
          workload,
          slo: input.slo,
          maxModelLen,
          seed: 0,
        });
        const pool = { ...o.candidate.pool, plan: { ...o.candidate.pool.plan, dp: o.replicas - 1 } };
        const body = { kind: 'colocated' as const, pool };
        const fewer = evaluator.evaluateOne({ candidate: { ...body, id: candidateId(body) }, rate: 20 });
        assert.ok(!meetsSlo(fewer, input.slo), `${row.hardware}: ${o.replicas - 1} replicas also meet it`);
      }
    }
    const cheapest = plan.rows.filter((r) => r.cheapest);
    assert.equal(cheapest.length, 1);
    assert.equal(
      cheapest[0].plan!.cost!.usdPerHour,
      Math.min(...plan.rows.map((r) => r.plan!.cost!.usdPerHour)),
    );
    assert.ok(plan.front.length >= 1);
    for (let i = 1; i < plan.front.length; i++) {
      assert.ok(plan.front[i].cost!.usdPerHour >= plan.front[i - 1].cost!.usdPerHour);
      assert.ok(plan.front[i].metrics.ttft.p90 < plan.front[i - 1].metrics.ttft.p90, 'dearer is faster');
    }
  });

  it('a GPU type with no replica that fits says why, and refuses an empty range', async () => {
    const plan = await planCapacity({ ...input, model: 'llama-3.1-70b', hardware: ['l4'], maxGpus: 2 });
    assert.equal(plan.rows[0].plan, null);
    assert.match(plan.rows[0].reason!, /fits in 2 l4 GPUs' memory/);
    await assert.rejects(planCapacity({ ...input, minGpus: 4, maxGpus: 2 }), /empty range/);
  });
});

describe('capacity planning with disaggregation', () => {
  it('sizes primitive xPyD units, replicated as whole units', async () => {
    const parsed = CapacityInput.parse({ ...input, hardware: ['h100-sxm'], disaggregation: true });
    const model = getModel(parsed.model);
    const { maxSequenceTokens, rate } = loadSearchSample(parsed, model);
    const ctx = { model, hardware: getHardware('h100-sxm'), input: parsed, rate, maxSequenceTokens };
    const all = replicaCandidates(ctx);
    const units = all.filter((c) => c.kind === 'disaggregated');
    const without = replicaCandidates({ ...ctx, input: { ...parsed, disaggregation: false } });
    assert.equal(all.length - units.length, without.length, 'the colocated replicas are the same');
    assert.ok(units.length > 0);
    for (const u of units) {
      if (u.kind !== 'disaggregated') continue;
      const [x, y] = [u.prefill.plan.dp, u.decode.plan.dp];
      assert.ok(
        x >= 1 && y >= 1 && !(x % 2 === 0 && y % 2 === 0),
        `${x}P${y}D is n copies of a smaller unit`,
      );
    }
    // 1P(TP1) + 2D(TP1), three copies: 3P6D on 9 GPUs.
    const unit = units.find(
      (c) =>
        c.kind === 'disaggregated' &&
        c.prefill.plan.dp === 1 &&
        c.decode.plan.dp === 2 &&
        c.prefill.plan.tp === 1 &&
        c.decode.plan.tp === 1,
    )!;
    const three = replicated(unit, 3);
    assert.equal(three.kind, 'disaggregated');
    if (three.kind === 'disaggregated') {
      assert.equal(three.prefill.plan.dp, 3);
      assert.equal(three.decode.plan.dp, 6);
    }
    assert.equal(candidateGpus(three), 9);
    const plan = await planCapacity({ ...input, hardware: ['h100-sxm'], disaggregation: true });
    const colocatedOnly = await planCapacity({ ...input, hardware: ['h100-sxm'] });
    assert.ok(plan.rows[0].configurationsEvaluated > colocatedOnly.rows[0].configurationsEvaluated);
    assert.ok(plan.rows[0].plan, plan.rows[0].reason ?? '');
    // More choices can only find as few GPUs or fewer.
    assert.ok(plan.rows[0].plan.gpus <= colocatedOnly.rows[0].plan!.gpus);
  });
});

describe('a capacity plan saved before energy and calibration were recorded', () => {
  it('still reads, with no energy and not calibrated', async () => {
    const plan = await planCapacity({ ...input, hardware: ['l40s'], maxGpus: 2 });
    const old = JSON.parse(JSON.stringify(plan));
    delete old.calibrated;
    for (const row of old.rows) if (row.plan) delete row.plan.energy;
    for (const o of old.front) delete o.energy;
    const read = CapacityPlan.parse(old);
    assert.equal(read.calibrated, false);
    assert.ok(read.rows.every((r) => r.plan === null || r.plan.energy === null));
  });
});
