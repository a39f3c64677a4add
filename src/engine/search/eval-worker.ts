import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { EvaluationTaskSchema } from './schema.js';
import { type SimulationEvaluatorSetup, simulationEvaluatorFor } from './simulation-evaluator.js';

// A search worker thread: builds one simulation evaluator from the setup it is started with (the
// workload arrives once, not per task) and answers batches of tasks until terminated.

const Batch = z.object({ id: z.number().int(), tasks: z.array(EvaluationTaskSchema) });

// The setup's op database is read once; batches wait for it (a bad folder fails every batch, naming it).
const evaluatorReady = simulationEvaluatorFor(workerData as SimulationEvaluatorSetup);
evaluatorReady.catch(() => undefined);

parentPort?.on('message', async (raw: unknown) => {
  const batch = Batch.safeParse(raw);
  if (!batch.success) {
    const id =
      typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'number' ? raw.id : -1;
    parentPort?.postMessage({
      type: 'error',
      id,
      message: `malformed evaluation batch: ${batch.error.message}`,
    });
    return;
  }
  try {
    const evaluator = await evaluatorReady;
    const metrics = batch.data.tasks.map((task) => evaluator.evaluateOne(task));
    parentPort?.postMessage({ type: 'result', id: batch.data.id, metrics });
  } catch (error) {
    parentPort?.postMessage({
      type: 'error',
      id: batch.data.id,
      message: error instanceof Error ? error.message : String(error),
    });
  }
});
