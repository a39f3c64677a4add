import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiUrl,
  checkHeaderValue,
  metricsUrl,
  parseEndpointUrl,
} from '../../../../src/engine/bench/endpoint.js';
import { runBench } from '../../../../src/engine/bench/run.js';
import { ServeTuneError } from '../../../../src/engine/util/errors.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';
import { NO_SLO } from '../../../../src/engine/workload/slo-verdict.js';
import { chunk, fakeEndpoint, sseHeaders } from './fake-endpoint.js';

/** A run of two requests (and the test request) against `url`, as `servetune bench --url url` sends it. */
function benchAt(
  url: string,
  endpoint: 'completions' | 'chat' = 'completions',
  headers?: Record<string, string>,
) {
  const spec = 'constant:rate=100,prompt=fixed(3),output=fixed(2)';
  return runBench({
    url,
    servedModel: 'm',
    endpoint,
    headers,
    workload: loadWorkload(spec, { count: 2 }),
    workloadOrigin: { source: spec, seed: 0, count: 2 },
    mode: { kind: 'closed', concurrency: 1 },
    maxRequests: 2,
    maxSeconds: 10,
    timeoutSeconds: 5,
    slo: NO_SLO,
    seed: 0,
    fitToServer: true,
  });
}

describe('bench --url: the paths requests go to', () => {
  it('keeps a path prefix, and sends a bare host to /v1 as before', async () => {
    const endpoint = await fakeEndpoint((seen, res) => {
      if (seen.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, sseHeaders);
      res.end(`${chunk('a')}${chunk('b', 'length')}data: [DONE]\n\n`);
    });
    try {
      const cases: [string, 'completions' | 'chat', string[]][] = [
        [endpoint.url, 'completions', ['GET /v1/models', 'POST /v1/completions', 'GET /metrics']],
        [`${endpoint.url}/v1`, 'completions', ['GET /v1/models', 'POST /v1/completions', 'GET /metrics']],
        [
          `${endpoint.url}/proxy/v1/`,
          'completions',
          ['GET /proxy/v1/models', 'POST /proxy/v1/completions', 'GET /proxy/metrics'],
        ],
        [
          `${endpoint.url}/proxy/v1`,
          'chat',
          ['GET /proxy/v1/models', 'POST /proxy/v1/chat/completions', 'GET /proxy/metrics'],
        ],
      ];
      for (const [url, api, paths] of cases) {
        endpoint.seen.length = 0;
        const summary = await benchAt(url, api);
        assert.equal(summary.requests.completed, 2, `${url}: ${summary.problems.join('; ')}`);
        const seen = [...new Set(endpoint.seen.map((s) => `${s.method} ${s.path}`))];
        assert.deepEqual(seen, paths, url);
      }
    } finally {
      await endpoint.close();
    }
  });

  it('builds API URLs under the prefix, the query kept', () => {
    assert.equal(apiUrl('http://h:8000', 'completions').href, 'http://h:8000/v1/completions');
    assert.equal(apiUrl('http://h/proxy/v1', 'models').href, 'http://h/proxy/v1/models');
    assert.equal(apiUrl('http://h/proxy', 'chat/completions').href, 'http://h/proxy/v1/chat/completions');
    assert.equal(apiUrl('http://h/v1/completions', 'completions').href, 'http://h/v1/completions');
    assert.equal(apiUrl('https://h/p/v1?k=1', 'completions').href, 'https://h/p/v1/completions?k=1');
    assert.equal(metricsUrl('http://h/p/v1?k=1').href, 'http://h/p/metrics');
  });
});

describe('bench --url and --api-key: refused before anything runs', () => {
  const refusal = (fn: () => unknown, where: string, message: RegExp) =>
    assert.throws(fn, (error: unknown) => {
      assert.ok(error instanceof ServeTuneError, String(error));
      assert.equal(error.where, where);
      assert.match(error.message, message);
      return true;
    });

  it('names --url and what is wrong with it', () => {
    refusal(
      () => parseEndpointUrl('not a url'),
      '--url',
      /^--url 'not a url': not a URL; give the endpoint's base with its scheme/,
    );
    refusal(
      () => parseEndpointUrl('127.0.0.1:8000'),
      '--url',
      /not a URL \(did you mean http:\/\/127\.0\.0\.1:8000\?\)/,
    );
    refusal(
      () => parseEndpointUrl('ftp://127.0.0.1/v1'),
      '--url',
      /the scheme ftp:\/\/ is not supported; .*http:\/\/ and https:\/\/ only/,
    );
    refusal(
      () => parseEndpointUrl('http://127.0.0.1:99999'),
      '--url',
      /the port 99999 is out of range \(1-65535\)/,
    );
    refusal(() => parseEndpointUrl('http://127.0.0.1:0'), '--url', /the port 0 is out of range/);
    refusal(() => parseEndpointUrl('http://127.0.0.1:8x'), '--url', /the port '8x' is not a number/);
    refusal(
      () => parseEndpointUrl('http://u:p@127.0.0.1:8000'),
      '--url',
      /credentials in the URL are refused/,
    );
    refusal(() => parseEndpointUrl(''), '--url', /no URL given/);
    assert.equal(parseEndpointUrl('http://[::1]:8000/proxy/v1').port, '8000');
    assert.equal(parseEndpointUrl('https://example.test').hostname, 'example.test');
  });

  it('refuses a header value with CR or LF (header injection) or other control characters', () => {
    refusal(
      () => checkHeaderValue('sk-1\r\nX-Injected: yes', '--api-key', '--api-key'),
      '--api-key',
      /--api-key contains a line break \(CR or LF\): refused/,
    );
    refusal(() => checkHeaderValue('sk-1\nx', '--api-key', '--api-key'), '--api-key', /line break/);
    refusal(
      () => checkHeaderValue('sk-\u0000', '--api-key', '--api-key'),
      '--api-key',
      /U\+0000 at position 4/,
    );
    checkHeaderValue('sk-abc_DEF.123', '--api-key', '--api-key');
  });

  it('runBench refuses them too, and sends nothing', async () => {
    const endpoint = await fakeEndpoint((_, res) => res.writeHead(500).end());
    try {
      await assert.rejects(
        benchAt('ftp://127.0.0.1:21'),
        /--url 'ftp:\/\/127\.0\.0\.1:21': the scheme ftp:\/\//,
      );
      await assert.rejects(
        benchAt(endpoint.url, 'completions', { authorization: 'Bearer a\r\nX-Injected: 1' }),
        (error: unknown) =>
          error instanceof ServeTuneError && error.where === '--api-key' && /line break/.test(error.message),
      );
      assert.equal(endpoint.seen.length, 0);
    } finally {
      await endpoint.close();
    }
  });
});
