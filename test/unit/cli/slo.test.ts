import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { Command, type Option } from 'commander';
import { registerBenchCommands } from '../../../src/cli/commands/bench.js';
import { registerSearchCommands } from '../../../src/cli/commands/search.js';
import { registerSimulateCommands } from '../../../src/cli/commands/simulate.js';
import { registerTuneCommands } from '../../../src/cli/commands/tune.js';
import { SloDefinition } from '../../../src/engine/workload/slo-verdict.js';

/** The --slo option of each command that has one, as the CLI registers it. */
function sloOptions(): Map<string, Option> {
  const program = new Command();
  for (const register of [
    registerSearchCommands,
    registerTuneCommands,
    registerSimulateCommands,
    registerBenchCommands,
  ]) {
    register(program);
  }
  const options = new Map<string, Option>();
  for (const command of program.commands) {
    const slo = command.options.find((o) => o.long === '--slo');
    if (slo) options.set(command.name(), slo);
  }
  return options;
}

function parse(option: Option, text: string): unknown {
  assert.ok(option.parseArg, `${option.flags} has a parser`);
  return option.parseArg(text, undefined);
}

describe('--slo across commands', () => {
  const options = sloOptions();

  it('search, tune, simulate and bench all take --slo', () => {
    assert.deepEqual([...options.keys()].sort(), ['bench', 'search', 'simulate', 'tune']);
    assert.equal(options.get('search')?.mandatory, true);
    assert.equal(options.get('tune')?.mandatory, false);
  });

  it('every command reads the same grammar to the same targets', () => {
    for (const [name, option] of options) {
      const slo = (targets: object) => SloDefinition.parse(targets);
      assert.deepEqual(parse(option, ' ttft = 2s , tbt=100ms '), slo({ ttft: 2, tbt: 0.1 }), name);
      assert.deepEqual(
        parse(option, 'ttft=2,itl=1e-1,tpot=.05'),
        slo({ ttft: 2, tpot: 0.05, tbt: 0.1 }),
        name,
      );
      assert.deepEqual(
        parse(option, 'ttft=2,tbt=0.1,attainment=99%,gap=max'),
        slo({ ttft: 2, tbt: 0.1, attainment: 0.99, gap: 'max' }),
        name,
      );
      assert.match(option.description, /default 90%/, name);
    }
  });

  it('every command refuses the same malformed forms, naming --slo', () => {
    for (const [name, option] of options) {
      for (const text of ['ttft=0', 'ttft=1.2.3', '.', 'ttft=1e999', 'ttfb=1', 'ttft=1,ttft=2', '']) {
        assert.throws(
          () => parse(option, text),
          (error: Error) => error.message.startsWith('--slo: '),
          `${name} --slo '${text}'`,
        );
      }
    }
  });

  it('each command states the targets it takes, any one of them alone', () => {
    for (const name of ['search', 'tune']) {
      const option = options.get(name)!;
      assert.deepEqual(parse(option, 'ttft=2'), SloDefinition.parse({ ttft: 2 }), name);
      assert.deepEqual(parse(option, 'tbt=50ms'), SloDefinition.parse({ tbt: 0.05 }), name);
      assert.deepEqual(parse(option, 'tpot=40ms'), SloDefinition.parse({ tpot: 0.04 }), name);
      assert.throws(() => parse(option, 'attainment=99%'), /no target \(give at least one of/, name);
      assert.throws(() => parse(option, 'ttft=2,tbt=0.1,e2e=9'), /'e2e' is not a target here/, name);
      assert.match(option.description, /one or more of ttft=<s>,tbt=<s>,tpot=<s>/, name);
    }
    for (const name of ['simulate', 'bench']) {
      const option = options.get(name)!;
      assert.deepEqual(
        parse(option, 'ttft=0.5,tpot=0.05'),
        SloDefinition.parse({ ttft: 0.5, tpot: 0.05 }),
        name,
      );
      assert.deepEqual(parse(option, 'e2e=9'), SloDefinition.parse({ e2e: 9 }), name);
    }
  });

  it('simulate refuses each malformed --slo form as a located usage error (exit 2, naming --slo)', () => {
    const simulate = [
      'simulate',
      '--model',
      'llama-3.1-8b',
      '--hardware',
      'h100-sxm',
      '--workload',
      'poisson:rate=1,n=5',
    ];
    for (const form of ['ttft=0', '1.2.3', '.', '1e999', 'ttft=1e999', 'ttft=.']) {
      const run = spawnSync(process.execPath, ['dist/cli.mjs', ...simulate, '--slo', form], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(run.status, 2, `--slo '${form}': ${run.stderr}`);
      assert.match(run.stderr, /option '--slo <targets>' argument '.*' is invalid/, form);
      assert.match(run.stderr, /--slo: /, form);
      assert.doesNotMatch(run.stderr, /\n\s+at |ZodError|internal error/, form);
    }
  });

  it('the CLI refuses a malformed --slo before any work, naming the flag and the form', () => {
    const commands = [
      ['search', '--model', 'llama-3.1-8b', '--hardware', 'h100-sxm', '--gpus', '1', '--workload', 'x'],
      ['tune', 'test/fixtures/configs/vllm/serve-llama-70b.sh'],
      ['simulate', '--model', 'llama-3.1-8b', '--hardware', 'h100-sxm', '--workload', 'x'],
      ['bench', '--url', 'http://127.0.0.1:9', '--model', 'm', '--workload', 'x'],
    ];
    for (const command of commands) {
      const run = spawnSync(process.execPath, ['dist/cli.mjs', ...command, '--slo', 'ttft=1.2.3'], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(run.status, 2, `${command[0]}: ${run.stderr}`);
      assert.match(run.stderr, /option '--slo <targets>' argument 'ttft=1\.2\.3' is invalid/, command[0]);
      assert.match(
        run.stderr,
        /--slo: '1\.2\.3' is not a number of seconds; expected .*, got 'ttft=1\.2\.3'/,
      );
    }
  });
});
