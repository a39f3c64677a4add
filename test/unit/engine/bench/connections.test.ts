import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { type LoadRequest, runLoad } from '../../../../src/engine/bench/load.js';
import { OpenAiServer } from '../../../../src/engine/serve/server.js';
import { TimerEngine } from '../../helpers/timer-engine.js';
import { chunk, fakeEndpoint, sseHeaders } from './fake-endpoint.js';

const options = {
  maxRequests: 100,
  maxWallSeconds: 20,
  timeoutSeconds: 10,
  seed: 1,
  tokenIdRange: [3, 200] as [number, number],
};

describe('load generator: connections', () => {
  it('sends a request again once when the server closed its kept-alive connection as it was reused', async () => {
    const served = new WeakSet<Socket>();
    let reset = 0;
    const endpoint = await fakeEndpoint((seen, res) => {
      const socket = res.socket as Socket;
      if (served.has(socket)) {
        // What a server's idle timeout does when it fires as the connection is reused.
        reset++;
        socket.destroy();
        return;
      }
      served.add(socket);
      res.writeHead(200, sseHeaders);
      res.end(`${chunk('a', 'length')}data: [DONE]\n\n`);
    });
    try {
      const workload: LoadRequest[] = [0, 0.05, 0.1].map((arrival) => ({
        arrival,
        promptTokens: 2,
        outputTokens: 1,
      }));
      const results = await runLoad({ url: endpoint.url, model: 'm', endpoint: 'completions' }, workload, {
        ...options,
        mode: { kind: 'closed', concurrency: 1 },
      });
      assert.deepEqual(
        results.map((r) => r.status),
        ['ok', 'ok', 'ok'],
        JSON.stringify(results.map((r) => r.error)),
      );
      assert.ok(reset >= 1, 'a kept-alive connection was reused and reset');
    } finally {
      await endpoint.close();
    }
  });

  it('keeps many requests in flight without a listener-leak warning', async () => {
    const server = new OpenAiServer({ engine: new TimerEngine(32, 5), maxWaiting: 100 });
    const { url } = await server.start();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const workload: LoadRequest[] = Array.from({ length: 24 }, () => ({
        arrival: 0,
        promptTokens: 2,
        outputTokens: 10,
      }));
      const results = await runLoad({ url, model: 'test-model', endpoint: 'completions' }, workload, {
        ...options,
        mode: { kind: 'closed', concurrency: 24 },
      });
      await new Promise((r) => setImmediate(r));
      assert.equal(results.filter((r) => r.status === 'ok').length, 24);
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
      await server.shutdown();
    }
  });
});

describe('serve: kept-alive streams', () => {
  it('tells clients its keep-alive timeout on streamed replies, so they drop idle connections before it does', async () => {
    const server = new OpenAiServer({ engine: new TimerEngine(2, 1), maxWaiting: 8 });
    const { url } = await server.start();
    try {
      const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const req = httpRequest(
          `${url}/v1/completions`,
          { method: 'POST', headers: { 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.headers));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ model: 'test-model', prompt: [1], max_tokens: 2, stream: true }));
      });
      assert.equal(headers['content-type'], 'text/event-stream');
      assert.equal(headers.connection, 'keep-alive');
      assert.equal(headers['keep-alive'], 'timeout=5');
    } finally {
      await server.shutdown();
    }
  });
});
