import { type Command, InvalidArgumentError, Option } from 'commander';
import { checkLocalModelSize } from '../../engine/kernels/local-model-size.js';
import { resolveModelAsync } from '../../engine/model/resolve.js';
import type { ModelSpec } from '../../engine/model/spec.js';
import { PolicyName } from '../../engine/sched/config.js';
import { bindWarning, checkCanListen } from '../../engine/serve/address.js';
import { PRESET_NAMES, presetModel } from '../../engine/serve/local/presets.js';
import { DEFAULT_DRAIN_SECONDS, OpenAiServer } from '../../engine/serve/server.js';
import { ServeTuneError } from '../../engine/util/errors.js';
import { modelOption } from '../file-options.js';
import { integer, positiveInt } from '../options.js';

interface ServeFlags {
  preset?: string;
  config?: string;
  host: string;
  port: number;
  scheduler: PolicyName;
  maxNumSeqs?: number;
  maxNumBatchedTokens?: number;
  maxWaiting: number;
  blockSize: number;
  kvBlocks?: number;
  maxModelLen?: number;
  dtype: 'f32' | 'f16';
  seed: number;
  apiKey?: string;
  drainSeconds: number;
}

const port = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) {
    throw new InvalidArgumentError(`expected a port number (0-65535), got '${value}'.`);
  }
  return n;
};

const seconds = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError(`expected a number of seconds (0 or more), got '${value}'.`);
  }
  return n;
};

const apiKey = (value: string): string => {
  if (value === '') throw new InvalidArgumentError('the API key is empty.');
  if (/[^\x21-\x7e]/.test(value)) {
    throw new InvalidArgumentError(
      'an API key is printable ASCII without spaces (as a Bearer token is sent).',
    );
  }
  return value;
};

/** The served model: a preset, or a Hugging Face config.json served with random weights. */
export async function servedModel(flags: {
  preset?: string;
  config?: string;
  dtype?: 'f32' | 'f16';
}): Promise<ModelSpec> {
  if (flags.preset && flags.config) {
    throw new ServeTuneError('give --preset or --config, not both', 'invalid-argument', '--config');
  }
  const model = flags.config ? await resolveModelAsync(flags.config) : presetModel(flags.preset ?? 'tiny');
  checkLocalModelSize(model, flags.dtype ?? 'f32', flags.config ? '--config' : '--preset');
  return model;
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description(
      'serve a random-weight Llama-shaped model on this machine’s GPU behind an OpenAI-compatible API (the reference engine)',
    )
    .option('--preset <name>', `model size: ${PRESET_NAMES.join(', ')} (default tiny)`)
    .addOption(
      modelOption('--config <config.json>', 'a Hugging Face config.json to serve with random weights'),
    )
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .addOption(new Option('--port <n>', 'port (0: any free port)').argParser(port).default(8000))
    .addOption(
      new Option('--scheduler <name>', 'scheduling policy (the simulator’s)')
        .choices(PolicyName.options)
        .default('vllm-v1'),
    )
    .addOption(new Option('--max-num-seqs <n>', 'sequences per step').argParser(positiveInt))
    .addOption(new Option('--max-num-batched-tokens <n>', 'token budget per step').argParser(positiveInt))
    .addOption(
      new Option('--max-waiting <n>', 'requests allowed to wait; more get 429')
        .argParser(positiveInt)
        .default(256),
    )
    .addOption(new Option('--block-size <n>', 'KV cache block size').argParser(positiveInt).default(16))
    .addOption(new Option('--kv-blocks <n>', 'KV cache blocks').argParser(positiveInt))
    .addOption(new Option('--max-model-len <n>', 'longest prompt + output accepted').argParser(positiveInt))
    .addOption(
      new Option('--dtype <dtype>', 'weights, activations and KV').choices(['f32', 'f16']).default('f32'),
    )
    .addOption(new Option('--seed <n>', 'seed of the random weights').argParser(integer).default(0))
    .addOption(
      new Option(
        '--api-key <key>',
        '/v1/ requests need the header Authorization: Bearer <key> (else 401); /health and /metrics stay open',
      )
        .env('SERVETUNE_API_KEY')
        .argParser(apiKey),
    )
    .addOption(
      new Option(
        '--drain-seconds <s>',
        'on SIGTERM or SIGINT, let requests in flight finish for this long, then close their connections',
      )
        .argParser(seconds)
        .default(DEFAULT_DRAIN_SECONDS),
    )
    .action(async (flags: ServeFlags) => {
      const model = await servedModel(flags);
      const log = (line: string) => process.stderr.write(`servetune serve: ${line}\n`);
      const warning = bindWarning(flags.host, flags.apiKey !== undefined);
      if (warning) log(warning);
      // A port in use fails here, at once, not after the engine's warm-up.
      await checkCanListen(flags.host, flags.port);
      const served = await startServing(flags, model, log);
      const c = served.engine.config;
      console.log(
        `servetune serve: listening on ${served.url} (model ${model.id}, ${c.policy}, max-num-seqs ${c.maxNumSeqs}, max-num-batched-tokens ${c.maxNumBatchedTokens}, ${served.engine.kv.totalBlocks} KV blocks of ${c.blockSize}, max-model-len ${served.engine.maxModelLen}${flags.apiKey ? ', API key required' : ''})`,
      );
      await new Promise<void>((resolve) => {
        const onSignal = (signal: string) => {
          log(
            `${signal}: draining ${served.engine.stats().running + served.engine.stats().waiting} requests (for up to ${flags.drainSeconds} s; a second ${signal} exits at once)`,
          );
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          served.stop().then(resolve, (error: unknown) => {
            log(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
            process.exitCode = 1;
            resolve();
          });
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
      });
      log('stopped');
    });
}

/**
 * The local engine behind the OpenAI-compatible server with this command's access and drain settings,
 * listening; stopping drains, closes the port and frees the GPU. A failure to listen frees what was
 * started.
 */
async function startServing(flags: ServeFlags, model: ModelSpec, log: (line: string) => void) {
  const { acquireGpu } = await import('../../engine/gpu/device.js');
  const { LocalEngine } = await import('../../engine/serve/local/engine.js');
  const gpu = await acquireGpu();
  const engine = await LocalEngine.create(gpu, model, {
    policy: flags.scheduler,
    maxNumSeqs: flags.maxNumSeqs,
    maxNumBatchedTokens: flags.maxNumBatchedTokens,
    blockSize: flags.blockSize,
    kvBlocks: flags.kvBlocks,
    maxModelLen: flags.maxModelLen,
    dtype: flags.dtype,
    seed: flags.seed,
    log,
  });
  const server = new OpenAiServer({
    engine,
    host: flags.host,
    port: flags.port,
    maxWaiting: flags.maxWaiting,
    log,
    apiKey: flags.apiKey,
    drainSeconds: flags.drainSeconds,
  });
  const stop = async () => {
    await server.shutdown();
    await engine.close();
    gpu.destroy();
  };
  try {
    const { url } = await server.start();
    return { url, engine, stop };
  } catch (error) {
    await engine.close();
    gpu.destroy();
    throw error;
  }
}
