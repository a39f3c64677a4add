// The step budget against the engine's start-up limits: tokens per step below sequences per step, and,
// with chunked prefill off, prompts longer than one step (TensorRT-LLM) or vLLM's check by version.
import type { BlockTarget } from './block-target.js';
import { type BlockChecking, rangeOf } from './diagnostic.js';
import { ENGINES, versionOfImage, vllmChunkedPrefillOff } from './engines/index.js';

/** Scheduler settings the engine refuses at start-up. */
export function stepBudgetAgainstLimits(checking: BlockChecking, target: BlockTarget): void {
  if (!ENGINES[target.engine].checks.stepBudgetCoversLimits) return;
  const { block, push, fixFor } = checking;
  const { settings, resolved } = target;
  const tokens = resolved.maxNumBatchedTokens;
  const seqs = resolved.maxNumSeqs;
  if (tokens !== undefined && seqs !== undefined && tokens < seqs) {
    const bothSet = settings.maxNumBatchedTokens !== undefined && settings.maxNumSeqs !== undefined;
    const oneSet = settings.maxNumBatchedTokens !== undefined || settings.maxNumSeqs !== undefined;
    // A default is the engine's for the GPU ServeTune assumed: say so, and do not call it certain.
    const assumed = (key: 'maxNumBatchedTokens' | 'maxNumSeqs') =>
      settings[key] === undefined ? ' (the engine default ServeTune assumes)' : '';
    if (oneSet)
      push({
        severity: bothSet ? 'error' : 'warning',
        code: 'batched-tokens-below-seqs',
        message: `max-num-batched-tokens ${tokens}${assumed('maxNumBatchedTokens')} is below max-num-seqs ${seqs}${assumed('maxNumSeqs')}: the engine refuses to start${bothSet ? '' : ' if that default applies'}`,
        range: rangeOf(block, 'maxNumBatchedTokens', 'maxNumSeqs'),
        fix: fixFor(`Set max-num-batched-tokens to ${seqs}`, { maxNumBatchedTokens: seqs }),
      });
  }
  if (resolved.enableChunkedPrefill === false) {
    if (target.engine === 'vllm') vllmChunkingOff(checking, target);
    else promptLongerThanStep(checking, target);
  }
}

/**
 * TensorRT-LLM without chunked prefill: a prompt longer than one step's tokens cannot be scheduled. An
 * error only where the file sets the values; from the engine's defaults, a warning that says so. A
 * generation (decode-only) server of a disaggregated pair never runs a prompt: it receives the prompt's
 * KV cache, so its step budget limits no prompt. (vLLM's start-up check, below, applies to every role.)
 */
function promptLongerThanStep({ block, push, fixFor }: BlockChecking, target: BlockTarget): void {
  if (block.settings.disaggregationMode?.value === 'decode') return;
  const tokens = target.resolved.maxNumBatchedTokens;
  const maxLen = target.resolved.maxModelLen;
  if (tokens === undefined || maxLen === undefined || tokens >= maxLen) return;
  const set = target.settings;
  const fromFile = set.maxNumBatchedTokens !== undefined && set.maxModelLen !== undefined;
  const defaults = [
    set.enableChunkedPrefill === undefined ? 'chunked prefill off' : undefined,
    set.maxNumBatchedTokens === undefined ? `max_num_tokens ${tokens}` : undefined,
    set.maxModelLen === undefined ? `max_seq_len ${maxLen} (the model's)` : undefined,
  ].filter((part) => part !== undefined);
  push({
    severity: fromFile ? 'error' : 'warning',
    code: 'prompt-longer-than-step',
    message: `chunked prefill is off and max-num-batched-tokens ${tokens} < max-model-len ${maxLen}: prompts longer than ${tokens} tokens cannot be scheduled${defaults.length > 0 ? ` (engine defaults: ${defaults.join(', ')})` : ''}`,
    range: rangeOf(block, 'enableChunkedPrefill', 'maxNumBatchedTokens'),
    fix: fixFor('Turn chunked prefill on', { enableChunkedPrefill: true }),
  });
}

/**
 * vLLM with chunked prefill switched off, by version: V1 in 0.8–0.11 chunks anyway; 0.12 and later raise
 * the default step budget to max-model-len and refuse to start only below it when it is set explicitly.
 */
function vllmChunkingOff({ block, push, fixFor }: BlockChecking, target: BlockTarget): void {
  const version = block.engineVersion;
  const behaviour = vllmChunkedPrefillOff(version ? versionOfImage(version.image) : undefined);
  const from = version ? `vLLM ${version.text} (image ${version.image})` : 'vLLM';
  const range = rangeOf(block, 'enableChunkedPrefill');
  if (behaviour === 'forced-on') {
    push({
      severity: 'info',
      code: 'chunked-prefill-forced-on',
      message: `${from} runs the V1 engine, which always chunks prefills: turning chunked prefill off has no effect`,
      range,
    });
    return;
  }
  const tokens = target.settings.maxNumBatchedTokens;
  const maxLen = target.resolved.maxModelLen;
  if (tokens === undefined || maxLen === undefined || tokens >= maxLen) return;
  const known = behaviour === 'honoured';
  const lenFrom = target.settings.maxModelLen === undefined ? " (the model's context, not set here)" : '';
  push({
    severity: known ? 'error' : 'warning',
    code: 'prompt-longer-than-step',
    message: known
      ? `chunked prefill is off and max-num-batched-tokens ${tokens} < max-model-len ${maxLen}${lenFrom}: ${from} refuses to start`
      : `chunked prefill is off and max-num-batched-tokens ${tokens} < max-model-len ${maxLen}${lenFrom}: vLLM 0.12 and later refuse to start; V1 in 0.8–0.11 chunks anyway (the image tag does not give the version)`,
    range: rangeOf(block, 'enableChunkedPrefill', 'maxNumBatchedTokens'),
    fix: fixFor(`Set max-num-batched-tokens to ${maxLen}`, { maxNumBatchedTokens: maxLen }),
  });
}
