import { HARDWARE_CATALOG } from '../hardware/catalog.js';
import type { HardwareSpec } from '../hardware/spec.js';
import { type KvDtype, type WeightDtype, type WeightFormat, weightBytesPerParam } from '../model/dtypes.js';
import type { OpTables } from '../opdb/op-tables.js';
import { loadShippedOpTables } from '../opdb/shipped.js';
import { hardwareIdsMeasuredBy, perfDbSystemFor } from '../opdb/systems.js';
import { describeOpTimeSource, type OpTime } from '../opdb/table.js';
import { nearestVersion } from '../opdb/version.js';
import { isServeTuneError } from '../util/errors.js';
import { type DevicePeaks, devicePeaks, speedOfLight } from './roofline.js';
import {
  CUSTOM_ALL_REDUCE_MAX_BYTES,
  CUSTOM_ALL_REDUCE_MAX_GPUS,
  describeServingEngine,
  type ServingEngine,
} from './serving-engine.js';

/** One op's time and, worked out only when read, where it came from. */
export interface ResolvedOpTime {
  seconds: number;
  source: () => string;
}

/** The database's GEMM dtypes for the weight formats (weight-only int4/int8 run as W4A16/W8A16). */
const GEMM_DTYPES: Readonly<Record<WeightDtype, string>> = {
  fp16: 'float16',
  bf16: 'bfloat16',
  fp8: 'fp8',
  int8: 'int8_wo',
  int4: 'int4_wo',
  nvfp4: 'nvfp4',
  mxfp4: 'w4a16_mxfp4',
};
const gemmDtypeOf = (dtype: WeightDtype) => GEMM_DTYPES[dtype];
/**
 * The GEMM table's dtype for a plan's linear layers: a block-scaled fp8 format (DeepSeek-V3's and
 * Qwen3's 128 × 128 blocks) reads the block-scaled kernel, not the per-tensor one (where the engine's
 * kernels do: EngineKernels.blockScaledFp8).
 */
export const gemmTableDtypeOf = (format: WeightFormat): string =>
  format.dtype === 'fp8' && format.groupSize !== undefined ? 'fp8_block' : gemmDtypeOf(format.dtype);
export const kvCacheDtypeOf = (dtype: KvDtype) => (dtype === 'fp8' ? 'fp8' : 'bfloat16');

/**
 * The measured op tables a step model uses, and how: on the GPU they were measured on, their times as
 * they are; on another GPU of the same class, transferred: the measured efficiency (speed of light on
 * the measured GPU / measured time) applied to the target's speed of light, as AIConfigurator does.
 * Collectives depend on the links, not the chip: they are used only on the measured GPU itself.
 */
export class MeasuredOps {
  private readonly memo = new Map<string, number>();

  constructor(
    readonly tables: OpTables,
    /** The GPU the tables were measured on. */
    readonly measuredOn: HardwareSpec,
    /** The GPU predicted; another than measuredOn where the efficiencies are transferred. */
    readonly target: HardwareSpec,
    readonly engine: ServingEngine,
  ) {}

  get transferred(): boolean {
    return this.measuredOn.id !== this.target.id;
  }

  /** The engine version the tables hold (the GEMM table's), and the one nearest the version asked. */
  get version(): string | undefined {
    const { nccl: _nccl, ...engineTables } = this.tables.versions;
    const versions = Object.values(engineTables).filter((v): v is string => v !== undefined);
    return nearestVersion(versions, this.engine.version);
  }

  /** One line: engine asked, tables used, GPU measured on. */
  describe(): string {
    const asked = describeServingEngine(this.engine);
    const version = this.version ?? '?';
    const nearest = this.engine.version && this.engine.version !== version ? ' (the nearest measured)' : '';
    const used = `measured ${this.tables.backend} ${version}${nearest} on ${this.tables.system}`;
    const how = this.transferred ? `, efficiencies transferred to ${this.target.id}` : '';
    return `${asked} → ${used}${how}`;
  }

  /** Peaks of the measured and the target GPU, for the linear layers' dtype. */
  peaks(weightDtype: WeightDtype): { measured: DevicePeaks; target: DevicePeaks } {
    return {
      measured: devicePeaks(this.measuredOn, weightDtype),
      target: devicePeaks(this.target, weightDtype),
    };
  }

  /**
   * A measured time carried to the target: as is on the measured GPU, else scaled by the ratio of the
   * two speeds of light (same efficiency).
   */
  carry(seconds: number, source: () => string, solMeasured: number, solTarget: number): ResolvedOpTime {
    if (!this.transferred) return { seconds, source };
    const efficiency = solMeasured / seconds;
    return {
      seconds: solTarget / efficiency,
      source: () =>
        `transferred from ${this.measuredOn.id} (efficiency ${efficiency.toFixed(2)}): ${source()}`,
    };
  }

  /** Whether `kind`'s table measured `value` on its first axis (the dtype of GEMM and MoE tables). */
  measuredDtype(kind: 'gemm' | 'moe', value: string): boolean {
    return this.tables.tables[kind]?.columns.levels[0].includes(value) ?? false;
  }

  /**
   * A GEMM of `m` rows through an n × k weight, on the target. A weight format the table did not
   * measure takes the 16-bit kernel's measured efficiency (another format's kernel, substituted, can be
   * far from it: a block-scaled fp8 kernel at a few rows is not what an fp4 checkpoint runs).
   */
  gemm(
    m: number,
    n: number,
    k: number,
    dtype: WeightDtype,
    cost: Cost,
    tableDtype = gemmDtypeOf(dtype),
  ): ResolvedOpTime | undefined {
    if (this.tables.tables.gemm === undefined) return undefined;
    if (dtype !== 'bf16' && !this.measuredDtype('gemm', tableDtype)) {
      const sixteenBit = { flops: cost.flops, bytes: cost.bytes + n * k * (2 - weightBytesPerParam(dtype)) };
      const bf16 = this.gemm(m, n, k, 'bf16', sixteenBit);
      if (bf16 === undefined) return undefined;
      const pt = this.peaks(dtype).target;
      const p16 = this.peaks('bf16').target;
      const factor =
        speedOfLight(cost.flops, cost.bytes, pt.gemmFlops, pt.bytesPerSecond) /
        speedOfLight(sixteenBit.flops, sixteenBit.bytes, p16.gemmFlops, p16.bytesPerSecond);
      return {
        seconds: bf16.seconds * factor,
        source: () =>
          `${dtype} not measured: bfloat16's efficiency (× ${factor.toFixed(2)}) from ${bf16.source()}`,
      };
    }
    return this.measuredGemm(m, n, k, dtype, cost, tableDtype);
  }

  /** A GEMM in a format the table measured (memoized: plans share shapes). */
  private measuredGemm(
    m: number,
    n: number,
    k: number,
    dtype: WeightDtype,
    cost: Cost,
    tableDtype: string,
  ): ResolvedOpTime {
    const query = { m, n, k, dtype: dtype === 'bf16' ? gemmDtypeOf(dtype) : tableDtype };
    const key = `${query.dtype}|${n}|${k}|${m}`;
    let seconds = this.memo.get(key);
    if (seconds === undefined) {
      seconds = (this.tables.gemm(query) as OpTime).seconds;
      this.memo.set(key, seconds);
    }
    const source = () => describeOpTimeSource((this.tables.gemm(query) as OpTime).source);
    if (!this.transferred) return { seconds, source };
    const { measured: pm, target: pt } = this.peaks(dtype);
    return this.carry(
      seconds,
      source,
      speedOfLight(cost.flops, cost.bytes, pm.gemmFlops, pm.bytesPerSecond),
      speedOfLight(cost.flops, cost.bytes, pt.gemmFlops, pt.bytesPerSecond),
    );
  }

  /**
   * MLA's absorbed projection (`pre`: W_UK into the latent; `post`: W_UV back out) as the engine's
   * 16-bit batched matmul over `heads` heads and `tokens` decode tokens, on the target. At a few tokens
   * these run at a launch-bound floor (4.2–4.7 µs on B200 and H200 in every engine's table, against a
   * roofline of under 3 µs), which the default efficiency does not hold. Undefined where not measured.
   */
  mlaBmm(op: 'pre' | 'post', tokens: number, heads: number, cost: Cost): ResolvedOpTime | undefined {
    const query = { op: op === 'pre' ? ('mla_gen_pre' as const) : ('mla_gen_post' as const), tokens, heads };
    const key = `mlaBmm|${op}|${heads}|${tokens}`;
    let seconds = this.memo.get(key);
    if (seconds === undefined) {
      seconds = this.tables.mlaBmm(query)?.seconds ?? Number.NaN;
      this.memo.set(key, seconds);
    }
    if (Number.isNaN(seconds)) return undefined;
    const source = () => describeOpTimeSource((this.tables.mlaBmm(query) as OpTime).source);
    const { measured: pm, target: pt } = this.peaks('bf16');
    return this.carry(
      seconds,
      source,
      speedOfLight(cost.flops, cost.bytes, pm.gemmFlops, pm.bytesPerSecond),
      speedOfLight(cost.flops, cost.bytes, pt.gemmFlops, pt.bytesPerSecond),
    );
  }

  /**
   * Quantizing `m` rows of a `k`-wide 16-bit activation per tensor, as measured on the tables' GPU (the
   * scaling kernel, plus the amax reduction first where the scale is dynamic). Undefined where transferred
   * (a few microseconds of launch-bound kernels do not scale with the chip's speed of light) or not
   * measured.
   */
  quantize(m: number, k: number, dtype: string, dynamicScale: boolean): ResolvedOpTime | undefined {
    if (this.transferred) return undefined;
    const query = { m, k, dtype, dynamicScale };
    const key = `quantize|${dtype}|${dynamicScale}|${k}|${m}`;
    let seconds = this.memo.get(key);
    if (seconds === undefined) {
      seconds = this.tables.quantize(query)?.seconds ?? Number.NaN;
      this.memo.set(key, seconds);
    }
    if (Number.isNaN(seconds)) return undefined;
    const source = () => describeOpTimeSource((this.tables.quantize(query) as OpTime).source);
    return { seconds, source };
  }

  /**
   * The all-reduce of `bytes` over `gpus` GPUs as the engine runs it: its custom kernel (CUDA-graph or
   * eager mode) up to 8 MiB within 8 GPUs unless disabled, else NCCL. Undefined where transferred or
   * not measured.
   */
  allReduce(bytes: number, gpus: number): ResolvedOpTime | undefined {
    if (this.transferred || gpus <= 1) return undefined;
    // Beyond the GPU counts measured (one node's), the time depends on the network: the link model's.
    const measuredUpTo = (kind: 'nccl' | 'customAllReduce') => this.measuredGpus(kind);
    const custom =
      this.engine.customAllReduce &&
      bytes <= CUSTOM_ALL_REDUCE_MAX_BYTES &&
      gpus <= Math.min(CUSTOM_ALL_REDUCE_MAX_GPUS, measuredUpTo('customAllReduce'))
        ? this.tables.customAllReduce({ gpus, bytes, cudaGraph: this.engine.cudaGraphs })
        : undefined;
    const time =
      custom ??
      (gpus <= measuredUpTo('nccl') ? this.tables.collective({ op: 'all_reduce', gpus, bytes }) : undefined);
    if (time === undefined) return undefined;
    const why = custom
      ? ''
      : this.engine.customAllReduce
        ? ' (NCCL: beyond the custom kernel)'
        : ' (NCCL: custom all-reduce disabled)';
    return { seconds: time.seconds, source: () => `${describeOpTimeSource(time.source)}${why}` };
  }

  /**
   * NCCL's all-to-all of `bytes` from each of `gpus` GPUs (an EP dispatch or combine), within the GPU
   * counts the tables measured (one node's, or a GB200 tray's four); beyond them the network decides and
   * the link model times it. Undefined where transferred or not measured. The tables hold NCCL only:
   * DeepEP's low-latency kernels are not measured.
   */
  allToAll(bytes: number, gpus: number): ResolvedOpTime | undefined {
    if (this.transferred || gpus <= 1 || gpus > this.measuredGpus('nccl')) return undefined;
    const time = this.tables.collective({ op: 'alltoall', gpus, bytes });
    if (time === undefined) return undefined;
    return { seconds: time.seconds, source: () => `${describeOpTimeSource(time.source)} (NCCL all-to-all)` };
  }

  /**
   * NCCL's all-gather or reduce-scatter of a `bytes` message (nccl-tests' size: the gather's output, the
   * scatter's input) over `gpus` GPUs, within the GPU counts the tables measured. Undefined where
   * transferred or not measured.
   */
  collective(op: 'all_gather' | 'reduce_scatter', bytes: number, gpus: number): ResolvedOpTime | undefined {
    if (this.transferred || gpus <= 1 || gpus > this.measuredGpus('nccl')) return undefined;
    const time = this.tables.collective({ op, gpus, bytes });
    if (time === undefined) return undefined;
    return { seconds: time.seconds, source: () => `${describeOpTimeSource(time.source)} (NCCL ${op})` };
  }

  /**
   * An all-to-all over more GPUs than the table measured, at the same bytes per GPU, is never faster
   * than over the most it measured: each GPU still sends its bytes, to more peers, and waits on every
   * one of them (NCCL's all-to-all on GB200 takes 10–11 µs at small messages over 2 and 4 GPUs; the
   * link model's bare latency is 3 µs). That time, where it applies; else undefined.
   */
  allToAllFloor(bytes: number, gpus: number): ResolvedOpTime | undefined {
    const widest = this.measuredGpus('nccl');
    if (this.transferred || widest <= 1 || gpus <= widest) return undefined;
    const time = this.tables.collective({ op: 'alltoall', gpus: widest, bytes });
    if (time === undefined) return undefined;
    return {
      seconds: time.seconds,
      source: () =>
        `${describeOpTimeSource(time.source)} (NCCL all-to-all over ${widest} GPUs, the most measured: the floor for ${gpus})`,
    };
  }

  /** The most GPUs a collective table measured (0 where it has none). */
  private measuredGpus(kind: 'nccl' | 'customAllReduce'): number {
    return Math.max(0, ...((this.tables.tables[kind]?.columns.levels[2] ?? []) as number[]));
  }
}

interface Cost {
  flops: number;
  bytes: number;
}

const loaded = new Map<string, OpTables | null>();

/** The shipped tables of one system and engine, read once per process; null where none ship. */
function shippedTables(system: string, engine: ServingEngine): OpTables | null {
  const key = `${system}|${engine.id}`;
  let tables = loaded.get(key);
  if (tables === undefined) {
    try {
      tables = loadShippedOpTables(system, engine.id);
    } catch (error) {
      if (!isServeTuneError(error) || error.code !== 'unknown-hardware') throw error;
      tables = null;
    }
    loaded.set(key, tables);
  }
  return tables;
}

/**
 * The measured GPU whose efficiencies stand for `target`, which none measured: a catalog GPU of the
 * same device class (same vendor) with shipped tables, nearest in memory bandwidth.
 */
export function transferSourceFor(target: HardwareSpec): HardwareSpec | undefined {
  let best: HardwareSpec | undefined;
  for (const candidate of HARDWARE_CATALOG) {
    const system = perfDbSystemFor(candidate.id);
    if (!system || system.approximation || candidate.vendor !== target.vendor) continue;
    if ((candidate.deviceClass ?? '') !== (target.deviceClass ?? '')) continue;
    const distance = Math.abs(Math.log(candidate.memoryBandwidth / target.memoryBandwidth));
    if (!best || distance < Math.abs(Math.log(best.memoryBandwidth / target.memoryBandwidth)))
      best = candidate;
  }
  return best;
}

/**
 * The engine's shipped tables on the other measured GPUs of the target's device class (same vendor), as
 * measured ops carried to the target (efficiency transferred), nearest first in memory bandwidth and
 * `dtype`'s GEMM peak: GB200 stands for B200 before B300, whose fp4 units are faster.
 */
export function siblingMeasuredOps(ops: MeasuredOps, dtype: WeightDtype): MeasuredOps[] {
  const target = ops.target;
  const distance = (h: HardwareSpec) =>
    Math.abs(Math.log(h.memoryBandwidth / target.memoryBandwidth)) +
    Math.abs(Math.log(devicePeaks(h, dtype).gemmFlops / devicePeaks(target, dtype).gemmFlops));
  const found: MeasuredOps[] = [];
  for (const candidate of HARDWARE_CATALOG) {
    const system = perfDbSystemFor(candidate.id);
    if (!system || system.approximation || system.system === ops.tables.system) continue;
    if (candidate.vendor !== target.vendor || candidate.deviceClass !== target.deviceClass) continue;
    const tables = shippedTables(system.system, ops.engine);
    if (tables) found.push(new MeasuredOps(tables, candidate, target, ops.engine));
  }
  return found.sort((a, b) => distance(a.measuredOn) - distance(b.measuredOn));
}

const resolved = new Map<string, MeasuredOps | null>();
const tablesIds = new WeakMap<OpTables, number>();
let nextTablesId = 1;

/**
 * The measured ops for `target` under `engine`: `tables` where given (a database the user read, for the
 * GPU it names), else the shipped tables of the target's system, else those of the nearest measured GPU
 * of its class (transferred); undefined where none apply (roofline defaults).
 */
export function resolveMeasuredOps(
  target: HardwareSpec,
  engine: ServingEngine,
  tables?: OpTables,
): MeasuredOps | undefined {
  let id = 0;
  if (tables) {
    id = tablesIds.get(tables) ?? nextTablesId++;
    tablesIds.set(tables, id);
  }
  const key = JSON.stringify([target, engine, id]);
  let found = resolved.get(key);
  if (found === undefined) {
    found = findMeasuredOps(target, engine, tables) ?? null;
    resolved.set(key, found);
  }
  return found ?? undefined;
}

function findMeasuredOps(
  target: HardwareSpec,
  engine: ServingEngine,
  given?: OpTables,
): MeasuredOps | undefined {
  if (given) {
    const measuredOn =
      HARDWARE_CATALOG.find((h) => hardwareIdsMeasuredBy(given.system)[0] === h.id) ?? target;
    return new MeasuredOps(given, measuredOn, target, engine);
  }
  const own = perfDbSystemFor(target.id);
  const ownTables = own ? shippedTables(own.system, engine) : null;
  if (ownTables) return new MeasuredOps(ownTables, target, target, engine);
  const source = transferSourceFor(target);
  const system = source && perfDbSystemFor(source.id);
  const sourceTables = system ? shippedTables(system.system, engine) : null;
  return source && sourceTables ? new MeasuredOps(sourceTables, source, target, engine) : undefined;
}
