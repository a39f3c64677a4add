import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const cli = 'dist/cli.mjs';

/** `servetune check` on files of these texts in a fresh folder, run from that folder. */
function check(files: Record<string, string>, hardware = 'h100-sxm') {
  const dir = mkdtempSync(join(tmpdir(), 'servetune-check-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return spawnSync(
    process.execPath,
    [join(process.cwd(), cli), 'check', ...Object.keys(files), '--hardware', hardware],
    { cwd: dir, encoding: 'utf8', timeout: 60_000 },
  );
}

/** An InferenceService for Llama-3.1-70B at TP 1 pinned by its node selector to H100s. */
const KSERVE_70B_TP1 = `apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: llama-70b
spec:
  predictor:
    nodeSelector:
      nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3
    containers:
      - name: kserve-container
        image: vllm/vllm-openai:v0.10.1
        args: ["--model=meta-llama/Llama-3.1-70B-Instruct", "--tensor-parallel-size=1"]
        resources:
          limits:
            nvidia.com/gpu: "1"
`;

describe('servetune check', { skip: !existsSync(cli) && 'dist/cli.mjs not built' }, () => {
  it('checks a block on the GPU its file names, over --hardware, and prints that GPU and the image version', () => {
    // --hardware b200 (180 GB) would hold the 131 GiB of weights at TP 1; the file's H100s do not.
    const result = check({ 'isvc.yaml': KSERVE_70B_TP1 }, 'b200');
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stdout, /hardware\s+h100-sxm\s+NVIDIA-H100-80GB-HBM3 @ isvc\.yaml:8:31/);
    assert.match(
      result.stdout,
      /engine version\s+v0\.10\.1\s+vllm\/vllm-openai:v0\.10\.1 @ isvc\.yaml:11:16/,
    );
    assert.match(result.stdout, /error: Llama-3\.1-70B weights need [\d.]+ GiB per GPU at TP 1; NVIDIA H100/);
  });

  it('a file that cannot be read is named on stderr and exits 1, and the other files are still checked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-check-'));
    writeFileSync(join(dir, 'serve.sh'), 'vllm serve meta-llama/Llama-3.1-8B-Instruct\n');
    const result = spawnSync(
      process.execPath,
      [join(process.cwd(), cli), 'check', 'missing.yaml', 'serve.sh', '--hardware', 'h100-sxm'],
      { cwd: dir, encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(result.status, 1);
    assert.match(result.stderr, /servetune: error: .*missing\.yaml/);
    assert.match(result.stdout, /serve\.sh: shell, 1 serving block/);
  });

  it('prints the GPU it assumed, and from where, for a block that names none', () => {
    const script = 'vllm serve meta-llama/Llama-3.1-8B-Instruct\n';
    const result = check({ 'serve.sh': script });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /hardware\s+h100-sxm\s+not in the file: --hardware/);
  });

  it('reads a Deployment written as JSON, each setting at its place in the JSON', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'llama' },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'vllm',
                image: 'vllm/vllm-openai:v0.10.1',
                args: ['meta-llama/Llama-3.1-8B-Instruct', '--max-num-seqs', '64'],
                resources: { limits: { 'nvidia.com/gpu': 1 } },
              },
            ],
          },
        },
      },
    };
    const result = check({ 'deploy.json': `${JSON.stringify(deployment, null, 2)}\n` });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /deploy\.json: kubernetes, 1 serving block/);
    // Line 17 of the pretty-printed JSON is `              "64"`: the value starts at column 15.
    assert.match(result.stdout, /max-num-seqs\s+64\s+--max-num-seqs @ deploy\.json:17:15/);
  });

  it('warns on a misspelt flag with the flag it is a slip of, and not on flags it does not model', () => {
    const script = 'vllm serve meta-llama/Llama-3.1-8B-Instruct --gpu-memory-utilisation 0.9 --port 8000\n';
    const result = check({ 'serve.sh': script });
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /serve\.sh:1:45: warning: unknown vLLM flag --gpu-memory-utilisation: did you mean --gpu-memory-utilization\? \[unknown-flag\]/,
    );
    assert.doesNotMatch(result.stdout, /--port/);
  });
  it('names the spelling the launcher takes, and where a flag with no name (`--=`) stands', () => {
    const result = check({
      'sglang.sh': 'python3 -m sglang.launch_server --model-path m --max_running_requests 64\n',
      'serve.sh': 'vllm serve m --max-num-seqs 8 --=4\n',
    });
    assert.equal(result.status, 0, result.stderr);
    for (const expected of [
      /sglang\.sh:1:48: warning: unknown SGLang flag --max_running_requests: did you mean --max-running-requests\? \(flag names are matched as written: case, leading dashes and hyphens \(-\) between words count\) \[unknown-flag\]/,
      /serve\.sh:1:31: warning: --=4 names no flag: vLLM refuses a flag whose name is empty \[empty-flag-name\]/,
    ])
      assert.match(result.stdout, expected);
  });
});
