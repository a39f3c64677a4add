/**
 * Engine versions, where they change what a setting means. The version comes from the container image tag
 * (`vllm/vllm-openai:v0.10.1`, `lmsysorg/sglang:v0.4.9-cu126`) where the file names one.
 */

export interface EngineVersion {
  major: number;
  minor: number;
  patch: number;
  /** As written in the tag. */
  text: string;
}

/** The version in an image reference's tag, or undefined (`latest`, `nightly`, a digest, no tag). */
export function versionOfImage(image: string): EngineVersion | undefined {
  const withoutDigest = image.split('@')[0];
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon <= slash) return undefined;
  const tag = withoutDigest.slice(colon + 1);
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:$|[-.+_a-z])/i.exec(tag);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0), text: tag };
}

/** Negative when `a` is older than `major.minor`. */
export function compareVersion(a: EngineVersion, major: number, minor: number): number {
  return a.major !== major ? a.major - major : a.minor - minor;
}

/**
 * What vLLM does with chunked prefill switched off:
 * - `forced-on`: V1 in 0.8–0.11 always chunks prefills; the switch has no effect.
 * - `honoured`: 0.12 and later run without chunking and raise the default max-num-batched-tokens to
 *   max-model-len; a smaller explicit value makes the engine refuse to start.
 * - `unknown`: the version is not known here.
 */
export type ChunkedPrefillOff = 'forced-on' | 'honoured' | 'unknown';

export function vllmChunkedPrefillOff(version: EngineVersion | undefined): ChunkedPrefillOff {
  if (!version) return 'unknown';
  if (compareVersion(version, 0, 8) >= 0 && compareVersion(version, 0, 12) < 0) return 'forced-on';
  return 'honoured';
}
