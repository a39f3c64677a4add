// The catalog model a row ran: its repository resolved, and where the row's quant mode says block-scaled
// fp8 on a 16-bit repository, the publisher's block-scaled checkpoint.

import { MODEL_CATALOG } from '../../src/engine/model/catalog.js';
import { lookupModel } from '../../src/engine/model/resolve.js';
import type { ModelSpec } from '../../src/engine/model/spec.js';
import { isAicGenerated } from './aic-generated.js';
import type { SiliconRow } from './rows.js';

/**
 * The model a row names: the resolver (catalog id or repository, local Hugging Face cache), else the
 * catalog entry of the same architecture: a base model's repository (meta-llama/Llama-3.1-70B) reads as
 * its -Instruct entry, a re-quantized one (nvidia/…-FP8, …-NVFP4) as the model it quantizes. The weight
 * format is the row's, not the repository's.
 */
export function resolveRowModel(repo: string): ModelSpec | undefined {
  const direct = lookupModel(repo);
  if (direct) return direct;
  const name = (repo.split('/').pop() ?? repo).replace(/-(fp8|nvfp4|fp4)$/i, '').toLowerCase();
  return MODEL_CATALOG.find((m) => {
    const last = (m.source.split('/').pop() ?? '').toLowerCase();
    return last === name || last === `${name}-instruct`;
  });
}

/**
 * The model a row ran: resolveRowModel's, except that a row whose weight quant mode is `fp8_block`
 * (aiconfigurator's name for fp8 with one scale per 128 × 128 weight block) on a repository published in
 * 16-bit ran that publisher's block-scaled FP8 checkpoint, `<repository>-FP8`, where the catalog has it
 * (InferenceMAX's Qwen3.5 FP8 runs serve Qwen/Qwen3.5-397B-A17B-FP8, its GLM-5 ones zai-org/GLM-5-FP8;
 * hf-catalog.ts). Its blocks decide
 * which GEMM kernel times the linear layers (EngineKernels.blockScaledFp8), which a plan's dtype alone
 * does not say. So does a gap-analysis row's `fp8` (gapAnalysisFp8IsBlockScaled).
 */
export function rowModelOf(row: SiliconRow): ModelSpec | undefined {
  const model = resolveRowModel(row.model_path);
  const mode = model?.moe ? row.moe_quant_mode : row.gemm_quant_mode;
  const blockScaled = mode === 'fp8_block' || (mode === 'fp8' && gapAnalysisFp8IsBlockScaled(row));
  if (!model || !blockScaled || model.checkpointFormat?.dtype === 'fp8') return model;
  // The row may name the publisher's former organisation (zhipuai/GLM-5 for zai-org's): the catalog
  // entry's own repository names the checkpoint as well.
  const published = lookupModel(`${row.model_path}-FP8`) ?? lookupModel(`${model.source}-FP8`);
  return published?.checkpointFormat?.dtype === 'fp8' && published.checkpointFormat.groupSize !== undefined
    ? published
    : model;
}

/**
 * Whether a gap-analysis row's `fp8` names a block-scaled checkpoint. AIConfigurator's quant modes kept
 * `fp8_block` for TensorRT-LLM's DeepSeek (ai-dynamo/aiconfigurator src/aiconfigurator/sdk/common.py
 * `GEMMQuantMode.fp8_block  # specific for trtllm torch ds fp8`), and the export labels Qwen's own
 * block-scaled release `fp8` (its vLLM 0.12.0 rows of Qwen/Qwen3-235B-A22B-FP8), so on these rows `fp8`
 * says fp8 weights, not per-tensor scales. What the Qwen3-32B deployments served is AIConfigurator's
 * automation default for that model and version: tools/automation/config.env (@771d1b07) pairs
 * `MODEL=QWEN3_32B`, `VERSION=1.0.0rc3` with `MODEL_HF_REPO=Qwen/Qwen3-32B-FP8` (128 × 128 blocks), and
 * the rows' decode steps agree with fp8 weights alone (15.4 ms at 8 clients against 15.7 predicted in fp8,
 * 26.5 in bf16). TensorRT-LLM runs such a checkpoint's linear layers as `fp8_quantize_1x128` +
 * `fp8_block_scaling_gemm` on Hopper (tensorrt_llm/_torch/modules/linear.py
 * `FP8BlockScalesLinearMethod.apply`), what the `fp8_block` tables time: aiconfigurator's collector
 * (collector/trtllm/collect_gemm.py @000959092f) runs a TensorRT-LLM `Linear` of
 * `QuantAlgo.FP8_BLOCK_SCALES`, bf16 input, on SM90.
 */
function gapAnalysisFp8IsBlockScaled(row: SiliconRow): boolean {
  return isAicGenerated(row);
}
