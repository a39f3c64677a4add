import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { parseArgs } from 'node:util';
import { benchUsage, refusal } from '../../../bench/args.js';

/** A bench entry point run as its npm script runs it (through tsx here, not bundled). */
function bench(file: string, ...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', file, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('bench entry points: --help and unknown options', () => {
  it('bench:accuracy --help lists every option it reads, and exits 0', () => {
    const result = bench('bench/accuracy.ts', '--help');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^Usage: npm run bench:accuracy -- \[options\]$/m);
    for (const option of [
      '--csv FILE',
      '--limit N',
      '--filter REGEX',
      '--out-dir DIR',
      '--waves N',
      '--rows-csv FILE',
    ])
      assert.match(result.stdout, new RegExp(`^  ${option} +\\S`, 'm'), option);
  });

  it('an unknown option is one line naming it, exit 2, no stack trace', () => {
    const result = bench('bench/accuracy.ts', '--bogus');
    assert.equal(result.status, 2);
    assert.equal(result.stderr, 'bench:accuracy: unknown option --bogus (--help lists the options)\n');
    assert.equal(result.stdout, '');
  });

  it('an option without its value, and a stray argument, the same way', () => {
    assert.equal(
      bench('bench/accuracy.ts', '--filter').stderr,
      'bench:accuracy: --filter needs a value (--help lists the options)\n',
    );
    assert.equal(
      bench('bench/accuracy.ts', '--filter', '-h100').stderr,
      'bench:accuracy: --filter needs a value (one starting with - is written --filter=-…) (--help lists the options)\n',
    );
    const stray = bench('bench/accuracy.ts', 'trtllm');
    assert.equal(stray.status, 2);
    assert.equal(stray.stderr, 'bench:accuracy: unexpected argument trtllm (--help lists the options)\n');
  });

  it('a switch given a value is told it takes none (bench:search --capacity=false)', () => {
    const options = { capacity: { type: 'boolean' as const } };
    assert.throws(
      () => parseArgs({ args: ['--capacity=false'], options, strict: true }),
      (error: Error) => refusal(error) === '--capacity takes no value',
    );
  });

  it('bench:sim takes no options: --help says so, anything else is refused', () => {
    assert.match(
      bench('bench/sim.ts', '--help').stdout,
      /Usage: npm run bench:sim -- \[options\]\n\n {2}--help/,
    );
    assert.equal(bench('bench/sim.ts', '--out', 'x').status, 2);
  });

  it('options the bench passes between its own processes are not listed', () => {
    const usage = benchUsage('bench:search', 'Search speed.', {
      capacity: { type: 'boolean', help: 'capacity planning too' },
      case: { type: 'string', help: 'one case', internal: true },
    });
    assert.match(usage, /--capacity {2}capacity planning too/);
    assert.doesNotMatch(usage, /--case/);
  });
});
