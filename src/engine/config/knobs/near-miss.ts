import type { EngineId } from '../engines/index.js';
import { commandLineNames, knobTable, yamlPathOf } from './index.js';
import { type Knob, normalizeName } from './types.js';

/**
 * Edits that turn `a` into `b`: insert, delete or replace a character, or swap two neighbours
 * (optimal string alignment distance; a swapped pair is the commonest slip of the fingers).
 */
export function editDistance(a: string, b: string): number {
  return boundedEditDistance(a, b, Math.max(a.length, b.length));
}

/**
 * `editDistance(a, b)` where it is at most `bound`, else `bound + 1`. Only what the bound needs is
 * computed: names whose lengths differ by more are not compared, and a row whose every cell exceeds it
 * ends the count. A misspelt-flag check compares each unknown name with every known one, so a file of
 * thousands of flags, or one flag thousands of characters long, must cost no more than short names do.
 */
export function boundedEditDistance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  // Three rows of the table: two back (for a swapped pair), one back, and the one being filled.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowBest = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, before[j - 2] + 1);
      current[j] = best;
      rowBest = Math.min(rowBest, best);
    }
    if (rowBest > bound) return bound + 1;
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[b.length], bound + 1);
}

/**
 * How far a name of this length may be from a known one and still be a slip. Short names get none: one
 * letter tells real flags apart there (SGLang's --tp-size, --pp-size, --dp-size, --ep-size), and an
 * engine's hundreds of flags the table does not model must not read as typos of the ones it does.
 */
function slipAllowance(length: number): number {
  if (length >= 16) return 2;
  return length >= 8 ? 1 : 0;
}

function flagSpellings(knob: Knob): string[] {
  const names = commandLineNames(knob);
  // `--no-x` is a spelling of a negatable knob too.
  return knob.kind === 'negatable' ? [...names, ...names.map((n) => `--no-${n.replace(/^-+/, '')}`)] : names;
}

/** Where a name is written: on the command line, as a YAML key path, or as an environment variable. */
export type NameKind = 'flag' | 'yaml' | 'env';

/** Every spelling the table knows in one place: command-line flags, YAML key paths (dotted), or env vars. */
function knownNames(engine: EngineId, where: NameKind): string[] {
  const knobs = knobTable(engine).knobs;
  if (where === 'flag') return knobs.flatMap(flagSpellings);
  if (where === 'env') return knobs.flatMap((knob) => (knob.env ? [knob.env] : []));
  return knobs.flatMap((knob) => {
    const path = yamlPathOf(engine, knob);
    return path ? [path.join('.')] : [];
  });
}

/** Each known name with its compared form, worked out once per engine and kind (the tables are fixed). */
const comparedNames = new Map<string, { name: string; compared: string }[]>();

function knownCompared(engine: EngineId, where: NameKind): { name: string; compared: string }[] {
  const key = `${engine}/${where}`;
  let names = comparedNames.get(key);
  if (!names) {
    names = [...new Set(knownNames(engine, where))].map((name) => ({
      name,
      compared: comparable(name, where),
    }));
    comparedNames.set(key, names);
  }
  return names;
}

const normalizePath = (name: string) => name.split('.').map(normalizeName).join('.');

/**
 * A name as compared. Flags and keys by their normalized spelling (the engines take `_` for `-`); an
 * environment variable is looked up by its exact name, so only its case is set aside here: a name that
 * differs from a known one only in case (`max_total_tokens`) is a slip too, one the engine never reads.
 */
const comparable = (name: string, where: NameKind) =>
  where === 'env' ? name.toUpperCase() : normalizePath(name);

/**
 * The names in the engine's table a name it does not know is a slip away from (a flag such as
 * `--max-num-seq`, a YAML key path such as `kv_cache_config.free_gpu_memory_fractoin`, an environment
 * variable such as `MAX_BATCH_PREFIL_TOKENS`), nearest first, as the table spells them; none when no
 * known name is that close.
 */
export function nearKnownNames(engine: EngineId, written: string, where: NameKind): string[] {
  const wanted = comparable(written, where);
  const allowance = slipAllowance(wanted.length);
  if (allowance === 0) return [];
  let best = allowance + 1;
  let near: string[] = [];
  for (const { name, compared } of knownCompared(engine, where)) {
    if (name === written) return [];
    const distance = boundedEditDistance(wanted, compared, best);
    // The same flag or key by another spelling is the engine's own; an env var differing in case is not.
    if ((distance === 0 && where !== 'env') || distance > best) continue;
    if (distance < best) near = [];
    best = distance;
    if (!near.includes(name)) near.push(name);
  }
  return near;
}
