import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { AllToAllBackend, Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { groupLink } from '../../../../src/engine/perf/comm.js';
import {
  DEEPEP_LOW_LATENCY,
  DEEPEP_SM100_NVLINK_NORMAL,
  DEEPEP_V2_OVER_V1_PEAK,
  deepEpDispatchBytesPerValue,
  deepEpKernelsFor,
  deepEpSeconds,
  FP8_DISPATCH_BYTES_PER_VALUE,
  NVFP4_DISPATCH_BYTES_PER_VALUE,
} from '../../../../src/engine/perf/deepep.js';
import { addPrefillChunk, addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';

const h800 = getHardware('h800');
const deepseek = getModel('deepseek-v3');
const measured = (ep: number, phase: 'dispatch' | 'combine', tokensPerRank = 128) =>
  deepEpSeconds(
    {
      kernels: 'low-latency',
      phase,
      tokensPerRank,
      hidden: 7168,
      topK: 8,
      dispatchBytesPerValue: FP8_DISPATCH_BYTES_PER_VALUE,
      ep,
    },
    h800,
  );

const plan = (ep: number, allToAll?: AllToAllBackend): Plan => ({
  tp: 1,
  pp: 1,
  dp: ep,
  ep,
  ...(allToAll ? { allToAll } : {}),
  weightDtype: 'fp8',
  kvDtype: 'bf16',
});

function step(hardware: string, p: Plan, shape: 'decode' | 'prefill') {
  const model = compileStepModel(deepseek, getHardware(hardware), p);
  const batch = createBatchShape();
  if (shape === 'decode') addUniformDecodes(batch, 128, 2000);
  else addPrefillChunk(batch, 8192, 0, true);
  const byName = new Map(model.breakdown(batch).map((e) => [e.name, e]));
  return { seconds: model.stepSeconds(batch), dispatch: byName.get('ep_dispatch')! };
}

describe('DeepEP all-to-all', () => {
  it('low-latency dispatch and combine at EP 8..256 reproduce the published H800 points (128 tokens, hidden 7168, top-8)', () => {
    // DeepEP docs/legacy.md: 77/118/155/173/192/194 µs dispatch, 114/195/273/314/369/360 µs combine.
    const published = [
      [8, 77, 114],
      [16, 118, 195],
      [32, 155, 273],
      [64, 173, 314],
      [128, 192, 369],
      [256, 194, 360],
    ];
    assert.equal(DEEPEP_LOW_LATENCY.length, published.length);
    for (const [ep, dispatch, combine] of published) {
      assert.ok(Math.abs(measured(ep, 'dispatch').seconds * 1e6 - dispatch) < 1e-6, `EP ${ep} dispatch`);
      assert.ok(Math.abs(measured(ep, 'combine').seconds * 1e6 - combine) < 1e-6, `EP ${ep} combine`);
    }
  });

  it('low-latency time scales with the bytes a rank sends, less the fixed link latency', () => {
    const half = measured(16, 'dispatch', 64).seconds;
    const full = measured(16, 'dispatch', 128).seconds;
    assert.ok(half < full && half > full / 2);
    // Between published EP sizes, between their times.
    const ep24 = measured(24, 'dispatch').seconds;
    assert.ok(ep24 > 118e-6 && ep24 < 155e-6);
  });

  it('a faster link than the H800 one prices the same transfer faster', () => {
    const transfer = {
      kernels: 'low-latency' as const,
      phase: 'dispatch' as const,
      tokensPerRank: 128,
      hidden: 7168,
      topK: 8,
      dispatchBytesPerValue: FP8_DISPATCH_BYTES_PER_VALUE,
      ep: 8,
    };
    // H100 NVLink 4 (450 GB/s a direction) against the H800's 8-link NVLink (200 GB/s).
    assert.ok(deepEpSeconds(transfer, getHardware('h100')).seconds < deepEpSeconds(transfer, h800).seconds);
  });

  it('auto runs the low-latency kernels for decode-sized batches and the normal ones for prefill', () => {
    assert.equal(deepEpKernelsFor('deepep-auto', 64), 'low-latency');
    assert.equal(deepEpKernelsFor('deepep-auto', 4096), 'normal');
    assert.equal(deepEpKernelsFor('nccl', 64), undefined);
    assert.equal(deepEpKernelsFor(undefined, 64), undefined);
  });

  it('the step names the all-to-all source: NCCL link model against DeepEP published measurement', () => {
    const nccl = step('h800', plan(16), 'decode').dispatch;
    const deepEp = step('h800', plan(16, 'deepep-low-latency'), 'decode').dispatch;
    assert.match(nccl.source ?? '', /link model/);
    assert.match(
      deepEp.source ?? '',
      /DeepEP published H800 measurement .*: low-latency dispatch 118 µs at EP 16/,
    );
    // 128 decodes on one rank of EP 16, DeepSeek-V3's shape: the published point, once a MoE layer.
    assert.ok(Math.abs(deepEp.seconds / deepEp.calls - 118e-6) < 1e-9);
  });

  it('DeepEP low-latency kernels lower a decode step across nodes against NCCL; normal kernels serve prefill', () => {
    const ncclDecode = step('h100', plan(16), 'decode').seconds;
    const lowLatencyDecode = step('h100', plan(16, 'deepep-low-latency'), 'decode').seconds;
    assert.ok(lowLatencyDecode < ncclDecode, `${lowLatencyDecode} vs ${ncclDecode}`);
    const lowLatencyPrefill = step('h100', plan(16, 'deepep-low-latency'), 'prefill').seconds;
    const normalPrefill = step('h100', plan(16, 'deepep-normal'), 'prefill').seconds;
    const autoPrefill = step('h100', plan(16, 'deepep-auto'), 'prefill').seconds;
    assert.ok(normalPrefill < lowLatencyPrefill, `${normalPrefill} vs ${lowLatencyPrefill}`);
    assert.equal(autoPrefill, normalPrefill);
  });

  it('normal kernels over a Blackwell NVLink domain run at the SM100 bandwidth DeepEP published, as V1', () => {
    const transfer = (phase: 'dispatch' | 'combine', ep: number) => ({
      kernels: 'normal' as const,
      phase,
      tokensPerRank: 8192,
      hidden: 7168,
      topK: 8,
      dispatchBytesPerValue: FP8_DISPATCH_BYTES_PER_VALUE,
      ep,
    });
    // DeepEP README (SM100, EP 8, NVLink): 726 GB/s dispatch, 740 GB/s combine for V2; V2 up to 1.3× V1.
    assert.deepEqual(DEEPEP_SM100_NVLINK_NORMAL, { dispatch: 726e9, combine: 740e9 });
    for (const gpu of ['b200', 'gb200', 'gb300']) {
      const hardware = getHardware(gpu);
      for (const phase of ['dispatch', 'combine'] as const) {
        const time = deepEpSeconds(transfer(phase, 8), hardware);
        const distinct = 8 * (1 - (7 / 8) ** 8);
        const bytes = 8192 * distinct * 7168 * (phase === 'dispatch' ? FP8_DISPATCH_BYTES_PER_VALUE : 2);
        const bandwidth = DEEPEP_SM100_NVLINK_NORMAL[phase] / DEEPEP_V2_OVER_V1_PEAK;
        const expected = groupLink(hardware, 8).latencySeconds + bytes / bandwidth;
        assert.ok(
          Math.abs(time.seconds - expected) < 1e-9,
          `${gpu} ${phase}: ${time.seconds} vs ${expected}`,
        );
        assert.match(time.source, /DeepEP published SM100 NVLink measurement/);
      }
    }
    // EP 16 inside GB200's 72-GPU NVLink domain: still NVLink peers, each token sent once per rank.
    const ep16 = deepEpSeconds(transfer('dispatch', 16), getHardware('gb200'));
    assert.match(ep16.source, /SM100/);
    // Hopper keeps the H800 measurement scaled by its link.
    assert.match(deepEpSeconds(transfer('dispatch', 8), getHardware('h100')).source, /H800/);
  });

  it('low-latency kernels over one NVLink domain are no faster at EP 16..72 than at EP 8', () => {
    const transfer = (phase: 'dispatch' | 'combine', ep: number) => ({
      kernels: 'low-latency' as const,
      phase,
      tokensPerRank: 43,
      hidden: 7168,
      topK: 8,
      dispatchBytesPerValue: FP8_DISPATCH_BYTES_PER_VALUE,
      ep,
    });
    const gb300 = getHardware('gb300');
    for (const phase of ['dispatch', 'combine'] as const) {
      const ep8 = deepEpSeconds(transfer(phase, 8), gb300).seconds;
      for (const ep of [16, 32, 48, 72]) {
        const wide = deepEpSeconds(transfer(phase, ep), gb300);
        assert.ok(wide.seconds >= ep8 - 1e-12, `${phase} EP ${ep}: ${wide.seconds} < EP 8's ${ep8}`);
        assert.match(wide.source, /at EP 8, .*no faster at EP \d+ over the same NVLink/);
      }
    }
    // Across nodes (H100, 8 a node) EP 16 talks over the network: the RDMA point, no floor.
    const h100 = getHardware('h100');
    const rdma = deepEpSeconds(transfer('dispatch', 16), h100);
    assert.match(rdma.source, /at EP 16,/);
    assert.doesNotMatch(rdma.source, /no faster/);
  });

  it('SGLang with SGLANG_MOE_NVFP4_DISPATCH dispatches an nvfp4 checkpoint in NVFP4, not BF16; the combine stays BF16', () => {
    // Half a byte a value and an fp8 scale a 16: hidden/2 + hidden/16 bytes a token, as SGLang sizes it.
    assert.equal(NVFP4_DISPATCH_BYTES_PER_VALUE * 7168, 7168 / 2 + 7168 / 16);
    assert.equal(deepEpDispatchBytesPerValue('nvfp4', undefined), 2);
    assert.equal(deepEpDispatchBytesPerValue('nvfp4', true), NVFP4_DISPATCH_BYTES_PER_VALUE);
    assert.equal(deepEpDispatchBytesPerValue('fp8', true), FP8_DISPATCH_BYTES_PER_VALUE);
    assert.equal(deepEpDispatchBytesPerValue('bf16', true), 2);
    const fp4Plan: Plan = { ...plan(32, 'deepep-low-latency'), weightDtype: 'nvfp4' };
    const opsOf = (nvfp4Dispatch?: boolean) => {
      const engine = { id: 'sglang' as const, ...(nvfp4Dispatch ? { nvfp4Dispatch } : {}) };
      const model = compileStepModel(deepseek, getHardware('gb300'), fp4Plan, { engine });
      const batch = createBatchShape();
      addUniformDecodes(batch, 32 * 256, 2000);
      return new Map(model.breakdown(batch).map((e) => [e.name, e.seconds]));
    };
    const bf16 = opsOf();
    const nvfp4 = opsOf(true);
    // 256 tokens a rank over GB300's NVLink: the transfer part scales with the bytes (0.5625 against 2).
    assert.ok(
      nvfp4.get('ep_dispatch')! < 0.5 * bf16.get('ep_dispatch')!,
      `${nvfp4.get('ep_dispatch')} vs ${bf16.get('ep_dispatch')}`,
    );
    assert.equal(nvfp4.get('ep_combine'), bf16.get('ep_combine'));
  });
});
