import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { StepReport } from '../../../src/engine/perf/report.js';
import { RunSummary } from '../../../src/engine/sim/summary.js';
import { SloDefinition } from '../../../src/engine/workload/slo-verdict.js';

const cli = 'dist/cli.mjs';

/** `servetune simulate <args> --json`, its RunSummary parsed. */
const simulateJson = (args: string[]) =>
  RunSummary.parse(JSON.parse(execFileSync('node', [cli, 'simulate', ...args, '--json']).toString()));

describe('servetune step / simulate', { skip: !existsSync(cli) && 'dist/cli.mjs not built' }, () => {
  it('step --json prints a StepReport whose breakdown adds up to the step time', () => {
    const out = execFileSync('node', [
      cli,
      'step',
      '--model',
      'llama-3.1-70b',
      '--hardware',
      'h100-sxm',
      '--tp',
      '8',
      '--prefill-tokens',
      '512',
      '--decode-batch',
      '32',
      '--decode-context',
      '1000',
      '--json',
    ]);
    const report = StepReport.parse(JSON.parse(out.toString()));
    const sum = report.breakdown.reduce((s, e) => s + e.seconds, 0);
    assert.ok(Math.abs(sum - report.totalSeconds) / report.totalSeconds < 5e-3);
    assert.ok(report.breakdown.some((e) => e.kind === 'communication'));
  });

  it('step --engine names the measured version used and prints where each op time came from', () => {
    const step = (hardware: string) =>
      execFileSync('node', [
        cli,
        'step',
        '--model',
        'llama-3.1-8b',
        '--hardware',
        hardware,
        '--tp',
        '2',
        '--decode-batch',
        '32',
        '--decode-context',
        '1000',
        '--engine',
        'vllm@0.19',
      ]).toString();
    const measured = step('h100-sxm');
    assert.match(measured, /engine: vllm@0\.19 → measured vllm \S+ \(the nearest measured\) on h100_sxm/);
    assert.match(measured, /qkv_proj .*(measured|interpolated) from h100_sxm vllm \S+ gemm/);
    assert.match(measured, /attention_decode .*generationAttention/);
    assert.match(measured, /tp_all_reduce_mlp .*customAllReduce/);
    assert.match(step('h100-pcie'), /qkv_proj .*transferred from h100-sxm/);
    const simulated = execFileSync('node', [
      cli,
      'simulate',
      '--model',
      'llama-3.1-8b',
      '--hardware',
      'h100-sxm',
      '--concurrency',
      '4',
      '--workload',
      'constant:rate=1000,prompt=fixed(128),output=fixed(16),n=8',
      '--engine',
      'trtllm@1.0',
    ]).toString();
    assert.match(simulated, /engine: trtllm@1\.0 → measured trtllm \S+ \(the nearest measured\) on h100_sxm/);
    const bad = spawnSync('node', [
      cli,
      'step',
      '--model',
      'llama-3.1-8b',
      '--hardware',
      'h100-sxm',
      '--decode-batch',
      '1',
      '--engine',
      'ollama',
    ]);
    assert.notEqual(bad.status, 0);
    assert.match(
      bad.stderr.toString(),
      /--engine: 'ollama' is not an engine; use vllm\|sglang\|tgi\|trtllm\[@version\]/,
    );
    const eagerAlone = spawnSync('node', [
      cli,
      'step',
      '--model',
      'llama-3.1-8b',
      '--hardware',
      'h100-sxm',
      '--decode-batch',
      '1',
      '--enforce-eager',
    ]);
    assert.match(eagerAlone.stderr.toString(), /give --engine too/);
  });

  it("step --disable-deep-gemm times SGLang's block-scaled fp8 linear layers per-tensor, and names it", () => {
    const step = (...extra: string[]) =>
      execFileSync('node', [
        cli,
        'step',
        '--model',
        'qwen3-32b-fp8',
        '--hardware',
        'b200',
        '--decode-batch',
        '8',
        '--decode-context',
        '1000',
        '--engine',
        'sglang',
        ...extra,
      ]).toString();
    assert.match(step(), /o_proj .*sglang_deepgemm_gemm_nt_f8f8bf16/);
    const off = step('--disable-deep-gemm');
    assert.match(off, /engine: sglang \(no DeepGEMM\)/);
    assert.match(off, /o_proj .*sglang_sgl_kernel_fp8_scaled_mm/);
    const alone = spawnSync('node', [
      cli,
      'step',
      '--model',
      'qwen3-32b-fp8',
      '--hardware',
      'b200',
      '--decode-batch',
      '1',
      '--disable-deep-gemm',
    ]);
    assert.match(alone.stderr.toString(), /--disable-deep-gemm .*give --engine too/);
  });

  it("step --fp8-q-b-proj times an NVFP4 DeepSeek's q_b_proj on SGLang's block-scaled fp8 GEMM, and names it", () => {
    const step = (...extra: string[]) =>
      execFileSync('node', [
        cli,
        'step',
        '--model',
        'deepseek-r1',
        '--hardware',
        'gb200',
        '--dp',
        '8',
        '--ep',
        '8',
        '--weight-dtype',
        'nvfp4',
        '--decode-batch',
        '64',
        '--decode-context',
        '1000',
        '--engine',
        'sglang',
        ...extra,
      ]).toString();
    assert.match(step(), /q_b_proj .*sglang_torch_linear/);
    const fp8 = step('--fp8-q-b-proj');
    assert.match(fp8, /engine: sglang \(fp8 q_b_proj\)/);
    assert.match(fp8, /q_b_proj .*sglang_deepgemm_gemm_nt_f8f8bf16/);
    assert.match(fp8, /qkv_a_proj .*sglang_torch_linear/);
  });

  it('step --nvfp4-dispatch prices an nvfp4 DeepEP dispatch at 0.5625 bytes a value, not BF16, and names it', () => {
    const dispatchMs = (...extra: string[]) => {
      const out = execFileSync('node', [
        cli,
        'step',
        '--model',
        'deepseek-v3',
        '--hardware',
        'gb300',
        '--dp',
        '32',
        '--ep',
        '32',
        '--all-to-all',
        'deepep-low-latency',
        '--weight-dtype',
        'nvfp4',
        '--decode-batch',
        '256',
        '--decode-context',
        '1000',
        '--engine',
        'sglang',
        ...extra,
      ]).toString();
      const ms = /ep_dispatch\s+communication\s+\d+\s+([\d.]+) ms/.exec(out);
      assert.ok(ms, out);
      return { out, ms: Number(ms[1]) };
    };
    const bf16 = dispatchMs();
    const nvfp4 = dispatchMs('--nvfp4-dispatch');
    assert.match(nvfp4.out, /engine: sglang \(nvfp4 dispatch\)/);
    assert.ok(nvfp4.ms < 0.5 * bf16.ms, `${nvfp4.ms} vs ${bf16.ms}`);
  });

  it('step prints the breakdown grouped by kind of layer, each op with its bound', () => {
    const out = execFileSync('node', [
      cli,
      'step',
      '--model',
      'mixtral-8x7b',
      '--hardware',
      'h100-sxm',
      '--tp',
      '2',
      '--dp',
      '4',
      '--ep',
      '8',
      '--decode-batch',
      '64',
      '--decode-context',
      '1000',
    ]).toString();
    assert.match(out, /^full attention · MoE top-2 of 8: 32 layers, [\d.]+ ms/m);
    assert.match(out, /^whole step, [\d.]+ ms/m);
    assert.match(out, /^ {2}experts_gate_up +memory +32 .*experts active/m);
    assert.match(out, /^ {2}ep_dispatch +communication +32 /m);
    assert.match(out, /EP8 over 4 attention-DP ranks, all-to-all/);
    // EP inside the TP group: the all-reduce, no all-to-all.
    const tpEp = execFileSync('node', [
      cli,
      'step',
      '--model',
      'mixtral-8x7b',
      '--hardware',
      'h100-sxm',
      '--tp',
      '8',
      '--ep',
      '8',
      '--decode-batch',
      '64',
    ]).toString();
    assert.match(tpEp, /EP8, no all-to-all/);
    assert.match(tpEp, /^ {2}tp_all_reduce_mlp +communication +32 /m);
  });

  it('simulate --json prints a RunSummary; the disaggregated form reports KV transfers', () => {
    const out = execFileSync('node', [
      cli,
      'simulate',
      '--model',
      'llama-3.1-8b',
      '--hardware',
      'h100-sxm',
      '--max-model-len',
      '8192',
      '--prefill-tp',
      '1',
      '--decode-tp',
      '1',
      '--decode-dp',
      '2',
      '--scheduler',
      'sarathi',
      '--workload',
      'poisson:rate=5,prompt=fixed(1000),output=fixed(50),n=50',
      '--slo',
      'ttft=1,tpot=50ms',
      '--json',
    ]);
    const summary = RunSummary.parse(JSON.parse(out.toString()));
    assert.equal(summary.requests.completed, 50);
    assert.equal(summary.gpus, 3);
    assert.ok(summary.kvTransfer && summary.kvTransfer.mean > 0);
    assert.deepEqual(summary.goodput?.slo, SloDefinition.parse({ ttft: 1, tpot: 0.05 }));
  });

  it('simulate prints throughput per GPU over the GPUs the plan uses, in the singular for one', () => {
    const run = (...plan: string[]) =>
      execFileSync('node', [
        cli,
        'simulate',
        ...['--model', 'llama-3.1-8b', '--hardware', 'h100-sxm', ...plan],
        ...['--workload', 'poisson:rate=5,prompt=fixed(200),output=fixed(20),n=20'],
      ]).toString();
    assert.match(run(), /output tok\/s \(\d+ per GPU over 1 GPU\)/);
    assert.match(run('--tp', '2'), /output tok\/s \(\d+ per GPU over 2 GPUs\)/);
  });

  it('reports an infeasible plan with exit code 3', () => {
    const run = spawnSync('node', [
      cli,
      'simulate',
      '--model',
      'llama-3.1-70b',
      '--hardware',
      'l4',
      '--workload',
      'poisson:rate=1,n=5',
    ]);
    assert.equal(run.status, 3);
    assert.match(run.stdout.toString(), /Infeasible, not simulated/);
  });

  it('simulate --concurrency replays closed loop; its TPOT is a batch of that many decodes', () => {
    const out = execFileSync('node', [
      cli,
      'simulate',
      '--concurrency',
      '64',
      '--workload',
      'constant:rate=1000,prompt=fixed(1024),output=fixed(1024),n=640',
      '--model',
      'llama-3.1-8b',
      '--hardware',
      'h100-sxm',
      '--json',
    ]);
    const summary = RunSummary.parse(JSON.parse(out.toString()));
    assert.deepEqual(summary.load, { mode: 'closed', concurrency: 64, thinkSeconds: 0 });
    assert.equal(summary.requests.total, 640);
    assert.equal(summary.requests.completed, 640);
    // By hand: 64 sequences decode together at a context of 1024 to 2048 tokens, 1536 on average.
    const step = StepReport.parse(
      JSON.parse(
        execFileSync('node', [
          cli,
          'step',
          '--model',
          'llama-3.1-8b',
          '--hardware',
          'h100-sxm',
          '--decode-batch',
          '64',
          '--decode-context',
          '1536',
          '--json',
        ]).toString(),
      ),
    );
    const tpot = summary.tpot!.mean;
    assert.ok(
      Math.abs(tpot - step.totalSeconds) / step.totalSeconds < 0.1,
      `TPOT ${tpot} s against a 64-decode step of ${step.totalSeconds} s`,
    );
    assert.ok(summary.batchSize!.mean > 60, `mean batch ${summary.batchSize!.mean}`);
  });

  it('simulate --mixed-chunk runs SGLang decodes in its prefill batches, so closed-loop clients spread out', () => {
    const run = (extra: string[]) =>
      RunSummary.parse(
        JSON.parse(
          execFileSync('node', [
            cli,
            'simulate',
            '--scheduler',
            'sglang',
            '--concurrency',
            '32',
            '--workload',
            'constant:rate=1000,prompt=fixed(2000),output=fixed(64),n=160',
            '--model',
            'llama-3.1-8b',
            '--hardware',
            'h100-sxm',
            '--max-prefill-tokens',
            '3000',
            ...extra,
            '--json',
          ]).toString(),
        ),
      );
    const waves = run([]);
    const mixed = run(['--mixed-chunk']);
    const resolved = mixed.resolvedSchedulers?.mixed as { mixedChunk?: boolean; maxPrefillTokens?: number };
    assert.equal(resolved.mixedChunk, true);
    assert.equal(resolved.maxPrefillTokens, 3000);
    // Alone, every wave's 32 prompts are prefilled before any decode; mixed, each prompt meets fewer.
    assert.ok(
      mixed.ttft!.mean < waves.ttft!.mean,
      `TTFT ${mixed.ttft!.mean} s mixed, ${waves.ttft!.mean} s not`,
    );
  });

  it('refuses --concurrency with --rate, and --think-time without --concurrency', () => {
    const base = ['simulate', '--model', 'llama-3.1-8b', '--hardware', 'h100-sxm'];
    const withRate = spawnSync('node', [
      cli,
      ...base,
      '--workload',
      'poisson:rate=1,n=5',
      '--concurrency',
      '4',
      '--rate',
      '2',
    ]);
    assert.notEqual(withRate.status, 0);
    assert.match(withRate.stderr.toString(), /--concurrency <n>' cannot be used with option '--rate/);
    const thinkAlone = spawnSync('node', [
      cli,
      ...base,
      '--workload',
      'poisson:rate=1,n=5',
      '--think-time',
      '1',
    ]);
    assert.notEqual(thinkAlone.status, 0);
    assert.match(thinkAlone.stderr.toString(), /--think-time applies to a closed loop/);
  });

  it('--warm-up-phase: the measured requests wait for the warm-up; refused without a warm-up', () => {
    const base = [
      cli,
      'simulate',
      '--model',
      'llama-3.1-8b',
      '--hardware',
      'h100-sxm',
      '--workload',
      'constant:rate=1000,prompt=fixed(512),output=fixed(32),n=24',
      '--concurrency',
      '4',
    ];
    const phased = RunSummary.parse(
      JSON.parse(
        execFileSync('node', [...base, '--warm-up-requests', '8', '--warm-up-phase', '--json']).toString(),
      ),
    );
    assert.equal(phased.load?.warmUpPhase, true);
    assert.equal(phased.ttft?.count, 16);
    const alone = spawnSync('node', [...base, '--warm-up-phase']);
    assert.notEqual(alone.status, 0);
    assert.match(alone.stderr.toString(), /--warm-up-phase runs the warm-up of a closed loop as a phase/);
  });

  it('--perf-db: reads the folder for the GPU it covers, says so, and names a folder it cannot read', () => {
    const step = ['step', '--model', 'llama-3.1-8b', '--decode-batch', '8', '--decode-context', '1000'];
    const covered = StepReport.parse(
      JSON.parse(
        execFileSync('node', [
          cli,
          ...step,
          '--hardware',
          'a100-80gb-sxm',
          '--perf-db',
          'test/fixtures/perf-db',
          '--json',
        ]).toString(),
      ),
    );
    assert.match(
      covered.calibration,
      /perf-db test\/fixtures\/perf-db: a100_sxm vllm: gemm 0\.14\.0, nccl 2\.27\.3$/,
    );
    const other = StepReport.parse(
      JSON.parse(
        execFileSync('node', [
          cli,
          ...step,
          '--hardware',
          'h100-sxm',
          '--perf-db',
          'test/fixtures/perf-db',
          '--json',
        ]).toString(),
      ),
    );
    assert.match(other.calibration, /no vllm measurements for h100-sxm; the shipped tables stand/);
    const missing = spawnSync('node', [
      cli,
      ...step,
      '--hardware',
      'h100-sxm',
      '--perf-db',
      'test/fixtures/no-such-db',
    ]);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr.toString(), /perf database test\/fixtures\/no-such-db: no such folder/);
  });

  it('simulate --attention-dp-balance holds prompts across the attention-DP ranks of an EP group', () => {
    const run = (extra: string[]) =>
      simulateJson([
        '--model',
        'qwen3-30b-a3b',
        '--hardware',
        'h100-sxm',
        '--dp',
        '2',
        '--ep',
        '2',
        '--router',
        'round-robin',
        '--workload',
        'poisson:rate=20,prompt=fixed(256),output=fixed(64),n=40',
        ...extra,
      ]);
    const held = run(['--attention-dp-balance', '30']);
    assert.equal(held.resolvedSchedulers?.mixed?.attentionDpBalanceIters, 30);
    assert.ok(held.ttft!.mean > run([]).ttft!.mean);
  });

  it("simulate --engine sglang runs SGLang's scheduler unless --scheduler names another, as the editor does", () => {
    const policy = (extra: string[]) =>
      simulateJson([
        ...['--model', 'llama-3.1-8b', '--hardware', 'h100-sxm'],
        ...['--workload', 'constant:rate=1000,prompt=fixed(256),output=fixed(16),n=8', ...extra],
      ]).resolvedSchedulers?.mixed?.policy;
    assert.equal(policy(['--engine', 'sglang']), 'sglang');
    assert.equal(policy(['--engine', 'sglang', '--scheduler', 'vllm-v1']), 'vllm-v1');
    assert.equal(policy(['--engine', 'vllm']), 'vllm-v1');
    assert.equal(policy([]), 'vllm-v1');
  });

  it("simulate --scheduler-recv-interval holds arrivals while SGLang's scheduler only decodes", () => {
    const run = (extra: string[]) =>
      simulateJson([
        '--model',
        'llama-3.1-8b',
        '--hardware',
        'h100-sxm',
        '--engine',
        'sglang',
        '--workload',
        'constant:rate=1000,prompt=fixed(256),output=uniform(64,128),n=64',
        '--concurrency',
        '8',
        ...extra,
      ]);
    const held = run(['--scheduler-recv-interval', '30']);
    assert.equal(held.resolvedSchedulers?.mixed?.schedulerRecvInterval, 30);
    assert.ok(held.ttft!.mean > run([]).ttft!.mean);
  });

  it('simulate --batch-wait-iters holds TensorRT-LLM prompts back while requests decode', () => {
    const run = (extra: string[]) =>
      simulateJson([
        '--model',
        'llama-3.1-8b',
        '--hardware',
        'h100-sxm',
        '--engine',
        'trtllm',
        '--workload',
        'constant:rate=1000,prompt=fixed(1024),output=fixed(128),n=256',
        '--concurrency',
        '32',
        ...extra,
      ]);
    const waited = run(['--batch-wait-iters', '40', '--batch-wait-tokens-ratio', '0.8']);
    assert.equal(waited.resolvedSchedulers?.mixed?.batchWaitIters, 40);
    assert.ok(waited.ttft!.mean > run([]).ttft!.mean);
  });

  it("simulate --max-tokens output: TensorRT-LLM reserves each request's own output, not the rest of max-model-len", () => {
    const run = (extra: string[]) =>
      simulateJson([
        '--model',
        'llama-3.1-8b',
        '--hardware',
        'h100-sxm',
        '--engine',
        'trtllm',
        '--scheduler',
        'orca',
        '--max-model-len',
        '131072',
        '--workload',
        'constant:rate=1000,prompt=fixed(1024),output=uniform(64,128),n=128',
        '--concurrency',
        '32',
        ...extra,
      ]);
    const unset = run([]).batchSize!.peak;
    const own = run(['--max-tokens', 'output']).batchSize!.peak;
    assert.ok(
      own > 4 * unset,
      `peak batch ${own} with each request's own max_tokens against ${unset} without`,
    );
  });
});
