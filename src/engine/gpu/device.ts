import { ServeTuneError } from '../util/errors.js';

/** What ServeTune needs to know about one WebGPU adapter and the device opened on it. */
export interface GpuContext {
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  readonly info: GpuAdapterSummary;
  /** Features enabled on the device (a subset of the adapter's). */
  readonly hasF16: boolean;
  readonly hasSubgroups: boolean;
  readonly hasTimestamps: boolean;
  destroy(): void;
}

interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  backend: string;
  isFallbackAdapter: boolean;
  subgroupMinSize: number;
  subgroupMaxSize: number;
  features: string[];
  limits: Record<string, number>;
}

interface AcquireOptions {
  /** Leave out optional features even where the adapter has them (tests use this to cover both paths). */
  disableF16?: boolean;
  disableSubgroups?: boolean;
  disableTimestamps?: boolean;
}

const OPTIONAL_FEATURES = ['shader-f16', 'subgroups', 'timestamp-query'] as const;

/**
 * Explains why no adapter came back and what to do. Dawn finds no adapter when the machine has no
 * Vulkan (Linux), Metal (macOS) or D3D12 (Windows) driver; on Linux a software Vulkan driver
 * (Mesa's lavapipe, version 24 or newer) is enough.
 */
export function noAdapterMessage(reason: string): string {
  const hint =
    process.platform === 'linux'
      ? 'On Linux, install a Vulkan driver; without a GPU, Mesa lavapipe (>= 24) works: `bash scripts/setup-system.sh` ' +
        '(Debian bookworm: mesa-vulkan-drivers from bookworm-backports), and set XDG_RUNTIME_DIR to a writable folder.'
      : process.platform === 'darwin'
        ? 'On macOS, WebGPU runs on Metal; a macOS version with Metal support is required.'
        : 'On Windows, WebGPU runs on D3D12; update the GPU driver.';
  return (
    `No WebGPU adapter: ${reason}. ServeTune measures the GPU through WebGPU, which needs a Vulkan, Metal or D3D12 driver. ` +
    `${hint} Everything else in ServeTune keeps working from the hardware catalog.`
  );
}

/** Dawn picks Vulkan on Linux, Metal on macOS and D3D12 on Windows; the adapter does not report it. */
function backendForPlatform(): string {
  switch (process.platform) {
    case 'linux':
      return 'vulkan';
    case 'darwin':
      return 'metal';
    case 'win32':
      return 'd3d12';
    default:
      return 'unknown';
  }
}

let gpuEntry: Promise<GPU> | undefined;

/**
 * Loads the `webgpu` module on first use only, so that code paths that never touch the GPU never load
 * the native Dawn binding. Timestamps are requested unquantized: the profiler needs their resolution.
 */
async function loadGpu(): Promise<GPU> {
  gpuEntry ??= (async () => {
    let module: { create(options: string[]): GPU; globals: object };
    try {
      module = (await import('webgpu')) as unknown as typeof module;
    } catch (error) {
      throw new ServeTuneError(
        noAdapterMessage(`the webgpu module could not be loaded (${(error as Error).message})`),
        'no-gpu',
      );
    }
    Object.assign(globalThis, module.globals);
    return module.create(['disable-dawn-features=timestamp_quantization']);
  })();
  return gpuEntry;
}

/**
 * The SIMD width of a CPU adapter (llvmpipe, SwiftShader: Dawn marks CPU adapters as fallback adapters)
 * with subgroups of one fixed size, where kernels written for CPU lanes replace the GPU-shaped ones;
 * 0 on every other device.
 */
export function cpuLaneWidth(gpu: GpuContext): number {
  const { isFallbackAdapter, subgroupMinSize, subgroupMaxSize } = gpu.info;
  const fixed = subgroupMinSize > 0 && subgroupMinSize === subgroupMaxSize;
  return gpu.hasSubgroups && isFallbackAdapter && fixed ? subgroupMinSize : 0;
}

export async function acquireGpu(options: AcquireOptions = {}): Promise<GpuContext> {
  const gpu = await loadGpu();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new ServeTuneError(noAdapterMessage('requestAdapter() returned none'), 'no-gpu');

  const wanted = OPTIONAL_FEATURES.filter((feature) => {
    if (feature === 'shader-f16' && options.disableF16) return false;
    if (feature === 'subgroups' && options.disableSubgroups) return false;
    if (feature === 'timestamp-query' && options.disableTimestamps) return false;
    return adapter.features.has(feature);
  });
  const limits = adapterLimits(adapter);
  // Ask for the adapter's full buffer and workgroup limits: the defaults are far below what GPUs offer.
  const requiredLimits: Record<string, number> = {};
  for (const name of [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupSizeX',
    'maxComputeWorkgroupSizeY',
    'maxStorageBuffersPerShaderStage',
  ]) {
    if (limits[name] !== undefined) requiredLimits[name] = limits[name];
  }
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures: wanted as GPUFeatureName[], requiredLimits });
  } catch (error) {
    throw new ServeTuneError(
      noAdapterMessage(`requestDevice() failed (${(error as Error).message})`),
      'no-gpu',
    );
  }
  const info = adapter.info;
  const summary: GpuAdapterSummary = {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    backend: backendForPlatform(),
    isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    subgroupMinSize: Number((info as { subgroupMinSize?: number }).subgroupMinSize ?? 0),
    subgroupMaxSize: Number((info as { subgroupMaxSize?: number }).subgroupMaxSize ?? 0),
    features: [...adapter.features].map(String).sort(),
    limits,
  };
  return {
    device,
    adapter,
    info: summary,
    hasF16: wanted.includes('shader-f16'),
    hasSubgroups: wanted.includes('subgroups'),
    hasTimestamps: wanted.includes('timestamp-query'),
    destroy: () => device.destroy(),
  };
}

function adapterLimits(adapter: GPUAdapter): Record<string, number> {
  const limits: Record<string, number> = {};
  // GPUSupportedLimits exposes its values as prototype getters, so walk the keys with for…in.
  for (const key in adapter.limits) {
    const value = (adapter.limits as unknown as Record<string, unknown>)[key];
    if (typeof value === 'number') limits[key] = value;
  }
  return limits;
}
