import type { GpuContext } from '../../gpu/device.js';
import type { ShaderDtype } from '../../gpu/types.js';
import { LocalModel, type ModelStepSequence } from '../../kernels/local-model.js';
import type { ModelSpec } from '../../model/spec.js';
import { addDecode, addPrefillChunk, type BatchShape, createBatchShape } from '../../perf/shape.js';
import { type PolicyName, type ResolvedSchedulerConfig, resolveSchedulerConfig } from '../../sched/config.js';
import { commitStep, type SchedulerPolicy, type StepSink } from '../../sched/core.js';
import { createPolicy } from '../../sched/policies.js';
import { newSchedRequest, RequestStatus, type SchedRequest } from '../../sched/request.js';
import { ReplicaState, StepPlan } from '../../sched/state.js';
import { ServeTuneError } from '../../util/errors.js';
import type {
  EngineStats,
  FinishReason,
  GenerationEngine,
  GenerationHandle,
  GenerationRequest,
  GenerationSink,
} from '../engine.js';
import { EOS_TOKEN } from '../tokenizer.js';
import { PagedKvBlockManager } from './kv-blocks.js';

const MAX_STEP_RECORDS = 200_000;

export interface LocalEngineOptions {
  policy: PolicyName;
  maxNumSeqs?: number;
  maxNumBatchedTokens?: number;
  /** SGLang's chunk size, for the sglang policy. */
  chunkedPrefillSize?: number;
  blockSize?: number;
  /** KV cache blocks; default enough for max-num-seqs sequences of the model's full context. */
  kvBlocks?: number;
  /** Longest prompt + output; default the model's context, capped by what the KV cache holds. */
  maxModelLen?: number;
  dtype?: ShaderDtype;
  seed?: number;
  log?: (line: string) => void;
}

/** A request as the engine tracks it: the scheduler's view plus its tokens and where they go. */
interface LiveRequest extends SchedRequest {
  /** The id its front end gave it (the response's id). */
  requestId: string;
  /** performance.now() at submit. */
  submittedAt: number;
  /** Prompt then generated ids: the tokens a (re)computation feeds. */
  tokens: number[];
  sink: GenerationSink;
  ignoreEos: boolean;
  cancelled: boolean;
  done: boolean;
  reason: FinishReason;
}

/** One step as it ran, kept for inspection (validation compares them with the step model). */
export interface StepRecord {
  shape: BatchShape;
  /** performance.now() when its scheduling began (ms). */
  startedAt: number;
  /** From the start of scheduling to the end of the commit (tokens handed to their sinks). */
  seconds: number;
  /** The forward pass alone: submit to read-back. */
  forwardSeconds: number;
}

/** A request's time inside the engine, from its submission to its first token. */
export interface InEngineFirstToken {
  requestId: string;
  seconds: number;
}

/**
 * The local reference serving engine: continuous batching over a real model on the local GPU,
 * scheduled by the simulator's own policies (createPolicy / commitStep over a ReplicaState whose KV
 * block manager hands out real cache blocks). One step loop runs at a time; each step awaits the GPU,
 * so the HTTP server keeps serving while it runs. Preemption is by recompute (there is no swap space).
 */
export class LocalEngine implements GenerationEngine {
  readonly modelId: string;
  readonly maxModelLen: number;
  readonly vocabSize: number;
  readonly config: ResolvedSchedulerConfig;
  readonly kv: PagedKvBlockManager;
  /** Steps run so far (kept for inspection, bounded). */
  readonly steps: StepRecord[] = [];
  /**
   * Every request's time inside the engine, submit to first token, by its id: against the client's
   * TTFT for the same response it gives what the serving front end (HTTP, parsing, streaming) adds.
   */
  readonly firstTokens: InEngineFirstToken[] = [];
  private readonly model: LocalModel;

  /** Most tokens one step carries (the scheduler's budget, at least a prompt chunk and one per sequence). */
  get maxStepTokens(): number {
    return this.model.options.maxTokens;
  }
  private readonly state: ReplicaState;
  private readonly policy: SchedulerPolicy;
  private readonly plan = new StepPlan();
  private nextId = 1;
  private wake: (() => void) | undefined;
  private draining = false;
  private stopped = false;
  private readonly drainWaiters: (() => void)[] = [];
  private readonly loop: Promise<void>;
  private readonly inStep = new Set<LiveRequest>();

  private constructor(
    gpu: GpuContext,
    readonly spec: ModelSpec,
    private readonly options: LocalEngineOptions,
  ) {
    const blockSize = options.blockSize ?? 16;
    const resolved = resolveSchedulerConfig(
      {
        policy: options.policy,
        maxNumSeqs: options.maxNumSeqs,
        maxNumBatchedTokens: options.maxNumBatchedTokens,
        chunkedPrefillSize: options.chunkedPrefillSize,
        blockSize,
        maxModelLen: options.maxModelLen ?? spec.maxContextLength,
        enablePrefixCaching: false,
        preemption: 'recompute',
      },
      // A small device: the engines' small-GPU defaults.
      { gpuMemoryBytes: 0, modelMaxContext: spec.maxContextLength },
    );
    const kvBlocks =
      options.kvBlocks ?? Math.ceil(resolved.maxModelLen / blockSize) * Math.min(resolved.maxNumSeqs, 64);
    // A request must fit the cache whole; the scheduler's own checks then never dead-end.
    const maxModelLen = Math.min(resolved.maxModelLen, kvBlocks * blockSize);
    this.config = { ...resolved, maxModelLen };
    this.model = new LocalModel(gpu, spec, {
      dtype: options.dtype ?? 'f32',
      maxTokens: Math.max(
        this.config.maxNumBatchedTokens,
        this.config.chunkedPrefillSize,
        this.config.maxNumSeqs,
      ),
      maxSequences: this.config.maxNumSeqs,
      kvBlocks,
      blockSize,
      seed: options.seed ?? 0,
    });
    this.kv = new PagedKvBlockManager(this.model.cache);
    this.state = new ReplicaState(this.config, this.kv, 0);
    this.policy = createPolicy(this.config.policy);
    this.modelId = spec.id;
    this.maxModelLen = maxModelLen;
    this.vocabSize = spec.vocabSize;
    this.loop = this.run();
  }

  /** Builds the engine and runs one warm-up step so shader compilation never lands in a request's latency. */
  static async create(gpu: GpuContext, spec: ModelSpec, options: LocalEngineOptions): Promise<LocalEngine> {
    const engine = new LocalEngine(gpu, spec, options);
    await engine.warmUp();
    return engine;
  }

  submit(request: GenerationRequest, sink: GenerationSink): GenerationHandle {
    const total = request.promptTokens.length + request.maxTokens;
    if (this.draining) {
      sink.finish('abort', 'the engine is shutting down');
      return { cancel: () => {} };
    }
    if (total > this.maxModelLen) {
      throw new ServeTuneError(
        `${total} tokens exceed the engine's maximum context of ${this.maxModelLen}`,
        'invalid-argument',
      );
    }
    const r: LiveRequest = Object.assign(
      newSchedRequest(this.nextId++, request.promptTokens.length, request.maxTokens),
      {
        requestId: request.id,
        submittedAt: performance.now(),
        tokens: [...request.promptTokens],
        sink,
        ignoreEos: request.ignoreEos,
        cancelled: false,
        done: false,
        reason: 'length' as FinishReason,
      },
    );
    this.state.waiting.pushBack(r);
    this.wakeUp();
    return { cancel: () => this.cancel(r) };
  }

  stats(): EngineStats {
    return {
      running: this.state.running.length,
      waiting: this.state.waiting.length,
      kvCacheUsage: this.kv.usedBlocks() / this.kv.totalBlocks,
      preemptions: this.state.preemptions,
    };
  }

  get freeKvBlocks(): number {
    return this.kv.availableBlocks();
  }

  drain(): Promise<void> {
    this.draining = true;
    if (this.state.outstanding() === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Stops the step loop (after the step in flight) and frees the GPU buffers. */
  async close(): Promise<void> {
    this.stopped = true;
    this.wakeUp();
    await this.loop;
    this.model.destroy();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private cancel(r: LiveRequest): void {
    if (r.done || r.cancelled) return;
    r.cancelled = true;
    if (this.inStep.has(r)) return; // released as soon as its step completes
    if (r.status === RequestStatus.Waiting) {
      const waiting = this.state.waiting;
      for (let i = 0; i < waiting.length; i++) {
        if (waiting.at(i) === r) {
          waiting.removeAt(i);
          break;
        }
      }
    } else {
      const index = this.state.running.indexOf(r);
      if (index >= 0) this.state.running.splice(index, 1);
    }
    this.kv.release(r);
    this.finish(r, 'abort');
  }

  private finish(r: LiveRequest, reason: FinishReason, error?: string): void {
    if (r.done) return;
    r.done = true;
    r.status = RequestStatus.Finished;
    r.sink.finish(reason, error);
    this.checkDrained();
  }

  private checkDrained(): void {
    if (this.state.outstanding() === 0 && this.inStep.size === 0) {
      for (const resolve of this.drainWaiters.splice(0)) resolve();
    }
  }

  private async warmUp(): Promise<void> {
    // Compile every pipeline a step can use: prefill chunks (tiled GEMM, prefill attention), then
    // decodes of 1, 2, 4 and 5+ sequences (each GEMV specialization) with an LM head over as many rows,
    // then chunks of every power-of-two size.
    const count = Math.min(5, this.config.maxNumSeqs);
    const prompt = Math.max(
      2,
      Math.min(16, Math.floor(this.model.options.maxTokens / count), this.maxModelLen - 2),
    );
    const probes = Array.from({ length: count }, (_, i) => newSchedRequest(-1 - i, prompt, 2));
    try {
      for (const probe of probes) {
        if (!this.kv.growTo(probe, prompt + 1)) return;
      }
      const ids = Array.from({ length: prompt }, (_, i) => 3 + (i % (this.vocabSize - 3)));
      await this.model.step(
        probes.map((p) => ({
          tokens: prompt,
          context: 0,
          blockTable: this.kv.blockTable(p),
          tokenIds: ids,
          samples: true,
        })),
      );
      for (const m of [1, 2, 4, count]) {
        if (m > count) continue;
        await this.model.step(
          probes.slice(0, m).map((p) => ({
            tokens: 1,
            context: prompt,
            blockTable: this.kv.blockTable(p),
            tokenIds: [3],
            samples: true,
          })),
        );
      }
      // The linears specialise by the step's row count rounded up to a power of two (CPU adapters):
      // one chunk of each such size, so that no step compiles a pipeline while serving.
      const longest = Math.min(this.model.options.maxTokens, this.maxModelLen - 1);
      if (this.kv.growTo(probes[0], longest + 1)) {
        for (let m = 2; m <= longest; m *= 2) {
          await this.model.step([
            {
              tokens: m,
              context: 0,
              blockTable: this.kv.blockTable(probes[0]),
              tokenIds:
                ids.length >= m ? ids.slice(0, m) : Array.from({ length: m }, (_, i) => ids[i % ids.length]),
              samples: true,
            },
          ]);
        }
      }
    } finally {
      for (const probe of probes) this.kv.release(probe);
    }
  }

  private async run(): Promise<void> {
    const { state, plan } = this;
    while (!this.stopped) {
      if (state.outstanding() === 0) {
        this.checkDrained();
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        continue;
      }
      const started = performance.now();
      plan.reset();
      this.policy.schedule(state, plan);
      if (plan.count === 0) {
        // Nothing can run: only possible when the head of the queue can never be admitted.
        const head = state.waiting.shift() as LiveRequest | undefined;
        if (head) this.finish(head, 'error', 'the request does not fit the KV cache');
        else await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      const record = await this.runStep(started);
      // Node's HTTP responses hold each write until the next tick (they cork the socket and uncork it on
      // process.nextTick), and inside this loop the next tick comes only when it awaits the GPU, after
      // the next step is scheduled, encoded and submitted: every streamed token but a request's last
      // (whose end() flushes at once) reached the client most of a step late (1.5 ms of 2.6 on lavapipe).
      // The writes are part of the step's commit, and timed with it.
      await new Promise<void>((resolve) => process.nextTick(resolve));
      record.seconds = (performance.now() - started) / 1000;
      if (this.steps.length < MAX_STEP_RECORDS) this.steps.push(record);
    }
  }

  private async runStep(scheduledAt: number): Promise<StepRecord> {
    const { plan } = this;
    const sequences: ModelStepSequence[] = [];
    const samplers: LiveRequest[] = [];
    const shape = createBatchShape();
    for (let i = 0; i < plan.count; i++) {
      const r = plan.requests[i] as LiveRequest;
      const n = r.scheduledTokens;
      const samples = r.computed + n === r.promptTokens + r.generated;
      sequences.push({
        tokens: n,
        context: r.computed,
        blockTable: this.kv.blockTable(r),
        tokenIds: r.tokens.slice(r.computed, r.computed + n),
        samples,
      });
      if (samples) samplers.push(r);
      if (n === 1 && r.generated > 0 && samples) addDecode(shape, r.computed);
      else addPrefillChunk(shape, n, r.computed, samples);
      this.inStep.add(r);
    }
    const started = performance.now();
    let ids: Uint32Array | undefined;
    let failure: string | undefined;
    try {
      ids = await this.model.step(sequences);
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    const record: StepRecord = {
      shape,
      startedAt: scheduledAt,
      seconds: 0,
      forwardSeconds: (performance.now() - started) / 1000,
    };
    this.inStep.clear();

    if (failure !== undefined || !ids) {
      this.options.log?.(`step failed: ${failure}`);
      for (let i = 0; i < plan.count; i++) {
        const r = plan.requests[i] as LiveRequest;
        r.scheduledTokens = 0;
        this.dropRunning(r);
        this.finish(r, 'error', failure);
      }
      return record;
    }
    const sampled = new Map<LiveRequest, number>();
    for (let i = 0; i < samplers.length; i++) sampled.set(samplers[i], ids[i]);
    // Requests cancelled while their step ran: free their blocks now and leave them out of the commit.
    let kept = 0;
    for (let i = 0; i < plan.count; i++) {
      const r = plan.requests[i] as LiveRequest;
      if (r.cancelled) {
        r.scheduledTokens = 0;
        this.dropRunning(r);
        this.finish(r, 'abort');
      } else plan.requests[kept++] = r;
    }
    plan.count = kept;
    commitStep(this.state, plan, this.sink(sampled));
    this.checkDrained();
    return record;
  }

  private dropRunning(r: LiveRequest): void {
    const index = this.state.running.indexOf(r);
    if (index >= 0) this.state.running.splice(index, 1);
    this.kv.release(r);
  }

  private sink(sampled: Map<LiveRequest, number>): StepSink {
    return {
      onToken: (sr) => {
        const r = sr as LiveRequest;
        const id = sampled.get(r) ?? EOS_TOKEN;
        r.tokens.push(id);
        if (r.generated === 1 && this.firstTokens.length < MAX_STEP_RECORDS) {
          this.firstTokens.push({
            requestId: r.requestId,
            seconds: (performance.now() - r.submittedAt) / 1000,
          });
        }
        r.sink.token(id);
        if (!r.ignoreEos && id === EOS_TOKEN) {
          r.reason = 'stop';
          return true;
        }
        return r.generated >= r.maxOutputTokens;
      },
      onFinish: (sr) => {
        const r = sr as LiveRequest;
        this.finish(r, r.reason);
      },
    };
  }
}
