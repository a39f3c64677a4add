import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LogarithmicScale,
  type Plugin,
  Tooltip,
} from 'chart.js';
import { ValidationChartModel, type ValidationRow } from '../engine/protocol/webview.js';
import { connectToHost, el, vscodeApi } from './api.js';
import { type ChartTheme, onThemeChange, paintBackground, readTheme } from './theme.js';

Chart.register(BarController, BarElement, CategoryScale, LogarithmicScale, Tooltip, Legend);

let model: ValidationChartModel | undefined;
let chart: Chart<'bar', number[], string> | undefined;

/**
 * Paints the theme background (screenshots and copies stay readable) and writes each pair's relative
 * error above its taller bar, in the target colour when within the target and the warning colour when not.
 */
function backgroundAndErrors(rows: ValidationRow[], theme: ChartTheme): Plugin<'bar'> {
  return {
    id: 'servetune-validation-errors',
    beforeDraw(c) {
      paintBackground(c, theme);
    },
    afterDatasetsDraw(c) {
      const { ctx } = c;
      ctx.save();
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      ctx.font = `600 12px ${getComputedStyle(document.body).fontFamily}`;
      rows.forEach((row, index) => {
        const bars = c.getSortedVisibleDatasetMetas().map((meta) => meta.data[index]);
        const shown = bars.filter((bar) => bar !== undefined);
        if (shown.length === 0) return;
        const x = shown.reduce((sum, bar) => sum + bar.x, 0) / shown.length;
        const top = Math.min(...shown.map((bar) => bar.y));
        ctx.fillStyle = row.withinTarget ? theme.region : theme.infeasible;
        ctx.fillText(row.errorText, x, Math.max(c.chartArea.top + 12, top - 4));
      });
      ctx.restore();
    },
  };
}

function table(current: ValidationChartModel): HTMLElement {
  const percent = (100 * current.target.maxRelativeError).toFixed(0);
  const head = el(
    'tr',
    {},
    ...['Metric', 'Predicted', 'Measured', 'Error', `Within ${percent}%`].map((text) => el('th', { text })),
  );
  const rows = current.rows.map((row) =>
    el(
      'tr',
      {
        className: row.withinTarget ? 'within' : 'outside',
        attrs: {
          'data-metric': row.metric,
          'data-stat': row.stat,
          'data-predicted': String(row.predictedSeconds),
          'data-measured': String(row.measuredSeconds),
          'data-error': String(row.relativeError),
          'data-within': row.withinTarget ? 'yes' : 'no',
        },
      },
      el('th', { text: `${row.label}${row.targeted ? ' (target)' : ''}` }),
      el('td', { text: row.predictedText }),
      el('td', { text: row.measuredText }),
      el('td', { className: 'error', text: row.errorText }),
      el('td', { text: row.withinTarget ? 'yes' : 'no' }),
    ),
  );
  return el('table', { className: 'validation' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

function render(): void {
  chart?.destroy();
  chart = undefined;
  const app = document.getElementById('app')!;
  if (!model) {
    app.replaceChildren(el('p', { className: 'muted', text: 'Waiting for the validation…' }));
    return;
  }
  const current = model;
  const theme = readTheme();
  Chart.defaults.color = theme.foreground;
  Chart.defaults.borderColor = theme.grid;
  const canvas = el('canvas', {
    attrs: { role: 'img', 'aria-label': 'Predicted against measured latency per metric' },
  });
  const figure = el(
    'figure',
    {
      attrs: {
        'data-chart-id': 'validation',
        'data-bars': String(2 * current.rows.length),
        'data-theme': theme.kind,
      },
    },
    el('figcaption', { text: 'Predicted against measured (log scale; label: relative error)' }),
    el('div', { className: 'canvas-box' }, canvas),
  );
  chart = new Chart<'bar', number[], string>(canvas, {
    type: 'bar',
    data: {
      labels: current.rows.map((r) => r.label),
      datasets: [
        {
          label: 'Predicted',
          data: current.rows.map((r) => r.predictedSeconds * 1e3),
          backgroundColor: theme.front,
          borderColor: theme.front,
        },
        {
          label: 'Measured',
          data: current.rows.map((r) => r.measuredSeconds * 1e3),
          backgroundColor: theme.best,
          borderColor: theme.best,
        },
      ],
    },
    plugins: [backgroundAndErrors(current.rows, theme)],
    options: {
      animation: false,
      maintainAspectRatio: false,
      // Room above the tallest bars for the error labels.
      layout: { padding: { top: 18 } },
      scales: {
        x: { title: { display: false } },
        // TTFT and E2E are tens of milliseconds, TPOT and ITL a few: a log axis keeps every pair legible.
        // Headroom over the tallest pair so its error label stays clear of the bars.
        y: {
          type: 'logarithmic',
          suggestedMax:
            1.6 * Math.max(...current.rows.flatMap((r) => [r.predictedSeconds, r.measuredSeconds])) * 1e3,
          title: { display: true, text: 'milliseconds (log scale)' },
        },
      },
      plugins: {
        legend: { labels: { color: theme.foreground } },
        tooltip: {
          callbacks: {
            label: (item) => {
              const row = current.rows[item.dataIndex]!;
              return `${item.dataset.label}: ${item.datasetIndex === 0 ? row.predictedText : row.measuredText}`;
            },
            afterBody: (items) => {
              const row = items[0] ? current.rows[items[0].dataIndex] : undefined;
              return row ? [`error ${row.errorText}`] : [];
            },
          },
        },
      },
    },
  });
  const verdict = el('p', {
    className: current.target.met ? 'verdict met' : 'verdict not-met',
    text: `Target (${current.target.rule}): ${current.target.met ? 'met' : 'not met'} · ${current.headline}`,
  });
  app.replaceChildren(
    el(
      'header',
      {},
      el('h1', { text: current.title }),
      el('p', { className: 'muted', text: current.subtitle }),
    ),
    verdict,
    figure,
    table(current),
    el('p', { className: 'muted', text: 'Error = (predicted − measured) / measured.' }),
    el('ul', { className: 'notes muted' }, ...current.notes.map((note) => el('li', { text: note }))),
  );
  document.body.dataset.rendered = 'validation';
  document.body.dataset.theme = theme.kind;
  document.body.dataset.createdAt = current.createdAt;
}

export function startValidation(): void {
  // After a reload the page draws the saved model at once, before the host answers `ready`.
  const saved = ValidationChartModel.safeParse(vscodeApi.getState());
  if (saved.success) model = saved.data;
  render();
  onThemeChange(() => render());
  connectToHost('validation', (message) => {
    if (message.type !== 'validation') return;
    model = message.model;
    vscodeApi.setState(model);
    render();
  });
}
