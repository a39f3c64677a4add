import type { ZodError } from 'zod';
import {
  CancelParams,
  isWorkerMethod,
  MAX_REQUEST_LINE_BYTES,
  TRANSPORT_ERROR_CODES,
  WORKER_METHODS,
  WorkerCall,
  type WorkerMethodName,
  type WorkerReply,
} from '../engine/protocol/worker.js';
import { isServeTuneError } from '../engine/util/errors.js';
import { useReadableZodMessages } from '../engine/util/zod-messages.js';
import { CancelledError, HANDLERS, type HandlerContext, WORKER_VERSION } from './handlers.js';
import { readBoundedLines } from './lines.js';

// The engine worker: a plain Node process that the extension starts, so GPU work and long runs never
// share the editor's extension host. One JSON message per line on stdin and stdout; nothing else may
// write to stdout, so console output is sent to stderr.

useReadableZodMessages();
console.log = console.error;
console.info = console.error;

/** A zod error as people read it: `field: problem` per issue, never the issues' JSON. */
function issuesText(error: ZodError, root = '(request)'): string {
  return error.issues.map((issue) => `${issue.path.join('.') || root}: ${issue.message}`).join('; ');
}

function send(message: WorkerReply): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Why a request was aborted by the worker itself: it ran past its time. */
class RequestTimedOut extends Error {
  constructor(method: string, seconds: number) {
    super(`${method} did not finish within ${seconds} s and was stopped`);
  }
}

function errorOf(error: unknown, signal?: AbortSignal) {
  if (signal?.aborted && signal.reason instanceof RequestTimedOut) {
    return { message: signal.reason.message, code: TRANSPORT_ERROR_CODES.timeout };
  }
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

async function run<M extends WorkerMethodName>(
  id: number,
  method: M,
  rawParams: unknown,
  timeoutSeconds?: number,
): Promise<void> {
  const spec = WORKER_METHODS[method];
  const parsed = spec.params.safeParse(rawParams ?? {});
  if (!parsed.success) {
    const message = `invalid params for ${method}: ${issuesText(parsed.error, '(params)')}`;
    send({ type: 'error', id, error: { message, code: TRANSPORT_ERROR_CODES.invalidParams } });
    return;
  }
  const controller = new AbortController();
  running.set(id, controller);
  const seconds = Math.min(spec.timeoutSeconds, timeoutSeconds ?? Number.POSITIVE_INFINITY);
  const timer = setTimeout(() => controller.abort(new RequestTimedOut(method, seconds)), seconds * 1000);
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
    send({ type: 'error', id, error: errorOf(error, controller.signal) });
  } finally {
    clearTimeout(timer);
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
    // The id is answered only where it is one a reply may carry (a whole number).
    const id =
      typeof json === 'object' && json !== null && 'id' in json && Number.isSafeInteger(json.id)
        ? (json.id as number)
        : null;
    send({
      type: 'error',
      id,
      error: {
        message: `invalid request: ${issuesText(parsed.error)}`,
        code: TRANSPORT_ERROR_CODES.protocol,
      },
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
  void run(call.id, call.method, call.params, call.timeoutSeconds);
}

function refuseOversize(bytes: number): void {
  send({
    type: 'error',
    id: null,
    error: {
      message: `a request of ${bytes} bytes or more is larger than the ${MAX_REQUEST_LINE_BYTES} bytes the worker reads; it was skipped`,
      code: TRANSPORT_ERROR_CODES.protocol,
    },
  });
}

readBoundedLines(process.stdin, MAX_REQUEST_LINE_BYTES, handle, refuseOversize);
// The client closing our stdin means the editor is gone: stop, even mid-run.
process.stdin.on('end', () => process.exit(0));
send({ type: 'ready', version: WORKER_VERSION });
