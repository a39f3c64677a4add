import { searchChartModel } from '../chart/search-chart.js';
import type { ParetoPanelState } from '../protocol/webview.js';
import type { EngineSettings } from '../search/engine-commands.js';
import { latencyText } from '../search/format.js';
import type { SearchConfiguration, SearchResult } from '../search/run.js';
import { reportThemeCss } from './report-theme.js';
import { reportSummary } from './summary.js';

/** The webview bundle and its stylesheet, inlined so the report needs no network and no files. */
export interface ReportAssets {
  webviewJs: string;
  webviewCss: string;
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** JSON inside a <script>: `<` escaped so no string in the data can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function configurationRows(result: SearchResult): string {
  const p = result.slo.percentile;
  const sorted = [...result.configurations].sort(
    (a, b) =>
      Number(b.best) - Number(a.best) ||
      (b.maxRateUnderSlo ?? -1) - (a.maxRateUnderSlo ?? -1) ||
      b.metrics.throughputPerGpu - a.metrics.throughputPerGpu,
  );
  const row = (c: SearchConfiguration) => {
    const m = c.metrics;
    const marks = [
      c.best ? 'best' : '',
      c.paretoLatency ? 'latency front' : '',
      c.paretoThroughput ? 'throughput front' : '',
    ]
      .filter(Boolean)
      .join(', ');
    return `<tr${c.best ? ' class="best"' : ''}><td>${escapeHtml(c.label)}</td><td>${latencyText(m.ttft[p])}</td><td>${latencyText(m.tbt[p])}</td><td>${latencyText(m.tpot[p])}</td><td>${latencyText(m.e2e[p])}</td><td>${(m.attainment * 100).toFixed(1)}%</td><td>${m.throughputPerGpu.toFixed(0)}</td><td>${m.speedPerUser.toFixed(1)}</td><td>${c.maxRateUnderSlo === null ? '–' : c.maxRateUnderSlo.toFixed(2)}</td><td>${c.cost?.usdPerMillionOutputTokens == null ? '–' : `$${c.cost.usdPerMillionOutputTokens.toFixed(3)}`}</td><td>${c.meetsSlo ? 'yes' : 'no'}</td><td>${escapeHtml(marks)}</td></tr>`;
  };
  return sorted.map(row).join('\n');
}

/** Each server's command, options file, environment and what it cannot say (search and capacity reports). */
export function serverBlocks(servers: EngineSettings['servers']): string {
  return servers
    .map(
      (s) =>
        `<h4>${s.role === 'server' ? 'Server' : s.role === 'prefill' ? 'Prefill workers' : 'Decode workers'}: ${s.replicas} × ${s.gpusPerServer} GPU${s.gpusPerServer > 1 ? 's' : ''}</h4>` +
        `<pre>${escapeHtml(s.commandLine)}</pre>` +
        (Object.keys(s.env).length > 0
          ? `<pre>${escapeHtml(
              Object.entries(s.env)
                .map(([k, v]) => `${k}=${v}`)
                .join('\n'),
            )}</pre>`
          : '') +
        (s.configYaml
          ? `<p>${escapeHtml(s.yamlFileName ?? 'config.yaml')}:</p><pre>${escapeHtml(s.configYaml)}</pre>`
          : '') +
        (s.dropped.length > 0
          ? `<p class="muted">Not expressible: ${escapeHtml(s.dropped.map((d) => `${d.setting} (${d.reason})`).join('; '))}</p>`
          : ''),
    )
    .join('\n');
}

/** Configurations that share a parallel plan (and dtypes) and differ only in scheduler settings. */
function planKey(c: SearchConfiguration): string {
  const plan = (p: {
    tp: number;
    pp: number;
    dp: number;
    ep: number;
    weightDtype: string;
    kvDtype: string;
  }) => `${p.tp}/${p.pp}/${p.dp}/${p.ep}/${p.weightDtype}/${p.kvDtype}`;
  const k = c.candidate;
  return k.kind === 'colocated' ? plan(k.pool.plan) : `${plan(k.prefill.plan)}|${plan(k.decode.plan)}`;
}

const rateText = (c: SearchConfiguration) =>
  c.maxRateUnderSlo === null
    ? 'never within the SLO'
    : `up to ${c.maxRateUnderSlo.toFixed(2)} req/s within the SLO`;

/**
 * The engine settings of the best and the front members, one section per parallel plan: the leading
 * configuration's commands in full, the others of the same plan (other scheduler settings only) folded.
 */
function settingsSections(result: SearchResult): string {
  const groups = new Map<string, SearchConfiguration[]>();
  const withSettings = result.configurations
    .filter((c) => c.settings)
    .sort((a, b) => Number(b.best) - Number(a.best) || (b.maxRateUnderSlo ?? -1) - (a.maxRateUnderSlo ?? -1));
  for (const c of withSettings) groups.set(planKey(c), [...(groups.get(planKey(c)) ?? []), c]);
  return [...groups.values()]
    .map(([lead, ...rest]) => {
      const folded =
        rest.length === 0
          ? ''
          : `<details><summary>${rest.length} more with the same plan, other scheduler settings</summary>${rest
              .map(
                (c) => `<h4>${escapeHtml(c.label)}: ${rateText(c)}</h4>${serverBlocks(c.settings!.servers)}`,
              )
              .join('\n')}</details>`;
      return `<section class="settings${lead.best ? ' best' : ''}"><h3>${lead.best ? 'Best: ' : ''}${escapeHtml(lead.label)}: ${rateText(lead)}</h3>${serverBlocks(lead.settings!.servers)}${folded}</section>`;
    })
    .join('\n');
}

/**
 * A self-contained HTML report of a search: the Pareto charts drawn by the editor panel's own code
 * (its bundle inlined, started with the chart model as its saved state and a stand-in for the editor
 * API), the table of every configuration, and the engine settings of the best and the front members.
 */
export function renderSearchReportHtml(result: SearchResult, assets: ReportAssets): string {
  const state: ParetoPanelState = {
    model: searchChartModel(result),
    selectedId: result.best,
    variants: { latency: result.slo.percentile },
  };
  const p = result.slo.percentile;
  const summary = reportSummary(result);
  const summaryHtml = `<section class="summary">
<p class="answer"><strong>${escapeHtml(summary.answer)}</strong></p>
<p>Workload: ${escapeHtml(summary.workload)}</p>
<p>SLO: ${escapeHtml(summary.slo)}.</p>
<details><summary>How these numbers were obtained</summary><ul>${summary.method.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul>
<p class="muted">Evaluated ${result.configurationsEvaluated} configurations with ${result.simulations} simulations (${result.configurationsPruned} pruned) in ${result.wallSeconds.toFixed(1)} s.</p></details>
</section>`;
  const bodyHtml = `<h2>Engine settings</h2>
${settingsSections(result)}
<h2>Every configuration evaluated</h2>
<div class="table-scroll"><table class="configurations">
<thead><tr><th>configuration</th><th>TTFT ${p}</th><th>TBT ${p}</th><th>TPOT ${p}</th><th>E2E ${p}</th><th>requests within SLO</th><th>output tokens/s per GPU</th><th>output tokens/s per user</th><th>max req/s within SLO</th><th>$ per million output tokens</th><th>meets SLO</th><th>on</th></tr></thead>
<tbody>
${configurationRows(result)}
</tbody>
</table></div>`;
  return reportPage(
    `ServeTune search: ${escapeHtml(result.modelName)} on ${result.gpus}× ${escapeHtml(result.hardware)}`,
    { summary: summaryHtml, body: bodyHtml },
    state,
    assets,
  );
}

/**
 * The page around a report: its `summary` (HTML: the answer first), the inlined webview bundle drawing the
 * charts of `state`, then `body` (HTML), and a stand-in for the editor API.
 */
export function reportPage(
  title: string,
  { summary, body }: { summary: string; body: string },
  state: ParetoPanelState,
  assets: ReportAssets,
): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:;">
<title>${title}</title>
<style>
${assets.webviewCss}
${reportThemeCss()}
body.report { background: var(--vscode-editor-background); color: var(--vscode-editor-foreground); font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 1200px; }
.report .table-scroll { overflow-x: auto; }
.report table.configurations { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
.report table.configurations th, .report table.configurations td { border-bottom: 1px solid var(--vscode-editorWidget-border); padding: 0.25rem 0.5rem; text-align: right; }
.report table.configurations td:first-child, .report table.configurations th:first-child { text-align: left; }
/* A number and its unit stay on one line ("138 ms"); the names (first and last columns) wrap. */
.report table.configurations td { white-space: nowrap; }
.report table.configurations td:first-child, .report table.configurations td:last-child, .report table.configurations td[colspan], .report table.capacity td:nth-child(3), .report table.front td:nth-child(4) { white-space: normal; }
/* Names read from the left, as the first column: a capacity plan's configuration, the front's GPU and configuration. */
.report table.capacity :is(td, th):nth-child(3), .report table.front :is(td, th):is(:nth-child(2), :nth-child(4)) { text-align: left; }
.report tr.best { font-weight: bold; }
/* Apply and the exports need the editor (a terminal, a file to save): a report has no host for them. */
.report [data-action='apply'], .report [data-action='export-csv'], .report [data-action='export-png'] { display: none; }
.report pre { white-space: pre-wrap; word-break: break-all; background: rgba(127,127,127,0.12); padding: 0.5rem; }
</style>
</head>
<body class="report" data-view="pareto">
${summary}
<main id="app"></main>
${body}
<script>
// Stands in for the editor's webview API: the chart model is the saved state; actions have no host.
globalThis.acquireVsCodeApi = () => {
  let state = ${scriptJson(state)};
  return {
    getState: () => state,
    setState: (next) => { state = next; },
    postMessage: (message) => {
      if (message && message.type === 'copy') {
        const point = state.model.points.find((p) => p.id === message.pointId);
        if (point && navigator.clipboard) navigator.clipboard.writeText(Object.entries(point.settings).map(([k, v]) => k + ': ' + v).join('\\n'));
      }
    },
  };
};
</script>
<script>
${assets.webviewJs.replace(/<\/script/gi, '<\\/script')}
</script>
</body>
</html>
`;
}
