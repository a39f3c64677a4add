// The table of what each `--emit` format writes for the plans that leave one machine's simple case,
// appended to docs/config-formats.md by scripts/config-summary.ts (a unit test keeps it in sync).
import { parseAllDocuments } from 'yaml';
import {
  DEPLOY_FORMATS,
  type DeployInput,
  type DeployServer,
  deploymentFiles,
} from '../src/engine/config/deploy/index.js';
import { readConfig } from '../src/engine/config/index.js';

const server = (role: DeployServer['role'], nodes: number, settings: DeployServer['settings']) => ({
  role,
  nodes,
  settings: { model: 'Qwen/Qwen3-235B-A22B-FP8', maxModelLen: 16384, replicas: 1, ...settings },
});

const PLANS: [string, DeployInput][] = [
  ['colocated, TP 4', { name: 'm', engine: 'vllm', servers: [server('server', 1, { tp: 4, gpus: 4 })] }],
  [
    'disaggregated MoE (prefill TP 4, decode DP 8 + EP)',
    {
      name: 'm',
      engine: 'vllm',
      servers: [
        server('prefill', 1, { tp: 4, gpus: 4 }),
        server('decode', 1, { tp: 1, dp: 8, expertParallel: true, gpus: 8 }),
      ],
    },
  ],
  [
    'multi-node, TP 8 × PP 2 over 2 nodes',
    { name: 'm', engine: 'vllm', servers: [server('server', 2, { tp: 8, pp: 2, gpus: 16 })] },
  ],
  [
    'multi-node wide EP, DP 16 over 2 nodes',
    {
      name: 'm',
      engine: 'vllm',
      servers: [server('server', 2, { tp: 1, dp: 16, expertParallel: true, gpus: 16 })],
    },
  ],
];

/** What one emission gives: its resource kinds and how a server spans nodes, or the refusal. */
function describe(format: (typeof DEPLOY_FORMATS)[number], input: DeployInput): string {
  let files: ReturnType<typeof deploymentFiles>;
  try {
    files = deploymentFiles(format, input);
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
  const kinds = parseAllDocuments(files[0].text).map((d) => {
    const doc = d.toJS() as Record<string, unknown>;
    if (typeof doc.kind === 'string') return doc.kind;
    if ('modelArtifacts' in doc) return doc.multinode ? 'llm-d values (multinode)' : 'llm-d values';
    if ('services' in doc) return 'compose';
    return /raySpec/.test(JSON.stringify(doc)) ? 'Helm values (raySpec)' : 'Helm values';
  });
  const texts = new Map(files.map((f) => [`/d/${f.path}`, f.text]));
  const report = readConfig(`/d/${files[0].path}`, files[0].text, { readFile: (p) => texts.get(p) });
  const nodes = report.blocks.map((b) => b.nodes?.count ?? 1);
  return `${[...new Set(kinds)].join(', ')}; reads back: ${report.blocks.length} server${report.blocks.length === 1 ? '' : 's'}, nodes ${nodes.join('/')}`;
}

export function emitSummaryMarkdown(): string[] {
  const lines = [
    '',
    '## What `--emit` writes (vLLM plans)',
    '',
    'Each emitted file is read back by the readers above; a format that cannot express a plan refuses it',
    'and names what to emit instead. See docs/deployment-files.md.',
    '',
    `| format | ${PLANS.map(([name]) => name).join(' | ')} |`,
    `| --- | ${PLANS.map(() => '---').join(' | ')} |`,
  ];
  for (const format of DEPLOY_FORMATS)
    lines.push(`| ${format} | ${PLANS.map(([, input]) => describe(format, input)).join(' | ')} |`);
  return lines;
}
