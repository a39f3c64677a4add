import { intKnob, type Knob, parseDecimal } from './types.js';

/*
 * TensorRT-LLM batch waiting (the simulator's batchWaitIters / batchWaitTokensRatio, sched/config.ts): LLM
 * API options of the PyTorch backend in the extra options YAML (TorchLlmArgs, tensorrt_llm/llmapi/
 * llm_args.py): `batch_wait_timeout_iters: int = Field(default=0, …)` "Maximum number of iterations the
 * scheduler will wait to accumulate new coming requests … If 0, disables timeout-iters-based batching
 * delays", and `batch_wait_max_tokens_ratio: float = Field(default=0, …)` "the scheduler will accumulate
 * requests locally until the total token count reaches batch_wait_max_tokens_ratio * max_num_tokens … If 0
 * disables token-based batching delay".
 */

export const trtllmBatchWaitIters: Knob = intKnob(
  'batchWaitIters',
  {
    yamlPath: ['batch_wait_timeout_iters'],
    defaultText: '0 (no waiting)',
    doc: 'While requests decode, hold new prompts back for up to this many steps to batch them.',
  },
  { min: 0 },
);

/** `batch_wait_max_tokens_ratio`: 0 is the default (off) and reads as nothing. */
export const trtllmBatchWaitTokensRatio: Knob = {
  id: 'batch-wait-max-tokens-ratio',
  yamlPath: ['batch_wait_max_tokens_ratio'],
  kind: 'value',
  type: 'float',
  settings: ['batchWaitTokensRatio'],
  defaultText: '0 (off)',
  doc: 'The share of max_num_tokens whose waiting tokens end the batch wait early.',
  read(raw) {
    const n = parseDecimal(raw);
    if (n === undefined || n < 0 || n > 1) return `expected a number in [0, 1], got '${String(raw)}'`;
    return n === 0 ? {} : { batchWaitTokensRatio: n };
  },
  write: (settings) =>
    settings.batchWaitTokensRatio === undefined ? undefined : String(settings.batchWaitTokensRatio),
};
