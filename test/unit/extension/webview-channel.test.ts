import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostToWebview } from '../../../src/engine/protocol/webview.js';
import { type PageMessage, webviewChannel } from '../../../src/extension/views/channel.js';

function harness(withReceive: boolean) {
  const posted: HostToWebview[] = [];
  const received: PageMessage[] = [];
  const logged: string[] = [];
  const asked = { latest: 0 };
  const channel = webviewChannel({
    name: 'test view',
    log: { warn: (m) => logged.push(`warn ${m}`), error: (m) => logged.push(`error ${m}`) },
    post: (message) => posted.push(message),
    latest: (): HostToWebview => {
      asked.latest++;
      return { type: 'export-png' };
    },
    ...(withReceive ? { receive: (message: PageMessage) => received.push(message) } : {}),
  });
  return { channel, posted, received, logged, asked };
}

describe('webview handshake, host side', () => {
  it('posts nothing before ready, the latest state on each ready and each push after it', () => {
    const { channel, posted, asked } = harness(true);
    channel.push();
    assert.equal(posted.length, 0, 'nothing before ready');
    channel.receive({ type: 'ready', view: 'pareto' });
    assert.equal(posted.length, 1);
    channel.push();
    assert.equal(posted.length, 2);
    // A page that reloads says ready again and gets the state again.
    channel.receive({ type: 'ready', view: 'pareto' });
    assert.equal(posted.length, 3);
    assert.equal(asked.latest, 3, 'latest() is asked each time, never before ready');
    assert.deepEqual(posted[2], { type: 'export-png' });
  });

  it('passes other messages on, logs errors, and drops what does not validate', () => {
    const { channel, received, logged, posted } = harness(true);
    channel.receive({ type: 'copy', pointId: 'a' });
    channel.receive({ type: 'error', message: 'boom' });
    channel.receive({ type: 'ready' });
    channel.receive({ type: 'run-command', command: 'not-servetune' });
    assert.deepEqual(received, [{ type: 'copy', pointId: 'a' }]);
    assert.equal(posted.length, 0, 'a ready without its view is no ready');
    assert.equal(logged.length, 3);
    assert.equal(logged[0], 'error test view: boom');
    assert.match(logged[1], /^warn test view sent an invalid message/);
    assert.match(logged[2], /^warn test view sent an invalid message/);
  });

  it('logs a message it has no use for when the view takes none', () => {
    const { channel, logged } = harness(false);
    channel.receive({ type: 'export-csv' });
    assert.deepEqual(logged, ['warn test view sent a message it has no use for: export-csv']);
  });
});
