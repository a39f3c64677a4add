import { Agent, type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { MAX_TOKENS_PER_REQUEST } from '../workload/limits.js';
import { apiUrl } from './endpoint.js';
import type { MeasuredRequest } from './requests-file.js';

export interface StreamTarget {
  /** Base URL, e.g. http://127.0.0.1:8000 or http://host/proxy/v1 (see `apiUrl`). */
  url: string;
  model: string;
  endpoint: 'completions' | 'chat';
  /** Extra headers, e.g. an API key. */
  headers?: Record<string, string>;
}

interface StreamRequestSpec {
  index: number;
  promptTokenIds: number[];
  /** Used when the endpoint only takes text (chat): one word per token. */
  promptText: string;
  maxTokens: number;
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 4096 });

/** The longest one event may be: a chunk of a real stream is well under a kilobyte. */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

/** Why a stream that closed without its end marker failed. */
export const INCOMPLETE_STREAM = 'stream ended before [DONE]/finish_reason';

/**
 * Sends one streaming request and timestamps every chunk, with vLLM's benchmark definitions in mind:
 * TTFT is first content chunk minus send time; every later gap is an inter-token latency. Token-id
 * prompts and `ignore_eos` make lengths exact where the server accepts them. A stream counts as
 * complete only once it said so (`data: [DONE]`, or a chunk with a `finish_reason`): one the server
 * closed before is `incomplete`, however many tokens it carried.
 */
export function streamOnce(
  target: StreamTarget,
  spec: StreamRequestSpec,
  clock: { start: number },
  scheduledAt: number,
  timeoutSeconds: number,
  signal: AbortSignal,
): Promise<MeasuredRequest> {
  const now = () => (performance.now() - clock.start) / 1000;
  const url = apiUrl(target.url, target.endpoint === 'chat' ? 'chat/completions' : 'completions');
  const body = requestBody(target, spec);
  const record: MeasuredRequest = {
    index: spec.index,
    scheduledAt,
    sentAt: now(),
    promptTokens: spec.promptTokenIds.length,
    requestedOutputTokens: spec.maxTokens,
    tokenTimes: [],
    outputTokens: 0,
    finishedAt: 0,
    status: 'ok',
  };
  return new Promise((resolve) => {
    let settled = false;
    const stream: StreamState = { ended: false };
    const settle: Settle = (status, error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      record.finishedAt = now();
      record.status = status;
      if (error) record.error = error;
      record.outputTokens = stream.completionTokens ?? record.tokenTimes.length;
      resolve(record);
    };
    let answered = false;
    const onResponse = (res: IncomingMessage) => {
      answered = true;
      readResponse(res, now, record, stream, settle);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const payload = JSON.stringify(body);
    let req: ClientRequest;
    const post = (mayRetry: boolean) => {
      req = send(
        url,
        {
          method: 'POST',
          agent: url.protocol === 'https:' ? undefined : keepAlive,
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...target.headers },
        },
        onResponse,
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed as it was reused (its idle timeout, uvicorn's 5 s
        // among them): the request is sent once more on a new connection, as Node's documentation
        // advises, if no answer had begun.
        if (mayRetry && !settled && !answered && req.reusedSocket && error.code === 'ECONNRESET') post(false);
        else settle('network-error', error.message);
      });
      req.end(payload);
    };
    const timer = setTimeout(() => {
      settle('timeout', `no answer within ${timeoutSeconds} s`);
      req.destroy();
    }, timeoutSeconds * 1000);
    const onAbort = () => {
      settle('cancelled', 'the run ended before this request finished');
      req.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    post(true);
  });
}

type Settle = (status: MeasuredRequest['status'], error?: string) => void;

/** Reads an answer into the record: a refusal's message, or the stream's events until it ends. */
function readResponse(
  res: IncomingMessage,
  now: () => number,
  record: MeasuredRequest,
  stream: StreamState,
  settle: Settle,
): void {
  res.setEncoding('utf8');
  if (res.statusCode !== 200) {
    settleWithErrorBody(res, settle);
    return;
  }
  onServerSentEvents(
    res,
    now,
    (event, at) => {
      const error = readStreamEvent(event, at, record, stream);
      if (error === undefined) return true;
      settle('http-error', error);
      return false;
    },
    () => (stream.ended ? settle('ok') : settle('incomplete', INCOMPLETE_STREAM)),
    () => {
      settle('http-error', `a stream event grew past ${MAX_EVENT_CHARS} characters without its end`);
      res.destroy();
    },
  );
  res.on('error', (error) => settle('network-error', error.message));
  // A body cut off without an error event still ends the request (settling twice is a no-op).
  res.on('close', () => settle('incomplete', INCOMPLETE_STREAM));
}

/** What the events so far said: whether the stream marked its end, the completion tokens it reported. */
interface StreamState {
  ended: boolean;
  completionTokens?: number;
}

/** A streamed request with exact lengths: token ids for completions, the prompt's text for chat. */
function requestBody(target: StreamTarget, spec: StreamRequestSpec) {
  return target.endpoint === 'chat'
    ? {
        model: target.model,
        messages: [{ role: 'user', content: spec.promptText }],
        max_tokens: spec.maxTokens,
        ignore_eos: true,
        stream: true,
        stream_options: { include_usage: true },
      }
    : {
        model: target.model,
        prompt: spec.promptTokenIds,
        max_tokens: spec.maxTokens,
        ignore_eos: true,
        stream: true,
        stream_options: { include_usage: true },
        temperature: 0,
      };
}

/** A refused request: settles with the status and the server's message once the body has arrived. */
function settleWithErrorBody(res: IncomingMessage, settle: Settle): void {
  let text = '';
  res.on('data', (c: string) => {
    // Only the start is reported: a large error page is not kept whole.
    if (text.length < 64 * 1024) text += c;
  });
  res.on('end', () => settle('http-error', `HTTP ${res.statusCode}: ${errorMessageOf(text)}`));
  res.on('error', (error) => settle('network-error', error.message));
}

/**
 * The message of an error body: OpenAI's `{"error": {"message"}}`, vLLM's and FastAPI's
 * `{"error": "…"}`, `{"message"}` and `{"detail"}`, else the text itself; one line, at most 500 characters.
 */
export function errorMessageOf(body: string): string {
  let message = body;
  try {
    const json: unknown = JSON.parse(body);
    if (json !== null && typeof json === 'object') {
      const { error, message: top, detail } = json as Record<string, unknown>;
      const nested =
        error !== null && typeof error === 'object' ? (error as Record<string, unknown>).message : error;
      const found = [nested, top, detail].find((m) => typeof m === 'string' && m !== '');
      if (typeof found === 'string') message = found;
    }
  } catch {
    // Not JSON: the text as sent.
  }
  const line = message.replace(/\s+/g, ' ').trim();
  return line === '' ? '(empty body)' : line.length > 500 ? `${line.slice(0, 500)}…` : line;
}

/**
 * Splits the event stream at blank lines as chunks arrive and hands each event to `onEvent` with its
 * chunk's arrival time (CRLF line ends read as LF). When `onEvent` returns false the rest of that chunk
 * is left unread for now (its events are read with the next chunk). At the body's end, an event left
 * without its blank line is read too, then `onEnd` runs.
 */
function onServerSentEvents(
  res: IncomingMessage,
  now: () => number,
  onEvent: (event: string, at: number) => boolean,
  onEnd: () => void,
  onOversize: () => void,
): void {
  let buffer = '';
  let at = 0;
  const readEvents = (): boolean => {
    buffer = buffer.replace(/\r\n/g, '\n');
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      if (!onEvent(event, at)) return false;
    }
    return true;
  };
  res.on('data', (chunk: string) => {
    at = now();
    buffer += chunk;
    readEvents();
    // A server that never ends an event must not grow this buffer without bound.
    if (buffer.length > MAX_EVENT_CHARS) {
      buffer = '';
      onOversize();
    }
  });
  res.on('end', () => {
    if (!readEvents()) return;
    if (buffer.trim() !== '' && !onEvent(buffer, at)) return;
    onEnd();
  });
}

interface StreamChunk {
  id?: unknown;
  choices?: { text?: string; delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { completion_tokens?: number } | null;
  error?: { message?: string };
}

/**
 * Reads one event's `data:` lines into the record: the first response id, a token time for each chunk
 * that carries content, the usage's completion tokens, and whether the stream marked its end. Returns
 * why the request failed when a line is an error event or cannot be read (the lines after it are not
 * read), else undefined.
 */
function readStreamEvent(
  event: string,
  at: number,
  record: MeasuredRequest,
  stream: StreamState,
): string | undefined {
  for (const line of event.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '[DONE]') {
      stream.ended = true;
      continue;
    }
    let json: StreamChunk;
    try {
      json = JSON.parse(data) as StreamChunk;
    } catch {
      return `malformed stream event: ${data.slice(0, 200)}`;
    }
    if (json === null || typeof json !== 'object') return `malformed stream event: ${data.slice(0, 200)}`;
    // The server's message however it nests it (errorMessageOf): a message that is not text is shown as
    // the event's JSON, not as "[object Object]" or a non-string in the record.
    if (json.error) return errorMessageOf(data);
    if (record.responseId === undefined && typeof json.id === 'string') record.responseId = json.id;
    const choice = Array.isArray(json.choices) ? json.choices[0] : undefined;
    const content = choice?.text ?? choice?.delta?.content ?? '';
    if (content !== '' && content !== null) record.tokenTimes.push(at);
    if (typeof choice?.finish_reason === 'string') stream.ended = true;
    const completionTokens = json.usage?.completion_tokens;
    // A count no request could have (negative, fractional, past the limit of a trace's) is ignored:
    // the content chunks are counted instead.
    if (
      typeof completionTokens === 'number' &&
      Number.isSafeInteger(completionTokens) &&
      completionTokens >= 0 &&
      completionTokens <= MAX_TOKENS_PER_REQUEST
    ) {
      stream.completionTokens = completionTokens;
    }
  }
  return undefined;
}
