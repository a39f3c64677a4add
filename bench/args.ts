// The flags of a bench entry point, read with node:util parseArgs: `--help` lists them, and a flag the
// bench does not take is one line naming it (exit 2) instead of parseArgs' stack trace.
import { parseArgs } from 'node:util';

export interface BenchOption {
  type: 'string' | 'boolean';
  /** What the value is, for the usage line (`FILE`, `N`, `REGEX`); string options only. */
  value?: string;
  /** One line on what it does. */
  help: string;
  /** Passed between the bench's own processes, not by people: not listed by --help. */
  internal?: true;
}

type Values<O extends Record<string, BenchOption>> = {
  [K in keyof O]?: O[K]['type'] extends 'string' ? string : boolean;
};

/** The --help text: what the bench does, how to run it (`npm run <script> --`), then one line an option. */
export function benchUsage(script: string, summary: string, options: Record<string, BenchOption>): string {
  const listed = Object.entries(options).filter(([, o]) => !o.internal);
  const names = listed.map(([name, o]) => `--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`);
  const width = Math.max(...names.map((n) => n.length), '--help'.length);
  const lines = listed.map(([, o], i) => `  ${names[i].padEnd(width)}  ${o.help}`);
  return [
    summary,
    '',
    `Usage: npm run ${script} -- [options]`,
    '',
    ...lines,
    `  ${'--help'.padEnd(width)}  this list`,
    '',
  ].join('\n');
}

/** Why parseArgs refused, in one line: the option it does not know, or the one missing its value. */
export function refusal(error: Error & { code?: string }): string {
  const named = /'(-[^' ]+)/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${named ?? error.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (!named) return error.message;
      // A switch given a value (`--quick=false`) is not one missing its value.
      if (/does not take an argument/.test(error.message)) return `${named} takes no value`;
      // What follows starts with a dash: another option, or a value that has to be written `--x=-…`.
      if (/ambiguous/.test(error.message))
        return `${named} needs a value (one starting with - is written ${named}=-…)`;
      return `${named} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(error.message)?.[1] ?? error.message}`;
    default:
      throw error;
  }
}

/**
 * The flags of the bench `npm run <script>` runs, from `argv`. `--help` prints the usage and exits 0; a
 * refused argument is one line on stderr, `<script>: unknown option --x (--help lists the options)`,
 * and exit 2.
 */
export function benchArgs<O extends Record<string, BenchOption>>(
  script: string,
  summary: string,
  options: O,
  argv: string[] = process.argv.slice(2),
): Values<O> {
  const config = Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: o.type }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...config, help: { type: 'boolean' } }, strict: true }));
  } catch (error) {
    process.stderr.write(`${script}: ${refusal(error as Error)} (--help lists the options)\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(benchUsage(script, summary, options));
    process.exit(0);
  }
  return values as Values<O>;
}
