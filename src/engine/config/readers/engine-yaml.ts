import { isMap, isScalar, type Node, type YAMLMap } from 'yaml';
import { BlockBuilder } from '../block.js';
import { ENGINES, ENGINES_WITH_CONFIG_FILE, type EngineId } from '../engines/index.js';
import { strictKeySpelling } from '../knobs/flag-spelling.js';
import { findYamlKey, normalizeName } from '../knobs/index.js';
import type { SourceFile } from '../source.js';
import { mapInsertion, mapPairs, nodeRange, valueToken } from './yaml-util.js';

/**
 * An engine's own YAML config (vLLM `--config`, SGLang `--config`, TensorRT-LLM `--extra_llm_api_options`):
 * each key is a knob. Keys the table does not know are listed, not errors: engines grow flags faster
 * than any table.
 */
export function readEngineYamlMap(
  builder: BlockBuilder,
  engine: EngineId,
  root: YAMLMap,
  source: SourceFile,
): void {
  const naming = ENGINES[engine].configFile?.keys === 'flag-names' ? 'flag' : 'path';
  const rootInsertion = mapInsertion(root, source, { path: [], naming });
  if (rootInsertion) builder.insertions.push(rootInsertion);
  walk(builder, engine, root, [], source);
}

function walk(
  builder: BlockBuilder,
  engine: EngineId,
  map: YAMLMap,
  prefix: string[],
  source: SourceFile,
): void {
  for (const { key, value } of mapPairs(map)) {
    const name = String(key.value);
    const path = [...prefix, name];
    const match = findYamlKey(engine, path);
    const keyRange = nodeRange(key, source);
    if (!match) {
      if (isMap(value) && ENGINES[engine].configFile?.keys !== 'flag-names') {
        const nested = mapInsertion(value, source, { path, naming: 'path' });
        if (nested) builder.insertions.push(nested);
        walk(builder, engine, value, path, source);
      } else {
        builder.unknownFlags.push({ flag: path.join('.'), range: keyRange });
      }
      continue;
    }
    const strict = strictKeySpelling(engine, path, match);
    if (strict) {
      // The engine refuses the key as written: the setting it names is not set.
      builder.problem(
        'warning',
        `unknown ${ENGINES[engine].displayName} key ${path.join('.')}: did you mean ${strict}? (${keyRule(engine)})`,
        keyRange,
        'unknown-flag',
      );
      continue;
    }
    const { knob } = match;
    // A config file naming another config file: not followed.
    if (knob.id === ENGINES[engine].configFile?.knob) continue;
    const token = valueToken(value, source);
    let raw: string | boolean;
    if (isScalar(value)) {
      raw = typeof value.value === 'boolean' ? value.value : (token?.text ?? '');
    } else if (value && typeof value === 'object' && 'toJSON' in value) {
      // A structured value (vLLM's kv-transfer-config written as a map): read it as the JSON the flag takes.
      raw = JSON.stringify((value as Node).toJSON());
    } else {
      raw = '';
    }
    const unresolved = typeof raw === 'string' && /\$\{?[A-Za-z_]/.test(raw);
    const read = unresolved ? {} : knob.read(raw);
    builder.add({
      knob: knob.id,
      spelling: name,
      origin: 'yaml',
      raw,
      settings: typeof read === 'string' ? {} : read,
      keyRange,
      valueRange: token?.range ?? (isScalar(value) || !value ? null : nodeRange(value as Node, source)),
      ...(typeof read === 'string' ? { error: `${name}: ${read}` } : {}),
      edit: token?.range ? { target: token.range, encoding: token.encoding, form: 'value' } : null,
      ...(unresolved ? { unresolved: String(raw) } : {}),
    });
  }
}

/** How the engine matches its config file's keys, for the message that names another spelling. */
function keyRule(engine: EngineId): string {
  const { configFile, launchers } = ENGINES[engine];
  if (configFile?.keys !== 'flag-names') return 'keys are matched as written: case and underscores (_) count';
  const words = launchers[0].flagWords;
  return words === 'either'
    ? 'each key is read as the flag --key: case counts'
    : `each key is read as the flag --key: case and ${words === '-' ? 'hyphens (-)' : 'underscores (_)'} between words count`;
}

/**
 * A model's own config.json (or generation_config.json): Transformers writes `model_type` and
 * `transformers_version` into every one, `architectures` where known (huggingface/transformers
 * src/transformers/configuration_utils.py, PreTrainedConfig, at 008e574391258935f3ecc3035c882e73bbcac419).
 * Its `dtype` (written for `torch_dtype` since then) or a `max_seq_len` are the model's, not a server's.
 */
function isModelConfig(pairs: { key: { value: unknown } }[]): boolean {
  return pairs.some(({ key }) =>
    ['model_type', 'transformers_version', 'architectures'].includes(String(key.value)),
  );
}

/** Which engine's config a bare YAML map looks like: the engine whose knobs name the most keys. */
export function guessEngineOfYaml(root: unknown): EngineId | undefined {
  const pairs = mapPairs(root);
  if (pairs.length === 0 || isModelConfig(pairs)) return undefined;
  let best: { engine: EngineId; score: number } | undefined;
  for (const engine of ENGINES_WITH_CONFIG_FILE) {
    const nestedSnakeCase = ENGINES[engine].configFile?.keys === 'snake-case-paths';
    let score = 0;
    for (const { key, value } of pairs) {
      const name = String(key.value);
      const match = findYamlKey(engine, [name]);
      if (match && match.knob.settings.length > 0 && match.knob.id !== 'model') score += 2;
      else if (match) score += 1;
      else if (
        isMap(value) &&
        nestedSnakeCase &&
        mapPairs(value).some((p) => findYamlKey(engine, [name, String(p.key.value)]))
      ) {
        score += 2;
      }
      // Spelling tells engines apart where names coincide: snake_case keys (TensorRT-LLM) have no dashes.
      if (nestedSnakeCase && name.includes('-')) score -= 1;
    }
    if (score > 0 && (!best || score > best.score)) best = { engine, score };
  }
  return best && best.score >= 2 ? best.engine : undefined;
}

export function readEngineYamlFile(source: SourceFile, engine: EngineId, root: YAMLMap): BlockBuilder {
  const builder = new BlockBuilder(
    source.path,
    'engine-yaml',
    `${engine} config`,
    root.range ? source.range(root.range[0], root.range[1]) : source.range(0, source.text.length),
  );
  builder.engine = engine;
  readEngineYamlMap(builder, engine, root, source);
  return builder;
}

export { normalizeName };
