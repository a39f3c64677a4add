import { z } from 'zod';
import { ServeTuneError } from '../util/errors.js';
import { apiUrl } from './endpoint.js';
import type { LoadRequest } from './load.js';
import type { StreamTarget } from './stream-client.js';

/**
 * The longest prompt the load generator builds: 1,000,000 token ids are an array of 8 MB and a request
 * body of about 4 MB. Past it a trace row is taken as a mistake (a 1e12-token row would otherwise be
 * built as an array of that length) and the run is refused before anything is sent.
 */
export const MAX_PROMPT_TOKENS = 1_000_000;

/** Refuses a run with a prompt longer than MAX_PROMPT_TOKENS, naming the request, its length and the limit. */
export function checkPromptSizes(requests: readonly LoadRequest[], source: string): void {
  const index = requests.findIndex((r) => r.promptTokens > MAX_PROMPT_TOKENS);
  if (index < 0) return;
  throw new ServeTuneError(
    `--workload ${source}: request ${index + 1} of the run has a ${requests[index].promptTokens.toLocaleString('en-US')}-token prompt; the load generator builds prompts of at most ${MAX_PROMPT_TOKENS.toLocaleString('en-US')} tokens, so nothing was sent (cap the lengths with a spec's max=, or leave such requests out of the trace)`,
    'invalid-argument',
    '--workload',
  );
}

/** The part of /v1/models read here: vLLM and `servetune serve` list each model's max_model_len. */
const ModelList = z.object({
  data: z.array(z.object({ id: z.string(), max_model_len: z.number().int().positive().optional() })),
});

/**
 * The served model's context length as the endpoint's /v1/models reports it (vLLM's `max_model_len`),
 * or undefined where it reports none, answers otherwise or not at all: the test request and the run
 * then say what is wrong.
 */
export async function fetchMaxModelLen(
  target: StreamTarget,
  timeoutSeconds: number,
  signal?: AbortSignal,
): Promise<number | undefined> {
  try {
    const timeout = AbortSignal.timeout(Math.min(timeoutSeconds, 10) * 1000);
    const res = await fetch(apiUrl(target.url, 'models'), {
      headers: target.headers,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    if (!res.ok) return undefined;
    const list = ModelList.safeParse(await res.json());
    if (!list.success) return undefined;
    return list.data.data.find((m) => m.id === target.model)?.max_model_len;
  } catch {
    return undefined;
  }
}

/**
 * Requests shortened to fit a context of `maxModelLen` tokens: one whose prompt and output together
 * are longer has both scaled by the same factor (its shape kept; at least one token each), the others
 * are as they were. Returns how many were shortened. A context under 2 tokens fits nothing; the
 * requests are left to the server to refuse.
 */
export function fitToContext(
  requests: readonly LoadRequest[],
  maxModelLen: number,
): { requests: LoadRequest[]; fitted: number } {
  if (maxModelLen < 2) return { requests: [...requests], fitted: 0 };
  let fitted = 0;
  const out = requests.map((r) => {
    const total = r.promptTokens + r.outputTokens;
    if (total <= maxModelLen) return r;
    fitted++;
    const promptTokens = Math.min(
      maxModelLen - 1,
      Math.max(1, Math.floor((r.promptTokens * maxModelLen) / total)),
    );
    return {
      ...r,
      promptTokens,
      outputTokens: Math.max(1, Math.min(r.outputTokens, maxModelLen - promptTokens)),
    };
  });
  return { requests: out, fitted };
}
