import type { DeviceProfile } from '../../../src/engine/profile/schema.js';

/** A minimal valid DeviceProfile with empty tables, to be filled by a test. */
export function emptyProfile(overrides: Partial<DeviceProfile> = {}): DeviceProfile {
  return {
    schemaVersion: 1,
    createdAt: '2025-01-01T00:00:00Z',
    quick: true,
    adapter: {
      vendor: 'test',
      architecture: 'test',
      device: 'test-device',
      description: 'Test adapter',
      backend: 'vulkan',
      isFallbackAdapter: false,
      features: [],
      limits: {},
    },
    catalogId: null,
    timingMethod: 'timestamp-query',
    dispatchOverheadSeconds: 5e-6,
    submitOverheadSeconds: 50e-6,
    gemm: [],
    prefillAttention: [],
    decodeAttention: [],
    copy: [],
    elementwise: [],
    layer: [],
    derived: {
      peakFlopsPerSecond: { f32: 1e12, f16: 2e12 },
      copyBytesPerSecond: 100e9,
      efficiency: null,
    },
    skipped: [],
    cancelled: false,
    ...overrides,
  };
}

export function timing(median: number) {
  return { median, p10: median, p90: median, samples: 5 };
}
