// End-to-end scenarios for serving config files: CodeLenses, diagnostics, simulate, tune and apply.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { applyEdits } from '../../src/engine/config/apply.js';
import { predictBlock, tuneBlock, tuneChangeText } from '../../src/engine/tune/tune.js';
import { type Session, shot } from './harness.mjs';
import { activeEditorText, clearNotifications, runCommand, workbenchEvents } from './workbench.mjs';

/** What the workspace's configs/servetune.json says, and the editor's defaults the extension adds. */
const WORKLOAD = 'poisson:rate=4,prompt=lognormal(1024,0.6),output=fixed(128),n=200';
// As the workspace's servetune.json states it ("percentile": 90): the SLO's percentile form.
const SLO = { ttft: 2, tbt: 0.1, form: 'percentile' as const, percentile: 'p90' as const };
const DEFAULTS = { hardwareFallback: 'h100-sxm', sampleRequests: 1000, threads: 0 };

/** Opens a workspace file by name through Quick Open (the config scenarios and the settings ones in run.mts). */
export async function openFile(page: Page, name: string): Promise<void> {
  const input = page.locator('.quick-input-widget:not(.quick-input-widget-closing) input');
  // Quick Open closes when it loses the focus, and a view the extension just refreshed can take it (seen
  // in a CI run: the Problems list focused 2 ms after Quick Open showed, the name typed into the closing
  // widget): open it again until the filter has put the file on the focused row.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(name);
    // Enter opens the focused row: wait until the filter has put the file there, not merely in the list
    // (the recently opened files show before the filter applies).
    const focused = page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: name }).first();
    try {
      await focused.waitFor({ state: 'visible', timeout: attempt < 3 ? 5_000 : 15_000 });
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  await input.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 15_000 });
  // The tab shows a moment before its editor takes the focus back from the closing Quick Open: a key
  // pressed in between (the scenarios' Ctrl+End) goes to the page's body and is lost (seen once in the
  // workbench trace: focus on body at 184.37 s, on the editor at 184.52 s, Ctrl+End between).
  await page.waitForFunction(() => document.activeElement?.closest('.editor-instance') != null, undefined, {
    timeout: 15_000,
  });
}

function lens(page: Page, text: string | RegExp) {
  return page.locator('.codelens-decoration a, .codelens-decoration span', { hasText: text }).first();
}

/**
 * The first CodeLens matching `text` that is on screen: each side block of a disaggregated file has its
 * own, and the editor keeps the one scrolled out in the page, hidden.
 */
function visibleLens(page: Page, text: string | RegExp) {
  return page
    .locator('.codelens-decoration a, .codelens-decoration span', { hasText: text })
    .filter({ visible: true })
    .first();
}

/**
 * The on-screen CodeLens matching `text` that runs its command: a link, never a span. When an editor
 * shows a file again, VS Code first draws the lenses it cached for it, with their titles but no command
 * ids, as plain spans (`CodeLensCache.put` in microsoft/vscode
 * src/vs/editor/contrib/codelens/browser/codeLensCache.ts, rendered by `withCommands` in
 * codelensWidget.ts), and asks the provider again 250 ms or more later; a click on such a span does
 * nothing. Waiting for the link waits for the lenses the provider gave.
 */
function clickableLens(page: Page, text: string | RegExp) {
  return page.locator('.codelens-decoration a', { hasText: text }).filter({ visible: true }).first();
}

/** The text of the first CodeLens matching `text`, once it shows. */
export async function lensText(page: Page, text: string | RegExp, timeout = 60_000): Promise<string> {
  const found = lens(page, text);
  await found.waitFor({ state: 'visible', timeout });
  return (await found.textContent())?.replaceAll('\u00a0', ' ') ?? '';
}

/** The Problems panel lists the message (and the panel is hidden again afterwards). */
export async function assertProblem(page: Page, message: RegExp): Promise<void> {
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  await page.waitForFunction(
    (source) =>
      new RegExp(source).test(
        document.querySelector('.markers-panel')?.textContent?.replaceAll('\u00a0', ' ') ?? '',
      ),
    message.source,
    { timeout: 30_000 },
  );
  await runCommand(page, 'View: Hide Panel');
}

/**
 * Tune through the lens, Apply, save: the file on disk is exactly the engine's planned edit. `side`: the
 * file's first block of that side of a disaggregated deployment, tuned within its pair ("Tune this side").
 */
async function tuneAndApply(
  page: Page,
  path: string,
  side?: 'prefill' | 'decode',
  screenshot?: string,
): Promise<void> {
  const before = readFileSync(path, 'utf8');
  const expected = await tuneBlock({
    path,
    text: before,
    workload: WORKLOAD,
    slo: SLO,
    ...DEFAULTS,
    ...(side ? { side } : {}),
  });
  assert.ok(expected.edits.length > 0, `a suggestion for ${path}: ${expected.reason ?? ''}`);
  const tuneLens = side ? 'Tune this side' : 'Tune for this workload…';
  // Each side block has its Tune lens: the one on screen is the side's (the other block is scrolled out).
  await clickableLens(page, tuneLens).click();
  // What changes and what it gains, on the lens row over the first line it edits; the workload and SLO
  // it was tuned for are the lens's tooltip.
  const summary = await lensText(page, /^Tuned: /, 180_000);
  assert.equal(
    summary,
    `Tuned: ${tuneChangeText(expected.changeList, expected.current, expected.suggested!)}`,
  );
  assert.equal(await visibleLens(page, /^Tuned: /).getAttribute('title'), expected.summary);
  if (screenshot) await shot(page, screenshot);
  await clickableLens(page, /^Apply$/).click();
  // The edit lands in the editor (one WorkspaceEdit); saving writes it to disk.
  await visibleLens(page, tuneLens).waitFor({ state: 'visible', timeout: 60_000 });
  const wanted = applyEdits(before, expected.edits, path);
  await saveUntilOnDisk(page, path, wanted);
  const after = readFileSync(path, 'utf8');
  assert.equal(after, wanted);
  assert.notEqual(after, before);
}

/**
 * Saves the active editor until the file on disk reads `wanted`: at most twice, as a person would save
 * again when the first did not take (each second try is reported as a retry).
 */
async function saveUntilOnDisk(page: Page, path: string, wanted: string): Promise<void> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    await runCommand(page, 'File: Save');
    // The save truncates the file before it writes it: a read in between sees it empty or short, so wait
    // for the expected text (or 15 s) instead of for any change.
    const started = Date.now();
    while (Date.now() - started < 15_000) {
      if (readFileSync(path, 'utf8') === wanted) return;
      await page.waitForTimeout(200);
    }
    if (attempt === 1) workbenchEvents.retry(`File: Save did not write ${path} within 15 s`);
  }
}

export const configSteps: [string, (s: Session) => Promise<void>][] = [
  [
    'a vLLM YAML shows its prediction lens and diagnostics; Tune then Apply edits exactly the suggested keys',
    async ({ page, workspace }) => {
      await clearNotifications(page);
      await openFile(page, 'vllm-config.yaml');
      const predicted = await lensText(page, /^ServeTune: (p90 TTFT|cannot run)/);
      assert.match(
        predicted,
        /p90 TTFT [\d.]+ m?s · TBT [\d.]+ ms · \d+ tok\/s at 4\.\d+ req\/s \((meets|misses) the SLO\)/,
      );
      await assertProblem(page, /max-num-batched-tokens 256 is below max-num-seqs 512/);
      await tuneAndApply(page, join(workspace, 'configs', 'vllm-config.yaml'));
      const text = readFileSync(join(workspace, 'configs', 'vllm-config.yaml'), 'utf8');
      assert.match(text, /^max-num-seqs: \d+ {3}# many short chats$/m, 'the comment stays');
    },
  ],
  [
    'a Kubernetes manifest shows its lenses (GPU from the node selector) and the memory warning',
    async ({ page }) => {
      await openFile(page, 'deployment.yaml');
      const predicted = await lensText(page, /^ServeTune: (p90 TTFT|cannot run)/);
      assert.match(predicted, /p90 TTFT/);
      await lensText(page, 'Tune for this workload…');
      await assertProblem(page, /gpu-memory-utilization 0\.99 leaves 0\.24 GiB of NVIDIA L4 24GB/);
    },
  ],
  [
    'a Kubernetes manifest written as JSON shows its lenses, and a misspelt flag a did-you-mean warning',
    async ({ page }) => {
      await openFile(page, 'deployment.json');
      const predicted = await lensText(page, /^ServeTune: (p90 TTFT|cannot run)/);
      assert.match(predicted, /p90 TTFT/);
      await lensText(page, 'Tune for this workload…');
      await assertProblem(page, /unknown vLLM flag --max-num-seq: did you mean --max-num-seqs\?/);
    },
  ],
  [
    'a docker-compose file shows its lenses and the set-twice warning; Apply edits the command list',
    async ({ page, workspace }) => {
      await openFile(page, 'docker-compose.yaml');
      await lensText(page, /^ServeTune: p90 TTFT/);
      await assertProblem(page, /--max-num-seqs 128 is overridden by --max-num-seqs 256/);
      await tuneAndApply(page, join(workspace, 'configs', 'docker-compose.yaml'));
    },
  ],
  [
    "a launch script's engine behaviours (no CUDA graphs, NCCL all-reduce) are named on its prediction lens",
    async ({ page, workspace }) => {
      await openFile(page, 'sglang-eager.sh');
      const predicted = await lensText(page, /^ServeTune: (p90 TTFT|cannot run)/);
      assert.match(
        predicted,
        /p90 TTFT [\d.]+ m?s · TBT [\d.]+ ms .*\(meets the SLO\) · NCCL all-reduce, eager$/,
      );
      const expected = await predictBlock({
        path: join(workspace, 'configs', 'sglang-eager.sh'),
        workload: WORKLOAD,
        slo: SLO,
        hardwareFallback: DEFAULTS.hardwareFallback,
        sampleRequests: DEFAULTS.sampleRequests,
      });
      assert.deepEqual(expected.target.engineBehaviour, ['NCCL all-reduce', 'eager']);
    },
  ],
  [
    "a launch script's Simulate this config lens simulates it as written (plan, engine, behaviours) and opens the report",
    async ({ page }) => {
      await openFile(page, 'sglang-eager.sh');
      await clickableLens(page, /^Simulate this config$/).click();
      await page.waitForFunction(
        () =>
          /# Simulation: llama-3\.1-8b on h100-sxm: TP2 sglang/.test(
            document.querySelector('.editor-instance .view-lines')?.textContent?.replaceAll('\u00a0', ' ') ??
              '',
          ),
        undefined,
        { timeout: 60_000 },
      );
      const text = await activeEditorText(page);
      assert.match(text, /- Engine: sglang \(NCCL all-reduce, eager\)/);
      assert.match(text, /200 of 200 requests completed/);
      assert.match(text, /\| TTFT \|/);
    },
  ],
  [
    'a disaggregated file shows one Simulate lens per side and predicts the pair; the decode side simulates the pair (--side decode)',
    async ({ page }) => {
      await openFile(page, 'disagg-sglang.yaml');
      await lensText(page, 'Simulate this config (prefill side)');
      // Each side's prediction lens predicts the prefill + decode pair, not an error.
      const pair = /ServeTune\s\(prefill\s\+\sdecode\spair\):\sp90\sTTFT\s.+\s·\sTBT\s/;
      assert.match(await lensText(page, pair), /\((meets|misses) the SLO\)/);
      assert.equal(await lens(page, 'cannot predict').count(), 0);
      assert.equal(await lens(page, 'Tune this side').count(), 1);
      // The decode block starts below the first screen: the editor renders only the lines in view.
      await page.keyboard.press('Control+End');
      // The prefill block's lens stays in the page, scrolled out: the decode block's is the one in view.
      const decodePair = visibleLens(page, pair);
      await decodePair.waitFor({ state: 'visible', timeout: 60_000 });
      assert.match((await decodePair.textContent()) ?? '', /\((meets|misses) the SLO\)/);
      await clickableLens(page, 'Simulate this config (decode side)').click();
      await page.waitForFunction(
        () =>
          /# Simulation: llama-3\.1-8b on h100-sxm: prefill TP1 × DP2 sglang \+ decode TP2 sglang/.test(
            document.querySelector('.editor-instance .view-lines')?.textContent?.replaceAll('\u00a0', ' ') ??
              '',
          ),
        undefined,
        { timeout: 60_000 },
      );
      const text = await activeEditorText(page);
      assert.match(text, /200 of 200 requests completed/);
      assert.match(text, /- Deployment: prefill TP1.* \| decode TP2/);
    },
  ],
  [
    "a disaggregated YAML's Tune this side tunes the decode side within its pair; Apply edits only that block",
    async ({ page, workspace }) => {
      await clearNotifications(page);
      // The fixture as written already sustains the highest rate the tune searches, so it has nothing to
      // suggest: a decode side that admits 8 requests at once gives the tune something to find.
      const path = join(workspace, 'configs', 'disagg-sglang.yaml');
      const fixture = readFileSync(path, 'utf8');
      const tight = fixture.replace('- "512"', '- "8"');
      assert.notEqual(tight, fixture);
      writeFileSync(path, tight);
      await openFile(page, 'disagg-sglang.yaml');
      // The decode block starts below the first screen: bring its lenses into view.
      await page.keyboard.press('Control+End');
      // An editor that had the file open takes the new text from disk.
      await page.waitForFunction(
        () =>
          /--max-running-requests\s*- "8"/.test(
            document.querySelector('.editor-instance .view-lines')?.textContent?.replaceAll('\u00a0', ' ') ??
              '',
          ),
        undefined,
        { timeout: 30_000 },
      );
      await tuneAndApply(page, path, 'decode', 'config-tune-side');
      const after = readFileSync(path, 'utf8');
      const decodeAt = (text: string) => text.indexOf('name: llama-8b-decode');
      assert.equal(
        after.slice(0, decodeAt(after)),
        tight.slice(0, decodeAt(tight)),
        'the prefill block and the comment above it are untouched',
      );
    },
  ],
];
