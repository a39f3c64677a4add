import { z } from 'zod';
import { EngineId } from '../config/engines/index.js';
import { PartialServingSettings } from '../config/serving-settings.js';
import { TextEdit } from '../config/source.js';
import { MoeBackend } from '../perf/moe-backend.js';
import { SearchResult } from '../search/run.js';
import { EvaluationMetrics, Slo } from '../search/schema.js';
import { MAX_SAMPLE_REQUESTS } from '../search/simulation-evaluator.js';
import { ThreadCount } from '../util/threads.js';
import { ConfigText } from './config-text.js';

/** What to tune one block of a config file for: the file, the block, the traffic and the targets. */
export const TuneBlockInput = z.object({
  /** The config file's path (siblings such as `.env` and `--config` YAMLs are read from its folder). */
  path: z.string().min(1),
  /** The file's text (an editor's unsaved buffer); read from `path` when absent. */
  text: ConfigText.optional(),
  /** Which serving block of the file (0-based, in file order). */
  block: z.number().int().nonnegative().default(0),
  /**
   * The side of a disaggregated deployment to tune (`--side`): the file's block of that side (`block`,
   * where given, must be one), searched as that side's pool of the prefill + decode pair, the other side
   * as the file writes it.
   */
  side: z.enum(['prefill', 'decode']).optional(),
  /** A workload spec or a trace file. */
  workload: z.string().min(1),
  /** Requests per second to compare at; default: the workload's own rate. */
  rate: z.number().positive().optional(),
  slo: Slo,
  /** GPU catalog id where the file does not name one. */
  hardware: z.string().min(1).optional(),
  /** GPU catalog id used only where neither `hardware` nor the file names one (an editor's default). */
  hardwareFallback: z.string().min(1).optional(),
  sampleRequests: z.number().int().positive().max(MAX_SAMPLE_REQUESTS).default(1000),
  seed: z.number().int().default(0),
  /** A measured device profile to calibrate the step-time model with. */
  profile: z.string().optional(),
  /** A folder of measured op tables in aiconfigurator's layout (`--perf-db`); see SearchInput. */
  perfDb: z.string().min(1).optional(),
  /** Worker threads for the search (0: this thread). */
  threads: ThreadCount.optional(),
  /**
   * The engine as the user names it (`--engine vllm@0.19`): it must be the block's; its version picks the
   * measured op tables (the nearest measured). Default: the block's engine, newest tables.
   */
  engine: z.object({ id: z.string(), version: z.string().min(1).optional() }).optional(),
  /** Time all-reduces with NCCL's, not the engine's custom kernel. */
  disableCustomAllReduce: z.boolean().optional(),
  /** No CUDA graphs: every kernel launched from the host. */
  enforceEager: z.boolean().optional(),
  /** Schedule step by step, whatever the file says (the engine's overlap scheduler off). */
  disableOverlapScheduling: z.boolean().optional(),
  /** The MoE kernel the launch selects (perf/moe-backend.ts), over the file's. */
  moeBackend: MoeBackend.optional(),
  /** SGLang's nvfp4 DeepEP dispatch on (`--nvfp4-dispatch`), over the file's; another engine refuses it. */
  nvfp4Dispatch: z.boolean().optional(),
  /** SGLang's q_b_proj in block-scaled fp8 (`--fp8-q-b-proj`), over the file's; another engine refuses it. */
  fp8QBProj: z.boolean().optional(),
});
export type TuneBlockInput = z.input<typeof TuneBlockInput>;

/** Predict one block as it is written (no search): one simulation at the workload's rate. */
export const PredictBlockInput = TuneBlockInput.omit({ threads: true });
export type PredictBlockInput = z.input<typeof PredictBlockInput>;

/** One configuration of a block, simulated: as written now, or as suggested. */
export const BlockPrediction = z.object({
  /** A one-line description, e.g. "TP8, 256 seqs, 2048-token chunks, mem 0.95". */
  label: z.string(),
  /** The settings simulated, in ServeTune's terms (the file's, with the engine's defaults for the rest). */
  settings: PartialServingSettings,
  /** GPUs the configuration runs on (every copy of the server). */
  gpus: z.number().int().positive(),
  /** Why it could not be simulated (weights do not fit, TP does not divide the heads…); empty when it was. */
  problems: z.array(z.string()),
  /** Metrics at the compared rate; null when it could not be simulated. */
  metrics: EvaluationMetrics.nullable(),
  meetsSlo: z.boolean(),
  /** Highest request rate at which the SLOs hold (null: never, or not searched). */
  maxRateUnderSlo: z.number().nullable(),
});
export type BlockPrediction = z.infer<typeof BlockPrediction>;

/** What the block is, as the tuner sees it. */
export const BlockTarget = z.object({
  file: z.string(),
  block: z.number().int(),
  label: z.string(),
  engine: EngineId,
  model: z.string(),
  modelName: z.string(),
  hardware: z.string(),
  /** GPUs of one server and copies of the server; the search plans for their product. */
  gpusPerServer: z.number().int().positive(),
  replicas: z.number().int().positive(),
  /** The file says how many copies run (Kubernetes, compose, Helm): data parallelism goes there. */
  holdsReplicas: z.boolean(),
  /**
   * The engine behaviours away from its defaults that time the prediction, in words ('NCCL all-reduce',
   * 'eager', 'no overlap scheduling'): the file's and the CLI's. Absent: none.
   */
  engineBehaviour: z.array(z.string()).optional(),
});
export type BlockTarget = z.infer<typeof BlockTarget>;

const WorkloadInfo = z.object({
  source: z.string(),
  requests: z.number().int(),
  rate: z.number(),
});

export const PredictBlockResult = z.object({
  target: BlockTarget,
  workload: WorkloadInfo,
  slo: Slo,
  current: BlockPrediction,
});
export type PredictBlockResult = z.infer<typeof PredictBlockResult>;

export const SettingChange = z.object({
  setting: z.string(),
  label: z.string(),
  from: z.union([z.string(), z.number(), z.boolean()]).nullable(),
  to: z.union([z.string(), z.number(), z.boolean()]),
});
export type SettingChange = z.infer<typeof SettingChange>;

export const TuneBlockResult = z.object({
  target: BlockTarget,
  workload: WorkloadInfo,
  slo: Slo,
  current: BlockPrediction,
  /** The best configuration the block can be changed to; null when none meets the SLOs. */
  suggested: BlockPrediction.nullable(),
  /** Its id among `search.configurations`. */
  suggestedId: z.string().nullable(),
  /** Only the settings that change, in ServeTune's terms. */
  changes: PartialServingSettings,
  changeList: z.array(SettingChange),
  /** The text edits that make the change (several files when a value lives in `.env` or a `--config` YAML). */
  edits: z.array(TextEdit),
  /** Changes that cannot be written in this file, and why. */
  editProblems: z.array(z.string()),
  /** The change as a unified diff of every file it touches. */
  diff: z.string(),
  /** One line for people: what changes and what it gains. */
  summary: z.string(),
  /** Why there is nothing to suggest (already the best, nothing meets the SLOs). */
  reason: z.string().optional(),
  search: SearchResult,
});
export type TuneBlockResult = z.infer<typeof TuneBlockResult>;
