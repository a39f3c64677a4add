import type { HardwareSpec } from '../hardware/spec.js';
import type { DeviceProfile } from '../profile/schema.js';

/**
 * What happens when a profile measured on one device calibrates predictions for another: its
 * efficiencies (the share of the measuring device's peak each kind of op reached) are carried over and
 * scale the target's own peaks; its dispatch and submit overheads are not (a WebGPU dispatch is not a
 * CUDA launch), so the target's defaults stand. Undefined where the profile is of the target itself.
 */
export function profileTransferNote(profile: DeviceProfile, target: HardwareSpec): string | undefined {
  if (profile.catalogId !== null && profile.catalogId === target.id) return undefined;
  const adapter = profile.adapter;
  const measuredOn = adapter.description || adapter.device || adapter.vendor || 'an unnamed adapter';
  const kinds = [
    profile.gemm.length > 0 && 'gemm',
    profile.prefillAttention.length > 0 && 'prefill attention',
    profile.decodeAttention.length > 0 && 'decode attention',
    profile.elementwise.length > 0 && 'elementwise ops',
  ].filter((k): k is string => typeof k === 'string');
  const carried =
    kinds.length > 0
      ? `carried over: the measured efficiency (share of that device's peak) of ${kinds.join(', ')}, applied to the ${target.name}'s peaks`
      : `carried over: nothing (the profile has no op tables), the ${target.name}'s defaults stand`;
  return [
    `the profile was measured on ${measuredOn}${profile.catalogId ? ` (${profile.catalogId})` : ''}, not on ${target.name}: predictions for the ${target.name} take that device's efficiencies`,
    carried,
    `not carried: its kernel-launch and per-step overheads (the ${target.name}'s defaults are used)`,
    'the error of this transfer has not been measured: validation runs compare predictions with measurements on the profiled device only',
  ].join('; ');
}
