/**
 * The bounds the workload stage enforces (docs/limits.md lists them for users). Past each one the input is
 * refused with an error that says which bound and where, rather than read into memory or numbers that
 * cannot be simulated.
 */

/** Largest trace file read (bytes): beyond it the requests alone outgrow a default Node heap. */
export const MAX_TRACE_FILE_BYTES = 1024 ** 3;

/** Longest line of a trace (characters): a Mooncake line with a million-token prompt is about 15 KB. */
export const MAX_TRACE_LINE_CHARS = 1024 ** 2;

/** Most requests a synthetic workload generates (`n=`, or rate × duration). */
export const MAX_GENERATED_REQUESTS = 10_000_000;

/** Largest prompt or output length (tokens) a trace or spec may give: far beyond any model's context. */
export const MAX_TOKENS_PER_REQUEST = 100_000_000;

/**
 * Longest span of arrivals (seconds, 10 years): past it, doubles no longer resolve the microseconds a
 * simulation step needs, and a span that long is a unit mistake rather than a trace.
 */
export const MAX_ARRIVAL_SPAN_SECONDS = 10 * 365 * 24 * 3600;
