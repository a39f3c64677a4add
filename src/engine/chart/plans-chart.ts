import { describePlan, type Plan } from '../memory/plan.js';
import type { PlansReport } from '../memory/plans.js';
import {
  type ChartModel,
  ChartModel as ChartModelSchema,
  type ChartPoint,
  type ChartSpec,
} from '../protocol/webview.js';
import { paretoFront } from './pareto.js';

const GiB = 1024 ** 3;

/**
 * The memory trade-off of a plans report as a chart model. This is not a performance search: it says
 * how many sequences each layout can hold at once against the GPUs it spends per replica (fewer GPUs per
 * replica means less tensor/pipeline communication). The front over those two memory facts is exact;
 * latency and throughput need the simulator.
 */
export function plansChartModel(report: PlansReport, createdAt: string): ChartModel {
  const fitting = report.plans.filter((p) => p.fits);
  const charts: ChartSpec[] = [
    {
      id: 'concurrency',
      title: 'Concurrent sequences (cluster) vs GPUs per replica',
      group: 'concurrency',
      x: {
        metric: 'gpusPerReplica',
        label: 'GPUs per replica',
        unit: 'GPUs',
        scale: 'linear',
        better: 'lower',
      },
      y: {
        metric: 'clusterConcurrentSequences',
        label: 'Concurrent sequences (cluster)',
        unit: '',
        scale: 'linear',
        better: 'higher',
      },
      region: null,
    },
    {
      id: 'kv',
      title: 'KV cache per GPU vs weights per GPU',
      group: 'kv',
      x: {
        metric: 'weightGiBPerGpu',
        label: 'Weights per GPU',
        unit: 'GiB',
        scale: 'linear',
        better: 'lower',
      },
      y: { metric: 'kvGiBPerGpu', label: 'KV cache per GPU', unit: 'GiB', scale: 'linear', better: 'higher' },
      region: null,
    },
  ];
  const points: ChartPoint[] = fitting.map((p) => {
    const plan = p.plan as Plan;
    return {
      id: describePlan(plan),
      label: describePlan(plan),
      metrics: {
        gpusPerReplica: plan.tp * plan.pp,
        clusterConcurrentSequences: p.cluster.maxConcurrentSequences,
        clusterKvTokens: p.cluster.kvCapacityTokens,
        weightGiBPerGpu: p.perGpu.weightBytes / GiB,
        kvGiBPerGpu: p.perGpu.kvCacheBytes / GiB,
      },
      fronts: [],
      feasible: true,
      settings: {
        tensorParallelSize: plan.tp,
        pipelineParallelSize: plan.pp,
        dataParallelSize: plan.dp,
        ...(plan.ep > 1 ? { expertParallelSize: plan.ep } : {}),
        gpuMemoryUtilization: p.settings.gpuMemoryUtilization,
        maxModelLen: p.settings.contextLength,
      },
      notes: [`${p.perReplica.kvCapacityTokens} KV tokens per replica`],
    };
  });
  for (const chart of charts) {
    const front = paretoFront(
      points.map((p) => ({ x: p.metrics[chart.x.metric]!, y: p.metrics[chart.y.metric]! })),
      chart.x.better,
      chart.y.better,
    );
    for (const index of front) points[index]!.fronts.push(chart.id);
  }
  // Best: most sequences held at once, then fewest GPUs per replica.
  const best = [...points].sort(
    (a, b) =>
      b.metrics.clusterConcurrentSequences! - a.metrics.clusterConcurrentSequences! ||
      a.metrics.gpusPerReplica! - b.metrics.gpusPerReplica!,
  )[0];
  return ChartModelSchema.parse({
    kind: 'memory-plans',
    title: `Memory trade-off: ${report.model} on ${report.gpus}× ${report.hardware}`,
    subtitle: `${fitting.length} of ${report.plans.length} layouts fit. Memory only: run a search for latency and throughput.`,
    charts,
    points,
    bestId: best?.id ?? null,
    bestRule: 'most concurrent sequences in the cluster, then fewest GPUs per replica',
    createdAt,
  });
}
