import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { searchServing } from '../../../../src/engine/search/run.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';

const small = {
  model: 'llama-3.1-8b',
  hardware: 'a100-80gb-sxm',
  gpus: 1,
  workload: 'constant:rate=1,prompt=fixed(256),output=fixed(32),n=20',
  slo: { ttft: 2, tbt: 0.1, percentile: 'p90' as const },
  sampleRequests: 20,
  threads: 0,
};

describe('search --perf-db', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'servetune-search-db-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('fails before simulating on a folder it cannot read, naming it', async () => {
    const missing = join(scratch, 'none');
    await assert.rejects(
      searchServing({ ...small, perfDb: missing }),
      (e: unknown) => isServeTuneError(e) && e.message.includes(missing),
    );
    const broken = join(scratch, 'broken');
    mkdirSync(join(broken, 'data/a100_sxm/gemm/vllm/0.14.0'), { recursive: true });
    writeFileSync(join(broken, 'data/a100_sxm/gemm/vllm/0.14.0/gemm_perf.parquet'), 'not parquet');
    await assert.rejects(
      searchServing({ ...small, perfDb: broken }),
      (e: unknown) =>
        isServeTuneError(e) && e.message.includes('data/a100_sxm/gemm/vllm/0.14.0/gemm_perf.parquet'),
    );
  });
});
