import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blockSettings } from '../../../../src/engine/config/index.js';
import { fixturePath, readFixture, roundTrip, textAt } from './helpers.js';

describe('vLLM command lines', () => {
  test('reads a serve script with continuations, variables, = values, --no- forms and a repeated flag', () => {
    const { text, report } = readFixture('vllm/serve-llama-70b.sh');
    assert.equal(report.format, 'shell');
    assert.equal(report.blocks.length, 1);
    const block = report.blocks[0];
    assert.equal(block.engine, 'vllm');
    assert.deepEqual(blockSettings(block), {
      model: 'meta-llama/Llama-3.1-70B-Instruct',
      tp: 8,
      gpuMemoryUtilization: 0.92,
      maxNumSeqs: 512,
      maxNumBatchedTokens: 2048,
      maxModelLen: 32000,
      enablePrefixCaching: false,
    });
    // Ranges point at the text that says it: the variable's value for $TP, the part after '=' for --flag=value.
    assert.equal(textAt(text, block, 'tp'), '8');
    assert.equal(block.settings.tp?.range?.start.line, 6);
    assert.equal(textAt(text, block, 'gpuMemoryUtilization'), '0.92');
    assert.equal(textAt(text, block, 'maxModelLen'), '32k');
    assert.equal(textAt(text, block, 'enablePrefixCaching'), '--no-enable-prefix-caching');
    assert.equal(textAt(text, block, 'model'), 'meta-llama/Llama-3.1-70B-Instruct');
    // The first --max-num-seqs is remembered as overridden by the second.
    const seqs = block.occurrences.filter((o) => o.knob === 'max-num-seqs');
    assert.equal(seqs.length, 2);
    assert.equal(seqs[0].overriddenBy, block.occurrences.indexOf(seqs[1]));
    assert.equal(seqs[0].valueRange?.start.line, 11);
  });

  test('python -m api_server with --config: YAML keys count, the command line wins', () => {
    const { report } = readFixture('vllm/serve-with-config.sh');
    const block = report.blocks[0];
    assert.equal(block.engine, 'vllm');
    const settings = blockSettings(block);
    assert.equal(settings.maxNumSeqs, 96);
    assert.equal(settings.tp, 4);
    assert.equal(settings.kvCacheDtype, 'fp8');
    assert.equal(block.settings.tp?.range?.file, fixturePath('vllm/config.yaml'));
    assert.equal(block.settings.maxNumSeqs?.range?.file, fixturePath('vllm/serve-with-config.sh'));
  });

  test('the --config YAML on its own: long names in either spelling', () => {
    const { text, report } = readFixture('vllm/config.yaml');
    assert.equal(report.format, 'vllm-yaml');
    const block = report.blocks[0];
    assert.equal(blockSettings(block).maxNumBatchedTokens, 16384);
    assert.equal(blockSettings(block).pp, 1);
    assert.equal(textAt(text, block, 'gpuMemoryUtilization'), '0.95');
  });
});

describe('vLLM round trips', () => {
  test('script: a variable, a --flag=value, a --no- switch, an added flag', () => {
    const path = fixturePath('vllm/serve-llama-70b.sh');
    const { after } = roundTrip('vllm/serve-llama-70b.sh', 0, {
      tp: 4,
      gpuMemoryUtilization: 0.9,
      enablePrefixCaching: true,
      blockSize: 32,
      maxNumBatchedTokens: 8192,
    });
    const text = after[path];
    assert.match(text, /^TP=4$/m);
    assert.match(text, /--gpu-memory-utilization=0\.9 \\/);
    assert.match(text, /^ {4}--enable-prefix-caching \\$/m);
    assert.match(text, /--port 8000 \\\n {4}--block-size 32 {2}# OpenAI-compatible API\n$/);
  });

  test('config YAML: values edited in place, a new key added at the map indentation, comments kept', () => {
    const path = fixturePath('vllm/config.yaml');
    const { after } = roundTrip('vllm/config.yaml', 0, {
      gpuMemoryUtilization: 0.9,
      maxNumSeqs: 256,
      enforceEager: true,
    });
    assert.match(after[path], /^gpu-memory-utilization: 0\.9 {3}# squeeze a bit more KV cache$/m);
    assert.match(after[path], /served-model-name: qwen-72b\nenforce-eager: true\n$/);
  });

  test('an edit lands in the --config file when the value lives there', () => {
    const { after } = roundTrip('vllm/serve-with-config.sh', 0, { tp: 8, maxNumSeqs: 64 });
    assert.match(after[fixturePath('vllm/config.yaml')], /^tensor-parallel-size: 8$/m);
    assert.match(after[fixturePath('vllm/serve-with-config.sh')], /--max-num-seqs 64 /);
  });
});
