import { opaqueColour } from './colour.js';

/** Chart colours taken from the VS Code theme's CSS variables, so charts match every theme. */
export interface ChartTheme {
  kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  front: string;
  other: string;
  best: string;
  region: string;
  infeasible: string;
  selected: string;
}

/** Outside the editor (the HTML report) no theme class is set: the reader's colour scheme decides. */
const darkScheme = () => window.matchMedia('(prefers-color-scheme: dark)');

function themeKind(): ChartTheme['kind'] {
  const classes = document.body.classList;
  if (classes.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (classes.contains('vscode-high-contrast')) return 'high-contrast';
  if (classes.contains('vscode-light')) return 'light';
  if (classes.contains('vscode-dark')) return 'dark';
  return darkScheme().matches ? 'dark' : 'light';
}

export function readTheme(): ChartTheme {
  const style = getComputedStyle(document.body);
  const pick = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  // Series colours at full strength: a theme's chart colour may be translucent (colour.ts).
  const series = (name: string, fallback: string) => opaqueColour(pick(name, fallback));
  const kind = themeKind();
  const light = kind === 'light' || kind === 'high-contrast-light';
  return {
    kind,
    foreground: pick('--vscode-editor-foreground', light ? '#333333' : '#cccccc'),
    muted: pick('--vscode-descriptionForeground', light ? '#717171' : '#9d9d9d'),
    grid: pick('--vscode-editorWidget-border', light ? '#c8c8c8' : '#454545'),
    background: pick('--vscode-editor-background', light ? '#ffffff' : '#1e1e1e'),
    front: series('--vscode-charts-blue', '#3794ff'),
    other: series('--vscode-charts-foreground', light ? '#616161' : '#a0a0a0'),
    best: series('--vscode-charts-orange', '#d18616'),
    region: series('--vscode-charts-green', '#89d185'),
    infeasible: series('--vscode-charts-red', '#f14c4c'),
    selected: series('--vscode-focusBorder', '#007fd4'),
  };
}

/**
 * Calls `listener` whenever VS Code switches theme (it swaps the body's classes and variables), or, in
 * the HTML report, the reader's colour scheme changes (its variables follow `prefers-color-scheme`).
 */
export function onThemeChange(listener: () => void): void {
  new MutationObserver(listener).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  darkScheme().addEventListener('change', listener);
}

/** Fills a chart's whole canvas with the theme background, so screenshots and exported PNGs stay readable. */
export function paintBackground(
  chart: { ctx: CanvasRenderingContext2D; width: number; height: number },
  theme: ChartTheme,
): void {
  const { ctx } = chart;
  ctx.save();
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, chart.width, chart.height);
  ctx.restore();
}
