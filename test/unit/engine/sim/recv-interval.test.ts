import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import {
  RECV_WEIGHT_DECODE,
  RECV_WEIGHT_OTHER,
  recvThisIteration,
} from '../../../../src/engine/sim/recv-gate.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import type { Workload } from '../../../../src/engine/workload/types.js';

const plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const };
const config = (recvInterval: number, overlap = false): SimulationConfigInput => ({
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  engine: { id: 'sglang', overlapScheduling: overlap },
  deployment: {
    kind: 'colocated',
    pool: {
      plan,
      scheduler: { policy: 'sglang', maxModelLen: 8192, schedulerRecvInterval: recvInterval },
    },
  },
});

// The first request finds the engine idle; the second arrives while the first decodes.
const two = {
  source: 'two requests',
  hashBlockTokens: 512,
  requests: [
    { arrival: 0, promptTokens: 512, outputTokens: 400 },
    { arrival: 0.1003, promptTokens: 512, outputTokens: 4 },
  ],
};

describe('SGLang --scheduler-recv-interval', () => {
  it('counts decode steps and idle loops as 1, other steps as enough to take in at once', () => {
    const gate = { recvInterval: 10, recvCounter: 0, lastStepWeight: RECV_WEIGHT_OTHER };
    assert.equal(recvThisIteration(gate), true, 'after a prefill step');
    let iterations = 0;
    do {
      gate.lastStepWeight = RECV_WEIGHT_DECODE;
      iterations++;
    } while (!recvThisIteration(gate));
    assert.equal(iterations, 10, 'every 10th decode step');
    assert.equal(recvThisIteration({ recvInterval: 1, recvCounter: 0, lastStepWeight: 1 }), true);
  });

  for (const overlap of [false, true]) {
    it(`a request arriving mid-decode waits for the intake, up to the interval in steps (overlap ${overlap})`, () => {
      const every = simulate(config(1, overlap), two);
      const gated = simulate(config(10, overlap), two);
      assert.equal(gated.requests.completed, 2);
      // The idle engine takes the first request at once.
      assert.ok(
        Math.abs(gated.ttft!.min - every.ttft!.min) < 1e-9,
        `${gated.ttft!.min} vs ${every.ttft!.min}`,
      );
      const step = every.tpot!.mean;
      const extra = gated.ttft!.max - every.ttft!.max;
      assert.ok(extra > 1.5 * step && extra < 10.5 * step, `extra ${extra} s, decode step ${step} s`);
    });
  }

  const disaggregated = (recvInterval: number, overlap = false): SimulationConfigInput => ({
    model: 'llama-3.1-8b',
    hardware: 'h100-sxm',
    engine: { id: 'sglang', overlapScheduling: overlap },
    deployment: {
      kind: 'disaggregated',
      prefill: { plan, scheduler: { policy: 'sglang', maxModelLen: 8192 } },
      decode: {
        plan,
        scheduler: { policy: 'sglang', maxModelLen: 8192, schedulerRecvInterval: recvInterval },
      },
      kvLink: { bytesPerSecond: 400e9, latencySeconds: 1e-5 },
    },
  });

  it('a decode server takes in a request arriving mid-decode only at its intake', () => {
    const every = simulate(disaggregated(1), two);
    const gated = simulate(disaggregated(10), two);
    assert.equal(gated.requests.completed, 2);
    // The first request finds the decode server idle: taken in at once.
    assert.ok(Math.abs(gated.ttft!.min - every.ttft!.min) < 1e-9, `${gated.ttft!.min} vs ${every.ttft!.min}`);
    // A decode step of the running request (its inter-token gap).
    const step = every.itl!.p50;
    const extra = gated.ttft!.max - every.ttft!.max;
    // Up to the interval before the prefill, and the decode step running when its KV lands.
    assert.ok(extra > 1.5 * step && extra < 11.5 * step, `extra ${extra} s, decode step ${step} s`);
  });

  for (const overlap of [false, true]) {
    it(`SGLang bootstrap: the prefill waits for the decode intake, the KV then joins past the gate (overlap ${overlap})`, () => {
      const every = simulate(disaggregated(1, overlap), two);
      const gated = simulate(disaggregated(10, overlap), two);
      // A decode step of the running request (its inter-token gap).
      const step = every.itl!.p50;
      // Queueing is arrival to the prefill's first step: the decode's gate now comes before it.
      const held = gated.queueing!.max - every.queueing!.max;
      assert.ok(held > 1.5 * step && held < 10.5 * step, `held ${held} s, decode step ${step} s`);
      // From the prefill's start to the first token, at most the decode step the KV lands in more.
      const after = gated.ttft!.max - gated.queueing!.max - (every.ttft!.max - every.queueing!.max);
      assert.ok(after < 1.5 * step, `after the prefill ${after} s, decode step ${step} s`);
    });
  }

  it('at a closed loop of decoding clients the mean TTFT grows with the interval', () => {
    const loop = {
      source: 'closed loop',
      hashBlockTokens: 512,
      // Lengths that differ, so requests finish (and the next ones arrive) while others decode.
      requests: Array.from({ length: 160 }, (_, i) => ({
        arrival: 0,
        promptTokens: 512,
        outputTokens: 150 + ((i * 37) % 100),
      })),
    };
    const at = (interval: number) =>
      simulate(config(interval), loop, { closedLoop: { concurrency: 16, frontendSeconds: 0 } });
    const one = at(1);
    const ten = at(10);
    const thirty = at(30);
    assert.ok(ten.ttft!.mean > one.ttft!.mean + 2 * one.tpot!.mean, `${ten.ttft!.mean} vs ${one.ttft!.mean}`);
    assert.ok(thirty.ttft!.mean > ten.ttft!.mean, `${thirty.ttft!.mean} vs ${ten.ttft!.mean}`);
  });
});

// One request decoding alone from t = 0; a second arriving 0.3 s later, well into its decode.
const decodingThenLate: Workload = {
  source: 'two requests',
  hashBlockTokens: 512,
  requests: [
    { arrival: 0, promptTokens: 512, outputTokens: 600 },
    { arrival: 0.3, promptTokens: 512, outputTokens: 4 },
  ],
};

describe('SGLang --scheduler-recv-interval in closed and open loops', () => {
  const every = simulate(config(1), decodingThenLate);
  const step = every.tpot!.mean;

  it('a request arriving while the engine decodes waits for the interval to come round', () => {
    const thirty = simulate(config(30), decodingThenLate);
    // The first found the engine idle: no wait. The second waits up to 30 decode steps (on average
    // about half of them, here wherever the counter stood when it arrived), never more.
    assert.ok(Math.abs(thirty.ttft!.min - every.ttft!.min) < 1e-9);
    const extra = thirty.ttft!.max - every.ttft!.max;
    assert.ok(extra > 0.5 * step && extra < 31 * step, `extra ${extra} s, step ${step} s`);
  });

  it('an interval of 1 (the default) receives every step', () => {
    const one = simulate(config(1), decodingThenLate);
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
    const at = (recvInterval = 1) =>
      simulate(config(recvInterval), loop, { closedLoop: { concurrency: 16, frontendSeconds: 0 } });
    const base = at();
    const thirty = at(30);
    const extra = thirty.ttft!.mean - base.ttft!.mean;
    const decodeStep = base.tpot!.mean;
    assert.ok(extra > 5 * decodeStep && extra < 25 * decodeStep, `extra ${extra} s, step ${decodeStep} s`);
  });

  it('with the overlap scheduler the held request still waits for the interval', () => {
    const overlapEvery = simulate(config(1, true), decodingThenLate);
    const overlapThirty = simulate(config(30, true), decodingThenLate);
    assert.ok(overlapThirty.ttft!.max - overlapEvery.ttft!.max > 0.5 * step);
  });
});
