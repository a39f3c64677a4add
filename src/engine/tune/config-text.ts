import { z } from 'zod';
import { MAX_CONFIG_FILE_BYTES, mibText } from '../util/files.js';

/**
 * A config file's text sent with a request (an editor's unsaved buffer): bounded as a config read from
 * disk is (MAX_CONFIG_FILE_BYTES), so a buffer of megabytes is refused instead of parsed for minutes.
 */
export const ConfigText = z
  .string()
  .refine((text) => Buffer.byteLength(text, 'utf8') <= MAX_CONFIG_FILE_BYTES, {
    message: `the config's text is larger than the ${mibText(MAX_CONFIG_FILE_BYTES)} a serving config may be (docs/limits.md)`,
  });
