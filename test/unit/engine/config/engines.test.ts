import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { engineOfImage, findEngineCommand } from '../../../../src/engine/config/args.js';
import {
  ConfigFormat,
  DEFAULT_ENGINE,
  ENGINE_IDS,
  ENGINES,
  engineYamlFormat,
  knobById,
  launchWords,
} from '../../../../src/engine/config/index.js';
import { PolicyName } from '../../../../src/engine/sched/config.js';

const ConfigurationProperty = z.object({
  enum: z.array(z.string()).optional(),
  enumDescriptions: z.array(z.string()).optional(),
  default: z.unknown().optional(),
});
const Manifest = z.object({
  contributes: z.object({
    configuration: z.object({ properties: z.record(z.string(), ConfigurationProperty) }),
  }),
});

/** The settings in package.json whose choices are serving engines: any enum naming one engine id. */
function engineSettings(): [string, z.infer<typeof ConfigurationProperty>][] {
  const manifest = Manifest.parse(JSON.parse(readFileSync('package.json', 'utf8')));
  return Object.entries(manifest.contributes.configuration.properties).filter(([, property]) =>
    property.enum?.some((value) => (ENGINE_IDS as readonly string[]).includes(value)),
  );
}

describe('package.json follows the engine registry', () => {
  const settings = engineSettings();

  test('servetune.engineFlavour is an engine setting', () => {
    assert.ok(settings.some(([name]) => name === 'servetune.engineFlavour'));
  });

  test('every engine enum lists exactly the registry ids, in order, with their names and the default', () => {
    for (const [name, property] of settings) {
      assert.deepEqual(property.enum, ENGINE_IDS, `${name}: enum`);
      assert.deepEqual(
        property.enumDescriptions,
        ENGINE_IDS.map((id) => ENGINES[id].displayName),
        `${name}: enumDescriptions`,
      );
      assert.equal(property.default, DEFAULT_ENGINE, `${name}: default`);
    }
  });
});

describe('engine descriptions', () => {
  test('each engine is recognised from the command the emitter writes for it', () => {
    for (const id of ENGINE_IDS) {
      const words = launchWords(id);
      const found = findEngineCommand([...words, 'MODEL']);
      assert.equal(found?.engine, id, words.join(' '));
      assert.equal(found.argsStart, words.length, words.join(' '));
      assert.equal(found.positionalModel, ENGINES[id].launchers[0].positionalModel);
    }
  });

  test('every launcher and image pattern leads to its own engine', () => {
    for (const id of ENGINE_IDS) {
      for (const launcher of ENGINES[id].launchers) {
        const words =
          'pythonModule' in launcher
            ? ['python', '-m', launcher.pythonModule]
            : [
                `/usr/local/bin/${launcher.program}`,
                ...(launcher.subcommand ? [launcher.subcommand.word] : []),
              ];
        assert.equal(findEngineCommand(words)?.engine, id, words.join(' '));
      }
      for (const part of ENGINES[id].image.nameContains) {
        assert.equal(part, part.toLowerCase(), `${id}: image patterns are lower case`);
        assert.equal(engineOfImage(`registry.example/${part}:latest`), id, part);
      }
    }
  });

  test('an engine with a config file has a flag that names it and a format for it', () => {
    for (const id of ENGINE_IDS) {
      const configFile = ENGINES[id].configFile;
      if (!configFile) continue;
      assert.ok(knobById(id, configFile.knob)?.flag, `${id}: the knob '${configFile.knob}' has a flag`);
      assert.ok(ConfigFormat.options.includes(engineYamlFormat(id)), id);
    }
  });

  test('the scheduler mapping gives policies the simulator has', () => {
    for (const id of ENGINE_IDS) {
      const { scheduler } = ENGINES[id];
      if (scheduler.ownPolicy) assert.ok(PolicyName.options.includes(scheduler.ownPolicy));
      for (const chunkedPrefill of [true, false]) {
        const choice = scheduler.policyFor({ chunkedPrefill, maxNumBatchedTokens: 4096 }, 8192);
        assert.ok(PolicyName.options.includes(choice.policy), `${id}: ${choice.policy}`);
        assert.equal(choice.maxNumBatchedTokens, 4096);
      }
    }
  });
});
