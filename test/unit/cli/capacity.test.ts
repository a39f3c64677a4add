import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gpuCountOrRange, hardwareList } from '../../../src/cli/options.js';
import { HARDWARE_CATALOG } from '../../../src/engine/hardware/catalog.js';
import { CapacityPlan } from '../../../src/engine/search/capacity.js';

function search(...args: string[]) {
  return spawnSync(process.execPath, ['dist/cli.mjs', 'search', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
}

const RUN = [
  ...['--model', 'llama-3.1-8b', '--slo', 'ttft=1.5,tbt=60ms', '--rate', '10', '--sample-requests', '150'],
  ...['--workload', 'poisson:rate=10,prompt=uniform(256,1024),output=uniform(32,192),n=150'],
];

describe('search: capacity planning', () => {
  it('reads a GPU list and a GPU range', () => {
    assert.deepEqual(hardwareList('h100-sxm, h200,,h100-sxm'), ['h100-sxm', 'h200']);
    assert.equal(gpuCountOrRange('8'), 8);
    assert.deepEqual(gpuCountOrRange('4..64'), { min: 4, max: 64 });
    assert.throws(() => gpuCountOrRange('8..4'), /min ≤ max/);
    assert.throws(() => gpuCountOrRange('0..4'), /positive integer/);
  });

  it('servetune hardware lists each GPU list price and its date', () => {
    const run = spawnSync(process.execPath, ['dist/cli.mjs', 'hardware'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /\$\/GPU-hour/);
    assert.match(run.stdout, /\nh100-sxm .* \$2\.69 \(2026-03-10\) +700 W\n/);
    assert.match(
      run.stdout,
      /\n {2}h100-sxm: \$2\.69, RunPod H100 SXM 80GB, lowest listed hourly rate, https:\/\/deploybase\.ai\/\S+ \(2026-03-10\)\n/,
    );
    assert.match(run.stdout, /\nh20 .* - +-\n/, 'no price or power found: none shown');
    assert.ok(!/\n {2}h20:/.test(run.stdout));
  });

  it('prints per GPU type the cheapest plan, marks the cheapest, and --json carries the same', () => {
    const json = search('--hardware', 'l40s,h100-sxm', '--gpus', '1..4', '--json', '--threads', '0', ...RUN);
    assert.equal(json.status, 0, json.stderr);
    const plan = CapacityPlan.parse(JSON.parse(json.stdout));
    assert.deepEqual(
      plan.rows.map((r) => r.hardware),
      ['l40s', 'h100-sxm'],
    );
    assert.equal(plan.rows.filter((r) => r.cheapest).length, 1);
    const text = search('--hardware', 'l40s,h100-sxm', '--gpus', '1..4', '--threads', '0', ...RUN);
    assert.equal(text.status, 0, text.stderr);
    const cheapest = plan.rows.find((r) => r.cheapest)!;
    assert.match(text.stdout, new RegExp(`\\* ${cheapest.hardware} +${cheapest.plan!.gpus} `));
    assert.match(text.stdout, /\$\/hour +\$\/M output +\$\/M total/);
    // Each type's engine commands, as search prints them, and --json carries the same.
    assert.match(
      text.stdout,
      /\nEngine commands \(each GPU type's configuration, as search prints it\):\nl40s: /,
    );
    for (const row of plan.rows.filter((r) => r.plan)) {
      const [server] = row.commands!.servers;
      assert.ok(
        text.stdout.includes(`  ${server.commandLine}   (× `),
        `${row.hardware}: ${server.commandLine}`,
      );
    }
    assert.match(text.stdout, /Prices:\n {2}\$0\.79\/GPU-hour of l40s \(RunPod/);
    const noRate = RUN.filter((a, i) => a !== '--rate' && RUN[i - 1] !== '--rate');
    const refused = search('--hardware', 'l40s,h100-sxm', '--gpus', '4', '--concurrency', '8', ...noRate);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /--concurrency is not taken when planning capacity/);
    // --json carries what the text shows: each type's price with its source and date, energy, the front.
    const h100 = plan.rows.find((r) => r.hardware === 'h100-sxm')!;
    assert.match(h100.price!.source, /deploybase\.ai.*\(2026-03-10\)/);
    assert.equal(h100.plan!.energy!.wattsPerGpu, 700);
    assert.ok(plan.front.length > 0 && plan.front.every((o) => o.cost !== null));
  });

  it('docs/prices.md lists every catalog price with its offer, page and date, and every TDP', () => {
    const doc = readFileSync('docs/prices.md', 'utf8');
    for (const h of HARDWARE_CATALOG) {
      const p = h.price;
      const row = `| ${h.id} | ${p ? `$${p.usdPerGpuHour.toFixed(2)}` : '–'} | ${p ? p.offer : 'no public price found'} | ${p ? p.source : ''} | ${p ? p.asOf : ''} | ${h.power ? `${h.power.watts} W` : '–'} |`;
      assert.ok(doc.includes(`${row}\n`), `docs/prices.md lacks: ${row}`);
    }
  });

  it('--html writes the capacity report: per GPU type, the cheapest marked, the prices used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-capacity-'));
    const html = join(dir, 'plan.html');
    const run = search(
      '--hardware',
      'l40s,h100-sxm',
      '--gpus',
      '1..4',
      '--threads',
      '0',
      '--html',
      html,
      ...RUN,
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Report written to /);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<title>ServeTune capacity plan: Llama-3\.1-8B at 10\.00 req\/s<\/title>/);
    assert.match(page, /<tr class="best"><td>(l40s|h100-sxm) \(cheapest\)<\/td>/);
    assert.match(page, /\$0\.79\/GPU-hour of l40s \(RunPod/);
  });
});
