/**
 * A byte-level tokenizer for the reference engine's random-weight models: text becomes its UTF-8 bytes
 * (offset past the special ids), so prompt lengths are exact and reproducible without a vocabulary file.
 * Generated ids map back to printable characters so streamed text is readable.
 */
export const BOS_TOKEN = 1;
export const EOS_TOKEN = 2;
const BYTE_OFFSET = 3;

export function encodeText(text: string, vocabSize: number): number[] {
  const bytes = new TextEncoder().encode(text);
  const ids = new Array<number>(bytes.length);
  for (let i = 0; i < bytes.length; i++) ids[i] = (bytes[i] + BYTE_OFFSET) % vocabSize;
  return ids;
}

export function decodeToken(id: number): string {
  if (id === EOS_TOKEN || id === BOS_TOKEN || id === 0) return '';
  const byte = id - BYTE_OFFSET;
  if (byte >= 32 && byte < 127) return String.fromCharCode(byte);
  // Outside printable ASCII: a stable printable stand-in, so every token shows as one character.
  return String.fromCharCode(33 + (id % 94));
}
