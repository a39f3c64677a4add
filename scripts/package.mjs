// `npm run package`: one VSIX per VS Code target, each carrying only its own platform's dawn.node,
// then a check of what each VSIX holds. Pass targets to build fewer: `npm run package -- linux-x64`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { stageExtension, TARGETS } from './stage-extension.mjs';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const requested = process.argv.slice(2);
const targets = requested.length > 0 ? requested : Object.keys(TARGETS);
const vsce = join(dirname(createRequire(import.meta.url).resolve('@vscode/vsce/package.json')), 'vsce');

/** File names in a zip, from its central directory. */
function zipEntries(path) {
  const zip = readFileSync(path);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error(`${path} is not a zip`);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const size = zip.readUInt32LE(offset + 24);
    entries.push({ name: zip.toString('utf8', offset + 46, offset + 46 + nameLength), size });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The extension's package.json as packaged (to check the target vsce recorded). */
function packagedManifest(path) {
  const zip = readFileSync(path);
  const marker = Buffer.from('extension.vsixmanifest');
  const at = zip.indexOf(marker);
  const header = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]), at);
  const method = zip.readUInt16LE(header + 8);
  const compressed = zip.readUInt32LE(header + 18);
  const start = header + 30 + zip.readUInt16LE(header + 26) + zip.readUInt16LE(header + 28);
  const data = zip.subarray(start, start + compressed);
  return (method === 8 ? inflateRawSync(data) : data).toString('utf8');
}

execFileSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
const outDir = join(root, 'vsix');
mkdirSync(outDir, { recursive: true });
let failed = false;
for (const target of targets) {
  const stage = join(root, 'out', 'vsix-stage', target);
  const { dawnNode } = stageExtension(root, stage, { target });
  const file = join(outDir, `servetune-${target}-${version}.vsix`);
  execFileSync(
    process.execPath,
    [
      vsce,
      'package',
      '--target',
      target,
      '--no-dependencies',
      '--allow-missing-repository',
      '--skip-license',
      '--out',
      file,
    ],
    { cwd: stage, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const entries = zipEntries(file);
  const dawn = entries.filter((e) => e.name.endsWith('dawn.node'));
  const problems = [];
  if (dawn.length !== 1 || dawn[0].name !== `extension/${dawnNode}`) {
    problems.push(
      `expected only extension/${dawnNode}, found ${dawn.map((e) => e.name).join(', ') || 'none'}`,
    );
  }
  for (const needed of [
    'extension/dist/extension.js',
    'extension/dist/worker.mjs',
    'extension/dist/webview.js',
    'extension/media/webview.css',
    'extension/NOTICE',
    'extension/data/opdb/LICENSE-aiconfigurator',
    'extension/data/opdb/index.json',
    'extension/data/opdb/h100_sxm/vllm.json.gz',
  ]) {
    if (!entries.some((e) => e.name === needed)) problems.push(`missing ${needed}`);
  }
  const stray = entries.filter(
    (e) =>
      e.name.endsWith('.map') ||
      (e.name.includes('node_modules/') && !e.name.startsWith('extension/dist/node_modules/webgpu/')),
  );
  if (stray.length > 0) problems.push(`unexpected files: ${stray.map((e) => e.name).join(', ')}`);
  if (!packagedManifest(file).includes(`TargetPlatform="${target}"`))
    problems.push(`manifest lacks TargetPlatform="${target}"`);
  const mb = (readFileSync(file).length / 1e6).toFixed(1);
  if (problems.length > 0) {
    failed = true;
    console.error(`package: ${target}: FAILED: ${problems.join('; ')}`);
  } else {
    console.log(
      `package: ${target}: ${file.slice(root.length + 1)} (${mb} MB, ${entries.length} files, ${dawn[0].name})`,
    );
  }
}
if (failed) process.exit(1);
