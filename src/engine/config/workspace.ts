import { z } from 'zod';
import { ServeTuneError } from '../util/errors.js';
import { parseJsonText } from '../util/json-text.js';

const seconds = z.number().positive();

/**
 * `servetune.json`, next to a workspace's serving configs: the traffic to tune for and the latency
 * targets. Seconds inside, like the rest of the engine.
 */
export const WorkspaceConfig = z
  .object({
    $schema: z.string().optional(),
    /**
     * The traffic: a generator spec (`poisson rate=4 prompt=lognormal(1024,0.8) output=256`) or a trace
     * file (path relative to servetune.json).
     */
    workload: z
      .union(
        [
          z.object({ spec: z.string().min(1).describe('Workload generator spec.') }).strict(),
          z
            .object({
              trace: z.string().min(1).describe('Trace file, relative to servetune.json.'),
              format: z
                .enum(['azure-csv', 'mooncake-jsonl'])
                .optional()
                .describe('Trace format; guessed from the file when absent.'),
              rate: z
                .number()
                .positive()
                .optional()
                .describe('Replay at this many requests per second instead of the recorded times.'),
            })
            .strict(),
        ],
        // zod's own message for a union is "Invalid input", which does not say what either form is.
        {
          error:
            'expected {"spec": "<workload spec, e.g. poisson:rate=4,n=1000>"} or {"trace": "<file>"[, "format": …][, "rate": …]}',
        },
      )
      .optional()
      .describe('The traffic to predict and tune for.'),
    slo: z
      .object({
        ttft: seconds.optional().describe('Time to first token, seconds.'),
        tbt: seconds.optional().describe('Time between tokens, seconds.'),
        tpot: seconds.optional().describe('Time per output token, seconds.'),
        percentile: z
          .number()
          .gt(0)
          .lt(100)
          .optional()
          .describe(
            "The SLO's alternative form: this percentile (50, 90 or 99) of each metric over all requests must meet its target.",
          ),
        attainment: z
          .number()
          .gt(0)
          .lte(100)
          .optional()
          .describe('Percent of requests that must meet every target (default 90).'),
        gap: z
          .enum(['max', 'p50', 'p90', 'p99'])
          .optional()
          .describe("What of a request's token gaps tbt bounds: its largest or a percentile (default p90)."),
      })
      .strict()
      .optional()
      .describe('Latency targets: one or more of ttft, tbt and tpot; a target left out is unconstrained.'),
    hardware: z
      .string()
      .min(1)
      .optional()
      .describe('GPU (hardware catalog id) for configs that do not name one.'),
    prices: z
      .record(z.string().min(1), z.number().positive())
      .optional()
      .describe("US dollars per GPU-hour by hardware catalog id, over the catalog's list prices."),
  })
  .strict();
export type WorkspaceConfig = z.infer<typeof WorkspaceConfig>;

export const WORKSPACE_CONFIG_FILE = 'servetune.json';

/** Reads servetune.json text; errors name the file and the field. */
export function parseWorkspaceConfig(text: string, file = WORKSPACE_CONFIG_FILE): WorkspaceConfig {
  let json: unknown;
  try {
    json = parseJsonText(text);
  } catch (error) {
    throw new ServeTuneError(`${file}: not valid JSON (${(error as Error).message})`, 'invalid-config', file);
  }
  const parsed = WorkspaceConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.') || '(root)';
    throw new ServeTuneError(`${file}: ${field}: ${issue.message}`, 'invalid-config', `${file}:${field}`);
  }
  return parsed.data;
}

/** The JSON schema editors use for completion in servetune.json (written to schemas/servetune.schema.json). */
export function workspaceConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(WorkspaceConfig, { io: 'input' }) as Record<string, unknown>;
}
