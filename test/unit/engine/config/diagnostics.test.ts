import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applyEdits,
  type Diagnostic,
  diagnoseFile,
  readConfig,
} from '../../../../src/engine/config/index.js';
import { readFile, readFixture } from './helpers.js';

function codes(diagnostics: Diagnostic[], line: number): string[] {
  return diagnostics.filter((d) => d.range.start.line === line - 1).map((d) => d.code);
}

describe('diagnostics', () => {
  const { report } = readFixture('vllm/infeasible.sh');
  const diagnostics = diagnoseFile(report, { hardware: 'h100-sxm' });

  test('infeasible settings are errors on the line that causes them', () => {
    assert.deepEqual(codes(diagnostics, 3), ['weights-do-not-fit']);
    assert.deepEqual(codes(diagnostics, 4), ['plan-does-not-divide']);
    assert.deepEqual(codes(diagnostics, 5), ['batched-tokens-below-seqs']);
    assert.deepEqual(codes(diagnostics, 6), ['prompt-longer-than-step']);
    assert.deepEqual(codes(diagnostics, 7), ['memory-utilization-risky']);
    assert.deepEqual(codes(diagnostics, 8), ['unknown-model']);
    assert.equal(diagnostics.find((d) => d.code === 'unknown-model')?.severity, 'info');
  });

  test('each quick fix is an edit that, applied, clears its diagnostic', () => {
    const path = report.file;
    const original = readFile(path)!;
    for (const diagnostic of diagnostics.filter((d) => d.fix)) {
      assert.deepEqual(diagnostic.fix!.problems, []);
      const fixed = applyEdits(original, diagnostic.fix!.edits, path);
      const again = diagnoseFile(readConfig(path, fixed), { hardware: 'h100-sxm' });
      const line = diagnostic.range.start.line + 1;
      assert.ok(
        !codes(again, line).includes(diagnostic.code),
        `${diagnostic.code} on line ${line} still there after '${diagnostic.fix!.title}'`,
      );
    }
    const tpFix = diagnostics.find((d) => d.code === 'plan-does-not-divide')!.fix!;
    assert.deepEqual(tpFix.changes, { tp: 4 });
    assert.equal(tpFix.edits[0].newText, '4');
  });

  test('max-model-len beyond the KV cache, with a fix that fits', () => {
    const { report: l4 } = readFixture('vllm/long-context-l4.sh');
    const [diagnostic] = diagnoseFile(l4, { hardware: 'l4' });
    assert.equal(diagnostic.code, 'max-model-len-exceeds-kv');
    const fixedLen = diagnostic.fix!.changes.maxModelLen!;
    assert.ok(fixedLen > 0 && fixedLen < 131072);
    const fixed = applyEdits(readFile(l4.file)!, diagnostic.fix!.edits, l4.file);
    assert.deepEqual(diagnoseFile(readConfig(l4.file, fixed), { hardware: 'l4' }), []);
  });

  test('without a GPU type, memory checks say they were skipped', () => {
    const { report: l4 } = readFixture('vllm/long-context-l4.sh');
    assert.deepEqual(
      diagnoseFile(l4).map((d) => d.code),
      ['hardware-unknown'],
    );
  });

  test('a GPU named by the manifest is used; GPU counts are checked against the plan', () => {
    const { report: k8s } = readFixture('kubernetes/vllm-deployment.yaml');
    assert.equal(k8s.blocks[0].hardware?.id, 'h100-sxm');
    assert.deepEqual(diagnoseFile(k8s), []);
    const { report: sglang } = readFixture('kubernetes/disaggregated-sglang.yaml');
    assert.deepEqual(diagnoseFile(sglang, { hardware: 'h100-sxm' }), []);
  });

  test('a flag set twice points at both places', () => {
    const { report: script } = readFixture('vllm/serve-llama-70b.sh');
    const twice = diagnoseFile(script).find((d) => d.code === 'set-twice')!;
    assert.equal(twice.severity, 'warning');
    assert.equal(twice.range.start.line, 11);
    assert.equal(twice.related[0].range.start.line, 15);
  });

  test('the production-stack chart injecting --no-enable-prefix-caching is flagged, and the fix adds the key', () => {
    const { text, report: helm } = readFixture('helm/production-stack-values.yaml');
    const found = diagnoseFile(helm);
    const injected = found.filter((d) => d.code === 'chart-injected-flag');
    assert.equal(injected.length, 1);
    assert.equal(found.filter((d) => d.code === 'chart-ignores-key').length, 1);
    const fixed = applyEdits(text, injected[0].fix!.edits, helm.file);
    assert.match(
      fixed,
      /extraArgs: \["--max-num-seqs", "256", "--disable-log-requests"\]\n {8}enablePrefixCaching: true\n/,
    );
    const after = readConfig(helm.file, fixed);
    assert.equal(after.blocks[0].settings.enablePrefixCaching?.value, true);
    assert.equal(diagnoseFile(after).filter((d) => d.code === 'chart-injected-flag').length, 0);
  });

  test('disaggregated pools must serve the same model', () => {
    const { text, report: pair } = readFixture('kubernetes/disaggregated-sglang.yaml');
    const changed = text.replace(
      /(decode[\s\S]*?)meta-llama\/Llama-3\.1-8B-Instruct/,
      '$1meta-llama/Llama-3.1-70B-Instruct',
    );
    const mismatch = diagnoseFile(readConfig(pair.file, changed)).find(
      (d) => d.code === 'disaggregation-model-mismatch',
    );
    assert.ok(mismatch);
    assert.equal(mismatch.related.length, 1);
  });
});

describe("memory checks hold the engine's layout of the weights", () => {
  test("vLLM's Triton layout of gpt-oss's experts on one H100 leaves too little KV for 100k tokens", () => {
    // At 0.85 of 80 GiB: the checkpoint's 60.77 GiB leaves about 5.5 GiB of KV (some 160k tokens);
    // vLLM's 64.18 GiB (scales held twice, fp32 biases) about 2.1 GiB (some 60k).
    const text = 'vllm serve openai/gpt-oss-120b --max-model-len 100000 --gpu-memory-utilization 0.85\n';
    const found = diagnoseFile(readConfig('serve.sh', text), { hardware: 'h100-sxm' });
    const error = found.find((d) => d.code === 'max-model-len-exceeds-kv');
    assert.ok(error, found.map((d) => d.code).join(', '));
    assert.match(error.message, /does not fit in the KV cache \(\d{2},\d{3} tokens/);
  });
});
