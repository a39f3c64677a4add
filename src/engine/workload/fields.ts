import { ServeTuneError } from '../util/errors.js';
import { MAX_TOKENS_PER_REQUEST } from './limits.js';

/** Where one row of a trace sits: its file and 1-based line. */
export interface RowAt {
  file: string;
  line: number;
}

/** An error at one field of a row: its column is the header name (CSV) or key (JSONL). */
export function fieldError(at: RowAt, column: string, message: string): ServeTuneError {
  return new ServeTuneError(
    `${at.file}:${at.line}: field '${column}' ${message}`,
    'invalid-config',
    `${at.file}:${at.line}:${column}`,
  );
}

/** A value as it appears in an error: quoted, and cut short when long. */
export function shown(raw: string): string {
  return `'${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}'`;
}

const DECIMAL_INTEGER = /^\d+$/;
const DECIMAL_NUMBER = /^\d+(\.\d+)?$/;

/**
 * A token count as the trace formats write it: a non-negative decimal integer (no sign, exponent, hex or
 * fraction) up to MAX_TOKENS_PER_REQUEST; `positive` also refuses 0.
 */
export function tokenCount(raw: string, at: RowAt, column: string, positive = false): number {
  const text = raw.trim();
  const value = DECIMAL_INTEGER.test(text) ? Number(text) : Number.NaN;
  if (!(value <= MAX_TOKENS_PER_REQUEST) || (positive && value === 0)) {
    const kind = positive ? 'a positive whole number of tokens' : 'a whole number of tokens (0 or more)';
    throw fieldError(
      at,
      column,
      `must be ${kind}, written in decimal digits, at most ${MAX_TOKENS_PER_REQUEST.toLocaleString('en-US')}; got ${shown(raw)}`,
    );
  }
  return value;
}

/** A time in seconds written as plain decimal digits with an optional fraction (BurstGPT `Timestamp`). */
export function decimalSeconds(raw: string, at: RowAt, column: string): number {
  const text = raw.trim();
  if (!DECIMAL_NUMBER.test(text) || !Number.isFinite(Number(text))) {
    throw fieldError(
      at,
      column,
      `must be a time in seconds written in decimal digits (e.g. 5 or 7.25), got ${shown(raw)}`,
    );
  }
  return Number(text);
}

const AZURE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

/** Seconds since the epoch of a valid UTC date and time (years below 100 taken as written, not as 19xx). */
function utcSeconds(year: number, month: number, day: number, h: number, min: number, s: number): number {
  if (year >= 100) return Date.UTC(year, month - 1, day, h, min, s) / 1000;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(h, min, s, 0);
  return date.getTime() / 1000;
}

function invalidTime(raw: string, at: RowAt, column: string, why: string): ServeTuneError {
  return fieldError(
    at,
    column,
    `must be a UTC time like 2023-11-16 18:15:46.6805900, got ${shown(raw)}${why}`,
  );
}

/**
 * Azure's `2023-11-16 18:15:46.6805900` (UTC, up to 9 fractional digits) in seconds since the epoch; a date
 * or time that no calendar has (month 13, 30 February, 24:00, 61 seconds) is refused, not rolled over.
 */
export function azureTimestamp(raw: string, at: RowAt, column: string): number {
  const m = AZURE_TIME.exec(raw.trim());
  if (!m) throw invalidTime(raw, at, column, '');
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  const hour = +m[4];
  const minute = +m[5];
  const second = +m[6];
  if (month < 1 || month > 12) throw invalidTime(raw, at, column, ` (no month ${month})`);
  if (day < 1 || day > daysInMonth(year, month))
    throw invalidTime(raw, at, column, ` (month ${month} of ${year} has no day ${day})`);
  if (hour > 23 || minute > 59 || second > 59)
    throw invalidTime(raw, at, column, ' (hours run 00-23, minutes and seconds 00-59)');
  const whole = utcSeconds(year, month, day, hour, minute, second);
  return whole + (m[7] ? Number(`0.${m[7]}`) : 0);
}
