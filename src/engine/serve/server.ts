import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import { bearerKeyMatches } from './access.js';
import { listenError } from './address.js';
import { type CompletionKind, CompletionReply, sendJson } from './completion-reply.js';
import type { GenerationEngine, GenerationHandle, GenerationRequest } from './engine.js';
import { HttpError } from './http-error.js';
import { ServerMetrics } from './metrics.js';
import {
  ChatCompletionRequest,
  CompletionRequest,
  chatPromptText,
  describeRequestIssue,
  openAiError,
} from './openai.js';
import { readJsonObject } from './request-body.js';
import { decodeToken, encodeText } from './tokenizer.js';

interface ServerOptions {
  engine: GenerationEngine;
  host?: string;
  port?: number;
  /** Requests allowed to wait for a batch slot; beyond it new requests get 429. */
  maxWaiting: number;
  log?: (line: string) => void;
  /**
   * When set, every /v1/ request needs `Authorization: Bearer <apiKey>` (else 401), as vLLM's
   * --api-key; /health and /metrics stay open.
   */
  apiKey?: string;
  /**
   * Seconds a shutdown waits for requests in flight (default DEFAULT_DRAIN_SECONDS); then it closes
   * every connection left, which cancels what still runs.
   */
  drainSeconds?: number;
  /** The largest request body read (default MAX_BODY_BYTES); larger ones get 413. */
  maxBodyBytes?: number;
}

/** How long a shutdown waits for requests in flight before it closes their connections. */
export const DEFAULT_DRAIN_SECONDS = 10;

/** A request that passed every check, with its prompt as token ids and its completion budget. */
interface AdmittedRequest {
  request: CompletionRequest | ChatCompletionRequest;
  promptTokens: number[];
  maxTokens: number;
}

/** The prompt as token ids (text, or a chat's messages, encoded); empty or out-of-vocabulary ids are refused. */
function promptTokensOf(request: CompletionRequest | ChatCompletionRequest, vocabSize: number): number[] {
  let promptTokens: number[];
  if ('prompt' in request) {
    promptTokens =
      typeof request.prompt === 'string' ? encodeText(request.prompt, vocabSize) : request.prompt;
  } else {
    promptTokens = encodeText(chatPromptText(request.messages), vocabSize);
  }
  if (promptTokens.length === 0) throw new HttpError(400, 'the prompt is empty', 'prompt');
  const outOfVocabulary = promptTokens.find((id) => id >= vocabSize);
  if (outOfVocabulary !== undefined) {
    throw new HttpError(
      400,
      `token id ${outOfVocabulary} is out of vocabulary (size ${vocabSize})`,
      'prompt',
    );
  }
  return promptTokens;
}

/** The tokens to generate: as asked, or all the room the context leaves; refused when they do not fit. */
function completionBudget(
  request: CompletionRequest | ChatCompletionRequest,
  promptLength: number,
  maxModelLen: number,
): number {
  const room = maxModelLen - promptLength;
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? room;
  if (room <= 0 || maxTokens > room) {
    throw new HttpError(
      400,
      `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${promptLength + maxTokens} tokens (${promptLength} in the prompt, ${maxTokens} in the completion).`,
      'max_tokens',
    );
  }
  return maxTokens;
}

/**
 * An OpenAI-compatible HTTP front end (completions and chat completions, streamed or not, /v1/models,
 * /health, /metrics) over any GenerationEngine. A client that disconnects cancels its request at once;
 * shutdown stops accepting, lets in-flight requests finish up to a deadline, then closes.
 */
export class OpenAiServer {
  private readonly server: Server;
  private readonly metrics: ServerMetrics;
  private draining = false;
  private stopped: Promise<void> | undefined;
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(private readonly options: ServerOptions) {
    this.metrics = new ServerMetrics(options.engine.modelId);
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => this.sendError(res, error));
    });
    this.server.keepAliveTimeout = 5000;
  }

  async start(): Promise<{ host: string; port: number; url: string }> {
    const host = this.options.host ?? '127.0.0.1';
    const port = this.options.port ?? 0;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (error) => reject(listenError(error, host, port)));
      this.server.listen(port, host, () => resolve());
    });
    const bound = (this.server.address() as AddressInfo).port;
    return { host, port: bound, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
  }

  /**
   * Stop taking requests, let those in flight finish for up to `drainSeconds`, then close every
   * connection left (a client stalled mid-body, a generation still running: closing its connection
   * cancels it) and close. Calling it again returns the same shutdown.
   */
  shutdown(): Promise<void> {
    this.stopped ??= this.drainThenClose();
    return this.stopped;
  }

  private async drainThenClose(): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const finished = (async () => {
      await this.options.engine.drain();
      this.server.closeIdleConnections();
      await closed;
    })();
    const seconds = this.options.drainSeconds ?? DEFAULT_DRAIN_SECONDS;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), seconds * 1000);
    });
    const outcome = await Promise.race([finished, deadline]);
    clearTimeout(timer);
    if (outcome !== 'deadline') return;
    const { running, waiting } = this.options.engine.stats();
    this.options.log?.(
      `drain deadline (${seconds} s) passed: closing the connections left, cancelling ${running + waiting} requests`,
    );
    this.server.closeAllConnections();
    await finished;
  }

  /** The error as an OpenAI-style body; a request whose body was left unread also closes its connection. */
  private sendError(res: ServerResponse, error: unknown): void {
    const status = error instanceof HttpError ? error.status : 500;
    const message = error instanceof Error ? error.message : String(error);
    if (status === 500) this.options.log?.(`internal error: ${message}`);
    if (res.headersSent) {
      res.end();
      return;
    }
    if (status === 413) res.setHeader('connection', 'close');
    if (status === 401) res.setHeader('www-authenticate', 'Bearer');
    sendJson(res, status, openAiError(status, message, error instanceof HttpError ? error.param : null));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    const routes: Record<string, { method: string; handle: () => Promise<void> | void }> = {
      '/health': { method: 'GET', handle: () => this.sendText(res, this.draining ? 503 : 200, '') },
      '/metrics': {
        method: 'GET',
        handle: () =>
          this.sendText(
            res,
            200,
            this.metrics.render(this.options.engine.stats()),
            'text/plain; version=0.0.4; charset=utf-8',
          ),
      },
      '/v1/models': { method: 'GET', handle: () => sendJson(res, 200, this.modelList()) },
      '/v1/completions': { method: 'POST', handle: () => this.generate(req, res, 'completion') },
      '/v1/chat/completions': { method: 'POST', handle: () => this.generate(req, res, 'chat') },
    };
    const route = routes[path];
    if (!route) throw new HttpError(404, `Not found: ${method} ${path}`);
    this.authorize(req, path);
    if (route.method !== method)
      throw new HttpError(405, `Method ${method} not allowed on ${path}; use ${route.method}`);
    await route.handle();
  }

  /** With an API key set, a /v1/ request without `Authorization: Bearer <key>` is refused with 401. */
  private authorize(req: IncomingMessage, path: string): void {
    const { apiKey } = this.options;
    if (apiKey === undefined || !path.startsWith('/v1/')) return;
    if (bearerKeyMatches(req.headers.authorization, apiKey)) return;
    throw new HttpError(
      401,
      req.headers.authorization === undefined
        ? 'no API key given: send the header Authorization: Bearer <key>'
        : 'incorrect API key given in the Authorization header',
    );
  }

  private modelList() {
    const { engine } = this.options;
    return {
      object: 'list',
      data: [
        {
          id: engine.modelId,
          object: 'model',
          created: this.created,
          owned_by: 'servetune',
          max_model_len: engine.maxModelLen,
        },
      ],
    };
  }

  private parse<T>(schema: z.ZodType<T>, body: unknown): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const { message, param } = describeRequestIssue(parsed.error);
      throw new HttpError(400, message, param);
    }
    return parsed.data;
  }

  /** Admits a completion request, runs it on the engine and replies, streamed or whole. */
  private async generate(req: IncomingMessage, res: ServerResponse, kind: CompletionKind): Promise<void> {
    const { request, promptTokens, maxTokens } = await this.admit(req, kind);
    const reply = new CompletionReply(
      res,
      kind,
      this.options.engine.modelId,
      promptTokens.length,
      request.stream === true,
      request.stream_options?.include_usage === true,
    );
    const started = performance.now();
    this.metrics.requestStarted(promptTokens.length);
    reply.open();
    await this.runGeneration(
      res,
      reply,
      { id: reply.id, promptTokens, maxTokens, ignoreEos: request.ignore_eos === true },
      started,
    );
  }

  /**
   * The checks a request passes before it reaches the engine, in order: the server is not shutting
   * down, the body is a valid request for the served model, the prompt is non-empty and in the
   * vocabulary, prompt and completion fit the context, and the queue has room.
   */
  private async admit(req: IncomingMessage, kind: CompletionKind): Promise<AdmittedRequest> {
    const { engine } = this.options;
    if (this.draining) throw new HttpError(503, 'the server is shutting down');
    const body = await readJsonObject(req, this.options.maxBodyBytes);
    const request =
      kind === 'completion' ? this.parse(CompletionRequest, body) : this.parse(ChatCompletionRequest, body);
    if (request.model !== engine.modelId) {
      throw new HttpError(404, `The model \`${request.model}\` does not exist.`, 'model');
    }
    const promptTokens = promptTokensOf(request, engine.vocabSize);
    const maxTokens = completionBudget(request, promptTokens.length, engine.maxModelLen);
    if (engine.stats().waiting >= this.options.maxWaiting) {
      throw new HttpError(
        429,
        `the server's queue is full (${this.options.maxWaiting} requests waiting); retry later`,
      );
    }
    return { request, promptTokens, maxTokens };
  }

  /**
   * Submits the request and feeds the reply until the engine finishes it; a client that disconnects
   * first cancels it. Resolves once the reply is complete or the connection closed.
   */
  private runGeneration(
    res: ServerResponse,
    reply: CompletionReply,
    request: GenerationRequest,
    started: number,
  ): Promise<void> {
    let last = started;
    let finished = false;
    return new Promise<void>((resolve) => {
      let handle: GenerationHandle | undefined;
      res.on('close', () => {
        if (!finished) handle?.cancel();
        resolve();
      });
      handle = this.options.engine.submit(request, {
        token: (tokenId) => {
          const now = performance.now();
          this.metrics.tokenEmitted((now - last) / 1000, reply.tokens === 0);
          last = now;
          reply.token(decodeToken(tokenId));
        },
        finish: (reason, error) => {
          if (finished) return;
          finished = true;
          this.metrics.requestFinished(reason, (performance.now() - started) / 1000);
          if (reason === 'abort') res.end();
          else if (reason === 'error') reply.fail(`generation failed: ${error ?? 'unknown error'}`);
          else reply.finish(reason);
          resolve();
        },
      });
    });
  }

  private sendText(
    res: ServerResponse,
    status: number,
    text: string,
    type = 'text/plain; charset=utf-8',
  ): void {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}
