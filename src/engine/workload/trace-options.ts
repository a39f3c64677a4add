import { existsSync } from 'node:fs';
import { ServeTuneError } from '../util/errors.js';
import type { Workload } from './types.js';

/**
 * What a `--workload` trace reference may ask of its file, after a `#`: `FILE#model=NAME` keeps the
 * requests sent to one model (BurstGPT records ChatGPT and GPT-4 rows, two different services).
 */
export interface TraceOptions {
  model?: string;
}

export interface TraceReference {
  file: string;
  options: TraceOptions;
}

const KNOWN = 'model=NAME';

function optionError(reference: string, message: string): ServeTuneError {
  return new ServeTuneError(
    `--workload '${reference}': ${message} (a trace takes FILE or FILE#${KNOWN}, e.g. burstgpt.csv#model=GPT-4)`,
    'invalid-argument',
    '--workload',
  );
}

function parseOptions(reference: string, text: string): TraceOptions {
  const options: TraceOptions = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part.trim() : part.slice(0, eq).trim();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (key !== 'model') throw optionError(reference, `unknown trace option '${key}'`);
    if (value === '') throw optionError(reference, 'model= needs a model name');
    options.model = value;
  }
  return options;
}

/**
 * The trace file a `--workload` value names, and its options: the whole value where such a file exists
 * (a file name may hold a `#`), else the part before the last `#` with the options after it; undefined
 * where neither names a file.
 */
export function traceReference(value: string): TraceReference | undefined {
  if (existsSync(value)) return { file: value, options: {} };
  const hash = value.lastIndexOf('#');
  if (hash <= 0 || !existsSync(value.slice(0, hash))) return undefined;
  return { file: value.slice(0, hash), options: parseOptions(value, value.slice(hash + 1)) };
}

/** How many requests each model has, most first; empty where the trace records no models. */
export function modelCounts(workload: Workload): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of workload.requests)
    if (r.model !== undefined) counts.set(r.model, (counts.get(r.model) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function countsText(counts: [string, number][]): string {
  return counts.map(([model, n]) => `${model} ${n.toLocaleString('en-US')}`).join(', ');
}

/**
 * A trace's workload as its options ask: one model's requests (the first moved to 0), or, where the
 * trace mixes models and none is picked, all of them with the mix in the source ("trace.csv (ChatGPT
 * 1,200, GPT-4 80)").
 */
export function applyTraceOptions(workload: Workload, reference: string, options: TraceOptions): Workload {
  const counts = modelCounts(workload);
  if (options.model === undefined) {
    return counts.length > 1
      ? { ...workload, source: `${workload.source} (${countsText(counts)})` }
      : workload;
  }
  if (counts.length === 0) {
    throw optionError(reference, `${workload.source} records no model per request (BurstGPT traces do)`);
  }
  const { model } = options;
  const kept = workload.requests.filter((r) => r.model === model);
  if (kept.length === 0) {
    throw optionError(reference, `no requests for model '${model}'; the trace has ${countsText(counts)}`);
  }
  const start = kept[0].arrival;
  return {
    ...workload,
    source: `${workload.source}#model=${model}`,
    requests: kept.map((r) => ({ ...r, arrival: r.arrival - start })),
  };
}
