import { TGI_KNOBS } from '../knobs/tgi.js';
import { inFlightBatching } from './in-flight-batching.js';
import type { EngineDescription } from './types.js';

/** Text Generation Inference 3.x: `text-generation-launcher`, flags or one environment variable each. */
export const TGI = {
  id: 'tgi',
  displayName: 'Text Generation Inference',
  // huggingface/text-generation-inference launcher/src/main.rs @ d957e32: `#[clap(long, env)]` fields,
  // whose long names clap derives in kebab-case (`--max-batch-prefill-tokens`) and matches as written.
  launchers: [{ program: 'text-generation-launcher', positionalModel: false, flagWords: '-' }],
  image: { nameContains: ['text-generation-inference', '/tgi'], positionalModel: false },
  knobTable: TGI_KNOBS,
  scheduler: { policyFor: inFlightBatching },
  // Without --num-shard the launcher shards over every GPU it sees.
  multiNode: 'none',
  checks: {
    gpusMatchPlan: false,
    stepBudgetCoversLimits: false,
    kvBudget: 'share-of-gpu',
    kvBlockSizes: {
      allowed: 'any',
      rule: 'TGI sets its block size from its attention backend; no flag sets it',
    },
  },
} as const satisfies EngineDescription<'tgi'>;
