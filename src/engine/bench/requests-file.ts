import { z } from 'zod';

/** One request as the load generator measured it, as `servetune bench --requests-out` writes it. */
export const MeasuredRequest = z.object({
  index: z.number().int(),
  /** Seconds from the run's start: when it was due (open loop) or taken (closed loop), and sent. */
  scheduledAt: z.number(),
  sentAt: z.number(),
  promptTokens: z.number().int().nonnegative(),
  requestedOutputTokens: z.number().int().nonnegative(),
  /** Seconds from the run's start of each streamed chunk that carried generated text. */
  tokenTimes: z.array(z.number()),
  /** Output tokens the server reported (usage), else the number of content chunks. */
  outputTokens: z.number().int().nonnegative(),
  finishedAt: z.number(),
  /** `incomplete`: the server closed the stream before marking its end ([DONE] or a finish_reason). */
  status: z.enum(['ok', 'http-error', 'timeout', 'network-error', 'cancelled', 'incomplete']),
  error: z.string().optional(),
  /**
   * The id the server gave its response (its first stream event's), where it sends one: pairs the
   * request with the server's own records of it.
   */
  responseId: z.string().optional(),
});
export type MeasuredRequest = z.infer<typeof MeasuredRequest>;

/**
 * Every request of a `servetune bench` run with its own times, in the order they were sent: what the
 * summary aggregates, for a user's own analysis or for combining runs (their summaries do not combine:
 * percentiles need the requests).
 */
export const MeasuredRequestsFile = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal('measured-requests'),
  url: z.string(),
  servedModel: z.string(),
  /** Wall-clock time of the run's start (ms since the epoch): the origin of every request's times. */
  startedAtEpochMs: z.number(),
  requests: z.array(MeasuredRequest),
});
export type MeasuredRequestsFile = z.infer<typeof MeasuredRequestsFile>;
