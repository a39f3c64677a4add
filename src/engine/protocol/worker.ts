import { z } from 'zod';
import { PlansReport } from '../memory/plans.js';
import { KvDtype, WeightDtype } from '../model/dtypes.js';
import { AdapterInfo, DeviceProfile } from '../profile/schema.js';
import { SearchAsked } from '../search/asked.js';
import { CapacityInput, CapacityPlan } from '../search/capacity.js';
import { SearchInput, SearchResult } from '../search/run.js';
import { RunSummary } from '../sim/summary.js';
import { CheckConfigInput, CheckConfigResult } from '../tune/check.js';
import { PredictBlockInput, PredictBlockResult, TuneBlockInput, TuneBlockResult } from '../tune/schema.js';
import { ValidationReport } from '../validate/report.js';
import { ImportTraceParams, ImportTraceResult, ProfileParams, SimulateParams } from './methods.js';

// Messages between a client (the extension, tests) and the engine worker process, one JSON object per
// line over stdio. Every request (WorkerCall) carries an id; the worker answers (WorkerReply) with
// exactly one `result` or `error` for it, possibly after `progress` and `partial` messages.

/** Which plans fit a cluster (`servetune plans`). */
const PlansParams = z.object({
  model: z.string(),
  hardware: z.string(),
  gpus: z.number().int().positive(),
  /** Absent: the model's published format, as `servetune plans` takes it. */
  weightDtype: WeightDtype.optional(),
  kvDtype: KvDtype.default('bf16'),
  gpuMemoryUtilization: z.number().gt(0).lte(1).default(0.9),
  /** The serving engine whose layout of the weights counts (its mxfp4 experts); absent: the checkpoint's bytes. */
  engine: SearchAsked.shape.engine.removeDefault().optional(),
  /** The MoE kernel the engine's launch selects, as `--moe-backend` (the editor's `servetune.moeBackend`). */
  moeBackend: SearchAsked.shape.moeBackend,
});

const WorkerError = z.object({ message: z.string(), code: z.string(), where: z.string().optional() });

// ---------------------------------------------------------------------------------------------------
// The method table. A method is one entry here (its params, its result, and optionally the partial
// results it streams) plus one handler in src/worker/handlers.ts. Everything else (the envelope, the
// client, cancellation, progress) is generic over this table.
// ---------------------------------------------------------------------------------------------------

export interface WorkerMethodSpec {
  params: z.ZodType;
  result: z.ZodType;
  /** Partial results streamed before the final one (e.g. search fronts as they improve). */
  partial?: z.ZodType;
  /** Needs the GPU (WebGPU): never run inside the editor's extension host. */
  gpu: boolean;
  /** A long run: the editor shows cancellable progress for it. */
  long: boolean;
  /**
   * The longest a request may run: past it the worker stops it and answers `timeout` (a call may ask
   * for less, `WorkerCall.timeoutSeconds`), and the client gives up on it a little later.
   */
  timeoutSeconds: number;
}

const HelloResult = z.object({
  version: z.string(),
  node: z.string(),
  platform: z.string(),
  arch: z.string(),
  pid: z.number().int(),
  /** The methods this worker build answers: front ends enable features from this list. */
  methods: z.array(z.string()),
});

const AdapterParams = z.object({
  powerPreference: z.enum(['high-performance', 'low-power']).default('high-performance'),
});
export const AdapterResult = z.object({
  /** Null when no WebGPU adapter was found; `reason` then says why. */
  adapter: AdapterInfo.nullable(),
  reason: z.string().optional(),
});
export type AdapterResult = z.infer<typeof AdapterResult>;

/**
 * Exercises the transport itself: progress, partial results and cancellation, with no engine work.
 * The editor's diagnostics and the protocol tests use it; it computes nothing a feature reports.
 */
const EchoParams = z.object({
  steps: z.number().int().nonnegative().max(10_000),
  stepSeconds: z.number().nonnegative().max(10),
});
const EchoResult = z.object({ steps: z.number().int() });
const EchoPartial = z.object({ step: z.number().int() });

/** "Validate on this machine": `servetune validate` with its defaults (quick: the tiny preset). */
const ValidateParams = z.object({
  quick: z.boolean().default(true),
  /** Requests served (and predicted); default: the run's own (VALIDATE_DEFAULTS). */
  requests: z.number().int().positive().max(10_000).optional(),
});

export const WORKER_METHODS = {
  hello: { params: z.object({}), result: HelloResult, gpu: false, long: false, timeoutSeconds: 30 },
  plans: { params: PlansParams, result: PlansReport, gpu: false, long: false, timeoutSeconds: 120 },
  adapter: { params: AdapterParams, result: AdapterResult, gpu: true, long: false, timeoutSeconds: 60 },
  echo: {
    params: EchoParams,
    result: EchoResult,
    partial: EchoPartial,
    gpu: false,
    long: true,
    timeoutSeconds: 3600,
  },
  // Config files: read and diagnose (cheap, may run in-process); predict and tune simulate, so they run
  // only in the worker (marked gpu so the editor never runs them in its extension host).
  checkConfig: {
    params: CheckConfigInput,
    result: CheckConfigResult,
    gpu: false,
    long: false,
    timeoutSeconds: 120,
  },
  predictBlock: {
    params: PredictBlockInput,
    result: PredictBlockResult,
    gpu: true,
    long: false,
    timeoutSeconds: 600,
  },
  tuneBlock: {
    params: TuneBlockInput,
    result: TuneBlockResult,
    gpu: true,
    long: true,
    timeoutSeconds: 14400,
  },
  validate: { params: ValidateParams, result: ValidationReport, gpu: true, long: true, timeoutSeconds: 3600 },
  profile: { params: ProfileParams, result: DeviceProfile, gpu: true, long: true, timeoutSeconds: 3600 },
  simulate: { params: SimulateParams, result: RunSummary, gpu: false, long: true, timeoutSeconds: 3600 },
  search: {
    params: SearchInput,
    result: SearchResult,
    partial: SearchResult,
    gpu: false,
    long: true,
    timeoutSeconds: 14400,
  },
  importTrace: {
    params: ImportTraceParams,
    result: ImportTraceResult,
    gpu: false,
    long: false,
    timeoutSeconds: 600,
  },
  planCapacity: {
    params: CapacityInput,
    result: CapacityPlan,
    gpu: false,
    long: true,
    timeoutSeconds: 14400,
  },
} as const satisfies Record<string, WorkerMethodSpec>;

type WorkerMethods = typeof WORKER_METHODS;
export type WorkerMethodName = keyof WorkerMethods;
export type MethodParams<M extends WorkerMethodName> = z.input<WorkerMethods[M]['params']>;
export type MethodParsedParams<M extends WorkerMethodName> = z.output<WorkerMethods[M]['params']>;
export type MethodResult<M extends WorkerMethodName> = z.output<WorkerMethods[M]['result']>;
export type MethodPartial<M extends WorkerMethodName> = WorkerMethods[M] extends { partial: z.ZodType }
  ? z.output<WorkerMethods[M]['partial']>
  : never;

export function isWorkerMethod(name: string): name is WorkerMethodName {
  return Object.hasOwn(WORKER_METHODS, name);
}

/** A request envelope; its params are checked against the method's own schema by the worker. */
export const WorkerCall = z.object({
  id: z.number().int(),
  method: z.string().min(1),
  params: z.unknown().optional(),
  /** Stop the request after this long if sooner than its method's `timeoutSeconds`. */
  timeoutSeconds: z.number().positive().finite().optional(),
});
/**
 * The largest request line (one JSON call) a worker reads; a client refuses to send a larger one. The
 * largest params are a config's text (at most MAX_CONFIG_FILE_BYTES, 2 MiB, escaped in JSON).
 */
export const MAX_REQUEST_LINE_BYTES = 16 * 1024 * 1024;

/** `cancel` is not a method of the table: it stops the request whose id is `target`, which then fails. */
export const CancelParams = z.object({ target: z.number().int() });
export type WorkerCall = z.infer<typeof WorkerCall>;

const LogLevel = z.enum(['debug', 'info', 'warn', 'error']);

/** Every line the worker writes; `result` and `partial` payloads are checked against the method's schema. */
export const WorkerReply = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), version: z.string() }),
  z.object({ type: z.literal('result'), id: z.number().int(), method: z.string(), result: z.unknown() }),
  z.object({ type: z.literal('partial'), id: z.number().int(), method: z.string(), partial: z.unknown() }),
  z.object({ type: z.literal('error'), id: z.number().int().nullable(), error: WorkerError }),
  z.object({
    type: z.literal('progress'),
    id: z.number().int(),
    done: z.number(),
    total: z.number(),
    message: z.string().optional(),
  }),
  z.object({ type: z.literal('log'), level: LogLevel, message: z.string() }),
]);
export type WorkerReply = z.infer<typeof WorkerReply>;

/** Error codes the transport itself produces (engine errors keep their ServeTuneError codes). */
export const TRANSPORT_ERROR_CODES = {
  protocol: 'protocol',
  unknownMethod: 'unknown-method',
  invalidParams: 'invalid-params',
  cancelled: 'cancelled',
  timeout: 'timeout',
  crashed: 'worker-crashed',
  unavailable: 'worker-unavailable',
  internal: 'internal',
} as const;
