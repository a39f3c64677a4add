import type { ChartModel } from '../protocol/webview.js';

function cell(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Every point of a chart model as CSV: one row per point, its metrics and settings as columns, and one
 * `front:<chart>` column per chart (1 when on that chart's Pareto front).
 */
export function chartModelToCsv(model: ChartModel): string {
  const metricKeys = [...new Set(model.points.flatMap((p) => Object.keys(p.metrics)))].sort();
  const settingKeys = [...new Set(model.points.flatMap((p) => Object.keys(p.settings)))].sort();
  const header = [
    'id',
    'label',
    'feasible',
    'best',
    ...model.charts.map((c) => `front:${c.id}`),
    ...metricKeys,
    ...settingKeys.map((k) => `setting:${k}`),
  ];
  const rows = model.points.map((p) => [
    p.id,
    p.label,
    p.feasible,
    p.id === model.bestId,
    ...model.charts.map((c) => (p.fronts.includes(c.id) ? 1 : 0)),
    ...metricKeys.map((k) => p.metrics[k]),
    ...settingKeys.map((k) => p.settings[k]),
  ]);
  return `${[header, ...rows].map((row) => row.map(cell).join(',')).join('\n')}\n`;
}

/** The settings of one point as `key: value` lines, for the clipboard. */
export function settingsText(settings: Record<string, string | number | boolean>): string {
  return `${Object.entries(settings)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n')}\n`;
}
