// Tuning a config file's serving block: predict it as written, search, suggest exactly the changed keys.
export * from './check.js';
export * from './inputs.js';
export * from './schema.js';
export * from './target.js';
export * from './tune.js';
