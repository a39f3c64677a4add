import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { noAdapterMessage } from '../../../../src/engine/gpu/device.js';
import { summarize } from '../../../../src/engine/gpu/timing.js';
import { layerShapeOf } from '../../../../src/engine/kernels/layer.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { matchCatalogHardware } from '../../../../src/engine/profile/catalog-match.js';
import { type ProfileProgress, profileDevice } from '../../../../src/engine/profile/profiler.js';
import { DeviceProfile } from '../../../../src/engine/profile/schema.js';
import { fitLayer } from '../../../../src/engine/profile/tasks/layer.js';
import { requireGpu } from '../../helpers/gpu-fixture.js';

describe('profiler', () => {
  it('a cancelled run still returns a valid profile holding what was measured', async () => {
    const gpu = await requireGpu();
    after(() => gpu.destroy());
    const controller = new AbortController();
    const seen: ProfileProgress[] = [];
    const profile = await profileDevice({
      quick: true,
      model: getModel('llama-3.1-8b'),
      gpu,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.state === 'done') controller.abort();
      },
    });
    assert.equal(profile.cancelled, true);
    assert.doesNotThrow(() => DeviceProfile.parse(profile));
    assert.equal(profile.copy.length, 1, 'the copy measurement finished before the cancel');
    assert.ok(profile.copy[0].bytesPerSecond > 0);
    assert.equal(profile.gemm.length, 0, 'nothing ran after the cancel');
    assert.deepEqual(
      seen.map((p) => p.state),
      ['measuring', 'done'],
    );
    assert.equal(profile.derived.copyBytesPerSecond, profile.copy[0].bytesPerSecond);
    assert.equal(profile.adapter.description, gpu.info.description);
  });

  it('matches adapters to the hardware catalog, and software adapters to nothing', () => {
    const adapter = (description: string) => ({ description, device: '', vendor: 'nvidia' });
    assert.equal(matchCatalogHardware(adapter('NVIDIA H100 80GB HBM3'))?.id, 'h100-sxm');
    assert.equal(matchCatalogHardware(adapter('NVIDIA H100 PCIe'))?.id, 'h100-pcie');
    assert.equal(matchCatalogHardware(adapter('NVIDIA A100-SXM4-40GB'))?.id, 'a100-40gb-sxm');
    assert.equal(matchCatalogHardware(adapter('NVIDIA L4'))?.id, 'l4');
    assert.equal(matchCatalogHardware(adapter('NVIDIA L40S'))?.id, 'l40s');
    assert.equal(matchCatalogHardware(adapter('llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)')), null);
  });

  it('scales a layer down until its weights fit the budget', () => {
    const model = layerShapeOf(getModel('llama-3.1-8b'));
    const quick = fitLayer(model, 'f32', true, 128 * 2 ** 20);
    assert.equal(quick.divisor, 8);
    assert.equal(quick.shape.kvHeads, 1);
    const full = fitLayer(model, 'f16', false, 2 ** 31);
    assert.equal(full.divisor, 1);
  });

  it('summarizes samples as median and 10th/90th percentiles', () => {
    const timing = summarize([5, 1, 4, 2, 3, 6, 7, 8, 9, 10, 11]);
    assert.deepEqual(timing, { median: 6, p10: 2, p90: 10, samples: 11 });
  });

  it('explains a missing adapter and how to get one', () => {
    const message = noAdapterMessage('requestAdapter() returned none');
    assert.match(message, /requestAdapter\(\) returned none/);
    assert.match(message, /Vulkan, Metal or D3D12/);
    if (process.platform === 'linux') assert.match(message, /bash scripts\/setup-system\.sh/);
  });
});
