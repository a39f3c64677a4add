/** The KV layout of a replica as a KV transfer reads it (StepModel's fields of the same names). */
export interface KvTransferEnd {
  /** Tensor-parallel ranks of the replica (of one attention-DP rank's group). */
  tp: number;
  /** KV bytes one token occupies on one GPU. */
  kvBytesPerTokenPerGpu: number;
}

/** The sending (prefill) replica: its layout and its whole KV footprint. */
export interface KvTransferSender extends KvTransferEnd {
  kvBytesPerTokenPerReplica: number;
  gpusPerReplica: number;
}

/**
 * Bytes the busiest GPU of a prefill replica (`sender`) ships for `tokens` tokens of its KV to a decode
 * replica (`receiver`; absent: its own shard) in disaggregated prefill → decode. Each GPU of the sending TP group ships its own
 * shard in parallel. Every receiving GPU needs its whole KV footprint, so where the KV is not split over
 * TP (MLA's latent vector, or fewer KV heads than ranks) each decode rank gets all of it from one sender,
 * and a sender serving several decode ranks (more TP ranks on the decode side) ships the same bytes to
 * each in turn. TensorRT-LLM (NVIDIA/TensorRT-LLM cpp/tensorrt_llm/batch_manager/mlaCacheFormatter.cpp
 * @203cb19): `needSendCache` lets every rank of a prefill attention group no larger than the decode one
 * send (of a larger one, one rank in `dupHeadFactor`); `format` sends each connection the split cache
 * `processIdx % (pPDomainSize * cPDomainSize)`, the same one for every TP rank of the decode group, one
 * connection after another unless TRTLLM_ENABLE_KVCACHE_RECEIVE_PARALLEL is set (off by default:
 * docs/source/1.0/features/disagg-serving.md @0cf8325, "Environment Variables"). With attention data
 * parallel on the decode side a rank's group is one GPU and nothing is repeated.
 */
export function kvTransferBytesPerGpu(
  sender: KvTransferSender,
  tokens: number,
  receiver?: KvTransferEnd,
): number {
  const shard = sender.kvBytesPerTokenPerReplica / sender.gpusPerReplica;
  const perReceiver = receiver ? Math.min(sender.kvBytesPerTokenPerGpu, receiver.kvBytesPerTokenPerGpu) : 0;
  const receiversPerSender = receiver ? Math.max(1, receiver.tp / sender.tp) : 0;
  return tokens * Math.max(shard, perReceiver * receiversPerSender);
}
