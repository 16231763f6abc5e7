import { setTimeout as sleep } from 'node:timers/promises';
import type { UpEvent, UpResult } from '../environment-api.js';
import { shellQuote } from '../kubectl.js';
import type { RunOptions, ToolResult } from '../tool.js';

/**
 * The machinery every step of `up` shares: a step reports its start (with the command it runs),
 * the output of each command as it arrives, and how it ended; a failure carries the sentence to
 * show and the fix. The steps themselves only decide what to run.
 */
export interface StepDone {
  outcome: 'ok' | 'skipped';
  detail: string;
}

/** A step that cannot go on: what went wrong, what to do, and the output that shows it. */
export class StepFailed extends Error {
  constructor(
    readonly detail: string,
    readonly fix?: string,
    readonly outputTail?: string,
  ) {
    super(detail);
    this.name = 'StepFailed';
  }
}

/** The learner (or the app) interrupted `up`: the running command was ended. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

export interface StepIO {
  signal?: AbortSignal;
  /** Show a line of the step's progress (it goes out as step-output). */
  say: (text: string) => void;
  notice: (message: string) => void;
  /**
   * Runs one outside command through its wrapper, showing it as `$ command` first and streaming
   * its output; an interruption ends it and stops the step.
   */
  run: (shown: string, call: (options: RunOptions) => Promise<ToolResult>) => Promise<ToolResult>;
  /** Waits between two looks at the cluster; ends early on interruption. */
  pause: (ms: number) => Promise<void>;
}

export interface Step {
  id: string;
  title: string;
  /** The command the step is there to run, shown beside its spinner. */
  command?: string;
  run: (io: StepIO) => Promise<StepDone>;
}

/** A command as the learner would type it, quoted for a POSIX shell. */
export function commandLine(file: string, args: readonly string[]): string {
  return [file, ...args].map(shellQuote).join(' ');
}

export async function runSteps(
  steps: Step[],
  onEvent: (event: UpEvent) => void,
  signal?: AbortSignal,
): Promise<UpResult> {
  const record: NonNullable<UpResult['steps']> = [];
  const io = (id: string): StepIO => ({
    signal,
    say: (text) => onEvent({ type: 'step-output', id, chunk: text.endsWith('\n') ? text : `${text}\n` }),
    notice: (message) => onEvent({ type: 'notice', message }),
    run: async (shown, call) => {
      if (signal?.aborted) throw new Interrupted();
      onEvent({ type: 'step-output', id, chunk: `$ ${shown}\n` });
      const result = await call({ signal, onOutput: (chunk) => onEvent({ type: 'step-output', id, chunk }) });
      if (result.canceled || signal?.aborted) throw new Interrupted();
      return result;
    },
    pause: async (ms) => {
      await sleep(ms, undefined, { signal }).catch(() => {});
      if (signal?.aborted) throw new Interrupted();
    },
  });

  for (const step of steps) {
    if (signal?.aborted) return { ok: false, failedStep: step.id, canceled: true, steps: record };
    onEvent({ type: 'step-start', id: step.id, title: step.title, command: step.command });
    const started = Date.now();
    const ms = () => Date.now() - started;
    try {
      const done = await step.run(io(step.id));
      onEvent({ type: 'step-end', id: step.id, outcome: done.outcome, ms: ms(), detail: done.detail });
      record.push({ id: step.id, title: step.title, outcome: done.outcome, detail: done.detail });
    } catch (error) {
      const interrupted = error instanceof Interrupted || signal?.aborted === true;
      const failure = interrupted
        ? new StepFailed(
            'Interrupted: the running command was stopped.',
            'Run churn-labs up again: it picks up where it stopped.',
          )
        : error instanceof StepFailed
          ? error
          : new StepFailed(
              `An unexpected error stopped this step: ${(error as Error)?.message ?? String(error)}.`,
              'Run churn-labs up again; if it happens again, report it with this message.',
            );
      onEvent({
        type: 'step-end',
        id: step.id,
        outcome: 'failed',
        ms: ms(),
        detail: failure.detail,
        fix: failure.fix,
        outputTail: failure.outputTail,
      });
      record.push({ id: step.id, title: step.title, outcome: 'failed', detail: failure.detail });
      return { ok: false, failedStep: step.id, canceled: interrupted || undefined, steps: record };
    }
  }
  return { ok: true, steps: record };
}
