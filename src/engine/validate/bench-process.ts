import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { MeasuredRequest } from '../bench/requests-file.js';
import { BenchSessionResult, type BenchSessionRun } from '../bench/session.js';
import type { RunSummary } from '../sim/summary.js';
import { ServeTuneError } from '../util/errors.js';

/** How to start `servetune bench`: the program and the arguments before the command name. */
export interface BenchCommand {
  command: string;
  args: readonly string[];
}

/** The session's endpoint and workload, the same for every run. */
export interface BenchSessionTarget {
  url: string;
  servedModel: string;
  workload: string;
  /** Each line the load generator writes to stderr (its progress), without its prefix. */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

/** Which of the workload's requests a run sends, and at what rate (null: the workload's own). */
export interface BenchRun {
  seed: number;
  /** Requests left out at the workload's start. */
  skip?: number;
  count: number;
  rate: number | null;
}

/** What `servetune bench` measured in one run: its summary and every request's own times. */
export interface BenchProcessResult {
  summary: RunSummary;
  requests: MeasuredRequest[];
}

/** A `servetune bench --session` process: runs one after another, until closed. */
export interface BenchSession {
  run(run: BenchRun): Promise<BenchProcessResult>;
  close(): Promise<void>;
}

/**
 * Starts `servetune bench --session` as its own process against the local engine. In the engine's
 * process the load generator's timers wait whenever the engine holds the event loop (a step's
 * encoding, a garbage collection), so requests left late and in bunches — up to 200 ms late — and the
 * engine served another arrival process than the one predicted; in a process of its own it sends on
 * time, as a client of a real deployment does. One process serves every run: a process started for
 * each run spent its first hundred milliseconds compiling its own code on the two cores the engine
 * used, which slowed the first ~30 steps of every run 1.8-fold.
 */
export function startBenchSession(bench: BenchCommand, target: BenchSessionTarget): BenchSession {
  const args = [
    ...bench.args,
    'bench',
    '--session',
    '--url',
    target.url,
    '--model',
    target.servedModel,
    '--workload',
    target.workload,
    '--max-seconds',
    '3600',
    '--timeout',
    '1800',
  ];
  const child: ChildProcessWithoutNullStreams = spawn(bench.command, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderrTail: string[] = [];
  let startError: Error | null = null;
  let exitCode: number | null | undefined;
  let waiting: { resolve: (line: string) => void; reject: (error: Error) => void } | null = null;
  const results: string[] = [];

  const exitedError = () =>
    startError
      ? new ServeTuneError(`cannot start the load generator (${bench.command}): ${startError.message}`, 'io')
      : new ServeTuneError(
          `the load generator exited with code ${exitCode} without a summary: ${stderrTail.slice(-3).join(' | ')}`,
          'io',
          'servetune bench',
        );
  createInterface({ input: child.stderr, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
    stderrTail = [...stderrTail.slice(-9), line.trim()];
    target.onLine?.(line.replace(/^servetune bench: /, ''));
  });
  createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
    if (waiting) {
      const w = waiting;
      waiting = null;
      w.resolve(line);
    } else results.push(line);
  });
  const exited = new Promise<void>((resolve) => {
    child.on('error', (error) => {
      startError = error;
      resolve();
    });
    child.on('close', (code) => {
      exitCode = code;
      resolve();
    });
  });
  void exited.then(() => {
    if (waiting) {
      const w = waiting;
      waiting = null;
      w.reject(exitedError());
    }
  });
  // Writing to a process that has gone is reported by `exited`; the pipe's own error adds nothing.
  child.stdin.on('error', () => {});
  const onAbort = () => child.kill('SIGTERM');
  target.signal?.addEventListener('abort', onAbort, { once: true });

  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const ready = results.shift();
      if (ready !== undefined) resolve(ready);
      else if (exitCode !== undefined || startError) reject(exitedError());
      else waiting = { resolve, reject };
    });

  let queue: Promise<unknown> = Promise.resolve();
  return {
    run(run: BenchRun): Promise<BenchProcessResult> {
      const asked: BenchSessionRun = {
        seed: run.seed,
        ...(run.skip ? { skip: run.skip } : {}),
        maxRequests: run.count,
        ...(run.rate !== null ? { rate: run.rate } : {}),
      };
      // One run at a time: each line answers the run asked before it.
      const result = queue.then(async () => {
        child.stdin.write(`${JSON.stringify(asked)}\n`);
        return parseResult(await nextLine());
      });
      queue = result.catch(() => {});
      return result;
    },
    async close() {
      target.signal?.removeEventListener('abort', onAbort);
      child.stdin.end();
      await exited;
    },
  };
}

function parseResult(line: string): BenchProcessResult {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new ServeTuneError(
      `the load generator printed a line that is not JSON: ${line.slice(0, 200)}`,
      'io',
      'servetune bench',
    );
  }
  const parsed = BenchSessionResult.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ServeTuneError(
      `the load generator's result does not validate: ${issue?.path.join('.')} ${issue?.message}`,
      'io',
      'servetune bench',
    );
  }
  if ('error' in parsed.data) {
    throw new ServeTuneError(
      `the load generator's run failed: ${parsed.data.error}`,
      'io',
      'servetune bench',
    );
  }
  return parsed.data;
}
