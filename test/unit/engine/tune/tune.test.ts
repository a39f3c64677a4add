import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  applyEdits,
  blockSettings,
  type ConfigFileReport,
  readConfig,
  type SettingKey,
} from '../../../../src/engine/config/index.js';
import { predictBlock, TuneBlockResult, tuneBlock } from '../../../../src/engine/tune/index.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import { changedLines, fixturePath, readFile } from '../config/helpers.js';

// Small searches: 200 requests of a short synthetic workload, evaluated on this thread.
const WORKLOAD = 'poisson:rate=4,prompt=lognormal(1024,0.6),output=fixed(128),n=200';
const SLO = { ttft: 1, tbt: 0.05, percentile: 'p90' as const };
const small = { workload: WORKLOAD, slo: SLO, sampleRequests: 200, threads: 0 };

/** A copy of the config fixtures, so --write can change them. */
function copyFixtures(): string {
  const dir = mkdtempSync(join(tmpdir(), 'servetune-tune-'));
  cpSync(fixturePath('.'), dir, { recursive: true });
  return dir;
}

function reread(path: string, text: string, files: Record<string, string> = {}): ConfigFileReport {
  return readConfig(path, text, { readFile: (p) => files[p] ?? readFile(p) });
}

function servetune(...args: string[]) {
  const run = spawnSync(process.execPath, ['dist/cli.mjs', ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The edited files read back: the changed settings have the suggested values, every other setting is as before. */
function assertRoundTrip(path: string, result: TuneBlockResult): void {
  const text = readFileSync(path, 'utf8');
  const before = reread(path, text).blocks[result.target.block]!;
  const after: Record<string, string> = {};
  for (const file of new Set(result.edits.map((e) => e.range.file))) {
    after[file] = applyEdits(readFileSync(file, 'utf8'), result.edits, file);
  }
  const again = reread(path, after[path] ?? text, after).blocks[result.target.block]!;
  const was = blockSettings(before);
  const now = blockSettings(again);
  for (const key of Object.keys({ ...was, ...now }) as SettingKey[]) {
    if (key in result.changes) {
      // A switch turned off may be written as `--no-x` or removed (the engine default): both read as the value.
      const expected = result.changes[key];
      assert.ok(
        now[key] === expected || (now[key] === undefined && expected === false),
        `${key} is ${expected}`,
      );
    } else {
      assert.deepEqual(now[key], was[key], `${key} unchanged`);
    }
  }
}

describe('tuneBlock', () => {
  it('a Kubernetes Deployment: DP becomes replicas, the diff changes only the suggested keys', async () => {
    const path = fixturePath('kubernetes/vllm-deployment.yaml');
    const result = await tuneBlock({ path, ...small });
    TuneBlockResult.parse(result);
    assert.equal(result.target.engine, 'vllm');
    assert.equal(result.target.hardware, 'h100-sxm');
    assert.equal(result.target.gpusPerServer * result.target.replicas, 8);
    assert.ok(result.target.holdsReplicas);
    assert.ok(result.suggested, result.reason);
    assert.ok(Object.keys(result.changes).length > 0);
    // The search ranked it first among what the block can become, and the edited file predicts no worse.
    assert.ok(result.suggested.maxRateUnderSlo !== null);
    assert.ok(
      result.current.maxRateUnderSlo === null ||
        result.suggested.maxRateUnderSlo >= result.current.maxRateUnderSlo,
    );
    const plan = result.search.configurations.find((c) => c.id === result.suggestedId)!.candidate;
    assert.equal(plan.kind, 'colocated');
    if (plan.kind === 'colocated') {
      // Copies of the server, not a data-parallel flag: GPUs per server × replicas = the search's plan.
      const replicas = result.changes.replicas ?? result.target.replicas;
      assert.equal(replicas, plan.pool.plan.dp);
      assert.equal(result.changes.dp ?? 1, 1);
    }
    // Every line the diff removes or adds carries a changed value or key.
    for (const line of result.diff.split('\n').filter((l) => /^[-+](?![-+]{2})/.test(l))) {
      assert.match(
        line,
        /tensor-parallel|max-num|chunked|gpu-memory|nvidia\.com\/gpu|replicas|"\d+(\.\d+)?"|^\+\s*$/,
        `diff line: ${line}`,
      );
    }
    assert.match(result.diff, /^--- .*vllm-deployment\.yaml\n\+\+\+ /);
    assert.match(
      result.summary,
      /^Tuned for poisson.* @ 4\.\d+ req\/s, the SLO \(90% of requests within TTFT 1 s and p90 token gap 50 ms\): /,
    );
    assertRoundTrip(path, result);
  });

  it('a compose service: the engine flag list grows in place, comments and other services untouched', async () => {
    const path = fixturePath('compose/docker-compose.yaml');
    const result = await tuneBlock({ path, ...small, hardware: 'l40s' });
    assert.equal(result.target.engine, 'vllm');
    assert.equal(result.target.gpusPerServer, 2);
    assert.ok(result.suggested, result.reason);
    const text = readFileSync(path, 'utf8');
    const edited = applyEdits(text, result.edits, path);
    const changed = changedLines(text, edited);
    assert.ok(changed.length > 0);
    for (const [, was] of changed) assert.match(was ?? '', /command: --model|TP=/);
    assertRoundTrip(path, result);
  });

  it('times the block with the engine version its image names, as simulate --config and the lenses do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-tune-version-'));
    const path = join(dir, 'docker-compose.yml');
    writeFileSync(
      path,
      [
        'services:',
        '  vllm:',
        '    image: vllm/vllm-openai:v0.10.1',
        '    command: --model meta-llama/Llama-3.1-8B-Instruct --max-num-seqs 64',
        '',
      ].join('\n'),
    );
    const result = await tuneBlock({ path, ...small, hardware: 'l40s' });
    assert.match(result.search.timedWith ?? '', /^vllm@0\.10\.1 → /);
  });

  it('the current settings are simulated the same way the search simulates its configurations', async () => {
    const path = fixturePath('kubernetes/vllm-deployment.yaml');
    const result = await tuneBlock({ path, ...small });
    const predicted = await predictBlock({ path, ...small });
    assert.deepEqual(predicted.current.metrics, result.current.metrics);
    assert.equal(predicted.current.label, 'TP8, 1024 seqs, 2048-token chunks, mem 0.95');
    // The suggestion's numbers come from the edited file read back; they match the search's own run.
    const chosen = result.search.configurations.find((c) => c.id === result.suggestedId)!;
    assert.deepEqual(result.suggested!.metrics, chosen.metrics);
  });

  it('predicts a block on the GPU its file names; the given hardware only fills in where it names none', async () => {
    // The Deployment's node selector names H100s; servetune.json's or --hardware's l40s must not replace them.
    const pinned = await predictBlock({
      path: fixturePath('kubernetes/vllm-deployment.yaml'),
      ...small,
      hardware: 'l40s',
    });
    assert.equal(pinned.target.hardware, 'h100-sxm');
    const unnamed = await predictBlock({ path: fixturePath('sglang/launch.sh'), ...small, hardware: 'l40s' });
    assert.equal(unnamed.target.hardware, 'l40s');
  });

  it("labels an SGLang block's memory share in three decimals, not the float derived from it", async () => {
    const predicted = await predictBlock({
      path: fixturePath('sglang/launch.sh'),
      ...small,
      hardware: 'h100-sxm',
    });
    assert.match(predicted.current.label, /, mem 0\.\d{1,3}$/);
  });

  it('clear errors: no serving block, unknown model, a block that is not there', async () => {
    const dir = copyFixtures();
    const notServing = join(dir, 'notes.yaml');
    writeFileSync(notServing, 'title: release notes\nitems: [a, b]\n');
    await assert.rejects(tuneBlock({ path: notServing, ...small }), /no serving block to tune/);
    const unknown = join(dir, 'unknown.sh');
    writeFileSync(unknown, 'vllm serve acme/NotAModel-3B --tensor-parallel-size 2\n');
    await assert.rejects(
      tuneBlock({ path: unknown, ...small, hardware: 'l40s' }),
      (error: unknown) =>
        isServeTuneError(error) &&
        error.code === 'unknown-model' &&
        /unknown\.sh:1:\d+: unknown model 'acme\/NotAModel-3B'/.test(error.message),
    );
    await assert.rejects(
      tuneBlock({ path: join(dir, 'kubernetes/vllm-deployment.yaml'), ...small, block: 3 }),
      /there is no block 3: the file has 1 serving block/,
    );
    await assert.rejects(
      tuneBlock({ path: join(dir, 'vllm/config.yaml'), ...small }),
      /does not name its GPU: pass --hardware/,
    );
    // --engine picks the version of the block's own engine, never another engine.
    await assert.rejects(
      tuneBlock({ path: join(dir, 'kubernetes/vllm-deployment.yaml'), ...small, engine: { id: 'sglang' } }),
      (error: unknown) =>
        isServeTuneError(error) && /--engine sglang: the block serves with vllm/.test(error.message),
    );
  });
});

describe('servetune tune', () => {
  it('prints the diff and the effect; --write applies it; servetune.json gives workload, SLOs and GPU', () => {
    const dir = copyFixtures();
    const path = join(dir, 'compose/docker-compose.yaml');
    writeFileSync(
      join(dir, 'servetune.json'),
      JSON.stringify({
        workload: { spec: WORKLOAD },
        slo: { ttft: 1, tbt: 0.05, percentile: 90 },
        hardware: 'l40s',
      }),
    );
    const before = readFileSync(path, 'utf8');
    const dry = servetune('tune', path, '--sample-requests', '200', '--threads', '0');
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /current +suggested/);
    assert.match(dry.stdout, /max rate under SLO/);
    assert.match(dry.stdout, /\n--- .*docker-compose\.yaml\n\+\+\+ .*docker-compose\.yaml\n@@ /);
    assert.equal(readFileSync(path, 'utf8'), before, 'no --write: the file is unchanged');

    const write = servetune('tune', path, '--sample-requests', '200', '--threads', '0', '--json', '--write');
    assert.equal(write.code, 0, write.stderr);
    const result = TuneBlockResult.parse(JSON.parse(write.stdout));
    assert.ok(result.edits.length > 0, result.reason);
    const after = readFileSync(path, 'utf8');
    assert.equal(after, applyEdits(before, result.edits, path));
    const again = readConfig(path, after, { readFile }).blocks[0]!;
    for (const [key, value] of Object.entries(result.changes)) {
      assert.equal(again.settings[key as SettingKey]?.value, value, key);
    }
    // Tuning the tuned file again finds nothing better to change.
    const second = servetune('tune', path, '--sample-requests', '200', '--threads', '0', '--json');
    assert.equal(second.code, 0, second.stderr);
    const secondResult = TuneBlockResult.parse(JSON.parse(second.stdout));
    assert.deepEqual(secondResult.changes, {});
    assert.ok(secondResult.reason);
  });

  it('says what is missing: no workload, no SLOs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-tune-'));
    const path = join(dir, 'serve.sh');
    writeFileSync(path, 'vllm serve meta-llama/Llama-3.1-8B-Instruct --tensor-parallel-size 2\n');
    const noWorkload = servetune('tune', path, '--slo', 'ttft=2,tbt=0.1', '--hardware', 'l40s');
    assert.equal(noWorkload.code, 1);
    assert.match(noWorkload.stderr, /no workload: pass --workload or put "workload" in a servetune\.json/);
    const noSlo = servetune('tune', path, '--workload', WORKLOAD, '--hardware', 'l40s');
    assert.equal(noSlo.code, 1);
    assert.match(noSlo.stderr, /no latency targets: pass --slo/);
  });
});
