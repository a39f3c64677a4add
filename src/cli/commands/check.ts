import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  blockSettings,
  type ConfigFileReport,
  type Diagnostic,
  diagnoseFile,
  formatLocation,
  parseWorkspaceConfig,
  readConfig,
  SETTING_LABELS,
  type ServingBlock,
  type SettingKey,
  WORKSPACE_CONFIG_FILE,
} from '../../engine/config/index.js';
import { getHardware } from '../../engine/hardware/catalog.js';
import { isServeTuneError } from '../../engine/util/errors.js';
import { MAX_CONFIG_FILE_BYTES, readConfigIfFile, readInputText } from '../../engine/util/files.js';
import { printJson, terminalSafe } from '../format.js';

const readIfFile = readConfigIfFile;

/** The nearest servetune.json at or above the file's folder. */
function workspaceHardware(file: string): string | undefined {
  let dir = dirname(resolve(file));
  for (;;) {
    const text = readIfFile(join(dir, WORKSPACE_CONFIG_FILE));
    if (text !== undefined) return parseWorkspaceConfig(text, join(dir, WORKSPACE_CONFIG_FILE)).hardware;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The GPU a run assumes where a file names none, and what gave it. */
interface AssumedHardware {
  id: string;
  from: string;
}

const row = (label: string, value: string, where: string) =>
  `    ${label.padEnd(28)} ${value.padEnd(36)} ${where}`;

/**
 * The GPU and engine version each block is checked and timed for: the file's own (a node selector, the
 * image tag) else the one assumed, so a reader sees which GPU the memory checks used, as the editor's
 * lenses name it.
 */
function contextRows(block: ServingBlock, assumed: AssumedHardware | undefined): string[] {
  const rows: string[] = [];
  if (block.hardware)
    rows.push(
      row(
        'hardware',
        block.hardware.id ?? `${block.hardware.text} (not in the catalog)`,
        `${block.hardware.text} @ ${formatLocation(block.hardware.range)}`,
      ),
    );
  else if (assumed) rows.push(row('hardware', assumed.id, `not in the file: ${assumed.from}`));
  if (block.engineVersion) {
    const where = block.engineVersion.range ? formatLocation(block.engineVersion.range) : 'not in the file';
    rows.push(row('engine version', block.engineVersion.text, `${block.engineVersion.image} @ ${where}`));
  }
  return rows;
}

/**
 * The file's text, or undefined after saying on stderr why it cannot be read: one missing file of a CI
 * glob must not hide the checks of the others (the run still exits 1).
 */
function readOrSay(file: string): string | undefined {
  try {
    return readInputText(file, MAX_CONFIG_FILE_BYTES);
  } catch (error) {
    if (!isServeTuneError(error)) throw error;
    console.error(`servetune: error: ${terminalSafe(error.message)}`);
    return undefined;
  }
}

function printReport(report: ConfigFileReport, diagnostics: Diagnostic[], assumed?: AssumedHardware): void {
  console.log(
    `${report.file}: ${report.format}, ${report.blocks.length} serving block${report.blocks.length === 1 ? '' : 's'}`,
  );
  for (const block of report.blocks) {
    console.log(`\n  ${block.label} (${block.engine ?? 'engine unknown'}) at ${formatLocation(block.range)}`);
    for (const line of contextRows(block, assumed)) console.log(line);
    const settings = blockSettings(block);
    for (const key of Object.keys(settings) as SettingKey[]) {
      const setting = block.settings[key]!;
      const where = setting.range ? formatLocation(setting.range) : 'not in the file';
      console.log(row(SETTING_LABELS[key], String(setting.value), `${setting.spelling} @ ${where}`));
    }
  }
  if (diagnostics.length > 0) console.log('');
  for (const d of diagnostics) {
    console.log(`  ${formatLocation(d.range)}: ${d.severity}: ${d.message} [${d.code}]`);
    for (const r of d.related) console.log(`      ${formatLocation(r.range)}: ${r.message}`);
    if (d.fix)
      console.log(
        `      fix: ${d.fix.title}${d.fix.problems.length > 0 ? ` (cannot apply here: ${d.fix.problems.join('; ')})` : ''}`,
      );
  }
}

export function registerCheckCommands(program: Command): void {
  program
    .command('check')
    .description(
      'find the serving configurations in files, their settings with source ranges, and what is wrong',
    )
    .argument(
      '<files...>',
      'shell scripts, vLLM/SGLang/TensorRT-LLM YAML, Kubernetes manifests (YAML or JSON), Helm values, compose files',
    )
    .option(
      '--hardware <id>',
      'GPU to assume where a file does not name one (default: servetune.json "hardware")',
    )
    .option('--json', 'print JSON: [{ report: ConfigFileReport, diagnostics: Diagnostic[] }]')
    .action((files: string[], flags: { hardware?: string; json?: boolean }) => {
      if (flags.hardware) getHardware(flags.hardware);
      const results: { report: ConfigFileReport; diagnostics: Diagnostic[] }[] = [];
      const assumed: (AssumedHardware | undefined)[] = [];
      let unreadable = false;
      for (const file of files) {
        const text = readOrSay(file);
        if (text === undefined) {
          unreadable = true;
          continue;
        }
        const report = readConfig(file, text, { readFile: readIfFile });
        const fromWorkspace = flags.hardware ? undefined : workspaceHardware(file);
        const hardware = flags.hardware ?? fromWorkspace;
        results.push({ report, diagnostics: diagnoseFile(report, hardware ? { hardware } : {}) });
        assumed.push(
          hardware
            ? { id: hardware, from: flags.hardware ? '--hardware' : `${WORKSPACE_CONFIG_FILE} "hardware"` }
            : undefined,
        );
      }
      if (flags.json) printJson(results);
      else
        results.forEach(({ report, diagnostics }, i) => {
          if (i > 0) console.log('');
          printReport(report, diagnostics, assumed[i]);
        });
      if (unreadable || results.some((r) => r.diagnostics.some((d) => d.severity === 'error')))
        process.exitCode = 1;
    });
}
