import { createInterface } from 'node:readline';
import { type Command, Option } from 'commander';
import { checkHeaderValue, parseEndpointUrl } from '../../engine/bench/endpoint.js';
import type { MeasuredRequestsFile } from '../../engine/bench/requests-file.js';
import { runBench } from '../../engine/bench/run.js';
import { type BenchSessionResult, BenchSessionRun } from '../../engine/bench/session.js';
import type { RunSummary } from '../../engine/sim/summary.js';
import { ServeTuneError } from '../../engine/util/errors.js';
import { loadNonEmptyWorkload } from '../../engine/workload/load.js';
import { GOODPUT_SLO_RULES } from '../../engine/workload/slo.js';
import { NO_SLO, type SloDefinition } from '../../engine/workload/slo-verdict.js';
import { refuseWarmUpOfAll } from '../../engine/workload/warm-up.js';
import { outputOption } from '../file-options.js';
import { printJson, writeJsonFile } from '../format.js';
import {
  checkThinkTime,
  concurrencyOption,
  integer,
  nonNegativeInt,
  positiveInt,
  positiveNumber,
  sloOption,
  thinkTimeOption,
  warmUpOption,
} from '../options.js';
import { printSummary } from './simulate-summary.js';

interface BenchFlags {
  url: string;
  model: string;
  endpoint: 'completions' | 'chat';
  apiKey?: string;
  workload: string;
  rate?: number;
  concurrency?: number;
  thinkTime?: number;
  warmUpRequests?: number;
  skip?: number;
  maxRequests?: number;
  maxSeconds: number;
  timeout: number;
  seed: number;
  slo?: SloDefinition;
  out?: string;
  requestsOut?: string;
  json?: boolean;
  probe: boolean;
  fitContext: boolean;
  session?: boolean;
}

export function registerBenchCommands(program: Command): void {
  program
    .command('bench')
    .description(
      'replay a workload against an OpenAI-compatible endpoint and measure TTFT, TPOT, ITL, E2E, throughput and goodput',
    )
    .requiredOption(
      '--url <base>',
      'the endpoint, e.g. http://127.0.0.1:8000; a path prefix is kept (http://host/proxy/v1 → /proxy/v1/completions)',
    )
    .requiredOption('--model <name>', 'the served model name (as /v1/models lists it)')
    .addOption(
      new Option('--endpoint <api>', 'completions (token-id prompts) or chat (text prompts)')
        .choices(['completions', 'chat'])
        .default('completions'),
    )
    .option('--api-key <key>', 'sent as a bearer token')
    .requiredOption('--workload <spec|file>', 'a workload spec or a trace file (as `simulate` takes)')
    .addOption(
      new Option('--rate <r>', 'open loop: scale arrivals to this mean rate (requests/s)').argParser(
        positiveNumber,
      ),
    )
    .addOption(concurrencyOption(['rate'], { predicted: false }))
    .addOption(thinkTimeOption())
    .addOption(warmUpOption())
    .addOption(
      new Option(
        '--skip <n>',
        "leave out the workload's first n requests; the rest keep their spacing, the first sent at once",
      ).argParser(nonNegativeInt),
    )
    .addOption(new Option('--max-requests <n>', 'send at most this many requests').argParser(positiveInt))
    .addOption(
      new Option('--max-seconds <s>', 'stop the run after this long').argParser(positiveNumber).default(600),
    )
    .addOption(
      new Option('--timeout <s>', 'a request unanswered after this long fails')
        .argParser(positiveNumber)
        .default(300),
    )
    .addOption(new Option('--seed <n>', 'seed of the workload and prompts').argParser(integer).default(0))
    .addOption(sloOption(GOODPUT_SLO_RULES, 'latency targets for goodput'))
    .option('--no-probe', 'start the run without first sending one 1-token test request')
    .option(
      '--no-fit-context',
      "send requests longer than the server's max_model_len (as its /v1/models reports it) as they are, to be refused, instead of scaling them down to fit",
    )
    .addOption(outputOption('--out <file>', 'write the summary JSON (RunSummary) to this file'))
    .addOption(
      outputOption(
        '--requests-out <file>',
        'write every request’s own times to this file (JSON: send time, each token’s time, status)',
      ),
    )
    .option('--json', 'print JSON (schema: RunSummary)')
    .option(
      '--session',
      'serve runs one after another, as asked on stdin (one JSON line each: {"seed", "maxRequests", "skip", "rate"}; ' +
        '--skip and --rate give the last two where a line leaves them out), ' +
        'printing each run\'s summary and requests as one JSON line ({"summary", "requests"}) until stdin closes: ' +
        'one warm load generator for many runs (what `servetune validate` uses)',
    )
    .action(async (flags: BenchFlags) => {
      checkThinkTime(flags);
      // Checked before anything is read or sent: a bad URL or key fails here, named.
      parseEndpointUrl(flags.url, '--url');
      if (flags.apiKey !== undefined) checkHeaderValue(flags.apiKey, '--api-key', '--api-key');
      if (flags.session) {
        if (flags.out || flags.requestsOut || flags.json) {
          throw new ServeTuneError(
            '--session prints every run on stdout; --out, --requests-out and --json do not apply',
            'invalid-argument',
            '--session',
          );
        }
        await benchSession(flags);
        return;
      }
      const { summary, requests, source } = await benchRun(
        flags,
        { seed: flags.seed, skip: flags.skip, maxRequests: flags.maxRequests, rate: flags.rate },
        flags.probe,
      );
      const save = (file: string, value: unknown, what: string) => {
        writeJsonFile(file, value);
        process.stderr.write(`servetune bench: ${what} written to ${file}\n`);
      };
      if (flags.out) save(flags.out, summary, 'summary');
      if (flags.requestsOut && requests) save(flags.requestsOut, requests, 'requests');
      if (flags.json) printJson(summary);
      else printSummary(summary, source);
      if (summary.requests.completed === 0) {
        const why = summary.problems.length > 0 ? summary.problems.join('; ') : 'no request was answered';
        process.stderr.write(
          `servetune bench: error: all ${summary.requests.total} requests failed: ${why}\n`,
        );
        process.exitCode = 1;
      }
    });
}

/** Which of the workload's requests a run sends, and at what rate. */
interface RunSelection {
  seed: number;
  skip?: number;
  maxRequests?: number;
  rate?: number;
}

/** One run of the load generator against the flags' endpoint and workload. */
async function benchRun(
  flags: BenchFlags,
  selection: RunSelection,
  probe: boolean,
): Promise<{ summary: RunSummary; requests: MeasuredRequestsFile | undefined; source: string }> {
  const options = {
    rate: selection.rate,
    seed: selection.seed,
    skip: selection.skip,
    count: selection.maxRequests,
  };
  const workload = loadNonEmptyWorkload(flags.workload, options, () => ({
    message: `--workload ${flags.workload}: no requests to send${selection.skip ? ` after skipping ${selection.skip}` : ''}`,
    flag: selection.skip ? '--skip' : '--workload',
  }));
  const total = Math.min(workload.requests.length, selection.maxRequests ?? Number.POSITIVE_INFINITY);
  refuseWarmUpOfAll(flags.warmUpRequests, total, '--warm-up-requests');
  let lastShown = 0;
  let requests: MeasuredRequestsFile | undefined;
  const summary = await runBench({
    url: flags.url,
    servedModel: flags.model,
    endpoint: flags.endpoint,
    headers: flags.apiKey ? { authorization: `Bearer ${flags.apiKey}` } : undefined,
    workload,
    workloadOrigin: {
      source: flags.workload,
      seed: selection.seed,
      rate: selection.rate,
      skip: selection.skip || undefined,
      count: selection.maxRequests,
    },
    mode:
      flags.concurrency !== undefined
        ? { kind: 'closed', concurrency: flags.concurrency, thinkSeconds: flags.thinkTime }
        : { kind: 'open' },
    warmUpRequests: flags.warmUpRequests,
    maxRequests: total,
    maxSeconds: flags.maxSeconds,
    timeoutSeconds: flags.timeout,
    slo: flags.slo ?? NO_SLO,
    seed: selection.seed,
    probe,
    fitToServer: flags.fitContext,
    onRequests: (r) => {
      requests = r;
    },
    onNotice: (line) => process.stderr.write(`servetune bench: ${line}\n`),
    onProgress: (done) => {
      if (done === total || done - lastShown >= Math.max(1, Math.floor(total / 10))) {
        lastShown = done;
        process.stderr.write(`servetune bench: ${done}/${total} requests done\n`);
      }
    },
  });
  return { summary, requests, source: workload.source };
}

/**
 * Runs as asked on stdin, one after another, each printed as one JSON line: a load generator started
 * once. A process started for each run spends its first hundred milliseconds compiling its own code
 * on the cores the served engine uses; on a 2-core machine that slowed the engine's first ~30 steps
 * of every run 1.8-fold.
 */
async function benchSession(flags: BenchFlags): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  let first = true;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let result: BenchSessionResult;
    try {
      const asked = BenchSessionRun.safeParse(JSON.parse(line));
      if (!asked.success) {
        const issue = asked.error.issues[0];
        throw new ServeTuneError(
          `a session run: ${issue?.path.join('.')} ${issue?.message}`,
          'invalid-argument',
        );
      }
      const selection = { skip: flags.skip, rate: flags.rate, ...asked.data };
      const { summary, requests } = await benchRun(flags, selection, flags.probe && first);
      first = false;
      result = { summary, requests: requests?.requests ?? [] };
    } catch (error) {
      result = { error: (error as Error).message };
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}
