import { VALIDATE_DEFAULTS } from '../../engine/validate/defaults.js';
import type { ValidationReport } from '../../engine/validate/report.js';
import { cancelled } from '../cancel.js';
import type { Handler } from '../handlers.js';

/**
 * Where a progress line of the validation puts the run, in percent: the profile is the first half, the
 * serving run the second. Lines it does not recognize leave the position where it was, so a reworded
 * line costs the bar its movement, never its message.
 */
export function validationPercent(line: string, previous: number): number {
  const profile = /profile \[(\d+)\/(\d+)\]/.exec(line);
  if (profile) return (50 * Number(profile[1])) / Math.max(1, Number(profile[2]));
  const served = /(\d+)\/(\d+) requests done/.exec(line);
  if (served) return 50 + (50 * Number(served[1])) / Math.max(1, Number(served[2]));
  if (/^serving /.test(line.trim())) return 50;
  return previous;
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
  let percent = 0;
  let report: ValidationReport;
  try {
    report = await runValidation({
      quick: params.quick,
      model: presetModel(defaults.preset),
      workload: defaults.workload,
      requests: params.requests ?? defaults.requests,
      utilization: defaults.utilization,
      seed: 0,
      policy: 'vllm-v1',
      maxNumSeqs: defaults.maxNumSeqs,
      maxNumBatchedTokens: 64,
      blockSize: 16,
      dtype: 'f32',
      signal: context.signal,
      onProgress: (line) => {
        context.log('info', `validate: ${line.trim()}`);
        percent = validationPercent(line, percent);
        context.progress(percent, 100, line.trim());
      },
    });
  } catch (error) {
    if (context.signal.aborted) throw cancelled();
    throw error;
  }
  if (context.signal.aborted) throw cancelled();
  return report;
};
