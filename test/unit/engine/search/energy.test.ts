import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware, HARDWARE_CATALOG } from '../../../../src/engine/hardware/catalog.js';
import { energyOf } from '../../../../src/engine/search/energy.js';
import type { EvaluationMetrics } from '../../../../src/engine/search/schema.js';

const zero = { mean: 0, p50: 0, p90: 0, p99: 0 };
const metrics = (throughputPerGpu: number, totalThroughputPerGpu: number): EvaluationMetrics => ({
  rate: 10,
  ttft: zero,
  tbt: zero,
  tpot: zero,
  e2e: zero,
  throughputPerGpu,
  totalThroughputPerGpu,
  speedPerUser: 50,
  requestThroughput: 10,
  goodput: 10,
  attainment: 1,
  preemptions: 0,
  stable: true,
});

describe('energy per token, an estimate at TDP', () => {
  it('is the GPU power over the tokens each GPU serves per second', () => {
    // 700 W ÷ 1,400 output tokens/s = 0.5 J per output token; ÷ 3,500 tokens/s = 0.2 J per token.
    const e = energyOf(metrics(1400, 3500), getHardware('h100-sxm'))!;
    assert.equal(e.wattsPerGpu, 700);
    assert.equal(e.joulesPerOutputToken, 0.5);
    assert.equal(e.joulesPerToken, 0.2);
    assert.match(e.source, /700 W/);
    // 72 W ÷ 240 tokens/s = 0.3 J.
    assert.ok(Math.abs(energyOf(metrics(240, 240), getHardware('l4'))!.joulesPerOutputToken! - 0.3) < 1e-12);
  });

  it('is null without a datasheet power, and per token null when nothing is served', () => {
    assert.equal(energyOf(metrics(1400, 3500), getHardware('h20')), null);
    const idle = energyOf(metrics(0, 0), getHardware('h100-sxm'))!;
    assert.equal(idle.joulesPerOutputToken, null);
    assert.equal(idle.joulesPerToken, null);
  });

  it('every catalog power figure names its datasheet and the watts it read', () => {
    const powered = HARDWARE_CATALOG.filter((h) => h.power);
    assert.ok(powered.length >= 10);
    for (const h of powered) {
      assert.match(h.power!.source, /^https:\/\//, h.id);
      assert.ok(
        h.power!.source.includes(`${h.power!.watts.toLocaleString('en-US')} W`) ||
          h.power!.source.includes(`${h.power!.watts} W`),
        `${h.id}: ${h.power!.source}`,
      );
    }
  });
});
