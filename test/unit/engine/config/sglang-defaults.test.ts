import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SGLANG_KNOBS } from '../../../../src/engine/config/knobs/sglang.js';
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
