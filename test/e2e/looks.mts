// A look at every surface a user reads, in the dark and the light theme, the sidebar at its default width
// and narrowed: screenshots under test-output/e2e/look-*, and the checks a person would make by eye that
// a test can make too (no NaN/undefined/Infinity, nothing wider than the sidebar it is drawn in).
import assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { lensText, openFile } from './configs.mjs';
import { type Session, shot } from './harness.mjs';
import {
  backgroundLuminance,
  chooseColorTheme,
  clearNotifications,
  runCommand,
  webviewFrame,
} from './workbench.mjs';

type Theme = 'dark' | 'light';

async function drawn(page: Page, theme: Theme): Promise<void> {
  const luminance = await backgroundLuminance(page, '.monaco-workbench .part.editor');
  if ((luminance > 0.5 ? 'light' : 'dark') === theme) return;
  await chooseColorTheme(page, theme === 'dark' ? 'Dark Modern' : 'Light Modern');
  await page.waitForTimeout(1_000);
}

/** Drags the sash at the sidebar's right edge until the sidebar is `width` px wide (VS Code's minimum is 170). */
async function sidebarWidth(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  assert.ok(box, 'the sidebar is shown');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width + 1, y, { steps: 5 });
  await page.mouse.up();
  await page.waitForTimeout(500);
}

/** What in the webview is wider than its box without a scroll bar of its own, and any NaN/undefined/Infinity. */
async function looksWrong(frame: Frame): Promise<string[]> {
  return frame.evaluate(() => {
    const wrong: string[] = [];
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, not scripts' source, is what a user reads
    const text = document.body.innerText;
    const bad = text.match(/\b(NaN|undefined|Infinity)\b/);
    if (bad) wrong.push(`text has ${bad[0]}`);
    const box = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > box + 1) {
      // Name the innermost elements that reach past the box, so a failure says what to fix.
      const past = [...document.body.querySelectorAll<HTMLElement>('*')].filter(
        (e) => e.getBoundingClientRect().right > box + 1 && e.children.length === 0,
      );
      const named = past
        .slice(0, 3)
        .map((e) => `${e.tagName.toLowerCase()}.${e.className} "${(e.textContent ?? '').slice(0, 40)}"`);
      wrong.push(`page ${document.documentElement.scrollWidth} px wide in ${box}: ${named.join('; ')}`);
    }
    return wrong;
  });
}

async function dashboardShots(page: Page, theme: Theme): Promise<string[]> {
  const wrong: string[] = [];
  await runCommand(page, 'ServeTune: Open Dashboard');
  for (const width of [0, 300, 200]) {
    if (width) await sidebarWidth(page, width);
    const frame = await webviewFrame(page, 'dashboard');
    await page.waitForTimeout(500);
    await shot(page, `look-dashboard-${width || 'default'}-${theme}`);
    const capacity = await frame.$('table.capacity');
    if (capacity) {
      // Each planned GPU type shows its latencies and share within the SLO, as the CLI's capacity table.
      const latencies = await frame.$$eval('table.capacity .latencies', (n) =>
        n.map((x) => x.textContent ?? ''),
      );
      if (!latencies.some((t) => /^TTFT p\d+ .* \/ [\d.]+% within SLO$/.test(t)))
        wrong.push(`dashboard ${width || 'default'} ${theme}: capacity rows without latencies`);
      await capacity.scrollIntoViewIfNeeded();
      await shot(page, `look-capacity-${width || 'default'}-${theme}`);
    }
    for (const w of await looksWrong(frame)) wrong.push(`dashboard ${width || 'default'} ${theme}: ${w}`);
  }
  await sidebarWidth(page, 300);
  return wrong;
}

export const lookSteps: [string, (s: Session) => Promise<void>][] = [
  [
    'every surface in the dark and the light theme, the sidebar narrowed: screenshots, nothing unreadable',
    async ({ page }) => {
      const wrong: string[] = [];
      await clearNotifications(page);
      for (const theme of ['dark', 'light'] as const) {
        await drawn(page, theme);
        wrong.push(...(await dashboardShots(page, theme)));
        await runCommand(page, 'ServeTune: Show Last Chart');
        const pareto = await webviewFrame(page, 'pareto');
        await page.waitForTimeout(1_000);
        await shot(page, `look-pareto-${theme}`);
        for (const w of await looksWrong(pareto)) wrong.push(`pareto ${theme}: ${w}`);
        await runCommand(page, 'ServeTune: Show Last Report');
        await page.waitForTimeout(1_500);
        await shot(page, `look-report-${theme}`);
        await openFile(page, 'vllm-config.yaml');
        await lensText(page, /^ServeTune: (p90 TTFT|cannot run)/, 120_000);
        await shot(page, `look-lens-${theme}`);
        if (theme === 'light') {
          await page.locator('.codelens-decoration a', { hasText: 'Tune for this workload' }).first().click();
          // A suggestion, or the reason there is none (a file an earlier scenario tuned already).
          await lensText(page, /^Tuned: |^ServeTune: (?!p\d+ TTFT|tuning)/, 180_000);
          await shot(page, `look-tune-${theme}`);
        }
      }
      assert.deepEqual(wrong, []);
    },
  ],
];
