import { z } from 'zod';
import { findHardware } from '../hardware/catalog.js';
import type { HardwareSpec } from '../hardware/spec.js';
import { ServeTuneError } from '../util/errors.js';
import { decimal } from '../util/numbers.js';
import type { EvaluationMetrics } from './schema.js';

// What a configuration costs: the GPU-hour price (the catalog's public list price, or the user's own)
// times its GPUs, and per million tokens at the traffic it serves within the SLO.

/**
 * US dollars per GPU-hour, per catalog GPU id: the user's own prices (`--price`, servetune.json, the
 * editor's `servetune.prices`). A GPU may be named as `--price` takes it (`h100` is `h100-sxm`); one the
 * catalog lacks is refused, since its price would never apply and the catalog's would stand unsaid.
 */
export const PriceOverrides = z
  .record(z.string().min(1), z.number().positive().finite())
  .transform((given, ctx) => {
    const prices: Record<string, number> = {};
    for (const [name, usd] of Object.entries(given)) {
      const key = priceKey(prices, name);
      if ('problem' in key)
        ctx.issues.push({ code: 'custom', message: key.problem, path: [name], input: given });
      else prices[key.id] = usd;
    }
    return prices;
  });
export type PriceOverrides = z.infer<typeof PriceOverrides>;

/** The price a result used, and where it came from. */
export const PriceUsed = z.object({
  hardware: z.string(),
  usdPerGpuHour: z.number().positive(),
  /** `catalog`: the GPU catalog's public list price; `given`: the user's. */
  from: z.enum(['catalog', 'given']),
  /** The catalog price's offer, page and date; for a given price, where it was given. */
  source: z.string(),
});
export type PriceUsed = z.infer<typeof PriceUsed>;

/** What a configuration costs and delivers at the traffic it serves within the SLO. */
export const Cost = z.object({
  usdPerHour: z.number().nonnegative(),
  usdPerMillionOutputTokens: z.number().nonnegative().nullable(),
  usdPerMillionTotalTokens: z.number().nonnegative().nullable(),
  outputTokensPerSecondPerGpu: z.number().nonnegative(),
  outputTokensPerSecondPerUser: z.number().nonnegative(),
});
export type Cost = z.infer<typeof Cost>;

/**
 * Reads `h100-sxm=2.5,h200=3.6` (US dollars per GPU-hour, catalog ids or names) as price overrides.
 * Every malformed part is a ServeTuneError naming `flag` and the part.
 */
export function parsePriceOverrides(text: string, flag = '--price'): PriceOverrides {
  const prices: PriceOverrides = {};
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const fail = (problem: string): never => {
      throw new ServeTuneError(
        `${flag}: ${problem} in '${part}'; expected <gpu>=<US dollars per GPU-hour>, e.g. h100-sxm=2.5`,
        'invalid-argument',
        flag,
      );
    };
    if (equals < 0) fail('no =');
    const name = part.slice(0, equals).trim();
    const usdText = part
      .slice(equals + 1)
      .trim()
      .replace(/^\$/, '');
    const usd = decimal(usdText);
    if (usd === undefined || !(usd > 0)) fail('the price is not a positive number');
    const key = priceKey(prices, name);
    if ('problem' in key) fail(key.problem);
    else prices[key.id] = usd!;
  }
  if (Object.keys(prices).length === 0) {
    throw new ServeTuneError(
      `${flag}: no prices given; expected e.g. h100-sxm=2.5`,
      'invalid-argument',
      flag,
    );
  }
  return prices;
}

/**
 * The catalog id a price given for `name` (a catalog id or name) is for, or why it cannot be taken: a
 * GPU the catalog lacks (its price would never be used) or one `prices` already has (which holds?).
 */
function priceKey(
  prices: Readonly<Record<string, number>>,
  name: string,
): { id: string } | { problem: string } {
  const hardware = findHardware(name);
  if (!hardware) return { problem: `'${name}' is not a GPU of the catalog (servetune hardware lists them)` };
  if (prices[hardware.id] !== undefined) return { problem: `${hardware.id} is priced twice` };
  return { id: hardware.id };
}

/**
 * servetune.json's "prices" by catalog id: keys may be catalog ids or names, as `--price` takes them;
 * one the catalog lacks (whose price would silently never apply) is an error naming the file and key.
 */
export function workspacePriceOverrides(
  given: Readonly<Record<string, number>>,
  file: string,
): PriceOverrides {
  const prices: PriceOverrides = {};
  for (const [name, usd] of Object.entries(given)) {
    const key = priceKey(prices, name);
    if ('problem' in key) {
      throw new ServeTuneError(
        `${file}: prices.${name}: ${key.problem}`,
        'invalid-config',
        `${file}:prices.${name}`,
      );
    }
    prices[key.id] = usd;
  }
  return prices;
}

/** The price of one GPU-hour of `hardware`: the user's where given, else the catalog's; null when neither. */
export function priceFor(
  hardware: HardwareSpec,
  overrides: PriceOverrides,
  givenWhere = '--price',
): PriceUsed | null {
  const given = overrides[hardware.id];
  if (given !== undefined) {
    return { hardware: hardware.id, usdPerGpuHour: given, from: 'given', source: givenWhere };
  }
  const listed = hardware.price;
  if (!listed) return null;
  return {
    hardware: hardware.id,
    usdPerGpuHour: listed.usdPerGpuHour,
    from: 'catalog',
    source: `${listed.offer}, ${listed.source} (${listed.asOf})`,
  };
}

/** Cost of `gpus` GPUs at `price` serving the run `metrics` describes (per million tokens at its throughput). */
export function costOf(metrics: EvaluationMetrics, gpus: number, price: PriceUsed): Cost {
  const usdPerHour = price.usdPerGpuHour * gpus;
  const perMillion = (tokensPerSecondPerGpu: number) =>
    tokensPerSecondPerGpu > 0 ? usdPerHour / ((tokensPerSecondPerGpu * gpus * 3600) / 1e6) : null;
  return {
    usdPerHour,
    usdPerMillionOutputTokens: perMillion(metrics.throughputPerGpu),
    usdPerMillionTotalTokens: perMillion(metrics.totalThroughputPerGpu ?? metrics.throughputPerGpu),
    outputTokensPerSecondPerGpu: metrics.throughputPerGpu,
    outputTokensPerSecondPerUser: metrics.speedPerUser,
  };
}

/** '$2.69/GPU-h (catalog: RunPod …)' */
export function priceText(price: PriceUsed): string {
  return `$${price.usdPerGpuHour.toFixed(2)}/GPU-hour of ${price.hardware} (${price.from === 'given' ? `given in ${price.source}` : price.source})`;
}
