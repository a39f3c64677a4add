import { createInterface } from 'node:readline';
import {
  CancelParams,
  isWorkerMethod,
  TRANSPORT_ERROR_CODES,
  WORKER_METHODS,
  WorkerCall,
  type WorkerMethodName,
  type WorkerReply,
} from '../engine/protocol/worker.js';
import { isServeTuneError } from '../engine/util/errors.js';
import { CancelledError, HANDLERS, type HandlerContext, WORKER_VERSION } from './handlers.js';

// The engine worker: a plain Node process that the extension starts, so GPU work and long runs never
// share the editor's extension host. One JSON message per line on stdin and stdout; nothing else may
// write to stdout, so console output is sent to stderr.

console.log = console.error;
console.info = console.error;

function send(message: WorkerReply): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function errorOf(error: unknown) {
  if (error instanceof CancelledError) return { message: 'cancelled', code: TRANSPORT_ERROR_CODES.cancelled };
  if (isServeTuneError(error)) return { message: error.message, code: error.code, where: error.where };
  return {
    message: error instanceof Error ? error.message : String(error),
    code: TRANSPORT_ERROR_CODES.internal,
  };
}

// The search's simulation threads run the bundle built beside this one.
const SEARCH_WORKER_FILE = new URL('./search-worker.mjs', import.meta.url);

const running = new Map<number, AbortController>();

async function run<M extends WorkerMethodName>(id: number, method: M, rawParams: unknown): Promise<void> {
  const spec = WORKER_METHODS[method];
  const parsed = spec.params.safeParse(rawParams ?? {});
  if (!parsed.success) {
    const message = `invalid params for ${method}: ${parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(params)'}: ${issue.message}`)
      .join('; ')}`;
    send({ type: 'error', id, error: { message, code: TRANSPORT_ERROR_CODES.invalidParams } });
    return;
  }
  const controller = new AbortController();
  running.set(id, controller);
  const context: HandlerContext<M> = {
    signal: controller.signal,
    progress: (done, total, message) => send({ type: 'progress', id, done, total, message }),
    partial: (value) => send({ type: 'partial', id, method, partial: value }),
    log: (level, message) => send({ type: 'log', level, message }),
    searchWorkerFile: SEARCH_WORKER_FILE,
  };
  try {
    const handler = HANDLERS[method];
    const result = await handler(parsed.data as never, context);
    send({ type: 'result', id, method, result });
  } catch (error) {
    send({ type: 'error', id, error: errorOf(error) });
  } finally {
    running.delete(id);
  }
}

function handle(line: string): void {
  if (line.trim() === '') return;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    send({
      type: 'error',
      id: null,
      error: { message: 'request is not JSON', code: TRANSPORT_ERROR_CODES.protocol },
    });
    return;
  }
  const parsed = WorkerCall.safeParse(json);
  if (!parsed.success) {
    const id =
      typeof json === 'object' && json !== null && 'id' in json && typeof json.id === 'number'
        ? json.id
        : null;
    send({
      type: 'error',
      id,
      error: { message: `invalid request: ${parsed.error.message}`, code: TRANSPORT_ERROR_CODES.protocol },
    });
    return;
  }
  const call = parsed.data;
  if (call.method === 'cancel') {
    const cancel = CancelParams.safeParse(call.params);
    if (cancel.success) running.get(cancel.data.target)?.abort();
    else
      send({
        type: 'error',
        id: call.id,
        error: { message: 'cancel needs params.target', code: 'protocol' },
      });
    return;
  }
  if (!isWorkerMethod(call.method)) {
    send({
      type: 'error',
      id: call.id,
      error: { message: `unknown method ${call.method}`, code: TRANSPORT_ERROR_CODES.unknownMethod },
    });
    return;
  }
  void run(call.id, call.method, call.params);
}

createInterface({ input: process.stdin }).on('line', handle);
// The client closing our stdin means the editor is gone: stop, even mid-run.
process.stdin.on('end', () => process.exit(0));
send({ type: 'ready', version: WORKER_VERSION });
