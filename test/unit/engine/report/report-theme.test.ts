import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPORT_THEME, reportThemeCss } from '../../../../src/engine/report/report-theme.js';

// Tests run at the repository root, from their sources and from the bundle under out/ alike.
const ROOT = process.cwd();
const webviewCss = readFileSync(join(ROOT, 'media/webview.css'), 'utf8');
const chartTheme = readFileSync(join(ROOT, 'src/webview/theme.ts'), 'utf8');

/** The `--vscode-…` variables a stylesheet or script reads. */
function variablesIn(text: string): string[] {
  return [...new Set([...text.matchAll(/--vscode-[A-Za-z-]+/g)].map((m) => m[0]))].sort();
}

describe('the theme of a report page', () => {
  it('defines, light and dark, every theme variable the editor stylesheet and the charts read', () => {
    const read = variablesIn(webviewCss + chartTheme);
    assert.ok(read.includes('--vscode-button-background') && read.includes('--vscode-charts-orange'));
    for (const [scheme, values] of Object.entries(REPORT_THEME)) {
      const missing = read.filter((name) => !(name in values));
      assert.deepEqual(missing, [], `${scheme}: undefined outside the editor`);
    }
  });

  it('is light by default and dark for a reader whose scheme is dark', () => {
    const css = reportThemeCss();
    const [light, dark] = css.split('@media (prefers-color-scheme: dark)');
    assert.ok(
      light!.includes(`--vscode-editor-background: ${REPORT_THEME.light['--vscode-editor-background']};`),
    );
    assert.ok(
      dark!.includes(`--vscode-editor-background: ${REPORT_THEME.dark['--vscode-editor-background']};`),
    );
    assert.notEqual(
      REPORT_THEME.light['--vscode-editor-background'],
      REPORT_THEME.dark['--vscode-editor-background'],
    );
  });
});
