import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { EvaluationTaskSchema } from './schema.js';
import { SimulationEvaluator, type SimulationEvaluatorSetup } from './simulation-evaluator.js';

// A search worker thread: builds one simulation evaluator from the setup it is started with (the
// workload arrives once, not per task) and answers batches of tasks until terminated.

const Batch = z.object({ id: z.number().int(), tasks: z.array(EvaluationTaskSchema) });

const evaluator = new SimulationEvaluator(workerData as SimulationEvaluatorSetup);

parentPort?.on('message', (raw: unknown) => {
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
