// The suite for desktop VS Code (Electron), through @vscode/test-electron. It runs where VS Code is
// available: VSCODE_EXECUTABLE names a local one, or the official build can be downloaded. Otherwise it
// prints why it was skipped and exits 0; the code-server suite (test/e2e/run.mts) covers the editor then.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';

const ROOT = resolve(import.meta.dirname, '../../..');

function skip(reason: string): never {
  console.log(`test-electron: skipped: ${reason}`);
  process.exit(0);
}

async function vscodeExecutable(): Promise<string> {
  if (process.env.VSCODE_EXECUTABLE) return process.env.VSCODE_EXECUTABLE;
  try {
    return await downloadAndUnzipVSCode({ version: 'stable', timeout: 20_000 });
  } catch (error) {
    skip(
      `desktop VS Code cannot be downloaded here (${(error as Error).message.split('\n')[0]}); ` +
        'set VSCODE_EXECUTABLE to a VS Code binary to run this suite',
    );
  }
}

function hasDisplay(): boolean {
  if (process.platform !== 'linux' || process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return true;
  return false;
}

async function main(): Promise<void> {
  if (process.env.SERVETUNE_E2E === '0') skip('SERVETUNE_E2E=0');
  const executable = await vscodeExecutable();
  if (!hasDisplay()) {
    // Electron needs a display; re-run this script under a virtual one when xvfb-run exists.
    try {
      execFileSync('xvfb-run', ['--version'], { stdio: 'ignore' });
    } catch {
      skip('no display and no xvfb-run to provide one (apt-get install xvfb)');
    }
    if (!process.env.SERVETUNE_UNDER_XVFB) {
      execFileSync('xvfb-run', ['-a', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
        stdio: 'inherit',
        env: { ...process.env, SERVETUNE_UNDER_XVFB: '1', VSCODE_EXECUTABLE: executable },
      });
      return;
    }
  }
  execFileSync(process.execPath, [join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const suite = join(ROOT, 'out/test/electron/suite.cjs');
  await esbuild.build({
    entryPoints: [join(ROOT, 'test/e2e/electron/suite.ts')],
    outfile: suite,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
    logLevel: 'warning',
  });
  const workspace = mkdtempSync(join(tmpdir(), 'servetune-electron-'));
  cpSync(join(ROOT, 'test/fixtures/e2e-workspace'), workspace, { recursive: true });
  await runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: suite,
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--user-data-dir',
      join(workspace, '.user-data'),
    ],
  });
  console.log('test-electron: passed');
}

main().catch((error) => {
  console.error(`test-electron: FAILED: ${(error as Error).message}`);
  process.exit(1);
});
