import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { modelLayers } from '../../../../src/engine/model/geometry.js';
import { HF_CATALOG } from '../../../../src/engine/model/hf-catalog.js';
import { modelFromHfConfig, modelFromHfObject } from '../../../../src/engine/model/hf-config.js';
import { modelParams } from '../../../../src/engine/model/params.js';
import { ModelSpec } from '../../../../src/engine/model/spec.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';

// Hugging Face config import under hostile input: a config.json with any field changed, removed or
// retyped is read into a ModelSpec the rest of the engine can use, or refused with an error naming the
// file (and the field where there is one); never a raw TypeError, RangeError or ZodError.

const WHERE = '/models/x/config.json';

function readOrLocated(text: string) {
  try {
    return modelFromHfConfig(text, WHERE);
  } catch (error) {
    assert.ok(isServeTuneError(error), `threw ${error instanceof Error ? error.stack : String(error)}`);
    assert.ok(error.where?.startsWith(WHERE), `where: ${error.where}`);
    assert.ok(error.message.startsWith(WHERE), `message: ${error.message}`);
    return undefined;
  }
}

/** What the engine does with a model first: its layers and its parameter count, finite and positive. */
function assertUsable(model: ReturnType<typeof modelFromHfConfig>): void {
  assert.ok(ModelSpec.safeParse(model).success);
  const layers = modelLayers(model);
  assert.equal(layers.length, model.numLayers);
  const params = modelParams(model);
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'number') assert.ok(Number.isFinite(value) && value >= 0, `${key} = ${value}`);
  }
}

// biome-ignore format: a dense list of hostile values reads better packed
const hostile = fc.oneof(
  fc.constantFrom(0, -1, 1, 2, 3, 0.5, 1e9, 2 ** 31, 2 ** 53, 1e300, -1e300, '', '4096', 'NaN', null, true, false, [], {}, [1, 2], { a: 1 }),
  fc.integer({ min: -10, max: 1_000_000 }),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 6 }),
  fc.jsonValue({ maxDepth: 2 }),
);

const entries = fc.constantFrom(...HF_CATALOG);

/** A path into a config: a top-level key or one inside a nested object (text_config, quantization_config…). */
function pathsOf(config: Record<string, unknown>): string[][] {
  const paths: string[][] = [];
  for (const [key, value] of Object.entries(config)) {
    paths.push([key]);
    if (value && typeof value === 'object' && !Array.isArray(value))
      for (const inner of Object.keys(value)) paths.push([key, inner]);
  }
  return paths;
}

function edited(config: Record<string, unknown>, path: string[], value: unknown, remove: boolean) {
  const copy = structuredClone(config) as Record<string, unknown>;
  let holder = copy;
  for (const key of path.slice(0, -1)) {
    const inner = holder[key];
    // An earlier change made the parent something else: this change has nowhere to go.
    if (!inner || typeof inner !== 'object' || Array.isArray(inner)) return copy;
    holder = inner as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (remove) delete holder[last];
  else holder[last] = value;
  return copy;
}

describe('Hugging Face config import (property)', () => {
  it('a catalog config with one field changed, removed or retyped: a usable model or a located error', () => {
    fc.assert(
      fc.property(
        entries.chain((entry) =>
          fc.tuple(fc.constant(entry), fc.constantFrom(...pathsOf(entry.config)), hostile, fc.boolean()),
        ),
        ([entry, path, value, remove]) => {
          const model = readOrLocated(JSON.stringify(edited(entry.config, path, value, remove)));
          if (model) assertUsable(model);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('two or three fields changed at once', () => {
    fc.assert(
      fc.property(
        entries.chain((entry) =>
          fc.tuple(
            fc.constant(entry),
            fc.array(fc.tuple(fc.constantFrom(...pathsOf(entry.config)), hostile), {
              minLength: 2,
              maxLength: 3,
            }),
          ),
        ),
        ([entry, changes]) => {
          let config = entry.config;
          for (const [path, value] of changes) config = edited(config, path, value, false);
          const model = readOrLocated(JSON.stringify(config));
          if (model) assertUsable(model);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any text, JSON or not: a located error or a model', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          const model = readOrLocated(text);
          if (model) assertUsable(model);
        },
      ),
    );
  });

  it('round trip: key order and whitespace do not change the model read', () => {
    fc.assert(
      fc.property(
        entries,
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 4 }),
        (entry, seed, indent) => {
          const keys = Object.keys(entry.config);
          const shuffled = Object.fromEntries(
            keys
              .map((k, i) => [k, i] as const)
              .sort((a, b) => ((a[1] * 7919 + seed) % 101) - ((b[1] * 7919 + seed) % 101))
              .map(([k]) => [k, entry.config[k]]),
          );
          const a = modelFromHfObject(entry.config, WHERE, { id: entry.id });
          const b = modelFromHfConfig(JSON.stringify(shuffled, null, indent), WHERE, entry.id);
          assert.deepEqual(b, a);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a layer count no model has is a located error, not a per-layer table that exhausts memory', () => {
    // Found by the first property above: num_hidden_layers = 1e9 built billion-entry layer tables.
    for (const layers of [1e9, 2 ** 31, 4097]) {
      const config = { ...HF_CATALOG[0]!.config, num_hidden_layers: layers };
      assert.throws(
        () => modelFromHfConfig(JSON.stringify(config), WHERE),
        (error: unknown) =>
          isServeTuneError(error) && /num_hidden_layers.*more layers than any model/.test(error.message),
      );
    }
  });
});
