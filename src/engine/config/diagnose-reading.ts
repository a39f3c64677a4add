// Checks on what a serving block's file says, before any plan: what the readers could not read, repeated
// settings, flags a Helm chart adds on its own, and misspelt flag names.
import type { ServingBlock } from './block.js';
import type { BlockChecking, Push } from './diagnostic.js';
import { ENGINES, type EngineId } from './engines/index.js';
import { normalizeName } from './knobs/index.js';
import { nearKnownNames } from './knobs/near-miss.js';

/** Problems the readers found, values they could not read, and variables this file does not set. */
export function readingProblems({ block, push }: BlockChecking): void {
  for (const problem of block.problems) {
    push({
      severity: problem.severity,
      code: problem.code ?? 'parse',
      message: problem.message,
      range: problem.range,
    });
  }
  for (const occurrence of block.occurrences) {
    const range = occurrence.valueRange ?? occurrence.keyRange ?? block.range;
    if (occurrence.error)
      push({ severity: 'error', code: 'invalid-value', message: occurrence.error, range });
    if (occurrence.unresolved) {
      push({
        severity: 'info',
        code: 'unresolved-variable',
        message: `${occurrence.spelling} comes from ${occurrence.unresolved}, which this file does not set; not checked`,
        range,
      });
    }
  }
}

/**
 * A flag or config key the engine's table does not know but that is a slip away from one it does
 * (`--max-num-seq` for --max-num-seqs): the engine would refuse it or, read as something else, the
 * setting the file meant is silently not set. Names near none are left alone: engines have hundreds
 * of flags the table does not model.
 */
export function misspeltFlags({ block, push }: BlockChecking, engine: EngineId): void {
  const { displayName, flagPrefixes, configFile } = ENGINES[engine];
  // A config file keyed by flag names goes through the same parser (vLLM turns its keys into flags).
  const parsedAsFlags = (where: 'flag' | 'yaml') => where === 'flag' || configFile?.keys === 'flag-names';
  for (const unknown of block.unknownFlags) {
    const where = unknown.flag.startsWith('-') ? 'flag' : 'yaml';
    const near = nearKnownNames(engine, unknown.flag, where);
    if (near.length === 0) continue;
    const prefixOf = near.find((name) => normalizeName(name).startsWith(normalizeName(unknown.flag)));
    const prefixNote =
      flagPrefixes && prefixOf && parsedAsFlags(where)
        ? ` (${displayName} may take it as ${prefixOf}, a prefix its parser accepts when no other flag shares it; ServeTune reads whole names only)`
        : '';
    push({
      severity: 'warning',
      code: 'unknown-flag',
      message: `unknown ${displayName} ${where === 'flag' ? 'flag' : 'key'} ${unknown.flag}: did you mean ${near.join(' or ')}?${prefixNote}`,
      range: unknown.range ?? block.range,
    });
  }
}

/** A flag the Helm chart adds on its own that turns off what the engine has on by default. */
export function chartInjectedFlags({ block, push, fixFor }: BlockChecking): void {
  for (const occurrence of block.occurrences) {
    if (occurrence.origin !== 'chart' || occurrence.overriddenBy !== undefined) continue;
    if (occurrence.settings.enablePrefixCaching === false) {
      push({
        severity: 'warning',
        code: 'chart-injected-flag',
        message: `${occurrence.note ?? 'the chart passes --no-enable-prefix-caching'}: prefix caching, on by default in vLLM, is off`,
        range: occurrence.keyRange ?? block.range,
        fix: fixFor('Keep prefix caching on (enablePrefixCaching: true)', { enablePrefixCaching: true }),
      });
    }
  }
}

/**
 * A setting given twice where the later one silently wins (a chart's own flags are left to
 * chartInjectedFlags), or, where the engine's parser refuses a flag given twice on its command line, an
 * error on the first.
 */
export function repeatedSettings(block: ServingBlock, push: Push): void {
  // The engine, where its parser refuses a repeated flag (named in the message).
  const refusing =
    block.engine !== null && ENGINES[block.engine].refusesRepeatedFlags ? ENGINES[block.engine] : undefined;
  block.occurrences.forEach((occurrence) => {
    if (occurrence.knob === null || occurrence.overriddenBy === undefined || occurrence.origin === 'chart')
      return;
    const winner = block.occurrences[occurrence.overriddenBy];
    if (winner.origin === 'chart') return;
    const winnerAt = winner.keyRange ?? winner.valueRange;
    const where = winnerAt
      ? ` (line ${winnerAt.start.line + 1}${winnerAt.file !== (occurrence.keyRange ?? occurrence.valueRange)?.file ? ` of ${winnerAt.file}` : ''})`
      : '';
    if (refusing && occurrence.origin === 'flag' && winner.origin === 'flag') {
      push({
        severity: 'error',
        code: 'set-twice',
        message: `${occurrence.spelling} is given again as ${winner.spelling} ${String(winner.raw)}${where}: ${refusing.displayName} refuses a flag given more than once and does not start`,
        range: occurrence.keyRange ?? occurrence.valueRange ?? block.range,
        related: winnerAt ? [{ range: winnerAt, message: 'given again here' }] : [],
      });
      return;
    }
    push({
      severity: 'warning',
      code: 'set-twice',
      message: `${occurrence.spelling} ${String(occurrence.raw)} is overridden by ${winner.spelling} ${String(winner.raw)}${where}; the last one wins silently`,
      range: occurrence.keyRange ?? occurrence.valueRange ?? block.range,
      related: winnerAt ? [{ range: winnerAt, message: 'the value that wins' }] : [],
    });
  });
}
