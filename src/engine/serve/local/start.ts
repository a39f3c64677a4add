import { acquireGpu, type GpuContext } from '../../gpu/device.js';
import type { ModelSpec } from '../../model/spec.js';
import { OpenAiServer } from '../server.js';
import { LocalEngine, type LocalEngineOptions } from './engine.js';

interface LocalServerOptions extends LocalEngineOptions {
  model: ModelSpec;
  host?: string;
  port?: number;
  maxWaiting: number;
  /** An already acquired device (tests, validation); otherwise one is acquired and released on stop. */
  gpu?: GpuContext;
}

export interface LocalServer {
  url: string;
  engine: LocalEngine;
  server: OpenAiServer;
  /** Stops taking requests, finishes those in flight, closes the port and frees the GPU. */
  stop(): Promise<void>;
}

/** The local reference engine behind the OpenAI-compatible server, listening and warmed up. */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const gpu = options.gpu ?? (await acquireGpu());
  const engine = await LocalEngine.create(gpu, options.model, options);
  const server = new OpenAiServer({
    engine,
    host: options.host,
    port: options.port,
    maxWaiting: options.maxWaiting,
    log: options.log,
  });
  const { url } = await server.start();
  let stopping: Promise<void> | undefined;
  return {
    url,
    engine,
    server,
    stop() {
      stopping ??= (async () => {
        await server.shutdown();
        await engine.close();
        if (!options.gpu) gpu.destroy();
      })();
      return stopping;
    },
  };
}
