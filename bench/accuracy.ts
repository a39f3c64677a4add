// End-to-end accuracy benchmark: every measured deployment of silicon-calibration.csv predicted by the
// simulator and compared. Writes bench/results/accuracy.json and bench/results/accuracy.md.
//   npm run bench:accuracy [-- --csv FILE] [--limit N] [--filter REGEX] [--waves N] [--out-dir DIR]
//                          [--rows-csv FILE]
// --filter matches a row's id, engine, GPU, model and mode (`--filter 'trtllm.*b200'`); --rows-csv writes
// one line per row (predicted beside measured) for sorting the worst rows in a spreadsheet or awk.
// A partial run (--limit, --filter, --waves) writes to out/bench/ unless --out-dir says otherwise.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { ResultRow, scoredRowsOf } from './accuracy/fit-rows.js';
import { type HeldOutGrouping, type HeldOutSummary, heldOutSummary } from './accuracy/held-out-summary.js';
import { mapRow } from './accuracy/map-row.js';
import type { RowResult } from './accuracy/metrics.js';
import { accuracyOf } from './accuracy/metrics.js';
import { renderReport } from './accuracy/report.js';
import { rowConcurrency } from './accuracy/row-concurrency.js';
import { findSiliconCsv, readSiliconCsv, type SiliconRow } from './accuracy/rows.js';
import { rowsCsv } from './accuracy/rows-csv.js';
import { simulateJob } from './accuracy/simulate-row.js';
import { benchArgs } from './args.js';

const flags = benchArgs(
  'bench:accuracy',
  'Every measured deployment of silicon-calibration.csv predicted by the simulator and compared.',
  {
    csv: {
      type: 'string',
      value: 'FILE',
      help: 'the measurements (default: $SERVETUNE_PERF_DB or ../shared/data/perf-db/silicon-calibration.csv)',
    },
    limit: { type: 'string', value: 'N', help: 'the first N rows (after --filter)' },
    filter: {
      type: 'string',
      value: 'REGEX',
      help: "rows whose id, engine, GPU, model or mode match (case-insensitive), e.g. 'trtllm.*b200'",
    },
    'out-dir': {
      type: 'string',
      value: 'DIR',
      help: 'where accuracy.json and accuracy.md go (default: bench/results; out/bench for a partial run)',
    },
    waves: { type: 'string', value: 'N', help: 'requests per client (default: what each row measured)' },
    'rows-csv': { type: 'string', value: 'FILE', help: 'also one line per row, predicted beside measured' },
  },
);

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

/** The commit measured; `+changes` where the working tree differs from it (outside the results). */
function commitLabel(): string {
  const commit = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
  const changed = git(['status', '--porcelain', '--', '.', ':!bench/results']);
  return changed ? `${commit}+changes` : commit;
}

/**
 * One row predicted (or the reason it is not), with the measurement beside it; `fileRows`: every row of
 * the file (a row's benchmark configuration is read off the rows it shares with others).
 */
function evaluate(row: SiliconRow, waves: number | undefined, fileRows: readonly SiliconRow[]): RowResult {
  const mapping = mapRow(row, { ...(waves ? { waves } : {}), fileRows });
  const base = {
    id: row.id,
    partition: mapping.partition,
    model: row.model_path,
    isl: row.isl,
    osl: row.osl,
    concurrency: rowConcurrency(row) ?? null,
    measured: { ttftMs: row.silicon_ttft_ms, tpotMs: row.silicon_tpot_ms },
  };
  if (!mapping.modelled) return { ...base, modelled: false, reason: mapping.reason };
  const { job } = mapping;
  const deployment = {
    deployment: job.description,
    parts: job.parts,
    ...(mapping.flag ? { flag: mapping.flag } : {}),
  };
  const outcome = simulateJob(job);
  if (!outcome.ok) {
    return { ...base, ...deployment, modelled: false, reason: outcome.reason, detail: outcome.detail };
  }
  const predicted = { ttftMs: outcome.ttftMs, tpotMs: outcome.tpotMs };
  return {
    ...base,
    ...deployment,
    modelled: true,
    predicted,
    error: {
      ttft: (predicted.ttftMs - row.silicon_ttft_ms) / row.silicon_ttft_ms,
      tpot: (predicted.tpotMs - row.silicon_tpot_ms) / row.silicon_tpot_ms,
    },
  };
}

const sixDigits = (_key: string, v: unknown) =>
  typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v;

/** The held-out figures as accuracy.json's `heldOut`: one figure or fold a line. */
function heldOutJson({ used, family, source }: HeldOutSummary): string {
  const line = (v: unknown) => JSON.stringify(v, sixDigits);
  const grouping = ({ folds, ...figures }: HeldOutGrouping) => {
    const entries = Object.entries(figures).map(([key, v]) => `      "${key}": ${line(v)}`);
    const foldLines = folds.map((f) => `        ${line(f)}`).join(',\n');
    return `{\n${entries.join(',\n')},\n      "folds": [\n${foldLines}\n      ]\n    }`;
  };
  return `  "heldOut": {\n    "used": ${line(used)},\n    "family": ${grouping(family)},\n    "source": ${grouping(source)}\n  }`;
}

function main(): void {
  const csv = findSiliconCsv(flags.csv);
  if (!csv) {
    console.error(
      'no silicon-calibration.csv: pass --csv FILE, set SERVETUNE_PERF_DB, or place ../shared/data/perf-db/',
    );
    process.exit(2);
  }
  const all = readSiliconCsv(csv);
  const filter = flags.filter ? new RegExp(flags.filter, 'i') : undefined;
  const limit = flags.limit ? Number(flags.limit) : undefined;
  const matching = filter
    ? all.filter((r) => filter.test(`${r.id} ${r.backend} ${r.system} ${r.model_path} ${r.mode}`))
    : all;
  const rows = limit ? matching.slice(0, limit) : matching;
  const waves = flags.waves ? Number(flags.waves) : undefined;
  const partial = rows.length < all.length || waves !== undefined;

  const start = performance.now();
  const results: RowResult[] = [];
  for (const [i, row] of rows.entries()) {
    results.push(evaluate(row, waves, all));
    if ((i + 1) % 100 === 0 || i + 1 === rows.length) {
      const elapsed = (performance.now() - start) / 1000;
      process.stderr.write(`\r${i + 1}/${rows.length} rows, ${elapsed.toFixed(0)} s`);
    }
  }
  process.stderr.write('\n');
  const wallSeconds = (performance.now() - start) / 1000;

  const outDir = flags['out-dir'] ?? (partial ? join('out', 'bench') : join('bench', 'results'));
  mkdirSync(outDir, { recursive: true });
  const cores = cpus();
  const run = {
    machine: `${cores[0]?.model.trim() ?? 'unknown CPU'}, ${cores.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, one simulation thread (load average at the end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(', ')}: the machine is shared)`,
    commit: commitLabel(),
    date: new Date().toISOString(),
    csv,
    wallSeconds,
    selection: partial
      ? `${rows.length} of ${all.length} rows${filter ? ` matching /${flags.filter}/i` : ''}${limit ? `, the first ${limit}` : ''}${waves ? `, ${waves} requests per client` : ''}`
      : null,
  };
  const overall = accuracyOf(results);
  // One row a line: the file holds every row of the CSV and stays readable in a diff.
  const head = JSON.stringify({ run, overall }, null, 2).replace(/\n}$/, '');
  const lines = results.map((r) => JSON.stringify(r, sixDigits));
  const body = lines.map((line) => `    ${line}`).join(',\n');
  // Fitted on the rows as written, as the fit scripts and bench/accuracy-held-out.ts read them back: the
  // grid searches' least error moves with the predictions' seventh digit.
  const heldOut = heldOutSummary(
    scoredRowsOf(
      lines.map((line) => ResultRow.parse(JSON.parse(line))),
      all,
    ),
  );
  const json = `${head},\n${heldOutJson(heldOut)},\n  "rows": [\n${body}\n  ]\n}\n`;
  writeFileSync(join(outDir, 'accuracy.json'), json);
  writeFileSync(join(outDir, 'accuracy.md'), renderReport(results, run, heldOut));
  if (flags['rows-csv']) writeFileSync(flags['rows-csv'], rowsCsv(results));
  const fmt = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(1)}%`);
  console.log(
    `${overall.modelled}/${overall.rows} rows modelled; TTFT MAPE ${fmt(overall.ttftMape)} (median ${fmt(overall.ttftMedianSigned)}), TPOT MAPE ${fmt(overall.tpotMape)} (median ${fmt(overall.tpotMedianSigned)}); ${wallSeconds.toFixed(0)} s; wrote ${outDir}/accuracy.{json,md}`,
  );
}

main();
