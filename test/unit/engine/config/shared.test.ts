import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits, blockSettings, planEdits, readConfig } from '../../../../src/engine/config/index.js';

const COMPOSE = `x-vllm: &vllm
  image: vllm/vllm-openai:v0.10.1
  command: &cmd ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--max-num-seqs", "64"]
services:
  a:
    <<: *vllm
    ports: ["8000:8000"]
  b:
    <<: *vllm
    ports: ["8001:8000"]
  c:
    image: vllm/vllm-openai:v0.10.1
    command: ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--max-num-seqs", "32"]
`;

describe('text that several places share', () => {
  it('merge keys are read: a service takes what <<: *anchor brings', () => {
    const report = readConfig('docker-compose.yaml', COMPOSE);
    assert.deepEqual(
      report.blocks.map((b) => [b.label, blockSettings(b).maxNumSeqs]),
      [
        ['service a', 64],
        ['service b', 64],
        ['service c', 32],
      ],
    );
    const engineYaml =
      'common: &common\n  max-num-seqs: 64\nmodel: m/n\n<<: *common\nmax-num-seqs: 8\nblock-size: 32\n';
    const [block] = readConfig('config.yaml', engineYaml.replace('max-num-seqs: 8\n', '')).blocks;
    assert.equal(blockSettings(block).maxNumSeqs, 64, 'merged');
    const [own] = readConfig('config.yaml', engineYaml).blocks;
    assert.equal(blockSettings(own).maxNumSeqs, 8, "the map's own key wins over the merged one");
  });

  it('an edit inside an anchor used by two services is refused, naming both places; the others still apply', () => {
    const report = readConfig('docker-compose.yaml', COMPOSE);
    const planned = planEdits(report.blocks[0], { maxNumSeqs: 128 });
    assert.deepEqual(planned.edits, []);
    assert.match(
      planned.problems[0],
      /^max-num-seqs: docker-compose\.yaml:3:83 is in the YAML anchor &vllm \(docker-compose\.yaml:2:3\), also used at docker-compose\.yaml:6:9, docker-compose\.yaml:9:9; ServeTune does not rewrite text that several places use/,
    );
    const own = planEdits(report.blocks[2], { maxNumSeqs: 128 });
    assert.deepEqual(own.problems, []);
    const after = applyEdits(COMPOSE, own.edits);
    assert.deepEqual(
      readConfig('docker-compose.yaml', after).blocks.map((b) => blockSettings(b).maxNumSeqs),
      [64, 64, 128],
    );
  });

  it('an aliased map: neither its owner nor its user rewrites it, nor adds to it', () => {
    const values = `servingEngineSpec:
  modelSpec:
    - name: a
      repository: vllm/vllm-openai
      modelURL: m/n
      vllmConfig: &cfg
        maxNumSeqs: 64
    - name: b
      repository: vllm/vllm-openai
      modelURL: m/n
      vllmConfig: *cfg
`;
    const report = readConfig('values.yaml', values);
    assert.equal(report.blocks.length, 2, JSON.stringify(report.problems));
    for (const block of report.blocks) {
      assert.equal(blockSettings(block).maxNumSeqs, 64, block.label);
      const planned = planEdits(block, { maxNumSeqs: 128, tp: 2 });
      assert.deepEqual(planned.edits, [], block.label);
      assert.ok(
        planned.problems.every((p) => /the YAML anchor &cfg/.test(p)),
        planned.problems.join('\n'),
      );
      assert.equal(planned.problems.length, 2);
    }
  });

  it('a shell variable behind two servers is not rewritten for one; a flag added after $VAR stays on the command', () => {
    const text =
      'TP=2\nvllm serve a/b --tensor-parallel-size $TP --max-num-seqs 64\nvllm serve c/d --tensor-parallel-size $TP\n';
    const report = readConfig('serve.sh', text);
    const first = planEdits(report.blocks[0], { tp: 4, maxNumSeqs: 128 });
    assert.equal(first.edits.length, 1);
    assert.match(
      first.problems[0],
      /^tensor-parallel-size: serve\.sh:1:4 is in \$TP \(serve\.sh:1:4\), also used at serve\.sh:2:39, serve\.sh:3:39; ServeTune does not rewrite/,
    );
    const second = planEdits(report.blocks[1], { maxNumSeqs: 128 });
    const after = applyEdits(text, second.edits);
    assert.equal(
      after,
      'TP=2\nvllm serve a/b --tensor-parallel-size $TP --max-num-seqs 64\nvllm serve c/d --tensor-parallel-size $TP --max-num-seqs 128\n',
    );
  });

  it('a variable used once is still rewritten where it is set', () => {
    const text = 'TP=2\nvllm serve a/b --tensor-parallel-size $TP\n';
    const [block] = readConfig('serve.sh', text).blocks;
    const planned = planEdits(block, { tp: 4 });
    assert.deepEqual(planned.problems, []);
    assert.equal(applyEdits(text, planned.edits), 'TP=4\nvllm serve a/b --tensor-parallel-size $TP\n');
  });
});
