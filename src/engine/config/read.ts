import { dirname, join } from 'node:path';
import { isMap, type YAMLMap } from 'yaml';
import {
  type BlockBuilder,
  type BlockProblem,
  type ConfigFileReport,
  type ConfigFormat,
  ConfigFileReport as ReportSchema,
  type SharedText,
} from './block.js';
import { ENGINE_IDS, ENGINES, engineYamlFormat, LAUNCHER_PROGRAMS } from './engines/index.js';
import { isComposeFile, parseDotEnv, readCompose } from './readers/compose.js';
import { guessEngineOfYaml, readEngineYamlFile, readEngineYamlMap } from './readers/engine-yaml.js';
import { isProductionStackValues, readProductionStack } from './readers/helm.js';
import { isOpeaChartValues, isVllmChartValues, readOpeaChart, readVllmChart } from './readers/helm-charts.js';
import { checkJsonManifest } from './readers/json-syntax.js';
import { isKubernetesDocument, readKubernetes } from './readers/kubernetes.js';
import { isLlmdValues, readLlmdValues } from './readers/llm-d.js';
import { isRayServeLlmConfig, readRayServeLlm } from './readers/ray-serve.js';
import { readShellScript } from './readers/shell.js';
import {
  describeRouterConfig,
  isTrtllmRouterConfig,
  rolesFromRouterConfig,
} from './readers/trtllm-router.js';
import { keepLastOfRepeatedKeys, parseYaml } from './readers/yaml-util.js';
import { sharedTexts } from './shared.js';
import { SourceFile } from './source.js';

export interface ReadOptions {
  /**
   * Reads a file the config refers to (a `--config` YAML, a compose `.env`), by absolute or relative path;
   * undefined when it does not exist. Without it, references are reported but not followed.
   */
  readFile?: (path: string) => string | undefined;
}

const YAML_EXTENSIONS = /\.(ya?ml)$/i;
const JSON_EXTENSIONS = /\.json$/i;
const SHELL_EXTENSIONS = /\.(sh|bash|zsh|command)$/i;

/**
 * Reads one config file: every serving block in it with its settings and their exact ranges. Never
 * throws on bad input: what cannot be read becomes a located problem, and the rest still counts.
 */
export function readConfig(path: string, text: string, options: ReadOptions = {}): ConfigFileReport {
  const source = new SourceFile(path, text);
  try {
    return ReportSchema.parse(readSource(source, options));
  } catch (error) {
    // A reader bug must not take the editor down with it: report it on the file.
    return {
      file: path,
      format: 'unknown',
      blocks: [],
      problems: [
        {
          severity: 'error',
          message: `ServeTune could not read this file: ${error instanceof Error ? error.message : String(error)}`,
          range: source.range(0, 0),
        },
      ],
    };
  }
}

function readSource(written: SourceFile, options: ReadOptions): ConfigFileReport {
  const isJson = looksLikeJson(written);
  if (!isJson && !YAML_EXTENSIONS.test(written.path)) {
    if (SHELL_EXTENSIONS.test(written.path) || !looksLikeYaml(written.text)) {
      const read = readShellScript(written);
      for (const block of read.blocks) followConfigFile(block, written, options);
      for (const file of read.routerConfigs) {
        const text = options.readFile?.(file.startsWith('/') ? file : join(dirname(written.path), file));
        if (text !== undefined) rolesFromRouterConfig(read.blocks, text, file);
      }
      return finish(written, 'shell', read.blocks, read.problems);
    }
  }
  // Text that opens with `{` is what kubectl reads as JSON (json-syntax.ts): held to JSON's rules, its
  // comments blanked (same offsets) so that a commented manifest still reads.
  const json = isJson && /^\uFEFF?\s*\{/.test(written.text) ? checkJsonManifest(written) : undefined;
  const source = json?.readable ?? written;
  const { documents, problems, shared } = parseYaml(source);
  if (json) keepLastOfRepeatedKeys(documents);
  if (documents.some(isKubernetesDocument)) {
    const read = readKubernetes(documents, source);
    for (const block of read.blocks) followConfigFile(block, source, options);
    // JSON's own syntax error says what kubectl will; YAML's errors on the same text only echo it.
    const syntax = json?.problems.some((p) => p.severity === 'error')
      ? json.problems
      : [...problems, ...(json?.problems ?? [])];
    return finish(source, 'kubernetes', read.blocks, [...syntax, ...read.problems], shared);
  }
  const root = documents[0]?.contents;
  if (isProductionStackValues(root)) {
    const read = readProductionStack(root as YAMLMap, source);
    return finish(source, 'helm-production-stack', read.blocks, [...problems, ...read.problems], shared);
  }
  if (isRayServeLlmConfig(root)) {
    return finish(source, 'ray-serve-llm', readRayServeLlm(root as YAMLMap, source), problems, shared);
  }
  if (isVllmChartValues(root))
    return finish(source, 'helm-vllm', readVllmChart(root as YAMLMap, source), problems, shared);
  if (isOpeaChartValues(root))
    return finish(source, 'helm-opea', readOpeaChart(root as YAMLMap, source), problems, shared);
  if (isLlmdValues(root)) {
    const blocks = readLlmdValues(root as YAMLMap, source);
    return finish(source, 'helm-llm-d', blocks, problems, shared);
  }
  if (isComposeFile(root)) {
    const envText = options.readFile?.(join(dirname(source.path), '.env'));
    const variables =
      envText !== undefined
        ? parseDotEnv(new SourceFile(join(dirname(source.path), '.env'), envText))
        : new Map();
    const read = readCompose(root as YAMLMap, source, variables);
    for (const block of read.blocks) followConfigFile(block, source, options);
    return finish(source, 'compose', read.blocks, [...problems, ...read.problems], shared);
  }
  if (isTrtllmRouterConfig(root)) {
    const router = describeRouterConfig(root as YAMLMap, source);
    return finish(source, 'trtllm-disagg-router', [], [...problems, router], shared);
  }
  const engine = guessEngineOfYaml(root);
  if (engine && isMap(root)) {
    const blocks = [readEngineYamlFile(source, engine, root)];
    return finish(source, engineYamlFormat(engine), blocks, problems, shared);
  }
  return finish(source, 'unknown', [], problems);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A line that starts a command: an engine's program, Python (module launchers) or `docker`. */
const COMMAND_LINE = new RegExp(
  `^\\s*(${[...LAUNCHER_PROGRAMS.map(escapeRegExp), 'python3?', 'docker'].join('|')})\\s`,
  'm',
);

/**
 * JSON is YAML 1.2, so a manifest written as JSON (`kubectl get -o json`, a generated Deployment) goes
 * through the YAML readers, ranges and all. Without the extension, an object (or an array of objects)
 * that opens with a quoted key is JSON: no shell script starts that way.
 */
function looksLikeJson(source: SourceFile): boolean {
  return JSON_EXTENSIONS.test(source.path) || /^\s*(\[\s*)?\{\s*"/.test(source.text);
}

/**
 * Whether JSON text names a Kubernetes object (`"apiVersion"` and `"kind"` keys): of the JSON files in
 * a workspace (package.json, tsconfig.json, …), the ones worth reading as serving configs.
 */
export function mayBeKubernetesJson(text: string): boolean {
  return /"apiVersion"\s*:/.test(text) && /"kind"\s*:/.test(text);
}

function looksLikeYaml(text: string): boolean {
  return /^\s*[A-Za-z_][\w.-]*\s*:(\s|$)/m.test(text) && !COMMAND_LINE.test(text);
}

/** A `--config` / `--extra_llm_api_options` YAML named on the command line: its keys count, below the flags. */
function followConfigFile(block: BlockBuilder, source: SourceFile, options: ReadOptions): void {
  const reference = block.configFile;
  if (!reference || !block.engine) return;
  const path = reference.text.startsWith('/') ? reference.text : join(dirname(source.path), reference.text);
  // A file the script itself writes (`cat > config.yaml <<EOF`) is read from the script, edits included.
  const heredoc = block.written.findLast((file) => file.path === reference.text);
  const text = heredoc ? heredoc.source.text : options.readFile?.(path);
  if (text === undefined) {
    block.problem(
      'info',
      `config file ${reference.text} not found; its settings are not checked`,
      reference.range,
    );
    return;
  }
  const configSource = heredoc?.source ?? new SourceFile(path, text);
  const { documents, problems, shared } = parseYaml(configSource);
  for (const problem of problems) block.problems.push(problem);
  block.shared.push(...shared);
  const root = documents[0]?.contents;
  if (!isMap(root)) return;
  const flags = block.occurrences.splice(0);
  const insertions = block.insertions.splice(0);
  readEngineYamlMap(block, block.engine, root, configSource);
  // New settings go on the command line, next to the others; only what has no flag goes in the YAML.
  block.insertions.unshift(...insertions);
  for (const occurrence of flags) block.add(occurrence);
}

function finish(
  source: SourceFile,
  format: ConfigFormat,
  blocks: BlockBuilder[],
  problems: BlockProblem[],
  sharedInYaml: SharedText[] = [],
): ConfigFileReport {
  const built = blocks.map((block) => block.build());
  const shared = sharedTexts(built, source, sharedInYaml);
  for (const block of built) {
    const all = [...(block.shared ?? []), ...shared];
    if (all.length > 0) block.shared = all;
  }
  const fileProblems = [...problems];
  if (built.length === 0 && format !== 'unknown' && format !== 'trtllm-disagg-router') {
    fileProblems.push({
      severity: 'info',
      message: 'no serving command found in this file',
      range: source.range(0, 0),
    });
  }
  if (format === 'unknown' && problems.length === 0) {
    fileProblems.push({
      severity: 'info',
      message: `not recognised as a serving config (${ENGINE_IDS.map((id) => ENGINES[id].displayName).join(', ')}; Kubernetes, Helm, compose, shell)`,
      range: source.range(0, 0),
    });
  }
  return { file: source.path, format, blocks: built, problems: fileProblems };
}
