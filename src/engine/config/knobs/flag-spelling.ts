// How a flag on a command line must be written for the engine to take it. The knob tables match
// spellings loosely (`findFlag`: any case, any leading dashes, `_` for `-`) because Helm values and
// platform resources name the same knobs as `maxModelLen` or `max_model_len`. The engines' own
// parsers (argparse, click, clap) match a command-line flag's case and leading dashes exactly, and its
// words as the launcher's parser takes them (`Launcher.flagWords`).
import { ENGINES, type EngineId } from '../engines/index.js';
import type { FlagWords } from '../engines/types.js';
import { commandLineNames, type FlagMatch, type Knob, normalizeName } from './index.js';

/** A flag's name with its words joined as `words` says (`--tp_size` as `--tp-size` for '-'). */
function joined(name: string, words: FlagWords): string {
  if (words === 'either') return name.replace(/_/g, '-');
  return name.replace(
    /^(-*)(.*)$/s,
    (_, dashes: string, rest: string) => dashes + rest.replace(/[-_]/g, words),
  );
}

/**
 * The long flag a launcher whose parser joins words so takes for `knob`: the first of its names already
 * written that way (Dynamo's `--tensor-parallel-size` where trtllm-serve's is `--tp_size`), else its
 * flag so joined (`--max-batch-size`). Undefined where the knob has no long flag.
 */
export function longFlagFor(knob: Knob, words: FlagWords | undefined): string | undefined {
  if (!knob.flag) return undefined;
  if (words === undefined || words === 'either') return knob.flag;
  const native = commandLineNames(knob).find((name) => name.startsWith('--') && joined(name, words) === name);
  return native ?? joined(knob.flag, words);
}

/**
 * The long flag the engine's launcher named `launcher` (its program or Python module) takes for `knob`:
 * the table's own for that launcher (`Knob.launcherFlags`), else the knob's flag joined as its parser
 * joins words. Undefined where the knob has no flag.
 */
export function launcherFlag(engine: EngineId, knob: Knob, launcher: string): string | undefined {
  const own = knob.launcherFlags?.[launcher];
  if (own) return own;
  const found = ENGINES[engine].launchers.find(
    (l) => ('program' in l ? l.program : l.pythonModule) === launcher,
  );
  return longFlagFor(knob, found?.flagWords);
}

/**
 * The spelling the engine takes, where `name` matched `match` only loosely (`--MAX-NUM-SEQS`,
 * `---max-num-seqs`, `--maxNumSeqs`, `--tp` for vLLM's `-tp`, `--max_running_requests` for SGLang,
 * `--max-batch-size` for trtllm-serve); undefined where it is written as the engine takes it.
 * A knob's names, joined as the parser joins words, are what it takes. The suggestion is one the
 * table already spells that way (the same words first), else the knob's flag so joined: a knob
 * table can hold two launchers' names (trtllm-serve's `--tp_size`, Dynamo's `--tensor-parallel-size`).
 */
export function strictSpelling(
  name: string,
  match: FlagMatch,
  words: FlagWords,
  options: { longOnly?: boolean } = {},
): string | undefined {
  const negated = (spelling: string) => (match.negated ? `--no-${spelling.replace(/^-+/, '')}` : spelling);
  // A config file's key becomes `--key`: only long names can be written there.
  const names = commandLineNames(match.knob).filter((n) => !options.longOnly || n.startsWith('--'));
  const taken = names.map((spelling) => negated(joined(spelling, words)));
  // Where the parser takes either, `name` is compared as it compares it; else as written.
  if (taken.includes(words === 'either' ? joined(name, 'either') : name)) return undefined;
  const native = names.filter((spelling) => joined(spelling, words) === spelling).map(negated);
  const sameWords = native.find((spelling) => normalizeName(spelling) === normalizeName(name));
  return (
    sameWords ??
    native.find((spelling) => spelling.startsWith('--')) ??
    taken.find((spelling) => spelling.startsWith('--')) ??
    taken[0]
  );
}

/**
 * The key path the engine takes, where a key of its own config file matched `match` only loosely;
 * undefined where it is written as the engine takes it. Flag-named files (vLLM's and SGLang's `--config`)
 * turn each key into `--key` for the launcher's parser, so its rule holds (vllm/utils/argparse_utils.py
 * @ 00da11e3 load_config_file; sgl-project/sglang python/sglang/srt/server_args_config_parser.py
 * @ 06c48ca8, `f"--{key}"`). TensorRT-LLM's options YAML is validated by pydantic models that forbid
 * extra fields (NVIDIA/TensorRT-LLM tensorrt_llm/llmapi/llm_args.py @ 00043967, BaseLlmArgs(StrictBaseModel)),
 * which take each field by its exact snake_case name.
 */
export function strictKeySpelling(
  engine: EngineId,
  path: readonly string[],
  match: FlagMatch,
): string | undefined {
  const { configFile, launchers } = ENGINES[engine];
  if (configFile?.keys === 'flag-names') {
    if (path.length !== 1) return undefined;
    const strict = strictSpelling(`--${path[0]}`, match, launchers[0].flagWords, { longOnly: true });
    return strict?.replace(/^--/, '');
  }
  const own = match.knob.yamlPath;
  return own && own.join('.') !== path.join('.') ? own.join('.') : undefined;
}

/**
 * Dashes that are not the hyphen-minus a flag starts with: the en and em dashes, the hyphen and minus
 * signs that word processors, chat tools and web pages put in place of `--` (`—max-num-seqs`).
 */
const DASH_LOOKALIKE = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/;
const LEADING_DASHES = /^[-\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]+/;

/**
 * A word that would be a flag but for a look-alike dash, as the flag it was meant to be (`—max-num-seqs`
 * and `–-max-num-seqs=8` as `--max-num-seqs`); undefined for any other word.
 */
export function flagBehindLookalikeDash(word: string): { flag: string; dashes: string } | undefined {
  const dashes = LEADING_DASHES.exec(word)?.[0];
  if (!dashes || !DASH_LOOKALIKE.test(dashes) || !/^[A-Za-z]/.test(word.slice(dashes.length)))
    return undefined;
  return { flag: `--${word.slice(dashes.length).split('=')[0]}`, dashes };
}
