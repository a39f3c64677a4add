// Ticks for the charts' logarithmic axes. Chart.js labels a log axis's 1-2-3-5 ticks and every tick in
// the last fifth of its list (`Ticks.formatters.logarithmic`, chart.js 4.6.1
// dist/chunks/index.js): over less than a decade that labels minor ticks a few pixels apart
// ("0.101 0.102 0.103 0.105" on a TTFT axis from 0.10 to 0.14 s) and draws a grid line at each.

/** The round step nearest `rough` (by ratio): 1, 2, 2.5 or 5 times a power of ten. */
function roundStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const distance = (factor: number) => Math.abs(Math.log(rough / (factor * power)));
  const factor = [1, 2, 2.5, 5, 10].reduce((best, f) => (distance(f) < distance(best) ? f : best));
  return factor * power;
}

/** `value` without the float noise of a sum of steps (0.30000000000000004 → 0.3). */
const clean = (value: number) => Number(value.toPrecision(12));

/** The largest of 1, 2 and 5 times a power of ten at or below `value`. */
function oneTwoFiveAtOrBelow(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  const factor = [5, 2, 1].find((f) => f * power <= value * (1 + 1e-9)) ?? 1;
  return clean(factor * power);
}

/**
 * The ticks of a log axis from `min` to `max`: 1, 2 and 5 times each power of ten over a decade or more;
 * round, evenly spaced values (about five) over less. The first is at or below `min`, so that the
 * lowest points have a labelled value under them (a cost axis from 2.3 to 9 labelled only 4, 6 and 8
 * left them unread); the chart lowers its axis to it. Empty where the range is not a positive one (the
 * chart keeps its own ticks).
 */
export function logAxisTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > min) || !Number.isFinite(max)) return [];
  const notBelow = (from: number) => (v: number) => v >= from * (1 - 1e-9) && v <= max * (1 + 1e-9);
  if (max / min >= 10) {
    const first = oneTwoFiveAtOrBelow(min);
    const ticks: number[] = [];
    for (let power = Math.floor(Math.log10(first)); power <= Math.ceil(Math.log10(max)); power++)
      for (const m of [1, 2, 5]) ticks.push(clean(m * 10 ** power));
    return ticks.filter(notBelow(first));
  }
  const step = roundStep((max - min) / 4);
  const below = Math.floor(min / step + 1e-9) * step;
  // A step wider than `min` would put the first tick at 0, which a log axis cannot show.
  const ticks = below > 0 ? [] : [oneTwoFiveAtOrBelow(min)];
  for (let v = below > 0 ? below : Math.ceil(min / step - 1e-9) * step; v <= max * (1 + 1e-9); v += step)
    ticks.push(clean(v));
  return ticks.filter(notBelow(ticks[0]));
}

/** A tick's label: at most three significant figures and no trailing zeros ("0.15", not "0.150"). */
export function tickLabel(value: number): string {
  return Number(value.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 12 });
}
