import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

// A trace of what the workbench does to focus and the quick input while the scenarios run: every
// `inert` set or cleared (with a stack), the quick input shown or hidden, and each focus move (which
// element, or which webview iframe, took it). Written to test-output/e2e/workbench-trace.log; its tail
// is printed when a scenario fails, so an intermittent stall leaves evidence of what happened.

export interface WorkbenchTrace {
  /** Adds a line of the test's own (e.g. which step starts). */
  mark(text: string): void;
  tail(lines: number): string;
  save(file: string): void;
}

// Runs in the page (before the workbench's own scripts, and again after every reload). Plain JavaScript
// in a string: a function passed from here would carry the TypeScript runner's helper calls with it.
const INSTALL = String.raw`(() => {
  const where = window === window.top ? 'top' : 'frame ' + location.pathname.split('/').slice(-2).join('/');
  // Looked up at each call: the binding may arrive after this script runs.
  const log = (line) => window.__servetuneTrace?.('[' + where + '] ' + line);
  const describe = (node) => {
    if (!node || !node.tagName) return 'none';
    const classes = typeof node.className === 'string' ? node.className.split(/\s+/).slice(0, 4).join('.') : '';
    const label = node.getAttribute('aria-label') ?? node.getAttribute('title') ?? '';
    return node.tagName.toLowerCase() + (node.id ? '#' + node.id : '') + (classes ? '.' + classes : '') +
      (label ? ' "' + label.slice(0, 60) + '"' : '');
  };
  const quickInputState = () => {
    const widget = document.querySelector('.quick-input-widget');
    if (!widget) return 'absent';
    const title = widget.querySelector('.quick-input-title')?.textContent ?? '';
    return (widget.style.display === 'none' ? 'hidden' : 'shown') + (widget.inert ? ' inert' : '') +
      ' [' + widget.className + "] '" + title + "'";
  };
  // Who sets inert, with the stack at the moment it is set (a MutationObserver would see it too late).
  const stack = () => (new Error().stack ?? '').split('\n').slice(3, 9).map((l) => l.trim()).join(' < ');
  const inertChange = (node, on) => {
    if (node.hasAttribute('inert') === on) return;
    log('inert ' + (on ? 'SET' : 'cleared') + ' on ' + describe(node) + '; active ' +
      describe(document.activeElement) + '; ' + stack());
  };
  const property = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'inert');
  if (property?.set) {
    Object.defineProperty(HTMLElement.prototype, 'inert', {
      ...property,
      set(value) {
        inertChange(this, !!value);
        property.set.call(this, value);
      },
    });
  }
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (name === 'inert') inertChange(this, true);
    return setAttribute.call(this, name, value);
  };
  const removeAttribute = Element.prototype.removeAttribute;
  Element.prototype.removeAttribute = function (name) {
    if (name === 'inert') inertChange(this, false);
    return removeAttribute.call(this, name);
  };
  const toggleAttribute = Element.prototype.toggleAttribute;
  Element.prototype.toggleAttribute = function (name, force) {
    if (name === 'inert') inertChange(this, force ?? !this.hasAttribute('inert'));
    return toggleAttribute.call(this, name, force);
  };
  let lastQuickInput = '';
  const start = () => {
    new MutationObserver(() => {
      if (window !== window.top) return;
      const state = quickInputState();
      if (state === lastQuickInput) return;
      lastQuickInput = state;
      log('quick input ' + state + '; active ' + describe(document.activeElement));
    }).observe(document.documentElement, {
      subtree: true,
      attributes: true,
      attributeFilter: ['inert', 'style', 'class'],
      childList: true,
    });
    document.addEventListener('focusin', (event) => log('focus -> ' + describe(event.target)), true);
    window.addEventListener('blur', () => log('window blur; active ' + describe(document.activeElement)));
  };
  if (document.documentElement) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
})();`;

/** Starts tracing a page that has not navigated yet. */
export async function traceWorkbench(page: Page): Promise<WorkbenchTrace> {
  const lines: string[] = [];
  const started = Date.now();
  const stamp = (text: string) => lines.push(`${((Date.now() - started) / 1000).toFixed(3)} ${text}`);
  await page.exposeFunction('__servetuneTrace', (line: string) => stamp(line));
  await page.addInitScript({ content: INSTALL });
  return {
    mark: (text) => stamp(`---- ${text}`),
    tail: (count) => lines.slice(-count).join('\n'),
    save: (file) => writeFileSync(file, `${lines.join('\n')}\n`),
  };
}
