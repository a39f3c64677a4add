import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';
import { summarizeWorkload } from '../../../../src/engine/workload/summary.js';

const dir = mkdtempSync(join(tmpdir(), 'servetune-models-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const burst = join(dir, 'burst.csv');
writeFileSync(
  burst,
  [
    'Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type',
    '5,ChatGPT,472,18,490,Conversation log',
    '6,GPT-4,1000,20,1020,Conversation log',
    '7.5,ChatGPT,100,50,150,API log',
    '8,GPT-4,300,0,300,API log',
    '9,GPT-4,200,30,230,API log',
    '10,ChatGPT,120,40,160,API log',
  ].join('\n'),
);

describe('BurstGPT models', () => {
  it('keeps every row by default, each with its model, and the summary counts each', () => {
    const w = loadWorkload(burst);
    assert.deepEqual(
      w.requests.map((r) => r.model),
      ['ChatGPT', 'GPT-4', 'ChatGPT', 'GPT-4', 'ChatGPT'],
    );
    assert.equal(w.source, `${burst} (ChatGPT 3, GPT-4 2)`);
    assert.deepEqual(summarizeWorkload(w).models, [
      { model: 'ChatGPT', requests: 3 },
      { model: 'GPT-4', requests: 2 },
    ]);
  });

  it('FILE#model=NAME keeps that model’s requests, the first at 0', () => {
    const w = loadWorkload(`${burst}#model=GPT-4`);
    assert.deepEqual(
      w.requests.map((r) => [r.arrival, r.promptTokens, r.model]),
      [
        [0, 1000, 'GPT-4'],
        [3, 200, 'GPT-4'],
      ],
    );
    assert.equal(w.source, `${burst}#model=GPT-4`);
    assert.deepEqual(summarizeWorkload(w).models, [{ model: 'GPT-4', requests: 2 }]);
    assert.equal(loadWorkload(`${burst}#model=ChatGPT`, { count: 2 }).requests.length, 2);
  });

  it('an unknown model or option, or a model for a trace without models, is a clear error', () => {
    const refused = (value: string, message: RegExp) =>
      assert.throws(
        () => loadWorkload(value),
        (e: unknown) => isServeTuneError(e) && e.where === '--workload' && message.test(e.message),
      );
    refused(`${burst}#model=Claude`, /no requests for model 'Claude'; the trace has ChatGPT 3, GPT-4 2/);
    refused(`${burst}#colour=blue`, /unknown trace option 'colour'/);
    refused(`${burst}#model=`, /needs a model name/);
    const azure = join(dir, 'azure.csv');
    writeFileSync(azure, 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,374,44\n');
    refused(`${azure}#model=GPT-4`, /records no model per request/);
    assert.equal(summarizeWorkload(loadWorkload(azure)).models, undefined);
  });

  it('a file whose name holds a # is still that file', () => {
    const hashed = join(dir, 'trace#1.csv');
    writeFileSync(hashed, 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,374,44\n');
    assert.equal(loadWorkload(hashed).requests.length, 1);
  });
});
