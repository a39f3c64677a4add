import type { AdapterResult } from '../engine/protocol/worker.js';

// Asks WebGPU (Dawn through the `webgpu` package) for an adapter and describes it. Loaded lazily so a
// worker without a working dawn.node still answers every other method.

interface AdapterLike {
  info: { vendor: string; architecture: string; device: string; description: string };
  isFallbackAdapter?: boolean;
  features: Iterable<string>;
  limits: object;
}

function backendOf(description: string): string {
  const known = ['vulkan', 'metal', 'd3d12', 'd3d11', 'opengl'];
  const lower = description.toLowerCase();
  return known.find((name) => lower.includes(name)) ?? 'unknown';
}

export async function probeAdapter(
  powerPreference: 'high-performance' | 'low-power',
): Promise<AdapterResult> {
  let gpu: { requestAdapter(options: object): Promise<AdapterLike | null> };
  try {
    const webgpu = (await import('webgpu')) as unknown as {
      create(flags: string[]): typeof gpu;
      globals: object;
    };
    Object.assign(globalThis, webgpu.globals);
    gpu = webgpu.create([]);
  } catch (error) {
    return { adapter: null, reason: `WebGPU could not load: ${(error as Error).message}` };
  }
  const adapter = await gpu.requestAdapter({ powerPreference });
  if (!adapter) {
    return {
      adapter: null,
      reason: 'WebGPU found no adapter: no GPU driver with Vulkan, Metal or D3D12 support is installed.',
    };
  }
  const limits: Record<string, number> = {};
  for (const key in adapter.limits) {
    const value = (adapter.limits as Record<string, unknown>)[key];
    if (typeof value === 'number') limits[key] = value;
  }
  const { vendor, architecture, device, description } = adapter.info;
  return {
    adapter: {
      vendor,
      architecture,
      device,
      description,
      backend: backendOf(description),
      isFallbackAdapter: adapter.isFallbackAdapter ?? false,
      features: [...adapter.features].sort(),
      limits,
    },
  };
}
