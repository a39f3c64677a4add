/** What one step model reports: a step's time split for the pipeline, and its op-by-op breakdown. */

export type BreakdownKind = 'linear' | 'attention' | 'elementwise' | 'communication' | 'overhead';

/** What limits an op: its FLOPs, its bytes (against the roofline), a link, or the host. */
export type Bound = 'compute' | 'memory' | 'communication' | 'overhead';

/** The group of entries that belong to the whole step rather than to a kind of layer. */
export const STEP_GROUP = 'step';

export interface BreakdownEntry {
  name: string;
  kind: BreakdownKind;
  /** The kind of layer the op runs in (describeLayerKind), or STEP_GROUP. */
  group: string;
  bound: Bound;
  /** Seconds on the step's critical path, summed over the layers the op runs in. */
  seconds: number;
  /** How many times the op runs in the step (layers, or 1). */
  calls: number;
  /** FLOPs and bytes of one call on one GPU (0 FLOPs for communication and overhead). */
  flops: number;
  bytes: number;
  /** What the numbers assume, where it matters (experts active, load imbalance). */
  detail?: string;
  /** Where the time came from: a measured table and shape, interpolated, transferred, or the roofline. */
  source?: string;
}

/** The parts of one step's time that the simulator schedules separately (pipeline stages). Reused, never allocated per step. */
export interface StepTiming {
  /** CPU-side scheduling, input preparation and sampling: before the first stage. */
  overheadSeconds: number;
  /** Compute of one pipeline stage (its layers): the most loaded stage's. */
  stageSeconds: number;
  /** Activation send between consecutive stages (0 without PP). */
  stageSendSeconds: number;
  /** LM head and final norm on the last stage. */
  headSeconds: number;
  /** From the step's start to its tokens being sampled. */
  totalSeconds: number;
}

export function createStepTiming(): StepTiming {
  return { overheadSeconds: 0, stageSeconds: 0, stageSendSeconds: 0, headSeconds: 0, totalSeconds: 0 };
}
