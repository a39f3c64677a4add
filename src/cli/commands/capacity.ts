import { readFileSync } from 'node:fs';
import { renderCapacityReportHtml } from '../../engine/report/capacity-html.js';
import { type CapacityInput, type CapacityPlan, planCapacity } from '../../engine/search/capacity.js';
import { capacityCommandLines } from '../../engine/search/capacity-commands.js';
import { priceText } from '../../engine/search/cost.js';
import { ENERGY_BASIS } from '../../engine/search/energy.js';
import { latencyText, shownLatencies, sloTargetsText } from '../../engine/search/format.js';
import { ServeTuneError } from '../../engine/util/errors.js';
import { printJson, table, writeTextFile } from '../format.js';
import { requireSlo } from '../require-slo.js';

/** `--gpus 8` or a range `--gpus 4..64`. */
export interface GpuRange {
  min: number;
  max: number;
}

/** `search` plans capacity when given several GPU types or a range of GPU counts. */
export function isCapacityPlanning(hardware: readonly string[], gpus: number | GpuRange): boolean {
  return hardware.length > 1 || typeof gpus !== 'number';
}

const usd = (x: number | null | undefined, digits = 2) => (x == null ? '-' : `$${x.toFixed(digits)}`);

/** '0.52 J', or '-' without a power figure. */
const joules = (x: number | null | undefined) => (x == null ? '-' : `${x.toPrecision(2)} J`);

function printCapacityPlan(plan: CapacityPlan): void {
  const p = plan.slo.percentile;
  const shown = shownLatencies(plan.slo);
  console.log(
    `${plan.modelName}, ${plan.engine}: to serve ${plan.workload.rate.toFixed(2)} req/s of ${plan.workload.source} (${plan.workload.requests} requests sampled) on ${plan.gpus.min}..${plan.gpus.max} GPUs; SLO: ${sloTargetsText(plan.slo)}`,
  );
  console.log(
    `${plan.simulations} simulations in ${plan.wallSeconds.toFixed(1)} s.${plan.calibrated ? ' Calibrated with a measured profile.' : ''}\n`,
  );
  for (const r of plan.rows) if (r.calibrationNote) console.log(`${r.hardware}: ${r.calibrationNote}`);
  const rows = plan.rows.map((r) => {
    const o = r.plan;
    if (!o) return [`  ${r.hardware}`, '-', r.reason ?? '', '', '', '', '', '', '', ''];
    return [
      `${r.cheapest ? '* ' : '  '}${r.hardware}`,
      String(o.gpus),
      o.label,
      usd(o.cost?.usdPerHour),
      usd(o.cost?.usdPerMillionOutputTokens, 3),
      usd(o.cost?.usdPerMillionTotalTokens, 3),
      o.metrics.throughputPerGpu.toFixed(0),
      o.metrics.speedPerUser.toFixed(1),
      `${shown.map(({ metric }) => latencyText(o.metrics[metric][p])).join(', ')} / ${(o.metrics.attainment * 100).toFixed(1)}%`,
      joules(o.energy?.joulesPerOutputToken),
    ];
  });
  console.log('Cheapest configuration per GPU type meeting the SLO at the rate (* cheapest overall):');
  console.log(
    table([
      [
        'GPU',
        'GPUs',
        'configuration',
        '$/hour',
        '$/M output',
        '$/M total',
        'tok/s/GPU',
        'tok/s/user',
        `${shown.map(({ label }) => `${label} ${p}`).join(', ')} / within SLO`,
        'J/output token',
      ],
      ...rows,
    ]),
  );
  if (plan.rows.some((r) => r.plan?.energy)) console.log(`J/output token: ${ENERGY_BASIS}.`);
  const commands = capacityCommandLines(plan.rows);
  if (commands.length > 0) {
    console.log("\nEngine commands (each GPU type's configuration, as search prints it):");
    for (const line of commands) console.log(line);
  }
  console.log('\nPrices:');
  for (const r of plan.rows) {
    console.log(
      `  ${r.price ? priceText(r.price) : `${r.hardware}: none listed; pass --price ${r.hardware}=<US dollars per GPU-hour>`}`,
    );
  }
  if (plan.front.length > 0) {
    console.log(`\nCost against latency (each cheaper point has a higher TTFT ${p}):`);
    console.log(
      table([
        ['$/hour', 'GPU', 'GPUs', 'configuration', `TTFT ${p}`],
        ...plan.front.map((o) => [
          usd(o.cost?.usdPerHour),
          o.hardware,
          String(o.gpus),
          o.label,
          latencyText(o.metrics.ttft[p]),
        ]),
      ]),
    );
  }
}

/** `search` flags of one deployment's search that a capacity plan has no use for. */
interface SearchOnlyFlags {
  emit?: string;
  allowSpeculation?: boolean;
}

/**
 * Refuses what a capacity plan would otherwise drop without a word: deployment files (it compares GPU
 * types and counts, not one deployment's settings) and speculative decoding, which its candidates leave out.
 */
function refuseSearchOnlyFlags(flags: SearchOnlyFlags): void {
  const given = [
    flags.emit !== undefined ? '--emit' : undefined,
    flags.allowSpeculation ? '--allow-speculation' : undefined,
  ].filter((flag) => flag !== undefined);
  if (given.length === 0) return;
  throw new ServeTuneError(
    `${given.join(', ')}: not taken when planning capacity (several --hardware or a --gpus range); search the GPU type and count it chooses for ${given.length > 1 ? 'them' : 'it'}`,
    'invalid-argument',
    given[0],
  );
}

/** Runs the capacity plan `search` was asked for and prints it (or its JSON). */
export async function runCapacityPlanning(
  input: CapacityInput,
  flags: {
    json?: boolean;
    html?: string;
    concurrency?: number;
    requireSlo?: boolean;
  } & SearchOnlyFlags,
): Promise<void> {
  if (flags.concurrency !== undefined) {
    throw new ServeTuneError(
      '--concurrency is not taken when planning capacity (several --hardware or a --gpus range): it sizes deployments to a --rate; search one GPU type and count for a closed loop',
      'invalid-argument',
      '--concurrency',
    );
  }
  refuseSearchOnlyFlags(flags);
  const plan = await planCapacity(input, {
    workerFile: new URL('./search-worker.mjs', import.meta.url),
    onProgress: (done, total) => {
      if (!flags.json && process.stderr.isTTY) process.stderr.write(`\rGPU types: ${done}/${total}   `);
    },
  });
  if (process.stderr.isTTY && !flags.json) process.stderr.write('\r\x1b[K');
  if (flags.html) {
    const assets = {
      webviewJs: readFileSync(new URL('./webview.js', import.meta.url), 'utf8'),
      webviewCss: readFileSync(new URL('../media/webview.css', import.meta.url), 'utf8'),
    };
    writeTextFile(flags.html, renderCapacityReportHtml(plan, assets));
    if (!flags.json) console.log(`Report written to ${flags.html}\n`);
  }
  if (flags.json) printJson(plan);
  else printCapacityPlan(plan);
  const met = plan.rows.some((r) => r.plan !== null);
  // Nothing meets the SLO on any GPU type: exit 3 as a search where nothing fits, --require-slo or not.
  if (!met) process.exitCode = 3;
  if (flags.requireSlo)
    requireSlo('search', met, {
      slo: plan.slo,
      load: `at ${plan.workload.rate.toFixed(2)} req/s`,
      nothing: 'no GPU type',
      runs: [],
      why: plan.rows.map((r) => `${r.hardware}: ${r.reason ?? 'no plan'}`).join('; '),
    });
}
