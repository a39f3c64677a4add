import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MODEL_CATALOG } from '../../../../src/engine/model/catalog.js';
import type { Environment } from '../../../../src/engine/model/hf-cache.js';
import { lookupModel, resolveModel, resolveModelAsync } from '../../../../src/engine/model/resolve.js';
import { ServeTuneError } from '../../../../src/engine/util/errors.js';

/** A llama-family config.json, for a model no catalog holds; `layers` tells one snapshot from another. */
function llamaConfig(layers: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    model_type: 'llama',
    hidden_size: 2048,
    num_hidden_layers: layers,
    num_attention_heads: 16,
    num_key_value_heads: 4,
    intermediate_size: 8192,
    vocab_size: 32000,
    max_position_embeddings: 8192,
    ...extra,
  });
}

const scratch = () => mkdtempSync(join(tmpdir(), 'servetune-resolve-'));

/**
 * An environment that reaches nothing of this machine's own Hugging Face setup: an empty home, no
 * token, and (unless a test points it at a local server) no Hub.
 */
function isolatedEnv(overrides: Environment = {}): Environment {
  return { HF_HOME: scratch(), HF_HUB_OFFLINE: '1', ...overrides };
}

/** Writes `models--{org}--{name}` under `cacheDir`, its snapshots aged oldest first, and `refs/main`. */
function writeCachedRepo(
  cacheDir: string,
  repoId: string,
  snapshots: Record<string, string>,
  main?: string,
): void {
  const repoDir = join(cacheDir, `models--${repoId.split('/').join('--')}`);
  const now = Date.now() / 1000;
  Object.entries(snapshots).forEach(([revision, config], age) => {
    const dir = join(repoDir, 'snapshots', revision);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), config);
    const when = now - 1000 + age * 100;
    utimesSync(dir, when, when);
  });
  if (main) {
    mkdirSync(join(repoDir, 'refs'), { recursive: true });
    writeFileSync(join(repoDir, 'refs', 'main'), main);
  }
}

function rejectsWith(code: string, pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ServeTuneError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('resolving a model: the catalog', () => {
  const entry = MODEL_CATALOG.find((m) => m.source.includes('/'))!;

  it('finds a catalog model by id, in any case', () => {
    assert.equal(resolveModel(entry.id, { env: isolatedEnv() }), entry);
    assert.equal(resolveModel(entry.id.toUpperCase(), { env: isolatedEnv() }), entry);
  });

  it('finds a catalog model by its Hugging Face repository id, in any case', async () => {
    assert.equal(resolveModel(entry.source, { env: isolatedEnv() }), entry);
    assert.equal(resolveModel(entry.source.toLowerCase(), { env: isolatedEnv() }), entry);
    assert.equal(await resolveModelAsync(entry.source.toUpperCase(), { env: isolatedEnv() }), entry);
  });

  it('reads a config.json path or the folder holding one before anything else', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'config.json'), llamaConfig(7));
    assert.equal(resolveModel(join(dir, 'config.json')).numLayers, 7);
    assert.equal(resolveModel(dir).numLayers, 7);
    assert.throws(() => resolveModel(join(dir, 'missing.json')), rejectsWith('io', /not found/));
  });

  it('names a local config.json without _name_or_path by its folder, which engines serve from', () => {
    const dir = join(scratch(), 'My-Model-8B');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), llamaConfig(7));
    const model = resolveModel(join(dir, 'config.json'));
    assert.equal(model.source, dir, 'vllm serve / trtllm-serve take the checkpoint folder, not config.json');
    assert.equal(model.name, 'My-Model-8B');
    assert.equal(resolveModel(dir).source, dir);
    // A config that names its repository keeps it.
    writeFileSync(join(dir, 'config.json'), llamaConfig(7, { _name_or_path: 'org/Named-Model' }));
    assert.deepEqual((({ name, source }) => ({ name, source }))(resolveModel(join(dir, 'config.json'))), {
      name: 'Named-Model',
      source: 'org/Named-Model',
    });
  });
});

describe('resolving a model: the local Hugging Face cache', () => {
  const repoId = 'some-org/Some-Model';

  it('reads the snapshot refs/main names under $HF_HUB_CACHE, even when another is newer', () => {
    const cache = scratch();
    writeCachedRepo(cache, repoId, { aaa111: llamaConfig(12), bbb222: llamaConfig(24) }, 'aaa111\n');
    const model = resolveModel(repoId, { env: isolatedEnv({ HF_HUB_CACHE: cache }) });
    assert.equal(model.numLayers, 12);
    assert.equal(model.id, repoId);
    assert.equal(model.source, repoId);
    assert.equal(model.family, 'llama');
  });

  it('reads the newest snapshot when there is no refs/main', () => {
    const cache = scratch();
    writeCachedRepo(cache, repoId, { aaa111: llamaConfig(12), bbb222: llamaConfig(24) });
    assert.equal(resolveModel(repoId, { env: isolatedEnv({ HF_HUB_CACHE: cache }) }).numLayers, 24);
  });

  it('finds the cache under $HF_HOME/hub, and matches the repository id in any case', () => {
    const home = scratch();
    writeCachedRepo(join(home, 'hub'), repoId, { ccc333: llamaConfig(9) }, 'ccc333');
    const env = { HF_HOME: home, HF_HUB_OFFLINE: '1' };
    assert.equal(resolveModel(repoId, { env }).numLayers, 9);
    const model = resolveModel('SOME-ORG/some-model', { env });
    assert.equal(model.numLayers, 9);
    assert.equal(model.id, repoId, 'the cache spells the repository');
  });

  it('without the network, a repository found nowhere is an error that says what to do', () => {
    const env = isolatedEnv({ HF_HUB_OFFLINE: undefined });
    assert.equal(lookupModel('acme/Nothing-7B', { env }), undefined);
    assert.throws(
      () => resolveModel('acme/Nothing-7B', { env }),
      rejectsWith('unknown-model', /local Hugging Face cache .*hf download acme\/Nothing-7B config\.json/),
    );
  });

  it('reports an architecture the import does not support with the import’s own error', () => {
    const cache = scratch();
    writeCachedRepo(cache, repoId, { aaa111: llamaConfig(12, { model_type: 'no_such_architecture' }) });
    assert.throws(
      () => resolveModel(repoId, { env: isolatedEnv({ HF_HUB_CACHE: cache }) }),
      rejectsWith('invalid-config', /model_type/),
    );
  });
});

interface FakeHub {
  endpoint: string;
  requests: IncomingMessage[];
  close(): void;
}

/** A Hugging Face Hub on 127.0.0.1 that answers every request with `answer` (or never, if it does nothing). */
async function startHub(
  answer: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<FakeHub> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('resolving a model: the Hugging Face Hub', () => {
  const hubs: FakeHub[] = [];
  after(() => {
    for (const hub of hubs) hub.close();
  });
  async function hub(answer: (request: IncomingMessage, response: ServerResponse) => void) {
    const started = await startHub(answer);
    hubs.push(started);
    return started;
  }
  const online = (endpoint: string, overrides: Environment = {}) =>
    isolatedEnv({ HF_ENDPOINT: endpoint, HF_HUB_OFFLINE: undefined, ...overrides });

  it('downloads config.json from the main branch, with HF_TOKEN as the bearer', async () => {
    const server = await hub((_request, response) => response.end(llamaConfig(30)));
    const model = await resolveModelAsync('some-org/Hub-Model', {
      env: online(server.endpoint, { HF_TOKEN: 'hf_secret' }),
    });
    assert.equal(model.numLayers, 30);
    assert.equal(model.id, 'some-org/Hub-Model');
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]!.url, '/some-org/Hub-Model/resolve/main/config.json');
    assert.equal(server.requests[0]!.headers.authorization, 'Bearer hf_secret');
  });

  it('takes HUGGING_FACE_HUB_TOKEN too, sends no token when none is set, and follows redirects', async () => {
    const server = await hub((request, response) => {
      if (request.url?.startsWith('/old-org/')) {
        response.writeHead(307, { location: '/new-org/Renamed/resolve/main/config.json' }).end();
      } else response.end(llamaConfig(5));
    });
    await resolveModelAsync('some-org/A', {
      env: online(server.endpoint, { HUGGING_FACE_HUB_TOKEN: 'hf_old' }),
    });
    assert.equal(server.requests[0]!.headers.authorization, 'Bearer hf_old');
    const renamed = await resolveModelAsync('old-org/Renamed', { env: online(server.endpoint) });
    assert.equal(renamed.numLayers, 5);
    assert.equal(server.requests[1]!.headers.authorization, undefined);
    assert.equal(server.requests[2]!.url, '/new-org/Renamed/resolve/main/config.json');
  });

  it('a gated repository (401) asks for HF_TOKEN or a config.json', async () => {
    const server = await hub((_request, response) =>
      response.writeHead(401, { 'x-error-code': 'GatedRepo' }).end('gated'),
    );
    await assert.rejects(
      resolveModelAsync('meta-llama/Gated-Model', { env: online(server.endpoint) }),
      rejectsWith('io', /gated or private .*HF_TOKEN.*--model \.\/config\.json/),
    );
  });

  it('a repository that does not exist (404) says so, with near names', async () => {
    const server = await hub((_request, response) => response.writeHead(404).end('not found'));
    const entry = MODEL_CATALOG.find((m) => m.source.includes('/'))!;
    const misspelt = `${entry.source}x`;
    await assert.rejects(
      resolveModelAsync(misspelt, { env: online(server.endpoint) }),
      rejectsWith('unknown-model', new RegExp(`No Hugging Face repository '${misspelt}'.*Did you mean`)),
    );
  });

  it('a Hub that does not answer in time, or cannot be reached, points to a local config.json', async () => {
    const silent = await hub(() => {});
    await assert.rejects(
      resolveModelAsync('some-org/Slow', { env: online(silent.endpoint), timeoutMs: 200 }),
      rejectsWith('io', /no answer within 0\.2 s.*--model \.\/config\.json.*catalog id/),
    );
    const closed = await startHub(() => {});
    closed.close();
    await assert.rejects(
      resolveModelAsync('some-org/Gone', { env: online(closed.endpoint) }),
      rejectsWith('io', /Cannot reach the Hugging Face Hub at http:\/\/127\.0\.0\.1:\d+ .*ECONNREFUSED/),
    );
  });

  it('reports an architecture the import does not support with the import’s own error', async () => {
    const server = await hub((_request, response) =>
      response.end(llamaConfig(4, { model_type: 'no_such_architecture' })),
    );
    await assert.rejects(
      resolveModelAsync('some-org/Exotic', { env: online(server.endpoint) }),
      rejectsWith('invalid-config', /config\.json: field 'model_type'/),
    );
  });

  it('asks nothing of the Hub with HF_HUB_OFFLINE=1, or for what the catalog or the cache holds', async () => {
    const server = await hub((_request, response) => response.end(llamaConfig(3)));
    await assert.rejects(
      resolveModelAsync('some-org/Offline', { env: online(server.endpoint, { HF_HUB_OFFLINE: '1' }) }),
      rejectsWith('unknown-model', /HF_HUB_OFFLINE is set.*--model \.\/config\.json/),
    );
    const cache = scratch();
    writeCachedRepo(cache, 'some-org/Cached', { aaa111: llamaConfig(11) }, 'aaa111');
    const env = online(server.endpoint, { HF_HUB_CACHE: cache });
    assert.equal((await resolveModelAsync('some-org/Cached', { env })).numLayers, 11);
    await resolveModelAsync(MODEL_CATALOG[0]!.id, { env });
    assert.equal(server.requests.length, 0);
  });
});

describe('resolving a model: unknown names', () => {
  it('an unknown id names the nearest catalog models', async () => {
    await assert.rejects(
      resolveModelAsync('llama-3.1-7b', { env: isolatedEnv({ HF_HUB_OFFLINE: undefined }) }),
      rejectsWith('unknown-model', /Unknown model 'llama-3\.1-7b'\. Did you mean .*'llama-3\.1-8b'/),
    );
  });

  it('an unknown repository offline names the nearest repositories, cached ones included', async () => {
    const cache = scratch();
    writeCachedRepo(cache, 'some-org/Some-Model-7B', { aaa111: llamaConfig(2) });
    await assert.rejects(
      resolveModelAsync('some-org/Some-Model-8B', { env: isolatedEnv({ HF_HUB_CACHE: cache }) }),
      rejectsWith('unknown-model', /Did you mean .*'some-org\/Some-Model-7B'/),
    );
  });
});

it('a model path that is a device or too large is refused before it is read', () => {
  assert.throws(
    () => resolveModel('/dev/zero'),
    (error: Error) => error instanceof ServeTuneError && /not a regular file/.test(error.message),
  );
});

describe('another published checkpoint of a catalog model', () => {
  it("resolves NVIDIA's NVFP4 DeepSeek-R1 repository to deepseek-r1 in that checkpoint's format", () => {
    const own = resolveModel('deepseek-ai/DeepSeek-R1');
    const nvfp4 = resolveModel('nvidia/DeepSeek-R1-0528-FP4-V2');
    assert.equal(nvfp4.id, 'deepseek-r1');
    assert.equal(nvfp4.source, 'nvidia/DeepSeek-R1-0528-FP4-v2');
    assert.equal(nvfp4.checkpointFormat?.dtype, 'nvfp4');
    assert.deepEqual(
      nvfp4.otherCheckpoints?.map((c) => c.dtype),
      ['fp8'],
      "the model's own FP8 checkpoint stays available to a plan in fp8",
    );
    assert.equal(own.checkpointFormat?.dtype, 'fp8');
    assert.equal(nvfp4.numLayers, own.numLayers);
    assert.deepEqual(nvfp4.checkpointFormat, own.otherCheckpoints?.[0]);
  });
});
