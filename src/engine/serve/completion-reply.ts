import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FinishReason } from './engine.js';
import { openAiError } from './openai.js';

export type CompletionKind = 'completion' | 'chat';

/** Writes a JSON body with its length. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * One completion's reply in the OpenAI shapes: streamed as server-sent event chunks (the first chat
 * delta carries the role; a final chunk with the finish reason, usage when asked, then [DONE]), or
 * sent whole when the engine finishes.
 */
export class CompletionReply {
  readonly id: string;
  private readonly created = Math.floor(Date.now() / 1000);
  private generated = 0;
  private text = '';

  constructor(
    private readonly res: ServerResponse,
    private readonly kind: CompletionKind,
    private readonly model: string,
    private readonly promptTokens: number,
    private readonly stream: boolean,
    private readonly includeUsage: boolean,
  ) {
    this.id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID().replace(/-/g, '')}`;
  }

  /** Tokens generated so far. */
  get tokens(): number {
    return this.generated;
  }

  /** A streamed reply sends its headers at once, before the first token. */
  open(): void {
    if (!this.stream) return;
    this.res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
    });
    this.res.flushHeaders();
  }

  /** One generated piece of text: kept for a whole reply, sent as a chunk when streaming. */
  token(piece: string): void {
    this.generated++;
    this.text += piece;
    if (this.stream) this.event(this.chunk(piece, null, this.generated === 1));
  }

  /** The engine failed: an error event ends the stream, or the reply is the error. */
  fail(message: string): void {
    if (this.stream) this.res.end(`data: ${JSON.stringify(openAiError(500, message))}\n\n`);
    else sendJson(this.res, 500, openAiError(500, message));
  }

  /** The engine finished the completion for `reason`. */
  finish(reason: Exclude<FinishReason, 'abort' | 'error'>): void {
    if (this.stream) {
      this.event(this.chunk('', reason, false));
      if (this.includeUsage)
        this.event({ ...this.header(this.chunkObject()), choices: [], usage: this.usage() });
      this.res.end('data: [DONE]\n\n');
    } else if (this.kind === 'chat') {
      sendJson(this.res, 200, {
        ...this.header('chat.completion'),
        choices: [{ index: 0, message: { role: 'assistant', content: this.text }, finish_reason: reason }],
        usage: this.usage(),
      });
    } else {
      sendJson(this.res, 200, {
        ...this.header('text_completion'),
        choices: [{ index: 0, text: this.text, finish_reason: reason, logprobs: null }],
        usage: this.usage(),
      });
    }
  }

  private event(body: unknown): void {
    this.res.write(`data: ${JSON.stringify(body)}\n\n`);
  }

  private chunkObject(): string {
    return this.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
  }

  private header(object: string) {
    return { id: this.id, object, created: this.created, model: this.model };
  }

  private chunk(content: string, finishReason: FinishReason | null, first: boolean) {
    if (this.kind === 'chat') {
      const delta = first ? { role: 'assistant', content } : finishReason ? {} : { content };
      return {
        ...this.header(this.chunkObject()),
        choices: [{ index: 0, delta, finish_reason: finishReason }],
      };
    }
    return {
      ...this.header(this.chunkObject()),
      choices: [{ index: 0, text: content, finish_reason: finishReason, logprobs: null }],
    };
  }

  private usage() {
    return {
      prompt_tokens: this.promptTokens,
      completion_tokens: this.generated,
      total_tokens: this.promptTokens + this.generated,
    };
  }
}
