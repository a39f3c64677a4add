// One build for every bundle ServeTune ships, plus the unit-test bundles.
//   node esbuild.mjs            build dist/
//   node esbuild.mjs --tests    also build out/test/ (each test file bundled, WGSL inlined)
//   node esbuild.mjs --bench    also build out/bench/ (each bench/*.bench.ts bundled)
//   node esbuild.mjs --watch    rebuild on change
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const args = new Set(process.argv.slice(2));
const watch = args.has('--watch');
const withTests = args.has('--tests');
const withBench = args.has('--bench');

const shared = {
  bundle: true,
  sourcemap: true,
  logLevel: 'warning',
  loader: { '.wgsl': 'text' },
  target: 'es2022',
};

// `webgpu` is ESM with a native dawn.node beside it: it is never bundled; Node resolves it at run time.
const nodeExternals = ['webgpu'];
const esmRequireBanner =
  "import { createRequire as __servetuneCreateRequire } from 'node:module'; const require = __servetuneCreateRequire(import.meta.url);";

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    ...shared,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode', ...nodeExternals],
    // Engine code shared with the ESM bundles finds files beside its bundle through import.meta.url.
    define: { 'import.meta.url': '__servetuneImportMetaUrl' },
    banner: { js: "const __servetuneImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  },
  {
    ...shared,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
  },
  {
    ...shared,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.mjs',
    platform: 'node',
    format: 'esm',
    external: nodeExternals,
    banner: { js: `#!/usr/bin/env node\n${esmRequireBanner}` },
  },
  {
    ...shared,
    entryPoints: ['src/engine/search/eval-worker.ts'],
    outfile: 'dist/search-worker.mjs',
    platform: 'node',
    format: 'esm',
    external: nodeExternals,
    banner: { js: esmRequireBanner },
  },
  {
    ...shared,
    entryPoints: ['src/worker/main.ts'],
    outfile: 'dist/worker.mjs',
    platform: 'node',
    format: 'esm',
    external: nodeExternals,
    banner: { js: esmRequireBanner },
  },
];

function listFiles(dir, suffix) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...listFiles(path, suffix));
    else if (name.endsWith(suffix)) found.push(path);
  }
  return found;
}

if (withTests) {
  // Bundles of tests that were moved or deleted would still run: start from an empty folder.
  rmSync('out/test/unit', { recursive: true, force: true });
  builds.push({
    ...shared,
    entryPoints: listFiles('test/unit', '.test.ts'),
    outdir: 'out/test/unit',
    outbase: 'test/unit',
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    format: 'esm',
    external: [...nodeExternals, 'fast-check', 'typescript'],
    banner: { js: esmRequireBanner },
  });
}

if (withBench) {
  builds.push({
    ...shared,
    entryPoints: listFiles('bench', '.bench.ts'),
    outdir: 'out/bench',
    outbase: 'bench',
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    format: 'esm',
    external: nodeExternals,
    banner: { js: esmRequireBanner },
  });
}

if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('esbuild: watching');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
