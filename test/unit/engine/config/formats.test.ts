import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blockSettings } from '../../../../src/engine/config/index.js';
import { fixturePath, readFixture, roundTrip, textAt } from './helpers.js';

describe('Kubernetes', () => {
  test('Deployment: engine args array, --flag=value item, GPU limits and requests, node selector', () => {
    const { text, report } = readFixture('kubernetes/vllm-deployment.yaml');
    assert.equal(report.format, 'kubernetes');
    const [block] = report.blocks;
    assert.equal(block.label, 'Deployment llama-70b, container vllm');
    assert.deepEqual(blockSettings(block), {
      model: 'meta-llama/Llama-3.1-70B-Instruct',
      tp: 8,
      maxNumBatchedTokens: 2048,
      maxModelLen: 16384,
      gpuMemoryUtilization: 0.95,
      gpus: 8,
    });
    assert.equal(textAt(text, block, 'tp'), '"8"');
    assert.equal(textAt(text, block, 'maxModelLen'), '16384');
  });

  test('Deployment round trip: TP 8→4 with 4 GPUs and 2 replicas (replicas added), new flag in the list style', () => {
    const path = fixturePath('kubernetes/vllm-deployment.yaml');
    const { after } = roundTrip('kubernetes/vllm-deployment.yaml', 0, {
      tp: 4,
      gpus: 4,
      replicas: 2,
      maxNumBatchedTokens: 8192,
      maxModelLen: 32768,
      maxNumSeqs: 512,
    });
    const text = after[path];
    assert.match(text, /- "--tensor-parallel-size"\n {12}- "4"\n/);
    assert.match(text, /- "--max-model-len=32768"/);
    assert.match(text, /nvidia.com\/gpu: "4"\n {12}requests:\n {14}nvidia.com\/gpu: "4"/);
    assert.match(text, /- "0.95" {3}# more KV cache\n {12}- "--max-num-seqs"\n {12}- "512"\n/);
    assert.match(text, /progressDeadlineSeconds|replicas: 2\n/);
  });

  test('StatefulSet with bash -c block script: words located inside the literal block, replicas', () => {
    const { text, report } = readFixture('kubernetes/sglang-statefulset.yaml');
    const [block] = report.blocks;
    assert.equal(block.engine, 'sglang');
    assert.deepEqual(blockSettings(block), {
      model: 'Qwen/Qwen2.5-72B-Instruct',
      tp: 4,
      gpuMemoryUtilization: 0.85,
      enableChunkedPrefill: true,
      maxNumBatchedTokens: 4096,
      maxNumSeqs: 128,
      gpus: 4,
      replicas: 2,
    });
    assert.equal(textAt(text, block, 'gpuMemoryUtilization'), '0.85');
    const { after } = roundTrip('kubernetes/sglang-statefulset.yaml', 0, {
      maxNumBatchedTokens: 8192,
      blockSize: 16,
      replicas: 4,
    });
    assert.match(
      after[fixturePath('kubernetes/sglang-statefulset.yaml')],
      /--host 0\.0\.0\.0 --port 30000 \\\n {16}--page-size 16\n/,
    );
  });

  test('SGLang: turning chunked prefill off writes -1 in place', () => {
    const { report } = readFixture('kubernetes/disaggregated-sglang.yaml');
    // -1 carries no token budget: maxNumBatchedTokens goes with it.
    const { maxNumBatchedTokens: _, ...rest } = blockSettings(report.blocks[0]);
    const { after } = roundTrip(
      'kubernetes/disaggregated-sglang.yaml',
      0,
      { enableChunkedPrefill: false },
      {},
      {
        ...rest,
        enableChunkedPrefill: false,
      },
    );
    assert.match(
      after[fixturePath('kubernetes/disaggregated-sglang.yaml')],
      /- --chunked-prefill-size\n {12}- "-1"\n/,
    );
  });

  test('disaggregated prefill/decode deployments are two blocks with their roles', () => {
    const { report } = readFixture('kubernetes/disaggregated-sglang.yaml');
    assert.deepEqual(
      report.blocks.map((b) => [
        b.settings.disaggregationMode?.value,
        b.settings.tp?.value,
        b.settings.replicas?.value,
      ]),
      [
        ['prefill', 1, 2],
        ['decode', 2, 1],
      ],
    );
  });

  test('TGI: settings from env entries and an args flow list; flags and env both editable', () => {
    const { report } = readFixture('kubernetes/tgi-deployment.yaml');
    assert.deepEqual(blockSettings(report.blocks[0]), {
      maxNumBatchedTokens: 4096,
      maxModelLen: 8192,
      enablePrefixCaching: false,
      model: 'mistralai/Mistral-7B-Instruct-v0.3',
      tp: 1,
      gpus: 1,
    });
    const { after } = roundTrip('kubernetes/tgi-deployment.yaml', 0, {
      maxNumBatchedTokens: 8192,
      enablePrefixCaching: true,
      maxNumSeqs: 64,
      replicas: 3,
    });
    const text = after[fixturePath('kubernetes/tgi-deployment.yaml')];
    assert.match(text, /value: "8192"\n {12}- name: MAX_TOTAL_TOKENS/);
    assert.match(text, /name: PREFIX_CACHING\n {14}value: "1"/);
    assert.match(text, /"--num-shard", "1", "--max-batch-size", "64"\]/);
    assert.match(text, /^ {2}replicas: 3$/m);
  });
});

describe('Helm production-stack values', () => {
  test('camelCase vllmConfig keys, extraArgs, replicaCount, requestGPU, per modelSpec', () => {
    const { report } = readFixture('helm/production-stack-values.yaml');
    assert.equal(report.format, 'helm-production-stack');
    assert.deepEqual(blockSettings(report.blocks[1]), {
      model: 'Qwen/Qwen2.5-7B-Instruct',
      replicas: 1,
      gpus: 2,
      enablePrefixCaching: true,
      tp: 2,
      maxNumBatchedTokens: 8192,
    });
  });

  test('round trip: chart keys edited as camelCase, other flags added to extraArgs', () => {
    const path = fixturePath('helm/production-stack-values.yaml');
    const { after } = roundTrip('helm/production-stack-values.yaml', 1, {
      tp: 1,
      replicas: 2,
      maxNumBatchedTokens: 4096,
      blockSize: 32,
      maxNumSeqs: 128,
      gpus: 1,
    });
    const text = after[path];
    assert.match(text, /tensorParallelSize: 1\n/);
    assert.match(text, /- "8192"|- "4096"\n {10}- "--block-size"\n {10}- "32"/);
    assert.match(text, /enablePrefixCaching: true\n {8}tensorParallelSize: 1\n {8}extraArgs:/);
    assert.match(text, /maxNumSeqs: 128\nrouterSpec:/);
  });
});

describe('docker compose', () => {
  test('command string with ${VAR:-default} resolved from .env, environment map and list, GPU reservations', () => {
    const { report } = readFixture('compose/docker-compose.yaml');
    assert.equal(report.format, 'compose');
    assert.equal(report.blocks.length, 2);
    const [vllm, tgi] = report.blocks;
    assert.deepEqual(blockSettings(vllm), {
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      tp: 1,
      maxNumSeqs: 128,
      gpus: 2,
    });
    assert.equal(vllm.settings.tp?.range?.file, fixturePath('compose/.env'));
    assert.deepEqual(blockSettings(tgi), {
      maxNumBatchedTokens: 8192,
      gpuMemoryUtilization: 0.9,
      model: 'mistralai/Mistral-7B-Instruct-v0.3',
      replicas: 2,
      gpus: 1,
    });
  });

  test('round trip: a value from .env is edited in .env; added flags join the command string', () => {
    const { after } = roundTrip('compose/docker-compose.yaml', 0, { tp: 2, maxNumBatchedTokens: 4096 });
    assert.match(after[fixturePath('compose/.env')], /^TP=2$/m);
    assert.match(
      after[fixturePath('compose/docker-compose.yaml')],
      /--max-num-seqs 128 --max-num-batched-tokens 4096\n/,
    );
  });

  test('without the .env, the default in ${TP:-2} is the value, edited in place', () => {
    const { after } = roundTrip(
      'compose/docker-compose.yaml',
      0,
      { tp: 4 },
      { [fixturePath('compose/.env')]: '' },
    );
    assert.match(after[fixturePath('compose/docker-compose.yaml')], /--tensor-parallel-size \$\{TP:-4\}/);
  });

  test('TGI service: env list entries edited, list style kept', () => {
    const { after } = roundTrip('compose/docker-compose.yaml', 1, {
      gpuMemoryUtilization: 0.85,
      enablePrefixCaching: false,
    });
    const text = after[fixturePath('compose/docker-compose.yaml')];
    assert.match(text, /- CUDA_MEMORY_FRACTION=0\.85\n {6}- PREFIX_CACHING=0\n/);
  });
});

describe('SGLang, TGI and TensorRT-LLM command lines', () => {
  test('SGLang script: -1 chunk size, inverted switch, round trip removes the switch', () => {
    const { report } = readFixture('sglang/launch.sh');
    assert.equal(blockSettings(report.blocks[0]).enableChunkedPrefill, false);
    const { after } = roundTrip('sglang/launch.sh', 0, {
      enablePrefixCaching: true,
      enableChunkedPrefill: true,
      maxNumBatchedTokens: 4096,
    });
    const text = after[fixturePath('sglang/launch.sh')];
    assert.doesNotMatch(text, /disable-radix-cache/);
    assert.match(text, /--chunked-prefill-size 4096 \\\n {2}--page-size 16\n/);
  });

  test('SGLang YAML', () => {
    const { report } = readFixture('sglang/config.yaml');
    assert.equal(report.format, 'sglang-yaml');
    roundTrip('sglang/config.yaml', 0, { tp: 4, enablePrefixCaching: false });
  });

  test('TGI docker run: env and flags (flags win), --gpus device list', () => {
    const { report } = readFixture('tgi/docker-run.sh');
    const [block] = report.blocks;
    assert.equal(block.engine, 'tgi');
    assert.equal(blockSettings(block).maxNumBatchedTokens, 8192);
    assert.equal(blockSettings(block).gpus, 2);
    assert.equal(
      block.occurrences.find((o) => o.spelling === 'MAX_BATCH_PREFILL_TOKENS')?.overriddenBy !== undefined,
      true,
    );
    roundTrip('tgi/docker-run.sh', 0, { maxNumBatchedTokens: 16384, tp: 1, maxNumSeqs: 32 });
  });

  test('trtllm-serve with its extra options YAML: flags on the command line, YAML-only keys in the YAML', () => {
    const { report } = readFixture('trtllm/serve.sh');
    assert.deepEqual(blockSettings(report.blocks[0]), {
      enableChunkedPrefill: false,
      enablePrefixCaching: true,
      kvCacheDtype: 'fp8',
      // cuda_graph_config as a map of graph settings: CUDA graphs on.
      enforceEager: false,
      model: 'meta-llama/Llama-3.1-70B-Instruct',
      tp: 8,
      maxNumSeqs: 256,
      maxNumBatchedTokens: 4096,
      kvCacheFreeMemoryFraction: 0.9,
    });
    const { after } = roundTrip('trtllm/serve.sh', 0, {
      enableChunkedPrefill: true,
      blockSize: 64,
      pp: 2,
      maxNumSeqs: 512,
    });
    assert.match(after[fixturePath('trtllm/extra-llm-api-options.yaml')], /^enable_chunked_prefill: true$/m);
    assert.match(
      after[fixturePath('trtllm/extra-llm-api-options.yaml')],
      /dtype: fp8\n {2}tokens_per_block: 64\n/,
    );
    assert.match(after[fixturePath('trtllm/serve.sh')], /extra-llm-api-options\.yaml \\\n {2}--pp_size 2\n$/);
  });
});
