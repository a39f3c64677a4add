import type { ChartEngine } from '../protocol/webview.js';

// One wording for the engine that timed a run, wherever it is shown: the Pareto panel and the HTML
// report (src/webview/pareto.ts) and the dashboard's defaults and recent runs (src/webview/dashboard.ts).
// Kept free of engine code: the webview bundle imports it.

/** `sglang · NCCL all-reduce, eager`, or `vllm (defaults)` where it runs nothing away from its defaults. */
export function engineWords(engine: ChartEngine): string {
  return `${engine.name}${engine.behaviour.length > 0 ? ` · ${engine.behaviour.join(', ')}` : ' (defaults)'}`;
}

/** `Engine: sglang · NCCL all-reduce, eager`, or `Engine: vllm (defaults)`. */
export function engineLineText(engine: ChartEngine): string {
  return `Engine: ${engineWords(engine)}`;
}

/** The `data-engine-behaviour` attribute the end-to-end tests read: the behaviours, comma-separated. */
export function engineBehaviourAttribute(engine: ChartEngine): string {
  return engine.behaviour.join(', ');
}
