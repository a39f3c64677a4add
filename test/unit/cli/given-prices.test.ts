import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { givenPrices } from '../../../src/cli/options.js';
import { getHardware } from '../../../src/engine/hardware/catalog.js';
import { priceFor, priceText } from '../../../src/engine/search/cost.js';

describe('where a given price came from', () => {
  const dir = mkdtempSync(join(tmpdir(), 'servetune-prices-'));
  const file = join(dir, 'servetune.json');
  writeFileSync(file, JSON.stringify({ prices: { h100: 2 } }));
  const h100 = getHardware('h100-sxm');

  it('names servetune.json for its prices, not --price, which the user never gave', () => {
    const { prices, pricesGivenIn } = givenPrices(undefined, dir);
    assert.deepEqual(prices, { 'h100-sxm': 2 });
    const price = priceFor(h100, prices, pricesGivenIn);
    assert.ok(price);
    assert.equal(priceText(price), `$2.00/GPU-hour of h100-sxm (given in ${file})`);
  });

  it('names --price where it gave every price, and both where both did', () => {
    assert.equal(givenPrices({ 'h100-sxm': 3 }, dir).pricesGivenIn, '--price');
    assert.deepEqual(givenPrices({ 'h100-sxm': 3 }, dir).prices, { 'h100-sxm': 3 });
    const both = givenPrices({ h200: 4 }, dir);
    assert.deepEqual(both.prices, { 'h100-sxm': 2, h200: 4 });
    assert.equal(both.pricesGivenIn, `--price or ${file}`);
  });
});
