import * as vscode from 'vscode';
import { defaultPolicyOf } from '../../engine/config/engines/index.js';
import { describePlan, type Plan } from '../../engine/memory/plan.js';
import { PolicyName } from '../../engine/sched/config.js';
import type { MaxTokens } from '../../engine/sim/requests.js';
import type { RunSummary } from '../../engine/sim/summary.js';
import { readSettings } from '../configuration.js';
import { describeEngineError, isCancellation } from '../engine.js';
import { plansEngineInput, servingEngineOfSettings } from '../engine-settings.js';
import { loadChoiceText, simulateLoadParams } from '../load.js';
import { pickLoad } from '../load-pick.js';
import { currentSlo, pickCluster } from '../picks.js';
import { calibrationInput, perfDbInput } from '../search-settings.js';
import type { Services } from '../services.js';
import { simulationMarkdown } from '../simulation-report.js';
import { sloTargetsOfChoice } from '../slo-definition.js';
import type { Store } from '../state.js';
import { pickWorkload } from '../workloads.js';

const POLICY_DESCRIPTIONS: Record<PolicyName, string> = {
  'vllm-v1': 'vLLM V1: token budget, decodes first, chunked prefill',
  sarathi: 'Sarathi-Serve: stall-free chunked prefill (as vLLM V1)',
  'vllm-v0': 'vLLM V0: prefill-only steps first, decodes pause',
  sglang: 'SGLang: prefill batches, then decode batches; reserved admission',
  lightllm: 'LightLLM: admit while the predicted peak KV use fits',
  orca: 'Orca: iteration-level batching, whole prompts',
  static: 'Static batches (FasterTransformer)',
};

/** The chosen engine's own policy where the simulator has one, else vLLM V1's. */
function defaultPolicy(): PolicyName {
  return defaultPolicyOf(readSettings().engineFlavour);
}

async function pickScheduler(store: Store): Promise<PolicyName | undefined> {
  const last = store.choices().scheduler ?? defaultPolicy();
  const items = PolicyName.options.map((name) => ({
    label: name,
    description: name === last ? '(last used)' : '',
    detail: POLICY_DESCRIPTIONS[name],
  }));
  items.sort((a, b) => Number(b.label === last) - Number(a.label === last));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'ServeTune: scheduler',
    ignoreFocusOut: true,
    placeHolder: 'Scheduling policy of every replica',
  });
  if (!picked) return undefined;
  const scheduler = picked.label as PolicyName;
  await store.remember({ scheduler });
  return scheduler;
}

/** Asks the engine which layouts fit and offers those, most concurrent sequences first. */
async function pickPlan(
  services: Services,
  model: string,
  hardware: string,
  gpus: number,
): Promise<Plan | undefined> {
  const report = await services.engine.run(
    'plans',
    { model, hardware, gpus, ...plansEngineInput(readSettings()) },
    { title: 'ServeTune: plans' },
  );
  const fitting = report.plans
    .filter((p) => p.fits)
    .sort((a, b) => b.cluster.maxConcurrentSequences - a.cluster.maxConcurrentSequences);
  if (fitting.length === 0) {
    void vscode.window.showWarningMessage(
      `ServeTune: no layout of ${report.model} fits on ${gpus}× ${hardware}. Try more GPUs or a larger GPU.`,
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    fitting.map((p) => ({
      label: describePlan(p.plan as Plan),
      description: `${p.cluster.maxConcurrentSequences.toLocaleString('en-US')} concurrent sequences`,
      detail: `${(p.perGpu.weightBytes / 1024 ** 3).toFixed(1)} GiB weights and ${(p.perGpu.kvCacheBytes / 1024 ** 3).toFixed(1)} GiB KV cache per GPU`,
      plan: p.plan as Plan,
    })),
    {
      ignoreFocusOut: true,
      title: 'ServeTune: parallel plan',
      placeHolder: 'Layouts that fit, most concurrent sequences first',
    },
  );
  return picked?.plan;
}

/**
 * Simulates one serving configuration on a workload in the engine worker and opens the RunSummary as
 * a Markdown report; goodput is measured against the current latency targets.
 */
export async function simulateCommand(services: Services): Promise<void> {
  const cluster = await pickCluster(services.store);
  if (!cluster) return;
  const { model, hardware, gpus } = cluster;
  let plan: Plan | undefined;
  try {
    plan = await pickPlan(services, model, hardware, gpus);
  } catch (error) {
    void vscode.window.showErrorMessage(`ServeTune: ${describeEngineError(error)}`);
    return;
  }
  if (!plan) return;
  const scheduler = await pickScheduler(services.store);
  if (!scheduler) return;
  const workload = await pickWorkload(services.store, 'ServeTune: workload to simulate');
  if (!workload) return;
  const load = await pickLoad(services.store, { simulation: true });
  if (!load) return;
  const loadParams = simulateLoadParams(load);
  const slo = currentSlo(services.store);

  let summary: RunSummary;
  try {
    summary = await services.engine.run(
      'simulate',
      {
        config: {
          model,
          hardware,
          deployment: { kind: 'colocated', pool: { plan, scheduler: { policy: scheduler } } },
          // The engine, version and MoE backend the settings name time the simulation.
          engine: servingEngineOfSettings(readSettings()),
          slo: sloTargetsOfChoice(slo),
        },
        workload: workload.value,
        ...loadParams,
        ...perfDbInput(readSettings()),
        ...calibrationInput(readSettings()),
      },
      {
        title: `ServeTune: simulating ${describePlan(plan)} on ${workload.label}, ${loadChoiceText(load)}`,
      },
    );
  } catch (error) {
    if (isCancellation(error)) {
      void vscode.window.showInformationMessage('ServeTune: simulation cancelled.');
      return;
    }
    const message = describeEngineError(error);
    services.log.error(`simulation failed: ${message}`);
    void vscode.window.showErrorMessage(`ServeTune: ${message}`);
    return;
  }
  await showSimulation(services, summary, workload.value, describePlan(plan), loadParams.maxTokens);
}

/**
 * A finished simulation: kept among the recent runs, logged, and opened as a Markdown report (the
 * simulate command's and a config file's "Simulate this config").
 */
export async function showSimulation(
  services: Services,
  summary: RunSummary,
  workload: string,
  planText: string,
  maxTokens?: MaxTokens,
): Promise<void> {
  const at = new Date().toISOString();
  const p90 = summary.ttft ? `TTFT p90 ${(summary.ttft.p90 * 1000).toFixed(0)} ms` : 'no completed requests';
  await services.store.addRun({
    summary: {
      id: `simulate-${at}`,
      kind: 'simulate',
      title: `Simulation: ${summary.label}`,
      at,
      best: summary.feasible ? `${planText}, ${p90}` : null,
      hasChart: false,
    },
    report: { kind: 'simulate', summary, workload, ...(maxTokens !== undefined ? { maxTokens } : {}) },
    chart: null,
  });
  services.log.info(
    `simulation ${summary.label}: ${summary.feasible ? `${summary.requests.completed}/${summary.requests.total} completed, ${p90}, ${summary.throughput.outputTokensPerSecond.toFixed(0)} output tok/s` : `infeasible: ${summary.problems.join('; ')}`}`,
  );
  const document = await vscode.workspace.openTextDocument({
    language: 'markdown',
    content: simulationMarkdown(summary, workload, maxTokens),
  });
  await vscode.window.showTextDocument(document, { preview: false });
}
