import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hardwareFromLabel } from '../../../../src/engine/config/readers/hardware-hint.js';
import { getHardware, HARDWARE_CATALOG } from '../../../../src/engine/hardware/catalog.js';
import { enumeratePlans } from '../../../../src/engine/memory/plans.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { matchCatalogHardware } from '../../../../src/engine/profile/catalog-match.js';

const NEW_GPUS = ['b300', 'gb200', 'gb300', 'h20', 'h800', 'mi325x', 'mi355x', 'rtx-pro-6000', 'rtx-5090'];
const adapter = (description: string) => ({ description, device: '', vendor: '' });

describe('hardware catalog', () => {
  it('has the Blackwell, Blackwell Ultra, export Hopper, CDNA 3/4 and GB202 GPUs, each with dated sources', () => {
    for (const id of NEW_GPUS) {
      const h = getHardware(id);
      assert.ok(
        h.sources.every((s) => /checked \d{4}-\d{2}/.test(s)),
        id,
      );
    }
  });

  it('gives an fp4 peak only to chips with fp4 tensor cores, at least twice the fp8 one', () => {
    const withFp4 = ['b200', 'b300', 'gb200', 'gb300', 'rtx-pro-6000', 'rtx-5090', 'mi355x'];
    for (const h of HARDWARE_CATALOG) {
      if (withFp4.includes(h.id)) {
        assert.ok(h.tensorFlops.fp4 !== null && h.tensorFlops.fp8 !== null, h.id);
        // fp4 doubles fp8 (Blackwell Ultra triples it).
        assert.ok(h.tensorFlops.fp4 / h.tensorFlops.fp8 > 1.99, h.id);
      } else {
        assert.equal(h.tensorFlops.fp4, null, h.id);
      }
    }
  });

  it('has scale-up domains of whole nodes: 8 on HGX and PCIe servers, the 72-GPU rack on NVL72', () => {
    for (const h of HARDWARE_CATALOG) {
      assert.ok(h.scaleUpDomain % h.gpusPerNode === 0, h.id);
    }
    assert.equal(getHardware('gb200').scaleUpDomain, 72);
    assert.equal(getHardware('gb300').scaleUpDomain, 72);
    assert.equal(getHardware('gb200').gpusPerNode, 4);
    assert.equal(getHardware('b300').scaleUpDomain, 8);
    assert.equal(getHardware('rtx-pro-6000').intraNode.kind, 'pcie');
  });

  it('recognises rack and export parts as their own entries, not the chip they derive from', () => {
    assert.equal(hardwareFromLabel('NVIDIA-GB200'), 'gb200');
    assert.equal(hardwareFromLabel('NVIDIA-B200'), 'b200');
    assert.equal(hardwareFromLabel('NVIDIA-GB300'), 'gb300');
    assert.equal(hardwareFromLabel('NVIDIA-B300-SXM6-AC'), 'b300');
    assert.equal(hardwareFromLabel('NVIDIA-H800'), 'h800');
    assert.equal(hardwareFromLabel('NVIDIA-H20'), 'h20');
    assert.equal(hardwareFromLabel('NVIDIA-H200'), 'h200');
    assert.equal(matchCatalogHardware(adapter('NVIDIA GB200'))?.id, 'gb200');
    assert.equal(matchCatalogHardware(adapter('NVIDIA H200'))?.id, 'h200');
    assert.equal(matchCatalogHardware(adapter('AMD Instinct MI355X'))?.id, 'mi355x');
  });

  it('lets tensor parallel span an NVL72 rack but not an HGX node', () => {
    const model = getModel('llama-3.1-70b');
    const dtypes = { weightDtype: 'bf16', kvDtype: 'bf16' } as const;
    const tps = (id: string) =>
      new Set(enumeratePlans(model, getHardware(id), 16, dtypes).plans.map((p) => p.plan.tp));
    assert.ok(tps('gb200').has(16));
    assert.ok(!tps('b200').has(16));
    assert.ok(tps('b200').has(8));
  });
});
