import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  MAX_REQUEST_LINE_BYTES,
  type MethodParams,
  type MethodPartial,
  type MethodResult,
  TRANSPORT_ERROR_CODES,
  WORKER_METHODS,
  type WorkerMethodName,
  type WorkerMethodSpec,
  WorkerReply,
} from '../../engine/protocol/worker.js';

/** A failed request: the worker's error (engine errors keep their code and `where`) or a transport one. */
export class WorkerRequestError extends Error {
  override readonly name = 'WorkerRequestError';
  constructor(
    message: string,
    readonly code: string,
    readonly where?: string,
  ) {
    super(message);
  }
}

export interface RequestOptions<M extends WorkerMethodName> {
  signal?: AbortSignal;
  onProgress?(done: number, total: number, message?: string): void;
  onPartial?(partial: MethodPartial<M>): void;
  /**
   * Give up after this long: the worker is asked to stop the request, which fails with code `timeout`.
   * Default: the method's `timeoutSeconds`; the worker enforces the same limit itself.
   */
  timeoutMs?: number;
}

/** How long after the worker's own deadline the client stops waiting for its `timeout` answer. */
const TIMEOUT_GRACE_MS = 5000;

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the client asked the worker to stop. */
  expected: boolean;
  /** The last lines the worker wrote to stderr: what a crash report shows. */
  stderrTail: string[];
}

interface WorkerClientOptions {
  nodePath: string;
  workerPath: string;
  env?: NodeJS.ProcessEnv;
  /** Lines the worker logs (its `log` messages and its stderr). */
  onLog?(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  onExit?(exit: WorkerExit): void;
  /** How long to wait for the worker's `ready` line. */
  startTimeoutMs?: number;
}

interface Pending {
  method: WorkerMethodName;
  resolve(value: unknown): void;
  reject(error: Error): void;
  options: RequestOptions<WorkerMethodName>;
  /** Stops the request's timer and abort listener. */
  cleanUp(): void;
}

const STDERR_TAIL_LINES = 40;

/**
 * One engine worker process and the requests in flight on it. Every line the worker writes is
 * validated: the envelope against WorkerReply, results and partials against their method's schema,
 * so nothing unchecked reaches the editor. If the process dies, every pending request fails with
 * code `worker-crashed`; restarting is the owner's decision (see WorkerManager).
 */
export class WorkerClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private readonly stderrTail: string[] = [];
  private nextId = 1;
  private stopping = false;
  private exited = false;
  readonly ready: Promise<string>;

  constructor(private readonly options: WorkerClientOptions) {
    this.child = spawn(options.nodePath, [options.workerPath], {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let markReady: (version: string) => void = () => {};
    let failStart: (error: Error) => void = () => {};
    this.ready = new Promise<string>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    // A rejection nobody awaits yet must not crash the host; callers see it through request().
    this.ready.catch(() => {});
    const timeout = setTimeout(
      () =>
        failStart(new WorkerRequestError('the engine worker did not start in time', 'worker-unavailable')),
      options.startTimeoutMs ?? 20_000,
    );

    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const reply = this.parse(line);
      if (reply?.type === 'ready') {
        clearTimeout(timeout);
        markReady(reply.version);
      } else if (reply) this.dispatch(reply);
    });
    createInterface({ input: this.child.stderr }).on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
      options.onLog?.('warn', line);
    });
    this.child.on('error', (error) => {
      clearTimeout(timeout);
      failStart(
        new WorkerRequestError(`cannot start ${options.nodePath}: ${error.message}`, 'worker-unavailable'),
      );
      this.onGone(null, null);
    });
    this.child.on('exit', (code, signal) => {
      clearTimeout(timeout);
      failStart(
        new WorkerRequestError(
          `the engine worker exited before it was ready (code ${code}, signal ${signal})`,
          TRANSPORT_ERROR_CODES.crashed,
        ),
      );
      this.onGone(code, signal);
    });
    // Writing to a dead worker must surface as the exit above, not as an unhandled stream error.
    this.child.stdin.on('error', () => {});
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends one request; resolves with its validated result, rejects with a WorkerRequestError. */
  async request<M extends WorkerMethodName>(
    method: M,
    params: MethodParams<M>,
    options: RequestOptions<M> = {},
  ): Promise<MethodResult<M>> {
    await this.ready;
    if (this.exited)
      throw new WorkerRequestError('the engine worker is not running', TRANSPORT_ERROR_CODES.crashed);
    if (options.signal?.aborted) throw new WorkerRequestError('cancelled', TRANSPORT_ERROR_CODES.cancelled);
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? WORKER_METHODS[method].timeoutSeconds * 1000;
    const line = JSON.stringify({ id, method, params, timeoutSeconds: timeoutMs / 1000 });
    if (Buffer.byteLength(line, 'utf8') > MAX_REQUEST_LINE_BYTES) {
      throw new WorkerRequestError(
        `the ${method} request is larger than the ${MAX_REQUEST_LINE_BYTES} bytes the engine worker reads`,
        TRANSPORT_ERROR_CODES.invalidParams,
      );
    }
    return new Promise<MethodResult<M>>((resolve, reject) => {
      const cancel = () => this.write({ id: this.nextId++, method: 'cancel', params: { target: id } });
      // The worker answers `timeout` itself at timeoutMs; this is for a worker too busy to.
      const timer = setTimeout(() => {
        cancel();
        this.settle(id);
        reject(
          new WorkerRequestError(
            `${method} did not finish within ${Math.round(timeoutMs / 1000)} s; it was cancelled`,
            TRANSPORT_ERROR_CODES.timeout,
          ),
        );
      }, timeoutMs + TIMEOUT_GRACE_MS);
      options.signal?.addEventListener('abort', cancel, { once: true });
      this.pending.set(id, {
        method,
        resolve: resolve as (value: unknown) => void,
        reject,
        options: options as RequestOptions<WorkerMethodName>,
        cleanUp: () => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', cancel);
        },
      });
      this.writeLine(line);
    });
  }

  /** Asks the worker to exit; resolves once it has. */
  stop(): Promise<void> {
    if (this.exited) return Promise.resolve();
    this.stopping = true;
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.stdin.end();
      // A worker stuck in native code does not see stdin close.
      setTimeout(() => {
        if (!this.exited) this.child.kill('SIGKILL');
      }, 2000).unref();
    });
  }

  private write(message: unknown): void {
    this.writeLine(JSON.stringify(message));
  }

  private writeLine(line: string): void {
    if (this.exited) return;
    this.child.stdin.write(`${line}\n`);
  }

  private parse(line: string): WorkerReply | undefined {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      this.options.onLog?.('warn', `worker wrote a non-JSON line: ${line.slice(0, 200)}`);
      return undefined;
    }
    const parsed = WorkerReply.safeParse(json);
    if (!parsed.success) {
      this.options.onLog?.('warn', `worker wrote an invalid message: ${parsed.error.message.slice(0, 400)}`);
      return undefined;
    }
    return parsed.data;
  }

  private dispatch(reply: Exclude<WorkerReply, { type: 'ready' }>): void {
    if (reply.type === 'log') {
      this.options.onLog?.(reply.level, reply.message);
      return;
    }
    if (reply.type === 'error' && reply.id === null) {
      this.options.onLog?.('error', `worker error: ${reply.error.message}`);
      return;
    }
    if (reply.id === null) return;
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    switch (reply.type) {
      case 'progress':
        pending.options.onProgress?.(reply.done, reply.total, reply.message);
        return;
      case 'partial': {
        const spec: WorkerMethodSpec = WORKER_METHODS[pending.method];
        const schema = spec.partial;
        const parsed = schema?.safeParse(reply.partial);
        if (parsed?.success) pending.options.onPartial?.(parsed.data as never);
        else this.options.onLog?.('warn', `dropped an invalid partial result of ${pending.method}`);
        return;
      }
      case 'result': {
        this.settle(reply.id);
        const parsed = WORKER_METHODS[pending.method].result.safeParse(reply.result);
        if (parsed.success) pending.resolve(parsed.data);
        else
          pending.reject(
            new WorkerRequestError(
              `the worker's ${pending.method} result does not match its schema: ${parsed.error.message.slice(0, 400)}`,
              TRANSPORT_ERROR_CODES.protocol,
            ),
          );
        return;
      }
      case 'error':
        this.settle(reply.id);
        pending.reject(new WorkerRequestError(reply.error.message, reply.error.code, reply.error.where));
        return;
    }
  }

  private settle(id: number): void {
    this.pending.get(id)?.cleanUp();
    this.pending.delete(id);
  }

  private onGone(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = true;
    const reason = signal ? `signal ${signal}` : `exit code ${code}`;
    for (const [id, pending] of this.pending) {
      this.settle(id);
      pending.reject(
        new WorkerRequestError(
          `the engine worker stopped (${reason}) while running ${pending.method}`,
          TRANSPORT_ERROR_CODES.crashed,
        ),
      );
    }
    this.options.onExit?.({ code, signal, expected: this.stopping, stderrTail: [...this.stderrTail] });
  }
}
