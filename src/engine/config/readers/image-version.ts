import { engineOfImage } from '../args.js';
import type { BlockBuilder } from '../block.js';
import { versionOfImage } from '../engines/index.js';
import type { SourceRange } from '../source.js';

/**
 * The engine version from the image tag, only where the image is the engine's own: a platform image
 * (`nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.4.0`) carries the platform's version, not the engine's, and
 * LMCache's vLLM image (`lmcache/vllm-openai:v0.3.7`) carries LMCache's.
 */
export function setEngineVersion(builder: BlockBuilder, image: string, range: SourceRange | null): void {
  if (!builder.engine || engineOfImage(image) !== builder.engine || /dynamo|triton|lmcache/i.test(image))
    return;
  const version = versionOfImage(image);
  if (version) builder.engineVersion = { text: version.text, image, range };
}
