import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blockSettings, diagnoseFile, readConfig } from '../../../../src/engine/config/index.js';
import { fixturePath, readFixture, roundTrip, textAt } from './helpers.js';

describe('launch forms in scripts', () => {
  test('VAR:-default expansions, $((…)) with known variables, --flag=$VAR; redirections and & are not arguments', () => {
    const { text, report } = readFixture('launch/vllm-variables.sh');
    const [block] = report.blocks;
    assert.equal(report.blocks.length, 1);
    assert.deepEqual(blockSettings(block), {
      model: 'meta-llama/Llama-3.1-70B-Instruct',
      tp: 4,
      pp: 2,
      maxNumSeqs: 256,
      maxModelLen: 16384,
      gpuMemoryUtilization: 0.9,
    });
    // `--tensor-parallel-size=$TP` is located where TP is set, like `--flag $TP`.
    assert.equal(textAt(text, block, 'tp'), '4');
    assert.equal(block.settings.tp?.range?.start.line, 5);
    // `--block-size $((BLOCK * 2))`: BLOCK is not set, so the value is unknown, not an error.
    assert.equal(block.settings.blockSize, undefined);
    assert.deepEqual(
      block.problems.filter((p) => p.severity === 'error'),
      [],
    );
    const diagnostics = diagnoseFile(report);
    assert.ok(diagnostics.some((d) => d.code === 'unresolved-variable' && /BLOCK/.test(d.message)));
    assert.ok(!diagnostics.some((d) => d.severity === 'error' && /block/i.test(d.message)));
    assert.ok(!block.unknownFlags?.some((f) => f.flag.includes('>')));
  });

  test('round trip: TP edited where TP= sets it, the arithmetic value rewritten in place', () => {
    const path = fixturePath('launch/vllm-variables.sh');
    const { after } = roundTrip('launch/vllm-variables.sh', 0, { tp: 2, maxModelLen: 8192 });
    assert.match(after[path], /^TP=2$/m);
    assert.match(after[path], /--tensor-parallel-size=\$TP \\/);
    assert.match(after[path], /--max-model-len 8192 \\/);
  });

  test('"$1" is the script argument: never a model name; the flags still count', () => {
    const { report } = readFixture('launch/model-from-argument.sh');
    const [block] = report.blocks;
    assert.deepEqual(blockSettings(block), { tp: 2, maxNumSeqs: 64 });
    assert.ok(block.problems.some((p) => /script's argument \$1/.test(p.message)));
  });

  test('sglang serve with exec, long flag names as aliases, output appended to a log', () => {
    const { text, report } = readFixture('launch/sglang-serve.sh');
    const [block] = report.blocks;
    assert.equal(block.engine, 'sglang');
    assert.deepEqual(blockSettings(block), {
      model: 'Qwen/Qwen3-32B',
      tp: 2,
      gpuMemoryUtilization: 0.88,
      maxNumSeqs: 96,
    });
    assert.equal(textAt(text, block, 'tp'), '2');
    assert.deepEqual(block.unknownFlags ?? [], []);
    roundTrip('launch/sglang-serve.sh', 0, { tp: 4, maxNumSeqs: 128 });
  });

  test('a config file the script writes with a here-document is read from the script and edited there', () => {
    const path = fixturePath('launch/vllm-heredoc-config.sh');
    const { text, report } = readFixture('launch/vllm-heredoc-config.sh');
    assert.equal(report.blocks.length, 1, 'the here-document lines are not commands');
    const [block] = report.blocks;
    assert.deepEqual(blockSettings(block), {
      tp: 2,
      maxNumSeqs: 128,
      enablePrefixCaching: true,
      model: 'Qwen/Qwen3-8B',
    });
    assert.equal(block.settings.tp?.range?.file, path);
    assert.equal(textAt(text, block, 'maxNumSeqs'), '128');
    const { after } = roundTrip('launch/vllm-heredoc-config.sh', 0, { maxNumSeqs: 256 });
    assert.match(after[path], /^max-num-seqs: 256$/m);
    assert.match(after[path], /^--max-num-seqs 1$/m, 'the other here-document is untouched');
  });

  test('vllm-router is a router pairing vLLM servers, not a server', () => {
    const text =
      'vllm serve Qwen/Qwen3-8B --port 8001 &\nvllm-router --vllm-pd-disaggregation --prefill http://p:8001 --decode http://d:8002 --port 8000\n';
    const report = readConfig('/work/pd.sh', text);
    assert.equal(report.blocks.length, 1);
    assert.ok(report.problems.some((p) => /vllm-router starts the router/.test(p.message)));
  });

  test("servers without --server_role take their side from the router YAML's URLs", () => {
    const { report } = readFixture('launch/trtllm-disaggregated-urls.sh');
    const [generation, context] = report.blocks;
    assert.equal(blockSettings(generation).disaggregationMode, 'decode');
    assert.equal(blockSettings(context).disaggregationMode, 'prefill');
    assert.ok(
      generation.occurrences.some(
        (o) => o.note === 'port 8002 is in generation_servers.urls of disagg-router.yaml',
      ),
    );
    const diagnostics = diagnoseFile(report, { hardware: 'h100-sxm' });
    // The context server takes the prompts; the generation server gets no prompt-length warning.
    assert.deepEqual(
      diagnostics.filter((d) => d.code === 'prompt-longer-than-step').map((d) => d.range.start.line + 1),
      [7],
    );
    assert.ok(!diagnostics.some((d) => d.code === 'disaggregation-unpaired'));
  });

  test('trtllm-serve --config and --extra_llm_api_options YAML are read; disaggregated is a router', () => {
    const { report } = readFixture('launch/trtllm-disaggregated.sh');
    assert.equal(report.blocks.length, 2);
    const [context, generation] = report.blocks.map(blockSettings);
    assert.equal(context.kvCacheFreeMemoryFraction, 0.75);
    assert.equal(generation.kvCacheFreeMemoryFraction, 0.9);
    assert.equal(context.tp, 2);
    assert.equal(context.gpus, 2);
    assert.equal(context.model, 'Qwen/Qwen3-30B-A3B');
    // --server_role says the side, in either case TensorRT-LLM accepts.
    assert.equal(context.disaggregationMode, 'prefill');
    assert.equal(generation.disaggregationMode, 'decode');
    assert.ok(report.problems.some((p) => /trtllm-serve disaggregated starts the router/.test(p.message)));
    assert.ok(!report.blocks.some((b) => b.settings.model?.value === 'disaggregated'));
  });
});

describe('launch forms in containers', () => {
  test('bash -exc reads like bash -c; 2>&1 after the last flag is not an argument', () => {
    const { text, report } = readFixture('launch/k8s-bash-exc.yaml');
    const [block] = report.blocks;
    assert.deepEqual(blockSettings(block), {
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      maxNumSeqs: 128,
      gpuMemoryUtilization: 0.92,
      gpus: 1,
      replicas: 1,
    });
    assert.equal(textAt(text, block, 'gpuMemoryUtilization'), '0.92');
    assert.ok(!block.problems.some((p) => /2>&1|'1'/.test(p.message)));
    roundTrip('launch/k8s-bash-exc.yaml', 0, { maxNumSeqs: 256 });
  });
});

describe('here-documents inside container scripts', () => {
  test('a config file written by the container script is read from the manifest and edited there', () => {
    const path = fixturePath('launch/k8s-heredoc-config.yaml');
    const { text, report } = readFixture('launch/k8s-heredoc-config.yaml');
    const [block] = report.blocks;
    assert.deepEqual(blockSettings(block), {
      maxNumSeqs: 96,
      gpuMemoryUtilization: 0.88,
      model: 'Qwen/Qwen3-8B',
      gpus: 1,
      replicas: 1,
    });
    assert.equal(block.settings.maxNumSeqs?.range?.file, path);
    assert.equal(textAt(text, block, 'gpuMemoryUtilization'), '0.88');
    const { after } = roundTrip('launch/k8s-heredoc-config.yaml', 0, { maxNumSeqs: 128 });
    assert.match(after[path], /^ {14}max-num-seqs: 128$/m);
  });
});
