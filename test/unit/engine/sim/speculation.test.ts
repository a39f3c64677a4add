import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocatedBytes } from '../../../../bench/allocated-bytes.js';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { weightBytesPerGpu } from '../../../../src/engine/memory/model.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { kvBytesPerTokenPerGpu } from '../../../../src/engine/model/geometry.js';
import { addPrefillChunk, createBatchShape, resetBatchShape } from '../../../../src/engine/perf/shape.js';
import {
  acceptanceRates,
  expectedTokensPerStep,
  SpeculationConfig,
  type SpeculationConfigInput,
} from '../../../../src/engine/perf/speculation.js';
import { addVerifications, SpeculationCost } from '../../../../src/engine/perf/speculation-cost.js';
import { compileStepModel, createStepTiming } from '../../../../src/engine/perf/step-model.js';
import { SimulationConfig, type SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import { buildPools } from '../../../../src/engine/sim/pools.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import { RunSummary } from '../../../../src/engine/sim/summary.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';
import { generateWorkload, parseWorkloadSpec } from '../../../../src/engine/workload/spec.js';
import type { Workload } from '../../../../src/engine/workload/types.js';

const plan = { tp: 4, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const };
const config = (speculation?: SpeculationConfigInput): SimulationConfigInput => ({
  model: 'llama-3.1-70b',
  hardware: 'h100-sxm',
  slo: { ttft: 1, tpot: 0.05 },
  deployment: {
    kind: 'colocated',
    pool: {
      plan,
      scheduler: { policy: 'vllm-v1', maxModelLen: 8192 },
      ...(speculation ? { speculation } : {}),
    },
  },
});
const workload = (spec: string) => generateWorkload(parseWorkloadSpec(spec), 1, spec);

describe('speculative decoding in the simulator', () => {
  it('emits several tokens per step: one request, every draft accepted, TPOT per emitted token', () => {
    const one: Workload = {
      source: 'one',
      hashBlockTokens: 512,
      requests: [{ arrival: 0, promptTokens: 100, outputTokens: 41 }],
    };
    const plain = simulate(config(), one);
    const spec = simulate(config({ method: 'eagle', k: 3, acceptance: 0.999999 }), one);
    // 1 prefill step + 40 decode steps, against 1 + 10 verifications of 4 tokens.
    assert.equal(plain.steps, 41);
    assert.equal(spec.steps, 11);
    assert.equal(spec.tokens.output, 41);
    assert.equal(spec.itl?.count, 40);
    const e2e = spec.e2e!.mean;
    const ttft = spec.ttft!.mean;
    assert.ok(Math.abs(spec.tpot!.mean - (e2e - ttft) / 40) < 1e-12);
    // Each gap brought 4 tokens: the ITL of each is a quarter of the step.
    assert.ok(Math.abs(spec.itl!.mean - (e2e - ttft) / 40) < 1e-9);
    assert.equal(spec.speculation?.emittedTokens, 40);
    assert.equal(spec.speculation?.verifications, 10);
    RunSummary.parse(spec);
  });

  it('low load on a 70B model: TPOT falls by the expected tokens per step less the draft and verification costs', () => {
    const light = workload(
      'poisson:rate=0.2,prompt=lognormal(1000,0.5),output=lognormal(300,0.5),n=60,max=4000',
    );
    const speculation = SpeculationConfig.parse({ method: 'eagle3', k: 3 });
    const plain = simulate(config(), light);
    const spec = simulate(config(speculation), light);
    const expected = expectedTokensPerStep(acceptanceRates(speculation), 3);
    // The predicted speed-up at batch 1 and a typical context: E tokens per (verification + draft).
    const model = compileStepModel(getModel('llama-3.1-70b'), getHardware('h100-sxm'), plan);
    const cost = new SpeculationCost(model, speculation, null);
    const shape = createBatchShape();
    const time = (k: number) => {
      resetBatchShape(shape);
      addVerifications(shape, 1, 1150, 1150, k);
      return model.stepSeconds(shape) + cost.draftSeconds(1, 1150, 1150, k);
    };
    const predicted = (expected * time(0)) / time(3);
    const observed = plain.tpot!.mean / spec.tpot!.mean;
    assert.ok(observed > 2, `speed-up ${observed}`);
    assert.ok(Math.abs(observed / predicted - 1) < 0.15, `observed ${observed}, predicted ${predicted}`);
    // The draws follow the acceptance model.
    const drawn = spec.speculation!.tokensPerVerification;
    assert.ok(Math.abs(drawn - expected) < 0.1, `drawn ${drawn}, expected ${expected}`);
    assert.equal(spec.tokens.output, plain.tokens.output);
    assert.equal(spec.itl?.count, plain.itl?.count);
  });

  it('high load: fixed speculation lowers goodput; the adaptive policy drafts less and keeps it', () => {
    const heavy = workload(
      'poisson:rate=22,prompt=lognormal(200,0.5),output=lognormal(200,0.5),n=1200,max=4000',
    );
    const plain = simulate(config(), heavy);
    const fixed = simulate(config({ method: 'ngram', k: 3 }), heavy);
    const adaptive = simulate(config({ method: 'ngram', k: 3, policy: 'adaptive' }), heavy);
    const good = (s: RunSummary) => s.goodput!.requestsPerSecond;
    assert.ok(good(fixed) < 0.8 * good(plain), `fixed ${good(fixed)} against ${good(plain)}`);
    assert.ok(good(adaptive) >= 0.95 * good(plain), `adaptive ${good(adaptive)} against ${good(plain)}`);
    const drafted = (s: RunSummary) => s.speculation!.draftedTokens / s.speculation!.verifications;
    assert.ok(adaptive.speculation!.verifications === 0 || drafted(adaptive) < drafted(fixed));
  });

  it('adaptive: the acceptance model is set against the k each verification drafted, not the largest', () => {
    const busy = workload('poisson:rate=30,prompt=fixed(128),output=fixed(256),n=600');
    const speculation = SpeculationConfig.parse({ method: 'eagle3', k: 5, policy: 'adaptive' });
    const run = simulate(config(speculation), busy).speculation!;
    const atKMax = expectedTokensPerStep(acceptanceRates(speculation), 5);
    assert.ok(run.draftedTokens < 5 * run.verifications, 'the test drafts fewer than k at times');
    assert.ok(run.expectedTokensPerVerification < atKMax - 0.1, `${run.expectedTokensPerVerification}`);
    const drawn = run.tokensPerVerification;
    assert.ok(
      Math.abs(drawn - run.expectedTokensPerVerification) < 0.1,
      `drawn ${drawn}, expected ${run.expectedTokensPerVerification}`,
    );
  });

  it("uses each request's own acceptance: mixed traffic drafts between its well- and badly-drafting parts", () => {
    const spec = config({ method: 'eagle3', k: 3 });
    const stream = (accept: number, seedShift: number) =>
      `poisson:rate=0.5,prompt=fixed(200),output=fixed(200),n=${20 + seedShift},accept=${accept}`;
    const perVerification = (w: string) =>
      simulate(spec, loadWorkload(w, {})).speculation!.tokensPerVerification;
    const good = perVerification(stream(0.9, 0));
    const bad = perVerification(stream(0.2, 0));
    const mixed = perVerification(`${stream(0.9, 0)} + ${stream(0.2, 1)}`);
    // i.i.d. acceptance α at k = 3: (1 − α⁴) / (1 − α) tokens a verification, 3.44 and 1.25.
    assert.ok(Math.abs(good - 3.439) < 0.15, `good ${good}`);
    assert.ok(Math.abs(bad - 1.248) < 0.1, `bad ${bad}`);
    assert.ok(mixed > bad + 0.5 && mixed < good - 0.5, `mixed ${mixed} between ${bad} and ${good}`);
  });

  it('is deterministic (seeded acceptance draws) and the seed changes the draws', () => {
    const light = workload(
      'poisson:rate=1,prompt=lognormal(500,0.5),output=lognormal(200,0.5),n=40,max=4000',
    );
    const a = simulate(config({ method: 'eagle', k: 4 }), light);
    const b = simulate(config({ method: 'eagle', k: 4 }), light);
    assert.deepEqual({ ...a, wallSeconds: 0 }, { ...b, wallSeconds: 0 });
    const c = simulate({ ...config({ method: 'eagle', k: 4 }), seed: 7 }, light);
    assert.equal(c.speculation!.emittedTokens, a.speculation!.emittedTokens);
    assert.notEqual(c.speculation!.verifications, a.speculation!.verifications);
  });

  it('names what cannot speculate: MTP on a model without MTP layers', () => {
    const light = workload('poisson:rate=1,prompt=lognormal(500,0.5),output=lognormal(200,0.5),n=5,max=4000');
    const s = simulate(config({ method: 'mtp', k: 1 }), light);
    assert.equal(s.feasible, false);
    assert.match(s.problems.join(' '), /multi-token-prediction/);
  });

  it("a draft model prefills every prompt: TTFT rises by the draft's own prefill of it", () => {
    const one: Workload = {
      source: 'one',
      hashBlockTokens: 512,
      requests: [{ arrival: 0, promptTokens: 3000, outputTokens: 2 }],
    };
    const plain = simulate(config(), one);
    const drafted = simulate(config({ method: 'draft-model', k: 3 }), one);
    // The draft (Llama 3.2 1B at the target's TP) runs its forward over the same 3000-token chunk.
    const draft = compileStepModel(getModel('llama-3.2-1b'), getHardware('h100-sxm'), plan);
    const shape = createBatchShape();
    addPrefillChunk(shape, 3000, 0, true);
    const timing = createStepTiming();
    draft.timeStep(shape, timing);
    const draftPrefill = timing.totalSeconds - timing.overheadSeconds;
    assert.ok(draftPrefill > 0.005, `draft prefill ${draftPrefill}`);
    const rise = drafted.ttft!.mean - plain.ttft!.mean;
    assert.ok(Math.abs(rise - draftPrefill) < 1e-9, `TTFT rose ${rise}, draft prefill ${draftPrefill}`);
  });

  it("an EAGLE head reads the target's hidden states over the prompt: one layer's prefill", () => {
    const one: Workload = {
      source: 'one',
      hashBlockTokens: 512,
      requests: [{ arrival: 0, promptTokens: 3000, outputTokens: 2 }],
    };
    const plain = simulate(config(), one);
    const eagle = simulate(config({ method: 'eagle3', k: 3 }), one);
    const target = compileStepModel(getModel('llama-3.1-70b'), getHardware('h100-sxm'), plan);
    const shape = createBatchShape();
    addPrefillChunk(shape, 3000, 0, true);
    const timing = createStepTiming();
    target.timeStep(shape, timing);
    const oneLayer = timing.stageSeconds / getModel('llama-3.1-70b').numLayers;
    const rise = eagle.ttft!.mean - plain.ttft!.mean;
    assert.ok(Math.abs(rise - oneLayer) < 1e-9, `TTFT rose ${rise}, one layer ${oneLayer}`);
    // n-gram lookup has nothing to prefill.
    assert.equal(simulate(config({ method: 'ngram', k: 3 }), one).ttft!.mean, plain.ttft!.mean);
  });

  it("a draft model's weights and KV come out of the target's KV cache", () => {
    const light = workload('poisson:rate=1,prompt=fixed(500),output=fixed(20),n=2');
    const model = getModel('llama-3.1-70b');
    const blocks = (speculation?: SpeculationConfigInput) =>
      buildPools(SimulationConfig.parse(config(speculation)), model, getHardware('h100-sxm'), light, {})
        .pools[0].replicas[0].kv.totalBlocks;
    const plain = blocks();
    const drafted = blocks({ method: 'draft-model', k: 3 });
    const draft = getModel('llama-3.2-1b');
    const blockSize = 16;
    const targetPerBlock = kvBytesPerTokenPerGpu(model, plan) * blockSize;
    const draftPerBlock = kvBytesPerTokenPerGpu(draft, plan) * blockSize;
    // What the plain cache held now holds the draft's weights and, per block, both models' KV.
    const expected = Math.floor(
      (plain * targetPerBlock - weightBytesPerGpu(draft, plan)) / (targetPerBlock + draftPerBlock),
    );
    assert.equal(drafted, expected);
    assert.ok(drafted < plain * 0.95, `${drafted} of ${plain} blocks`);
  });

  it("disaggregated: the prefill pool loads and prefills the decode pool's draft model", () => {
    const pool = (speculation?: SpeculationConfigInput) => ({
      plan,
      scheduler: { policy: 'vllm-v1' as const, maxModelLen: 8192 },
      ...(speculation ? { speculation } : {}),
    });
    const disaggregated = (speculation?: SpeculationConfigInput): SimulationConfigInput => ({
      ...config(),
      deployment: { kind: 'disaggregated', prefill: pool(), decode: pool(speculation) },
    });
    const one: Workload = {
      source: 'one',
      hashBlockTokens: 512,
      requests: [{ arrival: 0, promptTokens: 3000, outputTokens: 20 }],
    };
    const plain = simulate(disaggregated(), one);
    const drafted = simulate(disaggregated({ method: 'draft-model', k: 3 }), one);
    const draft = compileStepModel(getModel('llama-3.2-1b'), getHardware('h100-sxm'), plan);
    const shape = createBatchShape();
    addPrefillChunk(shape, 3000, 0, true);
    const timing = createStepTiming();
    draft.timeStep(shape, timing);
    const rise = drafted.ttft!.mean - plain.ttft!.mean;
    // TTFT holds the draft's prefill and, as a disaggregated client sees it, the first decode step: with a
    // drafter that step drafts k tokens and verifies k + 1, so it costs a little more than a plain one.
    const draftPrefill = timing.totalSeconds - timing.overheadSeconds;
    const firstStepExtra = rise - draftPrefill;
    assert.ok(
      firstStepExtra > 0 && firstStepExtra < draftPrefill,
      `TTFT rose ${rise}, draft prefill ${draftPrefill}`,
    );
    // The decode pool speculates and the summary counts its verifications, not the prefill pool's.
    assert.ok(drafted.speculation!.verifications > 0);
    const prefillBlocks = (speculation?: SpeculationConfigInput) =>
      buildPools(
        SimulationConfig.parse(disaggregated(speculation)),
        getModel('llama-3.1-70b'),
        getHardware('h100-sxm'),
        one,
        {},
      ).pools[0].replicas[0].kv.totalBlocks;
    assert.ok(prefillBlocks({ method: 'draft-model', k: 3 }) < 0.95 * prefillBlocks());
  });

  it('a draft model takes KV memory: fewer blocks than without', () => {
    const light = workload('poisson:rate=1,prompt=lognormal(500,0.5),output=lognormal(200,0.5),n=5,max=4000');
    const plain = simulate(config(), light);
    const draft = simulate(config({ method: 'draft-model', k: 4 }), light);
    assert.equal(draft.feasible, true);
    assert.ok(draft.kvUtilization!.peak > plain.kvUtilization!.peak);
  });
});

describe('per-request speculation', () => {
  it("drafts by each request's observed acceptance: the poorly-drafting ones cost less, the others no worse", () => {
    const mixed = loadWorkload(
      'poisson:rate=2,prompt=fixed(500),output=fixed(200),n=80,accept=0.9,class=good + ' +
        'poisson:rate=2,prompt=fixed(500),output=fixed(200),n=81,accept=0.1,class=poor',
      {},
    );
    const fixed = simulate(config({ method: 'eagle3', k: 4 }), mixed);
    const perRequest = simulate(config({ method: 'eagle3', k: 4, policy: 'per-request' }), mixed);
    const drafted = (s: RunSummary, name: string) =>
      s.speculation!.classes!.find((c) => c.name === name)!.draftedTokens;
    const tpot = (s: RunSummary, name: string) => s.classes!.find((c) => c.name === name)!.tpot!.mean;
    // The poorly-drafting requests learn their rate and stop drafting tokens that are not accepted.
    assert.ok(
      drafted(perRequest, 'poor') < 0.4 * drafted(fixed, 'poor'),
      `poor drafted ${drafted(perRequest, 'poor')} against ${drafted(fixed, 'poor')}`,
    );
    assert.ok(tpot(perRequest, 'poor') < tpot(fixed, 'poor'), 'poor TPOT');
    // The well-drafting ones keep drafting all of k, and their steps are no slower.
    assert.ok(drafted(perRequest, 'good') >= 0.95 * drafted(fixed, 'good'), 'good drafted');
    assert.ok(tpot(perRequest, 'good') <= 1.02 * tpot(fixed, 'good'), 'good TPOT');
    assert.equal(perRequest.tokens.output, fixed.tokens.output);
    RunSummary.parse(perRequest);
  });
});

describe('tree drafting in the simulator', () => {
  it('a wider tree emits more per verification, as its expectation says, and verifies more tokens', () => {
    const light = workload('poisson:rate=0.5,prompt=fixed(500),output=fixed(300),n=30');
    const chain = simulate(config({ method: 'eagle3', k: 4 }), light);
    const tree = simulate(config({ method: 'eagle3', k: 4, topk: 4, draftTokens: 16 }), light);
    const c = chain.speculation!;
    const t = tree.speculation!;
    assert.ok(t.expectedTokensPerVerification > c.expectedTokensPerVerification + 0.3);
    assert.ok(
      Math.abs(t.tokensPerVerification - t.expectedTokensPerVerification) < 0.15,
      `drawn ${t.tokensPerVerification}`,
    );
    assert.ok(t.tokensPerVerification > c.tokensPerVerification);
    // 15 drafted nodes verified per sequence against a chain's 4.
    assert.equal(t.draftedTokens / t.verifications, 15);
    assert.equal(t.setting, 'eagle3:k=4,topk=4,tokens=16');
    assert.equal(tree.tokens.output, chain.tokens.output);
  });
});

describe("the simulator's hot loop, speculating", () => {
  // Speculative decoding draws from the seeded generator for every verified token. A boxed number is
  // 12-16 bytes; what each step allocates (its timing) adds about 5 bytes per token at 64 requests a step.
  it('allocates under 10 bytes per committed token: no boxed number per token or draw', () => {
    const eagle = config({ method: 'eagle', k: 3, acceptance: 0.7 });
    const fixed = (output: number) =>
      workload(`constant:rate=1000,prompt=fixed(256),output=fixed(${output}),n=64`);
    const short = fixed(200);
    const long = fixed(1000);
    // Warm: the interpreter boxes every number it computes; only optimized code can run allocation-free.
    for (let i = 0; i < 10; i++) {
      simulate(eagle, short);
      simulate(eagle, long);
    }
    let shortTokens = 0;
    let longTokens = 0;
    const shortBytes = allocatedBytes(() => {
      shortTokens = simulate(eagle, short).tokens.output;
    });
    const longBytes = allocatedBytes(() => {
      longTokens = simulate(eagle, long).tokens.output;
    });
    // The difference of two runs that differ only in output length: per token, without the set-up.
    const perToken = (longBytes - shortBytes) / (longTokens - shortTokens);
    assert.equal(longTokens - shortTokens, 64 * 800);
    assert.ok(perToken < 10, `${perToken.toFixed(2)} bytes per token`);
  });
});
