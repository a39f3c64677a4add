/** Llama-3.1-8B on L40S GPUs, TP1 × `dp` replicas under vLLM V1's scheduler: small, quick simulations. */
export function l40sLlama8b(dp: number) {
  return {
    model: 'llama-3.1-8b',
    hardware: 'l40s',
    deployment: {
      kind: 'colocated' as const,
      pool: {
        plan: { tp: 1, pp: 1, dp, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const },
        scheduler: { policy: 'vllm-v1' as const },
      },
    },
  };
}

/** Two L40S, TP1 × DP2, with goodput targets. */
export const L40S_DP2 = { ...l40sLlama8b(2), slo: { ttft: 2, tbt: 0.1 } };
