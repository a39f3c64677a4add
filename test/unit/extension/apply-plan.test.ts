import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyEdits, blockSettings, planEdits, readConfig } from '../../../src/engine/config/index.js';
import { namedFileOnly, planApply } from '../../../src/extension/configs/apply-plan.js';

// The editor's Apply decides what to change with the rule of `tune --write`: tuned edits over unchanged
// text, planned again over changed text, refused over a changed block or a file that is not UTF-8.

const SCRIPT = '#!/bin/sh\nvllm serve m/n --tensor-parallel-size 2 --max-num-seqs 64\n';
const CHANGES = { maxNumSeqs: 128 };

function tuned(text = SCRIPT, changes: object = CHANGES) {
  const dir = mkdtempSync(join(tmpdir(), 'servetune-apply-'));
  const path = join(dir, 'serve.sh');
  writeFileSync(path, text);
  const read = (p: string) => readFileSync(p, 'utf8');
  const [block] = readConfig(path, text, { readFile: read }).blocks;
  const planned = planEdits(block, changes);
  const tuning = { changes, edits: planned.edits, editProblems: planned.problems };
  return { dir, path, tuning, plannedOn: new Map([[path, text]]) };
}

describe('Apply in the editor', () => {
  it('over an unchanged file: the edits as tuned', () => {
    const { path, tuning, plannedOn } = tuned();
    const plan = planApply({ path, block: 0, tuning, plannedOn, buffers: new Map() });
    assert.deepEqual(plan.edits, tuning.edits);
    assert.deepEqual(plan.referenced, []);
    assert.equal(applyEdits(SCRIPT, plan.edits, path), SCRIPT.replace('64', '128'));
  });

  it('over an unsaved buffer edited above the block: the edits planned again on the buffer', () => {
    const { path, tuning, plannedOn } = tuned();
    const buffer = SCRIPT.replace('#!/bin/sh\n', '#!/bin/sh\nexport A=1\n');
    const plan = planApply({ path, block: 0, tuning, plannedOn, buffers: new Map([[path, buffer]]) });
    const after = applyEdits(buffer, plan.edits, path);
    assert.equal(after, buffer.replace('--max-num-seqs 64', '--max-num-seqs 128'));
  });

  it('over a block changed since (on disk or in the buffer): refused, nothing to apply', () => {
    const { path, tuning, plannedOn } = tuned();
    const changed = SCRIPT.replace('--tensor-parallel-size 2', '--tensor-parallel-size 4');
    assert.throws(
      () => planApply({ path, block: 0, tuning, plannedOn, buffers: new Map([[path, changed]]) }),
      /serve\.sh changed since it was tuned, and command at line 2 is not written as it was: nothing written; tune it again/,
    );
    writeFileSync(path, changed);
    assert.throws(
      () => planApply({ path, block: 0, tuning, plannedOn, buffers: new Map() }),
      /changed since it was tuned/,
    );
  });

  it('a file that is not valid UTF-8 on disk is refused, though its buffer reads fine', () => {
    const { path, tuning, plannedOn } = tuned();
    writeFileSync(
      path,
      Buffer.concat([Buffer.from('#!/bin/sh\n# caf\xe9\n', 'latin1'), Buffer.from(SCRIPT)]),
    );
    assert.throws(
      () => planApply({ path, block: 0, tuning, plannedOn, buffers: new Map([[path, SCRIPT]]) }),
      /not valid UTF-8 at byte 15 \(0xe9\)/,
    );
  });

  it('edits in a file the config refers to are listed apart, and can be left out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-apply-'));
    const path = join(dir, 'serve.sh');
    const yaml = join(dir, 'config.yaml');
    copyFileSync('test/fixtures/configs/vllm/serve-with-config.sh', path);
    copyFileSync('test/fixtures/configs/vllm/config.yaml', yaml);
    const text = readFileSync(path, 'utf8');
    const read = (p: string) => readFileSync(p, 'utf8');
    const [block] = readConfig(path, text, { readFile: read }).blocks;
    const changes = { maxNumSeqs: 64, maxNumBatchedTokens: 4096 };
    const planned = planEdits(block, changes);
    const tuning = { changes, edits: planned.edits, editProblems: planned.problems };
    const plannedOn = new Map([
      [path, text],
      [yaml, read(yaml)],
    ]);
    const plan = planApply({ path, block: 0, tuning, plannedOn, buffers: new Map() });
    assert.deepEqual(plan.referenced, [yaml]);
    const mine = namedFileOnly(plan, path);
    assert.ok(mine.length > 0 && mine.length < plan.edits.length);
    assert.ok(mine.every((e) => e.range.file === path));
    const after = applyEdits(text, mine, path);
    const [again] = readConfig(path, after, { readFile: read }).blocks;
    assert.equal(blockSettings(again).maxNumSeqs, 64);
  });

  it('changes that cannot be made (an anchor two services share) are passed on to ask about', () => {
    const compose = `x-vllm: &vllm
  image: vllm/vllm-openai:v0.10.1
  command: ["--model", "m/n", "--max-num-seqs", "64"]
services:
  a:
    <<: *vllm
  b:
    <<: *vllm
`;
    const dir = mkdtempSync(join(tmpdir(), 'servetune-apply-'));
    const path = join(dir, 'docker-compose.yaml');
    writeFileSync(path, compose);
    const [block] = readConfig(path, compose).blocks;
    const planned = planEdits(block, CHANGES);
    const tuning = { changes: CHANGES, edits: planned.edits, editProblems: planned.problems };
    const plan = planApply({
      path,
      block: 0,
      tuning,
      plannedOn: new Map([[path, compose]]),
      buffers: new Map(),
    });
    assert.deepEqual(plan.edits, []);
    assert.match(plan.problems[0], /is in the YAML anchor &vllm .* also used at/);
  });
});

describe("Apply of one side's tuning (Tune this side)", () => {
  // The decode side of the editor fixture's prefill + decode pair, tuned: Apply edits that block only,
  // through the same YAML CST edit path as a whole server, comments and layout kept.
  function tunedDecodeSide() {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-apply-side-'));
    const path = join(dir, 'disagg-sglang.yaml');
    copyFileSync('test/fixtures/e2e-workspace/configs/disagg-sglang.yaml', path);
    const text = readFileSync(path, 'utf8');
    const blocks = readConfig(path, text).blocks;
    const changes = { maxNumSeqs: 256, blockSize: 16 };
    const planned = planEdits(blocks[1], changes);
    const tuning = { changes, edits: planned.edits, editProblems: planned.problems };
    return { path, text, blocks, changes, tuning, plannedOn: new Map([[path, text]]) };
  }

  it("changes the decode block's settings and leaves the prefill block and the comments as written", () => {
    const { path, text, blocks, changes, tuning, plannedOn } = tunedDecodeSide();
    const plan = planApply({ path, block: 1, tuning, plannedOn, buffers: new Map() });
    const after = applyEdits(text, plan.edits, path);
    const decodeStart = blocks[1].range.start.offset;
    assert.ok(plan.edits.every((e) => e.range.start.offset >= decodeStart));
    assert.equal(after.slice(0, decodeStart), text.slice(0, decodeStart), 'the prefill block is untouched');
    assert.match(after, /^# Disaggregated serving: prefill and decode pools/);
    const [prefill, decode] = readConfig(path, after).blocks;
    assert.equal(blockSettings(decode).maxNumSeqs, changes.maxNumSeqs);
    assert.equal(blockSettings(decode).blockSize, changes.blockSize);
    assert.deepEqual(blockSettings(prefill), blockSettings(blocks[0]));
  });

  it('is refused where the decode block changed since it was tuned', () => {
    const { path, text, tuning, plannedOn } = tunedDecodeSide();
    const changed = text.replace('"512"', '"128"');
    assert.throws(
      () => planApply({ path, block: 1, tuning, plannedOn, buffers: new Map([[path, changed]]) }),
      /disagg-sglang\.yaml changed since it was tuned, and .* is not written as it was/,
    );
  });

  it('is refused where the prefill side changed since: the decode side was tuned against it', () => {
    const { path, text, tuning, plannedOn } = tunedDecodeSide();
    const changed = text.replace('- "8192"', '- "4096"');
    assert.notEqual(changed, text);
    assert.throws(
      () => planApply({ path, block: 1, tuning, plannedOn, buffers: new Map([[path, changed]]) }),
      /changed since it was tuned, and .*, the other side of its pair, is not written as it was/,
    );
  });

  it('is planned again where only text outside both sides changed', () => {
    const { path, text, tuning, plannedOn } = tunedDecodeSide();
    const changed = text.replace('# Disaggregated serving', '# Disaggregated serving (edited)');
    const plan = planApply({ path, block: 1, tuning, plannedOn, buffers: new Map([[path, changed]]) });
    assert.equal(plan.edits.length, tuning.edits.length);
  });
});
