import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ServeTuneError } from '../util/errors.js';
import { getModel } from './catalog.js';
import { modelFromHfConfig } from './hf-config.js';
import type { ModelSpec } from './spec.js';

/**
 * A model named on a command line: a catalog id, or a path to a Hugging Face `config.json` (or to the
 * folder holding one).
 */
export function resolveModel(reference: string): ModelSpec {
  const looksLikePath = reference.endsWith('.json') || reference.includes('/') || reference.startsWith('.');
  if (looksLikePath && existsSync(reference)) {
    const file = statSync(reference).isDirectory() ? join(reference, 'config.json') : reference;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ServeTuneError(`Cannot read ${file}: ${(error as Error).message}`, 'io', file);
    }
    return modelFromHfConfig(text, file);
  }
  if (reference.endsWith('.json')) {
    throw new ServeTuneError(`Model config file not found: ${reference}`, 'io', reference);
  }
  return getModel(reference);
}
