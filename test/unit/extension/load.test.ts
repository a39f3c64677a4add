import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulate } from '../../../src/engine/sim/simulate.js';
import { loadWorkload } from '../../../src/engine/workload/load.js';
import {
  concurrencyProblem,
  LoadChoice,
  loadChoiceText,
  runLoadOfChoice,
  simulateLoadParams,
  workloadLine,
} from '../../../src/extension/load.js';
import { runMarkdown } from '../../../src/extension/reports.js';
import { simulationMarkdown } from '../../../src/extension/simulation-report.js';
import { Choices, StoredRun } from '../../../src/extension/state.js';

const plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const };
const config = {
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  deployment: { kind: 'colocated' as const, pool: { plan, scheduler: { policy: 'vllm-v1' as const } } },
};

describe('the load of an editor run', () => {
  it("takes the CLI's --concurrency values: positive whole numbers in digits", () => {
    for (const good of ['1', '8', ' 64 ', '+4', '1000000'])
      assert.equal(concurrencyProblem(good), undefined, good);
    for (const bad of ['0', '-1', '1.5', '1e3', '0x10', 'abc', '', '9007199254740993']) {
      assert.match(concurrencyProblem(bad) ?? '', /expected a positive integer/, `'${bad}' is refused`);
    }
  });

  it('is remembered with the other choices, and a stored value that no longer parses is dropped', () => {
    assert.deepEqual(Choices.parse({ load: { concurrency: 8, maxTokensOutput: true } }).load, {
      concurrency: 8,
      maxTokensOutput: true,
    });
    assert.equal(Choices.safeParse({ load: { concurrency: 0 } }).success, false);
    assert.equal(LoadChoice.safeParse({ concurrency: 2.5 }).success, false);
  });

  it('is said in words on the dashboard workload line', () => {
    assert.equal(loadChoiceText({ concurrency: 8 }), 'closed loop, 8 clients, no think time');
    assert.equal(loadChoiceText({ concurrency: 1 }), 'closed loop, 1 client, no think time');
    assert.equal(loadChoiceText(undefined), "open loop at the workload's arrival times");
    assert.equal(
      loadChoiceText({ concurrency: 4, maxTokensOutput: true }),
      "closed loop, 4 clients, no think time; max_tokens = each request's output",
    );
    assert.equal(
      workloadLine('Chat: poisson', { concurrency: 8 }),
      'Chat: poisson; closed loop, 8 clients, no think time',
    );
    assert.equal(workloadLine('Chat: poisson', undefined), 'Chat: poisson');
    assert.equal(workloadLine(null, { concurrency: 8 }), null);
  });

  it("is said in the words of the run's report: the choice and the run it becomes read the same", () => {
    const spec = 'poisson:rate=4,n=30';
    const choices: LoadChoice[] = [{}, { concurrency: 8 }, { concurrency: 1, maxTokensOutput: true }];
    for (const choice of choices) {
      const params = simulateLoadParams(choice);
      const run = simulate(config, loadWorkload(spec), {
        closedLoop: params.concurrency === undefined ? undefined : { concurrency: params.concurrency },
        maxTokens: params.maxTokens,
      });
      assert.deepEqual(run.load ?? { mode: 'open' }, runLoadOfChoice(choice), JSON.stringify(choice));
      assert.equal(
        simulationMarkdown(run, spec, params.maxTokens).match(/^- Load: (.*)$/m)?.[1],
        loadChoiceText(choice),
      );
    }
  });

  it('becomes the simulate method params: concurrency and max_tokens only where chosen', () => {
    assert.deepEqual(simulateLoadParams({}), {});
    assert.deepEqual(simulateLoadParams({ concurrency: 8, maxTokensOutput: false }), { concurrency: 8 });
    assert.deepEqual(simulateLoadParams({ maxTokensOutput: true }), { maxTokens: 'output' });
  });

  it('is said in the simulation report: the loop, its clients, and the max_tokens asked', () => {
    const spec = 'poisson:rate=4,n=30';
    const closed = simulate(config, loadWorkload(spec), {
      closedLoop: { concurrency: 8 },
      maxTokens: 'output',
    });
    const md = simulationMarkdown(closed, spec, 'output');
    assert.match(md, /^- Load: closed loop, 8 clients, no think time; max_tokens = each request's output$/m);
    const open = simulate(config, loadWorkload(spec));
    assert.match(simulationMarkdown(open, spec), /^- Load: open loop at the workload's arrival times$/m);
    // Show Last Report reopens the stored run with the max_tokens it asked.
    const stored = StoredRun.parse({
      summary: { id: 's', kind: 'simulate', title: 't', at: 'now', best: null, hasChart: false },
      report: { kind: 'simulate', summary: closed, workload: spec, maxTokens: 'output' },
      chart: null,
    });
    assert.equal(runMarkdown(stored), md);
    assert.equal(
      StoredRun.safeParse({ ...stored, report: { ...stored.report, maxTokens: 0 } }).success,
      false,
      'a stored max_tokens that no longer parses drops the run',
    );
  });
});
