import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SourceFile } from '../../../../src/engine/config/source.js';
import { JsonSyntaxError, parseJsonText } from '../../../../src/engine/util/json-text.js';
import { LineIndex } from '../../../../src/engine/util/line-index.js';

describe('line index', () => {
  const text = 'ab\ncd\r\n\nef';

  it('places offsets by zero-based line and column, clamped into the text', () => {
    const index = new LineIndex(text);
    assert.deepEqual(index.position(0), { offset: 0, line: 0, column: 0 });
    assert.deepEqual(index.position(4), { offset: 4, line: 1, column: 1 });
    assert.deepEqual(index.position(7), { offset: 7, line: 2, column: 0 });
    assert.deepEqual(index.position(99), { offset: 10, line: 3, column: 2 });
  });

  it('is the one placing config diagnostics and JSON syntax errors', () => {
    assert.ok(new SourceFile('f', text) instanceof LineIndex);
    assert.throws(
      () => parseJsonText('{\n  "a": 1,\n  "b" 2\n}'),
      (error: unknown) => error instanceof JsonSyntaxError && /^line 3, column 7: /.test(error.message),
    );
  });
});
