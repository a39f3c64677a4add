import type { MeasuredRequest } from '../bench/requests-file.js';
import { DEFAULT_TOKEN_ID_RANGE, runBench } from '../bench/run.js';
import type { ModelSpec } from '../model/spec.js';
import type { InEngineFirstToken, StepRecord } from '../serve/local/engine.js';
import type { LocalServer } from '../serve/local/start.js';
import type { RunSummary } from '../sim/summary.js';
import { loadWorkload } from '../workload/load.js';
import { NO_SLO } from '../workload/slo-verdict.js';
import { type BenchCommand, type BenchRun, type BenchSession, startBenchSession } from './bench-process.js';

/** Prompts are token ids below this (what `servetune bench` sends by default). */
const BENCH_TOKEN_ID_LIMIT = DEFAULT_TOKEN_ID_RANGE[1];

/**
 * One serving run: a workload's requests `skip` to `skip + count` (the first moved to 0), one run of the
 * load generator, with the steps the engine ran and its own submit-to-first-token times.
 */
export interface ServedRun {
  summary: RunSummary;
  requests: MeasuredRequest[];
  steps: StepRecord[];
  inEngineFirstTokens: InEngineFirstToken[];
}

export interface ServingRunsOptions {
  server: LocalServer;
  model: ModelSpec;
  /** The workload spec every run draws from (with its own seed, skip, count and rate). */
  workload: string;
  /** The device's id, recorded in each run's summary. */
  hardwareId: string;
  /** See `ValidationOptions.benchCommand`; default: the load generator runs in this process. */
  benchCommand?: BenchCommand;
  say: (line: string) => void;
  signal?: AbortSignal;
}

/** Serves runs of a workload on the local engine, one after another, until closed. */
export interface ServingRuns {
  /** One run; `showRequests`: report its progress in requests done. */
  serve(run: Required<BenchRun>, showRequests: boolean): Promise<ServedRun>;
  /** Ends the load generator's process, where it has one. */
  close(): Promise<void>;
}

/**
 * The local engine's serving runs, each measured by the load generator: one `servetune bench --session`
 * process for every run where a command is given (a real client's own process) and the engine's
 * vocabulary takes its prompts, else `runBench` in this process.
 */
export function servingRuns(options: ServingRunsOptions): ServingRuns {
  const { server, say } = options;
  const engine = server.engine;
  let bench: BenchSession | null = null;
  let showBenchProgress = false;

  // The engine's records of this run only: cleared before, taken after.
  const taken = (summary: RunSummary, requests: MeasuredRequest[]): ServedRun => {
    const run = {
      summary,
      requests,
      steps: [...engine.steps],
      inEngineFirstTokens: [...engine.firstTokens],
    };
    engine.steps.length = 0;
    engine.firstTokens.length = 0;
    return run;
  };

  const inSession = async (origin: Required<BenchRun>, command: BenchCommand): Promise<ServedRun> => {
    bench ??= startBenchSession(command, {
      url: server.url,
      servedModel: engine.modelId,
      workload: options.workload,
      signal: options.signal,
      onLine: (line) => {
        if (showBenchProgress && /requests done/.test(line)) say(`  ${line.trim()}`);
      },
    });
    const { summary, requests } = await bench.run(origin);
    return taken(summary, requests);
  };

  const inProcess = async (origin: Required<BenchRun>, showRequests: boolean): Promise<ServedRun> => {
    const workload = loadWorkload(options.workload, {
      seed: origin.seed,
      skip: origin.skip,
      count: origin.count,
      rate: origin.rate ?? undefined,
    });
    let shown = 0;
    let requests: MeasuredRequest[] = [];
    const summary = await runBench({
      url: server.url,
      servedModel: engine.modelId,
      workload,
      workloadOrigin: {
        source: options.workload,
        seed: origin.seed,
        ...(origin.skip > 0 ? { skip: origin.skip } : {}),
        count: origin.count,
        ...(origin.rate !== null ? { rate: origin.rate } : {}),
      },
      mode: { kind: 'open' },
      maxRequests: workload.requests.length,
      maxSeconds: 3600,
      timeoutSeconds: 1800,
      slo: NO_SLO,
      seed: origin.seed,
      tokenIdRange: [DEFAULT_TOKEN_ID_RANGE[0], Math.min(BENCH_TOKEN_ID_LIMIT, engine.vocabSize)],
      model: options.model.id,
      hardware: options.hardwareId,
      gpus: 1,
      signal: options.signal,
      onRequests: (file) => {
        requests = file.requests;
      },
      onProgress: (done, total) => {
        if (!showRequests) return;
        if (done - shown >= Math.max(1, Math.floor(total / 5)) || done === total) {
          shown = done;
          say(`  ${done}/${total} requests done`);
        }
      },
    });
    return taken(summary, requests);
  };

  return {
    serve(origin, showRequests) {
      engine.steps.length = 0;
      engine.firstTokens.length = 0;
      if (options.benchCommand && engine.vocabSize >= BENCH_TOKEN_ID_LIMIT) {
        showBenchProgress = showRequests;
        return inSession(origin, options.benchCommand);
      }
      return inProcess(origin, showRequests);
    },
    async close() {
      await bench?.close();
    },
  };
}
