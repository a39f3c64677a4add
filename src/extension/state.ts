import type * as vscode from 'vscode';
import { z } from 'zod';
import { DEPLOY_FORMATS } from '../engine/config/deploy/index.js';
import { PlansReport } from '../engine/memory/plans.js';
import { ImportTraceResult, SimulateParams } from '../engine/protocol/methods.js';
import { ChartModel, DeviceSummary, RecentRun, ValidationChartModel } from '../engine/protocol/webview.js';
import { PolicyName } from '../engine/sched/config.js';
import { CapacityPlan } from '../engine/search/capacity.js';
import { SearchResult } from '../engine/search/run.js';
import { RunSummary } from '../engine/sim/summary.js';
import { LoadChoice } from './load.js';

/** The workload runs use: a built-in spec, a spec typed in, or a trace file. */
export const WorkloadChoice = z.object({
  kind: z.enum(['preset', 'spec', 'trace']),
  /** The spec string or the trace file's path. */
  value: z.string().min(1),
  label: z.string(),
});
export type WorkloadChoice = z.infer<typeof WorkloadChoice>;

/** What a search explores besides plans and scheduler settings. */
export const SearchSpace = z.object({
  quantization: z.boolean(),
  disaggregation: z.boolean(),
  /** Speculative decoding (`search --allow-speculation`). Optional, added later: absent is false. */
  speculation: z.boolean().default(false),
});
export type SearchSpace = z.infer<typeof SearchSpace>;

/** The last answers to the quick picks, per workspace (and globally as the fallback for new workspaces). */
export const Choices = z.object({
  model: z.string().optional(),
  hardware: z.string().optional(),
  gpus: z.number().int().positive().optional(),
  slo: z
    .object({
      percentile: z.enum(['p50', 'p90', 'p99']),
      /** Null: no TTFT target (unconstrained). */
      ttftSeconds: z.number().positive().nullable(),
      /** Null: no TBT target (unconstrained). */
      tbtSeconds: z.number().positive().nullable(),
    })
    .refine((slo) => slo.ttftSeconds !== null || slo.tbtSeconds !== null)
    .optional(),
  workload: WorkloadChoice.optional(),
  scheduler: PolicyName.optional(),
  searchSpace: SearchSpace.optional(),
  /** Open or closed loop (and max_tokens) of Simulate and Search, asked after the workload. */
  load: LoadChoice.optional(),
  /** The platform "Write Deployment Files…" last wrote for, and the folder it wrote to. */
  deployFormat: z.enum(DEPLOY_FORMATS).optional(),
  deployFolder: z.string().min(1).optional(),
});
export type Choices = z.infer<typeof Choices>;

/** A finished run as stored: its entry in the recent runs, its full report, and its chart when it has one. */
export const StoredRun = z.object({
  summary: RecentRun,
  report: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('memory'), plans: PlansReport }),
    z.object({
      kind: z.literal('simulate'),
      summary: RunSummary,
      workload: z.string(),
      /** The max_tokens each request asked (`SimulateParams.maxTokens`); absent: the default. Optional, added later. */
      maxTokens: SimulateParams.shape.maxTokens,
    }),
    z.object({ kind: z.literal('search'), result: SearchResult }),
    z.object({ kind: z.literal('capacity'), plan: CapacityPlan }),
    z.object({
      kind: z.literal('validation'),
      validation: ValidationChartModel,
      /** Where the whole ValidationReport was saved as JSON; null when it could not be. */
      file: z.string().nullable(),
    }),
  ]),
  chart: ChartModel.nullable(),
});
export type StoredRun = z.infer<typeof StoredRun>;

/**
 * The remembered choices that still parse, each on its own: one answer stored by an older version that
 * no longer holds (a limit added since) drops that answer alone, not every other choice with it.
 */
export function storedChoices(raw: unknown): Choices {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const kept: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(Choices.shape)) {
    const value = (raw as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const parsed = schema.safeParse(value);
    if (parsed.success) kept[key] = parsed.data;
  }
  // Each field was parsed by its own schema above, so the whole parses too.
  return Choices.parse(kept);
}

const MAX_RUNS = 12;
const KEYS = {
  choices: 'servetune.choices',
  runs: 'servetune.runs',
  device: 'servetune.device',
  trace: 'servetune.trace',
} as const;

/**
 * What ServeTune remembers between sessions. Everything read back is validated: a stored value from an
 * older version that no longer parses is dropped, never trusted.
 */
export class Store {
  private readonly changeListeners: (() => void)[] = [];

  constructor(
    private readonly workspace: vscode.Memento,
    private readonly global: vscode.Memento,
  ) {}

  onDidChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }

  choices(): Choices {
    return {
      ...storedChoices(this.global.get(KEYS.choices)),
      ...storedChoices(this.workspace.get(KEYS.choices)),
    };
  }

  async remember(choices: Partial<Choices>): Promise<void> {
    const next = { ...this.choices(), ...choices };
    await this.workspace.update(KEYS.choices, next);
    await this.global.update(KEYS.choices, next);
    this.changed();
  }

  runs(): StoredRun[] {
    const raw = this.workspace.get<unknown[]>(KEYS.runs) ?? [];
    return (Array.isArray(raw) ? raw : []).flatMap((entry) => {
      const parsed = StoredRun.safeParse(entry);
      return parsed.success ? [parsed.data] : [];
    });
  }

  lastRun(): StoredRun | undefined {
    return this.runs()[0];
  }

  run(id: string): StoredRun | undefined {
    return this.runs().find((r) => r.summary.id === id);
  }

  async addRun(run: StoredRun): Promise<void> {
    await this.workspace.update(KEYS.runs, [run, ...this.runs()].slice(0, MAX_RUNS));
    this.changed();
  }

  device(): DeviceSummary | undefined {
    const parsed = DeviceSummary.safeParse(this.global.get(KEYS.device));
    return parsed.success ? parsed.data : undefined;
  }

  async setDevice(device: DeviceSummary): Promise<void> {
    await this.global.update(KEYS.device, device);
    this.changed();
  }

  /** The trace imported as this workspace's workload, with its summary. */
  trace(): ImportTraceResult | undefined {
    const parsed = ImportTraceResult.safeParse(this.workspace.get(KEYS.trace));
    return parsed.success ? parsed.data : undefined;
  }

  async setTrace(trace: ImportTraceResult): Promise<void> {
    await this.workspace.update(KEYS.trace, trace);
    this.changed();
  }
}
