import { bytesPerElement } from '../../gpu/buffers.js';
import type { Dispatch } from '../../gpu/pipelines.js';
import type { ShaderDtype } from '../../gpu/types.js';
import type { BufferArena } from '../../kernels/arena.js';
import { residualAdd, rmsNorm, rope, siluAndMul } from '../../kernels/elementwise.js';
import type { LayerShape } from '../../kernels/layer.js';
import type { ProfileContext } from '../context.js';
import type { Task } from '../task-runner.js';

const ELEMENTWISE_OPS = ['rmsnorm', 'rope', 'silu_and_mul', 'residual_add'] as const;
type ElementwiseOp = (typeof ELEMENTWISE_OPS)[number];

const ELEMENTWISE_TOKENS = { quick: [256], full: [1, 16, 256, 2048] };

/** The layer's elementwise kernels at the model's widths, for each token count, rated by bytes moved. */
export function elementwiseTasks(context: ProfileContext): Task[] {
  const tasks: Task[] = [];
  for (const tokens of context.quick ? ELEMENTWISE_TOKENS.quick : ELEMENTWISE_TOKENS.full) {
    for (const op of ELEMENTWISE_OPS) {
      const dtype = context.attentionDtype;
      const width = widthOf(op, context.layerShape);
      tasks.push({
        what: `${op} ${tokens}×${width} ${dtype}`,
        run: () => measureElementwise(context, op, dtype, tokens, width),
      });
    }
  }
  return tasks;
}

/** Elements per token row: RoPE rotates the q and k heads, SiLU-and-mul yields the FFN's width. */
function widthOf(op: ElementwiseOp, model: LayerShape): number {
  if (op === 'rope') return (model.heads + model.kvHeads) * model.headDim;
  if (op === 'silu_and_mul') return model.intermediateSize;
  return model.hiddenSize;
}

async function measureElementwise(
  context: ProfileContext,
  op: ElementwiseOp,
  dtype: ShaderDtype,
  tokens: number,
  width: number,
): Promise<string> {
  const e = bytesPerElement(dtype);
  // Bytes read plus written, as the kernel moves them.
  const bytes = (op === 'silu_and_mul' ? 3 : op === 'residual_add' ? 3 : 2) * tokens * width * e;
  // SiLU-and-mul reads gate and up side by side: twice the output's width.
  const inputBytes = tokens * width * e * (op === 'silu_and_mul' ? 2 : 1);
  context.requireBinding(inputBytes, 'the input');
  const time = await context.measure((arena) =>
    elementwiseDispatches(context, arena, op, dtype, tokens, width, inputBytes),
  );
  const bytesPerSecond = bytes / time.median;
  context.tables.elementwise.push({ op, dtype, tokens, width, time, bytesPerSecond });
  return `${(bytesPerSecond / 1e9).toFixed(2)} GB/s`;
}

function elementwiseDispatches(
  context: ProfileContext,
  arena: BufferArena,
  op: ElementwiseOp,
  dtype: ShaderDtype,
  tokens: number,
  width: number,
  inputBytes: number,
): Dispatch[] {
  const { gpu, layerShape: model } = context;
  const e = bytesPerElement(dtype);
  const x = arena.storage(inputBytes, 'x');
  const y = arena.storage(tokens * width * e, 'y');
  switch (op) {
    case 'rmsnorm':
      return [
        rmsNorm(gpu, arena, {
          dtype,
          rows: tokens,
          width,
          eps: 1e-5,
          x,
          weight: arena.storage(width * e, 'w'),
          y,
        }),
      ];
    case 'rope': {
      const positions = arena.storage(tokens * 4, 'positions');
      const heads = model.heads + model.kvHeads;
      return [
        rope(gpu, arena, {
          dtype,
          tokens,
          heads,
          headDim: model.headDim,
          rowStride: width,
          theta: 1e4,
          positions,
          x,
        }),
      ];
    }
    case 'silu_and_mul':
      return [siluAndMul(gpu, arena, { dtype, tokens, width, x, y })];
    case 'residual_add':
      return [residualAdd(gpu, arena, { dtype, count: tokens * width, x, y })];
  }
}
