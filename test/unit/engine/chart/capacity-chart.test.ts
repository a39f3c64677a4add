import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capacityChartModel } from '../../../../src/engine/chart/capacity-chart.js';
import { ChartModel } from '../../../../src/engine/protocol/webview.js';
import { smallCapacityPlan } from '../../helpers/small-capacity-plan.js';

const plan = smallCapacityPlan();

describe('the capacity plan in the editor', () => {
  it('charts $/hour against TTFT: each type’s cheapest deployment and the front, the cheapest as best', async () => {
    const p = await plan;
    const model = ChartModel.parse(capacityChartModel(p));
    assert.equal(model.charts[0].y.metric, 'usd_per_hour');
    assert.equal(model.charts[0].x.metric, 'ttft_p90_s');
    const cheapest = p.rows.find((r) => r.cheapest)!;
    const best = model.points.find((pt) => pt.id === model.bestId)!;
    assert.equal(best.metrics.usd_per_hour, cheapest.plan!.cost!.usdPerHour);
    assert.ok(best.notes.some((n) => /cheapest overall/.test(n)));
    assert.equal(model.points.filter((pt) => pt.fronts.includes('cost')).length, p.front.length);
    assert.ok(
      !model.points.some((pt) => pt.settings.hardware === 'h20'),
      'no price, no point on a cost chart',
    );
    assert.match(model.subtitle, /SLO: 90% of requests within TTFT 1\.5 s and p90 token gap 60 ms/);
  });
});
