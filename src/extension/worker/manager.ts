import {
  type MethodParams,
  type MethodResult,
  TRANSPORT_ERROR_CODES,
  type WorkerMethodName,
} from '../../engine/protocol/worker.js';
import { type RequestOptions, WorkerClient, type WorkerExit, WorkerRequestError } from './client.js';
import { type NodeResolution, noNodeMessage } from './find-node.js';

export type WorkerState =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'ready'; nodePath: string; nodeVersion: string; pid: number; methods: string[] }
  | { kind: 'unavailable'; message: string }
  | { kind: 'crashed'; message: string; restarting: boolean };

interface WorkerManagerOptions {
  workerPath: string;
  findNode(): Promise<NodeResolution>;
  env?: NodeJS.ProcessEnv;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  onStateChange?(state: WorkerState): void;
  /** Called when a worker died unexpectedly; `restarting` tells whether another will be started. */
  onCrash?(exit: WorkerExit, restarting: boolean): void;
  /** Crashes tolerated within `crashWindowMs` before the manager stops restarting. */
  maxCrashes?: number;
  crashWindowMs?: number;
}

/**
 * Owns the engine worker for the editor: starts it on first use, restarts it after a crash (until it
 * crashes too often), and stops it on dispose. Never blocks its caller: everything is a promise.
 */
export class WorkerManager {
  private current: WorkerClient | undefined;
  private starting: Promise<WorkerClient> | undefined;
  private crashes: number[] = [];
  private disposed = false;
  private stateValue: WorkerState = { kind: 'idle' };

  constructor(private readonly options: WorkerManagerOptions) {}

  get state(): WorkerState {
    return this.stateValue;
  }

  get pid(): number | undefined {
    return this.current?.alive ? this.current.pid : undefined;
  }

  /** Whether the running worker answers `method`; false before it started or when none can run. */
  supports(method: string): boolean {
    return this.stateValue.kind === 'ready' && this.stateValue.methods.includes(method);
  }

  /** Starts the worker if needed and resolves once it answered `hello`. */
  async start(): Promise<WorkerClient> {
    if (this.disposed)
      throw new WorkerRequestError('ServeTune is shutting down', TRANSPORT_ERROR_CODES.unavailable);
    if (this.current?.alive) return this.current;
    this.starting ??= this.launch().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  async request<M extends WorkerMethodName>(
    method: M,
    params: MethodParams<M>,
    options?: RequestOptions<M>,
  ): Promise<MethodResult<M>> {
    const client = await this.start();
    return client.request(method, params, options);
  }

  /** Stops the running worker and starts a fresh one. */
  async restart(): Promise<WorkerClient> {
    const old = this.current;
    this.current = undefined;
    await old?.stop();
    return this.start();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const old = this.current;
    this.current = undefined;
    await old?.stop();
  }

  private setState(state: WorkerState): void {
    this.stateValue = state;
    this.options.onStateChange?.(state);
  }

  private async launch(): Promise<WorkerClient> {
    this.setState({ kind: 'starting' });
    const node = await this.options.findNode();
    if (!node.found) {
      const message = noNodeMessage(node.skipped);
      this.setState({ kind: 'unavailable', message });
      throw new WorkerRequestError(message, TRANSPORT_ERROR_CODES.unavailable);
    }
    for (const reason of node.skipped) this.options.log('info', `node candidate skipped: ${reason}`);
    this.options.log(
      'info',
      `starting the engine worker: ${node.path} (${node.version}) ${this.options.workerPath}`,
    );
    const client = new WorkerClient({
      nodePath: node.path,
      workerPath: this.options.workerPath,
      env: this.options.env,
      onLog: (level, message) => this.options.log(level, message),
      onExit: (exit) => this.onExit(client, exit),
    });
    this.current = client;
    try {
      await client.ready;
      const hello = await client.request('hello', {});
      this.options.log(
        'info',
        `engine worker ${hello.version} ready (pid ${hello.pid}, methods: ${hello.methods.join(', ')})`,
      );
      this.setState({
        kind: 'ready',
        nodePath: node.path,
        nodeVersion: node.version,
        pid: hello.pid,
        methods: hello.methods,
      });
      return client;
    } catch (error) {
      if (this.current === client) this.current = undefined;
      const message = `the engine worker failed to start: ${(error as Error).message}`;
      this.setState({ kind: 'unavailable', message });
      throw new WorkerRequestError(message, TRANSPORT_ERROR_CODES.unavailable);
    }
  }

  private onExit(client: WorkerClient, exit: WorkerExit): void {
    if (this.current === client) this.current = undefined;
    if (exit.expected || this.disposed) {
      if (!this.disposed) this.setState({ kind: 'idle' });
      return;
    }
    const now = Date.now();
    const window = this.options.crashWindowMs ?? 60_000;
    this.crashes = [...this.crashes.filter((t) => now - t < window), now];
    const restarting = this.crashes.length <= (this.options.maxCrashes ?? 3);
    const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
    const message = `the engine worker stopped unexpectedly (${how})`;
    this.options.log('error', `${message}; last stderr lines:\n${exit.stderrTail.join('\n') || '(none)'}`);
    this.setState({ kind: 'crashed', message, restarting });
    this.options.onCrash?.(exit, restarting);
    if (restarting) {
      this.start().catch((error: Error) => this.options.log('error', `restart failed: ${error.message}`));
    }
  }
}
