import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import {
  checkTraceFitsHeap,
  TRACE_HEAP_BYTES_PER_FILE_BYTE,
} from '../../../../src/engine/workload/trace-memory.js';
import { runInSmallHeap } from '../../helpers/small-heap.js';

const MIB = 1024 ** 2;
const dir = mkdtempSync(join(tmpdir(), 'servetune-trace-memory-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An Azure trace of about `mib` MiB: the densest format, the most heap per byte of file. */
function azureTrace(mib: number): string {
  const lines = ['TIMESTAMP,ContextTokens,GeneratedTokens'];
  const count = Math.ceil((mib * MIB) / 36);
  for (let i = 0; i < count; i++) {
    const s = Math.floor(i / 1000);
    const at = `2023-11-16 ${String(10 + Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}.${String((i % 1000) * 10000).padStart(7, '0')}`;
    lines.push(`${at},${100 + (i % 4000)},${10 + (i % 500)}`);
  }
  const path = join(dir, `azure-${mib}.csv`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('trace size against the heap', () => {
  it('refuses a trace the heap left cannot hold, naming the file, its size and the heap', () => {
    const file = join(dir, 'ten.csv');
    writeFileSync(file, Buffer.alloc(10 * MIB, 'a'));
    const roomy = { heap_size_limit: 100 * MIB, used_heap_size: 10 * MIB };
    assert.doesNotThrow(() => checkTraceFitsHeap(file, roomy));
    const tight = { heap_size_limit: 30 * MIB, used_heap_size: 10 * MIB };
    assert.ok(10 * TRACE_HEAP_BYTES_PER_FILE_BYTE > 20);
    assert.throws(
      () => checkTraceFitsHeap(file, tight),
      (e: unknown) =>
        isServeTuneError(e) &&
        e.where === file &&
        /a 10 MiB trace needs about 25 MiB of memory to read, more than the 20 MiB left of this process's 30 MiB heap/.test(
          e.message,
        ),
    );
  });

  it('turns a trace too large for a small heap into an error, not a V8 out-of-memory abort', () => {
    // 50 MiB of Azure rows need over 110 MiB of heap to read: past a 64 MiB old space (a 112 MiB heap).
    const trace = azureTrace(50);
    const printed = runInSmallHeap(
      64,
      `const { readTrace } = (await import('./src/engine/workload/traces.ts')).default;
      console.log('read ' + readTrace(${JSON.stringify(trace)}).requests.length);`,
    );
    assert.match(
      printed,
      /^ServeTuneError: .*azure-50\.csv: a 5\d MiB trace needs about 1\d\d MiB of memory to read/,
    );
  });
});
