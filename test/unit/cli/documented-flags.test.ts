import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { everyCommand } from '../helpers/every-command.js';

// The commands a reader types from README.md and docs/, and the flags the CLI's own help names, checked
// against the commands' definitions: nothing here runs a command.

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

const DOCS = ['README.md', ...markdownFiles('docs')];

/** One `servetune …` invocation as a document shows it: where, and its words. */
interface Invocation {
  where: string;
  words: string[];
}

/**
 * The invocations of a document: each line of a fenced block that runs `servetune` (continuation lines
 * joined, a trailing `# comment` cut), and each inline code span that starts with `servetune `.
 */
function invocationsOf(file: string): Invocation[] {
  const text = readFileSync(file, 'utf8');
  const found: Invocation[] = [];
  const add = (line: string, where: string) => {
    // A diagram's line (`servetune bench ── runBench …`) ends where its arrows start.
    const words = line
      .replace(/\s#\s.*$/, '')
      .replace(/\s[─→].*$/, '')
      .trim()
      .split(/\s+/);
    const start = words.findIndex((w) => w === 'servetune' || w === 'dist/cli.mjs');
    if (start >= 0 && words[start + 1] !== undefined) found.push({ where, words: words.slice(start + 1) });
  };
  let fenced = false;
  let pending = '';
  text.split('\n').forEach((line, i) => {
    if (line.startsWith('```')) {
      fenced = !fenced;
      return;
    }
    if (!fenced) return;
    pending += line.endsWith('\\') ? `${line.slice(0, -1)} ` : line;
    if (line.endsWith('\\')) return;
    add(pending, `${file}:${i + 1}`);
    pending = '';
  });
  for (const span of text.matchAll(/`((?:servetune|node dist\/cli\.mjs) [^`]+)`/g)) {
    const line = text.slice(0, span.index).split('\n').length;
    add(span[1]!.replace(/\s+/g, ' '), `${file}:${line}`);
  }
  return found;
}

/** A word as a flag: `--name` out of `[--name`, `--name=value`, `(--name)`; else undefined. */
function flagOf(word: string): string | undefined {
  return /^[[(]?(--[a-z][a-z0-9-]*)/.exec(word)?.[1];
}

/** The plain values a word offers (`fcfs|priority`, `<a|b>`, `p90]`); none where it is a placeholder (`<kernel>`). */
function valuesOf(word: string): string[] {
  if (/^[[(]?<[^|]*>[\])]?$/.test(word)) return [];
  const bare = word.replace(/^[<[(]+|[>\])]+$/g, '');
  return /^[a-z0-9][a-z0-9.-]*(\|[a-z0-9][a-z0-9.-]*)*$/.test(bare) ? bare.split('|') : [];
}

function optionsOf(command: Command): Map<string, readonly string[] | undefined> {
  return new Map(command.options.map((o) => [o.long ?? '', o.argChoices]));
}

const commands = new Map(everyCommand().commands.map((c) => [c.name(), c]));

describe('documented commands', () => {
  const invocations = DOCS.flatMap(invocationsOf);

  it('the documents show the CLI at all (the extraction finds them)', () => {
    assert.ok(invocations.filter((i) => i.where.startsWith('README.md')).length >= 30);
    assert.ok(invocations.some((i) => i.where.startsWith('docs/workloads.md')));
  });

  it('every command a document runs exists, with every flag it gives and every listed value', () => {
    const wrong: string[] = [];
    for (const { where, words } of invocations) {
      // `servetune memory|plans` names two commands whose flags are shared.
      const named = words[0]!.split('|');
      const known = named.map((n) => commands.get(n));
      if (known.some((c) => c === undefined)) {
        wrong.push(`${where}: no command ${words[0]}`);
        continue;
      }
      for (const command of known as Command[]) {
        const options = optionsOf(command);
        words.forEach((word, i) => {
          const flag = flagOf(word);
          if (flag === undefined) return;
          if (!options.has(flag)) {
            wrong.push(`${where}: ${command.name()} has no ${flag}`);
            return;
          }
          const choices = options.get(flag);
          const next = words[i + 1];
          if (choices === undefined || next === undefined || word.includes('=')) return;
          for (const value of valuesOf(next)) {
            if (!choices.includes(value)) wrong.push(`${where}: ${command.name()} ${flag} takes no ${value}`);
          }
        });
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('every npm script a document runs is in package.json', () => {
    const scripts = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).scripts as object);
    const wrong: string[] = [];
    for (const file of DOCS) {
      for (const m of readFileSync(file, 'utf8').matchAll(/npm run ([a-z][a-z0-9:-]*)/g)) {
        if (!scripts.includes(m[1]!)) wrong.push(`${file}: npm run ${m[1]}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});

// Paths a document names that are not in this repository: a how-to's file to be written, and DeepEP's
// own docs/legacy.md (cited as a source).
const NOT_HERE = [/myengine/, /^docs\/legacy\.md$/];

describe('documented files', () => {
  it("every link and every repository path a document names exists (relative to the root or the document's folder)", () => {
    const wrong: string[] = [];
    for (const file of DOCS) {
      const text = readFileSync(file, 'utf8');
      const links = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!);
      const paths = [
        ...text.matchAll(/`((?:src|test|bench|docs|scripts|data|schemas|shaders|media)\/[\w.\-/]*)`/g),
      ]
        .map((m) => m[1]!)
        .filter((p) => !NOT_HERE.some((re) => re.test(p)));
      for (const path of [...links.filter((l) => !/^[a-z]+:/.test(l)), ...paths]) {
        if (!existsSync(path) && !existsSync(join(dirname(file), path))) wrong.push(`${file}: ${path}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});

// Flags of the serving engines (and of vLLM's own --config) that the help quotes to say what an option
// stands for: not servetune's.
const ENGINE_FLAGS = new Set([
  '--moe-runner-backend',
  '--enable-dp-attention',
  '--moe-a2a-backend',
  '--deepep-mode',
  '--all2all-backend',
  '--enable-mixed-chunk',
  '--enable-priority-scheduling',
  '--kv-offloading-size',
  '--config',
  '--data-parallel-size',
  '--enable-expert-parallel',
]);

describe('the help of every command', () => {
  it('names only flags that exist: its own, another command named before them, or an engine flag', () => {
    const wrong: string[] = [];
    for (const command of commands.values()) {
      const own = optionsOf(command);
      for (const option of command.options) {
        for (const m of (option.description ?? '').matchAll(
          /(?:([a-z]+(?:\/[a-z]+)*) )?(--[a-z][a-z0-9-]*)/g,
        )) {
          const [, before, flag] = m as unknown as [string, string | undefined, string];
          // `servetune calibrate --out`, `simulate/search --calibration`: that command's flag.
          const others = (before ?? '').split('/').map((n) => commands.get(n));
          if (before !== undefined && others.every((c) => c !== undefined)) {
            for (const other of others as Command[]) {
              if (!optionsOf(other).has(flag))
                wrong.push(`${command.name()} ${option.long}: ${other.name()} ${flag}`);
            }
          } else if (!own.has(flag) && !ENGINE_FLAGS.has(flag)) {
            wrong.push(`${command.name()} ${option.long}: ${flag}`);
          }
        }
      }
    }
    assert.deepEqual(wrong, []);
  });
});
