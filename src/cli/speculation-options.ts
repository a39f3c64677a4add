import { InvalidArgumentError, Option } from 'commander';
import {
  parseAcceptance,
  parseSpeculation,
  type SpecAcceptance,
  SpeculationConfig,
} from '../engine/perf/speculation.js';
import { isServeTuneError, ServeTuneError } from '../engine/util/errors.js';

/** Engine errors become commander's, so a bad value reads as the option's own complaint. */
function asArgumentError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (isServeTuneError(error)) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

/**
 * `--speculative <method>:k=<n>[,policy=adaptive|per-request][,topk=<w>,tokens=<n>][,draft=<model>]
 * [,acceptance=<a>]`.
 */
export function speculativeOption(): Option {
  return new Option(
    '--speculative <setting>',
    `speculative decoding: <method>:k=<n>[,policy=adaptive|per-request][,topk=<w>,tokens=<n>][,draft=<model>][,acceptance=<a>] with method one of ${SpeculationConfig.shape.method.options.join(', ')} (e.g. eagle3:k=3, mtp:k=2, draft-model:k=4,draft=llama-3.2-1b). policy=adaptive picks k per step from the batch, policy=per-request each request's k from its observed acceptance; topk>1 drafts a tree of depth k verifying tokens nodes (eagle:k=5,topk=8,tokens=64); acceptance= as --spec-acceptance; docs/speculation.md`,
  ).argParser((text) => asArgumentError(() => parseSpeculation(text, '--speculative')));
}

/** `--spec-acceptance 0.8` or `0.9/0.8/0.7`: overrides the method's default acceptance. */
export function specAcceptanceOption(): Option {
  return new Option(
    '--spec-acceptance <rate>',
    "speculative acceptance per position: one rate in (0, 1) (e.g. 0.8) or per-position rates (0.9/0.8/0.7); default: the method's published rate",
  ).argParser((text) => asArgumentError(() => parseAcceptance(text, '--spec-acceptance')));
}

/** The speculation the flags ask for (the acceptance override applied), or undefined. */
export function speculationOfFlags(flags: {
  speculative?: SpeculationConfig;
  specAcceptance?: SpecAcceptance;
}): SpeculationConfig | undefined {
  if (!flags.speculative) {
    if (flags.specAcceptance !== undefined) {
      throw new ServeTuneError(
        '--spec-acceptance needs --speculative',
        'invalid-argument',
        '--spec-acceptance',
      );
    }
    return undefined;
  }
  return flags.specAcceptance === undefined
    ? flags.speculative
    : { ...flags.speculative, acceptance: flags.specAcceptance };
}
