import { basename } from 'node:path';
import * as vscode from 'vscode';
import { searchChartModel } from '../../engine/chart/search-chart.js';
import type { Diagnostic } from '../../engine/config/diagnostics.js';
import type { TextEdit } from '../../engine/config/source.js';
import type { CheckConfigResult } from '../../engine/tune/check.js';
import {
  type ConfigSimulation,
  type DisaggregationSide,
  simulationConfigOf,
} from '../../engine/tune/config-simulation.js';
import { configPairOf } from '../../engine/tune/predict-pair.js';
import type { PredictBlockResult, TuneBlockResult } from '../../engine/tune/schema.js';
import { readConfigIfFile } from '../../engine/util/files.js';
import { showSimulation } from '../commands/simulate.js';
import { describeEngineError, isCancellation } from '../engine.js';
import { moeBackendForBlock, nvfp4DispatchForBlock } from '../engine-settings.js';
import { configSimulationLoad } from '../load.js';
import type { Services } from '../services.js';
import { type ApplyPlan, namedFileOnly, planApply } from './apply-plan.js';
import { configTooLarge, isConfigFile } from './candidate.js';
import { toRange, workspaceEdit } from './edits.js';
import { type WorkspaceInputs, workspaceInputs } from './inputs.js';

type Outcome<T> = { kind: 'pending' } | { kind: 'done'; value: T } | { kind: 'failed'; message: string };

interface DocumentState {
  version: number;
  check: Outcome<CheckConfigResult>;
  inputs?: WorkspaceInputs;
  inputsError?: string;
  predictions: Map<number, Outcome<PredictBlockResult>>;
}

const CHECK_DELAY_MS = 400;

/** Files that may hold serving configs: YAML, shell scripts and JSON manifests on disk. */
export function isConfigCandidate(document: vscode.TextDocument): boolean {
  return (
    document.uri.scheme === 'file' &&
    isConfigFile(document.uri.fsPath, document.languageId, () => document.getText())
  );
}

/**
 * The state behind the config CodeLenses, diagnostics and quick fixes: per document, the blocks and
 * diagnostics (worker `checkConfig`), a prediction per block (worker `predictBlock`), and per block the
 * last tuning (worker `tuneBlock`). Simulations run in the engine worker only.
 */
export class ConfigController implements vscode.Disposable {
  private readonly documents = new Map<string, DocumentState>();
  private readonly tunings = new Map<string, Outcome<TuneBlockResult>>();
  /** Per tuning, the text of each file its edits touch as it was when tuned (what Apply checks against). */
  private readonly tunedOn = new Map<string, Map<string, string>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Documents too large to check whose refusal is already in the log: said once, not per keystroke. */
  private readonly loggedTooLarge = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  readonly diagnostics = vscode.languages.createDiagnosticCollection('servetune');
  /** The engine diagnostics behind each VS Code diagnostic, for quick fixes. */
  readonly fixes = new WeakMap<vscode.Diagnostic, Diagnostic>();

  constructor(private readonly services: Services) {}

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.diagnostics.dispose();
    this.changed.dispose();
  }

  state(document: vscode.TextDocument): DocumentState | undefined {
    return this.documents.get(document.uri.toString());
  }

  tuning(document: vscode.TextDocument, block: number): Outcome<TuneBlockResult> | undefined {
    return this.tunings.get(tuningKey(document.uri, block));
  }

  /** Re-check a document soon (after typing pauses). */
  schedule(document: vscode.TextDocument): void {
    if (!isConfigCandidate(document)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.refresh(document);
      }, CHECK_DELAY_MS),
    );
  }

  forget(document: vscode.TextDocument): void {
    this.documents.delete(document.uri.toString());
    this.loggedTooLarge.delete(document.uri.toString());
    this.diagnostics.delete(document.uri);
  }

  async refresh(document: vscode.TextDocument): Promise<void> {
    if (!isConfigCandidate(document) || document.isClosed) return;
    const key = document.uri.toString();
    const version = document.version;
    const text = document.getText();
    const tooLarge = configTooLarge(document.uri.fsPath, text);
    if (tooLarge) {
      this.refuseTooLarge(document, tooLarge);
      return;
    }
    this.loggedTooLarge.delete(key);
    const state: DocumentState = { version, check: { kind: 'pending' }, predictions: new Map() };
    try {
      state.inputs = workspaceInputs(document);
    } catch (error) {
      state.inputsError = describeEngineError(error);
    }
    this.documents.set(key, state);
    try {
      const result = await this.services.engine.run(
        'checkConfig',
        {
          path: document.uri.fsPath,
          text,
          ...(state.inputs?.hardware ? { hardware: state.inputs.hardware } : {}),
        },
        { title: 'ServeTune: checking config' },
      );
      if (this.documents.get(key) !== state) return;
      state.check = { kind: 'done', value: result };
      this.showDiagnostics(document, result);
    } catch (error) {
      state.check = { kind: 'failed', message: describeEngineError(error) };
      this.services.log.warn(`checking ${document.uri.fsPath}: ${state.check.message}`);
    }
    this.changed.fire();
    if (state.check.kind !== 'done' || !state.inputs?.workload) return;
    // Predictions one block at a time: each is one simulation in the worker.
    for (let block = 0; block < state.check.value.report.blocks.length; block++) {
      if (this.documents.get(key) !== state) return;
      state.predictions.set(block, { kind: 'pending' });
      this.changed.fire();
      try {
        const value = await this.services.engine.run(
          'predictBlock',
          {
            ...this.engineInputs(state.inputs, state.check.value.report.blocks[block]?.engine ?? null),
            path: document.uri.fsPath,
            text,
            block,
          },
          { title: 'ServeTune: predicting' },
        );
        state.predictions.set(block, { kind: 'done', value });
      } catch (error) {
        state.predictions.set(block, { kind: 'failed', message: describeEngineError(error) });
      }
      this.changed.fire();
    }
  }

  /**
   * The worker's inputs for a block serving with `blockEngine` (the MoE backend and nvfp4 dispatch
   * settings where its engine has them).
   */
  private engineInputs(inputs: WorkspaceInputs, blockEngine: string | null) {
    return {
      ...moeBackendForBlock(inputs, blockEngine),
      ...nvfp4DispatchForBlock(inputs, blockEngine),
      workload: inputs.workload!,
      ...(inputs.rate !== undefined ? { rate: inputs.rate } : {}),
      slo: inputs.slo,
      ...(inputs.hardware ? { hardware: inputs.hardware } : {}),
      hardwareFallback: inputs.hardwareFallback,
      sampleRequests: inputs.sampleRequests,
      ...(inputs.perfDb !== undefined ? { perfDb: inputs.perfDb } : {}),
    };
  }

  /**
   * A document over the size the worker takes is not sent: one diagnostic at its top says why, in the
   * words `servetune check` uses for the file, and the log says it once, not on every keystroke.
   */
  private refuseTooLarge(document: vscode.TextDocument, message: string): void {
    const key = document.uri.toString();
    this.documents.set(key, {
      version: document.version,
      check: { kind: 'failed', message },
      predictions: new Map(),
    });
    const diagnostic = new vscode.Diagnostic(
      new vscode.Range(0, 0, 0, 0),
      `${message}; ServeTune does not check it`,
      // Information, not a warning: any large YAML or JSON manifest open in the editor gets it.
      vscode.DiagnosticSeverity.Information,
    );
    diagnostic.source = 'ServeTune';
    diagnostic.code = 'config-too-large';
    this.diagnostics.set(document.uri, [diagnostic]);
    if (!this.loggedTooLarge.has(key)) {
      this.loggedTooLarge.add(key);
      this.services.log.warn(`not checking ${message}`);
    }
    this.changed.fire();
  }

  private showDiagnostics(document: vscode.TextDocument, result: CheckConfigResult): void {
    const recognised = result.report.format !== 'unknown' && result.report.blocks.length > 0;
    const path = document.uri.fsPath;
    const shown = recognised ? result.diagnostics.filter((d) => d.range.file === path) : [];
    this.diagnostics.set(
      document.uri,
      shown.map((d) => {
        const diagnostic = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity]);
        diagnostic.source = 'ServeTune';
        diagnostic.code = d.code;
        diagnostic.relatedInformation = d.related.map(
          (r) =>
            new vscode.DiagnosticRelatedInformation(
              new vscode.Location(vscode.Uri.file(r.range.file), toRange(r.range)),
              r.message,
            ),
        );
        this.fixes.set(diagnostic, d);
        return diagnostic;
      }),
    );
  }

  /** The engine block `block` serves with, as the last check read it (null: not known yet). */
  private blockEngine(document: vscode.TextDocument, block: number): string | null {
    const check = this.state(document)?.check;
    return check?.kind === 'done' ? (check.value.report.blocks[block]?.engine ?? null) : null;
  }

  /**
   * Searches the block's model and GPUs on the workspace's workload (a cancellable run in the worker).
   * `side`: the block is that side of a disaggregated deployment, tuned within its prefill + decode pair
   * (`tuneBlock` with `side`, as `servetune tune --side`); the edits touch that block only.
   */
  async tune(uri: vscode.Uri, block: number, side?: DisaggregationSide): Promise<void> {
    const document = await vscode.workspace.openTextDocument(uri);
    let inputs: WorkspaceInputs;
    try {
      inputs = workspaceInputs(document);
    } catch (error) {
      void vscode.window.showErrorMessage(`ServeTune: ${describeEngineError(error)}`);
      return;
    }
    if (!inputs.workload) {
      void vscode.window.showWarningMessage(
        'ServeTune: no workload to tune for: add "workload" to a servetune.json next to the config, or set servetune.workload.',
      );
      return;
    }
    const key = tuningKey(uri, block);
    this.tunings.set(key, { kind: 'pending' });
    this.changed.fire();
    const text = document.getText();
    try {
      const value = await this.services.engine.run(
        'tuneBlock',
        {
          ...this.engineInputs(inputs, this.blockEngine(document, block)),
          path: uri.fsPath,
          text,
          block,
          ...(side ? { side } : {}),
        },
        { title: side ? `ServeTune: tuning the ${side} side` : 'ServeTune: tuning the serving config' },
      );
      this.tunings.set(key, { kind: 'done', value });
      this.tunedOn.set(key, tunedTexts(uri.fsPath, text, value));
      const which = side ? `block ${block} (${side} side)` : `block ${block}`;
      this.services.log.info(`tuned ${uri.fsPath} ${which}: ${value.summary}`);
    } catch (error) {
      if (isCancellation(error)) this.tunings.delete(key);
      else {
        const message = describeEngineError(error);
        this.tunings.set(key, { kind: 'failed', message });
        void vscode.window.showErrorMessage(`ServeTune: ${message}`);
      }
    }
    this.changed.fire();
  }

  /**
   * Simulates the block as the file writes it (`servetune simulate --config`): its plan, engine and
   * version, scheduler settings and engine behaviours, on the workspace's workload, in the worker, with
   * the load the palette's Simulate last chose (`configSimulationLoad`); the RunSummary opens as a report. The buffers of open files stand for the files on disk. `side`: the
   * block is that side of a disaggregated deployment, simulated with the file's other side (`--side`).
   */
  async simulate(uri: vscode.Uri, block: number, side?: DisaggregationSide): Promise<void> {
    const document = await vscode.workspace.openTextDocument(uri);
    let inputs: WorkspaceInputs;
    let config: ConfigSimulation;
    try {
      inputs = workspaceInputs(document);
      const buffers = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.fsPath, d.getText()]));
      // The pair as `simulate --config --side` and the side's prediction assemble it (the lens of a
      // prefill or decode block names its side), with the MoE backend and nvfp4 dispatch settings over
      // the file's, as `--moe-backend` and `--nvfp4-dispatch` over `--config`'s.
      config = configPairOf(
        {
          path: uri.fsPath,
          block,
          ...(inputs.hardware ? { hardware: inputs.hardware } : {}),
          hardwareFallback: inputs.hardwareFallback,
          readFile: (path) => buffers.get(path) ?? readConfigIfFile(path),
          ...moeBackendForBlock(inputs, this.blockEngine(document, block)),
          ...nvfp4DispatchForBlock(inputs, this.blockEngine(document, block)),
        },
        side,
      );
    } catch (error) {
      void vscode.window.showErrorMessage(`ServeTune: ${describeEngineError(error)}`);
      return;
    }
    if (!inputs.workload) {
      void vscode.window.showWarningMessage(
        'ServeTune: no workload to simulate: add "workload" to a servetune.json next to the config, or set servetune.workload.',
      );
      return;
    }
    // The load the palette's Simulate and Search last chose, else the default (and the user is told).
    const load = configSimulationLoad(this.services.store.choices().load, inputs.rate);
    try {
      const summary = await this.services.engine.run(
        'simulate',
        {
          config: simulationConfigOf(config, inputs.slo),
          workload: inputs.workload,
          ...load.params,
          ...(inputs.perfDb !== undefined ? { perfDb: inputs.perfDb } : {}),
          ...(inputs.calibration !== undefined ? { calibration: inputs.calibration } : {}),
        },
        { title: `ServeTune: simulating ${basename(uri.fsPath)}, ${load.text}` },
      );
      await showSimulation(this.services, summary, inputs.workload, config.source, load.params.maxTokens);
      if (!load.chosen) {
        void vscode.window.showInformationMessage(
          `ServeTune: simulated ${basename(uri.fsPath)} ${load.text}, the default: no load chosen yet. Simulate Serving Config… asks for one, and this lens then runs it.`,
        );
      }
    } catch (error) {
      if (isCancellation(error)) return;
      const message = describeEngineError(error);
      this.services.log.error(`simulating ${uri.fsPath}: ${message}`);
      void vscode.window.showErrorMessage(`ServeTune: ${message}`);
    }
  }

  /**
   * Writes the suggestion into the editor (one WorkspaceEdit, one undo; saving is the user's): the
   * edits as tuned where nothing changed since, planned again where the file changed but the block did
   * not, refused otherwise (`planApply`, the rule of `tune --write`). Changes that cannot be made
   * (shared anchors or variables) and edits in files the user did not name are asked about first.
   */
  async apply(uri: vscode.Uri, block: number): Promise<boolean> {
    const key = tuningKey(uri, block);
    const tuning = this.tunings.get(key);
    const tunedOn = this.tunedOn.get(key);
    if (tuning?.kind !== 'done' || !tuning.value.suggested || !tunedOn) {
      void vscode.window.showInformationMessage('ServeTune: nothing to apply; tune the block first.');
      return false;
    }
    let plan: ApplyPlan;
    try {
      plan = planApply({
        path: uri.fsPath,
        block,
        tuning: tuning.value,
        plannedOn: tunedOn,
        buffers: new Map(vscode.workspace.textDocuments.map((d) => [d.uri.fsPath, d.getText()])),
      });
    } catch (error) {
      void vscode.window.showWarningMessage(`ServeTune: ${describeEngineError(error)}`);
      return false;
    }
    const edits = await confirmedEdits(plan, uri.fsPath);
    if (!edits) return false;
    for (const problem of plan.problems) this.services.log.warn(`apply: ${problem}`);
    const applied = await vscode.workspace.applyEdit(workspaceEdit(edits));
    if (!applied) {
      void vscode.window.showErrorMessage('ServeTune: the editor refused the edit.');
      return false;
    }
    this.tunings.delete(key);
    this.tunedOn.delete(key);
    this.changed.fire();
    return true;
  }

  /** The tuning's search in the Pareto panel, with the suggested configuration selected. */
  showTradeOffs(uri: vscode.Uri, block: number): void {
    const tuning = this.tunings.get(tuningKey(uri, block));
    if (tuning?.kind !== 'done') {
      void vscode.window.showInformationMessage('ServeTune: tune the block first.');
      return;
    }
    this.services.showChart(searchChartModel(tuning.value.search), tuning.value.suggestedId ?? undefined);
  }
}

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function tuningKey(uri: vscode.Uri, block: number): string {
  return `${uri.toString()}#${block}`;
}

/** The texts a tuning's edits were planned on: the buffer sent to the worker, and the other files now. */
function tunedTexts(path: string, text: string, result: TuneBlockResult): Map<string, string> {
  const texts = new Map([[path, text]]);
  const buffers = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.fsPath, d.getText()]));
  for (const edit of result.edits) {
    const file = edit.range.file;
    if (texts.has(file)) continue;
    const now = buffers.get(file) ?? readConfigIfFile(file);
    if (now !== undefined) texts.set(file, now);
  }
  return texts;
}

/**
 * The edits to make after asking where needed: changes that cannot be made are listed and the rest
 * applied only if the user agrees; edits in files the user did not name are made only if the user
 * agrees, else left out. Undefined: the user declined, nothing changes.
 */
async function confirmedEdits(plan: ApplyPlan, path: string): Promise<readonly TextEdit[] | undefined> {
  let edits = plan.edits;
  if (plan.problems.length > 0) {
    const choice = await vscode.window.showWarningMessage(
      `ServeTune: ${plan.problems.length === 1 ? 'one change' : `${plan.problems.length} changes`} cannot be made here: ${plan.problems.join('; ')}`,
      { modal: true },
      'Apply the Others',
    );
    if (choice !== 'Apply the Others') return undefined;
  }
  if (plan.referenced.length > 0) {
    const all = 'Edit Them Too';
    const choice = await vscode.window.showWarningMessage(
      `ServeTune: the change also edits ${plan.referenced.join(', ')}, which ${basename(path)} refers to (other configs may read ${plan.referenced.length === 1 ? 'it' : 'them'} too).`,
      { modal: true },
      all,
      'Only This File',
    );
    if (choice === undefined) return undefined;
    if (choice !== all) edits = namedFileOnly(plan, path);
  }
  if (edits.length === 0) {
    void vscode.window.showInformationMessage('ServeTune: nothing left to apply in this file.');
    return undefined;
  }
  return edits;
}
