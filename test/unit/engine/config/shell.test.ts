import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateArithmetic, isShellScriptOption, parseShell } from '../../../../src/engine/config/shell.js';

const words = (text: string) => parseShell(text).commands.map((c) => c.words.map((w) => w.text));

describe('shell grammar', () => {
  test('redirections and their targets are not words; & ends a command', () => {
    assert.deepEqual(words('vllm serve m --tp 2 > log.txt 2>&1 &\necho done'), [
      ['vllm', 'serve', 'm', '--tp', '2'],
      ['echo', 'done'],
    ]);
    assert.deepEqual(words('a &> all.log; b >>out 2>/dev/null <in'), [['a'], ['b']]);
    const [command] = parseShell('a 2>&1').commands;
    assert.deepEqual(
      command.redirects.map((r) => [r.operator, r.target?.text]),
      [['2>&', '1']],
    );
  });

  test('here-document bodies are skipped and remembered with the file they are written to', () => {
    const text = "cat > /tmp/c.yaml <<'EOF'\ntp: 2\n--x y\nEOF\nvllm serve m\ncat <<-END\n\tz\n\tEND\n";
    const parsed = parseShell(text);
    assert.deepEqual(
      parsed.commands.map((c) => c.words.map((w) => w.text)),
      [['cat'], ['vllm', 'serve', 'm'], ['cat']],
    );
    const [first, second] = parsed.heredocs;
    assert.equal(first.writesTo, '/tmp/c.yaml');
    assert.equal(text.slice(first.bodyStart, first.bodyEnd), 'tp: 2\n--x y\n');
    assert.equal(second.writesTo, undefined);
    assert.equal(text.slice(second.bodyStart, second.bodyEnd), '\tz\n');
  });

  test('a herestring is not a here-document', () => {
    assert.deepEqual(words('grep x <<< "$V"\nb'), [['grep', 'x'], ['b']]);
  });

  test('arithmetic: known variables evaluated, unknown ones give undefined, never a throw', () => {
    const vars: Record<string, string> = { TP: '4', NODES: '2', NAME: 'x' };
    const lookup = (name: string) => vars[name];
    assert.equal(evaluateArithmetic('$((TP * NODES))', lookup), 8);
    assert.equal(evaluateArithmetic('$(( ($TP + 4) / 3 ))', lookup), 2);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, not a template
    assert.equal(evaluateArithmetic('$((${TP} % 3 - -1))', lookup), 2);
    assert.equal(evaluateArithmetic('$((GPUS / 2))', lookup), undefined);
    assert.equal(evaluateArithmetic('$((NAME + 1))', lookup), undefined);
    assert.equal(evaluateArithmetic('$((TP / 0))', lookup), undefined);
    assert.equal(evaluateArithmetic('$((TP << 1))', lookup), undefined);
    assert.equal(evaluateArithmetic('$(date)', lookup), undefined);
  });

  test('sh -c, bash -exc, bash -lc run a script; other options do not', () => {
    assert.ok(isShellScriptOption('/bin/bash', '-exc'));
    assert.ok(isShellScriptOption('sh', '-c'));
    assert.ok(isShellScriptOption('bash', '-lc'));
    assert.ok(!isShellScriptOption('bash', '-x'));
    assert.ok(!isShellScriptOption('python3', '-c'));
  });
});
