// End-to-end tests in a real VS Code (code-server) driven by Chromium. Installs what it needs on first
// run (cached under ~/.cache/servetune-e2e), builds and installs the extension into an isolated
// extensions dir, and saves screenshots under test-output/e2e/. On failure it prints the code-server
// log and the extension host and ServeTune logs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { searchChartModel } from '../../src/engine/chart/search-chart.js';
import { validationChartModel, validationHeadline } from '../../src/engine/chart/validation-chart.js';
import { getHardware } from '../../src/engine/hardware/catalog.js';
import { defaultCalibrationFor } from '../../src/engine/perf/calibration.js';
import { servingEngineFor } from '../../src/engine/perf/serving-engine.js';
import type { ChartModel } from '../../src/engine/protocol/webview.js';
import { searchedDeploymentFiles } from '../../src/engine/search/deployment-files.js';
import { searchServing } from '../../src/engine/search/run.js';
import { simulate } from '../../src/engine/sim/simulate.js';
import { ValidationReport } from '../../src/engine/validate/report.js';
import { loadWorkload } from '../../src/engine/workload/load.js';
import { simulationMarkdown } from '../../src/extension/simulation-report.js';
import { assertProblem, configSteps, lensText, openFile as openConfig } from './configs.mjs';
import {
  collectLogs,
  installCodeServer,
  OUTPUT,
  ROOT,
  type Session,
  shot,
  startSession,
} from './harness.mjs';
import { lookSteps } from './looks.mjs';
import {
  activeEditorText,
  answer,
  assertDrawnTheme,
  backgroundLuminance,
  chooseColorTheme,
  chooseFileInDialog,
  clearNotifications,
  confirmSaveDialog,
  pick,
  runCommand,
  waitForNotification,
  waitForOutput,
  webviewFrame,
  workbenchEvents,
} from './workbench.mjs';

const QUICK_INPUT = '.quick-input-widget';

// The search the e2e run asks for, kept small so the suite stays fast on a 2-core machine.
const SEARCH = {
  model: 'llama-3.1-8b',
  hardware: 'l40s',
  gpus: 2,
  workload: 'poisson:rate=4,n=200,prompt=lognormal(512,0.6),output=lognormal(128,0.5)',
  // Set in the search's own latency-target step (a llama-3.1-8b replica on an L40S cannot keep the
  // largest token gap of p99 requests under the 40 ms the SLO scenario sets).
  slo: { ttft: 2, tbt: 0.1, percentile: 'p90' as const },
};

/** The result the editor's search of SEARCH must find, computed here with the same engine. */
let expectedSearch: ReturnType<typeof searchServing> | undefined;
function expectedSearchResult(): ReturnType<typeof searchServing> {
  expectedSearch ??= searchServing({ ...SEARCH, sampleRequests: 200, threads: 0 });
  return expectedSearch;
}

/** The chart the editor must draw for SEARCH. */
function expectedSearchChart(): Promise<ChartModel> {
  return expectedSearchResult().then(searchChartModel);
}

async function figuresOf(frame: Frame): Promise<Record<string, string | undefined>[]> {
  return frame.$$eval('figure[data-chart-id]', (nodes) =>
    nodes.map((n) => ({ ...(n as HTMLElement).dataset })),
  );
}

async function importTrace(page: Page, workspace: string, name: string): Promise<void> {
  await runCommand(page, 'ServeTune: Import Workload Trace…');
  await chooseFileInDialog(page, join(workspace, 'traces', name));
}

async function startSearch(
  page: Page,
  model: string,
  hardware: string,
  gpus: string,
  workload: string | RegExp,
  workloadFilter: string,
  space: string,
  slo?: { percentile: string; ttft: string; tbtMs: string },
): Promise<void> {
  await runCommand(page, 'ServeTune: Search Parallel Plans…');
  await pick(page, 'ServeTune: model', model, model);
  await pick(page, 'ServeTune: GPU', hardware);
  await answer(page, 'ServeTune: number of GPUs', gpus);
  await pick(page, 'workload to search for', workload, workloadFilter);
  await pick(page, 'ServeTune: load', "Open loop: the workload's arrival times", 'Open loop');
  if (slo) {
    await pick(page, 'SLOs for this search', 'Change the latency targets');
    await pick(page, 'latency targets (1/3)', slo.percentile);
    await answer(page, 'latency targets (2/3)', slo.ttft);
    await answer(page, 'latency targets (3/3)', slo.tbtMs);
  } else {
    await pick(page, 'SLOs for this search', 'Use ');
  }
  await pick(page, 'what to search', space, space.replace(/^\+ /, ''));
}

/** The think time and warm-up the closed-loop scenarios choose, and the load's words in the report. */
const PACING = { thinkSeconds: 0.5, warmUpRequests: 10 };
const PACING_LOAD =
  "closed loop, 4 clients, 0.5 s think time; a warm-up phase of 10 requests left out; max_tokens = each request's output";

/** Waits for the quick input titled `title`. */
async function quickInputTitled(page: Page, title: string): Promise<void> {
  await page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: title }).waitFor({ timeout: 15_000 });
}

/** Types `bad` into the input box titled `title` and waits for its refusal, `message`. */
async function assertRefused(page: Page, title: string, bad: string, message: string): Promise<void> {
  await quickInputTitled(page, title);
  await page.locator(`${QUICK_INPUT} input`).fill(bad);
  await page
    .locator(`${QUICK_INPUT} .quick-input-message`, { hasText: message })
    .waitFor({ timeout: 10_000 });
}

/** An input box's refusal of `bad` (`message`; a screenshot of it where named), then `good` accepted. */
async function refusedThenAnswered(
  page: Page,
  title: string,
  { bad, message, good, screenshot }: { bad: string; message: string; good: string; screenshot?: string },
): Promise<void> {
  await assertRefused(page, title, bad, message);
  if (screenshot) await shotQuickInput(page, screenshot);
  await answer(page, title, good);
}

/**
 * The workbench drawn in `theme`. The picker lists no theme under the name of the one in use, and a
 * workbench just started draws light until it applies the user's theme: wait a while for the theme
 * wanted to show, and choose it only where another stays.
 */
async function workbenchTheme(page: Page, theme: 'Dark Modern' | 'Light Modern'): Promise<void> {
  const wanted = theme === 'Dark Modern' ? 'dark' : 'light';
  const drawnWithin = async (ms: number) => {
    const started = Date.now();
    for (;;) {
      const luminance = await backgroundLuminance(page, '.monaco-workbench .part.editor');
      if ((luminance > 0.5 ? 'light' : 'dark') === wanted) return true;
      if (Date.now() - started > ms) return false;
      await page.waitForTimeout(250);
    }
  };
  if (await drawnWithin(5_000)) return;
  await chooseColorTheme(page, theme);
  if (!(await drawnWithin(15_000))) throw new Error(`the workbench is not drawn ${wanted}`);
}

/** A screenshot of the quick input once it has faded in (a shot during its animation shows it see-through). */
async function shotQuickInput(page: Page, name: string): Promise<void> {
  await page.waitForFunction(
    () => {
      const widget = document.querySelector('.quick-input-widget');
      return widget !== null && getComputedStyle(widget).opacity === '1';
    },
    undefined,
    { timeout: 5_000 },
  );
  // The fade is drawn a frame or two after the style settles.
  await page.waitForTimeout(300);
  await shot(page, name);
}

/** Simulate's first five picks: llama-3.1-8b on 2× L40S, TP1 × DP2, vLLM V1's scheduler. */
async function pickClusterAndPlan(page: Page): Promise<void> {
  await pick(page, 'ServeTune: model', 'llama-3.1-8b', 'llama-3.1-8b');
  await pick(page, 'ServeTune: GPU', 'l40s');
  await answer(page, 'ServeTune: number of GPUs', '2');
  await pick(page, 'parallel plan', 'TP1 × DP2', 'TP1 × DP2');
  await pick(page, 'ServeTune: scheduler', 'vllm-v1');
}

/** The simulation `pickClusterAndPlan` asks for, as the engine runs it in-process. */
function pickedPlanConfig(): Parameters<typeof simulate>[0] {
  const plan = { tp: 1, pp: 1, dp: 2, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const };
  return {
    model: 'llama-3.1-8b',
    hardware: 'l40s',
    deployment: { kind: 'colocated', pool: { plan, scheduler: { policy: 'vllm-v1' } } },
    // The fixture workspace's settings: vLLM, its newest measured version.
    engine: servingEngineFor({ id: 'vllm' }, {}),
  };
}

async function memoryReport(page: Page, model: string, modelFilter: string, gpus: string): Promise<void> {
  await runCommand(page, 'ServeTune: Memory and Plan Report…');
  await pick(page, 'ServeTune: model', model, modelFilter);
  await pick(page, 'ServeTune: GPU', 'h100-sxm');
  await answer(page, 'ServeTune: number of GPUs', gpus);
}

/** Requests the e2e validation serves (the fixture workspace's setting): enough for every metric, short on 2 cores. */
const VALIDATION_REQUESTS = 40;

/** The report the extension saved in its global storage (under the user-data dir). */
function savedValidationReport(userDataDir: string): ValidationReport {
  const find = (dir: string): string | undefined => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        const found = find(path);
        if (found) return found;
      } else if (name === 'validation-report.json') return path;
    }
    return undefined;
  };
  const file = find(join(userDataDir, 'User', 'globalStorage'));
  assert.ok(file, 'the extension saved the validation report');
  return ValidationReport.parse(JSON.parse(readFileSync(file, 'utf8')));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function workerPids(session: Session): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return table
    .split('\n')
    .filter((line) =>
      line.includes(join(session.extensionsDir, 'servetune.servetune-0.1.0', 'dist', 'worker.mjs')),
    )
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

/** Waits until the extension's own log (its ServeTune output channel, as written to disk) has `line`. */
async function waitForExtensionLog(userDataDir: string, line: string, timeout: number): Promise<void> {
  const until = Date.now() + timeout;
  const logged = () =>
    collectLogs(userDataDir).some((log) => log.path.endsWith('ServeTune.log') && log.text.includes(line));
  while (!logged()) {
    if (Date.now() > until) throw new Error(`the extension did not log '${line}' in ${timeout / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const steps: [string, (s: Session) => Promise<void>][] = [
  [
    'the extension activates: status bar item and activity bar container',
    async ({ page }) => {
      await page.locator('.statusbar', { hasText: 'ServeTune:' }).waitFor({ timeout: 60_000 });
      await page
        .locator('.activitybar [aria-label="ServeTune"], .activitybar [aria-label^="ServeTune"]')
        .first()
        .waitFor();
    },
  ],
  [
    'Show Last Report, the chart exports, Apply and Write Deployment Files say what to do first when there is nothing yet',
    async ({ page }) => {
      await runCommand(page, 'ServeTune: Show Last Report');
      await waitForNotification(page, 'no report yet');
      await runCommand(page, 'ServeTune: Export Chart as CSV…');
      await waitForNotification(page, 'open a chart first');
      await runCommand(page, 'ServeTune: Export Chart as PNG…');
      await waitForNotification(page, 'open a chart first');
      await runCommand(page, 'ServeTune: Apply Suggested Settings');
      await waitForNotification(page, 'no suggested settings yet');
      await clearNotifications(page);
      // Deployment files need a searched configuration too: the same words, nothing asked.
      await runCommand(page, 'ServeTune: Write Deployment Files…');
      await waitForNotification(page, 'no suggested settings yet');
      await clearNotifications(page);
    },
  ],
  [
    'Detect GPU Adapter finds the lavapipe adapter through the worker',
    async ({ page }) => {
      await runCommand(page, 'ServeTune: Detect GPU Adapter');
      await waitForNotification(page, /GPU adapter .*llvmpipe/, 60_000);
      await page.locator('.statusbar', { hasText: 'llvmpipe' }).waitFor();
      await clearNotifications(page);
    },
  ],
  [
    'Profile GPU completes on lavapipe and the dashboard shows the measured device',
    async ({ page }) => {
      await runCommand(page, 'ServeTune: Profile GPU');
      await pick(page, 'profile the GPU', 'Quick');
      const toast = await waitForNotification(
        page,
        /profiled llvmpipe.*GFLOP\/s f32, .* GB\/s copy/,
        300_000,
      );
      const [, gflops] = /([\d.]+) GFLOP\/s f32/.exec(await toast.innerText()) ?? [];
      assert.ok(Number(gflops) > 0, 'a measured f32 rate');
      await clearNotifications(page);
      await runCommand(page, 'ServeTune: Open Dashboard');
      const frame = await webviewFrame(page, 'dashboard', 30_000, (f) =>
        f.evaluate(() => /f32 compute/.test(document.getElementById('app')?.innerText ?? '')),
      );
      const text = await frame.locator('#app').innerText();
      assert.match(text, /Adapter\s*llvmpipe/);
      assert.match(text, /f32 compute\s*[\d.]+ GFLOP\/s/);
      assert.match(text, /Memory copy\s*[\d.]+ GB\/s/);
      assert.match(text, /Measured\s*.*\(quick\)/);
      assert.match(text, /no datasheet peak/);
      await shot(page, 'dashboard-profiled-dark');
    },
  ],
  [
    'Set Latency Targets remembers the answers, a blank target left out',
    async ({ page }) => {
      const setTargets = async (ttft: string, tbtMs: string) => {
        await runCommand(page, 'ServeTune: Set Latency Targets (SLOs)…');
        await pick(page, 'latency targets (1/3)', 'p99');
        await answer(page, 'latency targets (2/3)', ttft);
        await answer(page, 'latency targets (3/3)', tbtMs);
      };
      const logged = async (line: RegExp) => {
        await runCommand(page, 'ServeTune: Show Engine Log');
        await waitForOutput(page, line);
        await runCommand(page, 'View: Hide Panel');
      };
      // A TBT target alone (chat streaming): the blank TTFT is no target, not an error.
      await setTargets('', '40');
      await logged(/latency targets: TBT p99 ≤ 40 ms/);
      await setTargets('1.5', '40');
      await logged(/latency targets: TTFT p99 ≤ 1\.5 s, TBT p99 ≤ 40 ms/);
    },
  ],
  [
    'the memory report opens as Markdown and its chart opens in the Pareto panel',
    async ({ page }) => {
      await memoryReport(page, 'llama-3.1-70b', 'llama-3.1-70b', '8');
      const toast = await waitForNotification(page, /layouts of llama-3.1-70b fit on 8× h100-sxm/);
      await page.locator('.editor-instance').first().waitFor();
      assert.match(await activeEditorText(page), /Memory and plan report: llama-3\.1-70b on 8× h100-sxm/);
      await toast.getByRole('button', { name: 'Open Chart' }).click();
      const frame = await webviewFrame(page, 'pareto');
      const figures = await frame.$$eval('figure[data-chart-id]', (nodes) =>
        nodes.map((n) => ({ ...(n as HTMLElement).dataset })),
      );
      assert.equal(figures.length, 2);
      for (const figure of figures) {
        assert.ok(Number(figure.points) > 0, `points drawn on ${figure.chartId}`);
        assert.ok(Number(figure.front) > 0, `front drawn on ${figure.chartId}`);
        assert.ok(Number(figure.front) <= Number(figure.points));
        assert.equal(figure.theme, 'dark');
      }
      assert.ok(figures[0]!.best, 'a best plan is marked');
      // The best plan is selected at first; its settings show with a copy button.
      const selected = await frame.$eval('section.details', (n) => (n as HTMLElement).dataset.selected ?? '');
      assert.equal(selected, figures[0]!.best);
      await clearNotifications(page);
      await shot(page, 'pareto-memory-dark');
    },
  ],
  [
    'copy puts the selected settings on the clipboard',
    async ({ page }) => {
      const frame = await webviewFrame(page, 'pareto');
      await frame.click('button[data-action="copy"]');
      await waitForNotification(page, 'copied the settings of');
      const text = await page.evaluate(() => navigator.clipboard.readText());
      assert.match(text, /tensorParallelSize: \d+/);
      await clearNotifications(page);
    },
  ],
  [
    'the chart exports to CSV and PNG files',
    async ({ page, workspace }) => {
      await runCommand(page, 'ServeTune: Export Chart as CSV…');
      await confirmSaveDialog(page, 'servetune-memory-plans.csv');
      await waitForNotification(page, 'saved servetune-memory-plans.csv');
      const csv = readFileSync(join(workspace, 'servetune-memory-plans.csv'), 'utf8').trim().split('\n');
      assert.match(csv[0]!, /^id,label,feasible,best,front:concurrency,front:kv,/);
      assert.ok(csv.length > 2);
      await runCommand(page, 'ServeTune: Export Chart as PNG…');
      await confirmSaveDialog(page, 'servetune-memory-plans.png');
      await waitForNotification(page, 'saved servetune-memory-plans-concurrency.png');
      for (const chart of ['concurrency', 'kv']) {
        const png = readFileSync(join(workspace, `servetune-memory-plans-${chart}.png`));
        assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], `${chart} is a PNG`);
        assert.ok(png.length > 5000, `${chart} PNG has content`);
      }
      await clearNotifications(page);
    },
  ],
  [
    'the memory report of gpt-oss on vLLM (the default engine) says how vLLM holds the experts',
    async ({ page }) => {
      await memoryReport(page, 'gpt-oss-120b', 'gpt-oss-120b', '2');
      await waitForNotification(page, /layouts of gpt-oss-120b fit on 2× h100-sxm/);
      await page.locator('.editor-instance').first().waitFor();
      const text = await activeEditorText(page);
      assert.match(text, /Memory and plan report: gpt-oss-120b on 2× h100-sxm/);
      // The editor's text wraps at the window's width: any whitespace may be a line break.
      assert.match(
        text,
        /Weights as vLLM Triton MXFP4 MoE \(Hopper\) holds them:[\s\S]*block\s+scales\s+held\s+twice/,
      );
      await clearNotifications(page);
    },
  ],
  [
    'Import Workload Trace reads the trace in the engine and makes it the workspace workload',
    async ({ page, workspace }) => {
      await importTrace(page, workspace, 'chat-azure.csv');
      const toast = await waitForNotification(page, /imported traces\/chat-azure\.csv \(azure trace\)/);
      assert.match(await toast.innerText(), /120 requests over [\d.]+ s \([\d.]+ req\/s\)/);
      await clearNotifications(page);
    },
  ],
  [
    'Simulate Serving Config runs on the imported trace and opens the RunSummary report',
    async ({ page }) => {
      await runCommand(page, 'ServeTune: Simulate Serving Config…');
      await pickClusterAndPlan(page);
      await pick(page, 'workload to simulate', 'chat-azure.csv', 'chat-azure');
      await pick(page, 'ServeTune: load', "Open loop: the workload's arrival times", 'Open loop');
      await pick(page, 'ServeTune: max_tokens', 'max_tokens: the rest of the context', 'rest of the context');
      await page.waitForFunction(
        () =>
          /# Simulation: llama-3\.1-8b on l40s/.test(
            document.querySelector('.editor-instance .view-lines')?.textContent?.replaceAll('\u00a0', ' ') ??
              '',
          ),
        undefined,
        { timeout: 60_000 },
      );
      const text = await activeEditorText(page);
      assert.match(text, /120 of 120 requests completed/);
      assert.match(text, /\| TTFT \|/);
      assert.match(text, /Goodput: [\d.]+ requests\/s/);
    },
  ],
  [
    'Simulate closed loop: N clients, think time, a warm-up phase and max_tokens = output, the report as the engine simulates it in-process',
    async ({ page }) => {
      const clients = 4;
      await workbenchTheme(page, 'Dark Modern');
      await runCommand(page, 'ServeTune: Simulate Serving Config…');
      await pickClusterAndPlan(page);
      await pick(page, 'workload to simulate', /Quick check\s*built-in/, 'Quick check');
      await pick(page, 'ServeTune: load', 'Closed loop: N clients', 'Closed loop');
      // The CLI's --concurrency limits: a client count that is not a positive integer is refused.
      await refusedThenAnswered(page, 'ServeTune: clients', {
        bad: '0',
        message: 'expected a positive integer',
        good: String(clients),
      });
      // The optional step: the CLI's defaults first and preselected, or typed values.
      await quickInputTitled(page, 'ServeTune: think time and warm-up');
      await page
        .locator(`${QUICK_INPUT} .monaco-list-row.focused`, { hasText: 'No think time, no warm-up' })
        .waitFor();
      await shotQuickInput(page, 'simulate-pacing-pick-dark');
      await pick(page, 'ServeTune: think time and warm-up', 'Set think time and warm-up…', 'Set think time');
      await refusedThenAnswered(page, 'ServeTune: seconds of think time', {
        bad: '-1',
        message: 'expected a number of seconds',
        good: String(PACING.thinkSeconds),
        screenshot: 'simulate-think-time-refused-dark',
      });
      await refusedThenAnswered(page, 'ServeTune: warm-up completions', {
        bad: '2.5',
        message: 'expected a whole number of completions',
        good: String(PACING.warmUpRequests),
      });
      await pick(
        page,
        'ServeTune: how the warm-up runs',
        'Warm-up as a phase of its own',
        'phase of its own',
      );
      await pick(page, 'ServeTune: max_tokens', "max_tokens = each request's output", 'each request');
      await page.waitForFunction(
        () =>
          /- Load: closed loop/.test(
            document.querySelector('.editor-instance .view-lines')?.textContent?.replaceAll('\u00a0', ' ') ??
              '',
          ),
        undefined,
        { timeout: 60_000 },
      );
      const text = await activeEditorText(page);
      const local = simulate(pickedPlanConfig(), loadWorkload(SEARCH.workload), {
        closedLoop: {
          concurrency: clients,
          thinkSeconds: PACING.thinkSeconds,
          warmUpPhase: PACING.warmUpRequests,
        },
        warmUpRequests: PACING.warmUpRequests,
        maxTokens: 'output',
      });
      assert.deepEqual(local.load, {
        mode: 'closed',
        concurrency: clients,
        thinkSeconds: PACING.thinkSeconds,
        warmUpRequests: PACING.warmUpRequests,
        warmUpPhase: true,
      });
      // The load and every latency row as the in-process run's report has them (wrapping aside).
      const flat = (t: string) => t.replace(/\s+/g, ' ');
      const expected = simulationMarkdown(local, SEARCH.workload, 'output')
        .split('\n')
        .filter((line) => /^(- Load:|\| (TTFT|TPOT|ITL|E2E|Queueing) \|)/.test(line));
      assert.equal(expected.length, 6);
      assert.equal(expected[0], `- Load: ${PACING_LOAD}`);
      for (const line of expected) assert.ok(flat(text).includes(flat(line)), `the report has '${line}'`);
      assert.match(text, new RegExp(`${local.requests.completed} of 200 requests completed`));
      await shot(page, 'simulate-closed-loop-report-dark');
      // The dashboard's workload line names the load the next run takes, in the report's words.
      await runCommand(page, 'ServeTune: Open Dashboard');
      const dashboard = await webviewFrame(page, 'dashboard', 30_000, (f) =>
        f.evaluate(() =>
          /closed loop, 4 clients, 0\.5 s think time/.test(document.getElementById('app')?.innerText ?? ''),
        ),
      );
      // The workload, then the load in the report's words.
      const line = flat(await dashboard.locator('#app').innerText());
      assert.ok(line.includes(`Quick check (built-in): `), line);
      assert.ok(line.includes(`; ${PACING_LOAD}`), line);
    },
  ],
  [
    'the think time and warm-up step in the light theme: the last answers offered, a bad warm-up refused, cancel keeps the choice',
    async ({ page }) => {
      await workbenchTheme(page, 'Light Modern');
      await runCommand(page, 'ServeTune: Simulate Serving Config…');
      await pickClusterAndPlan(page);
      await pick(page, 'workload to simulate', /Quick check\s*built-in/, 'Quick check');
      await pick(page, 'ServeTune: load', 'Closed loop: N clients', 'Closed loop');
      await answer(page, 'ServeTune: clients', '4');
      await quickInputTitled(page, 'ServeTune: think time and warm-up');
      // The CLI's defaults stay first and preselected; the last answers come next.
      await page
        .locator(`${QUICK_INPUT} .monaco-list-row.focused`, { hasText: 'No think time, no warm-up' })
        .waitFor();
      const second = await page.locator(`${QUICK_INPUT} .monaco-list-row[data-index="1"]`).textContent();
      assert.match(
        second ?? '',
        /0\.5 s think time; a warm-up phase of 10 requests left out\s*\(last used\)/,
      );
      await shotQuickInput(page, 'simulate-pacing-pick-light');
      await pick(page, 'ServeTune: think time and warm-up', 'Set think time and warm-up…', 'Set think time');
      await answer(page, 'ServeTune: seconds of think time', '0.5');
      await assertRefused(
        page,
        'ServeTune: warm-up completions',
        '-3',
        'expected a whole number of completions',
      );
      await shotQuickInput(page, 'simulate-warm-up-refused-light');
      await page.keyboard.press('Escape');
      await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 15_000 });
    },
  ],
  [
    'the Simulate this config lens runs the remembered closed loop, and its report names the load',
    async ({ page }) => {
      await workbenchTheme(page, 'Light Modern');
      await openConfig(page, 'sglang-eager.sh');
      await lensText(page, /^Simulate this config$/);
      await page
        .locator('.codelens-decoration a', { hasText: /^Simulate this config$/ })
        .first()
        .click();
      await page.waitForFunction(
        () =>
          /# Simulation: llama-3\.1-8b on h100-sxm: TP2 sglang[\s\S]*- Load: closed loop/.test(
            document.querySelector('.editor-instance .view-lines')?.textContent?.replaceAll('\u00a0', ' ') ??
              '',
          ),
        undefined,
        { timeout: 120_000 },
      );
      const text = (await activeEditorText(page)).replace(/\s+/g, ' ');
      assert.ok(text.includes(`- Load: ${PACING_LOAD}`), `the report's load: ${text.slice(0, 600)}`);
      assert.match(text, /200 of 200 requests completed/);
      await shot(page, 'config-lens-closed-loop-report-light');
      await workbenchTheme(page, 'Dark Modern');
      await shot(page, 'config-lens-closed-loop-report-dark');
    },
  ],
  [
    'a search opens the Pareto panel with the fronts drawn, the best marked and the cost chart, in the dark theme',
    async ({ page }) => {
      const expected = expectedSearchChart();
      await startSearch(
        page,
        SEARCH.model,
        SEARCH.hardware,
        String(SEARCH.gpus),
        /Quick check\s*built-in/,
        'Quick check',
        'Plans and scheduler settings',
        {
          percentile: SEARCH.slo.percentile,
          ttft: String(SEARCH.slo.ttft),
          tbtMs: String(SEARCH.slo.tbt * 1000),
        },
      );
      const frame = await webviewFrame(page, 'pareto', 120_000, (f) =>
        // The search streams partial fronts first; the assertions are on the final result.
        f.evaluate(
          () =>
            document.querySelector('figure[data-chart-id="throughput"]') !== null &&
            document.body.dataset.partial === 'false',
        ),
      );
      const want = await expected;
      const figures = await figuresOf(frame);
      assert.deepEqual(
        figures.map((f) => f.chartId),
        ['latency-p90', 'throughput', 'cost'],
        'the latency chart at the SLO percentile, the throughput chart, and cost against latency (L40S is priced)',
      );
      const [latency, throughput] = figures as [Record<string, string>, Record<string, string>];
      const onChart = (metric: string) => want.points.filter((p) => p.metrics[metric] !== undefined).length;
      const onFront = (chart: string) => want.points.filter((p) => p.fronts.includes(chart)).length;
      assert.equal(Number(latency.points), onChart('ttft_p90_s'));
      assert.equal(Number(latency.front), onFront('latency-p90'));
      assert.equal(Number(throughput.points), onChart('tokens_per_s_per_gpu'));
      assert.equal(Number(throughput.front), onFront('throughput'));
      assert.ok(Number(latency.front) > 0 && Number(throughput.front) > 0, 'both fronts have members');
      assert.ok(want.bestId, 'the search finds a best configuration');
      assert.equal(latency.best, want.bestId);
      // The engine that timed the points, with no behaviour away from its defaults to name.
      const engineLine = await frame.locator('[data-engine-behaviour]').first().textContent();
      assert.equal(engineLine, `Engine: ${want.engine?.name} (defaults)`);
      // The SLO is per-request targets at 90% attainment: no percentile box stands for it.
      assert.equal(latency.region, 'no', 'no SLO box for per-request targets');
      assert.equal(throughput.region, 'no');
      const bestLabel = want.points.find((p) => p.id === want.bestId)!.label;
      // textContent: the heading is upper-cased by CSS, which innerText would reflect.
      assert.match(await frame.$eval('section.details h2', (n) => n.textContent ?? ''), /\(best\)$/);
      assert.equal(
        await frame.$eval('section.details', (n) => (n as HTMLElement).dataset.selected ?? ''),
        want.bestId,
      );
      // The best point stands out in the theme's orange at full strength: Dark Modern's charts.orange is
      // the translucent #EA5C0055, which drew it brown (colour.ts).
      assert.match(latency.bestColour ?? '', /^(#[0-9a-f]{3}|#[0-9a-f]{6}|rgb\([^)]*\))$/i);
      const panelText = (await frame.locator('#app').textContent()) ?? '';
      assert.doesNotMatch(panelText, /\bNaN\b|\bundefined\b|\bInfinity\b/);
      await waitForNotification(page, `best under the SLOs: ${bestLabel}`);
      await page.locator('.statusbar', { hasText: bestLabel }).waitFor({ timeout: 10_000 });
      await shot(page, 'pareto-search-dark');
      await clearNotifications(page);
      await shot(page, 'pareto-search-dark-clear');
    },
  ],
  [
    'Apply from the panel copies the engine command and says where to paste it',
    async ({ page }) => {
      const frame = await webviewFrame(page, 'pareto');
      await frame.click('button[data-action="apply"]');
      await waitForNotification(page, /copied the vllm command for .*Paste it where your server starts/);
      const text = await page.evaluate(() => navigator.clipboard.readText());
      assert.match(text, /^vllm serve meta-llama\/Llama-3\.1-8B-Instruct .*--tensor-parallel-size \d/);
      await clearNotifications(page);
    },
  ],
  [
    'Write Deployment Files writes the selected configuration for the platform picked, as search --emit, and opens it',
    async ({ page, workspace }) => {
      const result = await expectedSearchResult();
      const best = result.configurations.find((c) => c.best);
      // llm-d: its file's name is no config file's of the workspace, whose scenarios open configs by name.
      const [want] = searchedDeploymentFiles(best?.settings, result.hardware, 'llm-d');
      await runCommand(page, 'ServeTune: Write Deployment Files…');
      await quickInputTitled(page, 'ServeTune: deployment platform');
      await shotQuickInput(page, 'deployment-platform-pick-dark');
      await pick(page, 'ServeTune: deployment platform', 'llm-d');
      // A file where the folder goes is refused in the box, before anything is written.
      await assertRefused(
        page,
        'ServeTune: folder for the deployment files',
        'README.md',
        'README.md is a file, not a folder',
      );
      await answer(page, 'ServeTune: folder for the deployment files', 'deploy');
      await waitForNotification(page, /wrote the llm-d files of .*: deploy\/llm-d-values\.yaml/);
      // The panel's selection is the best: its files, byte for byte what the CLI's --emit writes.
      assert.equal(readFileSync(join(workspace, 'deploy', 'llm-d-values.yaml'), 'utf8'), want?.text);
      assert.match(await activeEditorText(page), /modelArtifacts:/);
      await shot(page, 'deployment-files-dark');
      await clearNotifications(page);
    },
  ],
  [
    'a search with speculative decoding, as --allow-speculation: the report says why it was or was not chosen',
    async ({ page }) => {
      await runCommand(page, 'ServeTune: Search Parallel Plans…');
      await pick(page, 'ServeTune: model', SEARCH.model, SEARCH.model);
      await pick(page, 'ServeTune: GPU', SEARCH.hardware);
      await answer(page, 'ServeTune: number of GPUs', String(SEARCH.gpus));
      await pick(page, 'workload to search for', /Quick check\s*built-in/, 'Quick check');
      await pick(page, 'ServeTune: load', "Open loop: the workload's arrival times", 'Open loop');
      await pick(page, 'SLOs for this search', 'Use ');
      await quickInputTitled(page, 'ServeTune: what to search');
      await shotQuickInput(page, 'search-space-speculation-dark');
      await pick(page, 'ServeTune: what to search', '+ speculative decoding', 'speculative decoding');
      const toast = await waitForNotification(page, 'best under the SLOs', 180_000);
      await toast.getByRole('button', { name: 'Show Report' }).click();
      await page.waitForFunction(
        () =>
          /# Search: /.test(
            document.querySelector('.editor-instance .view-lines')?.textContent?.replaceAll('\u00a0', ' ') ??
              '',
          ),
        undefined,
        { timeout: 30_000 },
      );
      const report = await activeEditorText(page);
      assert.match(report, /^- Speculation( not chosen| chosen|:)/m);
      await shot(page, 'search-speculation-report-dark');
      await clearNotifications(page);
      // The report opened over the Pareto panel; bring the panel back, as the scenarios after expect it.
      await runCommand(page, 'ServeTune: Show Last Chart');
      await webviewFrame(page, 'pareto');
    },
  ],
  [
    'the dashboard names the engine of the defaults and of the search run, in the words of the Pareto panel',
    async ({ page }) => {
      await runCommand(page, 'ServeTune: Open Dashboard');
      const frame = await webviewFrame(page, 'dashboard', 30_000, (f) =>
        f.evaluate(() => document.querySelectorAll('[data-engine-behaviour]').length >= 2),
      );
      // The defaults row: the engine the settings time the next run with (nothing away from its defaults).
      const defaults = frame.locator('.row[data-engine-behaviour]').first();
      assert.equal(await defaults.getAttribute('data-engine-behaviour'), '');
      assert.match((await defaults.textContent()) ?? '', /Engine\s*vllm \(defaults\)/);
      // The search run: the same line the Pareto panel showed above its charts.
      const run = frame.locator('ul.runs [data-engine-behaviour]').first();
      assert.equal(await run.textContent(), 'Engine: vllm (defaults)');
    },
  ],
  [
    'cancelling a search stops it in the worker: no result is shown and the next command works',
    async ({ page, workspace }) => {
      await startSearch(
        page,
        'llama-3.1-70b',
        'h100-sxm',
        '8',
        /Chat\s*built-in/,
        'Chat',
        '+ quantization and disaggregation',
      );
      const progress = await waitForNotification(page, /searching plans for llama-3\.1-70b/, 30_000);
      await page.waitForTimeout(1500);
      await progress.getByRole('button', { name: 'Cancel' }).click();
      await waitForNotification(page, 'search cancelled. No result was stored.', 30_000);
      await runCommand(page, 'ServeTune: Show Engine Log');
      await waitForOutput(page, /search cancelled: its simulation threads were stopped/);
      await runCommand(page, 'View: Hide Panel');
      // The panel still shows the earlier search; nothing of the cancelled one was stored.
      const frame = await webviewFrame(page, 'pareto');
      assert.match(await frame.locator('h1').innerText(), /Llama-3\.1-8B on 2× l40s/);
      await clearNotifications(page);
      await importTrace(page, workspace, 'chat-azure.csv');
      await waitForNotification(page, /imported traces\/chat-azure\.csv/);
      await clearNotifications(page);
    },
  ],
  [
    'a malformed trace gives an error notification naming the file, line and field, and nothing else breaks',
    async ({ page, workspace }) => {
      await importTrace(page, workspace, 'broken-azure.csv');
      const toast = await waitForNotification(
        page,
        /cannot import the trace: .*broken-azure\.csv:9: field 'GeneratedTokens' must be a whole number of tokens .*; got 'many'/,
      );
      assert.ok(toast);
      await shot(page, 'malformed-trace-error');
      await clearNotifications(page);
      await runCommand(page, 'ServeTune: Open Dashboard');
      const dashboard = await webviewFrame(page, 'dashboard');
      const text = await dashboard.locator('#app').innerText();
      assert.match(
        text,
        /chat-azure\.csv \(azure trace\): 120 requests/,
        'the workspace workload is unchanged',
      );
      assert.doesNotMatch(text, /broken-azure/);
      await runCommand(page, 'ServeTune: Show Last Chart');
      const pareto = await webviewFrame(page, 'pareto');
      assert.equal((await figuresOf(pareto)).length, 3, 'latency, throughput and cost (L40S is priced)');
    },
  ],
  [
    'the dashboard shows the device, the SLOs and the run, in the dark theme',
    async ({ page }) => {
      await runCommand(page, 'ServeTune: Open Dashboard');
      const frame = await webviewFrame(page, 'dashboard');
      const text = await frame.locator('#app').innerText();
      assert.match(text, /llvmpipe/);
      assert.match(text, /90% of requests within TTFT 2 s/, 'the targets the search set, in words');
      assert.match(text, /p90 token gap 100 ms/);
      assert.match(text, /Memory: llama-3\.1-70b on 8× h100-sxm/);
      assert.match(text, /Search: Llama-3\.1-8B on 2× l40s/);
      assert.match(text, /Simulation: llama-3\.1-8b on l40s/);
      assert.match(text, /f32 compute/);
      await assertDrawnTheme(page, frame, 'dark');
      await shot(page, 'dashboard-dark');
    },
  ],
  [
    'Validate on this machine from the dashboard: the panel draws predicted against measured and its table equals the saved report',
    async ({ page, workspace, userDataDir }) => {
      // The workspace's settings (present before the editor started) set the request count.
      assert.equal(
        JSON.parse(readFileSync(join(workspace, '.vscode', 'settings.json'), 'utf8'))[
          'servetune.validation.requests'
        ],
        VALIDATION_REQUESTS,
      );
      await runCommand(page, 'ServeTune: Open Dashboard');
      const dashboard = await webviewFrame(page, 'dashboard', 30_000, (f) =>
        f.evaluate(() => document.querySelector('button[data-command="servetune.validate"]') !== null),
      );
      assert.match(await dashboard.locator('#app').innerText(), /Not validated yet/);
      await dashboard.click('button[data-command="servetune.validate"]');
      await pick(page, 'validate on this machine', `Quick`, 'Quick');
      await waitForNotification(page, /validating on this machine \(quick\)/, 30_000);
      const frame = await webviewFrame(page, 'validation', 300_000);
      const report = savedValidationReport(userDataDir);
      assert.equal(report.workload.requests, VALIDATION_REQUESTS, 'the setting chose the request count');
      assert.equal(report.measured.requests.completed, VALIDATION_REQUESTS);
      assert.equal(await frame.evaluate(() => document.body.dataset.createdAt), report.createdAt);
      // The table, number by number, against the report the extension saved.
      const rows = await frame.$$eval('table.validation tbody tr', (nodes) =>
        nodes.map((n) => {
          const data = (n as HTMLElement).dataset;
          return {
            metric: data.metric ?? '',
            stat: data.stat ?? '',
            predicted: data.predicted ?? '',
            measured: data.measured ?? '',
            error: data.error ?? '',
            within: data.within ?? '',
            cells: [...n.children].map((c) => c.textContent ?? ''),
          };
        }),
      );
      const expected = validationChartModel(report);
      assert.equal(rows.length, 8, 'TTFT, TPOT, ITL and E2E, mean and p90');
      for (const [i, row] of rows.entries()) {
        const metric = row.metric as 'ttft' | 'tpot' | 'itl' | 'e2e';
        const stat = row.stat as 'mean' | 'p90';
        const error = report.errors.find((e) => e.metric === metric && e.stat === stat);
        assert.ok(error, `the report has the error of ${metric} ${stat}`);
        assert.equal(Number(row.predicted), report.predicted[metric]![stat]);
        assert.equal(Number(row.measured), report.measured[metric]![stat]);
        assert.equal(Number(row.error), error.relativeError);
        assert.equal(
          row.within,
          Math.abs(error.relativeError) <= report.target.maxRelativeError ? 'yes' : 'no',
        );
        const want = expected.rows[i]!;
        assert.deepEqual(row.cells, [
          `${want.label}${want.targeted ? ' (target)' : ''}`,
          want.predictedText,
          want.measuredText,
          want.errorText,
          row.within,
        ]);
      }
      const figure = await figuresOf(frame);
      assert.equal(figure.length, 1);
      assert.equal(figure[0]!.bars, '16', 'a predicted and a measured bar per row');
      assert.equal(figure[0]!.theme, 'dark');
      const headline = validationHeadline(report);
      assert.match(
        await frame.locator('.verdict').innerText(),
        new RegExp(`${report.target.met ? 'met' : 'not met'} · ${escapeRegExp(headline)}`),
      );
      await waitForNotification(page, `validated on this machine: ${headline}`);
      await shot(page, 'validation-dark');
      await clearNotifications(page);
      // The dashboard shows the last validation's headline.
      await runCommand(page, 'ServeTune: Open Dashboard');
      await webviewFrame(page, 'dashboard', 30_000, (f) =>
        f.evaluate((h) => (document.getElementById('app')?.innerText ?? '').includes(h), headline),
      );
    },
  ],
  [
    'switching to a light theme re-themes the dashboard and the charts live',
    async ({ page }) => {
      await chooseColorTheme(page, 'Light Modern');
      const dashboard = await webviewFrame(page, 'dashboard', 30_000, (f) =>
        f.evaluate(() => document.body.classList.contains('vscode-light')),
      );
      await assertDrawnTheme(page, dashboard, 'light');
      await shot(page, 'dashboard-light');
      await runCommand(page, 'ServeTune: Show Last Chart');
      const pareto = await webviewFrame(page, 'pareto', 30_000, (f) =>
        f.evaluate(() => document.body.dataset.theme === 'light'),
      );
      const themes = await pareto.$$eval('figure[data-chart-id]', (nodes) =>
        nodes.map((n) => (n as HTMLElement).dataset.theme),
      );
      assert.deepEqual(themes, ['light', 'light', 'light']);
      await assertDrawnTheme(page, pareto, 'light');
      assert.match(await pareto.locator('h1').innerText(), /Llama-3\.1-8B on 2× l40s/);
      await pareto.evaluate(() => window.scrollTo(0, 0));
      await clearNotifications(page);
      await shot(page, 'pareto-search-light');
    },
  ],
  [
    'the validation panel follows the light theme',
    async ({ page }) => {
      await runCommand(page, 'ServeTune: Show Last Validation');
      const frame = await webviewFrame(page, 'validation', 30_000, (f) =>
        f.evaluate(() => document.body.dataset.theme === 'light'),
      );
      assert.equal((await figuresOf(frame))[0]!.theme, 'light');
      await assertDrawnTheme(page, frame, 'light');
      assert.equal(await frame.locator('table.validation tbody tr').count(), 8);
      await clearNotifications(page);
      await shot(page, 'validation-light');
    },
  ],
  [
    'a malformed config.json gives an error notification and nothing else breaks',
    async ({ page }) => {
      await clearNotifications(page);
      await memoryReport(page, 'models/broken/config.json', 'broken', '2');
      const toast = await waitForNotification(page, /broken\/config\.json: not valid JSON/);
      assert.ok(toast);
      await shot(page, 'malformed-config-error');
      await clearNotifications(page);
      await memoryReport(page, 'models/tiny/config.json', 'tiny', '2');
      await waitForNotification(page, /layouts of .* fit on 2× h100-sxm/);
      await clearNotifications(page);
    },
  ],
  [
    'a crashed worker is reported and restarted, and the next run works',
    async (session) => {
      const { page } = session;
      const before = workerPids(session);
      assert.equal(before.length, 1, `one worker runs (found ${before.join(', ')})`);
      process.kill(before[0]!, 'SIGKILL');
      await waitForNotification(
        page,
        /engine worker stopped unexpectedly \(signal SIGKILL\)\. It was restarted\./,
      );
      await clearNotifications(page);
      await memoryReport(page, 'llama-3.1-8b', 'llama-3.1-8b', '4');
      await waitForNotification(page, /layouts of llama-3.1-8b fit on 4× h100-sxm/);
      const after = workerPids(session);
      assert.equal(after.length, 1);
      assert.notEqual(after[0], before[0]);
      await clearNotifications(page);
    },
  ],
  [
    'the Pareto panel survives a window reload (serializer)',
    async ({ page }) => {
      await runCommand(page, 'ServeTune: Show Last Chart');
      const before = await webviewFrame(page, 'pareto');
      const title = await before.locator('h1').innerText();
      await runCommand(page, 'Developer: Reload Window');
      await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
      const after = await webviewFrame(page, 'pareto', 60_000);
      assert.equal(await after.locator('h1').innerText(), title);
      // The last chart is the memory trade-off the crashed-worker step drew: two figures.
      assert.equal(await after.locator('figure[data-chart-id]').count(), 2);
    },
  ],
  [
    'the engine log is in the Output channel',
    async ({ page }) => {
      // Right after a window reload the extension may still be activating: wait for its status item.
      await page.locator('.statusbar', { hasText: 'ServeTune:' }).waitFor({ timeout: 30_000 });
      const output = page.locator('.part.panel .view-lines').first();
      await runCommand(page, 'ServeTune: Show Engine Log');
      try {
        await output.waitFor({ timeout: 7_000 });
      } catch {
        // In one full run of nine the panel did not show after the command; ask once more before failing.
        console.log('  the Output panel did not show; running Show Engine Log again');
        await runCommand(page, 'ServeTune: Show Engine Log');
        await output.waitFor({ timeout: 15_000 });
      }
      await page.waitForFunction(
        () =>
          /engine worker .* ready/.test(
            document.querySelector('.part.panel .view-lines')?.textContent?.replaceAll('\u00a0', ' ') ?? '',
          ),
        undefined,
        { timeout: 15_000 },
      );
    },
  ],
  [
    'capacity planning: the dashboard shows one row per GPU type and the Pareto panel cost against latency, light and dark',
    async ({ page }) => {
      await runCommand(page, 'ServeTune: Plan Capacity: Which GPUs, How Many, at What Cost…');
      await pick(page, 'ServeTune: model', SEARCH.model, SEARCH.model);
      // The GPU types: H100 SXM, H200, B200 and MI300X come ticked; accept them.
      await page
        .locator('.quick-input-widget .quick-input-title', { hasText: 'GPU types to compare' })
        .waitFor();
      await page.keyboard.press('Enter');
      await answer(page, 'GPU counts to consider', '1..8');
      await answer(page, 'traffic to serve', '10');
      await pick(page, 'workload to plan for', /Quick check\s*built-in/, 'Quick check');
      await waitForNotification(
        page,
        /cheapest within 90% of requests within TTFT .*: \d+× [\w-]+ at \$[\d.]+\/hour/,
        300_000,
      );
      const pareto = await webviewFrame(page, 'pareto', 60_000, (f) =>
        f.evaluate(() => document.querySelector('figure[data-chart-id="cost"]') !== null),
      );
      const [cost] = await figuresOf(pareto);
      assert.equal(cost!.chartId, 'cost');
      assert.ok(Number(cost!.points) >= 4, 'a point per GPU type at least');
      assert.ok(cost!.best, 'the cheapest deployment is marked');
      assert.match(await pareto.locator('h1').innerText(), /which GPUs, how many, at what cost/i);
      await clearNotifications(page);
      await shot(page, 'pareto-capacity-light');
      await runCommand(page, 'ServeTune: Open Dashboard');
      const dashboard = await webviewFrame(page, 'dashboard', 30_000, (f) =>
        f.evaluate(() => document.querySelector('table.capacity') !== null),
      );
      assert.equal(await dashboard.locator('table.capacity tr[data-hardware]').count(), 4);
      assert.equal(await dashboard.locator('table.capacity tr.cheapest').count(), 1);
      const text = await dashboard.locator('#app').innerText();
      assert.match(text, /SLO\s*90% of requests within TTFT/);
      assert.match(text, /\d+× h100-sxm\s*TP\d/);
      // The table fits a default-width sidebar: no column cut off or scrolled out of view.
      assert.ok(
        await dashboard.$eval('.table-scroll', (n) => n.scrollWidth <= n.clientWidth),
        'the capacity table fits the sidebar',
      );
      assert.doesNotMatch(text, /\bNaN\b|\bundefined\b|\bInfinity\b/);
      await shot(page, 'dashboard-capacity-light');
      await chooseColorTheme(page, 'Dark Modern');
      const dark = await webviewFrame(page, 'dashboard', 30_000, (f) =>
        f.evaluate(() => document.body.classList.contains('vscode-dark')),
      );
      await assertDrawnTheme(page, dark, 'dark');
      await shot(page, 'dashboard-capacity-dark');
      await runCommand(page, 'ServeTune: Show Last Chart');
      const darkChart = await webviewFrame(page, 'pareto', 30_000, (f) =>
        f.evaluate(() => document.body.dataset.theme === 'dark'),
      );
      await assertDrawnTheme(page, darkChart, 'dark');
      await shot(page, 'pareto-capacity-dark');
      await chooseColorTheme(page, 'Light Modern');
    },
  ],
  ...configSteps,
  // Last three: VS Code notices a settings file restored only a while later, so no other scenario follows
  // them; each waits for the dashboard to show its own settings before it goes on.
  [
    'the servetune.nvfp4Dispatch setting and the MoE backend pick reach the dashboard and an SGLang lens',
    async ({ page, workspace }) => {
      const file = join(workspace, '.vscode', 'settings.json');
      const before = readFileSync(file, 'utf8');
      const settings = {
        ...JSON.parse(before),
        'servetune.engineFlavour': 'sglang',
        'servetune.nvfp4Dispatch': true,
      };
      writeFileSync(file, JSON.stringify(settings, null, 2));
      try {
        await runCommand(page, 'ServeTune: Open Dashboard');
        const dashboard = await webviewFrame(page, 'dashboard', 30_000, (f) =>
          f.evaluate(() => document.querySelector('.row[data-engine-behaviour="nvfp4 dispatch"]') !== null),
        );
        assert.match(
          (await dashboard.locator('#app').textContent()) ?? '',
          /Engine\s*sglang · nvfp4 dispatch/,
        );
        // The SGLang script is predicted with the dispatch (predictBlock's nvfp4Dispatch) and its lens names it.
        await openConfig(page, 'sglang-eager.sh');
        await lensText(page, /^ServeTune: p90 TTFT .* · NCCL all-reduce, eager, nvfp4 dispatch$/, 120_000);
        // The link under the Engine row opens "Choose MoE Backend…" on SGLang's backends; the choice is
        // written to the workspace settings and the Engine row names it.
        await runCommand(page, 'ServeTune: Open Dashboard');
        const link = 'a[data-command="servetune.chooseMoeBackend"]';
        const withLink = await webviewFrame(page, 'dashboard', 30_000, (f) =>
          f.evaluate((selector) => document.querySelector(selector) !== null, link),
        );
        await withLink.click(link);
        await pick(page, 'ServeTune: MoE backend for sglang', /--moe-runner-backend triton/, 'triton');
        await webviewFrame(page, 'dashboard', 30_000, (f) =>
          f.evaluate(
            () => document.querySelector('.row[data-engine-behaviour="MoE triton, nvfp4 dispatch"]') !== null,
          ),
        );
        assert.equal(JSON.parse(readFileSync(file, 'utf8'))['servetune.moeBackend'], 'triton');
      } finally {
        writeFileSync(file, before);
      }
    },
  ],
  [
    'the servetune.moeBackend setting reaches the dashboard and the config lenses through the worker',
    async ({ page, workspace }) => {
      const file = join(workspace, '.vscode', 'settings.json');
      const before = readFileSync(file, 'utf8');
      writeFileSync(
        file,
        JSON.stringify({ ...JSON.parse(before), 'servetune.moeBackend': 'marlin' }, null, 2),
      );
      try {
        await runCommand(page, 'ServeTune: Open Dashboard');
        const dashboard = await webviewFrame(page, 'dashboard', 30_000, (f) =>
          f.evaluate(() => document.querySelector('.row[data-engine-behaviour="MoE marlin"]') !== null),
        );
        assert.match((await dashboard.locator('#app').textContent()) ?? '', /Engine\s*vllm · MoE marlin/);
        // A vLLM block is predicted with the backend (predictBlock's moeBackend) and its lens names it;
        // the SGLang script, whose engine has no Marlin MoE, keeps its own.
        await openConfig(page, 'vllm-config.yaml');
        const vllm = await lensText(page, /^ServeTune: p90 TTFT .*MoE marlin$/, 120_000);
        assert.match(vllm, /\(meets the SLO\)|\(misses the SLO\)/);
        await openConfig(page, 'sglang-eager.sh');
        const sglang = await lensText(page, /^ServeTune: p90 TTFT .* · NCCL all-reduce, eager$/, 120_000);
        assert.doesNotMatch(sglang, /MoE/);
      } finally {
        writeFileSync(file, before);
      }
    },
  ],
  [
    'capacity planning judges the SLO in the form the servetune.slo.form setting names (percentile)',
    async ({ page, workspace }) => {
      const file = join(workspace, '.vscode', 'settings.json');
      const before = readFileSync(file, 'utf8');
      writeFileSync(
        file,
        JSON.stringify({ ...JSON.parse(before), 'servetune.slo.form': 'percentile' }, null, 2),
      );
      try {
        await runCommand(page, 'ServeTune: Plan Capacity: Which GPUs, How Many, at What Cost…');
        await pick(page, 'ServeTune: model', SEARCH.model, SEARCH.model);
        await page
          .locator('.quick-input-widget .quick-input-title', { hasText: 'GPU types to compare' })
          .waitFor();
        await page.keyboard.press('Enter');
        await answer(page, 'GPU counts to consider', '1..8');
        await answer(page, 'traffic to serve', '10');
        await pick(page, 'workload to plan for', /Quick check\s*built-in/, 'Quick check');
        // The worker got the percentile form: the answer states it in its words.
        await waitForNotification(
          page,
          /cheapest within p90 over all requests: TTFT .*: \d+× [\w-]+ at \$[\d.]+\/hour/,
          300_000,
        );
        await runCommand(page, 'ServeTune: Open Dashboard');
        const dashboard = await webviewFrame(page, 'dashboard', 30_000, (f) =>
          f.evaluate(() => document.querySelector('table.capacity') !== null),
        );
        assert.match(await dashboard.locator('#app').innerText(), /SLO\s*p90 over all requests: TTFT/);
      } finally {
        writeFileSync(file, before);
      }
    },
  ],
  [
    'the servetune.calibration setting times Simulate as --calibration does; a file that is not one is named',
    async ({ page, workspace, userDataDir }) => {
      const file = join(workspace, '.vscode', 'settings.json');
      const before = readFileSync(file, 'utf8');
      const broken = join(workspace, 'broken-calibration.json');
      writeFileSync(broken, JSON.stringify({ source: 'hand-written' }));
      const simulateQuickCheck = async () => {
        await runCommand(page, 'ServeTune: Simulate Serving Config…');
        await pickClusterAndPlan(page);
        await pick(page, 'workload to simulate', /Quick check\s*built-in/, 'Quick check');
        await pick(page, 'ServeTune: load', "Open loop: the workload's arrival times", 'Open loop');
        await pick(
          page,
          'ServeTune: max_tokens',
          'max_tokens: the rest of the context',
          'rest of the context',
        );
      };
      const useCalibration = async (path: string) => {
        writeFileSync(
          file,
          JSON.stringify({ ...JSON.parse(before), 'servetune.calibration': path }, null, 2),
        );
        // Nothing on screen shows this setting: wait until the extension logs that it has read it.
        await waitForExtensionLog(userDataDir, `calibration setting: ${path}`, 30_000);
      };
      try {
        await useCalibration(broken);
        await simulateQuickCheck();
        await waitForNotification(page, /broken-calibration\.json: not a calibration/, 60_000);
        await shot(page, 'calibration-refused-dark');
        await clearNotifications(page);
        // A fitted calibration with 5 ms of host work per step: the report is the in-process run's with it.
        const calibration = { ...defaultCalibrationFor(getHardware('l40s')), stepOverheadSeconds: 0.005 };
        const fitted = join(workspace, 'calibration.json');
        writeFileSync(fitted, JSON.stringify(calibration));
        await useCalibration(fitted);
        await simulateQuickCheck();
        await page.waitForFunction(
          () =>
            /# Simulation: llama-3\.1-8b on l40s/.test(
              document
                .querySelector('.editor-instance .view-lines')
                ?.textContent?.replaceAll('\u00a0', ' ') ?? '',
            ),
          undefined,
          { timeout: 60_000 },
        );
        const local = simulate({ ...pickedPlanConfig(), calibration }, loadWorkload(SEARCH.workload));
        const tpot = simulationMarkdown(local, SEARCH.workload)
          .split('\n')
          .find((line) => line.startsWith('| TPOT |'));
        assert.ok(tpot, 'the in-process report has a TPOT row');
        const flat = (t: string) => t.replace(/\s+/g, ' ');
        assert.ok(flat(await activeEditorText(page)).includes(flat(tpot)), `the report has '${tpot}'`);
        const named = `calibrated with ${fitted}`;
        assert.ok(flat(await activeEditorText(page)).includes(named), `the report says '${named}'`);
        await shot(page, 'calibration-simulate-report-dark');
      } finally {
        writeFileSync(file, before);
      }
    },
  ],
  [
    "a manifest's node selector wins over servetune.json's hardware, in the lenses and the diagnostics",
    async ({ page, workspace }) => {
      // servetune.json names H100s for files that name no GPU; this Deployment's selector names L4s, on
      // which 0.98 of the memory leaves too little outside vLLM's budget (on an H100 it would not).
      const dir = join(workspace, 'pinned-gpu');
      mkdirSync(dir, { recursive: true });
      const workspaceConfig = JSON.parse(readFileSync(join(workspace, 'configs', 'servetune.json'), 'utf8'));
      writeFileSync(
        join(dir, 'servetune.json'),
        JSON.stringify({ ...workspaceConfig, hardware: 'h100-sxm' }),
      );
      const deployment = readFileSync(join(workspace, 'configs', 'deployment.yaml'), 'utf8');
      writeFileSync(join(dir, 'l4-pinned.yaml'), deployment.replace(/"0\.99".*$/m, '"0.98"'));
      await openConfig(page, 'l4-pinned.yaml');
      assert.match(await lensText(page, /^ServeTune: (p90 TTFT|cannot run)/), /p90 TTFT/);
      await assertProblem(page, /gpu-memory-utilization 0\.98 leaves 0\.48 GiB of NVIDIA L4 24GB/);
    },
  ],
  // A look at every surface, after the runs above have filled them.
  ...lookSteps,
];

async function main(): Promise<void> {
  if (process.env.SERVETUNE_E2E === '0') {
    console.log('e2e: skipped because SERVETUNE_E2E=0');
    return;
  }
  console.log('e2e: installing code-server (cached)…');
  const cache = installCodeServer();
  console.log('e2e: building the extension…');
  execFileSync(process.execPath, [join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' });
  rmSync(OUTPUT, { recursive: true, force: true });
  console.log('e2e: starting code-server and Chromium…');
  const session = await startSession(cache, 'Default Dark Modern');
  let failed = false;
  const results: string[] = [];
  let retries = 0;
  workbenchEvents.retry = (what) => {
    retries++;
    console.log(`  retry: ${what}`);
    session.trace.mark(`retry: ${what}`);
    void shot(session.page, `retry-${retries}`).catch(() => {});
  };
  // SERVETUNE_E2E_ONLY=<regex>: only the scenarios whose names match (a developer's rerun of one).
  const only = process.env.SERVETUNE_E2E_ONLY ? new RegExp(process.env.SERVETUNE_E2E_ONLY) : undefined;
  const chosen = only ? steps.filter(([name]) => only.test(name)) : steps;
  try {
    for (const [name, step] of chosen) {
      const started = Date.now();
      session.trace.mark(name);
      try {
        await step(session);
        results.push(`✔ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        console.log(results.at(-1));
      } catch (error) {
        failed = true;
        results.push(`✖ ${name}: ${(error as Error).message}`);
        console.log(results.at(-1));
        await shot(session.page, `failure-${results.length}`).catch(() => {});
        break;
      }
    }
  } finally {
    session.trace.save(join(OUTPUT, 'workbench-trace.log'));
    if (failed) {
      console.log('\n---- workbench trace (tail; whole: test-output/e2e/workbench-trace.log) ----');
      console.log(session.trace.tail(80));
      console.log('\n---- code-server log (tail) ----');
      if (existsSync(session.codeServerLog))
        console.log(readFileSync(session.codeServerLog, 'utf8').split('\n').slice(-60).join('\n'));
      for (const log of collectLogs(session.userDataDir)) {
        console.log(`\n---- ${log.path} (tail) ----`);
        console.log(log.text.split('\n').slice(-40).join('\n'));
      }
    }
    writeFileSync(join(OUTPUT, 'results.txt'), `${results.join('\n')}\n`);
    await session.close();
  }
  if (failed) {
    // The scenario results come last: a CI log keeps its tail, and the failing step's message must be in it.
    console.log(`\n---- scenarios ----\n${results.join('\n')}`);
    console.log(
      `\ne2e: FAILED (${results.filter((r) => r.startsWith('✔')).length} of ${chosen.length} passed)`,
    );
    process.exit(1);
  }
  console.log(`\ne2e: all ${chosen.length} scenarios passed (${retries} retries of a palette or pick)`);
}

await main();
