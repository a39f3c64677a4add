import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/**
 * The largest request body read: 1 MiB holds a token-id prompt of over 100,000 tokens (ids up to six
 * digits and a comma each), past the context of any model this server runs on a software adapter.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

const describeSize = (bytes: number) =>
  bytes === MAX_BODY_BYTES ? '1 MiB (1,048,576 bytes)' : `${bytes.toLocaleString('en-US')} bytes`;

/**
 * The body as a JSON object. Refused with 413 when it is larger than `maxBytes` (at once from its
 * Content-Length, else as soon as more has arrived), with 400 when it is not JSON or not an object.
 */
export async function readJsonObject(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<object> {
  const tooLarge = () =>
    new HttpError(413, `the request body is larger than the server's limit of ${describeSize(maxBytes)}`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    const why = text.trim() === '' ? 'the body is empty' : (error as Error).message;
    throw new HttpError(400, `the request body is not valid JSON: ${why}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    const got = body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`;
    throw new HttpError(400, `the request body must be a JSON object, got ${got}`);
  }
  return body;
}
