import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseWorkspaceConfig, WORKSPACE_CONFIG_FILE, type WorkspaceConfig } from '../config/workspace.js';
import { Slo, type SloPercentile } from '../search/schema.js';
import { isServeTuneError, ServeTuneError } from '../util/errors.js';
import { readConfigIfFile } from '../util/files.js';
import { checkSloTargets, RANKING_SLO_RULES } from '../workload/slo.js';
import { traceReference } from '../workload/trace-options.js';
import { detectTraceFormatOfFile, type TraceFormat } from '../workload/traces.js';

/** The servetune.json at or above `fromDir`, up to (and including) `stopAt` or the file system's root. */
export function findWorkspaceConfig(
  fromDir: string,
  stopAt?: string,
): { path: string; config: WorkspaceConfig } | undefined {
  let dir = resolve(fromDir);
  const stop = stopAt ? resolve(stopAt) : undefined;
  for (;;) {
    const path = join(dir, WORKSPACE_CONFIG_FILE);
    const text = readConfigIfFile(path);
    if (text !== undefined) return { path, config: parseWorkspaceConfig(text, path) };
    const parent = dirname(dir);
    if (parent === dir || dir === stop) return undefined;
    dir = parent;
  }
}

type WorkspaceTraceFormat = NonNullable<Extract<WorkspaceConfig['workload'], { trace: string }>['format']>;

/** The reader's format each servetune.json "format" names. */
const TRACE_FORMATS: Record<WorkspaceTraceFormat, TraceFormat> = {
  'azure-csv': 'azure',
  'mooncake-jsonl': 'mooncake',
};

const FORMAT_NAMES: Record<TraceFormat, string> = {
  azure: 'an Azure CSV',
  burstgpt: 'a BurstGPT CSV',
  mooncake: 'a Mooncake JSONL',
  'request-list': 'a request-list JSONL',
};

/**
 * servetune.json's trace as the file the user meant: one that exists (an error naming servetune.json's
 * field, not a `--workload` nobody typed), and of the format "format" says where it says one (the
 * reader tells the format from the file itself, so a "format" the file contradicts was ignored).
 */
function checkWorkspaceTrace(
  trace: string,
  format: WorkspaceTraceFormat | undefined,
  configPath: string,
): void {
  const reference = traceReference(trace);
  if (reference === undefined) {
    throw new ServeTuneError(
      `${configPath}: workload.trace: ${trace}: no such file`,
      'invalid-config',
      `${configPath}:workload.trace`,
    );
  }
  if (format === undefined) return;
  const found = formatOfWorkspaceTrace(reference.file, configPath);
  if (found === TRACE_FORMATS[format]) return;
  throw new ServeTuneError(
    `${configPath}: workload.format: "${format}", but ${reference.file} is ${FORMAT_NAMES[found]} trace; fix "format" or leave it out (the format is told from the file)`,
    'invalid-config',
    `${configPath}:workload.format`,
  );
}

/**
 * The format read off servetune.json's trace, or the reader's error (a folder, unreadable, not a trace)
 * named by servetune.json's field: the user wrote the path there, not on a command line.
 */
function formatOfWorkspaceTrace(file: string, configPath: string): TraceFormat {
  try {
    return detectTraceFormatOfFile(file);
  } catch (error) {
    if (!isServeTuneError(error)) throw error;
    throw new ServeTuneError(
      `${configPath}: workload.trace: ${error.message}`,
      'invalid-config',
      `${configPath}:workload.trace`,
    );
  }
}

const PERCENTILES: Record<number, SloPercentile> = { 50: 'p50', 90: 'p90', 99: 'p99' };

/** servetune.json's workload as the search takes it: a spec, or a trace path made absolute, and its rate. */
export function workloadFromWorkspace(
  config: WorkspaceConfig,
  configPath: string,
): { workload: string; rate?: number } | undefined {
  const w = config.workload;
  if (!w) return undefined;
  if ('spec' in w) return { workload: w.spec };
  const trace = isAbsolute(w.trace) ? w.trace : join(dirname(configPath), w.trace);
  checkWorkspaceTrace(trace, w.format, configPath);
  return { workload: trace, ...(w.rate !== undefined ? { rate: w.rate } : {}) };
}

/**
 * servetune.json's SLO as the search takes it, held to the rules `--slo` is (RANKING_SLO_RULES); errors
 * name the file and the field at fault.
 */
export function sloFromWorkspace(config: WorkspaceConfig, configPath: string): Slo | undefined {
  const slo = config.slo;
  if (!slo) return undefined;
  const percentile = slo.percentile === undefined ? undefined : PERCENTILES[slo.percentile];
  if (slo.percentile !== undefined && !percentile) {
    throw new ServeTuneError(
      `${configPath}: slo.percentile: ServeTune compares at p50, p90 or p99; got ${slo.percentile}`,
      'invalid-config',
      `${configPath}:slo.percentile`,
    );
  }
  if (slo.percentile !== undefined && slo.attainment !== undefined) {
    throw new ServeTuneError(
      `${configPath}: slo: give attainment or percentile, not both`,
      'invalid-config',
      `${configPath}:slo`,
    );
  }
  const { percentile: _, attainment, gap, ...given } = slo;
  const ranked = RANKING_SLO_RULES.allowed.join(', ');
  const targets = checkSloTargets(given, RANKING_SLO_RULES, (problem) =>
    problem === 'no-target'
      ? new ServeTuneError(
          `${configPath}: slo: no latency target; give at least one of ${ranked} (seconds)`,
          'invalid-config',
          `${configPath}:slo`,
        )
      : new ServeTuneError(
          `${configPath}: slo.${problem.notTaken}: not a target tuning ranks by (${ranked})`,
          'invalid-config',
          `${configPath}:slo.${problem.notTaken}`,
        ),
  );
  return Slo.parse({
    ...targets,
    ...(percentile ? { form: 'percentile', percentile } : {}),
    ...(attainment !== undefined ? { attainment: attainment / 100 } : {}),
    ...(gap ? { gap } : {}),
  });
}
