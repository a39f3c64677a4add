// The engine's public surface: what the CLI, the worker, the extension and the webview may import.
export * from './dtypes.js';
export * from './hardware/catalog.js';
export * from './hardware/spec.js';
export * from './memory/model.js';
export * from './memory/plans.js';
export * from './model/catalog.js';
export * from './model/cost.js';
export * from './model/hf-config.js';
export * from './model/params.js';
export * from './model/spec.js';
export * from './plan.js';
export * from './profile/schema.js';
export * from './util/errors.js';
export * from './util/nearest.js';
