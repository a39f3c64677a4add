import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ENGINE_BACKENDS } from '../../../src/engine/opdb/systems.js';
import {
  engineHasMoeBackend,
  MOE_BACKEND_FACTS,
  MOE_BACKENDS,
} from '../../../src/engine/perf/moe-backend.js';
import { moeBackendChoices } from '../../../src/extension/moe-backend-choices.js';

describe('"Choose MoE Backend" offers the backends each engine defines', () => {
  it("lists the engine's default, then exactly the backends the engine has, with how its launch selects each", () => {
    for (const engine of ENGINE_BACKENDS) {
      const choices = moeBackendChoices(engine, undefined);
      assert.equal(choices[0]!.value, '');
      assert.equal(choices[0]!.current, true);
      const listed = choices.slice(1).map((c) => c.value);
      assert.deepEqual(
        listed,
        MOE_BACKENDS.filter((b) => engineHasMoeBackend(engine, b)),
        engine,
      );
      for (const choice of choices.slice(1)) {
        if (choice.value === '') assert.fail('one default');
        assert.equal(choice.description, MOE_BACKEND_FACTS[choice.value].engines[engine]);
        assert.equal(choice.detail, MOE_BACKEND_FACTS[choice.value].summary);
        assert.equal(choice.current, false);
      }
    }
    // Spelled out for one engine, so that a facts table that lost vLLM's entries fails here too.
    const vllm = moeBackendChoices('vllm', 'marlin');
    assert.deepEqual(
      vllm.map((c) => c.value),
      ['', 'trtllm-gen', 'trtllm-gen-mxfp8', 'marlin', 'triton'],
    );
    assert.deepEqual(
      vllm.filter((c) => c.current).map((c) => c.value),
      ['marlin'],
    );
    assert.equal(vllm.find((c) => c.value === 'marlin')?.description, 'VLLM_MXFP4_USE_MARLIN=1');
  });

  it('an engine without measured MoE tables (TGI) has none to offer', () => {
    assert.deepEqual(moeBackendChoices('tgi', undefined), []);
  });

  it('is a contributed command', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
    const command = manifest.contributes.commands.find(
      (c: { command: string }) => c.command === 'servetune.chooseMoeBackend',
    );
    assert.deepEqual(command, {
      command: 'servetune.chooseMoeBackend',
      title: 'Choose MoE Backend…',
      category: 'ServeTune',
    });
  });
});
