import type { ChartModel, ChartPoint, ChartSpec } from '../protocol/webview.js';
import type { CapacityOption, CapacityPlan } from '../search/capacity.js';
import { sloTargetsText } from '../search/format.js';

/**
 * A capacity plan as the Pareto panel's chart model: $/hour against TTFT at the SLO's percentile, one
 * point per GPU type's cheapest deployment and per member of the cost–latency front.
 */
export function capacityChartModel(plan: CapacityPlan): ChartModel {
  const p = plan.slo.percentile;
  const chart: ChartSpec = {
    id: 'cost',
    title: `Cost per hour against TTFT ${p}, each deployment sized to ${plan.workload.rate.toFixed(2)} req/s`,
    group: 'cost',
    x: { metric: `ttft_${p}_s`, label: `TTFT ${p}`, unit: 's', scale: 'log', better: 'lower' },
    y: { metric: 'usd_per_hour', label: 'Cost per hour', unit: '$', scale: 'log', better: 'lower' },
    region: null,
  };
  const cheapest = new Map(
    plan.rows.flatMap((r) => (r.plan ? [[pointId(r.plan), r.cheapest] as const] : [])),
  );
  const onFront = new Set(plan.front.map(pointId));
  const options = new Map<string, CapacityOption>();
  for (const o of [...plan.rows.flatMap((r) => (r.plan ? [r.plan] : [])), ...plan.front])
    options.set(pointId(o), o);
  const points: ChartPoint[] = [...options.entries()].flatMap(([id, o]) => {
    if (!o.cost) return [];
    return [
      {
        id,
        label: `${o.gpus}× ${o.hardware}: ${o.label}`,
        metrics: {
          [`ttft_${p}_s`]: o.metrics.ttft[p],
          usd_per_hour: o.cost.usdPerHour,
          ...(o.cost.usdPerMillionOutputTokens === null
            ? {}
            : { usd_per_m_output_tokens: o.cost.usdPerMillionOutputTokens }),
          gpus: o.gpus,
        },
        fronts: onFront.has(id) ? ['cost'] : [],
        feasible: true,
        settings: { hardware: o.hardware, gpus: o.gpus, configuration: o.label },
        notes: [
          ...(cheapest.has(id)
            ? [`cheapest ${o.hardware} deployment${cheapest.get(id) ? ', cheapest overall' : ''}`]
            : []),
        ],
      },
    ];
  });
  const best = plan.rows.find((r) => r.cheapest)?.plan;
  return {
    kind: 'capacity',
    title: `${plan.modelName}: which GPUs, how many, at what cost`,
    subtitle: `${plan.workload.rate.toFixed(2)} req/s of ${plan.workload.source}; ${plan.gpus.min}..${plan.gpus.max} GPUs; SLO: ${sloTargetsText(plan.slo)}`,
    charts: [chart],
    points,
    bestId: best ? pointId(best) : null,
    bestRule: 'the cheapest deployment per hour meeting the SLO at the rate',
    createdAt: new Date().toISOString(),
    partial: false,
  };
}

function pointId(o: CapacityOption): string {
  return `${o.hardware}|${o.candidate.id}`;
}
