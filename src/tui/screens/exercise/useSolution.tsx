import { Text } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { Exercise } from '../../../course/schema.js';
import type { Lab } from '../../../lab.js';
import { useUi } from '../../app/ui.js';
import { SolutionCommand } from './printouts.js';

export interface SolutionRun {
  command?: string;
  /** The step whose commands are running. */
  step?: string;
  /** The last lines the running command printed. */
  tail: string[];
}

const TAIL_LINES = 4;

/**
 * "Do it for me": runs the reference solution, showing the running command and its latest output
 * live and printing each finished command with its output. Leaving the screen stops it.
 */
export function useSolution(lab: Lab, exercise: Exercise, onCommandDone: () => void) {
  const { services, session, print, onInterrupt } = useUi();
  const [run, setRun] = useState<SolutionRun | undefined>(undefined);
  const stop = useRef<(() => Promise<void>) | undefined>(undefined);
  const runningCommand = useRef<string | undefined>(undefined);
  const done = useRef(onCommandDone);
  done.current = onCommandDone;

  useEffect(
    () => () => {
      void stop.current?.();
    },
    [],
  );

  const start = () => {
    if (stop.current) return;
    const controller = new AbortController();
    let output = '';
    setRun({ tail: [] });
    print(
      <Text bold color="yellow">
        Doing it for you: the reference solution of {exercise.title} (context {lab.target.context})
      </Text>,
    );
    const running = services.runSolution(
      lab,
      exercise,
      (event) => {
        if (controller.signal.aborted) return;
        if (event.type === 'command') {
          output = '';
          runningCommand.current = event.command;
          setRun({ command: event.command, step: event.step, tail: [] });
        } else if (event.type === 'output') {
          output += event.chunk;
          const tail = output
            .split('\n')
            .filter((l) => l.trim() !== '')
            .slice(-TAIL_LINES);
          setRun((r) => ({ command: r?.command, step: r?.step, tail }));
        } else {
          print(
            <SolutionCommand
              command={event.command}
              output={output}
              ok={event.ok}
              exitCode={event.exitCode}
            />,
          );
          done.current();
        }
      },
      controller.signal,
    );
    const release = session.hold(async () => {
      controller.abort();
      await running.catch(() => {});
    });
    stop.current = release;
    void running
      .then(
        (ok) => {
          if (controller.signal.aborted) return;
          print(
            ok ? (
              <Text>The solution ran. The checks turn green as the cluster settles.</Text>
            ) : (
              <Text color="red">
                The solution stopped at the failing command above. Fix what it says (is the lab up?) and press
                s again.
              </Text>
            ),
          );
        },
        (error: unknown) => {
          if (!controller.signal.aborted)
            print(<Text color="red">The solution could not run: {(error as Error).message}</Text>);
        },
      )
      .finally(() => {
        stop.current = undefined;
        if (!controller.signal.aborted) setRun(undefined);
        void release();
      });
  };

  /**
   * Esc, or a first Ctrl-C: stops the solution only. Its commands run in a process group of their
   * own, and stopping ends the whole group, so nothing it started (a `kubectl rollout status`)
   * lives on. The app stays on the exercise; s runs the solution again from the first step not
   * yet passed.
   */
  const cancel = () => {
    const release = stop.current;
    if (!release) return false;
    const command = runningCommand.current;
    stop.current = undefined;
    void release().then(() => {
      setRun(undefined);
      print(
        <Text color="yellow">
          Stopped "do it for me"{command ? ` while it ran: ${command}` : ''}. Every command it started has
          ended; the cluster is as they left it. Press s to run the solution again: it goes on from the first
          step not yet passed.
        </Text>,
      );
    });
    return true;
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: cancel reads refs only.
  useEffect(() => onInterrupt(cancel), [onInterrupt]);

  return { run, start, cancel };
}
