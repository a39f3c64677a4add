import {
  latencyText,
  searchLoadText,
  shownLatencies,
  shownLatenciesText,
  sloTargetsText,
} from '../engine/search/format.js';
import {
  type FrontRow,
  latencyFrontRows,
  sameResultNote,
  throughputFrontRows,
} from '../engine/search/front-rows.js';
import type { SearchConfiguration, SearchResult } from '../engine/search/run.js';
import { routerLines, splitCommandLines } from '../engine/search/server-lines.js';

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** A search result as Markdown: the best under the SLOs with its engine command, and both fronts. */
export function searchMarkdown(result: SearchResult): string {
  const p = result.slo.percentile;
  const shown = shownLatencies(result.slo);
  const best = result.configurations.find((c) => c.best);
  const lines = [
    `# Search: ${result.modelName} on ${result.gpus}× ${result.hardware} (${result.engine})`,
    '',
    `- Workload: ${result.workload.requests} requests of \`${result.workload.source}\` ${searchLoadText(result.workload)}`,
    `- SLO: ${sloTargetsText(result.slo)}`,
    // The engine version whose measured tables timed the steps (the CLI's 'Steps timed with …').
    ...(result.timedWith ? [`- Steps timed with ${result.timedWith}`] : []),
    `- ${result.configurationsEvaluated} configurations evaluated (${result.simulations} simulations), ${result.configurationsPruned} pruned, in ${result.wallSeconds.toFixed(1)} s`,
    // With speculation searched: why it was or was not chosen (as the CLI prints it).
    ...(result.speculation
      ? [`- ${result.speculation[0]?.toUpperCase()}${result.speculation.slice(1)}`]
      : []),
    // With disaggregation searched: the best split against the best colocated (as the CLI prints it).
    ...(result.disaggregation
      ? [
          `- ${result.disaggregation[0]?.toUpperCase()}${result.disaggregation.slice(1)}`,
          ...shellBlock(splitCommandLines(result)),
        ]
      : []),
    '',
  ];
  if (best) {
    const m = best.metrics;
    lines.push(
      `## Best under the SLOs: ${best.label}`,
      '',
      `${m.concurrency === undefined ? 'Sustains' : `With ${m.concurrency} clients, serves`} ${best.maxRateUnderSlo?.toFixed(2) ?? '–'} req/s within the SLOs. At ${m.rate.toFixed(2)} req/s: ${shownLatenciesText(m, result.slo)}, ${m.throughputPerGpu.toFixed(0)} tokens/s per GPU.`,
      '',
    );
    for (const server of best.settings?.servers ?? []) {
      lines.push(
        `${server.role === 'server' ? 'Server' : server.role === 'prefill' ? 'Prefill workers' : 'Decode workers'}: ${server.replicas} × ${server.gpusPerServer} GPU${server.gpusPerServer > 1 ? 's' : ''}`,
        '',
        '```sh',
        server.commandLine,
        '```',
        '',
      );
    }
    // A prefill/decode pair's router, as the CLI prints it.
    if (best.settings?.router) lines.push('Router:', ...shellBlock(routerLines(best.settings)), '');
  } else {
    lines.push(
      `## No configuration meets the SLOs ${searchLoadText(result.workload)}`,
      '',
      'The closest are on the fronts below.',
      '',
    );
  }
  const front = (
    title: string,
    rows: FrontRow[],
    header: string[],
    cols: (c: SearchConfiguration) => string[],
  ) => {
    lines.push(
      `## ${title}`,
      '',
      `| Configuration | ${header.join(' | ')} |`,
      `|---|${header.map(() => '---:').join('|')}|`,
    );
    for (const { configuration: c, sameResult } of rows) {
      const label = `${c.best ? `**${c.label}** (best)` : c.label}${sameResultNote(sameResult)}`;
      lines.push(`| ${cell(label)} | ${cols(c).join(' | ')} |`);
    }
    lines.push('');
  };
  front(
    `Latency front (TTFT ${p} against TBT ${p})`,
    latencyFrontRows(result),
    [...shown.map(({ label }) => `${label} ${p}`), 'meets SLO', 'max req/s'],
    (c) => [
      ...shown.map(({ metric }) => latencyText(c.metrics[metric][p])),
      c.meetsSlo ? 'yes' : 'no',
      c.maxRateUnderSlo === null ? '–' : c.maxRateUnderSlo.toFixed(2),
    ],
  );
  front(
    'Throughput front (at each configuration’s highest rate within the SLOs)',
    throughputFrontRows(result),
    ['at req/s', 'tokens/s per GPU', 'tokens/s per user'],
    (c) => [
      c.maxRateUnderSlo?.toFixed(2) ?? '–',
      c.metricsAtMaxRate?.throughputPerGpu.toFixed(0) ?? '–',
      c.metricsAtMaxRate?.speedPerUser.toFixed(1) ?? '–',
    ],
  );
  lines.push(
    result.calibrated
      ? 'Calibrated with a measured device profile.'
      : 'Step times from the device-class defaults (not calibrated).',
    '',
  );
  return lines.join('\n');
}

/** The result as stored with a run: the pruned list (often the longest part) is kept as a count only. */
export function compactSearchResult(result: SearchResult): SearchResult {
  return { ...result, pruned: [] };
}

/** Command lines as a Markdown shell block; nothing for none. */
function shellBlock(lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : ['', '```sh', ...lines, '```'];
}
