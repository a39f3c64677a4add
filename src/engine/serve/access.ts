import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an `Authorization` header carries `Bearer <key>`. Both sides are hashed first, so the compare
 * is constant-time over equal lengths whatever the header's length, and a guess learns nothing from how
 * long the answer took.
 */
export function bearerKeyMatches(header: string | undefined, key: string): boolean {
  const match = /^Bearer[ \t]+(.*?)[ \t]*$/i.exec(header ?? '');
  const given = createHash('sha256')
    .update(match?.[1] ?? '')
    .digest();
  const expected = createHash('sha256').update(key).digest();
  return timingSafeEqual(given, expected) && match !== null;
}
