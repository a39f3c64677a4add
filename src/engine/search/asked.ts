import { z } from 'zod';
import { DEFAULT_ENGINE, EngineId } from '../config/engines/index.js';
import { MoeBackend } from '../perf/moe-backend.js';
import { ThreadCount } from '../util/threads.js';
import { PriceOverrides } from './cost.js';
import { Slo } from './schema.js';
import { MAX_SAMPLE_REQUESTS } from './simulation-evaluator.js';

/**
 * What a search and a capacity plan are both asked (CLI flags, the worker protocol): the model, the
 * traffic and its SLO, the engine that times the steps, and how the step model is calibrated. Each adds
 * where it looks: one GPU type and count, or several types over a range of counts.
 */
export const SearchAsked = z.object({
  model: z.string().min(1),
  /** A workload spec or a trace file. */
  workload: z.string().min(1),
  /** Requests per second to compare at (a search) or to sustain (a capacity plan); default: the workload's own. */
  rate: z.number().positive().optional(),
  slo: Slo,
  engine: EngineId.default(DEFAULT_ENGINE),
  /** The engine version whose measured op tables time the steps (the nearest measured); default: the newest. */
  engineVersion: z.string().min(1).optional(),
  /** Time all-reduces with NCCL's, not the engine's custom kernel. */
  disableCustomAllReduce: z.boolean().optional(),
  /** No CUDA graphs: every kernel launched from the host. */
  enforceEager: z.boolean().optional(),
  /** The engine's overlap scheduler on or off (a config file's setting); absent: the version's default. */
  overlapScheduling: z.boolean().optional(),
  /**
   * The kernel the routed experts run on, as the launch selects it (perf/moe-backend.ts); absent: the
   * engine's default for the GPU. Written into the emitted settings when given.
   */
  moeBackend: MoeBackend.optional(),
  /**
   * SGLang's nvfp4 DeepEP dispatch (`SGLANG_MOE_NVFP4_DISPATCH=1`, perf/deepep.ts): an nvfp4 checkpoint's
   * routed experts' input dispatched in NVFP4, not BF16; another engine refuses it. Written into the
   * emitted settings when given.
   */
  nvfp4Dispatch: z.boolean().optional(),
  /**
   * SGLang's q_b_proj in block-scaled fp8 (`SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1`, perf/q-up-projection.ts)
   * on an NVFP4 checkpoint; another engine refuses it. Written into the emitted settings when given.
   */
  fp8QBProj: z.boolean().optional(),
  allowQuantization: z.boolean().default(false),
  /** Also try prefill/decode disaggregation (xPyD). */
  disaggregation: z.boolean().default(false),
  /** Requests of the workload every configuration is simulated on. */
  sampleRequests: z.number().int().positive().max(MAX_SAMPLE_REQUESTS).default(1000),
  seed: z.number().int().default(0),
  /** A measured device profile (`servetune profile --out`) to calibrate the step-time model with. */
  profile: z.string().optional(),
  /** A saved calibration file (`servetune calibrate --out`); not with `profile`. */
  calibration: z.string().optional(),
  /**
   * A folder of measured op tables in aiconfigurator's layout (`--perf-db`): for the GPU it covers, its
   * tables replace the shipped ones.
   */
  perfDb: z.string().min(1).optional(),
  /** Worker threads (0: evaluate on this thread). Default: one per core. */
  threads: ThreadCount.optional(),
  /** US dollars per GPU-hour per GPU id, over the catalog's list prices (`--price`, servetune.json). */
  prices: PriceOverrides.default({}),
  /**
   * Where `prices` were given, as results name it ("given in …"): `--price` (the default), a
   * servetune.json's path, the editor's setting.
   */
  pricesGivenIn: z.string().min(1).default('--price'),
});
