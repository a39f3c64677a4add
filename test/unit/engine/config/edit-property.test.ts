import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  applyEdits,
  blockSettings,
  type ConfigFileReport,
  type PartialServingSettings,
  planEdits,
  readConfig,
  SETTING_LABELS,
  type SettingKey,
  type TextEdit,
} from '../../../../src/engine/config/index.js';

// Plan edits on generated configs, apply them, read the file again: the settings asked for changed
// (unless a problem says why not), every other setting of every block is as it was, and every byte
// outside the edits is the file's own. The configs carry what breaks naive editors: YAML anchors,
// aliases and merge keys shared between blocks, CRLF line ends, tabs, variables used more than once.

type Key = 'tp' | 'maxNumSeqs' | 'maxNumBatchedTokens' | 'gpuMemoryUtilization' | 'blockSize';
const FLAGS: Record<Key, string> = {
  tp: 'tensor-parallel-size',
  maxNumSeqs: 'max-num-seqs',
  maxNumBatchedTokens: 'max-num-batched-tokens',
  gpuMemoryUtilization: 'gpu-memory-utilization',
  blockSize: 'block-size',
};
const KEYS = Object.keys(FLAGS) as Key[];

const value: Record<Key, fc.Arbitrary<number>> = {
  tp: fc.constantFrom(1, 2, 4, 8),
  maxNumSeqs: fc.integer({ min: 1, max: 1024 }),
  maxNumBatchedTokens: fc.integer({ min: 256, max: 65536 }),
  gpuMemoryUtilization: fc.integer({ min: 50, max: 95 }).map((n) => n / 100),
  blockSize: fc.constantFrom(16, 32),
};
const settingsArb = fc.record(
  Object.fromEntries(KEYS.map((k) => [k, value[k]])) as Record<Key, fc.Arbitrary<number>>,
  { requiredKeys: [] },
);

interface Generated {
  name: string;
  text: string;
}

/** A shell script: one or two commands, tabs or continuations between words, `$TP` set once. */
const shellArb: fc.Arbitrary<Generated> = fc
  .record({
    first: settingsArb,
    second: fc.option(settingsArb, { nil: undefined }),
    separator: fc.constantFrom(' ', '\t', ' \\\n    '),
    equals: fc.boolean(),
    tpVariable: fc.option(value.tp, { nil: undefined }),
    tpInSecond: fc.boolean(),
    comment: fc.constantFrom('', '# serve\there\n', '#!/bin/sh\n'),
  })
  .map(({ first, second, separator, equals, tpVariable, tpInSecond, comment }) => {
    const command = (model: string, settings: Partial<Record<Key, number>>, variable: boolean) => {
      const words = ['vllm', 'serve', model];
      for (const key of KEYS) {
        if (key === 'tp' && variable) words.push(`--${FLAGS.tp}`, '$TP');
        else if (settings[key] !== undefined) {
          const flag = `--${FLAGS[key]}`;
          if (equals) words.push(`${flag}=${settings[key]}`);
          else words.push(flag, String(settings[key]));
        }
      }
      return `${words.join(separator)}\n`;
    };
    const variable = tpVariable !== undefined;
    let text = comment + (variable ? `TP=${tpVariable}\n` : '');
    text += command('m/a', first, variable);
    if (second) text += command('m/b', second, variable && tpInSecond);
    return { name: 'serve.sh', text };
  });

/** A vLLM config YAML: some keys its own, some through a merge key, one through a scalar alias. */
const engineYamlArb: fc.Arbitrary<Generated> = fc
  .record({
    own: settingsArb,
    merged: settingsArb,
    quote: fc.constantFrom('', '"', "'"),
    alias: fc.boolean(),
    crlf: fc.boolean(),
    comment: fc.constantFrom('', '  # tuned\tby hand'),
  })
  .map(({ own, merged, quote, alias, crlf, comment }) => {
    const q = (v: number) => `${quote}${v}${quote}`;
    const lines = ['model: m/a'];
    const mergedKeys = KEYS.filter((k) => merged[k] !== undefined && own[k] === undefined);
    if (mergedKeys.length > 0) {
      lines.push('defaults: &defaults');
      for (const k of mergedKeys) lines.push(`  ${FLAGS[k]}: ${q(merged[k]!)}`);
      lines.push('<<: *defaults');
    }
    const ownKeys = KEYS.filter((k) => own[k] !== undefined);
    ownKeys.forEach((k, i) => {
      const anchor = alias && i === 0 ? '&shared ' : '';
      lines.push(`${FLAGS[k]}: ${anchor}${q(own[k]!)}${comment}`);
    });
    // A second key that takes the first one's value by alias: only where that value means the same.
    if (alias && ownKeys[0] === 'maxNumSeqs' && !ownKeys.includes('blockSize'))
      lines.push('block-size: *shared');
    const eol = crlf ? '\r\n' : '\n';
    return { name: 'config.yaml', text: lines.join(eol) + eol };
  });

/** A compose file: two services through one anchor (merge key), and one of its own. */
const composeArb: fc.Arbitrary<Generated> = fc
  .record({ shared: settingsArb, own: settingsArb, crlf: fc.boolean(), flow: fc.boolean() })
  .map(({ shared, own, crlf, flow }) => {
    const args = (settings: Partial<Record<Key, number>>) => [
      '--model',
      'm/a',
      ...KEYS.flatMap((k) => (settings[k] === undefined ? [] : [`--${FLAGS[k]}`, String(settings[k])])),
    ];
    const list = (words: string[], indent: string) =>
      flow
        ? ` [${words.map((w) => JSON.stringify(w)).join(', ')}]`
        : words.map((w) => `\n${indent}- ${JSON.stringify(w)}`).join('');
    const lines = [
      'x-vllm: &vllm',
      '  image: vllm/vllm-openai:v0.10.1',
      `  command:${list(args(shared), '    ')}`,
      'services:',
      '  a:',
      '    <<: *vllm',
      '    ports: ["8000:8000"]',
      '  b:',
      '    <<: *vllm',
      '  c:',
      '    image: vllm/vllm-openai:v0.10.1',
      `    command:${list(args(own), '      ')}`,
    ];
    const eol = crlf ? '\r\n' : '\n';
    return { name: 'docker-compose.yaml', text: lines.join('\n').replace(/\n/g, eol) + eol };
  });

/** The settings a problem says could not be changed ("max-num-seqs, block-size: …"). */
function refusedKeys(problems: readonly string[]): Set<SettingKey> {
  const refused = new Set<SettingKey>();
  for (const problem of problems) {
    const labels = problem.slice(0, problem.indexOf(': ')).split(', ');
    for (const [key, label] of Object.entries(SETTING_LABELS)) {
      if (labels.includes(label)) refused.add(key as SettingKey);
    }
  }
  return refused;
}

/** The text outside the edits, in order: what no edit may change. */
function untouched(text: string, edits: readonly TextEdit[]): string[] {
  const sorted = [...edits].sort((a, b) => a.range.start.offset - b.range.start.offset);
  const parts: string[] = [];
  let at = 0;
  for (const edit of sorted) {
    parts.push(text.slice(at, edit.range.start.offset));
    at = edit.range.end.offset;
  }
  parts.push(text.slice(at));
  return parts;
}

function settingsOf(report: ConfigFileReport): PartialServingSettings[] {
  return report.blocks.map(blockSettings);
}

/** How many runs changed something and how many refused an edit: each kind must be exercised. */
const tally = { edited: 0, refused: 0 };

function checkRoundTrip(file: Generated, blockPick: number, changes: PartialServingSettings): void {
  const report = readConfig(file.name, file.text);
  assert.equal(
    report.problems.filter((p) => p.severity === 'error').length,
    0,
    JSON.stringify(report.problems),
  );
  fc.pre(report.blocks.length > 0);
  const index = blockPick % report.blocks.length;
  const planned = planEdits(report.blocks[index], changes);
  const after = applyEdits(file.text, planned.edits, file.name);
  if (planned.edits.length > 0) tally.edited++;
  if (planned.problems.some((p) => p.includes('several places use'))) tally.refused++;

  // Every byte outside the edits is the file's own, in order.
  let rest = after;
  for (const part of untouched(file.text, planned.edits)) {
    const found = rest.indexOf(part);
    assert.ok(found >= 0, `text outside the edits kept: ${JSON.stringify(part)}`);
    rest = rest.slice(found + part.length);
  }
  // New lines end as the file's do.
  if (file.text.includes('\r\n'))
    assert.doesNotMatch(after.replace(/\r\n/g, ''), /\n/, 'no lone LF in a CRLF file');

  const again = readConfig(file.name, after);
  assert.equal(again.blocks.length, report.blocks.length);
  const before = settingsOf(report);
  const now = settingsOf(again);
  const refused = refusedKeys(planned.problems);
  for (let b = 0; b < report.blocks.length; b++) {
    for (const key of new Set([...Object.keys(before[b]), ...Object.keys(now[b])]) as Set<SettingKey>) {
      const wanted = b === index && key in changes && !refused.has(key);
      const expected = wanted ? changes[key] : before[b][key];
      assert.deepEqual(now[b][key], expected, `block ${b} ${key} (changes ${JSON.stringify(changes)})`);
    }
    if (b === index) {
      for (const key of Object.keys(changes) as SettingKey[]) {
        if (!refused.has(key)) assert.deepEqual(now[b][key], changes[key], `${key} changed`);
      }
    }
  }
}

describe('planned edits, applied and read again (property)', () => {
  for (const [name, arbitrary] of [
    ['shell scripts', shellArb],
    ['engine YAML with anchors, aliases and merge keys', engineYamlArb],
    ['compose files sharing an anchor', composeArb],
  ] as const) {
    test(`${name}: the intended settings change, nothing else does`, () => {
      fc.assert(
        fc.property(arbitrary, fc.nat(3), settingsArb, (file, block, changes) =>
          checkRoundTrip(file, block, changes),
        ),
        { numRuns: 150, seed: 7 },
      );
    });
  }

  test('the runs above both edited and refused shared text', () => {
    assert.ok(tally.edited > 200, `edited in ${tally.edited} runs`);
    assert.ok(tally.refused > 20, `refused shared text in ${tally.refused} runs`);
  });

  test('an anchor shared by blocks is refused for each of them, naming where it is used', () => {
    const [{ text }] = fc.sample(composeArb, { numRuns: 1, seed: 3 });
    const report = readConfig('docker-compose.yaml', text);
    const planned = planEdits(report.blocks[0], { maxNumSeqs: 77 });
    assert.equal(planned.edits.length, 0);
    assert.match(
      planned.problems.join('\n'),
      /in the YAML anchor &vllm .*also used at docker-compose\.yaml:6:\d+, docker-compose\.yaml:9:\d+/,
    );
  });
});
