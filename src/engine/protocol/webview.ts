import { z } from 'zod';
import { AdapterInfo } from '../profile/schema.js';

// Messages between the extension host and its webviews (the sidebar dashboard, the Pareto and the
// validation panels). Both sides validate what they receive with these schemas; nothing is posted to a
// webview before it sends `ready` (the handshake: src/webview/api.ts connectToHost on the page,
// src/extension/views/channel.ts on the host).

// ---- The chart model: any result that is "points with two metrics" maps onto it -------------------

const ChartAxis = z.object({
  /** Key into each point's `metrics`. */
  metric: z.string(),
  label: z.string(),
  unit: z.string(),
  scale: z.enum(['linear', 'log']).default('linear'),
  better: z.enum(['lower', 'higher']),
});

/** The acceptable region (the SLO box), in axis units; a missing bound is unbounded. */
const ChartRegion = z.object({
  xMin: z.number().optional(),
  xMax: z.number().optional(),
  yMin: z.number().optional(),
  yMax: z.number().optional(),
  label: z.string(),
});

export const ChartSpec = z.object({
  id: z.string(),
  title: z.string(),
  /** Charts of one group are alternatives (e.g. p50/p90/p99 of the same pair): one is shown at a time. */
  group: z.string(),
  variant: z.string().optional(),
  /** Of a group's variants, the one shown first (a search's: the SLO's percentile). */
  shownFirst: z.boolean().optional(),
  x: ChartAxis,
  y: ChartAxis,
  region: ChartRegion.nullable(),
});
export type ChartSpec = z.infer<typeof ChartSpec>;

const SettingValue = z.union([z.string(), z.number(), z.boolean()]);

export const ChartPoint = z.object({
  id: z.string(),
  label: z.string(),
  metrics: z.record(z.string(), z.number()),
  /** Ids of the charts on whose Pareto front this point lies. */
  fronts: z.array(z.string()),
  /** Meets every constraint of the run (fits in memory, meets the SLOs). */
  feasible: z.boolean(),
  /** The engine settings of this configuration, shown on selection and copied as text. */
  settings: z.record(z.string(), SettingValue),
  notes: z.array(z.string()).default([]),
});
export type ChartPoint = z.infer<typeof ChartPoint>;

/**
 * A serving engine and the behaviours it runs away from its defaults, in the words CodeLens and `tune`
 * use: what timed a chart's points, or what the editor's settings would time a run with.
 */
export const ChartEngine = z.object({ name: z.string().min(1), behaviour: z.array(z.string().min(1)) });
export type ChartEngine = z.infer<typeof ChartEngine>;

export const ChartModel = z.object({
  /** What produced the points, e.g. 'memory-plans' or 'search'. */
  kind: z.string(),
  title: z.string(),
  subtitle: z.string(),
  charts: z.array(ChartSpec).min(1),
  points: z.array(ChartPoint),
  bestId: z.string().nullable(),
  /** Why `bestId` is best, in words. */
  bestRule: z.string(),
  createdAt: z.string(),
  /** True while a run is still streaming points. */
  partial: z.boolean().default(false),
  /**
   * The serving engine that timed the points, with the behaviours it runs away from its defaults (as
   * CodeLens and `tune` name them: `eager`, `NCCL all-reduce`, `no overlap scheduling`, `MoE marlin`…);
   * absent where no engine timed them (memory plans).
   */
  engine: ChartEngine.optional(),
});
export type ChartModel = z.infer<typeof ChartModel>;

/** What the Pareto panel keeps across hide/show and window reloads (webview state and serializer). */
export const ParetoPanelState = z.object({
  model: ChartModel,
  selectedId: z.string().nullable(),
  /** Chosen variant per group (e.g. { latency: 'p90' }). */
  variants: z.record(z.string(), z.string()),
});
export type ParetoPanelState = z.infer<typeof ParetoPanelState>;

// ---- Validation on this machine: predicted against measured ---------------------------------------

/** One metric and statistic of a validation run, as the chart and table show it. */
export const ValidationRow = z.object({
  /** 'ttft', 'tpot', 'itl' or 'e2e'. */
  metric: z.string(),
  stat: z.enum(['mean', 'p90']),
  /** E.g. 'TTFT mean'. */
  label: z.string(),
  predictedSeconds: z.number(),
  measuredSeconds: z.number(),
  /** The two as shown, e.g. '2.71 ms'. */
  predictedText: z.string(),
  measuredText: z.string(),
  /** (predicted − measured) / measured. */
  relativeError: z.number(),
  /** The error as shown, e.g. '-8.0%'. */
  errorText: z.string(),
  /** |error| within the run's target. */
  withinTarget: z.boolean(),
  /** One of the metrics the target is set on (mean TTFT and mean TPOT). */
  targeted: z.boolean(),
});
export type ValidationRow = z.infer<typeof ValidationRow>;

/** What the validation panel draws: computed in the engine from a ValidationReport, only drawn there. */
export const ValidationChartModel = z.object({
  kind: z.literal('validation'),
  title: z.string(),
  subtitle: z.string(),
  /** E.g. 'TTFT -8.0%, TPOT -3.0%': the errors of the targeted metrics. */
  headline: z.string(),
  rows: z.array(ValidationRow),
  target: z.object({
    maxRelativeError: z.number(),
    met: z.boolean(),
    /** The target in words. */
    rule: z.string(),
  }),
  /** Facts of the run worth reading beside the chart (requests served, rate, step model fit). */
  notes: z.array(z.string()),
  createdAt: z.string(),
});
export type ValidationChartModel = z.infer<typeof ValidationChartModel>;

// ---- The dashboard --------------------------------------------------------------------------------

export const DeviceSummary = z.object({
  adapter: AdapterInfo,
  /** Present once the device was profiled. */
  measured: z
    .object({
      at: z.string(),
      quick: z.boolean(),
      gflopsF32: z.number(),
      gflopsF16: z.number().nullable(),
      copyGBps: z.number(),
      /** Catalog peaks of this device, when it is a known one. */
      peak: z.object({ gflopsF32: z.number(), memoryGBps: z.number() }).nullable(),
    })
    .nullable(),
});
export type DeviceSummary = z.infer<typeof DeviceSummary>;

/** One run in the dashboard's list of recent runs (what a run is, not its results: see StoredRun). */
export const RecentRun = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  at: z.string(),
  /** The best configuration of the run, in words; null when none qualified. */
  best: z.string().nullable(),
  hasChart: z.boolean(),
  /** The engine that timed the run's chart, where one did (its behaviours named). */
  engine: ChartEngine.optional(),
});
export type RecentRun = z.infer<typeof RecentRun>;

const DashboardAction = z.object({
  command: z.string(),
  label: z.string(),
});

export const DashboardState = z.object({
  device: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('unknown') }),
    z.object({ kind: z.literal('none'), reason: z.string() }),
    z.object({ kind: z.literal('found'), summary: DeviceSummary }),
  ]),
  engine: z.object({ status: z.string(), detail: z.string() }),
  defaults: z.object({
    model: z.string().nullable(),
    hardware: z.string(),
    gpus: z.number().int(),
    engineFlavour: z.string(),
    /** The engine the settings time the next run with (version, MoE backend), as the Pareto panel names one. */
    engine: ChartEngine.optional(),
  }),
  workload: z.string().nullable(),
  slo: z.object({
    percentile: z.string(),
    /** Null: no target (unconstrained). */
    ttftSeconds: z.number().nullable(),
    tbtSeconds: z.number().nullable(),
    /** The SLO in the words of its definition (e.g. "90% of requests within TTFT 2 s and …"). */
    words: z.string().optional(),
  }),
  runs: z.array(RecentRun),
  actions: z.array(DashboardAction),
  /** The last capacity plan: one row per GPU type (its cheapest deployment meeting the SLO). */
  capacity: z
    .object({
      runId: z.string(),
      heading: z.string(),
      /** The SLO in the words of its definition. */
      slo: z.string(),
      rows: z.array(
        z.object({
          hardware: z.string(),
          cheapest: z.boolean(),
          gpus: z.number().int().nullable(),
          configuration: z.string(),
          usdPerHour: z.string(),
          usdPerMillionTokens: z.string(),
          /** Its latencies at the SLO's percentile and its share within the SLO, in the CLI's words; '' without a plan. */
          latencies: z.string().default(''),
        }),
      ),
    })
    .nullable()
    .default(null),
  /** The last validation on this machine, when there is one. */
  validation: z
    .object({
      runId: z.string(),
      at: z.string(),
      headline: z.string(),
      met: z.boolean(),
      maxRelativeError: z.number(),
    })
    .nullable()
    .default(null),
});
export type DashboardState = z.infer<typeof DashboardState>;

// ---- Messages -------------------------------------------------------------------------------------

export const WebviewKind = z.enum(['dashboard', 'pareto', 'validation']);
export type WebviewKind = z.infer<typeof WebviewKind>;

export const HostToWebview = z.discriminatedUnion('type', [
  z.object({ type: z.literal('dashboard'), state: DashboardState }),
  z.object({ type: z.literal('chart'), state: ParetoPanelState }),
  z.object({ type: z.literal('export-png') }),
  z.object({ type: z.literal('validation'), model: ValidationChartModel }),
]);
export type HostToWebview = z.infer<typeof HostToWebview>;

export const WebviewToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), view: WebviewKind }),
  z.object({
    type: z.literal('run-command'),
    command: z.string().startsWith('servetune.'),
    args: z.array(z.string()).default([]),
  }),
  z.object({ type: z.literal('state'), state: ParetoPanelState }),
  z.object({ type: z.literal('copy'), pointId: z.string() }),
  z.object({ type: z.literal('apply'), pointId: z.string() }),
  z.object({ type: z.literal('export-csv') }),
  z.object({
    type: z.literal('export-png'),
    images: z.array(
      z.object({ chartId: z.string(), dataUrl: z.string().startsWith('data:image/png;base64,') }),
    ),
  }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type WebviewToHost = z.infer<typeof WebviewToHost>;
