import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { engineSettingsFor } from '../../../../src/engine/search/engine-commands.js';
import { SearchResult, searchServing } from '../../../../src/engine/search/run.js';
import { type Candidate, Slo } from '../../../../src/engine/search/schema.js';
import {
  decodeSpeculation,
  explainSpeculation,
  searchMethodFor,
  speculationNeighbours,
  speculativeCandidates,
} from '../../../../src/engine/search/speculation-space.js';

const slo: Slo = Slo.parse({ ttft: 1.5, tbt: 0.06, form: 'percentile', percentile: 'p90' });
const plain: Candidate = {
  kind: 'colocated',
  id: 'x',
  pool: {
    plan: { tp: 1, pp: 1, dp: 2, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' },
    knobs: {
      maxNumSeqs: 256,
      maxNumBatchedTokens: 2048,
      chunkedPrefill: true,
      blockSize: 16,
      gpuMemoryUtilization: 0.9,
    },
  },
};

describe('speculation in the search space', () => {
  it("tries the model's MTP layers where it has them, else an EAGLE-3 head", () => {
    assert.equal(searchMethodFor(getModel('deepseek-v3')), 'mtp');
    assert.equal(searchMethodFor(getModel('llama-3.1-8b')), 'eagle3');
  });

  it('the coarse twin speculates at k = 3; refinement walks k, tries adaptive and off', () => {
    const [twin] = speculativeCandidates([plain], getModel('llama-3.1-8b'));
    assert.deepEqual(decodeSpeculation(twin), { method: 'eagle3', k: 3, policy: 'fixed' });
    assert.notEqual(twin.id, plain.id);
    const around = speculationNeighbours(twin, getModel('llama-3.1-8b')).map(decodeSpeculation);
    assert.deepEqual(around, [
      undefined,
      { method: 'eagle3', k: 2, policy: 'fixed' },
      { method: 'eagle3', k: 4, policy: 'fixed' },
      { method: 'eagle3', k: 3, policy: 'adaptive' },
    ]);
  });

  it('a search with --allow-speculation evaluates speculative configurations and says why it chose', async () => {
    const result = await searchServing({
      model: 'llama-3.1-8b',
      hardware: 'l40s',
      gpus: 1,
      workload: 'poisson:rate=1,prompt=lognormal(768,0.6),output=lognormal(160,0.6),n=120',
      slo,
      sampleRequests: 120,
      threads: 0,
      allowSpeculation: true,
    });
    SearchResult.parse(result);
    const speculative = result.configurations.filter((c) => decodeSpeculation(c.candidate));
    assert.ok(speculative.length > 0);
    assert.match(result.speculation ?? '', /^speculation (chosen|not chosen)/);
    // At one request per second an 8B model's decodes run alone: drafting pays, and the best speculates.
    const best = result.configurations.find((c) => c.best)!;
    assert.ok(decodeSpeculation(best.candidate), result.speculation);
    assert.match(result.speculation!, /^speculation chosen \(eagle3:k=\d/);
    const server = best.settings!.servers[0];
    assert.ok(server.argv.includes('--speculative-config'));
    assert.equal(server.expressed.speculativeMethod, 'eagle3');
  });

  it('the explanation names the loss where the plain configuration serves more', () => {
    const metrics = (tpot: number, rate: number | null) => ({
      candidate: plain,
      metrics: { throughputPerGpu: 1, tpot: { mean: tpot, p50: tpot, p90: tpot, p99: tpot } },
      maxRateUnderSlo: rate,
      best: false,
    });
    const [twin] = speculativeCandidates([plain], getModel('llama-3.1-8b'));
    const configurations = [
      { ...metrics(0.03, 10), best: true },
      { ...metrics(0.02, 8), candidate: twin },
    ] as never;
    assert.match(
      explainSpeculation(configurations),
      /^speculation not chosen: .*8\.00 req\/s under the SLOs against 10\.00 req\/s without/,
    );
  });

  it('names the token-gap target where speculation is faster per token but loses the SLO to bursts', () => {
    const metrics = (tpot: number, rate: number | null, attainment: number) => ({
      candidate: plain,
      metrics: { throughputPerGpu: 1, attainment, tpot: { mean: tpot, p50: tpot, p90: tpot, p99: tpot } },
      maxRateUnderSlo: rate,
      best: false,
    });
    const [twin] = speculativeCandidates([plain], getModel('llama-3.1-8b'));
    const faster = explainSpeculation([
      { ...metrics(0.019, 3, 1), best: true },
      { ...metrics(0.015, null, 0.4), candidate: twin },
    ] as never);
    assert.match(
      faster,
      /several at once: each verification is one gap .* \(40% of requests within the targets against 100%/,
    );
    const slower = explainSpeculation([
      { ...metrics(0.019, 3, 1), best: true },
      { ...metrics(0.025, 1, 0.4), candidate: twin },
    ] as never);
    assert.match(slower, /costs more than the accepted tokens save/);
  });

  it("a disaggregated plan's prefill servers carry the decode servers' drafter", () => {
    const model = getModel('llama-3.1-70b');
    const pool = { ...plain.pool, plan: { ...plain.pool.plan, tp: 4, dp: 1 } };
    const candidate: Candidate = {
      kind: 'disaggregated',
      id: 'd',
      prefill: pool,
      decode: { ...pool, speculation: { method: 'eagle3', k: 3, policy: 'fixed' } },
    };
    const settings = engineSettingsFor('sglang', model, candidate, 8192);
    for (const server of settings.servers) {
      assert.equal(server.expressed.speculativeMethod, 'eagle3', server.role);
      assert.ok(server.argv.includes('--speculative-algorithm'), server.role);
    }
  });
});
