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

test('the load generator is asked for exactly the workload, seed, count and rate', async () => {
  // Echo the arguments back as the error text, to see what `servetune bench` would be given.
  const echo = 'console.error(process.argv.slice(1).join(" ")); process.exit(1)';
  await assert.rejects(
    runBenchProcess(
      { command: process.execPath, args: ['-e', echo, '--'] },
      { ...run, seed: 4, count: 7, rate: 2.5 },
    ),
    (error: Error) => {
      assert.match(
        error.message,
        /bench --url http:\/\/127\.0\.0\.1:9 --model m --workload poisson:rate=1 --seed 4 --max-requests 7 --max-seconds 3600 --timeout 1800 --rate 2\.5 --json/,
      );
      return true;
    },
  );
});
