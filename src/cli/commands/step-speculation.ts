import type { HardwareSpec } from '../../engine/hardware/spec.js';
import type { Plan } from '../../engine/memory/plan.js';
import type { ModelSpec } from '../../engine/model/spec.js';
import type { Calibration } from '../../engine/perf/calibration.js';
import type { StepReport } from '../../engine/perf/report.js';
import { type BatchShape, createBatchShape } from '../../engine/perf/shape.js';
import { describeSpeculation, type SpeculationConfig } from '../../engine/perf/speculation.js';
import { addVerifications, copyBatchShape } from '../../engine/perf/speculation-cost.js';
import { type BreakdownEntry, STEP_GROUP, type StepModel } from '../../engine/perf/step-model.js';
import { poolSpeculation } from '../../engine/sim/speculation-setup.js';
import { ServeTuneError } from '../../engine/util/errors.js';

export interface SpeculativeStep {
  draftSeconds: number;
  entry: BreakdownEntry;
  report: NonNullable<StepReport['speculation']>;
  summaryLine: string;
}

/**
 * `servetune step --speculative`: adds the decodes to `shape` as verifications of k drafted tokens
 * (the k an adaptive policy would pick for this batch), and returns the draft's passes as a breakdown
 * entry with the step's expected tokens per second against the same batch decoding plainly.
 */
export function speculativeStep(
  config: SpeculationConfig,
  model: ModelSpec,
  hardware: HardwareSpec,
  plan: Plan,
  stepModel: StepModel,
  calibration: Calibration | undefined,
  shape: BatchShape,
  batch: { decodeBatch: number; decodeContext: number },
): SpeculativeStep {
  const built = poolSpeculation(config, model, hardware, plan, stepModel, calibration, 0);
  if ('problems' in built) {
    throw new ServeTuneError(
      `--speculative: ${built.problems.join('; ')}`,
      'invalid-argument',
      '--speculative',
    );
  }
  const decoder = built.decoder;
  const { decodeBatch: n, decodeContext: context } = batch;
  const base = createBatchShape(model.slidingWindow);
  copyBatchShape(shape, base);
  const k = decoder.chooseK(base, n, n * context, context, stepModel);
  // A tree drafts over its depth and verifies its every node.
  const draftSeconds = decoder.cost.draftSeconds(n, n * context, context, k);
  const verified = decoder.tree !== null && k > 0 ? decoder.tree.size : k;
  addVerifications(shape, n, n * context, context, verified);
  const plain = createBatchShape(model.slidingWindow);
  copyBatchShape(base, plain);
  addVerifications(plain, n, n * context, context, 0);
  const expected = decoder.expected[k];
  const tokensPerSecond = (n * expected) / (stepModel.stepSeconds(shape) + draftSeconds);
  const tokensPerSecondWithout = n / stepModel.stepSeconds(plain);
  const setting = describeSpeculation(config);
  return {
    draftSeconds,
    entry: {
      name: 'spec_draft',
      kind: config.method === 'ngram' ? 'overhead' : 'linear',
      group: STEP_GROUP,
      bound: config.method === 'ngram' ? 'overhead' : 'memory',
      seconds: draftSeconds,
      calls: k,
      flops: 0,
      bytes: 0,
      detail: `${k} draft passes (${config.method})`,
    },
    report: {
      setting,
      k,
      expectedTokensPerSequence: expected,
      draftSeconds,
      tokensPerSecond,
      tokensPerSecondWithout,
    },
    summaryLine: `speculation ${setting}: ${n} decodes verify ${verified} drafted tokens each, ${expected.toFixed(2)} tokens expected per sequence; ${tokensPerSecond.toFixed(0)} tok/s against ${tokensPerSecondWithout.toFixed(0)} without`,
  };
}
