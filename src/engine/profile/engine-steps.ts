import type { GpuContext } from '../gpu/device.js';
import { summarize, throwIfAborted } from '../gpu/timing.js';
import type { ShaderDtype } from '../gpu/types.js';
import { LocalModel, type ModelStepSequence } from '../kernels/local-model.js';
import type { ModelSpec } from '../model/spec.js';
import { spreadOf } from '../util/spread.js';
import type { EngineStepMeasurement, EngineStepTable } from './schema.js';

/** The engine whose steps are measured: its precision, token budget, sequences per step and block size. */
export interface EngineStepConfig {
  dtype: ShaderDtype;
  maxTokens: number;
  maxSequences: number;
  blockSize: number;
}

type StepBatch = Pick<
  EngineStepMeasurement,
  'prefillTokens' | 'prefillContext' | 'decodeBatch' | 'decodeContext'
>;

/**
 * The batch shapes the engine's chunked-prefill scheduler produces: decode-only steps of 1, 2, 4…
 * sequences up to max-num-seqs, whole-budget and half-budget prompt chunks alone, and a short and a
 * budget-filling chunk beside the other sequences' decodes.
 */
export function engineStepBatches(config: EngineStepConfig, decodeContext: number): StepBatch[] {
  const { maxTokens: t, maxSequences: s } = config;
  const batches: StepBatch[] = [];
  const decode = (n: number, chunk = 0) =>
    batches.push({ prefillTokens: chunk, prefillContext: 0, decodeBatch: n, decodeContext });
  for (let n = 1; n < s; n *= 2) decode(n);
  decode(s);
  if (t >= 4) decode(0, Math.floor(t / 2));
  if (s > 1 && t >= 8) decode(s - 1, Math.floor(t / 4));
  if (t >= 2) decode(0, t);
  if (s > 1 && t > s) decode(s - 1, t - (s - 1));
  return batches;
}

/**
 * Times the local reference engine's own step (`LocalModel.step`: every layer of the served model with
 * seeded random weights, final norm, LM head, argmax, read-back) at the shapes its scheduler produces.
 * The shapes are interleaved round by round so that other load on the machine falls on all of them
 * alike; each shape's mean over the rounds is recorded, because a serving engine pays the typical step.
 */
export async function measureEngineSteps(
  gpu: GpuContext,
  model: ModelSpec,
  config: EngineStepConfig,
  rounds: number,
  signal?: AbortSignal,
): Promise<EngineStepTable> {
  const decodeContext = Math.max(1, Math.min(64, model.maxContextLength - config.maxTokens - 1));
  const batches = engineStepBatches(config, decodeContext);
  const perSequence = Math.ceil((decodeContext + config.maxTokens + 1) / config.blockSize);
  const engine = new LocalModel(gpu, model, {
    dtype: config.dtype,
    maxTokens: config.maxTokens,
    maxSequences: config.maxSequences,
    kvBlocks: perSequence * config.maxSequences,
    blockSize: config.blockSize,
    seed: 1,
  });
  try {
    const tables = Array.from({ length: config.maxSequences }, () => engine.cache.allocate(perSequence));
    const steps = batches.map((b) => {
      const sequences: ModelStepSequence[] = [];
      const add = (tokens: number, context: number) =>
        sequences.push({
          tokens,
          context,
          blockTable: tables[sequences.length],
          tokenIds: Uint32Array.from({ length: tokens }, (_, i) => (7 * i + 3) % model.vocabSize),
          samples: true,
        });
      for (let i = 0; i < b.decodeBatch; i++) add(1, b.decodeContext);
      if (b.prefillTokens > 0) add(b.prefillTokens, b.prefillContext);
      return sequences;
    });
    const samples = batches.map(() => [] as number[]);
    for (let round = -2; round < rounds; round++) {
      throwIfAborted(signal);
      for (const [i, sequences] of steps.entries()) {
        const start = performance.now();
        await engine.step(sequences);
        if (round >= 0) samples[i].push((performance.now() - start) / 1000);
      }
    }
    const means = samples.map((xs) => xs.reduce((a, x) => a + x, 0) / xs.length);
    return {
      model: model.id,
      dtype: config.dtype,
      maxTokens: config.maxTokens,
      maxSequences: config.maxSequences,
      blockSize: config.blockSize,
      steps: batches.map((b, i) => ({
        ...b,
        meanSeconds: means[i],
        time: summarize(samples[i]),
      })),
      spread: spreadOf(samples.flatMap((xs, i) => xs.map((x) => x / means[i]))),
    };
  } finally {
    engine.destroy();
  }
}
