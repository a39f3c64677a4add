import {
  Chart,
  type ChartDataset,
  Legend,
  LinearScale,
  LineElement,
  LogarithmicScale,
  type Plugin,
  PointElement,
  type Scale,
  ScatterController,
  Tooltip,
} from 'chart.js';
import { engineBehaviourAttribute, engineLineText } from '../engine/chart/engine-line.js';
import { detailMetrics } from '../engine/chart/metric-text.js';
import {
  type ChartModel,
  type ChartPoint,
  type ChartSpec,
  ParetoPanelState,
} from '../engine/protocol/webview.js';
import { connectToHost, el, post, vscodeApi } from './api.js';
import { logAxisTicks, tickLabel } from './axis-ticks.js';
import { type ChartTheme, onThemeChange, paintBackground, readTheme } from './theme.js';

Chart.register(ScatterController, LinearScale, LogarithmicScale, PointElement, LineElement, Tooltip, Legend);

interface Datum {
  x: number;
  y: number;
  id: string;
}

let state: ParetoPanelState | undefined;
const charts: Chart<'scatter', Datum[]>[] = [];

/** Fills the canvas with the theme background (so exported PNGs are readable) and shades the SLO box. */
function backgroundAndRegion(spec: ChartSpec, theme: ChartTheme): Plugin<'scatter'> {
  return {
    id: 'servetune-background-region',
    beforeDraw(chart) {
      paintBackground(chart, theme);
    },
    beforeDatasetsDraw(chart) {
      const region = spec.region;
      if (!region) return;
      const { ctx, chartArea, scales } = chart;
      const x = scales.x!;
      const y = scales.y!;
      const clampX = (v: number | undefined, edge: number) =>
        v === undefined ? edge : Math.min(Math.max(x.getPixelForValue(v), chartArea.left), chartArea.right);
      const clampY = (v: number | undefined, edge: number) =>
        v === undefined ? edge : Math.min(Math.max(y.getPixelForValue(v), chartArea.top), chartArea.bottom);
      const left = clampX(region.xMin, chartArea.left);
      const right = clampX(region.xMax, chartArea.right);
      const top = clampY(region.yMax, chartArea.top);
      const bottom = clampY(region.yMin, chartArea.bottom);
      ctx.save();
      ctx.globalAlpha = 0.14;
      ctx.fillStyle = theme.region;
      ctx.fillRect(left, top, right - left, bottom - top);
      ctx.globalAlpha = 0.8;
      ctx.strokeStyle = theme.region;
      ctx.setLineDash([4, 4]);
      ctx.strokeRect(left, top, right - left, bottom - top);
      ctx.restore();
    },
  };
}

/** The chart of each group to show: the chosen variant, else the first. */
function visibleCharts(current: ParetoPanelState): ChartSpec[] {
  const groups = new Map<string, ChartSpec[]>();
  for (const spec of current.model.charts) groups.set(spec.group, [...(groups.get(spec.group) ?? []), spec]);
  return [...groups.entries()].map(
    ([group, specs]) =>
      specs.find((s) => s.variant !== undefined && s.variant === current.variants[group]) ?? specs[0]!,
  );
}

function datum(spec: ChartSpec, point: ChartPoint): Datum | undefined {
  const x = point.metrics[spec.x.metric];
  const y = point.metrics[spec.y.metric];
  return x === undefined || y === undefined ? undefined : { x, y, id: point.id };
}

function datasets(spec: ChartSpec, model: ChartModel, selectedId: string | null, theme: ChartTheme) {
  const of = (points: ChartPoint[]) => points.flatMap((p) => datum(spec, p) ?? []);
  const front = of(model.points.filter((p) => p.fronts.includes(spec.id))).sort((a, b) => a.x - b.x);
  const others = of(model.points.filter((p) => !p.fronts.includes(spec.id) && p.feasible));
  const infeasible = of(model.points.filter((p) => !p.fronts.includes(spec.id) && !p.feasible));
  const best = of(model.points.filter((p) => p.id === model.bestId));
  const selected = of(model.points.filter((p) => p.id === selectedId));
  const sets: ChartDataset<'scatter', Datum[]>[] = [
    {
      label: 'Pareto front',
      data: front,
      showLine: true,
      borderColor: theme.front,
      backgroundColor: theme.front,
      pointRadius: 5,
      pointHoverRadius: 7,
    },
    {
      label: 'Other configurations',
      data: others,
      borderColor: theme.other,
      backgroundColor: theme.other,
      pointRadius: 3,
    },
  ];
  if (infeasible.length > 0) {
    sets.push({
      label: 'Infeasible',
      data: infeasible,
      borderColor: theme.infeasible,
      backgroundColor: 'transparent',
      pointStyle: 'crossRot',
      pointRadius: 5,
      order: 4,
    });
  }
  sets.push({
    label: 'Best',
    data: best,
    borderColor: theme.best,
    backgroundColor: theme.best,
    pointStyle: 'rectRot',
    pointRadius: 8,
    borderWidth: 1,
    order: 1,
  });
  sets.push({
    label: 'Selected',
    data: selected,
    borderColor: theme.selected,
    backgroundColor: 'transparent',
    pointRadius: 12,
    borderWidth: 2,
    order: 0,
  });
  // Chart.js draws lower `order` on top: the selection ring, then the best marker, then the front.
  return { sets, counts: { points: front.length + others.length + infeasible.length, front: front.length } };
}

/**
 * Axis bounds that keep the SLO box's edges in view (with a margin), so the targets can be read off the
 * chart even when every point lies far inside or outside them.
 */
function regionBounds(min: number | undefined, max: number | undefined) {
  return {
    ...(min !== undefined ? { suggestedMin: min / 1.15 } : {}),
    ...(max !== undefined ? { suggestedMax: max * 1.15 } : {}),
  };
}

/**
 * A log axis's ticks and labels (axis-ticks.ts): round values Chart.js would leave crowded or unlabelled.
 * A linear axis keeps Chart.js's own.
 */
function logAxis(axis: ChartSpec['x']) {
  if (axis.scale !== 'log') return {};
  return {
    afterBuildTicks: (scale: Scale) => {
      const ticks = logAxisTicks(scale.min, scale.max);
      if (ticks.length < 2) return;
      scale.ticks = ticks.map((value) => ({ value }));
      // The first tick is at or below the lowest point: the axis starts there, so it is drawn.
      scale.min = Math.min(scale.min, ticks[0]);
    },
    ticks: { callback: (value: number | string) => tickLabel(Number(value)) },
  };
}

function axisTitle(axis: ChartSpec['x']): string {
  return `${axis.label}${axis.unit ? ` (${axis.unit})` : ''} · ${axis.better} is better`;
}

function save(): void {
  if (!state) return;
  vscodeApi.setState(state);
  post({ type: 'state', state });
}

function select(id: string): void {
  if (!state) return;
  state = { ...state, selectedId: id };
  save();
  render();
}

function details(model: ChartModel, selectedId: string | null): HTMLElement {
  const point = model.points.find((p) => p.id === selectedId);
  if (!point)
    return el('section', { className: 'details muted', text: 'Click a point to see its settings.' });
  const copy = el('button', { text: 'Copy settings', attrs: { 'data-action': 'copy' } });
  copy.addEventListener('click', () => post({ type: 'copy', pointId: point.id }));
  const apply = el('button', { text: 'Apply…', attrs: { 'data-action': 'apply' } });
  apply.addEventListener('click', () => post({ type: 'apply', pointId: point.id }));
  return el(
    'section',
    { className: 'details', attrs: { 'data-selected': point.id } },
    el('h2', { text: `${point.label}${point.id === model.bestId ? ' (best)' : ''}` }),
    el(
      'table',
      {},
      ...Object.entries(point.settings).map(([key, value]) =>
        el('tr', {}, el('th', { text: key }), el('td', { text: String(value) })),
      ),
      ...detailMetrics(point).map(({ key, label, text }) => {
        return el(
          'tr',
          { className: 'metric', attrs: { 'data-metric': key } },
          el('th', { text: label }),
          el('td', { text }),
        );
      }),
    ),
    ...point.notes.map((note) => el('p', { className: 'muted', text: note })),
    el('div', { className: 'actions' }, copy, apply),
  );
}

function toolbar(current: ParetoPanelState): HTMLElement {
  const selects: HTMLElement[] = [];
  const groups = new Map<string, string[]>();
  for (const spec of current.model.charts) {
    if (spec.variant) groups.set(spec.group, [...(groups.get(spec.group) ?? []), spec.variant]);
  }
  for (const [group, variants] of groups) {
    if (variants.length < 2) continue;
    const select = el('select', { attrs: { 'data-group': group, 'aria-label': `${group} percentile` } });
    for (const variant of variants) select.append(el('option', { text: variant, attrs: { value: variant } }));
    select.value = current.variants[group] ?? variants[0]!;
    select.addEventListener('change', () => {
      if (!state) return;
      state = { ...state, variants: { ...state.variants, [group]: select.value } };
      save();
      render();
    });
    selects.push(el('label', { text: `${group}: ` }, select));
  }
  const csv = el('button', { text: 'Export CSV', attrs: { 'data-action': 'export-csv' } });
  csv.addEventListener('click', () => post({ type: 'export-csv' }));
  const png = el('button', { text: 'Export PNG', attrs: { 'data-action': 'export-png' } });
  png.addEventListener('click', () => post({ type: 'export-png', images: images() }));
  return el('div', { className: 'toolbar' }, ...selects, csv, png);
}

function images(): { chartId: string; dataUrl: string }[] {
  return charts.map((chart) => ({
    chartId: String(chart.canvas.dataset.chartId),
    dataUrl: chart.toBase64Image('image/png', 1),
  }));
}

function render(): void {
  for (const chart of charts.splice(0)) chart.destroy();
  const app = document.getElementById('app')!;
  if (!state) {
    app.replaceChildren(el('p', { className: 'muted', text: 'Waiting for data…' }));
    return;
  }
  const current = state;
  const model = current.model;
  const theme = readTheme();
  Chart.defaults.color = theme.foreground;
  Chart.defaults.borderColor = theme.grid;
  const grid = el('div', { className: 'charts' });
  for (const spec of visibleCharts(current)) {
    const canvas = el('canvas', {
      attrs: { 'data-chart-id': spec.id, role: 'img', 'aria-label': spec.title },
    });
    const { sets, counts } = datasets(spec, model, current.selectedId, theme);
    const figure = el(
      'figure',
      {
        attrs: {
          'data-chart-id': spec.id,
          'data-points': String(counts.points),
          'data-front': String(counts.front),
          'data-best': model.bestId ?? '',
          'data-region': spec.region ? 'yes' : 'no',
          'data-theme': theme.kind,
          // The colour the best point is drawn in (opaque: colour.ts), for the end-to-end check.
          'data-best-colour': theme.best,
        },
      },
      el('figcaption', { text: spec.title }),
      el('div', { className: 'canvas-box' }, canvas),
    );
    grid.append(figure);
    const chart = new Chart<'scatter', Datum[]>(canvas, {
      type: 'scatter',
      data: { datasets: sets },
      plugins: [backgroundAndRegion(spec, theme)],
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: {
            type: spec.x.scale === 'log' ? 'logarithmic' : 'linear',
            title: { display: true, text: axisTitle(spec.x) },
            ...regionBounds(spec.region?.xMin, spec.region?.xMax),
            ...logAxis(spec.x),
          },
          y: {
            type: spec.y.scale === 'log' ? 'logarithmic' : 'linear',
            title: { display: true, text: axisTitle(spec.y) },
            ...regionBounds(spec.region?.yMin, spec.region?.yMax),
            ...logAxis(spec.y),
          },
        },
        plugins: {
          legend: { labels: { color: theme.foreground } },
          tooltip: {
            callbacks: {
              label: (item) => {
                const d = item.raw as Datum;
                const point = model.points.find((p) => p.id === d.id);
                return `${point?.label ?? d.id}: ${spec.x.label} ${d.x.toPrecision(4)}, ${spec.y.label} ${d.y.toPrecision(4)}`;
              },
              afterLabel: (item) => {
                const point = model.points.find((p) => p.id === (item.raw as Datum).id);
                return point ? Object.entries(point.settings).map(([k, v]) => `${k}: ${v}`) : [];
              },
            },
          },
        },
        onClick: (_event, elements) => {
          const hit = elements[0];
          if (!hit) return;
          const d = sets[hit.datasetIndex]?.data[hit.index];
          if (d) select(d.id);
        },
      },
    });
    charts.push(chart);
  }
  app.replaceChildren(
    el(
      'header',
      {},
      el('h1', { text: model.title }),
      el('p', { className: 'muted', text: model.subtitle }),
      engineLine(model),
    ),
    el('p', {
      className: 'muted',
      text: `Best: ${model.points.find((p) => p.id === model.bestId)?.label ?? model.bestId ?? 'none'} (${model.bestRule})${model.partial ? ' · still running…' : ''}`,
    }),
    toolbar(current),
    grid,
    details(model, current.selectedId),
  );
  document.body.dataset.rendered = 'pareto';
  document.body.dataset.partial = model.partial ? 'true' : 'false';
  document.body.dataset.theme = theme.kind;
}

/** The engine that timed the points and its behaviours away from the defaults, where one did. */
function engineLine(model: ChartModel): HTMLElement | null {
  if (!model.engine) return null;
  return el('p', {
    className: 'muted',
    text: engineLineText(model.engine),
    attrs: { 'data-engine-behaviour': engineBehaviourAttribute(model.engine) },
  });
}

export function startPareto(): void {
  // After hide/show the page reloads: draw the saved state at once, before the host answers `ready`.
  const saved = ParetoPanelState.safeParse(vscodeApi.getState());
  if (saved.success) state = saved.data;
  render();
  onThemeChange(() => render());
  connectToHost('pareto', (message) => {
    if (message.type === 'chart') {
      state = message.state;
      vscodeApi.setState(state);
      render();
    } else if (message.type === 'export-png') {
      post({ type: 'export-png', images: images() });
    }
  });
}
