import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { findHardware } from '../hardware/catalog.js';
import type { HardwareSpec } from '../hardware/spec.js';
import { DeviceProfile } from '../profile/schema.js';
import { ServeTuneError } from '../util/errors.js';
import { checkSchemaVersion, parseJsonText } from '../util/json-text.js';
import { issueText } from '../util/zod-messages.js';
import type { Calibration } from './calibration.js';
import { emptyOpTables, importOpTablesCsv, type MeasuredOpTables } from './op-tables.js';
import { calibrationFromProfile } from './profile-calibration.js';

/** What `servetune step --json` prints. */
export const StepReport = z.object({
  model: z.string(),
  hardware: z.string(),
  plan: z.object({
    tp: z.number(),
    pp: z.number(),
    ep: z.number(),
    weightDtype: z.string(),
    kvDtype: z.string(),
  }),
  batch: z.object({
    prefillTokens: z.number(),
    prefillContext: z.number(),
    decodeBatch: z.number(),
    decodeContext: z.number(),
  }),
  calibration: z.string(),
  /** The serving engine and the measured tables that time the step; null: roofline defaults. Optional, added later. */
  engine: z.string().nullable().optional(),
  totalSeconds: z.number(),
  parts: z.object({
    overheadSeconds: z.number(),
    stageSeconds: z.number(),
    stageSendSeconds: z.number(),
    headSeconds: z.number(),
  }),
  /** With speculation: each decode verifies `k` drafted tokens; the draft's passes are the `spec_draft` entry. */
  speculation: z
    .object({
      setting: z.string(),
      k: z.number(),
      expectedTokensPerSequence: z.number(),
      draftSeconds: z.number(),
      /** Expected tokens the step emits over its time (decodes only), against the same batch without speculation. */
      tokensPerSecond: z.number(),
      tokensPerSecondWithout: z.number(),
    })
    .optional(),
  /** MoE under EP: the dispatch/combine all-to-all and the wait for the busiest EP rank, summed over layers. */
  expertParallel: z
    .object({
      ep: z.number(),
      /** Attention-DP batches meeting in one EP group (ep / tp where EP spans DP ranks). */
      groupBatches: z.number(),
      /** Busiest EP rank's routed tokens over the mean. */
      imbalance: z.number(),
      allToAllSeconds: z.number(),
      /**
       * MoE TP over the group (Plan.moeTensorParallel): every GPU a slice of every expert, an all-gather
       * and a reduce-scatter (counted in allToAllSeconds) in place of the all-to-all.
       */
      moeTensorParallel: z.boolean().optional(),
      /** Where the all-to-all's time came from: a measured NCCL table, DeepEP's published measurement, or the link model. */
      allToAllSource: z.string().optional(),
      /** Expert time the step spends because the busiest rank carries more than the mean. */
      imbalanceSeconds: z.number(),
      /** Whether the EP group stays in one scale-up domain (NVLink node or NVL72 rack). */
      scaleUp: z.boolean(),
    })
    .optional(),
  /** Op by op, grouped by the kind of layer the op runs in (`group`), then the step's own ops. */
  breakdown: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['linear', 'attention', 'elementwise', 'communication', 'overhead']),
      /** The kind of layer (attention · FFN), or 'step' for the LM head, pipeline sends and overhead. */
      group: z.string(),
      /** What limits the op: FLOPs or bytes against the roofline, a link, or the host. */
      bound: z.enum(['compute', 'memory', 'communication', 'overhead']),
      /** Seconds summed over the op's calls. */
      seconds: z.number(),
      /** Layers the op runs in (or 1). */
      calls: z.number(),
      /** FLOPs and bytes of one call on one GPU. */
      flops: z.number(),
      bytes: z.number(),
      detail: z.string().optional(),
      /** Where the time came from: measured table and shape, interpolated, transferred, roofline. Optional, added later. */
      source: z.string().optional(),
    }),
  ),
});
export type StepReport = z.infer<typeof StepReport>;

/** Reads and validates a profile file written by the profiler. */
export function readDeviceProfile(file: string): DeviceProfile {
  let json: unknown;
  try {
    json = parseJsonText(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ServeTuneError(`Cannot read profile ${file}: ${(error as Error).message}`, 'io', file);
  }
  checkSchemaVersion(json, 1, file, 'a device profile');
  const parsed = DeviceProfile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ServeTuneError(
      `${file}: not a device profile: ${issueText(issue)}`,
      'invalid-config',
      issue.path.length > 0 ? `${file}:${issue.path.join('.')}` : file,
    );
  }
  return parsed.data;
}

/**
 * The calibration a profile gives for `target`: the measured efficiencies, with the profile's own
 * overheads when it was measured on that very device.
 */
export function calibrationForTarget(profile: DeviceProfile, target: HardwareSpec): Calibration {
  const catalogDevice = profile.catalogId ? findHardware(profile.catalogId) : undefined;
  return calibrationFromProfile(profile, target, {
    catalogDevice,
    sameDevice: profile.catalogId !== null && profile.catalogId === target.id,
  });
}

/** Reads and merges measured op-table CSV files. */
export function readOpTables(files: readonly string[]): MeasuredOpTables {
  let tables = emptyOpTables(files.join(', '));
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ServeTuneError(`Cannot read ${file}: ${(error as Error).message}`, 'io', file);
    }
    tables = importOpTablesCsv(text, file, tables);
  }
  return tables;
}
