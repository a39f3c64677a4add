import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type ConfigFileReport, diagnoseFile, readConfig } from '../../../../src/engine/config/index.js';
import { FIXTURES } from './helpers.js';

function fixtureFiles(dir = FIXTURES): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? fixtureFiles(path) : [path];
  });
}

/** Every range in a report lies inside its file, and every problem is located. */
function assertWellFormed(report: ConfigFileReport, text: string): void {
  const inside = (range: { file: string; start: { offset: number }; end: { offset: number } }) => {
    if (range.file !== report.file) return;
    assert.ok(
      range.start.offset >= 0 && range.start.offset <= range.end.offset && range.end.offset <= text.length,
    );
  };
  for (const problem of report.problems) inside(problem.range);
  for (const block of report.blocks) {
    inside(block.range);
    for (const problem of block.problems) inside(problem.range);
    for (const occurrence of block.occurrences) {
      if (occurrence.valueRange) inside(occurrence.valueRange);
      if (occurrence.edit) inside(occurrence.edit.target);
    }
    for (const insertion of block.insertions) inside(insertion.at);
  }
  for (const diagnostic of diagnoseFile(report, { hardware: 'h100-sxm' })) inside(diagnostic.range);
}

const fixtures = fixtureFiles().map((path) => ({ path, text: readFileSync(path, 'utf8') }));
const names = ['x.sh', 'x.yaml', 'docker-compose.yml', 'values.yaml', 'config'];

describe('readers on malformed and random input (property)', () => {
  test('random text: no throw, every range inside the file', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.constantFrom(...names), (text, name) => {
        const report = readConfig(name, text);
        assertWellFormed(report, text);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  test('fixtures cut, spliced and corrupted: no throw, problems located', () => {
    const mutation = fc.record({
      fixture: fc.integer({ min: 0, max: fixtures.length - 1 }),
      at: fc.nat(),
      cut: fc.nat({ max: 40 }),
      insert: fc.oneof(
        fc.constantFrom(
          '"',
          "'",
          '\\',
          '\n',
          ': ',
          '- ',
          '[',
          '{',
          '${',
          '$(',
          '#',
          '--',
          '=',
          '\t',
          '|',
          '&&',
          'vllm serve ',
        ),
        fc.string({ maxLength: 12 }),
      ),
    });
    fc.assert(
      fc.property(mutation, ({ fixture, at, cut, insert }) => {
        const { path, text } = fixtures[fixture];
        const offset = at % (text.length + 1);
        const mutated = text.slice(0, offset) + insert + text.slice(offset + cut);
        const report = readConfig(path, mutated, { readFile: () => undefined });
        assertWellFormed(report, mutated);
      }),
      { numRuns: 400, seed: 12 },
    );
  });

  test('broken YAML gives a located YAML error and keeps the other blocks of the file', () => {
    const path = join(FIXTURES, 'kubernetes/disaggregated-sglang.yaml');
    const text = readFileSync(path, 'utf8');
    const broken = text.replace(
      '      containers:\n        - name: decode',
      '      containers:\n        - name: [decode',
    );
    const report = readConfig(path, broken);
    const yamlError = report.problems.find((p) => p.severity === 'error' && p.message.startsWith('YAML:'));
    assert.ok(yamlError, 'a YAML error is reported');
    assert.ok(
      yamlError.range.start.line > 30,
      `located in the second document (line ${yamlError.range.start.line + 1})`,
    );
    assert.ok(report.blocks.some((b) => b.label.includes('llama-8b-prefill')));
  });

  test('an unterminated quote is a located shell error; earlier commands still read', () => {
    const text = "vllm serve a/b --tensor-parallel-size 2\nvllm serve c/d --max-num-seqs '12\n";
    const report = readConfig('x.sh', text);
    assert.equal(report.blocks[0].settings.tp?.value, 2);
    const problem = report.blocks.flatMap((b) => b.problems).find((p) => p.message.includes('unterminated'));
    assert.ok(problem ?? report.problems.find((p) => p.message.includes('unterminated')));
  });

  test('a bad value is an error on that flag only', () => {
    const report = readConfig('x.sh', 'vllm serve a/b --tensor-parallel-size two --max-num-seqs 64\n');
    const [block] = report.blocks;
    assert.equal(block.settings.maxNumSeqs?.value, 64);
    const bad = block.occurrences.find((o) => o.error);
    assert.match(bad?.error ?? '', /--tensor-parallel-size: expected an integer, got 'two'/);
    assert.equal(bad?.valueRange?.start.column, 38);
  });

  test('a negative count is refused as below the least value, not as "not an integer"', () => {
    const [block] = readConfig('x.sh', 'vllm serve a/b --max-num-seqs -1 --tensor-parallel-size -0\n').blocks;
    assert.deepEqual(
      block.occurrences.map((o) => o.error),
      [
        undefined,
        '--max-num-seqs: expected an integer ≥ 1, got -1',
        '--tensor-parallel-size: expected an integer ≥ 1, got 0',
      ],
    );
  });
});
