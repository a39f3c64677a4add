import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hardwareFromLabel } from '../../../../src/engine/config/readers/hardware-hint.js';
import { getHardware, HARDWARE_CATALOG } from '../../../../src/engine/hardware/catalog.js';
import { type GpuNameSource, gpuMatches } from '../../../../src/engine/hardware/recognise.js';
import { HardwareSpec } from '../../../../src/engine/hardware/spec.js';
import { deviceClassOf } from '../../../../src/engine/perf/calibration.js';
import { matchCatalogHardware } from '../../../../src/engine/profile/catalog-match.js';

const adapter = (description: string) => ({ description, device: '', vendor: '' });

/** The texts each catalog GPU must be recognised from, by where they are read. */
function namesOf(h: (typeof HARDWARE_CATALOG)[number], source: GpuNameSource): string[] {
  return source === 'label'
    ? [...h.recognition.nodeLabels, h.id, h.name]
    : [...h.recognition.adapterNames, h.name];
}

describe('a catalog GPU recognised from its own names', () => {
  it('from its node labels, its id and its name in config files', () => {
    for (const h of HARDWARE_CATALOG) {
      for (const text of namesOf(h, 'label')) assert.equal(hardwareFromLabel(text), h.id, text);
    }
  });

  it('from the adapter names its driver reports', () => {
    for (const h of HARDWARE_CATALOG) {
      for (const text of namesOf(h, 'adapter'))
        assert.equal(matchCatalogHardware(adapter(text))?.id, h.id, text);
    }
  });

  it('unambiguously: any other GPU that matches matches a shorter part of the name', () => {
    for (const source of ['label', 'adapter'] as const) {
      for (const h of HARDWARE_CATALOG) {
        for (const text of namesOf(h, source)) {
          const [first, second] = gpuMatches(text, source);
          assert.equal(first?.hardware.id, h.id, `${source} ${text}`);
          if (second) {
            assert.ok(
              second.matched.length < first!.matched.length,
              `${source} '${text}': ${h.id} and ${second.hardware.id} match equally long parts`,
            );
          }
        }
      }
    }
  });

  it('no two GPUs claim the same pattern or name', () => {
    const fields = ['nodeLabels', 'labelPatterns', 'adapterNames', 'adapterPatterns'] as const;
    for (const field of fields) {
      const owner = new Map<string, string>();
      for (const h of HARDWARE_CATALOG) {
        for (const value of h.recognition[field]) {
          const key = value.toLowerCase();
          assert.equal(
            owner.get(key),
            undefined,
            `${field} '${value}' twice: on ${owner.get(key)} and ${h.id}`,
          );
          owner.set(key, h.id);
        }
      }
    }
  });

  it('recognises nothing in a software adapter or an unrelated label', () => {
    assert.equal(matchCatalogHardware(adapter('llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)')), null);
    assert.equal(hardwareFromLabel('g2-standard-8'), null);
    assert.equal(hardwareFromLabel('Tesla-T4'), null);
  });

  it('refuses a pattern that is not a regular expression', () => {
    const h100 = getHardware('h100-sxm');
    const broken = { ...h100, recognition: { ...h100.recognition, labelPatterns: ['h100('] } };
    assert.equal(HardwareSpec.safeParse(broken).success, false);
  });
});

describe('device class', () => {
  it('is the catalog entry’s own', () => {
    for (const h of HARDWARE_CATALOG) assert.equal(deviceClassOf(h), h.deviceClass, h.id);
    assert.equal(getHardware('h100-sxm').deviceClass, 'nvidia-hopper');
    assert.equal(getHardware('a10g').deviceClass, 'nvidia-ampere');
    assert.equal(getHardware('mi300x').deviceClass, 'amd-cdna3');
  });

  it('of a device described outside the catalog: the GPU its id names, else by vendor', () => {
    const { deviceClass: _, ...described } = getHardware('h100-sxm');
    assert.equal(deviceClassOf({ ...described, id: 'h100-tuned' }), 'nvidia-hopper');
    assert.equal(deviceClassOf({ ...described, id: 'b200-rack' }), 'nvidia-blackwell');
    assert.equal(deviceClassOf({ ...described, id: 'profiled' }), 'nvidia-ada');
    assert.equal(deviceClassOf({ ...described, id: 'profiled', vendor: 'amd' }), 'amd-cdna3');
  });
});
