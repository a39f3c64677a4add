import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { computeDtypeOf, weightBytesPerParam } from '../../../../src/engine/model/dtypes.js';
import { devicePeaks } from '../../../../src/engine/perf/roofline.js';

describe('linear-layer peaks by weight format', () => {
  it('runs nvfp4 and mxfp4 weights on the fp4 tensor cores where the chip has them', () => {
    const b200 = getHardware('b200');
    assert.ok(b200.tensorFlops.fp4 !== null);
    assert.equal(devicePeaks(b200, 'nvfp4').gemmFlops, b200.tensorFlops.fp4);
    assert.equal(devicePeaks(b200, 'mxfp4').gemmFlops, b200.tensorFlops.fp4);
    const mi355x = getHardware('mi355x');
    assert.equal(devicePeaks(mi355x, 'mxfp4').gemmFlops, mi355x.tensorFlops.fp4);
  });

  it('falls back to the 16-bit rate where the chip has no fp4 (W4A16 kernels), fp8 or not', () => {
    for (const id of ['h100-sxm', 'mi300x', 'a100-80gb-sxm']) {
      const hardware = getHardware(id);
      assert.equal(hardware.tensorFlops.fp4, null, id);
      assert.equal(devicePeaks(hardware, 'nvfp4').gemmFlops, hardware.tensorFlops.fp16, id);
      assert.equal(devicePeaks(hardware, 'mxfp4').gemmFlops, hardware.tensorFlops.fp16, id);
    }
  });

  it('leaves the other formats where they were, and attention at 16 bits', () => {
    const b200 = getHardware('b200');
    assert.equal(devicePeaks(b200, 'fp8').gemmFlops, b200.tensorFlops.fp8);
    assert.equal(devicePeaks(b200, 'int4').gemmFlops, b200.tensorFlops.fp16);
    assert.equal(devicePeaks(b200, 'bf16').gemmFlops, b200.tensorFlops.fp16);
    assert.equal(devicePeaks(b200, 'nvfp4').attentionFlops, b200.tensorFlops.fp16);
    assert.equal(devicePeaks(getHardware('a100-80gb-sxm'), 'fp8').gemmFlops, 312e12);
    assert.equal(computeDtypeOf('nvfp4'), 'fp4');
    assert.equal(computeDtypeOf('int4'), 'fp16');
  });

  it('stores fp4 weights with their block scales', () => {
    // NVFP4: 4 bits and an fp8 scale per 16 values; MXFP4: an 8-bit scale per 32.
    assert.equal(weightBytesPerParam('nvfp4'), 0.5625);
    assert.equal(weightBytesPerParam('mxfp4'), 0.53125);
  });
});
