import type { Command } from 'commander';
import { HARDWARE_CATALOG } from '../../engine/hardware/catalog.js';
import { MODEL_CATALOG } from '../../engine/model/catalog.js';
import { modelParams } from '../../engine/model/params.js';
import { compact, printJson, table } from '../format.js';

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
      const rows = [['id', 'memory', 'HBM GB/s', 'bf16 TF', 'fp8 TF', 'fp32 TF', 'intra-node']];
      for (const h of HARDWARE_CATALOG) {
        rows.push([
          h.id,
          `${Math.round(h.memoryBytes / 1024 ** 3)} GiB`,
          String(Math.round(h.memoryBandwidth / 1e9)),
          String(Math.round(h.tensorFlops.fp16 / 1e12)),
          h.tensorFlops.fp8 ? String(Math.round(h.tensorFlops.fp8 / 1e12)) : '-',
          (h.vectorFp32Flops / 1e12).toFixed(1),
          `${h.intraNode.generation} ${Math.round(h.intraNode.bytesPerSecondPerDirection / 1e9)} GB/s`,
        ]);
      }
      console.log(table(rows));
    });
}
