import {
  type PolicyName,
  resolveSchedulerConfig,
  type SchedulerConfig,
} from '../../../src/engine/sched/config.js';
import { commitStep, type SchedulerPolicy } from '../../../src/engine/sched/core.js';
import { CountingKvBlockManager } from '../../../src/engine/sched/kv-cache.js';
import { createPolicy } from '../../../src/engine/sched/policies.js';
import { newSchedRequest, type SchedRequest } from '../../../src/engine/sched/request.js';
import { ReplicaState, StepPlan } from '../../../src/engine/sched/state.js';

/** A replica driven step by step without a clock, as a real engine would drive it. */
export class TestReplica {
  readonly state: ReplicaState;
  readonly policy: SchedulerPolicy;
  readonly plan = new StepPlan();
  readonly kv: CountingKvBlockManager;
  readonly targets = new Map<number, number>();
  readonly finished: SchedRequest[] = [];
  private nextId = 0;

  constructor(
    policy: PolicyName,
    blocks: number,
    knobs: Partial<SchedulerConfig> = {},
    options: { blockSize?: number; hashBlockTokens?: number } = {},
  ) {
    const config = resolveSchedulerConfig(
      { policy, blockSize: options.blockSize ?? 16, ...knobs },
      { gpuMemoryBytes: 80 * 1024 ** 3, modelMaxContext: 131072 },
    );
    this.kv = new CountingKvBlockManager(
      blocks,
      config.blockSize,
      options.hashBlockTokens ?? 64,
      config.enablePrefixCaching,
    );
    this.state = new ReplicaState(config, this.kv, 1024);
    this.policy = createPolicy(policy);
  }

  /** Queues a request that produces `output` tokens; `maxTokens` is what it asks for (default `output`). */
  add(prompt: number, output: number, hashes: number[] = [], maxTokens = output): SchedRequest {
    const r = newSchedRequest(this.nextId++, prompt, maxTokens, hashes);
    this.targets.set(r.id, output);
    this.state.waiting.pushBack(r);
    return r;
  }

  /** Forms one step and applies it; returns (request id → tokens) for the step. */
  step(): Map<number, number> {
    this.plan.reset();
    this.policy.schedule(this.state, this.plan);
    const scheduled = new Map<number, number>();
    for (let i = 0; i < this.plan.count; i++)
      scheduled.set(this.plan.requests[i].id, this.plan.requests[i].scheduledTokens);
    commitStep(this.state, this.plan, {
      onToken: (r) => r.generated >= this.targets.get(r.id)!,
      onFinish: (r) => {
        this.finished.push(r);
      },
    });
    return scheduled;
  }

  runToCompletion(limit = 100000): number {
    let steps = 0;
    while (this.state.outstanding() > 0 && steps < limit) {
      this.step();
      steps++;
    }
    return steps;
  }
}
