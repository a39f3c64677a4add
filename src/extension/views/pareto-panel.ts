import * as vscode from 'vscode';
import { chartModelToCsv, settingsText } from '../../engine/chart/csv.js';
import { type ChartModel, type HostToWebview, ParetoPanelState } from '../../engine/protocol/webview.js';
import type { PageMessage, WebviewChannel } from './channel.js';
import { createChartPanel, initChartPanel, savedPanelState } from './html.js';

export const PARETO_VIEW_TYPE = 'servetune.pareto';

interface ParetoActions {
  /** Applies a point's settings; the host decides whether it can. */
  apply(model: ChartModel, pointId: string): void;
  log: vscode.LogOutputChannel;
}

/**
 * The Pareto panel: one at a time, revealed and refilled on each new chart. The webview keeps its own
 * state for hide/show (setState) and window reloads (the serializer hands it back to `revive`); the host
 * keeps the latest copy too and sends it after every `ready`, so a reloaded page is never blank.
 */
export class ParetoPanel {
  private static current: ParetoPanel | undefined;
  private readonly channel: WebviewChannel;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private state: ParetoPanelState,
    private readonly actions: ParetoActions,
  ) {
    this.channel = initChartPanel(panel, extensionUri, {
      view: 'pareto',
      title: 'ServeTune: Pareto fronts',
      name: 'Pareto panel',
      log: actions.log,
      latest: () => ({ type: 'chart', state: this.state }),
      receive: (message) => this.receive(message),
      disposed: () => {
        if (ParetoPanel.current === this) ParetoPanel.current = undefined;
      },
    });
    panel.title = ParetoPanel.titleOf(state.model);
  }

  static get active(): ParetoPanel | undefined {
    return ParetoPanel.current;
  }

  private static titleOf(model: ChartModel): string {
    return model.kind === 'memory-plans' ? 'ServeTune: memory trade-off' : 'ServeTune: Pareto fronts';
  }

  static show(
    extensionUri: vscode.Uri,
    model: ChartModel,
    actions: ParetoActions,
    selectedId: string | null = model.bestId,
  ): ParetoPanel {
    const state: ParetoPanelState = { model, selectedId, variants: defaultVariants(model) };
    const existing = ParetoPanel.current;
    if (existing) {
      existing.setState(state);
      existing.panel.reveal(undefined, false);
      return existing;
    }
    const panel = createChartPanel(PARETO_VIEW_TYPE, ParetoPanel.titleOf(model), extensionUri);
    ParetoPanel.current = new ParetoPanel(panel, extensionUri, state, actions);
    return ParetoPanel.current;
  }

  /** A panel restored after a window reload, with the state its webview saved. */
  static revive(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    saved: unknown,
    actions: ParetoActions,
  ): ParetoPanel | undefined {
    const state = savedPanelState(ParetoPanelState, saved, panel, 'Pareto panel', actions.log);
    if (!state) return undefined;
    ParetoPanel.current?.panel.dispose();
    ParetoPanel.current = new ParetoPanel(panel, extensionUri, state, actions);
    return ParetoPanel.current;
  }

  get model(): ChartModel {
    return this.state.model;
  }

  get selectedId(): string | null {
    return this.state.selectedId;
  }

  setState(state: ParetoPanelState): void {
    this.state = state;
    this.panel.title = ParetoPanel.titleOf(state.model);
    this.channel.push();
  }

  /** Asks the webview for PNGs of the charts it shows, then saves them. */
  exportPng(): void {
    const message: HostToWebview = { type: 'export-png' };
    void this.panel.webview.postMessage(message);
  }

  async exportCsv(): Promise<void> {
    const target = await vscode.window.showSaveDialog({
      title: 'Export the chart points as CSV',
      defaultUri: defaultExportUri(`servetune-${this.state.model.kind}.csv`),
      filters: { CSV: ['csv'] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(chartModelToCsv(this.state.model)));
    void vscode.window.showInformationMessage(`ServeTune: saved ${vscode.workspace.asRelativePath(target)}`);
  }

  private async savePngs(images: { chartId: string; dataUrl: string }[]): Promise<void> {
    if (images.length === 0) return;
    const target = await vscode.window.showSaveDialog({
      title: 'Export the charts as PNG',
      defaultUri: defaultExportUri(`servetune-${this.state.model.kind}.png`),
      filters: { PNG: ['png'] },
    });
    if (!target) return;
    const saved: vscode.Uri[] = [];
    for (const image of images) {
      const uri =
        images.length === 1
          ? target
          : target.with({ path: target.path.replace(/(\.png)?$/i, `-${image.chartId}.png`) });
      const bytes = Buffer.from(image.dataUrl.slice('data:image/png;base64,'.length), 'base64');
      await vscode.workspace.fs.writeFile(uri, bytes);
      saved.push(uri);
    }
    void vscode.window.showInformationMessage(
      `ServeTune: saved ${saved.map((uri) => vscode.workspace.asRelativePath(uri)).join(', ')}`,
    );
  }

  private receive(message: PageMessage): void {
    switch (message.type) {
      case 'state':
        this.state = message.state;
        return;
      case 'copy': {
        const point = this.state.model.points.find((p) => p.id === message.pointId);
        if (!point) return;
        void vscode.env.clipboard
          .writeText(settingsText(point.settings))
          .then(() =>
            vscode.window.showInformationMessage(`ServeTune: copied the settings of ${point.label}`),
          );
        return;
      }
      case 'apply':
        this.actions.apply(this.state.model, message.pointId);
        return;
      case 'export-csv':
        void this.exportCsv();
        return;
      case 'export-png':
        void this.savePngs(message.images);
        return;
      case 'run-command':
        this.actions.log.warn('Pareto panel asked to run a command; it has none to run');
        return;
    }
  }
}

/**
 * Per group, the variant to show first: the one marked so (a search's SLO percentile), else the one whose
 * chart carries the SLO region (the percentile the targets apply to).
 */
export function defaultVariants(model: ChartModel): Record<string, string> {
  const variants: Record<string, string> = {};
  for (const spec of model.charts) {
    if (spec.variant && spec.shownFirst) variants[spec.group] = spec.variant;
  }
  for (const spec of model.charts) {
    if (spec.variant && spec.region && !(spec.group in variants)) variants[spec.group] = spec.variant;
  }
  return variants;
}

function defaultExportUri(name: string): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, name) : undefined;
}
