import { fileURLToPath } from 'node:url';
import { VALIDATE_DEFAULTS } from '../../engine/validate/defaults.js';
import type { ValidationReport } from '../../engine/validate/report.js';
import { cancelled } from '../cancel.js';
import type { Handler } from '../handlers.js';

/**
 * Turns the validation's progress lines into one bar, in percent: the profile fills the first half;
 * the warm-up takes a fifth of what remains; the serving after it (a twin and the validated run, in
 * blocks) fills the rest, each block an equal share, filled as its requests complete. Lines it does not
 * recognize leave the bar where it is, so a reworded line costs the bar its movement, never its
 * message; it never moves back.
 */
export function validationProgress(): (line: string) => number {
  let percent = 0;
  let segment = { start: 0, span: 0 };
  let region = { start: 0, span: 0 };
  return (line) => {
    const text = line.trim();
    const profile = /profile \[(\d+)\/(\d+)\]/.exec(text);
    const block = /^serving block (\d+)\/(\d+)/.exec(text);
    const served = /(\d+)\/(\d+) requests done/.exec(text);
    let next = percent;
    if (profile) next = (50 * Number(profile[1])) / Math.max(1, Number(profile[2]));
    else if (block) {
      const share = region.span / Math.max(1, Number(block[2]));
      segment = { start: region.start + share * (Number(block[1]) - 1), span: share };
      next = segment.start;
    } else if (/^serving /.test(text)) {
      const start = Math.max(percent, 50);
      segment = { start, span: (100 - start) * (/warm-up/.test(text) ? 1 / 5 : 1) };
      if (!/warm-up/.test(text)) region = segment;
      next = start;
    } else if (served) {
      next = segment.start + (segment.span * Number(served[1])) / Math.max(1, Number(served[2]));
    }
    percent = Math.max(percent, Math.min(100, next));
    return percent;
  };
}

/**
 * "Validate on this machine": `servetune validate` with its defaults (the CLI's, utilization included),
 * optionally with fewer requests. Every line of the run goes to the log and, as progress, to the editor.
 * A cancelled run stops the profile between repetitions and the serving run at once (requests in flight
 * are dropped); the request then fails as cancelled rather than returning a report of half a run.
 */
export const validateHandler: Handler<'validate'> = async (params, context) => {
  const { runValidation } = await import('../../engine/validate/validate.js');
  const { presetModel } = await import('../../engine/serve/local/presets.js');
  const defaults = params.quick ? VALIDATE_DEFAULTS.quick : VALIDATE_DEFAULTS.full;
  const percentOf = validationProgress();
  let report: ValidationReport;
  try {
    report = await runValidation({
      quick: params.quick,
      model: presetModel(defaults.preset),
      workload: defaults.workload,
      requests: params.requests ?? defaults.requests,
      utilization: defaults.utilization,
      warmUpRequests: defaults.warmUpRequests,
      blockRequests: defaults.blockRequests,
      // The CLI bundled beside this worker runs the load generator, in a process of its own.
      benchCommand: {
        command: process.execPath,
        args: [fileURLToPath(new URL('./cli.mjs', import.meta.url))],
      },
      seed: 0,
      policy: 'vllm-v1',
      maxNumSeqs: defaults.maxNumSeqs,
      maxNumBatchedTokens: 64,
      blockSize: 16,
      dtype: 'f32',
      signal: context.signal,
      onProgress: (line) => {
        context.log('info', `validate: ${line.trim()}`);
        context.progress(percentOf(line), 100, line.trim());
      },
    });
  } catch (error) {
    if (context.signal.aborted) throw cancelled();
    throw error;
  }
  if (context.signal.aborted) throw cancelled();
  return report;
};
