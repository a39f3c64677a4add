import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { bearerKeyMatches } from '../../../../src/engine/serve/access.js';
import { bindWarning, checkCanListen, isLoopbackHost } from '../../../../src/engine/serve/address.js';
import { ServeTuneError } from '../../../../src/engine/util/errors.js';

describe('serve: the address it listens on', () => {
  it('warns on a non-loopback address that there is no authentication unless --api-key is set', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      assert.equal(isLoopbackHost(host), true, host);
      assert.equal(bindWarning(host, false), undefined, host);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.5', 'myhost.example', '128.0.0.1']) {
      assert.equal(isLoopbackHost(host), false, host);
      assert.match(
        bindWarning(host, false) ?? '',
        new RegExp(
          `^warning: listening on ${host.replace(/\./g, '\\.')}, which other machines may reach, and the server has no authentication.*--api-key`,
        ),
      );
      assert.match(bindWarning(host, true) ?? '', /requests need the API key, but travel unencrypted/);
    }
  });

  it('checks a port before the engine starts: in use is a named error', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      await assert.rejects(checkCanListen('127.0.0.1', port), (error: unknown) => {
        assert.ok(error instanceof ServeTuneError);
        assert.match(error.message, new RegExp(`^port ${port} on 127\\.0\\.0\\.1 is already in use`));
        return true;
      });
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
    await checkCanListen('127.0.0.1', port);
  });

  it('compares bearer keys whole', () => {
    assert.equal(bearerKeyMatches('Bearer k-1', 'k-1'), true);
    assert.equal(bearerKeyMatches('bearer  k-1 ', 'k-1'), true);
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Bearer k-',
      'Bearer k-12',
      'k-1',
      'Token k-1',
    ]) {
      assert.equal(bearerKeyMatches(header, 'k-1'), false, String(header));
    }
  });
});
