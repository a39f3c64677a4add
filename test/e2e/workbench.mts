import type { Frame, Locator, Page } from 'playwright-core';

// Helpers that drive the VS Code workbench the way a person does: the command palette, quick picks,
// notifications, and the nested iframes webviews live in.

const QUICK_INPUT = '.quick-input-widget';

/** Told of every retry the helpers below make (the run logs them and marks them in the trace). */
export const workbenchEvents = { retry: (_what: string): void => {} };

function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).split('\n')[0] ?? '';
}

/**
 * Parks the mouse on the title bar, where nothing shows a hover (a tab's, a chart's tooltip) that could
 * cover the next row to click.
 */
async function parkMouse(page: Page): Promise<void> {
  await page.mouse.move(700, 3);
}

/**
 * Takes the keyboard focus out of a webview's frame back to the workbench, whose window listens for its
 * keybindings: the top document's active element is then no longer the webview's iframe.
 */
async function focusWorkbench(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}

export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator(`${QUICK_INPUT} input`);
  // Quick inputs stay open when a webview takes focus late (the harness's closeOnFocusLost setting);
  // and a webview that has just taken the focus (a panel a run opened) can swallow F1 itself. Should the
  // palette not open or typing fail, take the focus back to the workbench and open it again, as a person
  // would, at most three times (each retry is reported).
  for (let attempt = 1; ; attempt++) {
    await parkMouse(page);
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`>${title}`, { timeout: 10_000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
      workbenchEvents.retry(`runCommand '${title}' attempt ${attempt}: ${firstLine(error)}`);
      await focusWorkbench(page);
    }
  }
  // Click the row whose label is exactly the title: Enter would run whichever similar command is first.
  const row = page
    .locator(`${QUICK_INPUT} .monaco-list-row`)
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) })
    .first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
  await parkMouse(page);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Chooses, in the quick pick titled `title`, the row whose text contains `text` (typing `filter` first). */
export async function pick(
  page: Page,
  title: string | null,
  text: string | RegExp,
  filter = typeof text === 'string' ? text : text.source,
): Promise<void> {
  if (title)
    await page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: title }).waitFor({ timeout: 15_000 });
  const input = page.locator(`${QUICK_INPUT} input`);
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  // `fill` focuses the input first, so a webview that took the focus does not swallow the typing. Should
  // it still fail, type again (each retry is reported), at most three times, then report what is inert.
  for (let attempt = 1; ; attempt++) {
    try {
      await input.fill(filter, { timeout: 10_000 });
      break;
    } catch (error) {
      if (attempt < 3) {
        workbenchEvents.retry(`pick '${title}' attempt ${attempt}: ${firstLine(error)}`);
        await parkMouse(page);
        continue;
      }
      const inert = await page.evaluate(() =>
        [...document.querySelectorAll('[inert]')].map((e) => `${e.tagName}.${e.className}`).join(' | '),
      );
      const shownTitle = await page
        .locator(`${QUICK_INPUT} .quick-input-title`)
        .innerText()
        .catch(() => '?');
      const log = (error as Error).message.split('\n').slice(0, 8).join(' | ');
      throw new Error(`${log}; quick input titled '${shownTitle}'; inert elements: ${inert || 'none'}`);
    }
  }
  const row = page.locator(`${QUICK_INPUT} .monaco-list-row`, { hasText: text }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
  await parkMouse(page);
  if (title) await stepDone(page, title);
  else await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 15_000 });
}

/** Answers the input box titled `title` (waiting for it: the widget is reused between steps). */
export async function answer(page: Page, title: string, value: string): Promise<void> {
  await page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: title }).waitFor({ timeout: 15_000 });
  const input = page.locator(`${QUICK_INPUT} input`);
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(value);
  // On the input itself (focused first): a webview may hold the keyboard focus by now.
  await input.press('Enter');
  await stepDone(page, title);
}

/** Waits until the quick input titled `title` is gone (accepted), so the next key press cannot cancel it. */
async function stepDone(page: Page, title: string): Promise<void> {
  await page.waitForFunction(
    (t) => {
      const widget = document.querySelector('.quick-input-widget') as HTMLElement | null;
      const shown = widget && widget.style.display !== 'none' && widget.offsetParent !== null;
      return !shown || !(widget.querySelector('.quick-input-title')?.textContent ?? '').includes(t);
    },
    title,
    { timeout: 15_000 },
  );
}

export function notification(page: Page, text: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

export async function waitForNotification(
  page: Page,
  text: string | RegExp,
  timeout = 30_000,
): Promise<Locator> {
  const toast = notification(page, text);
  await toast.waitFor({ state: 'visible', timeout });
  return toast;
}

export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.waitForTimeout(300);
}

/** The innermost frame of a ServeTune webview of the given kind, once it has rendered. */
export async function webviewFrame(
  page: Page,
  view: 'dashboard' | 'pareto' | 'validation',
  timeout = 30_000,
  check: (frame: Frame) => Promise<boolean> = async () => true,
): Promise<Frame> {
  const started = Date.now();
  while (Date.now() - started < timeout) {
    for (const frame of page.frames()) {
      try {
        const rendered = await frame.evaluate(() => document.body?.dataset.rendered ?? null);
        if (rendered === view && (await check(frame))) return frame;
      } catch {
        // frames come and go while the workbench lays out
      }
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no rendered ${view} webview within ${timeout / 1000} s`);
}

export async function activeEditorText(page: Page): Promise<string> {
  // Monaco renders spaces as no-break spaces.
  const text = await page.locator('.editor-instance .view-lines').first().innerText();
  return text.replaceAll('\u00a0', ' ');
}

/** Accepts VS Code's own save dialog (a quick input) once it offers the expected file name. */
export async function confirmSaveDialog(page: Page, fileName: string): Promise<void> {
  const input = page.locator(`${QUICK_INPUT} input`);
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await page.waitForFunction(
    (name) =>
      (document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value.endsWith(name),
    fileName,
    { timeout: 15_000 },
  );
  await page.locator(`${QUICK_INPUT} .monaco-button`, { hasText: 'OK' }).first().click();
}

/** Switches the colour theme the way a person does: the theme picker, typing the name, Enter. */
export async function chooseColorTheme(page: Page, theme: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  await page.waitForFunction(
    () =>
      /color theme/i.test(
        (document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.placeholder ?? '',
      ),
    undefined,
    { timeout: 15_000 },
  );
  const input = page.locator(`${QUICK_INPUT} input`);
  await input.fill(theme);
  const row = page.locator(`${QUICK_INPUT} .monaco-list-row.focused`, { hasText: theme });
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await input.press('Enter');
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 15_000 });
}

/** Answers VS Code's own open dialog (a quick input) with an absolute path and its accept button. */
export async function chooseFileInDialog(page: Page, path: string): Promise<void> {
  const input = page.locator(`${QUICK_INPUT} input`);
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  // The dialog fills in the folder asynchronously and may overwrite what was typed before: retype until
  // the path stays.
  for (let attempt = 0; attempt < 5; attempt++) {
    await input.fill(path);
    await page.waitForTimeout(500);
    if ((await input.inputValue()) === path) break;
  }
  await page.locator(`${QUICK_INPUT} .monaco-button`).first().click();
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 15_000 });
}

/** The text of the Output panel's visible lines (Monaco renders spaces as no-break spaces). */
export async function waitForOutput(page: Page, pattern: RegExp, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    ({ source, flags }) =>
      new RegExp(source, flags).test(
        document.querySelector('.part.panel .view-lines')?.textContent?.replaceAll('\u00a0', ' ') ?? '',
      ),
    { source: pattern.source, flags: pattern.flags },
    { timeout },
  );
}

/**
 * The relative luminance (0 black … 1 white) of what a person sees behind `selector`: the computed
 * background of the element or of its nearest ancestor that paints one. A class on <body> says which
 * theme a webview was told; this says what was drawn.
 */
export async function backgroundLuminance(target: Page | Frame, selector: string): Promise<number> {
  return target.evaluate((sel) => {
    let element: Element | null = document.querySelector(sel);
    while (element) {
      const match = getComputedStyle(element).backgroundColor.match(
        /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?/,
      );
      if (match && (match[4] === undefined || Number(match[4]) > 0)) {
        const [r, g, b] = [match[1], match[2], match[3]].map((c) => {
          const v = Number(c) / 255;
          return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      }
      element = element.parentElement;
    }
    throw new Error(`nothing paints a background behind ${sel}`);
  }, selector);
}

/** Fails unless the workbench and the webview are both drawn light (or both dark). */
export async function assertDrawnTheme(page: Page, webview: Frame, theme: 'light' | 'dark'): Promise<void> {
  const drawn = (luminance: number) => (luminance > 0.5 ? 'light' : 'dark');
  const workbench = drawn(await backgroundLuminance(page, '.monaco-workbench .part.editor'));
  const view = drawn(await backgroundLuminance(webview, 'body'));
  if (workbench !== theme || view !== theme) {
    throw new Error(
      `expected a ${theme} theme drawn; the workbench is drawn ${workbench}, the webview ${view}`,
    );
  }
}
