// A container's command, args and env names and values are strings in the Kubernetes API (Container.Command
// and Args are []string, EnvVar.Name and EnvVar.Value are string: kubernetes/kubernetes
// staging/src/k8s.io/api/core/v1/types.go at 815c3d8f70473678341a03abc0a6fb7bab000d3c). A number or a
// boolean there (`- 8000` in YAML, `8000` in JSON, `- name: 123`) makes kubectl refuse the whole manifest
// ("cannot unmarshal number into Go struct field Container.spec.template.spec.containers.args of type
// string"), though ServeTune reads its text fine. An env entry without a name is refused too: ValidateEnv
// requires one (pkg/apis/core/validation/validation.go at a7264f95ffc8b56377da16e83461aa59467ebb3e).
import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import type { BlockBuilder } from '../block.js';
import type { SourceFile } from '../source.js';
import { nodeRange, scalarText } from './yaml-util.js';

/** What a value that should be a string is instead; undefined for a string (or null, which reads as ""). */
function notAString(node: unknown): string | undefined {
  if (isScalar(node)) {
    if (node.value === null || typeof node.value === 'string') return undefined;
    return `a ${typeof node.value === 'boolean' ? 'boolean' : 'number'}`;
  }
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  return undefined;
}

/** Errors on the container's `command`, `args` and `env` names and values that the API server would refuse. */
export function checkContainerStrings(builder: BlockBuilder, container: YAMLMap, source: SourceFile): void {
  const refuse = (node: Node, what: string) =>
    builder.problem(
      'error',
      `${what}: Kubernetes takes only strings here and refuses the manifest${isScalar(node) ? ` (write "${scalarText(node)}")` : ''}`,
      nodeRange(node, source),
      'invalid-value',
    );
  for (const key of ['command', 'args']) {
    const list = container.get(key, true) as Node | undefined;
    if (list === undefined || (isScalar(list) && list.value === null)) continue;
    if (!isSeq(list)) {
      builder.problem(
        'error',
        `${key} is ${isScalar(list) ? `a ${typeof list.value === 'string' ? 'string' : typeof list.value}` : 'a map'}, not a list of words: Kubernetes refuses the manifest (write ${key}: ["word", …])`,
        nodeRange(list, source),
        'invalid-value',
      );
      continue;
    }
    for (const item of list.items as Node[]) {
      const kind = notAString(item);
      if (kind) refuse(item, `${key} item${isScalar(item) ? ` ${scalarText(item)}` : ''} is ${kind}`);
    }
  }
  const env = container.get('env', true);
  if (!isSeq(env)) return;
  for (const entry of env.items) {
    if (!isMap(entry)) continue;
    const name = entry.get('name', true) as Node | undefined;
    const nameKind = notAString(name);
    if (name && nameKind)
      refuse(name, `the env name${isScalar(name) ? ` ${scalarText(name)}` : ''} is ${nameKind}`);
    else if (!scalarText(name))
      builder.problem(
        'error',
        'this env entry has no name: Kubernetes requires one and refuses the manifest',
        nodeRange(entry, source),
        'invalid-value',
      );
    const value = entry.get('value', true) as Node | undefined;
    const kind = notAString(value);
    if (value && kind) refuse(value, `the value of ${scalarText(name) ?? 'an env entry'} is ${kind}`);
  }
}
