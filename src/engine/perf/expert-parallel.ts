import { z } from 'zod';
import type { Plan } from '../memory/plan.js';
import { SeededRandom } from '../util/random.js';

/**
 * Wide expert parallelism as the step model prices it: how many attention-data-parallel batches meet in
 * one EP group, what each GPU sends in the dispatch (and gets back in the combine), and how much more
 * than the mean the busiest EP rank routes, from a routing skew and EPLB's redundant experts.
 */

/**
 * Expert routing: `skew` is the exponent of a power law over expert popularity (0: every expert equally
 * likely, balanced; aiconfigurator measures its skewed MoE kernels at 1.01 and 1.2); `redundantExperts`
 * are EPLB's replicas of hot experts (DeepSeek-V3's prefill deployment ran 32).
 */
export const ExpertRouting = z.object({
  skew: z.number().min(0).max(3).default(0),
  redundantExperts: z.number().int().min(0).max(4096).default(0),
});
export type ExpertRouting = z.output<typeof ExpertRouting>;

/** Attention-DP batches in one EP group: EP over more GPUs than one replica's TP group spans ep / tp replicas. */
export function epGroupBatches(plan: Pick<Plan, 'tp' | 'ep'>): number {
  return plan.ep > plan.tp ? plan.ep / plan.tp : 1;
}

/**
 * Bytes one GPU sends in an EP dispatch (and receives back in the combine): the top-k copies of its
 * share of its replica's tokens (a TP group's GPUs hold the same tokens and split them; with EP smaller
 * than TP, over the EP ranks), the busiest rank `imbalance` times the mean.
 */
export function dispatchBytesPerGpu(
  hiddenBytes: number,
  topK: number,
  tp: number,
  ep: number,
  imbalance: number,
): number {
  return (hiddenBytes * topK * imbalance) / Math.min(tp, ep);
}

/** Seed of the fixed expert order the skew's popularity is dealt in (deterministic, like every draw). */
const ROUTING_ORDER_SEED = 0x9e3779b1;

/**
 * Busiest EP rank's routed tokens over the mean for `experts` routed experts over `ep` ranks. Expert
 * popularity follows the power law, dealt to experts in a fixed shuffled order. Without redundant
 * experts each rank holds a contiguous block of experts/ep (the engines' default placement); with them,
 * EPLB copies the expert whose copies carry the most load until the redundant slots are used, then
 * places the copies hottest first on the least loaded rank with a free slot. Balanced routing: 1.
 */
export function expertImbalanceOf(experts: number, ep: number, routing: ExpertRouting): number {
  if (ep <= 1 || routing.skew === 0) return 1;
  const load = popularity(experts, routing.skew);
  const slots = experts + routing.redundantExperts;
  if (routing.redundantExperts === 0) {
    const per = experts / ep;
    let busiest = 0;
    for (let r = 0; r < ep; r++) {
      let sum = 0;
      for (let e = Math.floor(r * per); e < Math.floor((r + 1) * per); e++) sum += load[e];
      busiest = Math.max(busiest, sum);
    }
    return busiest * ep;
  }
  const copies = new Array<number>(experts).fill(1);
  for (let extra = 0; extra < routing.redundantExperts; extra++) {
    let hottest = 0;
    for (let e = 1; e < experts; e++) if (load[e] / copies[e] > load[hottest] / copies[hottest]) hottest = e;
    copies[hottest]++;
  }
  const pieces = load
    .flatMap((l, e) => new Array<number>(copies[e]).fill(l / copies[e]))
    .sort((a, b) => b - a);
  const capacity = Math.ceil(slots / ep);
  const rankLoad = new Array<number>(ep).fill(0);
  const rankSlots = new Array<number>(ep).fill(0);
  for (const piece of pieces) {
    let target = -1;
    for (let r = 0; r < ep; r++) {
      if (rankSlots[r] < capacity && (target < 0 || rankLoad[r] < rankLoad[target])) target = r;
    }
    rankLoad[target] += piece;
    rankSlots[target]++;
  }
  return Math.max(...rankLoad) * ep;
}

/** Each expert's share of the routed tokens: a power law of exponent `skew`, in a fixed shuffled order. */
function popularity(experts: number, skew: number): number[] {
  const load = Array.from({ length: experts }, (_, e) => (e + 1) ** -skew);
  const rng = new SeededRandom(ROUTING_ORDER_SEED);
  for (let i = experts - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [load[i], load[j]] = [load[j], load[i]];
  }
  const sum = load.reduce((a, b) => a + b, 0);
  return load.map((l) => l / sum);
}
