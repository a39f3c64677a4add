import * as vscode from 'vscode';
import { ClosedLoopPacing, concurrencyProblem, type LoadChoice } from './load.js';
import { pickPacing } from './pacing-pick.js';
import type { Store } from './state.js';

/** The client count offered when no closed loop was run before. */
const DEFAULT_CLIENTS = 8;

function lastFirst<T extends vscode.QuickPickItem & { last: boolean }>(items: T[]): T[] {
  const marked = items.map((i) => ({ ...i, description: i.last ? '(last used)' : i.description }));
  return marked.sort((a, b) => Number(b.last) - Number(a.last));
}

/** Open loop, or closed loop and how many clients; undefined when cancelled. */
async function pickLoop(last: LoadChoice): Promise<number | null | undefined> {
  const picked = await vscode.window.showQuickPick(
    lastFirst([
      {
        label: "Open loop: the workload's arrival times",
        detail: 'Each request is sent at its arrival time, however many are in flight (the default)',
        closed: false,
        last: last.concurrency === undefined,
      },
      {
        label: 'Closed loop: N clients',
        detail:
          'N clients, each sending its next request when its previous one finishes (vllm bench serve --max-concurrency N, GuideLLM, AIPerf)',
        closed: true,
        last: last.concurrency !== undefined,
      },
    ]),
    { title: 'ServeTune: load', ignoreFocusOut: true, placeHolder: 'How the requests are sent' },
  );
  if (!picked) return undefined;
  if (!picked.closed) return null;
  const text = await vscode.window.showInputBox({
    title: 'ServeTune: clients',
    ignoreFocusOut: true,
    prompt: 'Requests kept in flight: the number of closed-loop clients',
    value: String(last.concurrency ?? DEFAULT_CLIENTS),
    validateInput: concurrencyProblem,
  });
  return text === undefined ? undefined : Number(text.trim());
}

/** The max_tokens each request asks for: the default, or its own output length. */
async function pickMaxTokens(last: LoadChoice): Promise<boolean | undefined> {
  const picked = await vscode.window.showQuickPick(
    lastFirst([
      {
        label: 'max_tokens: the rest of the context',
        detail: 'What a request asks for when the client gives no max_tokens (the default)',
        output: false,
        last: !last.maxTokensOutput,
      },
      {
        label: "max_tokens = each request's output",
        detail:
          'As benchmark clients send it with ignore_eos; schedulers that reserve max_tokens (Orca, static batches) plan with it',
        output: true,
        last: last.maxTokensOutput === true,
      },
    ]),
    { title: 'ServeTune: max_tokens', ignoreFocusOut: true, placeHolder: 'What each request asks for' },
  );
  return picked?.output;
}

/**
 * The load of a run, after its workload pick: open or closed loop; for a simulation also a closed
 * loop's think time and warm-up, and the max_tokens each request asks for (`simulate`'s flags; a search
 * takes none of them). The last answers are offered first and remembered.
 */
export async function pickLoad(
  store: Store,
  { simulation }: { simulation: boolean },
): Promise<LoadChoice | undefined> {
  const last = store.choices().load ?? {};
  const concurrency = await pickLoop(last);
  if (concurrency === undefined) return undefined;
  let load: LoadChoice = { ...last, concurrency: concurrency ?? undefined };
  if (simulation && concurrency !== null) {
    // The pacing fields alone: the last answer offered must not bring back the last client count.
    const pacing = await pickPacing(ClosedLoopPacing.parse(last));
    if (!pacing) return undefined;
    load = { ...load, ...pacing };
  }
  if (simulation) {
    const output = await pickMaxTokens(last);
    if (output === undefined) return undefined;
    load.maxTokensOutput = output;
  }
  await store.remember({ load });
  // A search takes only the loop: the other answers are kept for the next simulation, not applied.
  return simulation ? load : { concurrency: load.concurrency };
}
