import { createInterface } from 'node:readline';
import { getHardware } from '../engine/hardware/catalog.js';
import { enumeratePlans } from '../engine/memory/plans.js';
import { resolveModel } from '../engine/model/resolve.js';
import { type WorkerMessage, WorkerRequest } from '../engine/protocol/worker.js';
import { isServeTuneError } from '../engine/util/errors.js';

// The engine worker: a plain Node process that the extension starts, so GPU work and long runs never
// share the editor's extension host. One JSON message per line on stdin and stdout.

function send(message: WorkerMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function errorOf(error: unknown) {
  if (isServeTuneError(error)) return { message: error.message, code: error.code, where: error.where };
  return { message: error instanceof Error ? error.message : String(error), code: 'internal' };
}

function handle(line: string): void {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    send({ type: 'error', id: null, error: { message: 'request is not JSON', code: 'protocol' } });
    return;
  }
  const parsed = WorkerRequest.safeParse(json);
  if (!parsed.success) {
    const id =
      typeof json === 'object' && json !== null && 'id' in json && typeof json.id === 'number'
        ? json.id
        : null;
    send({
      type: 'error',
      id,
      error: { message: `invalid request: ${parsed.error.message}`, code: 'protocol' },
    });
    return;
  }
  const request = parsed.data;
  try {
    switch (request.method) {
      case 'plans': {
        const p = request.params;
        const result = enumeratePlans(
          resolveModel(p.model),
          getHardware(p.hardware),
          p.gpus,
          { weightDtype: p.weightDtype, kvDtype: p.kvDtype },
          { gpuMemoryUtilization: p.gpuMemoryUtilization },
        );
        send({ type: 'result', id: request.id, method: 'plans', result });
        return;
      }
      case 'cancel':
        // Nothing long-running yet: plans answer at once.
        return;
    }
  } catch (error) {
    send({ type: 'error', id: request.id, error: errorOf(error) });
  }
}

createInterface({ input: process.stdin }).on('line', handle);
send({ type: 'ready', version: '0.1.0' });
