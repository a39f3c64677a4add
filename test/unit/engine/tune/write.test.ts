import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { blockSettings, planEdits, readConfig } from '../../../../src/engine/config/index.js';
import { planWrite, readEditableText } from '../../../../src/engine/tune/write.js';
import { writeFilesAtomically } from '../../../../src/engine/util/files.js';

const SCRIPT = '#!/bin/sh\nvllm serve m/n --tensor-parallel-size 2 --max-num-seqs 64\n';
const CHANGES = { maxNumSeqs: 128, maxNumBatchedTokens: 4096 };

/** A script in a fresh folder, with the edits planned on it as `tune` plans them. */
function planned(text = SCRIPT) {
  const dir = mkdtempSync(join(tmpdir(), 'servetune-write-'));
  const path = join(dir, 'serve.sh');
  writeFileSync(path, text);
  const [block] = readConfig(path, text).blocks;
  const { edits } = planEdits(block, CHANGES);
  return { dir, path, edits, change: { path, block: 0, changes: CHANGES, edits, plannedOn: () => text } };
}

describe('tune --write: over what the file holds when it is written', () => {
  it('an unchanged file gets the planned edits', () => {
    const { path, change } = planned();
    const [write] = planWrite(change);
    assert.equal(
      write.after,
      '#!/bin/sh\nvllm serve m/n --tensor-parallel-size 2 --max-num-seqs 128 --max-num-batched-tokens 4096\n',
    );
    assert.equal(write.path, path);
  });

  it('a file edited elsewhere meanwhile gets the edits planned again on its new text', () => {
    const { path, change } = planned();
    writeFileSync(path, SCRIPT.replace('#!/bin/sh\n', '#!/bin/sh\n# added while tune ran\nexport X=1\n'));
    const [write] = planWrite(change);
    assert.equal(
      write.after,
      '#!/bin/sh\n# added while tune ran\nexport X=1\nvllm serve m/n --tensor-parallel-size 2 --max-num-seqs 128 --max-num-batched-tokens 4096\n',
    );
    assert.equal(blockSettings(readConfig(path, write.after).blocks[0]).maxNumSeqs, 128);
  });

  it('a file whose block changed meanwhile is refused, and nothing is written', () => {
    const { path, change } = planned();
    const edited = SCRIPT.replace('--max-num-seqs 64', '--max-num-seqs 32');
    writeFileSync(path, edited);
    assert.throws(
      () => planWrite(change),
      /serve\.sh changed while tune ran, and command at line 2 is not written as it was: nothing written; run servetune tune again/,
    );
    assert.equal(readFileSync(path, 'utf8'), edited);
  });

  it('a file that is not UTF-8 is refused, naming the byte', () => {
    const { path, change } = planned();
    writeFileSync(
      path,
      Buffer.concat([
        Buffer.from('#!/bin/sh\n# caf'),
        Buffer.from([0xe9]),
        Buffer.from('\n'),
        Buffer.from(SCRIPT.slice(10)),
      ]),
    );
    assert.throws(
      () => planWrite(change),
      /serve\.sh: not valid UTF-8 at byte 15 \(0xe9\); ServeTune edits only UTF-8 text/,
    );
    assert.throws(() => readEditableText(path), /at byte 15/);
  });
});

describe('writing files all or nothing', () => {
  it('replaces each file through a renamed temporary file, keeping its permissions and links', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-write-'));
    const a = join(dir, 'a.sh');
    const real = join(dir, 'real.yaml');
    const link = join(dir, 'link.yaml');
    writeFileSync(a, 'old a');
    chmodSync(a, 0o750);
    writeFileSync(real, 'old real');
    symlinkSync(real, link);
    const inode = statSync(a).ino;
    writeFilesAtomically([
      { path: a, text: 'new a' },
      { path: link, text: 'new real' },
    ]);
    assert.equal(readFileSync(a, 'utf8'), 'new a');
    assert.notEqual(statSync(a).ino, inode, 'renamed over, not truncated in place');
    assert.equal(statSync(a).mode & 0o777, 0o750);
    assert.equal(readFileSync(real, 'utf8'), 'new real', 'the link still names the file, which changed');
    assert.ok(statSync(link).isFile());
    assert.deepEqual(readdirSync(dir).sort(), ['a.sh', 'link.yaml', 'real.yaml']);
  });

  it('a failure writing any file leaves every file as it was and no temporary file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-write-'));
    const a = join(dir, 'a.sh');
    writeFileSync(a, 'old a');
    assert.throws(
      () =>
        writeFilesAtomically([
          { path: a, text: 'new a' },
          { path: join(dir, 'gone', 'b.yaml'), text: 'new b' },
        ]),
      /Cannot write .*gone\/b\.yaml: .*; no file was changed/,
    );
    assert.equal(readFileSync(a, 'utf8'), 'old a');
    assert.deepEqual(readdirSync(dir), ['a.sh']);
  });
});
