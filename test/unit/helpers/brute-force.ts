import type { Candidate } from '../../../src/engine/search/schema.js';
import {
  candidateId,
  FINE_CHUNK_TOKENS,
  FINE_MAX_NUM_SEQS,
  type ReplicaShape,
} from '../../../src/engine/search/space.js';

/**
 * Brute force for checking the search: every replica shape over all `gpus`, with every fine value of
 * max-num-seqs and chunk size (chunked prefill, default block size and memory utilization).
 */
export function everyColocatedCandidate(shapes: readonly ReplicaShape[], gpus: number): Candidate[] {
  const all: Candidate[] = [];
  for (const shape of shapes) {
    const plan = { ...shape, dp: gpus / (shape.tp * shape.pp) };
    for (const maxNumSeqs of FINE_MAX_NUM_SEQS) {
      for (const maxNumBatchedTokens of FINE_CHUNK_TOKENS) {
        const knobs = {
          maxNumSeqs,
          maxNumBatchedTokens,
          chunkedPrefill: true,
          blockSize: 16,
          gpuMemoryUtilization: 0.9,
        };
        const body = { kind: 'colocated' as const, pool: { plan, knobs } };
        all.push({ ...body, id: candidateId(body) });
      }
    }
  }
  return all;
}
