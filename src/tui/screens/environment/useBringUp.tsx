import { Text } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { UpEvent } from '../../../cluster/environment-api.js';
import { type Lab, rememberLab } from '../../../lab.js';
import { useUi } from '../../app/ui.js';
import { FinishedLine, ReadyNote } from './notes.js';
import { applyUpEvent, type FinishedStep, type RunningStep } from './progress.js';

export type Phase =
  | { name: 'running' }
  | { name: 'asking'; files: string[]; answer: (overwrite: boolean) => void }
  /** A kind cluster whose API does not answer: delete and re-create it (losing what is in it)? */
  | { name: 'recreate'; question: string; answer: (recreate: boolean) => void }
  | { name: 'ready' }
  | { name: 'failed'; step?: FinishedStep; message?: string };

const SIM_LOG_LINES = 12;

/** Runs `up` (after starting the simulated cluster, with --simulate) and follows its steps. */
export function useBringUp(lab: Lab, simulate: boolean, onUp: (lab: Lab) => void) {
  const { services, session, print } = useUi();
  const [attempt, setAttempt] = useState(0);
  const [running, setRunning] = useState<RunningStep[]>([]);
  const [phase, setPhase] = useState<Phase>({ name: 'running' });
  const failed = useRef<FinishedStep | undefined>(undefined);
  const steps = useRef<RunningStep[]>([]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: one run per attempt.
  useEffect(() => {
    void attempt;
    const controller = new AbortController();
    failed.current = undefined;
    steps.current = [];
    setPhase({ name: 'running' });
    const onEvent = (event: UpEvent) => {
      if (controller.signal.aborted) return;
      if (event.type === 'notice') print(<Text dimColor>{event.message}</Text>);
      steps.current = applyUpEvent(steps.current, event, Date.now(), (step) => {
        print(<FinishedLine step={step} />);
        if (step.outcome === 'failed') failed.current = step;
      });
      setRunning(steps.current);
    };
    /** Shows a question and waits for y or n; the phase goes back to running with the answer. */
    const ask = (phase: (answer: (yes: boolean) => void) => Phase) =>
      new Promise<boolean>((resolve) =>
        setPhase(
          phase((yes) => {
            setPhase({ name: 'running' });
            resolve(yes);
          }),
        ),
      );
    const confirmOverwrite = (files: string[]) => ask((answer) => ({ name: 'asking', files, answer }));
    const confirmRecreate = (question: string) => ask((answer) => ({ name: 'recreate', question, answer }));
    const work = (async () => {
      let target = lab;
      if (simulate) {
        if (!session.simulator) {
          const log: string[] = [];
          const started = Date.now();
          onEvent({ type: 'step-start', id: 'simulator', title: 'Start the simulated cluster' });
          try {
            session.simulator = await services.startSimulator(lab.paths.home, (line) => {
              log.push(line);
              if (log.length > SIM_LOG_LINES) log.shift();
            });
          } catch (error) {
            onEvent({
              type: 'step-end',
              id: 'simulator',
              outcome: 'failed',
              ms: Date.now() - started,
              detail: (error as Error).message,
              outputTail: log.join('\n') || undefined,
            });
            return false;
          }
          onEvent({
            type: 'step-end',
            id: 'simulator',
            outcome: 'ok',
            ms: Date.now() - started,
            detail: `API server at ${session.simulator.url}${session.simulator.note ? ` (${session.simulator.note})` : ''}`,
          });
        }
        const sim = session.simulator;
        target = { ...lab, target: { context: sim.context, kubeconfig: sim.kubeconfig }, simulated: true };
      }
      const result = await services.up(target, {
        signal: controller.signal,
        onEvent,
        confirmOverwrite,
        confirmRecreate,
      });
      if (!result.ok) return false;
      await rememberLab(target);
      onUp(target);
      print(<ReadyNote lab={target} simulate={simulate} />);
      return true;
    })().then(
      (ok) => {
        if (controller.signal.aborted) return;
        setPhase(ok ? { name: 'ready' } : { name: 'failed', step: failed.current });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        steps.current = [];
        setRunning([]);
        setPhase({ name: 'failed', step: failed.current, message: (error as Error).message });
      },
    );
    const release = session.hold(async () => {
      controller.abort();
      await work;
    });
    return () => {
      void release();
    };
  }, [attempt]);

  return { running, phase, retry: () => setAttempt((n) => n + 1) };
}
