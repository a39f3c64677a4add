import { engineBehaviourAttribute, engineLineText, engineWords } from '../engine/chart/engine-line.js';
import type { ChartEngine, DashboardState, RecentRun } from '../engine/protocol/webview.js';
import { connectToHost, el, post } from './api.js';

function gflops(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)} TFLOP/s` : `${value.toFixed(1)} GFLOP/s`;
}

function percentOf(measured: number, peak: number): string {
  return peak > 0 ? ` (${((100 * measured) / peak).toFixed(0)}% of ${peak.toFixed(0)})` : '';
}

function section(title: string, ...children: (Node | null)[]): HTMLElement {
  return el('section', {}, el('h2', { text: title }), ...children);
}

function row(label: string, value: string): HTMLElement {
  return el(
    'div',
    { className: 'row' },
    el('span', { className: 'label', text: label }),
    el('span', { text: value }),
  );
}

/** The engine the settings time the next run with, named as the Pareto panel names the one that timed its points. */
function engineRow(state: DashboardState): HTMLElement {
  const engine = state.defaults.engine;
  if (!engine) return row('Engine', state.defaults.engineFlavour);
  const shown = row('Engine', engineWords(engine));
  shown.dataset.engineBehaviour = engineBehaviourAttribute(engine);
  return shown;
}

/** Under the Engine row: the MoE backend pick ("ServeTune: Choose MoE Backend…"), which writes the setting. */
function moeBackendLink(): HTMLElement {
  const choose = el('a', {
    text: 'Choose MoE backend…',
    attrs: { href: '#', 'data-command': 'servetune.chooseMoeBackend' },
  });
  choose.addEventListener('click', (event) => {
    event.preventDefault();
    post({ type: 'run-command', command: 'servetune.chooseMoeBackend' });
  });
  return el('div', { className: 'muted row-action' }, choose);
}

/** Under a recent run: the engine that timed its chart and its behaviours away from the defaults. */
function runEngine(engine: ChartEngine | undefined): HTMLElement | null {
  if (!engine) return null;
  return el('div', {
    className: 'muted',
    text: engineLineText(engine),
    attrs: { 'data-engine-behaviour': engineBehaviourAttribute(engine) },
  });
}

/**
 * The line under a recent run: when, and its outcome in the words of its kind. A simulation runs one
 * configuration, so it has no "best"; a capacity plan's is the cheapest, as its notification says.
 */
function runLine(run: RecentRun): string {
  const at = new Date(run.at).toLocaleString();
  if (run.kind === 'validation') return at;
  if (run.kind === 'simulate') return `${at} · ${run.best ?? 'no completed requests'}`;
  const word = run.kind === 'capacity' ? 'cheapest' : 'best';
  return `${at} · ${word}: ${run.best ?? 'none'}`;
}

function deviceSection(state: DashboardState): HTMLElement {
  const device = state.device;
  if (device.kind !== 'found') {
    return section(
      'Device',
      el('p', {
        className: 'muted',
        text:
          device.kind === 'none' ? device.reason : 'Not detected yet: detect the GPU adapter or profile it.',
      }),
    );
  }
  const { adapter, measured } = device.summary;
  const children: HTMLElement[] = [
    row('Adapter', adapter.description || adapter.device),
    row(
      'Vendor',
      `${adapter.vendor} · ${adapter.architecture}${adapter.isFallbackAdapter ? ' (fallback)' : ''}`,
    ),
  ];
  if (measured) {
    const peak = measured.peak;
    children.push(
      row(
        'f32 compute',
        `${gflops(measured.gflopsF32)}${peak ? percentOf(measured.gflopsF32, peak.gflopsF32) : ''}`,
      ),
      row(
        'Memory copy',
        `${measured.copyGBps.toFixed(1)} GB/s${peak ? percentOf(measured.copyGBps, peak.memoryGBps) : ''}`,
      ),
      ...(measured.gflopsF16 !== null ? [row('f16 compute', gflops(measured.gflopsF16))] : []),
      row('Measured', `${new Date(measured.at).toLocaleString()}${measured.quick ? ' (quick)' : ''}`),
    );
    if (!peak) {
      children.push(
        el('p', {
          className: 'muted',
          text: 'Not a catalog GPU: no datasheet peak to compare with.',
        }),
      );
    }
  } else {
    children.push(el('p', { className: 'muted', text: 'Not profiled yet: no measured speeds.' }));
  }
  return section('Device', ...children);
}

function validationSection(state: DashboardState): HTMLElement {
  const last = state.validation;
  if (!last) {
    return section(
      'Validation on this machine',
      el('p', {
        className: 'muted',
        text: 'Not validated yet: "Validate on this machine" serves a workload for real and compares it with the prediction.',
      }),
    );
  }
  const open = el('a', { text: 'chart', attrs: { href: '#', 'data-validation': last.runId } });
  open.addEventListener('click', (event) => {
    event.preventDefault();
    post({ type: 'run-command', command: 'servetune.showLastValidation', args: [last.runId] });
  });
  return section(
    'Validation on this machine',
    el(
      'div',
      { className: 'row', attrs: { 'data-headline': last.headline } },
      el('span', { className: 'label', text: 'Error' }),
      el('span', { text: last.headline }),
    ),
    row(`Target ±${(100 * last.maxRelativeError).toFixed(0)}%`, last.met ? 'met' : 'not met'),
    el('div', { className: 'muted' }, el('span', { text: `${new Date(last.at).toLocaleString()} · ` }), open),
  );
}

function capacitySection(state: DashboardState): HTMLElement {
  const plan = state.capacity;
  if (!plan) {
    return section(
      'Capacity plan',
      el('p', {
        className: 'muted',
        text: 'No plan yet: "Plan capacity" finds, per GPU type, the cheapest deployment meeting the SLO at a rate.',
      }),
    );
  }
  // Prices are `num` cells (right-aligned, never broken inside); `per-m` is left out of a very narrow
  // sidebar (webview.css). The GPU count leads the GPU's name ("2× h100-sxm") to save a column.
  const cell = (tag: 'td' | 'th', text: string, className = '') => el(tag, { text, className });
  const table = el(
    'table',
    { className: 'capacity', attrs: { 'data-capacity': plan.runId } },
    el(
      'tr',
      {},
      // The CLI's column words (`servetune search --gpus min..max`).
      cell('th', 'GPUs'),
      cell('th', 'configuration'),
      cell('th', '$/hour', 'num'),
      cell('th', '$/M output', 'num per-m'),
    ),
    ...plan.rows.map((r) =>
      el(
        'tr',
        { className: r.cheapest ? 'cheapest' : '', attrs: { 'data-hardware': r.hardware } },
        cell('td', `${r.cheapest ? '★ ' : ''}${r.gpus === null ? '' : `${r.gpus}× `}${r.hardware}`),
        // The latencies go under the configuration, not in columns of their own: a sidebar has no room.
        el(
          'td',
          {},
          el('span', { text: r.configuration }),
          // A number keeps its unit on its line ('43.6 ms') when a narrow sidebar wraps the line.
          ...(r.latencies
            ? [
                el('div', {
                  className: 'latencies muted',
                  text: r.latencies.replace(/ (ms|s)\b/g, '\u00a0$1'),
                }),
              ]
            : []),
        ),
        cell('td', r.usdPerHour, 'num'),
        cell('td', r.usdPerMillionTokens, 'num per-m'),
      ),
    ),
  );
  return section(
    'Capacity plan',
    el('p', { text: plan.heading }),
    row('SLO', plan.slo),
    // Scrolls sideways rather than running out of a sidebar too narrow for its columns.
    el('div', { className: 'table-scroll' }, table),
    el('p', {
      className: 'muted',
      text: '★ cheapest per hour. The Pareto panel charts cost against latency.',
    }),
  );
}

function render(state: DashboardState): void {
  const app = document.getElementById('app')!;
  const actions = el(
    'div',
    { className: 'actions' },
    ...state.actions.map((action) => {
      const button = el('button', {
        text: action.label,
        attrs: { 'data-command': action.command, title: action.label },
      });
      button.addEventListener('click', () => post({ type: 'run-command', command: action.command }));
      return button;
    }),
  );
  const runs =
    state.runs.length === 0
      ? el('p', { className: 'muted', text: 'No runs yet.' })
      : el(
          'ul',
          { className: 'runs' },
          ...state.runs.map((run) => {
            const open = el('a', { text: run.title, attrs: { href: '#', 'data-run': run.id } });
            open.addEventListener('click', (event) => {
              event.preventDefault();
              post({ type: 'run-command', command: 'servetune.showLastReport', args: [run.id] });
            });
            const chart = run.hasChart
              ? el('a', { text: 'chart', attrs: { href: '#', class: 'chart-link' } })
              : null;
            chart?.addEventListener('click', (event) => {
              event.preventDefault();
              post({ type: 'run-command', command: 'servetune.showLastChart', args: [run.id] });
            });
            return el(
              'li',
              {},
              open,
              el('div', {
                className: 'muted',
                text: runLine(run),
              }),
              runEngine(run.engine),
              chart,
            );
          }),
        );
  app.replaceChildren(
    el('h1', { text: 'ServeTune' }),
    actions,
    deviceSection(state),
    section(
      'Defaults',
      row('Model', state.defaults.model ?? 'not chosen yet'),
      row('GPUs', `${state.defaults.gpus}× ${state.defaults.hardware}`),
      engineRow(state),
      moeBackendLink(),
    ),
    section(
      'Workload and SLOs',
      row('Workload', state.workload ?? 'none imported'),
      ...(state.slo.words
        ? [row('SLO', state.slo.words)]
        : [
            row(
              'TTFT',
              state.slo.ttftSeconds === null
                ? 'no target'
                : `${state.slo.percentile} ≤ ${state.slo.ttftSeconds} s`,
            ),
            row(
              'TBT',
              state.slo.tbtSeconds === null
                ? 'no target'
                : `${state.slo.percentile} ≤ ${(state.slo.tbtSeconds * 1000).toFixed(0)} ms`,
            ),
          ]),
    ),
    capacitySection(state),
    validationSection(state),
    section('Recent runs', runs),
    section(
      'Engine',
      row('Worker', state.engine.status),
      state.engine.detail ? el('p', { className: 'muted', text: state.engine.detail }) : null,
    ),
  );
  document.body.dataset.rendered = 'dashboard';
}

export function startDashboard(): void {
  connectToHost('dashboard', (message) => {
    if (message.type === 'dashboard') render(message.state);
  });
}
