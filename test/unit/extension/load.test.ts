import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimulateParams } from '../../../src/engine/protocol/methods.js';
import { simulate } from '../../../src/engine/sim/simulate.js';
import { loadWorkload } from '../../../src/engine/workload/load.js';
import {
  concurrencyProblem,
  configSimulationLoad,
  LoadChoice,
  loadChoiceText,
  pacingText,
  runLoadOfChoice,
  simulateLoadParams,
  thinkTimeProblem,
  warmUpProblem,
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
    const load = {
      concurrency: 8,
      maxTokensOutput: true,
      thinkSeconds: 0.5,
      warmUpRequests: 10,
      warmUpPhase: true,
    };
    assert.deepEqual(Choices.parse({ load }).load, load);
    assert.equal(Choices.safeParse({ load: { thinkSeconds: -1 } }).success, false);
    assert.equal(Choices.safeParse({ load: { warmUpRequests: 1.5 } }).success, false);
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
    const choices: LoadChoice[] = [
      {},
      { concurrency: 8 },
      { concurrency: 1, maxTokensOutput: true },
      { concurrency: 4, thinkSeconds: 0.5, warmUpRequests: 5 },
      { concurrency: 4, warmUpRequests: 1, warmUpPhase: true, maxTokensOutput: true },
      // A closed loop's pacing kept from an earlier choice does not apply to an open loop.
      { thinkSeconds: 2, warmUpRequests: 5, warmUpPhase: true },
    ];
    for (const choice of choices) {
      const p = simulateLoadParams(choice);
      // As the worker's simulate method passes its params on (src/worker/methods/simulate.ts).
      const run = simulate(config, loadWorkload(spec), {
        closedLoop:
          p.concurrency === undefined
            ? undefined
            : {
                concurrency: p.concurrency,
                thinkSeconds: p.thinkSeconds,
                ...(p.warmUpPhase ? { warmUpPhase: p.warmUpRequests } : {}),
              },
        warmUpRequests: p.warmUpRequests,
        maxTokens: p.maxTokens,
      });
      assert.deepEqual(run.load ?? { mode: 'open' }, runLoadOfChoice(choice), JSON.stringify(choice));
      assert.equal(
        simulationMarkdown(run, spec, p.maxTokens).match(/^- Load: (.*)$/m)?.[1],
        loadChoiceText(choice),
      );
    }
    assert.equal(
      loadChoiceText(choices[4]),
      "closed loop, 4 clients, no think time; a warm-up phase of 1 request left out; max_tokens = each request's output",
    );
    assert.equal(
      loadChoiceText(choices[3]),
      'closed loop, 4 clients, 0.5 s think time; the first 5 completions left out',
    );
  });

  it("takes the CLI's --think-time and --warm-up-requests values", () => {
    for (const good of ['0', '2', ' 0.5 ', '.5', '1e-1', '+3'])
      assert.equal(thinkTimeProblem(good), undefined, good);
    for (const bad of ['-1', 'abc', '', '0x10', 'Infinity', '1e400'])
      assert.match(thinkTimeProblem(bad) ?? '', /expected a number of seconds \(0 or more\)/, `'${bad}'`);
    for (const tooLong of ['86401', '1e300'])
      assert.match(thinkTimeProblem(tooLong) ?? '', /expected at most 86400 seconds \(a day\)/, tooLong);
    assert.equal(thinkTimeProblem('86400'), undefined);
    for (const good of ['0', '10', ' 3 ']) assert.equal(warmUpProblem(good), undefined, good);
    for (const bad of ['-1', '1.5', '1e3', 'ten', ''])
      assert.match(warmUpProblem(bad) ?? '', /expected a whole number of completions/, `'${bad}'`);
  });

  it('offers the pacing in the words of the report', () => {
    assert.equal(pacingText({ thinkSeconds: 0, warmUpRequests: 0, warmUpPhase: false }), 'no think time');
    assert.equal(
      pacingText({ thinkSeconds: 2, warmUpRequests: 10, warmUpPhase: true }),
      '2 s think time; a warm-up phase of 10 requests left out',
    );
    // A phase with no warm-up to run is not one.
    assert.equal(pacingText({ thinkSeconds: 1, warmUpPhase: true }), '1 s think time');
  });

  it('becomes the simulate method params: the loop, its pacing and max_tokens only where chosen', () => {
    assert.deepEqual(simulateLoadParams({}), {});
    assert.deepEqual(simulateLoadParams({ concurrency: 8, maxTokensOutput: false }), { concurrency: 8 });
    assert.deepEqual(simulateLoadParams({ maxTokensOutput: true }), { maxTokens: 'output' });
    assert.deepEqual(
      simulateLoadParams({ concurrency: 8, thinkSeconds: 1.5, warmUpRequests: 20, warmUpPhase: true }),
      { concurrency: 8, thinkSeconds: 1.5, warmUpRequests: 20, warmUpPhase: true },
    );
    // The CLI's defaults are not sent; a phase needs a warm-up; pacing is a closed loop's.
    assert.deepEqual(
      simulateLoadParams({ concurrency: 8, thinkSeconds: 0, warmUpRequests: 0, warmUpPhase: true }),
      { concurrency: 8 },
    );
    assert.deepEqual(simulateLoadParams({ thinkSeconds: 2, warmUpRequests: 5 }), {});
    // What is sent is what the worker accepts.
    for (const load of [{ concurrency: 8, thinkSeconds: 1, warmUpRequests: 2, warmUpPhase: true }, {}]) {
      const params = { config, workload: 'poisson:rate=4,n=30', ...simulateLoadParams(load) };
      assert.equal(SimulateParams.safeParse(params).success, true);
    }
  });

  it("is what a config file's lens simulates with: the remembered choice, else open loop at the file's rate", () => {
    const none = configSimulationLoad(undefined, 2);
    assert.deepEqual(none, {
      params: { rate: 2 },
      text: "open loop at the workload's arrival times",
      chosen: false,
    });
    assert.deepEqual(configSimulationLoad(undefined, undefined).params, {});
    const closed = configSimulationLoad(
      { concurrency: 4, thinkSeconds: 1, warmUpRequests: 8, maxTokensOutput: true },
      2,
    );
    // A closed loop ignores arrival times: the workspace's rate is not sent with it (the worker refuses both).
    assert.deepEqual(closed.params, {
      concurrency: 4,
      thinkSeconds: 1,
      warmUpRequests: 8,
      maxTokens: 'output',
    });
    assert.equal(
      closed.text,
      "closed loop, 4 clients, 1 s think time; the first 8 completions left out; max_tokens = each request's output",
    );
    assert.equal(closed.chosen, true);
    // An open loop chosen is a choice made: the rate still scales it.
    assert.deepEqual(configSimulationLoad({ thinkSeconds: 3 }, 2), {
      params: { rate: 2 },
      text: "open loop at the workload's arrival times",
      chosen: true,
    });
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
