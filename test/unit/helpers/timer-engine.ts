import type {
  EngineStats,
  GenerationEngine,
  GenerationHandle,
  GenerationRequest,
  GenerationSink,
} from '../../../src/engine/serve/engine.js';

/**
 * An engine for testing the HTTP layer alone: up to `slots` requests run, each emitting token 100 + i
 * every `tickMs`; the rest wait. It records cancellations so disconnect handling can be checked.
 */
export class TimerEngine implements GenerationEngine {
  readonly modelId = 'test-model';
  readonly maxModelLen = 64;
  readonly vocabSize = 1000;
  readonly cancelled: string[] = [];
  private readonly running = new Map<string, NodeJS.Timeout>();
  private readonly waiting: { id: string; run: () => void }[] = [];
  private drained: (() => void) | undefined;

  constructor(
    private readonly slots: number,
    private readonly tickMs: number,
  ) {}

  submit(request: GenerationRequest, sink: GenerationSink): GenerationHandle {
    let emitted = 0;
    const run = () => {
      const timer = setInterval(() => {
        sink.token(100 + emitted);
        emitted++;
        if (emitted >= request.maxTokens) this.finish(request.id, () => sink.finish('length'));
      }, this.tickMs);
      this.running.set(request.id, timer);
    };
    if (this.running.size < this.slots) run();
    else this.waiting.push({ id: request.id, run });
    return {
      cancel: () => {
        this.cancelled.push(request.id);
        const queued = this.waiting.findIndex((w) => w.id === request.id);
        if (queued >= 0) this.waiting.splice(queued, 1);
        this.finish(request.id, () => sink.finish('abort'));
      },
    };
  }

  private finish(id: string, notify: () => void): void {
    const timer = this.running.get(id);
    if (timer) clearInterval(timer);
    this.running.delete(id);
    notify();
    if (timer) this.waiting.shift()?.run();
    if (this.running.size === 0 && this.waiting.length === 0) this.drained?.();
  }

  stats(): EngineStats {
    return {
      running: this.running.size,
      waiting: this.waiting.length,
      kvCacheUsage: this.running.size / this.slots,
      preemptions: 0,
    };
  }

  drain(): Promise<void> {
    if (this.running.size === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.drained = resolve;
    });
  }
}
