import type { ChartModel } from '../../engine/protocol/webview.js';
import type { EngineSettings } from '../../engine/search/engine-commands.js';
import type { Services } from '../services.js';
import type { StoredRun } from '../state.js';
import { ParetoPanel } from '../views/pareto-panel.js';

/** A point of a search chart: the Pareto panel's Apply or Deploy button names one. */
export interface ChartPointTarget {
  model: ChartModel;
  pointId: string;
}

/** A searched configuration that carries engine settings, and the GPU it was searched on. */
export interface ChosenConfiguration {
  label: string;
  hardware: string;
  settings: EngineSettings;
}

export const NO_SEARCH_YET = 'no suggested settings yet. Run "ServeTune: Search Parallel Plans…" first.';

/** The stored search run a chart came from (charts are stored with their run). */
function runOf(services: Services, model: ChartModel): StoredRun | undefined {
  return services.store
    .runs()
    .find((r) => r.report.kind === 'search' && r.chart?.createdAt === model.createdAt);
}

function configurationAt(services: Services, target: ChartPointTarget): ChosenConfiguration | string {
  const point = target.model.points.find((p) => p.id === target.pointId);
  if (!point) return 'the selected configuration is not in the chart any more.';
  if (target.model.kind !== 'search') {
    return `${point.label} comes from a memory report, which has no engine settings: run "ServeTune: Search Parallel Plans…" first.`;
  }
  const run = runOf(services, target.model);
  const result = run?.report.kind === 'search' ? run.report.result : undefined;
  const configuration = result?.configurations.find((c) => c.id === point.id);
  if (!result || !configuration?.settings) {
    return `${point.label} has no engine settings: only the Pareto fronts' members and the best carry them.`;
  }
  return { label: configuration.label, hardware: result.hardware, settings: configuration.settings };
}

/**
 * The configuration a command acts on: the one given (a Pareto panel button), else the panel's
 * selection, else the best of the last search. A string says why there is none.
 */
export function chosenConfiguration(
  services: Services,
  target?: ChartPointTarget,
): ChosenConfiguration | string {
  let resolved = target;
  if (!resolved && ParetoPanel.active?.model.kind === 'search') {
    const panel = ParetoPanel.active;
    const pointId = panel.selectedId ?? panel.model.bestId;
    if (pointId) resolved = { model: panel.model, pointId };
  }
  if (!resolved) {
    const run = services.store.runs().find((r) => r.report.kind === 'search' && r.chart?.bestId);
    if (run?.chart?.bestId) resolved = { model: run.chart, pointId: run.chart.bestId };
  }
  return resolved ? configurationAt(services, resolved) : NO_SEARCH_YET;
}
