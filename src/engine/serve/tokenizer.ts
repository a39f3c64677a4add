/**
 * A byte-level tokenizer for the reference engine's random-weight models: text becomes its UTF-8 bytes
 * (offset past the special ids), so prompt lengths are exact and reproducible without a vocabulary file.
 * Every generated id maps to one printable character so streamed text is readable and no token streams empty.
 */
export const EOS_TOKEN = 2;
/** Ids 0 to 2 are special (padding, beginning and end of sequence); byte values start after them. */
const BYTE_OFFSET = 3;

export function encodeText(text: string, vocabSize: number): number[] {
  const bytes = new TextEncoder().encode(text);
  const ids = new Array<number>(bytes.length);
  for (let i = 0; i < bytes.length; i++) ids[i] = (bytes[i] + BYTE_OFFSET) % vocabSize;
  return ids;
}

export function decodeToken(id: number): string {
  // Special ids too show as one character: with ignore_eos an end-of-sequence id is an ordinary
  // generated token, and a client timing streamed chunks must see every token.
  const byte = id - BYTE_OFFSET;
  if (byte >= 32 && byte < 127) return String.fromCharCode(byte);
  // Outside printable ASCII: a stable printable stand-in, so every token shows as one character.
  return String.fromCharCode(33 + (id % 94));
}
