import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { MeasuredRequest } from './requests-file.js';

export interface StreamTarget {
  /** Base URL, e.g. http://127.0.0.1:8000 */
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

/**
 * Sends one streaming request and timestamps every chunk, with vLLM's benchmark definitions in mind:
 * TTFT is first content chunk minus send time; every later gap is an inter-token latency. Token-id
 * prompts and `ignore_eos` make lengths exact where the server accepts them.
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
  const url = new URL(target.endpoint === 'chat' ? '/v1/chat/completions' : '/v1/completions', target.url);
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
    const usage: ReportedUsage = {};
    const settle: Settle = (status, error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      record.finishedAt = now();
      record.status = status;
      if (error) record.error = error;
      record.outputTokens = usage.completionTokens ?? record.tokenTimes.length;
      resolve(record);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'POST',
        agent: url.protocol === 'https:' ? undefined : keepAlive,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...target.headers },
      },
      (res) => {
        res.setEncoding('utf8');
        if (res.statusCode !== 200) {
          settleWithErrorBody(res, settle);
          return;
        }
        onServerSentEvents(res, now, (event, at) => {
          const error = readStreamEvent(event, at, record, usage);
          if (error === undefined) return true;
          settle('http-error', error);
          return false;
        });
        res.on('end', () => settle('ok'));
        res.on('error', (error) => settle('network-error', error.message));
      },
    );
    const timer = setTimeout(() => {
      settle('timeout', `no answer within ${timeoutSeconds} s`);
      req.destroy();
    }, timeoutSeconds * 1000);
    const onAbort = () => {
      settle('cancelled', 'the run ended before this request finished');
      req.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => settle('network-error', error.message));
    req.end(JSON.stringify(body));
  });
}

type Settle = (status: MeasuredRequest['status'], error?: string) => void;

/** The completion tokens the server reported in a usage event, when it sends one. */
interface ReportedUsage {
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

/** A refused request: settles with the status and the start of the body once it has arrived. */
function settleWithErrorBody(res: IncomingMessage, settle: Settle): void {
  let text = '';
  res.on('data', (c: string) => {
    text += c;
  });
  res.on('end', () => settle('http-error', `HTTP ${res.statusCode}: ${text.slice(0, 500)}`));
}

/**
 * Splits the event stream at blank lines as chunks arrive and hands each event to `onEvent` with its
 * chunk's arrival time. When `onEvent` returns false the rest of that chunk is left unread for now
 * (its events are read with the next chunk).
 */
function onServerSentEvents(
  res: IncomingMessage,
  now: () => number,
  onEvent: (event: string, at: number) => boolean,
): void {
  let buffer = '';
  res.on('data', (chunk: string) => {
    const at = now();
    buffer += chunk;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      if (!onEvent(event, at)) return;
    }
  });
}

interface StreamChunk {
  id?: unknown;
  choices?: { text?: string; delta?: { content?: string | null } }[];
  usage?: { completion_tokens?: number } | null;
  error?: { message?: string };
}

/**
 * Reads one event's `data:` lines into the record: the first response id, a token time for each chunk
 * that carries content, the usage's completion tokens. Returns why the request failed when a line is
 * an error event or cannot be read (the lines after it are not read), else undefined.
 */
function readStreamEvent(
  event: string,
  at: number,
  record: MeasuredRequest,
  usage: ReportedUsage,
): string | undefined {
  for (const line of event.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '[DONE]') continue;
    try {
      const json = JSON.parse(data) as StreamChunk;
      if (json.error) return json.error.message ?? 'error event in stream';
      if (record.responseId === undefined && typeof json.id === 'string') record.responseId = json.id;
      const choice = json.choices?.[0];
      const content = choice?.text ?? choice?.delta?.content ?? '';
      if (content !== '' && content !== null) record.tokenTimes.push(at);
      if (json.usage?.completion_tokens !== undefined) usage.completionTokens = json.usage.completion_tokens;
    } catch {
      return `malformed stream event: ${data.slice(0, 200)}`;
    }
  }
  return undefined;
}
