import type { Command } from 'commander';
import { HARDWARE_CATALOG } from '../../engine/hardware/catalog.js';
import type { CatalogHardwareSpec } from '../../engine/hardware/spec.js';
import { MODEL_CATALOG } from '../../engine/model/catalog.js';
import { modelParams } from '../../engine/model/params.js';
import { compact, printJson, table } from '../format.js';

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
  ];
}

export function registerCatalogCommands(program: Command): void {
  program
    .command('models')
    .description('list the built-in models')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => {
      if (flags.json) return printJson(MODEL_CATALOG);
      const rows = [['id', 'params', 'layers', 'hidden', 'heads/kv', 'ffn', 'experts', 'source']];
      for (const m of MODEL_CATALOG) {
        rows.push([
          m.id,
          compact(modelParams(m).total),
          String(m.numLayers),
          String(m.hiddenSize),
          `${m.numHeads}/${m.numKvHeads}`,
          String(m.intermediateSize),
          m.moe ? `${m.moe.numExperts} top-${m.moe.topK}` : '-',
          m.source,
        ]);
      }
      console.log(table(rows));
    });

  program
    .command('hardware')
    .description('list the hardware catalog')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => {
      if (flags.json) return printJson(HARDWARE_CATALOG);
      const rows = [
        ['id', 'memory', 'mem GB/s', 'bf16 TF', 'fp8 TF', 'fp4 TF', 'fp32 TF', 'scale-up', 'network'],
      ];
      for (const h of HARDWARE_CATALOG) rows.push(hardwareRow(h));
      console.log(table(rows));
    });
}
