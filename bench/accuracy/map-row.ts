// One measured row as the simulation that predicts it: model, GPU, engine scheduler, parallel plan, weight
// and KV formats, and the closed-loop client. Pure: the same row always maps to the same simulation.
// The parts, each in its own file: the model (row-model.ts), client count (row-concurrency.ts), client
// protocol (client-protocol.ts), the recipe of a disaggregated run (disagg-pools.ts), and the job
// (row-job.ts: formats, pools' degrees and plans, schedulers, engine settings).
import { ENGINE_IDS } from '../../src/engine/config/engines/index.js';
import { findHardware } from '../../src/engine/hardware/catalog.js';
import { isAicGenerated } from './aic-generated.js';
import { INFERENCEMAX_PROTOCOL, protocolOf } from './client-protocol.js';
import { type ClosedLoopFlag, closedLoopScreen } from './closed-loop-screen.js';
import { DISAGGREGATED_ONLY_SYSTEMS, multinodeAggReason } from './disagg-pools.js';
import { recipeOf } from './disagg-recipes.js';
import { type Partition, partitionOf } from './partition.js';
import { asMeasuredRun } from './republished.js';
import { AIC_WORKER_BATCH, rowConcurrency, siblingsOf } from './row-concurrency.js';
import { jobOf } from './row-job.js';
import { rowModelOf } from './row-model.js';
import type { SiliconRow } from './rows.js';
import type { SimulationJob } from './simulation-job.js';

/** The measured systems (the CSV's names) as hardware catalog ids. */
const SYSTEMS: Record<string, string> = {
  h100_sxm: 'h100-sxm',
  h200_sxm: 'h200',
  b200_sxm: 'b200',
  b300_sxm: 'b300',
  gb200: 'gb200',
  gb300: 'gb300',
};

/** A row as the simulation that predicts it, or the reason it is not modelled. */
export type RowMapping =
  | { modelled: true; id: string; partition: Partition; job: SimulationJob; flag?: ClosedLoopFlag }
  | { modelled: false; id: string; partition: Partition; reason: string };

/**
 * A row as the simulation that predicts it, or the reason it is not modelled. `waves` overrides the
 * protocol's requests per client (to measure how much the results move with it).
 */
export function mapRow(
  recorded: SiliconRow,
  options: { waves?: number; fileRows?: readonly SiliconRow[] } = {},
): RowMapping {
  // A row that republishes an InferenceMAX measurement is mapped as InferenceMAX ran it (republished.ts).
  const row = asMeasuredRun(recorded, options.fileRows ?? []);
  const model = rowModelOf(row);
  const hardware = SYSTEMS[row.system] ? findHardware(SYSTEMS[row.system]) : undefined;
  const partition = partitionOf(row, model);
  const notModelled = (reason: string): RowMapping => ({ modelled: false, id: row.id, partition, reason });
  if (!model) return notModelled(`model not in the catalog: ${row.model_path}`);
  if (!hardware) return notModelled(`system '${row.system}' not in the hardware catalog`);
  const engine = ENGINE_IDS.find((id) => id === row.backend);
  if (!engine) return notModelled(`engine '${row.backend}' not modelled`);
  const concurrency = rowConcurrency(row);
  if (!concurrency && isAicGenerated(row) && row.batch_size) return notModelled(AIC_WORKER_BATCH);
  if (!concurrency)
    return notModelled('no concurrency recorded (no batch_size, no silicon_concurrency in the source)');
  const base = protocolOf(row, options.fileRows ?? []);
  const protocol = options.waves ? { ...base, requestsPerClient: options.waves } : base;
  const multinodeAgg =
    row.mode === 'agg' && base === INFERENCEMAX_PROTOCOL && DISAGGREGATED_ONLY_SYSTEMS.has(row.system);
  const recipe =
    row.mode === 'disagg' || multinodeAgg
      ? recipeOf(row, concurrency, siblingsOf(row, options.fileRows ?? []))
      : ({ kind: 'none' } as const);
  if (multinodeAgg && recipe.kind !== 'found' && recipe.kind !== 'speculative')
    return notModelled(multinodeAggReason(row.system, recipe));
  const job = jobOf({ row, model, hardware, engine, concurrency, protocol, recipe });
  if (typeof job === 'string') return notModelled(job);
  // A measurement the engine's scheduler cannot produce is still predicted and scored, and flagged so that
  // the report lists it (closed-loop-screen.ts).
  const flag = closedLoopScreen(job, { ttftMs: row.silicon_ttft_ms, tpotMs: row.silicon_tpot_ms });
  return { modelled: true, id: row.id, partition, job, ...(flag ? { flag } : {}) };
}
