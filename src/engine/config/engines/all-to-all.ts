import type { AllToAllBackend } from '../../memory/plan.js';
import type { PartialServingSettings } from '../serving-settings.js';
import { ENGINES, type EngineId } from './index.js';

/** A plan's all-to-all kernels as serving settings (the engines' knobs spell them). */
export function allToAllSettings(backend: AllToAllBackend): PartialServingSettings {
  if (backend === 'nccl') return { allToAllBackend: 'nccl' };
  const mode =
    backend === 'deepep-low-latency' ? 'low-latency' : backend === 'deepep-normal' ? 'normal' : 'auto';
  return { allToAllBackend: 'deepep', deepepMode: mode };
}

/** The plan's all-to-all kernels a config asks for; DeepEP without a mode is SGLang's default, auto. Undefined: not set. */
export function allToAllOfSettings(settings: PartialServingSettings): AllToAllBackend | undefined {
  if (settings.allToAllBackend === 'nccl') return 'nccl';
  if (settings.allToAllBackend !== 'deepep') return undefined;
  return `deepep-${settings.deepepMode ?? 'auto'}`;
}

/** The kernels an engine runs wide EP with in a server of this role (its description); undefined: its default. */
export function wideExpertParallelAllToAll(
  engine: EngineId,
  role: 'colocated' | 'prefill' | 'decode',
): AllToAllBackend | undefined {
  const choice: { [R in typeof role]: AllToAllBackend } | undefined =
    ENGINES[engine].wideExpertParallelAllToAll;
  return choice?.[role];
}
