import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBenchProcess } from '../../src/engine/validate/bench-process.js';

const run = {
  url: 'http://127.0.0.1:9',
  servedModel: 'm',
  workload: 'poisson:rate=1',
  seed: 0,
  count: 1,
  rate: null,
};

/** A valid RunSummary: `requests` short requests simulated on one H100. */
async function simulatedSummary(requests: number) {
  const { simulate } = await import('../../src/engine/sim/simulate.js');
  const { loadWorkload } = await import('../../src/engine/workload/load.js');
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
    runBenchProcess(
      { command: process.execPath, args: ['-e', 'console.error("no route to host"); process.exit(3)', '--'] },
      run,
    ),
    /exited with code 3 without a summary: no route to host/,
  );
});

test("a load generator's summary is validated", async () => {
  await assert.rejects(
    runBenchProcess(
      { command: process.execPath, args: ['-e', 'console.log(JSON.stringify({ kind: "measured" }))', '--'] },
      run,
    ),
    /summary does not validate/,
  );
});

test('the load generator is asked for exactly the workload, seed, skip, count and rate, and for its requests', async () => {
  // Echo the arguments back as the error text, to see what `servetune bench` would be given.
  const echo = 'console.error(process.argv.slice(1).join(" ")); process.exit(1)';
  await assert.rejects(
    runBenchProcess(
      { command: process.execPath, args: ['-e', echo, '--'] },
      { ...run, seed: 4, skip: 10, count: 7, rate: 2.5 },
    ),
    (error: Error) => {
      assert.match(
        error.message,
        /bench --url http:\/\/127\.0\.0\.1:9 --model m --workload poisson:rate=1 --seed 4 --skip 10 --max-requests 7 --max-seconds 3600 --timeout 1800 --rate 2\.5 --requests-out \S+requests\.json --json/,
      );
      return true;
    },
  );
});

test('the front end delays the predicted first and last tokens alike, not the gaps between tokens', async () => {
  const { withFrontEnd } = await import('../../src/engine/validate/validate.js');
  const summary = await simulatedSummary(20);
  const shifted = withFrontEnd(summary, 0.005);
  for (const key of ['mean', 'p50', 'p90', 'p99', 'min', 'max'] as const) {
    assert.ok(Math.abs(shifted.ttft![key] - summary.ttft![key] - 0.005) < 1e-12, `ttft ${key}`);
    assert.ok(Math.abs(shifted.e2e![key] - summary.e2e![key] - 0.005) < 1e-12, `e2e ${key}`);
  }
  assert.deepEqual(shifted.tpot, summary.tpot);
  assert.deepEqual(shifted.itl, summary.itl);
  assert.equal(withFrontEnd(summary, 0), summary);
});

test('a load generator that leaves no readable requests file is an error that names the file', async () => {
  const summary = await simulatedSummary(4);
  // A valid summary on stdout, and a requests file that is not one.
  const script = `const fs = require('node:fs'); const a = process.argv; fs.writeFileSync(a[a.indexOf('--requests-out') + 1], '{"kind":"measured-requests"}'); console.log(${JSON.stringify(JSON.stringify(summary))})`;
  await assert.rejects(
    runBenchProcess({ command: process.execPath, args: ['-e', script, '--'] }, run),
    /requests file does not validate: schemaVersion/,
  );
  const silent = `console.log(${JSON.stringify(JSON.stringify(summary))})`;
  await assert.rejects(
    runBenchProcess({ command: process.execPath, args: ['-e', silent, '--'] }, run),
    /requests file cannot be read: .*requests\.json/,
  );
});
