import { VALIDATE_DEFAULTS } from '../../engine/validate/defaults.js';
import type { ValidationReport } from '../../engine/validate/report.js';
import { cancelled } from '../cancel.js';
import type { Handler } from '../handlers.js';

/**
 * Where the validation's progress lines put the run, in percent: the profile 0–40, the warm-up serving
 * run 40–55, the validated serving run 55–100. Lines it does not recognize leave the position where it
 * was, so a reworded line costs the bar its movement, never its message.
 */
export class ValidationProgress {
  private phase: 'profile' | 'warm-up' | 'validated' = 'profile';
  percent = 0;

  update(line: string): number {
    const text = line.trim();
    const profile = /profile \[(\d+)\/(\d+)\]/.exec(text);
    const served = /(\d+)\/(\d+) requests done/.exec(text);
    if (profile) this.percent = (40 * Number(profile[1])) / Math.max(1, Number(profile[2]));
    else if (/^serving .*warm-up/.test(text)) [this.phase, this.percent] = ['warm-up', 40];
    else if (/^serving /.test(text)) [this.phase, this.percent] = ['validated', 55];
    else if (served && this.phase !== 'profile') {
      const [from, span] = this.phase === 'warm-up' ? [40, 15] : [55, 45];
      this.percent = from + (span * Number(served[1])) / Math.max(1, Number(served[2]));
    }
    return this.percent;
  }
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
  const progress = new ValidationProgress();
  let report: ValidationReport;
  try {
    report = await runValidation({
      quick: params.quick,
      model: presetModel(defaults.preset),
      workload: defaults.workload,
      requests: params.requests ?? defaults.requests,
      utilization: defaults.utilization,
      warmUpRequests: defaults.warmUpRequests,
      seed: 0,
      policy: 'vllm-v1',
      maxNumSeqs: defaults.maxNumSeqs,
      maxNumBatchedTokens: 64,
      blockSize: 16,
      dtype: 'f32',
      signal: context.signal,
      onProgress: (line) => {
        context.log('info', `validate: ${line.trim()}`);
        context.progress(progress.update(line), 100, line.trim());
      },
    });
  } catch (error) {
    if (context.signal.aborted) throw cancelled();
    throw error;
  }
  if (context.signal.aborted) throw cancelled();
  return report;
};
