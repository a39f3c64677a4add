// Lays out the extension as it is installed: the manifest, the bundles, the media, and the one runtime
// dependency that is not bundled (`webgpu`) with only the given platform's dawn.node. Used by the VSIX
// packaging (one folder per target) and by the end-to-end tests (installed into an extensions dir).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** VS Code targets and the webgpu build folder that carries their dawn.node. */
export const TARGETS = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-universal',
  'darwin-arm64': 'darwin-universal',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
};

export function hostTarget() {
  return `${process.platform}-${process.arch}`;
}

/**
 * @param {string} root the repository root (with dist/ built and node_modules installed)
 * @param {string} outDir the folder to create (emptied first)
 * @param {{ target: string, sourceMaps?: boolean }} options
 */
export function stageExtension(root, outDir, { target, sourceMaps = false }) {
  const dawnFolder = TARGETS[target];
  if (!dawnFolder) throw new Error(`unknown target ${target}; known: ${Object.keys(TARGETS).join(', ')}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  // The installed extension needs no scripts or dev tooling; its only runtime dependency is webgpu.
  delete manifest.devDependencies;
  delete manifest.scripts;
  delete manifest.allowScripts;
  manifest.dependencies = { webgpu: manifest.dependencies.webgpu };
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  mkdirSync(join(outDir, 'dist'));
  for (const name of readdirSync(join(root, 'dist'))) {
    if (name === 'node_modules') continue;
    if (name.endsWith('.map') && !sourceMaps) continue;
    cpSync(join(root, 'dist', name), join(outDir, 'dist', name));
  }
  cpSync(join(root, 'media'), join(outDir, 'media'), { recursive: true });
  // The measured op tables the engine reads beside its bundles, with the licence of their source.
  cpSync(join(root, 'data', 'opdb'), join(outDir, 'data', 'opdb'), { recursive: true });
  for (const name of ['LICENSE', 'LICENSE.md', 'CHANGELOG.md', 'NOTICE']) {
    if (existsSync(join(root, name))) cpSync(join(root, name), join(outDir, name));
  }
  // vsce refuses relative links in the README without a repository to resolve them against (the package
  // names none): in the packaged copy a link to a file of the source tree reads as its path.
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  writeFileSync(
    join(outDir, 'README.md'),
    readme.replace(/\[([^\]]+)\]\((?![a-z]+:|#)([^)]+)\)/g, (_, text, path) =>
      text === path ? `\`${path}\`` : `${text} (\`${path}\` in the source)`,
    ),
  );

  const webgpuFrom = join(root, 'node_modules', 'webgpu');
  // Beside the bundles (dist/node_modules), where Node resolves `webgpu` from dist/worker.mjs; vsce
  // leaves out only the top-level node_modules, so this copy is packaged as it is.
  const webgpuTo = join(outDir, 'dist', 'node_modules', 'webgpu');
  mkdirSync(join(webgpuTo, 'dist'), { recursive: true });
  for (const name of ['package.json', 'index.js', 'LICENSE.md', 'README.md']) {
    if (existsSync(join(webgpuFrom, name))) cpSync(join(webgpuFrom, name), join(webgpuTo, name));
  }
  cpSync(join(webgpuFrom, 'dist', dawnFolder), join(webgpuTo, 'dist', dawnFolder), { recursive: true });
  return { outDir, dawnNode: join('dist', 'node_modules', 'webgpu', 'dist', dawnFolder, 'dawn.node') };
}
