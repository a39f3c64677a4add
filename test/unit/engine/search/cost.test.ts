import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware, HARDWARE_CATALOG } from '../../../../src/engine/hardware/catalog.js';
import {
  costOf,
  PriceOverrides,
  parsePriceOverrides,
  priceFor,
  workspacePriceOverrides,
} from '../../../../src/engine/search/cost.js';
import type { EvaluationMetrics } from '../../../../src/engine/search/schema.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';

const pct = { mean: 0.1, p50: 0.1, p90: 0.1, p99: 0.1 };
const metrics: EvaluationMetrics = {
  rate: 10,
  ttft: pct,
  tbt: pct,
  tpot: pct,
  e2e: pct,
  throughputPerGpu: 500,
  totalThroughputPerGpu: 2000,
  speedPerUser: 40,
  requestThroughput: 10,
  goodput: 10,
  attainment: 1,
  preemptions: 0,
  stable: true,
};

describe('costs', () => {
  it('every catalog price names its offer, page and date', () => {
    const priced = HARDWARE_CATALOG.filter((h) => h.price);
    assert.ok(priced.length >= 10, `${priced.length} priced GPUs`);
    for (const h of ['h100-sxm', 'h200', 'b200', 'mi300x']) assert.ok(getHardware(h).price, h);
  });

  it('a given price wins over the catalog, and says where it was given', () => {
    const h100 = getHardware('h100-sxm');
    const listed = priceFor(h100, {});
    assert.equal(listed?.from, 'catalog');
    assert.equal(listed?.usdPerGpuHour, h100.price?.usdPerGpuHour);
    assert.match(listed!.source, /https:\/\/.* \(\d{4}-\d{2}-\d{2}\)/);
    assert.deepEqual(priceFor(h100, { 'h100-sxm': 2.5 }), {
      hardware: 'h100-sxm',
      usdPerGpuHour: 2.5,
      from: 'given',
      source: '--price',
    });
    assert.equal(priceFor(getHardware('h20'), {}), null, 'no list price: no cost');
  });

  it('cost per hour, per million output and total tokens, from throughput per GPU', () => {
    const cost = costOf(metrics, 8, {
      hardware: 'h100-sxm',
      usdPerGpuHour: 2,
      from: 'given',
      source: '--price',
    });
    assert.equal(cost.usdPerHour, 16);
    // 500 tok/s/GPU × 8 GPUs × 3600 s = 14.4 M output tokens per hour.
    assert.ok(Math.abs(cost.usdPerMillionOutputTokens! - 16 / 14.4) < 1e-12);
    assert.ok(Math.abs(cost.usdPerMillionTotalTokens! - 16 / 57.6) < 1e-12);
    assert.equal(cost.outputTokensPerSecondPerGpu, 500);
    assert.equal(cost.outputTokensPerSecondPerUser, 40);
    const idle = costOf({ ...metrics, throughputPerGpu: 0, totalThroughputPerGpu: 0 }, 1, {
      hardware: 'l4',
      usdPerGpuHour: 1,
      from: 'given',
      source: '--price',
    });
    assert.equal(idle.usdPerMillionOutputTokens, null);
  });

  it('--price reads catalog ids and names, and refuses what it cannot read, naming the part', () => {
    assert.deepEqual(parsePriceOverrides('h100-sxm=2.5, h200=$3.6'), { 'h100-sxm': 2.5, h200: 3.6 });
    for (const [text, reason] of [
      ['h100-sxm', /no =/],
      ['h999=2', /'h999' is not a GPU of the catalog/],
      ['h100-sxm=-1', /not a positive number/],
      ['h100-sxm=abc', /not a positive number/],
      ['', /no prices given/],
      // Number() reads hex and an empty text as 0: a price nobody wrote.
      ['h100-sxm=0x10', /not a positive number/],
      ['h100-sxm=2,h100=3', /h100-sxm is priced twice/],
    ] as const) {
      assert.throws(
        () => parsePriceOverrides(text),
        (e: unknown) => isServeTuneError(e) && e.where === '--price' && reason.test(e.message),
        text,
      );
    }
  });

  it('servetune.json "prices" takes catalog ids and names, and refuses a GPU the catalog lacks', () => {
    // Before, a key was used only where it was the catalog id: "h100" was silently never applied.
    assert.deepEqual(workspacePriceOverrides({ h100: 2, h200: 3 }, 'ws/servetune.json'), {
      'h100-sxm': 2,
      h200: 3,
    });
    assert.throws(
      () => workspacePriceOverrides({ 'h100-sxmm': 2 }, 'ws/servetune.json'),
      (e: unknown) =>
        isServeTuneError(e) &&
        e.where === 'ws/servetune.json:prices.h100-sxmm' &&
        /^ws\/servetune\.json: prices\.h100-sxmm: 'h100-sxmm' is not a GPU of the catalog/.test(e.message),
    );
    assert.throws(
      () => workspacePriceOverrides({ h100: 2, 'h100-sxm': 3 }, 'ws/servetune.json'),
      /prices\.h100-sxm: h100-sxm is priced twice/,
    );
  });

  it('the search request (the editor’s servetune.prices setting) takes GPU names and refuses unknown GPUs', () => {
    // The engine looked prices up by catalog id only: {"h100": 2} from the editor was never applied.
    assert.deepEqual(PriceOverrides.parse({ h100: 2, 'h200-sxm': 3 }), { 'h100-sxm': 2, h200: 3 });
    const unknown = PriceOverrides.safeParse({ 'h100-sxm': 2, h1000: 1 });
    assert.ok(!unknown.success);
    assert.deepEqual(unknown.error.issues[0].path, ['h1000']);
    assert.match(unknown.error.issues[0].message, /'h1000' is not a GPU of the catalog/);
    assert.ok(!PriceOverrides.safeParse({ 'h100-sxm': -1 }).success);
  });
});
