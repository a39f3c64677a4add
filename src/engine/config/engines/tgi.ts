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
  // huggingface/text-generation-inference launcher/src/main.rs @ 009c4e0: `#[derive(Parser)] struct Args`
  // on clap 4 (launcher/Cargo.toml) without `args_override_self`, so a flag given twice is the error
  // "the argument '--max-total-tokens <MAX_TOTAL_TOKENS>' cannot be used multiple times". A flag and its
  // environment variable are not a repeat: the flag wins.
  refusesRepeatedFlags: true,
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
