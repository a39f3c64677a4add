import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SGLANG_KNOBS, sglangDefaultMemFractionStatic } from '../../../../src/engine/config/knobs/sglang.js';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';

/** The chunk SGLang starts with on a catalog GPU when `--chunked-prefill-size` is not given. */
function defaultChunk(gpu: string): number | undefined {
  const hardware = getHardware(gpu);
  return SGLANG_KNOBS.defaults({ gpuMemoryBytes: hardware.memoryBytes, gpuName: hardware.id })
    .maxNumBatchedTokens;
}

describe('SGLang default --chunked-prefill-size', () => {
  it('is 16384 on GPUs of 160 GiB and more, as server_args sets it for B200 and MI300', () => {
    assert.equal(defaultChunk('b200'), 16384);
    assert.equal(defaultChunk('b300'), 16384);
    assert.equal(defaultChunk('gb200'), 16384);
    assert.equal(defaultChunk('mi300x'), 16384);
  });

  it('stays 8192 on H100 and H200, 4096 from 35 GiB and 2048 below', () => {
    assert.equal(defaultChunk('h100-sxm'), 8192);
    assert.equal(defaultChunk('h200'), 8192);
    assert.equal(SGLANG_KNOBS.defaults({ gpuMemoryBytes: 48 * 1024 ** 3 }).maxNumBatchedTokens, 4096);
    assert.equal(SGLANG_KNOBS.defaults({ gpuMemoryBytes: 24 * 1024 ** 3 }).maxNumBatchedTokens, 2048);
  });
});

describe('SGLang default --mem-fraction-static', () => {
  const GiB = 1024 ** 3;
  it('reserves 1.5 MiB per chunk token, 2 MiB per graph batch and 128 MiB per GPU, at least 10 GiB', () => {
    // H100 TP1: 512 + 8192 × 1.5 + 256 × 2 + 128 = 13440 MiB of 81920 → 0.836.
    assert.equal(sglangDefaultMemFractionStatic({ gpuMemoryBytes: 80 * GiB, tp: 1, pp: 1 }), 0.836);
    // H200 TP8: 512 + 12288 + 512 × 2 + 1024 = 14848 MiB of 144384 → 0.897.
    assert.equal(sglangDefaultMemFractionStatic({ gpuMemoryBytes: 141 * GiB, tp: 8, pp: 1 }), 0.897);
    // B200 TP8: the 16384-token chunk: 512 + 24576 + 1024 + 1024 = 27136 MiB of 184320 → 0.853.
    assert.equal(sglangDefaultMemFractionStatic({ gpuMemoryBytes: 180 * GiB, tp: 8, pp: 1 }), 0.853);
    // A small chunk still reserves the 10 GiB floor on a large GPU: (81920 - 10240) / 81920.
    assert.equal(
      sglangDefaultMemFractionStatic({ gpuMemoryBytes: 80 * GiB, tp: 1, pp: 1, chunkedPrefillSize: 2048 }),
      0.875,
    );
  });
});
