// End-to-end tests in a real VS Code (code-server) driven by Chromium. Installs what it needs on first
// run (cached under ~/.cache/servetune-e2e), builds and installs the extension into an isolated
// extensions dir, and saves screenshots under test-output/e2e/. On failure it prints the code-server
// log and the extension host and ServeTune logs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { configSteps } from './configs.mjs';
import { collectLogs, installCodeServer, OUTPUT, ROOT, type Session, startSession } from './harness.mjs';
import {
  activeEditorText,
  answer,
  chooseColorTheme,
  clearNotifications,
  confirmSaveDialog,
  pick,
  runCommand,
  waitForNotification,
  webviewFrame,
} from './workbench.mjs';

const PENDING = [
  'Profile GPU',
  'Simulate Serving Config…',
  'Search Parallel Plans…',
  'Import Workload Trace…',
  'Apply Suggested Settings',
];

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(OUTPUT, `${name}.png`) });
  console.log(`  screenshot test-output/e2e/${name}.png`);
}

async function memoryReport(page: Page, model: string, modelFilter: string, gpus: string): Promise<void> {
  await runCommand(page, 'ServeTune: Memory and Plan Report…');
  await pick(page, 'ServeTune: model', model, modelFilter);
  await pick(page, 'ServeTune: GPU', 'h100-sxm');
  await answer(page, 'ServeTune: number of GPUs', gpus);
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
    'commands whose engine part is missing say so and show nothing else',
    async ({ page }) => {
      for (const title of PENDING) {
        await runCommand(page, `ServeTune: ${title}`);
        const toast = await waitForNotification(page, `${title.replace('…', '')} is not available yet`);
        assert.match(await toast.innerText(), /not part of this build|not wired/);
        await clearNotifications(page);
      }
    },
  ],
  [
    'Show Last Report and the chart exports say what to do first when there is nothing yet',
    async ({ page }) => {
      await runCommand(page, 'ServeTune: Show Last Report');
      await waitForNotification(page, 'no report yet');
      await runCommand(page, 'ServeTune: Export Chart as CSV…');
      await waitForNotification(page, 'open a chart first');
      await runCommand(page, 'ServeTune: Export Chart as PNG…');
      await waitForNotification(page, 'open a chart first');
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
    'Set Latency Targets remembers the answers',
    async ({ page }) => {
      await runCommand(page, 'ServeTune: Set Latency Targets (SLOs)…');
      await pick(page, 'latency targets (1/3)', 'p99');
      await answer(page, 'latency targets (2/3)', '1.5');
      await answer(page, 'latency targets (3/3)', '40');
      await runCommand(page, 'ServeTune: Show Engine Log');
      await page.waitForFunction(
        () =>
          /latency targets: TTFT p99 ≤ 1\.5 s, TBT p99 ≤ 40 ms/.test(
            document.querySelector('.part.panel .view-lines')?.textContent?.replaceAll('\u00a0', ' ') ?? '',
          ),
        undefined,
        { timeout: 15_000 },
      );
      await runCommand(page, 'View: Hide Panel');
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
      await shot(page, 'pareto-dark');
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
    'the dashboard shows the device, the SLOs and the run, in the dark theme',
    async ({ page }) => {
      await runCommand(page, 'ServeTune: Open Dashboard');
      const frame = await webviewFrame(page, 'dashboard');
      const text = await frame.locator('#app').innerText();
      assert.match(text, /llvmpipe/);
      assert.match(text, /p99 ≤ 1\.5 s/);
      assert.match(text, /p99 ≤ 40 ms/);
      assert.match(text, /Memory: llama-3\.1-70b on 8× h100-sxm/);
      await shot(page, 'dashboard-dark');
    },
  ],
  [
    'switching to a light theme re-themes the dashboard and the charts live',
    async ({ page }) => {
      await chooseColorTheme(page, 'Light Modern');
      const dashboard = await webviewFrame(page, 'dashboard', 30_000, (f) =>
        f.evaluate(() => document.body.classList.contains('vscode-light')),
      );
      assert.ok(dashboard);
      await shot(page, 'dashboard-light');
      await runCommand(page, 'ServeTune: Show Last Chart');
      const pareto = await webviewFrame(page, 'pareto', 30_000, (f) =>
        f.evaluate(() => document.body.dataset.theme === 'light'),
      );
      const themes = await pareto.$$eval('figure[data-chart-id]', (nodes) =>
        nodes.map((n) => (n as HTMLElement).dataset.theme),
      );
      assert.deepEqual(themes, ['light', 'light']);
      await shot(page, 'pareto-light');
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
      assert.equal(await after.locator('figure[data-chart-id]').count(), 2);
    },
  ],
  [
    'the engine log is in the Output channel',
    async ({ page }) => {
      await runCommand(page, 'ServeTune: Show Engine Log');
      const output = page.locator('.part.panel .view-lines').first();
      await output.waitFor({ timeout: 15_000 });
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
  ...configSteps,
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
  try {
    for (const [name, step] of steps) {
      const started = Date.now();
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
    if (failed) {
      console.log('\n---- code-server log (tail) ----');
      if (existsSync(session.codeServerLog))
        console.log(readFileSync(session.codeServerLog, 'utf8').split('\n').slice(-60).join('\n'));
      for (const log of collectLogs(session.userDataDir)) {
        console.log(`\n---- ${log.path} (tail) ----`);
        console.log(log.text.split('\n').slice(-80).join('\n'));
      }
    }
    writeFileSync(join(OUTPUT, 'results.txt'), `${results.join('\n')}\n`);
    await session.close();
  }
  if (failed) {
    console.log(
      `\ne2e: FAILED (${results.filter((r) => r.startsWith('✔')).length} of ${steps.length} passed)`,
    );
    process.exit(1);
  }
  console.log(`\ne2e: all ${steps.length} scenarios passed`);
}

await main();
