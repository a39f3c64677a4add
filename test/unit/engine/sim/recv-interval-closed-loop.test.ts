import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import type { Workload } from '../../../../src/engine/workload/types.js';

const plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const };
const config = (recvInterval?: number, overlap = false): SimulationConfigInput => ({
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  engine: { id: 'sglang', overlapScheduling: overlap },
  deployment: {
    kind: 'colocated',
    pool: {
      plan,
      scheduler: {
        policy: 'sglang',
        maxModelLen: 8192,
        ...(recvInterval === undefined ? {} : { schedulerRecvInterval: recvInterval }),
      },
    },
  },
});

// One request decoding alone from t = 0; a second arriving 0.3 s later, well into its decode.
const two: Workload = {
  source: 'two requests',
  hashBlockTokens: 512,
  requests: [
    { arrival: 0, promptTokens: 512, outputTokens: 600 },
    { arrival: 0.3, promptTokens: 512, outputTokens: 4 },
  ],
};

describe("SGLang's scheduler recv interval", () => {
  const every = simulate(config(), two);
  const step = every.tpot!.mean;

  it('a request arriving while the engine decodes waits for the interval to come round', () => {
    const thirty = simulate(config(30), two);
    // The first found the engine idle: no wait. The second waits up to 30 decode steps (on average
    // about half of them, here wherever the counter stood when it arrived), never more.
    assert.ok(Math.abs(thirty.ttft!.min - every.ttft!.min) < 1e-9);
    const extra = thirty.ttft!.max - every.ttft!.max;
    assert.ok(extra > 0.5 * step && extra < 31 * step, `extra ${extra} s, step ${step} s`);
  });

  it('an interval of 1 (the default) receives every step', () => {
    const one = simulate(config(1), two);
    assert.equal(one.ttft!.max, every.ttft!.max);
  });

  it('at a closed loop of decoding clients every new request waits about half the interval', () => {
    const loop: Workload = {
      source: 'closed loop',
      hashBlockTokens: 512,
      requests: Array.from({ length: 160 }, (_, i) => ({
        arrival: 0,
        promptTokens: 256,
        outputTokens: 100 + ((i * 37) % 60),
      })),
    };
    const at = (recvInterval?: number) =>
      simulate(config(recvInterval), loop, { closedLoop: { concurrency: 16, frontendSeconds: 0 } });
    const base = at();
    const thirty = at(30);
    const extra = thirty.ttft!.mean - base.ttft!.mean;
    const decodeStep = base.tpot!.mean;
    assert.ok(extra > 5 * decodeStep && extra < 25 * decodeStep, `extra ${extra} s, step ${decodeStep} s`);
  });

  it('with the overlap scheduler the held request still waits for the interval', () => {
    const overlapEvery = simulate(config(undefined, true), two);
    const overlapThirty = simulate(config(30, true), two);
    assert.ok(overlapThirty.ttft!.max - overlapEvery.ttft!.max > 0.5 * step);
  });
});
