import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyEdits, blockSettings, planEdits, readConfig } from '../../../../src/engine/config/index.js';
import { readFixture, roundTrip, textAt } from './helpers.js';

/** The same manifest as YAML and as JSON reads to the same servers and settings. */
function sameAsYaml(json: string, yaml: string): ReturnType<typeof readFixture> {
  const fromJson = readFixture(json);
  const fromYaml = readFixture(yaml);
  assert.equal(fromJson.report.format, 'kubernetes');
  assert.deepEqual(
    fromJson.report.blocks.map((b) => [b.label, b.engine, blockSettings(b), b.hardware?.id]),
    fromYaml.report.blocks.map((b) => [b.label, b.engine, blockSettings(b), b.hardware?.id]),
  );
  return fromJson;
}

/** The smallest Deployment of a vLLM server, for text without a file name. */
const DEPLOYMENT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: {
    template: {
      spec: {
        containers: [{ name: 'v', image: 'vllm/vllm-openai', args: ['m', '--max-num-seqs', '8'] }],
      },
    },
  },
};

/** DEPLOYMENT with this one container, as JSON. */
function withContainer(container: Record<string, unknown>): string {
  return JSON.stringify({ ...DEPLOYMENT, spec: { template: { spec: { containers: [container] } } } });
}

/** The same Deployment in YAML, its one container's keys given as lines (`image: …`, `args: […]`). */
function yamlWithContainer(keys: string[]): string {
  const head = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
  ];
  return [...head, ...keys.map((key, i) => `${i === 0 ? '      - ' : '        '}${key}`), ''].join('\n');
}

/** The error problems of a file's first block. */
const errorsOf = (path: string, text: string) =>
  readConfig(path, text).blocks[0].problems.filter((p) => p.severity === 'error');

describe('Kubernetes manifests written as JSON', () => {
  // The same Service and Deployment as one `List` object and as a top-level array of both.
  for (const [form, fixture] of [
    ['a List', 'kubernetes/vllm-deployment-list.json'],
    ['a top-level array', 'kubernetes/vllm-deployment-array.json'],
  ]) {
    test(`${form} of a Service and a Deployment reads like the two YAML documents`, () => {
      const { text, report } = sameAsYaml(fixture, 'kubernetes/vllm-deployment.yaml');
      const [block] = report.blocks;
      // Ranges land on the JSON's characters: the quoted word, and inside it for `--flag=value`.
      assert.equal(textAt(text, block, 'tp'), '"8"');
      assert.equal(textAt(text, block, 'maxModelLen'), '16384');
      assert.equal(textAt(text, block, 'gpus'), '"8"');
    });
  }

  test('an array sniffed without the .json extension; an array of other objects is not a manifest', () => {
    const report = readConfig('manifest', JSON.stringify([DEPLOYMENT]));
    assert.equal(report.format, 'kubernetes');
    assert.equal(blockSettings(report.blocks[0]).maxNumSeqs, 8);
    const mixed = readConfig('data.json', JSON.stringify([DEPLOYMENT, { name: 'not an object of the API' }]));
    assert.equal(mixed.format, 'unknown');
  });

  test('a LeaderWorkerSet object: leader, size and GPUs as in YAML', () => {
    const { report } = sameAsYaml('kinds/lws-vllm-multinode.json', 'kinds/lws-vllm-multinode.yaml');
    assert.equal(report.blocks[0].nodes?.count, 2);
  });

  test('its `sh -c` script, lines joined by \\n escapes, is edited word by word and stays JSON', () => {
    const { report } = readFixture('kinds/lws-vllm-multinode.json');
    assert.deepEqual(report.blocks[0].problems, [], 'no "cannot edit in place"');
    const { after } = roundTrip('kinds/lws-vllm-multinode.json', 0, {
      tp: 4,
      maxModelLen: 8192,
      maxNumSeqs: 32,
    });
    const [text] = Object.values(after);
    type Leader = { spec: { containers: { args: string[] }[] } };
    const parsed = JSON.parse(text) as { spec: { leaderWorkerTemplate: { leaderTemplate: Leader } } };
    const script = parsed.spec.leaderWorkerTemplate.leaderTemplate.spec.containers[0].args[0];
    // Each value rewritten where it stands, the new flag at the end of the command, lines as they were.
    assert.match(script, /--tensor-parallel-size 4 \\\n/);
    assert.match(script, /--max-model-len 8192 \\\n/);
    assert.match(script, /--distributed-executor-backend ray --max-num-seqs 32\n$/);
  });

  test('a List holding a ServingRuntime and an InferenceService', () => {
    sameAsYaml('kinds/kserve-runtime-list.json', 'kinds/kserve-runtime.yaml');
  });

  test('edits keep the file JSON: a value rewritten in place, a new flag added to the args array', () => {
    type Objects = { kind: string; spec?: { template?: unknown } }[];
    const objectsOf = {
      'kubernetes/vllm-deployment-list.json': (parsed: unknown) => (parsed as { items: Objects }).items,
      'kubernetes/vllm-deployment-array.json': (parsed: unknown) => parsed as Objects,
    };
    for (const [fixture, objects] of Object.entries(objectsOf)) {
      const { after } = roundTrip(fixture, 0, { tp: 4, maxNumSeqs: 64 });
      const [text] = Object.values(after);
      const [service, deployment] = objects(JSON.parse(text));
      assert.equal(service.kind, 'Service', fixture);
      const args = JSON.stringify(deployment.spec?.template);
      assert.match(args, /"--tensor-parallel-size","4"/);
      assert.match(args, /"--max-num-seqs","64"/);
    }
  });

  test('a flag added after a number, true or null in the args array is a JSON string', () => {
    // Kubernetes wants strings there, but a careless `8000` must not make ServeTune write bare words.
    for (const last of [8000, true, null]) {
      const container = DEPLOYMENT.spec.template.spec.containers[0];
      const manifest = {
        ...DEPLOYMENT,
        spec: { template: { spec: { containers: [{ ...container, args: [...container.args, last] }] } } },
      };
      const text = JSON.stringify(manifest, null, 2);
      const [block] = readConfig('d.json', text).blocks;
      const { edits, problems } = planEdits(block, { tp: 4, enforceEager: true });
      assert.deepEqual(problems, []);
      const args = JSON.parse(applyEdits(text, edits, 'd.json')).spec.template.spec.containers[0].args;
      assert.deepEqual(args.slice(-3), ['--tensor-parallel-size', '4', '--enforce-eager'], String(last));
    }
  });

  test("what kubectl's JSON decoder refuses is an error at its place; the servers still read", () => {
    const text = JSON.stringify(DEPLOYMENT, null, 2);
    const cases: [string, string, RegExp][] = [
      ['a comma before ]', text.replace('"8"\n', '"8",\n'), /^\d+:\d+ not valid JSON: a comma before '\]'/],
      ['a comma before }', text.replace(/\n\}$/, ',\n}'), /^\d+:\d+ not valid JSON: a comma before '\}'/],
      ['a comment', text.replace('{\n', '{\n  // the vLLM server\n'), /^2:3 not valid JSON: a comment/],
      [
        'the end cut off',
        text.slice(0, text.indexOf('"args"')),
        /the file ends before the '\{' at \d+:\d+ is closed/,
      ],
    ];
    for (const [what, broken, message] of cases) {
      const report = readConfig('d.json', broken);
      const errors = report.problems.filter((p) => p.severity === 'error');
      assert.equal(errors.length, 1, `${what}: one error, not YAML's echoes of it`);
      const [error] = errors;
      assert.match(
        `${error.range.start.line + 1}:${error.range.start.column + 1} ${error.message}`,
        message,
        what,
      );
      assert.equal(report.format, 'kubernetes', what);
      assert.equal(report.blocks.length, 1, what);
    }
    // The comment is kept by an edit, and the server behind it reads as before.
    const commented = text.replace('{\n', '{\n  // the vLLM server\n');
    const [block] = readConfig('d.json', commented).blocks;
    assert.equal(blockSettings(block).maxNumSeqs, 8);
    const after = applyEdits(commented, planEdits(block, { maxNumSeqs: 16 }).edits, 'd.json');
    assert.equal(after, commented.replace('"8"', '"16"'));
  });

  test('JSON nested 10,000 deep is scanned without running out of stack', () => {
    const deep = `{"apiVersion":"v1","kind":"Pod","x":${'{"a":'.repeat(10_000)}1,${'}'.repeat(10_001)}`;
    const errors = readConfig('deep.json', deep).problems.filter((p) => p.severity === 'error');
    assert.match(errors[0]?.message ?? '', /^not valid JSON: a comma before '\}'/);
    // Valid, but deeper than the YAML parser's stack: one error that says so, not one per level.
    const valid = readConfig('deep.json', deep.replace('1,', '1')).problems.filter(
      (p) => p.severity === 'error',
    );
    assert.deepEqual(
      valid.map((p) => p.message),
      ['nested too deeply to read (thousands of levels): what is inside from here is not read'],
    );
  });

  test('a number or boolean where Kubernetes takes a string is an error on it, in JSON as in YAML', () => {
    const json = withContainer({
      image: 'vllm/vllm-openai',
      args: ['m', '--port', 8000, true],
      env: [{ name: 'N', value: 1 }],
    });
    const yaml = yamlWithContainer([
      'image: vllm/vllm-openai',
      'args: [m, --port, 8000, true]',
      'env: [{name: N, value: 1}]',
    ]);
    for (const [path, text] of [
      ['d.json', json],
      ['d.yaml', yaml],
    ]) {
      const errors = errorsOf(path, text);
      assert.deepEqual(
        errors.map((p) => [text.slice(p.range.start.offset, p.range.end.offset), p.message.split(':')[0]]),
        [
          ['8000', 'args item 8000 is a number'],
          ['true', 'args item true is a boolean'],
          ['1', 'the value of N is a number'],
        ],
        path,
      );
      assert.match(
        errors[0].message,
        /Kubernetes takes only strings here and refuses the manifest \(write "8000"\)$/,
      );
    }
    const asText = withContainer({ image: 'vllm/vllm-openai', args: 'm --max-num-seqs 8' });
    const [error] = readConfig('d.json', asText).blocks[0].problems;
    assert.match(error.message, /^args is a string, not a list of words: Kubernetes refuses the manifest/);
  });

  test('an env name that is not a string, or no name at all, is an error on it, in JSON as in YAML', () => {
    const json = withContainer({
      image: 'vllm/vllm-openai',
      args: ['m'],
      env: [{ name: 123, value: 'a' }, { name: true }, { value: 'b' }, { name: 'OK', value: 'c' }],
    });
    const yaml = yamlWithContainer([
      'image: vllm/vllm-openai',
      'args: [m]',
      'env: [{name: 123, value: a}, {name: true}, {value: b}, {name: OK, value: c}]',
    ]);
    for (const [path, text] of Object.entries({ 'd.json': json, 'd.yaml': yaml })) {
      const located = errorsOf(path, text).map((p) => [
        text.slice(p.range.start.offset, p.range.end.offset),
        p.message,
      ]);
      assert.deepEqual(
        located,
        [
          [
            '123',
            'the env name 123 is a number: Kubernetes takes only strings here and refuses the manifest (write "123")',
          ],
          [
            'true',
            'the env name true is a boolean: Kubernetes takes only strings here and refuses the manifest (write "true")',
          ],
          [
            path === 'd.json' ? '{"value":"b"}' : '{value: b}',
            'this env entry has no name: Kubernetes requires one and refuses the manifest',
          ],
        ],
        path,
      );
    }
  });

  test('replicas written as a string is an error kubectl would give; the count still reads', () => {
    const text = JSON.stringify({ ...DEPLOYMENT, spec: { ...DEPLOYMENT.spec, replicas: '2' } }, null, 2);
    const [block] = readConfig('d.json', text).blocks;
    assert.equal(blockSettings(block).replicas, 2);
    const [error] = block.problems;
    assert.equal(text.slice(error.range.start.offset, error.range.end.offset), '"2"');
    assert.equal(
      error.message,
      'replicas is the string "2": Kubernetes takes a number here and refuses the manifest (write 2)',
    );
  });

  test('a key given twice warns where it is repeated: kubectl keeps the last, and so does ServeTune', () => {
    const text = JSON.stringify(DEPLOYMENT).replace(
      '"kind":"Deployment"',
      '"kind":"Service","kind":"Deployment"',
    );
    const report = readConfig('d.json', text);
    const [warning] = report.problems;
    assert.equal(warning.severity, 'warning');
    assert.equal(text.slice(warning.range.start.offset, warning.range.end.offset), '"kind"');
    assert.match(
      warning.message,
      /the key "kind" is given again \(first at 1:25\): kubectl's JSON decoder keeps this last one/,
    );
    assert.equal(report.blocks.length, 1, 'read as the Deployment the last "kind" makes it');
  });

  test("a repeated container key reads the last, as kubectl's decoder keeps it", () => {
    const text = withContainer({ name: 'v', image: 'vllm/vllm-openai', args: ['m'] }).replace(
      '"args":["m"]',
      '"args":["m","--max-num-seqs","8"],"args":["m","--max-num-seqs","16"]',
    );
    const report = readConfig('d.json', text);
    assert.equal(blockSettings(report.blocks[0]).maxNumSeqs, 16);
    assert.ok(
      report.problems.some(
        (p) => p.severity === 'warning' && /the key "args" is given again/.test(p.message),
      ),
    );
  });

  test('JSON without the .json extension is sniffed by its opening quoted key, not read as shell', () => {
    const report = readConfig('manifest', JSON.stringify(DEPLOYMENT));
    assert.equal(report.format, 'kubernetes');
    assert.equal(blockSettings(report.blocks[0]).maxNumSeqs, 8);
  });

  test('a JSON file that is not a serving config is not recognised, with no error', () => {
    // tsconfig.json and launch.json take comments and trailing commas: JSON's rules are a manifest's only.
    for (const text of [
      '{"compilerOptions": {"strict": true}}',
      '{\n  // strict\n  "compilerOptions": {"strict": true,},\n}\n',
    ]) {
      const report = readConfig('tsconfig.json', text);
      assert.equal(report.format, 'unknown');
      assert.deepEqual(
        report.problems.map((p) => p.severity),
        ['info'],
      );
    }
  });

  test("a model's config.json is not a server's config, though its dtype or max_seq_len are knob names", () => {
    // Transformers writes `dtype` (once `torch_dtype`); some models carry a `max_seq_len`.
    const { text } = readFixture('../hf/llama-3.1-8b.json');
    const config = JSON.parse(text) as Record<string, unknown>;
    const { torch_dtype, ...rest } = config;
    for (const changed of [
      { ...rest, dtype: torch_dtype },
      { ...config, max_seq_len: 8192 },
    ]) {
      const report = readConfig('config.json', JSON.stringify(changed, null, 2));
      assert.equal(report.format, 'unknown');
      assert.deepEqual(report.blocks, []);
    }
  });
});
