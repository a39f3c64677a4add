import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { terminalSafe } from '../../../src/cli/format.js';

const cli = 'dist/cli.mjs';
const ESC = '\u001b';

describe('error messages on a terminal', () => {
  it('writes control characters as \\xNN and keeps tabs, newlines and other text', () => {
    assert.equal(terminalSafe(`a${ESC}[31mred\rb\u009bc`), 'a\\x1b[31mred\\x0db\\x9bc');
    assert.equal(terminalSafe('line 1\n\tline 2 — ünïcode'), 'line 1\n\tline 2 — ünïcode');
  });

  it('quotes what a hostile file or argument held without sending its escape sequences', {
    skip: !existsSync(cli) && 'dist/cli.mjs not built',
  }, () => {
    // A trace field holding ESC ]0;…BEL would retitle the terminal; ESC [2J would clear it.
    const dir = mkdtempSync(join(tmpdir(), 'servetune-terminal-'));
    const trace = join(dir, 'azure.csv');
    writeFileSync(
      trace,
      `TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,${ESC}]0;pwned\u0007${ESC}[2J,20\n`,
    );
    const model = ['--model', 'llama-3.1-8b', '--hardware', 'h100-sxm'];
    const fromFile = spawnSync(process.execPath, [cli, 'simulate', ...model, '--workload', trace], {
      encoding: 'utf8',
    });
    assert.equal(fromFile.status, 1);
    assert.match(fromFile.stderr, /field 'ContextTokens' .*got '\\x1b\]0;pwned\\x07\\x1b\[2J'/);
    assert.ok(!fromFile.stderr.includes(ESC), fromFile.stderr);
    const fromFlag = spawnSync(process.execPath, [cli, 'simulate', ...model, '--rate', `${ESC}[2J`], {
      encoding: 'utf8',
    });
    assert.equal(fromFlag.status, 2);
    assert.match(fromFlag.stderr, /--rate <r>' argument '\\x1b\[2J' is invalid/);
    assert.ok(!fromFlag.stderr.includes(ESC), fromFlag.stderr);
  });
});
