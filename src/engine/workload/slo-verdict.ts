import { z } from 'zod';
import { ServeTuneError } from '../util/errors.js';
import { parseSloTargets, type SloTargetRules, SloTargets, sloTargetForm } from './slo.js';

// The one definition of a service-level objective and the one evaluator of it: `simulate` (goodput),
// `search` (the highest rate it holds at), `tune`, `bench`, the HTML report and the editor all judge a
// run here, so a configuration that a search says holds the SLO at a rate holds it when simulated there.

/** A percentile of a latency metric. */
export const SloPercentile = z.enum(['p50', 'p90', 'p99']);
export type SloPercentile = z.infer<typeof SloPercentile>;

/** Which statistic of a request's token gaps its `tbt` (ITL) target bounds: its largest gap, or a percentile. */
export const SloGapStatistic = z.enum(['max', 'p50', 'p90', 'p99']);
export type SloGapStatistic = z.infer<typeof SloGapStatistic>;

/**
 * The share of requests that must meet every target by default: 90%, the attainment DistServe and the
 * goodput literature report SLOs at.
 */
export const DEFAULT_ATTAINMENT = 0.9;

/**
 * An SLO: per-request latency targets and how a run is judged against them.
 * - `attainment` (the default): a run meets the SLO when at least `attainment` of its requests meet every
 *   target (TTFT, TPOT, the `gap` statistic of its token gaps, E2E): DistServe's "SLO attainment".
 * - `percentile`: the alternative form: a run meets it when the `percentile` of each metric over all
 *   requests (for TBT: over all token gaps) is within its target.
 * `percentile` is also the percentile results are shown at.
 */
export const SloDefinition = SloTargets.extend({
  form: z.enum(['attainment', 'percentile']).default('attainment'),
  /** Attainment form: the share of requests that must meet every target, in (0, 1]. */
  attainment: z.number().gt(0).lte(1).default(DEFAULT_ATTAINMENT),
  /** Percentile form: the percentile of each metric that must be within its target; the shown percentile. */
  percentile: SloPercentile.default('p90'),
  /** Attainment form: what of a request's token gaps its `tbt` target bounds. */
  gap: SloGapStatistic.default('p90'),
});
export type SloDefinition = z.infer<typeof SloDefinition>;
export type SloDefinitionInput = z.input<typeof SloDefinition>;

/** An SLO without targets: goodput is not counted. */
export const NO_SLO: SloDefinition = Object.freeze(SloDefinition.parse({}));

/** What the evaluator needs of one finished request, seconds. */
export interface RequestLatencies {
  ttft: number;
  /** Mean time per output token after the first (0 for a single-token request). */
  tpot: number;
  e2e: number;
  /** The request's largest gap between two tokens. */
  maxGap: number;
  /** Gaps between its tokens (output tokens − 1), and how many of them exceed the SLO's `tbt`. */
  gaps: number;
  gapsOverTbt: number;
}

const GAP_QUANTILE: Record<Exclude<SloGapStatistic, 'max'>, number> = { p50: 0.5, p90: 0.9, p99: 0.99 };

/**
 * Whether the `gap` statistic of a request's gaps is within `tbt`: its largest gap, or its q-quantile
 * (nearest rank: the ceil(q·n)-th smallest of n gaps), which is within `tbt` when at most n − ceil(q·n)
 * gaps exceed it. Counting the gaps over the target keeps the simulator from storing every gap.
 */
function gapsMeet(slo: SloDefinition, r: RequestLatencies): boolean {
  if (slo.tbt === undefined || r.gaps === 0) return true;
  if (slo.gap === 'max') return r.maxGap <= slo.tbt;
  const allowed = r.gaps - Math.ceil(GAP_QUANTILE[slo.gap] * r.gaps - 1e-9);
  return r.gapsOverTbt <= allowed;
}

/** Whether one request meets every target of the SLO (the per-request part of the definition). */
export function requestMeetsSlo(slo: SloDefinition, r: RequestLatencies): boolean {
  return (
    (slo.ttft === undefined || r.ttft <= slo.ttft) &&
    (slo.tpot === undefined || r.tpot <= slo.tpot) &&
    (slo.e2e === undefined || r.e2e <= slo.e2e) &&
    gapsMeet(slo, r)
  );
}

/** Whether an SLO gives any target. */
export function hasSloTargets(slo: SloTargets): boolean {
  return slo.ttft !== undefined || slo.tpot !== undefined || slo.tbt !== undefined || slo.e2e !== undefined;
}

type Percentiles = Record<SloPercentile, number>;

/** What the evaluator needs of a run: its attainment and its metrics' percentiles over all requests. */
export interface RunLatencies {
  /** False when the run did not finish its requests (queues grew without end): it meets no SLO. */
  stable: boolean;
  /** Share of completed requests meeting every target (`requestMeetsSlo`). */
  attainment: number;
  ttft: Percentiles;
  /** Over all token gaps. */
  tbt: Percentiles;
  tpot: Percentiles;
  e2e: Percentiles;
}

export interface SloVerdict {
  meets: boolean;
  /**
   * Head-room: attainment form, the attained share minus the required one (0.05: 5 points to spare);
   * percentile form, the smallest relative head-room of a metric under its target (0.2: each at least
   * 20% under). Negative when not met; −∞ for an unstable run.
   */
  margin: number;
}

/** The one evaluator: whether a run meets the SLO, by its form. */
export function sloVerdict(slo: SloDefinition, run: RunLatencies): SloVerdict {
  if (!run.stable) return { meets: false, margin: Number.NEGATIVE_INFINITY };
  if (slo.form === 'attainment') {
    const margin = run.attainment - slo.attainment;
    return { meets: margin >= -1e-12, margin };
  }
  const p = slo.percentile;
  const pairs: [number, number | undefined][] = [
    [run.ttft[p], slo.ttft],
    [run.tbt[p], slo.tbt],
    [run.tpot[p], slo.tpot],
    [run.e2e[p], slo.e2e],
  ];
  const margins = pairs.flatMap(([value, target]) =>
    target === undefined ? [] : [(target - value) / target],
  );
  const margin = margins.length === 0 ? 0 : Math.min(...margins);
  return { meets: margin >= 0, margin };
}

const latency = (s: number) =>
  s >= 1 ? `${Number(s.toPrecision(3))} s` : `${Number((s * 1e3).toPrecision(3))} ms`;

/** The SLO in the words of its definition, e.g. "90% of requests within TTFT 2 s and max token gap 100 ms". */
export function sloInWords(slo: SloDefinition): string {
  const gapName =
    slo.form === 'percentile' ? 'TBT' : slo.gap === 'max' ? 'max token gap' : `${slo.gap} token gap`;
  const parts = [
    slo.ttft === undefined ? null : `TTFT ${latency(slo.ttft)}`,
    slo.tpot === undefined ? null : `TPOT ${latency(slo.tpot)}`,
    slo.tbt === undefined ? null : `${gapName} ${latency(slo.tbt)}`,
    slo.e2e === undefined ? null : `E2E ${latency(slo.e2e)}`,
  ].filter((x): x is string => x !== null);
  if (parts.length === 0) return 'no latency targets';
  if (slo.form === 'percentile') return `${slo.percentile} over all requests: ${parts.join(', ')}`;
  const share = Number((slo.attainment * 100).toPrecision(4));
  return `${share}% of requests within ${parts.join(' and ')}`;
}

/** The parts of `--slo` that say how a run is judged rather than give a target. */
const FORM_KEYS = ['attainment', 'percentile', 'gap'] as const;
type FormKey = (typeof FORM_KEYS)[number];

/** The form parts `--slo` takes besides its targets, for help texts. */
export const SLO_FORM_HELP =
  "attainment=<share> (default 90%: that share of requests meets every target), or percentile=p50|p90|p99 (that percentile of each metric over all requests meets it); gap=max|p50|p90|p99: what of a request's token gaps tbt bounds (default p90)";

function formFail(flag: string, problem: string, got: string, rules: SloTargetRules): never {
  throw new ServeTuneError(
    `${flag}: ${problem}, got '${got}'; expected ${sloTargetForm(rules)}[,attainment=90%|percentile=p90][,gap=max|p90]`,
    'invalid-argument',
    flag,
  );
}

function parseAttainment(text: string, part: string, flag: string, rules: SloTargetRules): number {
  const match = /^(\d+(?:\.\d*)?|\.\d+)\s*(%)?$/.exec(text);
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : Number.NaN;
  if (!(value > 0 && value <= 1))
    formFail(flag, 'attainment is a share in (0, 1] or a percentage', part, rules);
  return value;
}

function applyFormPart(
  slo: Partial<SloDefinition>,
  key: FormKey,
  text: string,
  part: string,
  flag: string,
  rules: SloTargetRules,
) {
  const value = text.toLowerCase();
  if (key === 'attainment') {
    slo.form = 'attainment';
    slo.attainment = parseAttainment(value, part, flag, rules);
  } else if (key === 'percentile') {
    const p = SloPercentile.safeParse(value);
    if (!p.success) formFail(flag, 'percentile is p50, p90 or p99', part, rules);
    slo.form = 'percentile';
    slo.percentile = p.data;
  } else {
    const g = SloGapStatistic.safeParse(value);
    if (!g.success) formFail(flag, 'gap is max, p50, p90 or p99', part, rules);
    slo.gap = g.data;
  }
}

/**
 * Reads the whole `--slo`: its targets (`parseSloTargets`, held to `rules`) and the parts that say how a
 * run is judged: `attainment=90%` (or `0.9`), `percentile=p90` (the alternative form), `gap=max|p90`.
 * Attainment and percentile exclude each other. Every malformed form is a ServeTuneError naming `flag`.
 */
export function parseSlo(text: string, rules: SloTargetRules, flag = '--slo'): SloDefinition {
  const form: Partial<SloDefinition> = {};
  const seen = new Set<FormKey>();
  const targetParts: string[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const equals = part.indexOf('=');
    const key = part.slice(0, Math.max(0, equals)).trim().toLowerCase() as FormKey;
    if (!FORM_KEYS.includes(key)) {
      targetParts.push(part);
      continue;
    }
    if (seen.has(key)) formFail(flag, `${key} is given twice`, text, rules);
    seen.add(key);
    applyFormPart(form, key, part.slice(equals + 1).trim(), part, flag, rules);
  }
  if (seen.has('attainment') && seen.has('percentile')) {
    formFail(flag, 'give attainment or percentile, not both', text, rules);
  }
  const targets = parseSloTargets(targetParts.join(','), rules, flag);
  return SloDefinition.parse({ ...targets, ...form });
}
