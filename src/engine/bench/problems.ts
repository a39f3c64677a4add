import type { MeasuredRequest } from './requests-file.js';

/** Distinct messages shown for each kind of failure; the rest are counted. */
const MESSAGES_SHOWN = 3;

/** A request the summary counts as completed: its stream ended as it should, with at least one token. */
export function isCompleted(m: MeasuredRequest): boolean {
  return m.status === 'ok' && m.tokenTimes.length > 0;
}

/** Requests the run changed to fit the server before sending them (see `fitToContext`). */
export interface FittedRequests {
  count: number;
  maxModelLen: number;
}

/**
 * What a measured run's summary says went wrong, one line each: the failures by kind with the server's
 * own messages (the first few distinct ones, with counts), requests never sent, completed requests that
 * streamed fewer tokens than asked although `ignore_eos` was sent, and requests shortened to fit the
 * server's context. Each failure line starts "N requests failed: <kind>".
 */
export function runProblems(
  measured: readonly MeasuredRequest[],
  planned: number,
  fitted?: FittedRequests,
): string[] {
  const failures = new Map<string, { count: number; messages: MessageGroups }>();
  let short = 0;
  for (const m of measured) {
    if (isCompleted(m)) {
      if (m.outputTokens < m.requestedOutputTokens) short++;
      continue;
    }
    const kind = m.status === 'ok' ? 'no tokens' : m.status;
    const failure = failures.get(kind) ?? { count: 0, messages: new MessageGroups() };
    failure.count++;
    if (m.error) failure.messages.add(m.error);
    failures.set(kind, failure);
  }
  const problems = [...failures.entries()].map(
    ([kind, { count, messages }]) => `${count} requests failed: ${kind}${messages.describe()}`,
  );
  const notSent = planned - measured.length;
  if (notSent > 0) problems.push(`${notSent} requests failed: not sent (request or time limit)`);
  if (short > 0) {
    problems.push(
      `warning: ${short} completed requests streamed fewer tokens than the max_tokens they asked for although ignore_eos was sent (the server may not honour ignore_eos; output lengths are not the workload's)`,
    );
  }
  if (fitted && fitted.count > 0) {
    problems.push(
      `${fitted.count} of ${planned} requests were longer than the server's max_model_len (${fitted.maxModelLen} tokens, prompt + output) and were scaled down to fit it`,
    );
  }
  return problems;
}

/**
 * Error messages grouped by their text with the numbers left out (but for the HTTP status), so that
 * "you requested 1305 tokens" and "you requested 988 tokens" count as one message; each group keeps its
 * first text as the example.
 */
class MessageGroups {
  private readonly groups = new Map<string, { example: string; count: number; varies: boolean }>();

  add(message: string): void {
    const [, status = '', text = ''] = /^(HTTP \d+: )?(.*)$/s.exec(message) ?? [];
    const key = status + text.replace(/\d+(\.\d+)?/g, '#');
    const group = this.groups.get(key);
    if (!group) this.groups.set(key, { example: message, count: 1, varies: false });
    else {
      group.count++;
      if (message !== group.example) group.varies = true;
    }
  }

  /** " — 12× HTTP 400: …; 3× …, and 2 other messages", most frequent first; empty with no message. */
  describe(): string {
    if (this.groups.size === 0) return '';
    const sorted = [...this.groups.values()].sort((a, b) => b.count - a.count);
    const shown = sorted
      .slice(0, MESSAGES_SHOWN)
      .map((g) => `${g.count}× ${clip(g.example)}${g.varies ? ' (numbers vary)' : ''}`);
    const rest = sorted.length - MESSAGES_SHOWN;
    return ` — ${shown.join('; ')}${rest > 0 ? `; and ${rest} other message${rest === 1 ? '' : 's'}` : ''}`;
  }
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
