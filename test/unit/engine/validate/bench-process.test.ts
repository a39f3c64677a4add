import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BenchCommand, startBenchSession } from '../../../../src/engine/validate/bench-process.js';

const target = { url: 'http://127.0.0.1:9', servedModel: 'm', workload: 'poisson:rate=1' };
const run = { seed: 0, count: 1, rate: null };

/** A stand-in for `servetune bench --session`: node running `script`. */
function fake(script: string): BenchCommand {
  return { command: process.execPath, args: ['-e', script, '--'] };
}

/** Runs one run in a session of `bench` and closes it, whatever the run's outcome. */
async function oneRun(
  bench: BenchCommand,
  asked: Parameters<ReturnType<typeof startBenchSession>['run']>[0] = run,
) {
  const session = startBenchSession(bench, target);
  try {
    return await session.run(asked);
  } finally {
    await session.close();
  }
}

/** A valid RunSummary: `requests` short requests simulated on one H100. */
async function simulatedSummary(requests: number) {
  const { simulate } = await import('../../../../src/engine/sim/simulate.js');
  const { loadWorkload } = await import('../../../../src/engine/workload/load.js');
  return simulate(
    {
      model: 'llama-3.1-8b',
      hardware: 'h100-sxm',
      deployment: {
        kind: 'colocated',
        pool: {
          plan: { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' },
          scheduler: { policy: 'vllm-v1', maxModelLen: 8192 },
        },
      },
    },
    loadWorkload(`poisson:rate=2,n=${requests},prompt=fixed(128),output=fixed(16)`, { seed: 1 }),
  );
}

test('a load generator that exits without a summary is an error that says why', async () => {
  await assert.rejects(
    oneRun(fake('console.error("no route to host"); process.exit(3)')),
    /exited with code 3 without a summary: no route to host/,
  );
});

test("a load generator's result is validated, and a line that is not JSON is an error", async () => {
  const answer = (line: string) =>
    fake(
      `require('node:readline').createInterface({ input: process.stdin }).on('line', () => console.log(${JSON.stringify(line)}))`,
    );
  await assert.rejects(
    oneRun(answer(JSON.stringify({ summary: { kind: 'measured' }, requests: [] }))),
    /result does not validate/,
  );
  await assert.rejects(oneRun(answer('Listening…')), /printed a line that is not JSON: Listening…/);
  await assert.rejects(
    oneRun(answer(JSON.stringify({ error: '--workload w: no requests to send after skipping 10' }))),
    /run failed: --workload w: no requests to send after skipping 10/,
  );
});

test('the load generator is started for the endpoint and workload, and asked for exactly the seed, skip, count and rate', async () => {
  // Echo the arguments and the first line asked back as the error text.
  const echo =
    "const a = process.argv.slice(1).join(' '); require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => { console.error(a); console.error(l); process.exit(1); })";
  await assert.rejects(oneRun(fake(echo), { seed: 4, skip: 10, count: 7, rate: 2.5 }), (error: Error) => {
    assert.match(
      error.message,
      /bench --session --url http:\/\/127\.0\.0\.1:9 --model m --workload poisson:rate=1 --max-seconds 3600 --timeout 1800 \| \{"seed":4,"skip":10,"maxRequests":7,"rate":2\.5\}/,
    );
    return true;
  });
});

test('one load generator process serves every run, one after another', async () => {
  const summary = await simulatedSummary(4);
  // Answers each line with the summary, labelled with its process and the run's seed.
  const script = `const s = ${JSON.stringify(JSON.stringify(summary))}; require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => { const r = JSON.parse(s); r.label = process.pid + ' ' + JSON.parse(l).seed; setTimeout(() => console.log(JSON.stringify({ summary: r, requests: [] })), 20); })`;
  const session = startBenchSession(fake(script), target);
  try {
    const results = await Promise.all([1, 2, 3].map((seed) => session.run({ seed, count: 4, rate: null })));
    const labels = results.map((r) => r.summary.label.split(' '));
    assert.deepEqual(
      labels.map((l) => l[1]),
      ['1', '2', '3'],
      'each run answered by its own line, in order',
    );
    assert.equal(new Set(labels.map((l) => l[0])).size, 1, 'all by one process');
  } finally {
    await session.close();
  }
});
