import { Document } from 'yaml';
import { commandLineOf, type EngineFlags, engineFlags } from './emit.js';
import { ENGINES, type EngineId } from './engines/index.js';
import { kvTransferOf, type PoolSide } from './engines/kv-transfer.js';
import { knobById } from './knobs/index.js';
import type { PartialServingSettings } from './serving-settings.js';

/**
 * One side of a disaggregated pair as the engine starts it: the engine's flags for `settings` with the
 * side (`disaggregationMode`), and the KV transfer the engine needs on that side (engines/kv-transfer.ts):
 * vLLM's `--kv-transfer-config`, SGLang's transfer backend, TensorRT-LLM's cache transceiver in the
 * options file the command then names. The one emitter of such servers: the search's commands and the
 * deployment files both come from here.
 */
export function disaggregatedFlags(
  engine: EngineId,
  settings: PartialServingSettings,
  side: PoolSide,
  options: { yamlFileName?: string } = {},
): EngineFlags {
  const transfer = kvTransferOf(engine);
  const flags = engineFlags(engine, { ...settings, disaggregationMode: side }, options);
  const argv = [...flags.argv, ...transfer.serverArgs(side)];
  let { configYaml, yamlFileName } = flags;
  if (transfer.optionsYaml) {
    configYaml = `${configYaml ?? ''}${new Document(transfer.optionsYaml).toString()}`;
    if (flags.configYaml === undefined) {
      // The options file now exists, so the command names it.
      yamlFileName = options.yamlFileName ?? `${side}.yaml`;
      const fileKnob = ENGINES[engine].configFile?.knob;
      const fileFlag = fileKnob ? knobById(engine, fileKnob)?.flag : undefined;
      if (fileFlag) argv.push(fileFlag, yamlFileName);
    }
  }
  // The side a connector role expresses (vLLM's kv_role) is said by the transfer words, not dropped.
  const dropped = flags.dropped.filter((d) => d.setting !== 'disaggregationMode');
  const expressed = { ...flags.expressed, disaggregationMode: side };
  return {
    ...flags,
    argv,
    commandLine: commandLineOf(argv, flags.env),
    dropped,
    expressed,
    ...(configYaml !== undefined ? { configYaml, yamlFileName } : {}),
  };
}
