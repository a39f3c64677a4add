/**
 * The dimensions an op table is keyed by, and the rule each one follows between and beyond its measured
 * values. Time grows with most shape dimensions as a power law whose exponent depends on the regime
 * (launch-bound ~0, bandwidth- or compute-bound ~1, attention's context up to 2), so interpolation works
 * on log-log lines and extrapolation continues the outermost measured slope, clamped to what the regime
 * allows.
 */
export type AxisValue = number | string;

/** Smallest and largest exponent of time in this dimension that an extrapolation may use. */
type ExponentRange = readonly [number, number];

export interface NumericAxis {
  readonly kind: 'numeric';
  /** The query field, as notes name it (`m`, `isl`, `bytes`). */
  readonly name: string;
  /**
   * Between two measured values: `log-log` (a power law through both), or `saturating` (linear where
   * time grows nearly in proportion, i.e. past saturation, and log-log below it).
   */
  readonly between: 'log-log' | 'saturating';
  readonly below: ExponentRange;
  readonly above: ExponentRange;
  /** The exponent assumed where only one value was measured. */
  readonly assumed: number;
}

export interface ChoiceAxis {
  readonly kind: 'choice';
  readonly name: string;
  /** What to try, in order, when a value was not measured (e.g. fp8_block → fp8 → bfloat16). */
  readonly substitutes?: Readonly<Record<string, readonly string[]>>;
  /** Values are numbers written as text (window sizes): an unmeasured one takes the nearest (log scale). */
  readonly nearestNumber?: boolean;
}

export type Axis = NumericAxis | ChoiceAxis;

/** Past saturation: the local exponent at which linear interpolation replaces the log-log line. */
const SATURATED_EXPONENT = 0.8;

export function numeric(
  name: string,
  rule: { between?: NumericAxis['between']; below?: ExponentRange; above?: ExponentRange; assumed?: number },
): NumericAxis {
  return {
    kind: 'numeric',
    name,
    between: rule.between ?? 'log-log',
    below: rule.below ?? [0, 1],
    above: rule.above ?? [1, 1],
    assumed: rule.assumed ?? 1,
  };
}

export function choice(name: string, options: Omit<ChoiceAxis, 'kind' | 'name'> = {}): ChoiceAxis {
  return { kind: 'choice', name, ...options };
}

/** The exponent of the power law through two measured points. */
export function localExponent(x0: number, t0: number, x1: number, t1: number): number {
  return Math.log(t1 / t0) / Math.log(x1 / x0);
}

export function clampExponent(exponent: number, [low, high]: ExponentRange): number {
  if (!Number.isFinite(exponent)) return low;
  return Math.min(high, Math.max(low, exponent));
}

/** Time at x between two measured points, and the rule used. */
export function interpolate(
  axis: NumericAxis,
  x: number,
  x0: number,
  t0: number,
  x1: number,
  t1: number,
): { time: number; rule: 'linear' | 'log-log' } {
  const exponent = localExponent(x0, t0, x1, t1);
  if (axis.between === 'saturating' && exponent >= SATURATED_EXPONENT) {
    return { time: t0 + ((t1 - t0) * (x - x0)) / (x1 - x0), rule: 'linear' };
  }
  return { time: t0 * (x / x0) ** exponent, rule: 'log-log' };
}
