import { getHardware } from '../engine/hardware/catalog.js';
import { enumeratePlans } from '../engine/memory/plans.js';
import { defaultWeightDtype } from '../engine/model/checkpoint.js';
import { resolveModelAsync } from '../engine/model/resolve.js';
import { engineExpertLayout } from '../engine/perf/expert-weight-layout.js';
import {
  type MethodParsedParams,
  type MethodPartial,
  type MethodResult,
  WORKER_METHODS,
  type WorkerMethodName,
} from '../engine/protocol/worker.js';
import { checkConfig } from '../engine/tune/check.js';
import { predictBlock } from '../engine/tune/tune.js';
import { probeAdapter } from './adapter.js';
import { cancelled } from './cancel.js';
import { capacityHandler } from './methods/capacity.js';
import { importTraceHandler } from './methods/import-trace.js';
import { profileHandler } from './methods/profile.js';
import { searchHandler } from './methods/search.js';
import { simulateHandler } from './methods/simulate.js';
import { validateHandler } from './methods/validate.js';
import { tuneBlockInWorker } from './tune.js';

export { CancelledError, cancelled } from './cancel.js';

export const WORKER_VERSION = '0.1.0';

/** What a handler may do besides returning its result. */
export interface HandlerContext<M extends WorkerMethodName> {
  /** Aborted when the client cancels this request: stop at the next safe point and throw `cancelled()`. */
  signal: AbortSignal;
  progress(done: number, total: number, message?: string): void;
  partial(value: MethodPartial<M>): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  /** The search worker-thread bundle (dist/search-worker.mjs) where the worker process has one. */
  searchWorkerFile?: URL;
}

export type Handler<M extends WorkerMethodName> = (
  params: MethodParsedParams<M>,
  context: HandlerContext<M>,
) => Promise<MethodResult<M>> | MethodResult<M>;

function sleep(seconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, seconds * 1000);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** One handler per entry of WORKER_METHODS: the compiler insists on both. */
export const HANDLERS: { [M in WorkerMethodName]: Handler<M> } = {
  hello: () => ({
    version: WORKER_VERSION,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    pid: process.pid,
    methods: Object.keys(WORKER_METHODS),
  }),
  plans: async (p) => {
    const model = await resolveModelAsync(p.model);
    const hardware = getHardware(p.hardware);
    const weightDtype = p.weightDtype ?? defaultWeightDtype(model);
    const engine = p.engine && { id: p.engine, moeBackend: p.moeBackend };
    const expertLayout = engineExpertLayout(engine, hardware, model, weightDtype);
    return enumeratePlans(
      model,
      hardware,
      p.gpus,
      { weightDtype, kvDtype: p.kvDtype },
      { gpuMemoryUtilization: p.gpuMemoryUtilization, ...(expertLayout ? { expertLayout } : {}) },
    );
  },
  adapter: (p) => probeAdapter(p.powerPreference),
  echo: async (p, context) => {
    for (let step = 0; step < p.steps; step++) {
      await sleep(p.stepSeconds, context.signal);
      context.partial({ step });
      context.progress(step + 1, p.steps, `step ${step + 1} of ${p.steps}`);
    }
    return { steps: p.steps };
  },
  checkConfig: (p) => checkConfig(p),
  predictBlock: (p) => predictBlock(p),
  tuneBlock: (p, context) => tuneBlockInWorker(p, context),
  validate: validateHandler,
  profile: profileHandler,
  simulate: simulateHandler,
  search: searchHandler,
  planCapacity: capacityHandler,
  importTrace: importTraceHandler,
};
