// How a flag on a command line must be written for the engine to take it. The knob tables match
// spellings loosely (`findFlag`: any case, any leading dashes, `_` for `-`) because Helm values and
// platform resources name the same knobs as `maxModelLen` or `max_model_len`. The engines' own
// parsers (argparse, click, clap) match a command-line flag's case and leading dashes exactly.
import { commandLineNames, type FlagMatch } from './index.js';

/** The flag's name as compared on a command line: `_` and `-` alike (vLLM takes both), nothing else. */
const written = (name: string) => name.replace(/_/g, '-');

/**
 * The spelling the engine takes, where `name` matched `match` only loosely (`--MAX-NUM-SEQS`,
 * `---max-num-seqs`, `--maxNumSeqs`, `--tp` for vLLM's `-tp`); undefined where it is written as the
 * engine takes it.
 */
export function strictSpelling(name: string, match: FlagMatch): string | undefined {
  const spellings = commandLineNames(match.knob).map((spelling) =>
    match.negated ? `--no-${spelling.replace(/^-+/, '')}` : spelling,
  );
  if (spellings.some((spelling) => written(spelling) === written(name))) return undefined;
  return spellings.find((spelling) => spelling.startsWith('--')) ?? spellings[0];
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
