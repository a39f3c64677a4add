import * as vscode from 'vscode';
import { type ClosedLoopPacing, pacingText, thinkTimeProblem, warmUpProblem } from './load.js';

// A closed loop's think time and warm-up in the editor (`simulate --think-time`, `--warm-up-requests`,
// `--warm-up-phase`), asked after the client count.

/** What each pacing item stands for: the CLI's defaults, the last answers, or new ones to type. */
type PacingItem = vscode.QuickPickItem & { pacing: ClosedLoopPacing | 'set' };

const isDefault = (p: ClosedLoopPacing) => !p.thinkSeconds && !p.warmUpRequests;

/** A number typed in an input box: its title, what it asks, and why a typed value is refused. */
interface NumberQuestion {
  title: string;
  prompt: string;
  problem: (text: string) => string | undefined;
}

const THINK_TIME: NumberQuestion = {
  title: 'ServeTune: seconds of think time',
  prompt:
    "Seconds between a request finishing and its client sending the next (--think-time; 0: none, the CLI's default)",
  problem: thinkTimeProblem,
};

const WARM_UP: NumberQuestion = {
  title: 'ServeTune: warm-up completions',
  prompt:
    "Completions left out of the metrics, with the time until the last of them (--warm-up-requests; 0: none, the CLI's default)",
  problem: warmUpProblem,
};

/** The number typed, `value` filled in; undefined when cancelled. */
async function askNumber(question: NumberQuestion, value: number): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: question.title,
    prompt: question.prompt,
    value: String(value),
    ignoreFocusOut: true,
    validateInput: question.problem,
  });
  return text === undefined ? undefined : Number(text.trim());
}

/** Whether the warm-up runs as a phase of its own (`--warm-up-phase`); undefined when cancelled. */
async function pickWarmUpPhase(last: ClosedLoopPacing): Promise<boolean | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      {
        label: 'Warm-up within the run',
        description: last.warmUpPhase ? undefined : '(default)',
        detail: 'The clients keep sending; the metrics count from the last warm-up completion',
        phase: false,
      },
      {
        label: 'Warm-up as a phase of its own',
        description: last.warmUpPhase ? '(last used)' : undefined,
        detail:
          'The measured requests are sent once every warm-up request has finished, all clients at once (as AIPerf runs its warm-up; --warm-up-phase)',
        phase: true,
      },
    ],
    {
      title: 'ServeTune: how the warm-up runs',
      ignoreFocusOut: true,
      placeHolder: 'Whether the measured requests wait for the warm-up',
    },
  );
  return picked?.phase;
}

/** Think time, warm-up and its phase, typed: the last answers (else the CLI's defaults) filled in. */
async function askPacing(last: ClosedLoopPacing): Promise<ClosedLoopPacing | undefined> {
  const thinkSeconds = await askNumber(THINK_TIME, last.thinkSeconds ?? 0);
  if (thinkSeconds === undefined) return undefined;
  const warmUpRequests = await askNumber(WARM_UP, last.warmUpRequests ?? 0);
  if (warmUpRequests === undefined) return undefined;
  if (warmUpRequests === 0) return { thinkSeconds, warmUpRequests, warmUpPhase: false };
  const warmUpPhase = await pickWarmUpPhase(last);
  return warmUpPhase === undefined ? undefined : { thinkSeconds, warmUpRequests, warmUpPhase };
}

/**
 * A closed loop's think time and warm-up: an optional step after the client count. The CLI's defaults
 * come first and are preselected (Enter skips the step); the last answers, where others, are offered
 * next; or new ones typed. Undefined when cancelled.
 */
export async function pickPacing(last: ClosedLoopPacing): Promise<ClosedLoopPacing | undefined> {
  const defaults: ClosedLoopPacing = { thinkSeconds: 0, warmUpRequests: 0, warmUpPhase: false };
  const items: PacingItem[] = [
    {
      label: 'No think time, no warm-up',
      description: isDefault(last) ? "(the CLI's defaults, last used)" : "(the CLI's defaults)",
      detail: 'Clients send their next request at once; every completion counts',
      pacing: defaults,
    },
    ...(isDefault(last) ? [] : [{ label: pacingText(last), description: '(last used)', pacing: last }]),
    {
      label: 'Set think time and warm-up…',
      detail: '--think-time, --warm-up-requests and --warm-up-phase, as the CLI takes them',
      pacing: 'set',
    },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'ServeTune: think time and warm-up',
    ignoreFocusOut: true,
    placeHolder: 'Optional: how the clients pace themselves, and what the metrics leave out',
  });
  if (!picked) return undefined;
  return picked.pacing === 'set' ? askPacing(last) : picked.pacing;
}
