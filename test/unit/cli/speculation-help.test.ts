import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { speculativeOption } from '../../../src/cli/speculation-options.js';
import { parseSpeculation, SPECULATION_FIELDS } from '../../../src/engine/perf/speculation.js';

describe('--speculative help', () => {
  it('lists every field the parser takes, and the example of each parses', () => {
    const help = speculativeOption().description;
    for (const field of SPECULATION_FIELDS) assert.match(help, new RegExp(`[:,]${field}=`), field);
    assert.equal(parseSpeculation('eagle3:k=3,acceptance=0.6', '--speculative').acceptance, 0.6);
  });
});
