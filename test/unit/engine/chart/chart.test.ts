import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartModelToCsv, settingsText } from '../../../../src/engine/chart/csv.js';
import { type Better, dominates, paretoFront } from '../../../../src/engine/chart/pareto.js';
import { plansChartModel } from '../../../../src/engine/chart/plans-chart.js';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { enumeratePlans } from '../../../../src/engine/memory/plans.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { ChartModel, HostToWebview, WebviewToHost } from '../../../../src/engine/protocol/webview.js';

// A small seeded generator so the randomized comparison is the same on every run.
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

test('paretoFront matches the brute-force definition on random point sets', () => {
  const random = lcg(42);
  const directions: Better[] = ['lower', 'higher'];
  for (let trial = 0; trial < 300; trial++) {
    const n = Math.floor(random() * 25);
    // Few distinct values, so ties and duplicates happen often.
    const points = Array.from({ length: n }, () => ({
      x: Math.floor(random() * 6),
      y: Math.floor(random() * 6),
    }));
    const xb = directions[trial % 2]!;
    const yb = directions[Math.floor(trial / 2) % 2]!;
    const expected = points
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => !points.some((q) => dominates(q, p, xb, yb)))
      .map(({ i }) => i);
    assert.deepEqual(paretoFront(points, xb, yb), expected, `trial ${trial} (${xb}, ${yb})`);
  }
});

test('paretoFront leaves out non-finite points', () => {
  const front = paretoFront(
    [
      { x: 1, y: Number.NaN },
      { x: 2, y: 2 },
      { x: Number.POSITIVE_INFINITY, y: 9 },
    ],
    'lower',
    'higher',
  );
  assert.deepEqual(front, [1]);
});

test('the memory chart of Llama 70B on 8 H100 flags an honest front and a best plan', () => {
  const report = enumeratePlans(getModel('llama-3.1-70b'), getHardware('h100-sxm'), 8, {
    weightDtype: 'bf16',
    kvDtype: 'bf16',
  });
  const model = plansChartModel(report, '2026-01-01T00:00:00Z');
  assert.equal(model.kind, 'memory-plans');
  assert.equal(model.points.length, report.plans.filter((p) => p.fits).length);
  assert.ok(model.points.length > 0);
  for (const chart of model.charts) {
    const onFront = model.points.filter((p) => p.fronts.includes(chart.id));
    assert.ok(onFront.length > 0, chart.id);
    // No point off the front may dominate a front member, and every off-front point is dominated.
    const xy = (p: (typeof model.points)[number]) => ({
      x: p.metrics[chart.x.metric]!,
      y: p.metrics[chart.y.metric]!,
    });
    for (const p of model.points) {
      const dominated = model.points.some((q) => dominates(xy(q), xy(p), chart.x.better, chart.y.better));
      assert.equal(p.fronts.includes(chart.id), !dominated, `${chart.id}: ${p.id}`);
    }
  }
  const best = model.points.find((p) => p.id === model.bestId)!;
  const most = Math.max(...model.points.map((p) => p.metrics.clusterConcurrentSequences!));
  assert.equal(best.metrics.clusterConcurrentSequences, most);
  assert.equal(
    (best.settings.tensorParallelSize! as number) *
      (best.settings.pipelineParallelSize as number) *
      (best.settings.dataParallelSize as number),
    8,
  );
});

test('CSV has one row per point, quotes what needs quoting, and marks fronts and best', () => {
  const model = ChartModel.parse({
    kind: 'test',
    title: 't',
    subtitle: 's',
    charts: [
      {
        id: 'c',
        title: 'c',
        group: 'g',
        x: { metric: 'a', label: 'a', unit: '', better: 'lower' },
        y: { metric: 'b', label: 'b', unit: '', better: 'higher' },
        region: null,
      },
    ],
    points: [
      {
        id: 'p1',
        label: 'TP2, "fast"',
        metrics: { a: 1, b: 2 },
        fronts: ['c'],
        feasible: true,
        settings: { tp: 2 },
      },
      {
        id: 'p2',
        label: 'TP1',
        metrics: { a: 2 },
        fronts: [],
        feasible: false,
        settings: { tp: 1, chunked: true },
      },
    ],
    bestId: 'p1',
    bestRule: 'r',
    createdAt: 'now',
  });
  const lines = chartModelToCsv(model).trimEnd().split('\n');
  assert.deepEqual(lines, [
    'id,label,feasible,best,front:c,a,b,setting:chunked,setting:tp',
    'p1,"TP2, ""fast""",true,true,1,1,2,,2',
    'p2,TP1,false,false,0,2,,true,1',
  ]);
  assert.equal(settingsText({ tp: 2, chunked: true }), 'tp: 2\nchunked: true\n');
});

test('webview messages are validated on both sides', () => {
  assert.equal(WebviewToHost.safeParse({ type: 'ready', view: 'pareto' }).success, true);
  assert.equal(WebviewToHost.safeParse({ type: 'ready', view: 'other' }).success, false);
  assert.equal(
    WebviewToHost.safeParse({ type: 'run-command', command: 'workbench.action.quit' }).success,
    false,
  );
  assert.equal(
    WebviewToHost.safeParse({
      type: 'export-png',
      images: [{ chartId: 'c', dataUrl: 'javascript:alert(1)' }],
    }).success,
    false,
  );
  assert.equal(HostToWebview.safeParse({ type: 'chart', state: { selectedId: null } }).success, false);
});
