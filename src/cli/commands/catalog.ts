import type { Command } from 'commander';
import { HARDWARE_CATALOG } from '../../engine/hardware/catalog.js';
import type { CatalogHardwareSpec } from '../../engine/hardware/spec.js';
import { MODEL_CATALOG } from '../../engine/model/catalog.js';
import { modelLayers } from '../../engine/model/geometry.js';
import { modelParams } from '../../engine/model/params.js';
import type { CheckpointFormat, ModelSpec } from '../../engine/model/spec.js';
import { printJson, table } from '../format.js';

const billions = (n: number) => (n >= 1e12 ? `${(n / 1e12).toFixed(2)}T` : `${(n / 1e9).toFixed(1)}B`);

/** Context as engines write it: 128K, 10M. */
function describeContext(tokens: number): string {
  if (tokens % (1024 * 1024) === 0) return `${tokens / (1024 * 1024)}M`;
  return tokens % 1024 === 0 ? `${tokens / 1024}K` : String(tokens);
}

/**
 * `GQA 64/8` (query/KV heads) or `MLA 128h`, the layers that keep less than everything, and a sparse
 * attention's top-k.
 */
function describeAttention(m: ModelSpec): string {
  const heads = m.mla
    ? `MLA ${m.numHeads}h`
    : `${m.numHeads === m.numKvHeads ? 'MHA' : 'GQA'} ${m.numHeads}/${m.numKvHeads}`;
  const kinds = modelLayers(m).map((layer) => layer.attention.kind);
  const sliding = kinds.filter((k) => k === 'sliding').length;
  const linear = kinds.filter((k) => k === 'linear').length;
  const parts = [heads];
  if (sliding > 0) parts.push(`${sliding === m.numLayers ? 'all' : sliding} sliding ${m.slidingWindow}`);
  if (linear > 0) parts.push(`${linear} linear`);
  if (m.sparseAttention) parts.push(`sparse top-${m.sparseAttention.topK}`);
  return parts.join(', ');
}

/** `256 top-8 +shared, 3 dense`: routed experts, what each token runs, and the dense layers among them. */
function describeExperts(m: ModelSpec): string {
  if (!m.moe) return '-';
  const parts = [`${m.moe.numExperts} top-${m.moe.topK}${m.moe.sharedIntermediateSize ? ' +shared' : ''}`];
  const dense = m.moe.denseLayers?.length ?? 0;
  if (dense > 0) parts.push(`${dense} dense`);
  return parts.join(', ');
}

/** `fp8 (128×128 blocks)`, `mxfp4 experts`, `int4 g128`. */
function describeCheckpoint(c: CheckpointFormat): string {
  const group =
    c.groupSize === undefined
      ? ''
      : c.dtype === 'fp8' && Number.isInteger(Math.sqrt(c.groupSize))
        ? ` ${Math.sqrt(c.groupSize)}²`
        : ` g${c.groupSize}`;
  const all = c.quantized.includes('attention');
  return `${c.dtype}${group}${all ? '' : ` ${c.quantized.join('+')}`}`;
}

const tera = (flops: number | null) => (flops === null ? '-' : String(Math.round(flops / 1e12)));
const gigabytes = (bytes: number) => String(Math.round(bytes / 1e9));

/** One GPU's line: dense peaks, and the links with the GPUs that share the scale-up one (`×72`). */
function hardwareRow(h: CatalogHardwareSpec): string[] {
  return [
    h.id,
    `${Math.round(h.memoryBytes / 1024 ** 3)} GiB`,
    gigabytes(h.memoryBandwidth),
    tera(h.tensorFlops.fp16),
    tera(h.tensorFlops.fp8),
    tera(h.tensorFlops.fp4),
    (h.vectorFp32Flops / 1e12).toFixed(1),
    `${h.intraNode.generation} ${gigabytes(h.intraNode.bytesPerSecondPerDirection)} GB/s ×${h.scaleUpDomain}`,
    `${gigabytes(h.interNodeBytesPerSecond)} GB/s`,
    h.price ? `$${h.price.usdPerGpuHour.toFixed(2)} (${h.price.asOf})` : '-',
    h.power ? `${h.power.watts} W` : '-',
  ];
}

export function registerCatalogCommands(program: Command): void {
  program
    .command('models')
    .description('list the built-in models')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => {
      if (flags.json) return printJson(MODEL_CATALOG);
      const rows = [
        ['id', 'family', 'params', 'active', 'layers', 'attention', 'experts', 'context', 'weights'],
      ];
      for (const m of MODEL_CATALOG) {
        const params = modelParams(m);
        rows.push([
          m.id,
          m.family,
          billions(params.total),
          billions(params.activePerToken),
          String(m.numLayers),
          describeAttention(m),
          describeExperts(m),
          describeContext(m.maxContextLength),
          m.checkpointFormat ? describeCheckpoint(m.checkpointFormat) : 'bf16',
        ]);
      }
      console.log(table(rows));
      console.log(
        '\nactive: parameters one token runs (MoE: its top-k experts). Source repositories: --json.',
      );
    });

  program
    .command('hardware')
    .description('list the hardware catalog')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => {
      if (flags.json) return printJson(HARDWARE_CATALOG);
      const rows = [
        [
          'id',
          'memory',
          'mem GB/s',
          'bf16 TF',
          'fp8 TF',
          'fp4 TF',
          'fp32 TF',
          'scale-up',
          'network',
          '$/GPU-hour',
          'TDP',
        ],
      ];
      for (const h of HARDWARE_CATALOG) rows.push(hardwareRow(h));
      console.log(table(rows));
      console.log(
        '\n$/GPU-hour: a public on-demand list price on the date shown, not a quote; --price or servetune.json "prices" give your own (docs/prices.md).',
      );
      console.log(
        'TDP: the datasheet power energy estimates start from (--json gives each source).\nPrices:',
      );
      for (const h of HARDWARE_CATALOG) {
        if (h.price)
          console.log(
            `  ${h.id}: $${h.price.usdPerGpuHour.toFixed(2)}, ${h.price.offer}, ${h.price.source} (${h.price.asOf})`,
          );
      }
    });
}
