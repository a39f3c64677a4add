import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import type { FinishReason, GenerationEngine, GenerationHandle } from './engine.js';
import { ServerMetrics } from './metrics.js';
import {
  ChatCompletionRequest,
  CompletionRequest,
  chatPromptText,
  describeRequestIssue,
  openAiError,
} from './openai.js';
import { decodeToken, encodeText } from './tokenizer.js';

interface ServerOptions {
  engine: GenerationEngine;
  host?: string;
  port?: number;
  /** Requests allowed to wait for a batch slot; beyond it new requests get 429. */
  maxWaiting: number;
  log?: (line: string) => void;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

/**
 * An OpenAI-compatible HTTP front end (completions and chat completions, streamed or not, /v1/models,
 * /health, /metrics) over any GenerationEngine. A client that disconnects cancels its request at once;
 * shutdown stops accepting, lets in-flight requests finish, then closes.
 */
export class OpenAiServer {
  private readonly server: Server;
  private readonly metrics: ServerMetrics;
  private draining = false;
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(private readonly options: ServerOptions) {
    this.metrics = new ServerMetrics(options.engine.modelId);
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        const message = error instanceof Error ? error.message : String(error);
        if (status === 500) this.options.log?.(`internal error: ${message}`);
        if (!res.headersSent)
          this.sendJson(
            res,
            status,
            openAiError(status, message, error instanceof HttpError ? error.param : null),
          );
        else res.end();
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  async start(): Promise<{ host: string; port: number; url: string }> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, host, () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    return { host, port, url: `http://${host}:${port}` };
  }

  /** Stop taking requests, finish those in flight, close. */
  async shutdown(): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await this.options.engine.drain();
    this.server.closeIdleConnections();
    await closed;
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
      '/v1/models': { method: 'GET', handle: () => this.sendJson(res, 200, this.modelList()) },
      '/v1/completions': { method: 'POST', handle: () => this.generate(req, res, 'completion') },
      '/v1/chat/completions': { method: 'POST', handle: () => this.generate(req, res, 'chat') },
    };
    const route = routes[path];
    if (!route) throw new HttpError(404, `Not found: ${method} ${path}`);
    if (route.method !== method)
      throw new HttpError(405, `Method ${method} not allowed on ${path}; use ${route.method}`);
    await route.handle();
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

  private async readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new HttpError(400, `request body exceeds ${MAX_BODY_BYTES} bytes`);
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
    }
  }

  private parse<T>(schema: z.ZodType<T>, body: unknown): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const { message, param } = describeRequestIssue(parsed.error);
      throw new HttpError(400, message, param);
    }
    return parsed.data;
  }

  private async generate(
    req: IncomingMessage,
    res: ServerResponse,
    kind: 'completion' | 'chat',
  ): Promise<void> {
    const { engine } = this.options;
    if (this.draining) throw new HttpError(503, 'the server is shutting down');
    const body = await this.readJson(req);
    const request =
      kind === 'completion' ? this.parse(CompletionRequest, body) : this.parse(ChatCompletionRequest, body);
    if (request.model !== engine.modelId) {
      throw new HttpError(404, `The model \`${request.model}\` does not exist.`, 'model');
    }
    let promptTokens: number[];
    if ('prompt' in request) {
      promptTokens =
        typeof request.prompt === 'string' ? encodeText(request.prompt, engine.vocabSize) : request.prompt;
    } else {
      promptTokens = encodeText(chatPromptText(request.messages), engine.vocabSize);
    }
    if (promptTokens.length === 0) throw new HttpError(400, 'the prompt is empty', 'prompt');
    const outOfVocabulary = promptTokens.find((id) => id >= engine.vocabSize);
    if (outOfVocabulary !== undefined) {
      throw new HttpError(
        400,
        `token id ${outOfVocabulary} is out of vocabulary (size ${engine.vocabSize})`,
        'prompt',
      );
    }
    const room = engine.maxModelLen - promptTokens.length;
    const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? room;
    if (room <= 0 || maxTokens > room) {
      throw new HttpError(
        400,
        `This model's maximum context length is ${engine.maxModelLen} tokens. However, you requested ${promptTokens.length + maxTokens} tokens (${promptTokens.length} in the prompt, ${maxTokens} in the completion).`,
        'max_tokens',
      );
    }
    if (engine.stats().waiting >= this.options.maxWaiting) {
      throw new HttpError(
        429,
        `the server's queue is full (${this.options.maxWaiting} requests waiting); retry later`,
      );
    }

    const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID().replace(/-/g, '')}`;
    const created = Math.floor(Date.now() / 1000);
    const stream = request.stream === true;
    const includeUsage = request.stream_options?.include_usage === true;
    const started = performance.now();
    let last = started;
    let generated = 0;
    let text = '';
    let finished = false;
    this.metrics.requestStarted(promptTokens.length);

    const chunk = (content: string, finishReason: FinishReason | null, first: boolean) =>
      kind === 'chat'
        ? {
            id,
            object: 'chat.completion.chunk',
            created,
            model: engine.modelId,
            choices: [
              {
                index: 0,
                delta: first ? { role: 'assistant', content } : finishReason ? {} : { content },
                finish_reason: finishReason,
              },
            ],
          }
        : {
            id,
            object: 'text_completion',
            created,
            model: engine.modelId,
            choices: [{ index: 0, text: content, finish_reason: finishReason, logprobs: null }],
          };
    const usage = () => ({
      prompt_tokens: promptTokens.length,
      completion_tokens: generated,
      total_tokens: promptTokens.length + generated,
    });

    if (stream) {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.flushHeaders();
    }

    await new Promise<void>((resolve) => {
      let handle: GenerationHandle | undefined;
      res.on('close', () => {
        if (!finished) handle?.cancel();
        resolve();
      });
      handle = engine.submit(
        { id, promptTokens, maxTokens, ignoreEos: request.ignore_eos === true },
        {
          token: (tokenId) => {
            const now = performance.now();
            this.metrics.tokenEmitted((now - last) / 1000, generated === 0);
            last = now;
            generated++;
            const piece = decodeToken(tokenId);
            text += piece;
            if (stream) res.write(`data: ${JSON.stringify(chunk(piece, null, generated === 1))}\n\n`);
          },
          finish: (reason, error) => {
            if (finished) return;
            finished = true;
            this.metrics.requestFinished(reason, (performance.now() - started) / 1000);
            if (reason === 'abort') {
              res.end();
              resolve();
              return;
            }
            if (reason === 'error') {
              const message = `generation failed: ${error ?? 'unknown error'}`;
              if (stream) res.end(`data: ${JSON.stringify(openAiError(500, message))}\n\n`);
              else this.sendJson(res, 500, openAiError(500, message));
              resolve();
              return;
            }
            if (stream) {
              res.write(`data: ${JSON.stringify(chunk('', reason, false))}\n\n`);
              if (includeUsage) {
                res.write(
                  `data: ${JSON.stringify({ id, object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', created, model: engine.modelId, choices: [], usage: usage() })}\n\n`,
                );
              }
              res.end('data: [DONE]\n\n');
            } else if (kind === 'chat') {
              this.sendJson(res, 200, {
                id,
                object: 'chat.completion',
                created,
                model: engine.modelId,
                choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: reason }],
                usage: usage(),
              });
            } else {
              this.sendJson(res, 200, {
                id,
                object: 'text_completion',
                created,
                model: engine.modelId,
                choices: [{ index: 0, text, finish_reason: reason, logprobs: null }],
                usage: usage(),
              });
            }
            resolve();
          },
        },
      );
    });
  }

  private sendJson(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
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
