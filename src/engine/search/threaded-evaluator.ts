import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { ServeTuneError } from '../util/errors.js';
import { EvaluationMetrics } from './schema.js';
import type { EvaluationTask, Evaluator } from './search.js';

/** What an evaluation thread (eval-worker.ts) answers a batch with. */
const ThreadReply = z.discriminatedUnion('type', [
  z.object({ type: z.literal('result'), id: z.number().int(), metrics: z.array(EvaluationMetrics) }),
  z.object({ type: z.literal('error'), id: z.number().int(), message: z.string() }),
]);

interface Pending {
  resolve: (metrics: EvaluationMetrics[]) => void;
  reject: (error: Error) => void;
}

/**
 * Spreads evaluations over worker threads. Each worker builds its evaluator once from `setup` (the
 * workload is parsed once per thread, not per task) and answers batches of tasks; results come back in
 * task order. Aborting terminates the workers, so a cancelled search stops at once.
 */
export class ThreadedEvaluator implements Evaluator {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(
    private readonly workerFile: URL,
    private readonly setup: unknown,
    readonly threads = Math.max(1, availableParallelism()),
  ) {}

  private start(): void {
    if (this.workers.length > 0) return;
    for (let i = 0; i < this.threads; i++) {
      const worker = new Worker(this.workerFile, { workerData: this.setup });
      worker.on('message', (raw: unknown) => this.onReply(raw));
      worker.on('error', (error) => this.failAll(error));
      worker.on('exit', (code) => {
        if (code !== 0 && this.pending.size > 0)
          this.failAll(new Error(`evaluation worker exited with code ${code}`));
      });
      this.workers.push(worker);
    }
  }

  private onReply(raw: unknown): void {
    const reply = ThreadReply.safeParse(raw);
    if (!reply.success) {
      this.failAll(new Error(`malformed reply from an evaluation worker: ${reply.error.message}`));
      return;
    }
    const waiting = this.pending.get(reply.data.id);
    if (!waiting) return;
    this.pending.delete(reply.data.id);
    if (reply.data.type === 'result') waiting.resolve(reply.data.metrics);
    else waiting.reject(new ServeTuneError(reply.data.message, 'invalid-argument'));
  }

  private failAll(error: Error): void {
    this.failure = error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  async evaluate(tasks: readonly EvaluationTask[], signal?: AbortSignal): Promise<EvaluationMetrics[]> {
    if (this.failure) throw this.failure;
    signal?.throwIfAborted();
    if (tasks.length === 0) return [];
    this.start();
    // Interleave tasks over the threads so each gets a similar mix of cheap and costly configurations.
    const batches: { indices: number[]; tasks: EvaluationTask[] }[] = this.workers.map(() => ({
      indices: [],
      tasks: [],
    }));
    tasks.forEach((task, i) => {
      const batch = batches[i % batches.length];
      batch.indices.push(i);
      batch.tasks.push(task);
    });
    const onAbort = () => {
      this.failAll(signal?.reason instanceof Error ? signal.reason : new Error('cancelled'));
      void this.close();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const answers = await Promise.all(
        batches.map((batch, w) =>
          batch.tasks.length === 0
            ? Promise.resolve([] as EvaluationMetrics[])
            : new Promise<EvaluationMetrics[]>((resolve, reject) => {
                const id = this.nextId++;
                this.pending.set(id, { resolve, reject });
                this.workers[w].postMessage({ id, tasks: batch.tasks });
              }),
        ),
      );
      const results = new Array<EvaluationMetrics>(tasks.length);
      batches.forEach((batch, w) => {
        batch.indices.forEach((index, k) => {
          results[index] = answers[w][k];
        });
      });
      return results;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
