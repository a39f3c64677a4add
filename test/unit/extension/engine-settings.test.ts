import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { engineLineText, engineWords } from '../../../src/engine/chart/engine-line.js';
import { MOE_BACKENDS } from '../../../src/engine/perf/moe-backend.js';
import { DashboardState } from '../../../src/engine/protocol/webview.js';
import { WORKER_METHODS } from '../../../src/engine/protocol/worker.js';
import { isServeTuneError } from '../../../src/engine/util/errors.js';
import {
  chartEngineOfSettings,
  moeBackendForBlock,
  nvfp4DispatchForBlock,
  plansEngineInput,
  readEngineSettings,
  searchEngineInput,
  servingEngineOfSettings,
} from '../../../src/extension/engine-settings.js';

const DEFAULTS = { engineFlavour: 'vllm' as const, engineVersion: '' };
const MARLIN = { ...DEFAULTS, engineVersion: '0.19', moeBackend: 'marlin' as const };
const SLO = { ttft: 2, tbt: 0.1 };

describe('the MoE backend setting reaches the worker', () => {
  it("reaches the memory report's plans, with the engine whose layout of the weights counts", () => {
    assert.deepEqual(plansEngineInput(DEFAULTS), { engine: 'vllm' });
    assert.deepEqual(plansEngineInput(MARLIN), { engine: 'vllm', moeBackend: 'marlin' });
    // A backend the engine has not: its default.
    assert.deepEqual(plansEngineInput({ ...MARLIN, engineFlavour: 'sglang' }), { engine: 'sglang' });
    const plans = WORKER_METHODS.plans.params.parse({
      model: 'gpt-oss-120b',
      hardware: 'h100-sxm',
      gpus: 1,
      ...plansEngineInput(MARLIN),
    });
    assert.equal(plans.engine, 'vllm');
    assert.equal(plans.moeBackend, 'marlin');
  });

  it("offers exactly the engine's backends, and the default", () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
    const setting = manifest.contributes.configuration.properties['servetune.moeBackend'];
    assert.deepEqual(setting.enum, ['', ...MOE_BACKENDS]);
    assert.equal(setting.enumDescriptions.length, setting.enum.length);
    assert.equal(setting.default, '');
  });

  it('search and capacity requests carry it, validated by the worker protocol', () => {
    assert.deepEqual(searchEngineInput(DEFAULTS), { engine: 'vllm' });
    const input = searchEngineInput(MARLIN);
    assert.deepEqual(input, { engine: 'vllm', engineVersion: '0.19', moeBackend: 'marlin' });
    const request = { model: 'gpt-oss-120b', hardware: 'b200', gpus: 1, workload: 'chat', slo: SLO };
    const search = WORKER_METHODS.search.params.parse({ ...request, ...input });
    assert.equal(search.moeBackend, 'marlin');
    const capacity = WORKER_METHODS.planCapacity.params.parse({
      ...request,
      hardware: ['b200'],
      minGpus: 1,
      maxGpus: 2,
      ...input,
    });
    assert.equal(capacity.moeBackend, 'marlin');
    // A backend the protocol does not know is refused at the boundary.
    const bogus = WORKER_METHODS.search.params.safeParse({ ...request, ...input, moeBackend: 'bogus' });
    assert.equal(bogus.success, false);
  });

  it("a simulation's engine carries it; a backend the engine lacks is refused naming whose it is", () => {
    assert.equal(servingEngineOfSettings(DEFAULTS)?.moeBackend, undefined);
    const engine = servingEngineOfSettings(MARLIN);
    assert.equal(engine?.moeBackend, 'marlin');
    assert.equal(engine?.version, '0.19');
    const params = WORKER_METHODS.simulate.params.parse({
      config: {
        model: 'gpt-oss-120b',
        hardware: 'b200',
        engine,
        deployment: {
          kind: 'colocated',
          pool: {
            plan: { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'mxfp4', kvDtype: 'bf16' },
            scheduler: { policy: 'vllm-v1' },
          },
        },
      },
      workload: 'chat',
    });
    assert.equal(params.config.engine?.moeBackend, 'marlin');
    assert.throws(
      () => servingEngineOfSettings({ ...MARLIN, engineFlavour: 'sglang' }),
      (error: unknown) => isServeTuneError(error) && /sglang has no such MoE backend/.test(error.message),
    );
  });

  it("a config file's block takes it only where its engine has that backend", () => {
    assert.deepEqual(moeBackendForBlock(MARLIN, 'vllm'), { moeBackend: 'marlin' });
    assert.deepEqual(moeBackendForBlock(MARLIN, 'trtllm'), {});
    assert.deepEqual(moeBackendForBlock(MARLIN, 'tgi'), {});
    assert.deepEqual(moeBackendForBlock(MARLIN, null), {});
    assert.deepEqual(moeBackendForBlock({}, 'vllm'), {});
    assert.deepEqual(moeBackendForBlock({ moeBackend: 'deepgemm' }, 'trtllm'), { moeBackend: 'deepgemm' });
    const tuneParams = WORKER_METHODS.tuneBlock.params.parse({
      path: '/c/serve.sh',
      block: 0,
      workload: 'chat',
      slo: SLO,
      ...moeBackendForBlock(MARLIN, 'vllm'),
    });
    assert.equal(tuneParams.moeBackend, 'marlin');
  });
});

describe("the dashboard names the settings' engine as the Pareto panel names a run's", () => {
  it('at the defaults, and with a version and a MoE backend', () => {
    const plain = chartEngineOfSettings(DEFAULTS);
    assert.deepEqual(plain, { name: 'vllm', behaviour: [] });
    assert.equal(engineWords(plain), 'vllm (defaults)');
    const marlin = chartEngineOfSettings(MARLIN);
    assert.deepEqual(marlin, { name: 'vllm@0.19', behaviour: ['MoE marlin'] });
    assert.equal(engineLineText(marlin), 'Engine: vllm@0.19 · MoE marlin');
    // TGI has no measured tables: its runs are roofline, with nothing to name.
    assert.deepEqual(chartEngineOfSettings({ ...DEFAULTS, engineFlavour: 'tgi' }), {
      name: 'tgi',
      behaviour: [],
    });
  });

  it('says a backend the engine lacks is refused, rather than failing the dashboard', () => {
    const refused = chartEngineOfSettings({ ...MARLIN, engineFlavour: 'sglang' });
    assert.equal(refused.name, 'sglang@0.19');
    assert.match(refused.behaviour[0]!, /^MoE marlin: refused \(sglang has none\)$/);
  });

  it("travels in the dashboard's validated state, for the defaults and each run", () => {
    const state = {
      device: { kind: 'unknown' },
      engine: { status: 'ready', detail: '' },
      defaults: {
        model: null,
        hardware: 'h100-sxm',
        gpus: 8,
        engineFlavour: 'vllm',
        engine: chartEngineOfSettings(MARLIN),
      },
      workload: null,
      slo: { percentile: 'p90', ttftSeconds: 2, tbtSeconds: 0.05 },
      runs: [
        {
          id: 'search-1',
          kind: 'search',
          title: 'Search',
          at: '2026-01-01T00:00:00Z',
          best: null,
          hasChart: true,
          engine: { name: 'sglang', behaviour: ['NCCL all-reduce'] },
        },
      ],
      actions: [],
    };
    const parsed = DashboardState.parse(state);
    assert.deepEqual(parsed.defaults.engine, { name: 'vllm@0.19', behaviour: ['MoE marlin'] });
    assert.equal(parsed.runs[0]!.engine?.behaviour[0], 'NCCL all-reduce');
    const malformed = { ...state, defaults: { ...state.defaults, engine: { name: '', behaviour: [] } } };
    assert.equal(DashboardState.safeParse(malformed).success, false);
  });
});

/** A `servetune` configuration's `get` over `values` (what VS Code returns for unset keys: undefined). */
const configOf = (values: Record<string, unknown>) => (key: string) => values[key];

describe('the engine settings are read as package.json contributes them', () => {
  it('unset: the defaults; malformed values read as the default, not as an error', () => {
    assert.deepEqual(readEngineSettings(configOf({})), {
      engineFlavour: 'vllm',
      engineVersion: '',
      moeBackend: undefined,
      nvfp4Dispatch: false,
    });
    const bad = readEngineSettings(
      configOf({ engineFlavour: 'nope', moeBackend: 'bogus', nvfp4Dispatch: 'yes', engineVersion: 3 }),
    );
    assert.deepEqual(bad, {
      engineFlavour: 'vllm',
      engineVersion: '',
      moeBackend: undefined,
      nvfp4Dispatch: false,
    });
  });

  it('reads each one as set', () => {
    const read = readEngineSettings(
      configOf({
        engineFlavour: 'sglang',
        engineVersion: ' 0.5 ',
        moeBackend: 'triton',
        nvfp4Dispatch: true,
      }),
    );
    assert.deepEqual(read, {
      engineFlavour: 'sglang',
      engineVersion: '0.5',
      moeBackend: 'triton',
      nvfp4Dispatch: true,
    });
    // '' is the manifest's "engine's default" for the backend.
    assert.equal(readEngineSettings(configOf({ moeBackend: '' })).moeBackend, undefined);
  });
});

const SGLANG_NVFP4 = { engineFlavour: 'sglang' as const, engineVersion: '', nvfp4Dispatch: true };

describe('the nvfp4 dispatch setting reaches the worker', () => {
  it('is a boolean setting, off by default, saying what it does and where it applies', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
    const setting = manifest.contributes.configuration.properties['servetune.nvfp4Dispatch'];
    assert.equal(setting.type, 'boolean');
    assert.equal(setting.default, false);
    for (const word of [/SGLANG_MOE_NVFP4_DISPATCH=1/, /--nvfp4-dispatch/, /DeepEP/, /Blackwell/, /NVFP4/]) {
      assert.match(setting.description, word);
    }
  });

  it('search and capacity requests carry it only when on, validated by the worker protocol', () => {
    assert.equal('nvfp4Dispatch' in searchEngineInput({ ...SGLANG_NVFP4, nvfp4Dispatch: false }), false);
    const input = searchEngineInput(SGLANG_NVFP4);
    assert.deepEqual(input, { engine: 'sglang', nvfp4Dispatch: true });
    const request = { model: 'deepseek-r1', hardware: 'b200', gpus: 8, workload: 'chat', slo: SLO };
    assert.equal(WORKER_METHODS.search.params.parse({ ...request, ...input }).nvfp4Dispatch, true);
    const capacity = WORKER_METHODS.planCapacity.params.parse({
      ...request,
      hardware: ['b200'],
      minGpus: 8,
      maxGpus: 8,
      ...input,
    });
    assert.equal(capacity.nvfp4Dispatch, true);
    const bogus = WORKER_METHODS.search.params.safeParse({ ...request, ...input, nvfp4Dispatch: 'yes' });
    assert.equal(bogus.success, false);
  });

  it("a simulation's SGLang engine carries it; another engine refuses it", () => {
    const engine = servingEngineOfSettings(SGLANG_NVFP4);
    assert.equal(engine?.nvfp4Dispatch, true);
    assert.equal(
      servingEngineOfSettings({ ...SGLANG_NVFP4, nvfp4Dispatch: false })?.nvfp4Dispatch,
      undefined,
    );
    assert.throws(
      () => servingEngineOfSettings({ ...SGLANG_NVFP4, engineFlavour: 'vllm' }),
      (error: unknown) => isServeTuneError(error) && error.where === '--nvfp4-dispatch',
    );
  });

  it("a config file's block takes it only where the block serves with SGLang; tune and predict carry it", () => {
    assert.deepEqual(nvfp4DispatchForBlock(SGLANG_NVFP4, 'sglang'), { nvfp4Dispatch: true });
    assert.deepEqual(nvfp4DispatchForBlock(SGLANG_NVFP4, 'vllm'), {});
    assert.deepEqual(nvfp4DispatchForBlock(SGLANG_NVFP4, 'trtllm'), {});
    assert.deepEqual(nvfp4DispatchForBlock(SGLANG_NVFP4, 'tgi'), {});
    assert.deepEqual(nvfp4DispatchForBlock(SGLANG_NVFP4, null), {});
    assert.deepEqual(nvfp4DispatchForBlock({ nvfp4Dispatch: false }, 'sglang'), {});
    const block = {
      path: '/c/serve.sh',
      block: 0,
      workload: 'chat',
      slo: SLO,
      ...nvfp4DispatchForBlock(SGLANG_NVFP4, 'sglang'),
    };
    assert.equal(WORKER_METHODS.tuneBlock.params.parse(block).nvfp4Dispatch, true);
    assert.equal(WORKER_METHODS.predictBlock.params.parse(block).nvfp4Dispatch, true);
  });

  it('the dashboard names it, or its refusal by an engine without it', () => {
    assert.deepEqual(chartEngineOfSettings(SGLANG_NVFP4), { name: 'sglang', behaviour: ['nvfp4 dispatch'] });
    assert.equal(engineLineText(chartEngineOfSettings(SGLANG_NVFP4)), 'Engine: sglang · nvfp4 dispatch');
    // vLLM refuses the dispatch but still runs the MoE backend it has.
    assert.deepEqual(chartEngineOfSettings({ ...MARLIN, nvfp4Dispatch: true }), {
      name: 'vllm@0.19',
      behaviour: ['MoE marlin', 'nvfp4 dispatch: refused (vllm has none)'],
    });
    assert.deepEqual(chartEngineOfSettings({ ...SGLANG_NVFP4, moeBackend: 'marlin' }), {
      name: 'sglang',
      behaviour: ['nvfp4 dispatch', 'MoE marlin: refused (sglang has none)'],
    });
  });
});
