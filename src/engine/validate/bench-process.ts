import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MeasuredRequest, MeasuredRequestsFile } from '../bench/requests-file.js';
import { RunSummary } from '../sim/summary.js';
import { ServeTuneError } from '../util/errors.js';

/** How to start `servetune bench`: the program and the arguments before the command name. */
export interface BenchCommand {
  command: string;
  args: readonly string[];
}

export interface BenchProcessRun {
  url: string;
  servedModel: string;
  workload: string;
  seed: number;
  /** Requests left out at the workload's start (`--skip`). */
  skip?: number;
  count: number;
  rate: number | null;
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

/** What `servetune bench` measured: its summary and every request's own times. */
export interface BenchProcessResult {
  summary: RunSummary;
  requests: MeasuredRequest[];
}

/**
 * Runs `servetune bench` as its own process against the local engine and reads its RunSummary and its
 * requests (`--requests-out`, to a temporary file). In the
 * engine's process the load generator's timers wait whenever the engine holds the event loop (a step's
 * encoding, a garbage collection), so requests left late and in bunches — up to 200 ms late — and the
 * engine served another arrival process than the one predicted. In a process of its own it sends on
 * time, as a client of a real deployment does.
 */
export async function runBenchProcess(
  bench: BenchCommand,
  run: BenchProcessRun,
): Promise<BenchProcessResult> {
  const folder = mkdtempSync(join(tmpdir(), 'servetune-bench-'));
  try {
    const requestsFile = join(folder, 'requests.json');
    const summary = await benchSummary(bench, run, requestsFile);
    let parsed: ReturnType<typeof MeasuredRequestsFile.safeParse>;
    try {
      parsed = MeasuredRequestsFile.safeParse(JSON.parse(readFileSync(requestsFile, 'utf8')));
    } catch (error) {
      throw new ServeTuneError(
        `the load generator's requests file cannot be read: ${(error as Error).message}`,
        'io',
        requestsFile,
      );
    }
    if (!parsed.success) {
      throw new ServeTuneError(
        `the load generator's requests file does not validate: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
        'io',
        requestsFile,
      );
    }
    return { summary, requests: parsed.data.requests };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function benchSummary(bench: BenchCommand, run: BenchProcessRun, requestsFile: string): Promise<RunSummary> {
  const args = [
    ...bench.args,
    'bench',
    '--url',
    run.url,
    '--model',
    run.servedModel,
    '--workload',
    run.workload,
    '--seed',
    String(run.seed),
    ...(run.skip ? ['--skip', String(run.skip)] : []),
    '--max-requests',
    String(run.count),
    '--max-seconds',
    '3600',
    '--timeout',
    '1800',
    ...(run.rate !== null ? ['--rate', String(run.rate)] : []),
    '--requests-out',
    requestsFile,
    '--json',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(bench.command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) run.onLine?.(line.replace(/^servetune bench: /, ''));
    });
    const onAbort = () => child.kill('SIGTERM');
    run.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) =>
      reject(
        new ServeTuneError(`cannot start the load generator (${bench.command}): ${error.message}`, 'io'),
      ),
    );
    child.on('close', (code) => {
      run.signal?.removeEventListener('abort', onAbort);
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        reject(
          new ServeTuneError(
            `the load generator exited with code ${code} without a summary: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
            'io',
            'servetune bench',
          ),
        );
        return;
      }
      const summary = RunSummary.safeParse(json);
      if (!summary.success) {
        reject(
          new ServeTuneError(
            `the load generator's summary does not validate: ${summary.error.issues[0]?.path.join('.')} ${summary.error.issues[0]?.message}`,
            'io',
            'servetune bench',
          ),
        );
        return;
      }
      resolve(summary.data);
    });
  });
}
