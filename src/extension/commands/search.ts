import * as vscode from 'vscode';
import { searchChartModel } from '../../engine/chart/search-chart.js';
import { renderSearchReportHtml } from '../../engine/report/html.js';
import { searchLoadText } from '../../engine/search/format.js';
import type { SearchResult } from '../../engine/search/run.js';
import { readSettings } from '../configuration.js';
import { describeEngineError, isCancellation } from '../engine.js';
import { pickLoad } from '../load-pick.js';
import { currentSlo, pickCluster, pickSlo, type SloChoice } from '../picks.js';
import { compactSearchResult } from '../search-report.js';
import { searchSettingsInput } from '../search-settings.js';
import type { Services } from '../services.js';
import { sloChoiceText, sloOfChoice } from '../slo.js';
import type { SearchSpace, Store } from '../state.js';
import { pickWorkload } from '../workloads.js';

function sloText(slo: SloChoice): string {
  return sloChoiceText(slo);
}

async function confirmSlo(store: Store): Promise<SloChoice | undefined> {
  const slo = currentSlo(store);
  const picked = await vscode.window.showQuickPick(
    [
      { label: `Use ${sloText(slo)}`, change: false },
      { label: 'Change the latency targets…', change: true },
    ],
    {
      title: 'ServeTune: SLOs for this search',
      ignoreFocusOut: true,
      placeHolder: 'The latency targets the best configuration must meet',
    },
  );
  if (!picked) return undefined;
  return picked.change ? pickSlo(store) : slo;
}

const SPACES: { label: string; detail: string; space: SearchSpace }[] = [
  {
    label: 'Plans and scheduler settings',
    detail: 'TP × PP × DP layouts with max-num-seqs, token budget, chunked prefill, memory share',
    space: { quantization: false, disaggregation: false, speculation: false },
  },
  {
    label: '+ quantization',
    detail: 'also fp8 and int4 weights and an fp8 KV cache',
    space: { quantization: true, disaggregation: false, speculation: false },
  },
  {
    label: '+ disaggregation',
    detail: 'also separate prefill and decode pools (xPyD)',
    space: { quantization: false, disaggregation: true, speculation: false },
  },
  {
    label: '+ speculative decoding',
    detail:
      "also the model's MTP layers, else an EAGLE-3 head, at each k (the report says why it was or was not chosen)",
    space: { quantization: false, disaggregation: false, speculation: true },
  },
  {
    label: '+ quantization and disaggregation',
    detail: 'wider and slower',
    space: { quantization: true, disaggregation: true, speculation: false },
  },
  {
    label: '+ quantization, disaggregation and speculative decoding',
    detail: 'the widest search (slowest)',
    space: { quantization: true, disaggregation: true, speculation: true },
  },
];

async function pickSpace(store: Store): Promise<SearchSpace | undefined> {
  const last = store.choices().searchSpace ?? SPACES[0]!.space;
  const same = (s: SearchSpace) =>
    s.quantization === last.quantization &&
    s.disaggregation === last.disaggregation &&
    s.speculation === last.speculation;
  const items = SPACES.map((s) => ({ ...s, description: same(s.space) ? '(last used)' : '' }));
  items.sort((a, b) => Number(same(b.space)) - Number(same(a.space)));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'ServeTune: what to search',
    ignoreFocusOut: true,
    placeHolder: 'The configurations the search explores',
  });
  if (picked) await store.remember({ searchSpace: picked.space });
  return picked?.space;
}

/**
 * Searches parallel plans and scheduler settings in the engine worker (its simulations on worker
 * threads there), then opens the Pareto panel with the fronts, stores the run and reports the best.
 */
export async function searchCommand(services: Services): Promise<void> {
  const cluster = await pickCluster(services.store);
  if (!cluster) return;
  const { model, hardware, gpus } = cluster;
  const workload = await pickWorkload(services.store, 'ServeTune: workload to search for');
  if (!workload) return;
  const load = await pickLoad(services.store, { simulation: false });
  if (!load) return;
  const slo = await confirmSlo(services.store);
  if (!slo) return;
  const space = await pickSpace(services.store);
  if (!space) return;
  const settings = readSettings();

  let result: SearchResult;
  let lastPartial: SearchResult | undefined;
  try {
    result = await services.engine.run(
      'search',
      {
        model,
        hardware,
        gpus,
        workload: workload.value,
        // Closed loop: configurations are compared at this many clients in flight, not at a rate.
        ...(load.concurrency !== undefined ? { concurrency: load.concurrency } : {}),
        slo: sloOfChoice(slo, settings.slo),
        ...searchSettingsInput(settings),
        allowQuantization: space.quantization,
        disaggregation: space.disaggregation,
        allowSpeculation: space.speculation,
      },
      {
        title: `ServeTune: searching plans for ${model} on ${gpus}× ${hardware}`,
        // The fronts so far, drawn as the search's stages complete; the final result replaces them.
        onPartial: (partial) => {
          lastPartial = partial;
          services.showChart({ ...searchChartModel(partial), partial: true });
        },
      },
    );
  } catch (error) {
    if (isCancellation(error)) {
      services.log.info('search cancelled: the engine worker stopped it');
      if (lastPartial) {
        // The panel drew partial fronts: say they are what was found before the cancel, not a result.
        const chart = searchChartModel(lastPartial);
        services.showChart({
          ...chart,
          partial: false,
          subtitle: `${chart.subtitle} · cancelled: partial results, not stored`,
        });
      }
      void vscode.window.showInformationMessage('ServeTune: search cancelled. No result was stored.');
      return;
    }
    const message = describeEngineError(error);
    services.log.error(`search failed: ${message}`);
    void vscode.window.showErrorMessage(`ServeTune: ${message}`);
    return;
  }
  const chart = searchChartModel(result);
  const best = result.configurations.find((c) => c.id === result.best);
  const at = new Date().toISOString();
  await services.store.addRun({
    summary: {
      id: `search-${at}`,
      kind: 'search',
      title: `Search: ${result.modelName} on ${result.gpus}× ${result.hardware}`,
      at,
      best: best?.label ?? null,
      hasChart: chart.points.length > 0,
    },
    report: { kind: 'search', result: compactSearchResult(result) },
    chart,
  });
  services.showChart(chart);
  services.log.info(
    `search ${result.modelName} on ${result.gpus}× ${result.hardware}: ${result.configurationsEvaluated} configurations, ${result.simulations} simulations in ${result.wallSeconds.toFixed(1)} s; fronts ${result.fronts.latency.length} (latency) and ${result.fronts.throughput.length} (throughput); best ${best?.label ?? 'none'}`,
  );
  const inFlight =
    result.workload.concurrency === undefined ? '' : ` with ${result.workload.concurrency} clients`;
  const summary = best
    ? `ServeTune: best under the SLOs: ${best.label}, ${best.maxRateUnderSlo?.toFixed(2) ?? '–'} req/s${inFlight} within ${sloText(slo)}.`
    : `ServeTune: no configuration meets ${sloText(slo)} ${searchLoadText(result.workload)}; the fronts show the closest.`;
  const show = best ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  // Deployment files need a configuration with engine settings: the best, or a front member picked later.
  const actions = best
    ? ['Show Report', 'Write Deployment Files…', 'Save HTML Report…']
    : ['Show Report', 'Save HTML Report…'];
  void show(summary, ...actions).then((choice) => {
    if (choice === 'Show Report') void vscode.commands.executeCommand('servetune.showLastReport');
    if (choice === 'Write Deployment Files…')
      void vscode.commands.executeCommand('servetune.writeDeployment');
    if (choice === 'Save HTML Report…') void saveHtmlReport(services, result);
  });
}

/** The self-contained HTML report (charts drawn by the panel's own bundle, inlined). */
async function saveHtmlReport(services: Services, result: SearchResult): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const target = await vscode.window.showSaveDialog({
    title: 'Save the search report as HTML',
    defaultUri: folder ? vscode.Uri.joinPath(folder.uri, 'servetune-search-report.html') : undefined,
    filters: { HTML: ['html'] },
  });
  if (!target) return;
  const read = async (...path: string[]) =>
    new TextDecoder().decode(
      await vscode.workspace.fs.readFile(vscode.Uri.joinPath(services.extensionUri, ...path)),
    );
  const html = renderSearchReportHtml(result, {
    webviewJs: await read('dist', 'webview.js'),
    webviewCss: await read('media', 'webview.css'),
  });
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(html));
  void vscode.window.showInformationMessage(`ServeTune: saved ${vscode.workspace.asRelativePath(target)}`);
}
