// Serving config files: read (every format), diagnose, plan edits, emit engine flags.
export * from './apply.js';
export * from './block.js';
export * from './diagnostics.js';
export * from './emit.js';
export * from './engines/index.js';
export {
  findEnv,
  findFlag,
  findYamlKey,
  type Knob,
  type KnobTable,
  knobById,
  knobsFor,
  knobTable,
  normalizeName,
  yamlPathOf,
} from './knobs/index.js';
export * from './read.js';
export * from './serving-settings.js';
export * from './source.js';
export * from './workspace.js';
