import type { UpEvent } from '../../../cluster/environment-api.js';

/** A step of bringing the lab up that is still running, with the last lines it printed. */
export interface RunningStep {
  id: string;
  title: string;
  command?: string;
  startedAt: number;
  tail: string[];
}

export interface FinishedStep {
  id: string;
  title: string;
  outcome: 'ok' | 'skipped' | 'failed';
  ms: number;
  detail?: string;
  fix?: string;
  outputTail?: string;
}

const TAIL_LINES = 8;

/** Folds the events of `up` into the running steps; finished ones are handed to `onFinished`. */
export function applyUpEvent(
  running: RunningStep[],
  event: UpEvent,
  now: number,
  onFinished: (step: FinishedStep) => void,
): RunningStep[] {
  switch (event.type) {
    case 'step-start':
      return [
        ...running.filter((s) => s.id !== event.id),
        { id: event.id, title: event.title, command: event.command, startedAt: now, tail: [] },
      ];
    case 'step-output':
      return running.map((s) =>
        s.id === event.id
          ? {
              ...s,
              tail: [...s.tail, ...event.chunk.split('\n').filter((l) => l.trim() !== '')].slice(-TAIL_LINES),
            }
          : s,
      );
    case 'step-end': {
      const step = running.find((s) => s.id === event.id);
      onFinished({
        id: event.id,
        title: step?.title ?? event.id,
        outcome: event.outcome,
        ms: event.ms,
        detail: event.detail,
        fix: event.fix,
        outputTail: event.outputTail ?? (event.outcome === 'failed' ? step?.tail.join('\n') : undefined),
      });
      return running.filter((s) => s.id !== event.id);
    }
    case 'notice':
      return running;
  }
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
