import { z } from 'zod';
import { ServeTuneError } from '../../util/errors.js';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const intList = z.array(z.number().int().nonnegative());
const stringList = z.array(z.string());

/** A config.json object as read from disk: names to JSON values. */
export type RawConfig = Record<string, unknown>;

export function isObject(value: unknown): value is RawConfig {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Typed reads of a Hugging Face config's fields, each checked at the boundary, with errors that name
 * the file and the field (`text_config.hidden_size` for a multimodal checkpoint's text model). A field
 * the file leaves out (or sets to null) takes the family's default, the value transformers would give
 * it, where the family has one.
 */
export class ConfigFields {
  constructor(
    private readonly raw: RawConfig,
    readonly where: string,
    readonly modelType: string,
    private readonly defaults: RawConfig = {},
    private readonly prefix = '',
  ) {}

  /** The field's value as published, or the family default; undefined if neither (null counts as absent). */
  value(name: string): unknown {
    const published = this.raw[name];
    return published === undefined || published === null ? this.defaults[name] : published;
  }

  /** Whether the file itself sets the field (to anything but null). */
  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null;
  }

  /** Whether the file sets the field to null explicitly (Qwen's `sliding_window: null`: no window). */
  isNull(name: string): boolean {
    return this.raw[name] === null;
  }

  int(name: string): number {
    const value = this.value(name);
    if (value === undefined) this.missing(name);
    return this.parse(name, positiveInt, value, 'a positive integer');
  }

  optionalInt(name: string): number | undefined {
    const value = this.value(name);
    return value === undefined ? undefined : this.parse(name, positiveInt, value, 'a positive integer');
  }

  /** A count that may be 0 (0 shared experts, 0 MTP layers). */
  optionalCount(name: string): number | undefined {
    const value = this.value(name);
    return value === undefined ? undefined : this.parse(name, nonNegativeInt, value, 'a whole number');
  }

  optionalBool(name: string): boolean | undefined {
    const value = this.value(name);
    return value === undefined ? undefined : this.parse(name, z.boolean(), value, 'true or false');
  }

  optionalIntList(name: string): number[] | undefined {
    const value = this.value(name);
    return value === undefined ? undefined : this.parse(name, intList, value, 'a list of layer numbers');
  }

  optionalStringList(name: string): string[] | undefined {
    const value = this.value(name);
    return value === undefined ? undefined : this.parse(name, stringList, value, 'a list of strings');
  }

  optionalString(name: string): string | undefined {
    const value = this.value(name);
    return value === undefined ? undefined : this.parse(name, z.string(), value, 'a string');
  }

  /** The field's path as errors name it. */
  path(name: string): string {
    return `${this.prefix}${name}`;
  }

  fail(name: string, message: string): never {
    throw new ServeTuneError(
      `${this.where}: field '${this.path(name)}' ${message}`,
      'invalid-config',
      `${this.where}#${this.path(name)}`,
    );
  }

  private missing(name: string): never {
    this.fail(name, `is missing (required for model_type '${this.modelType}')`);
  }

  private parse<T>(name: string, schema: z.ZodType<T>, value: unknown, expected: string): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success) this.fail(name, `is invalid: expected ${expected}, got ${JSON.stringify(value)}`);
    return parsed.data;
  }
}
