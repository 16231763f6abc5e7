import { useEffect, useRef } from 'react';
import { isObjectCheck, kindsRead } from '../../../course/checks.js';
import type { ExerciseResult } from '../../../course/judge.js';
import type { Exercise } from '../../../course/schema.js';
import { type Lab, namespaceOf } from '../../../lab.js';
import { useUi } from '../../app/ui.js';
import { createLiveLoop, type LiveLoop } from '../../live/loop.js';
import { type NamespaceReading, PANEL_KINDS } from '../../live/namespace.js';

/**
 * The kinds to watch: what the checks of the step on screen read, and what the panel shows. Each
 * is a kubectl process, so not every kind the exercise reads: the other steps are evaluated as
 * they come on screen.
 */
export function watchedKinds(exercise: Exercise, step: number): string[] {
  const kinds = new Set<string>(['Namespace', ...PANEL_KINDS]);
  for (const check of exercise.steps[step]?.checks ?? []) for (const k of kindsRead(check)) kinds.add(k);
  return [...kinds].sort();
}

export const hasProbes = (exercise: Exercise, step: number) =>
  exercise.steps[step]?.checks.some((c) => !isObjectCheck(c)) ?? false;

/**
 * Keeps the exercise's checks and the namespace panel current: watches for changes, then reads the
 * cluster once per burst of changes; re-evaluates on a timer only while the step on screen has
 * probe checks. Returns `refresh`, to evaluate at once (a step came on screen, a command ran).
 */
export function useLiveChecks(
  lab: Lab,
  exercise: Exercise,
  step: number,
  onEvaluated: (result: ExerciseResult, panel: NamespaceReading) => void,
): () => void {
  const { services, session } = useUi();
  const loop = useRef<LiveLoop | undefined>(undefined);
  const probing = useRef(hasProbes(exercise, step));
  probing.current = hasProbes(exercise, step);
  const report = useRef(onEvaluated);
  report.current = onEvaluated;
  // A classroom learner may not watch every namespace of the cluster: theirs is re-read instead.
  const kinds = watchedKinds(exercise, step)
    .filter((kind) => !(lab.classroom && kind === 'Namespace'))
    .join(',');

  useEffect(() => {
    const live = createLiveLoop({
      debounceMs: services.debounceMs,
      probeEvery: () => (probing.current ? services.probeIntervalMs : undefined),
      evaluate: async (signal) => {
        const [result, panel] = await Promise.all([
          services.evaluate(lab, exercise, signal).catch(
            (error: unknown): ExerciseResult => ({
              exercise: exercise.id,
              passed: false,
              steps: [],
              error: (error as Error).message,
            }),
          ),
          services
            .readNamespace(lab, namespaceOf(lab, exercise), signal)
            .catch((error: unknown): NamespaceReading => ({ ok: false, reason: (error as Error).message })),
        ]);
        if (!signal.aborted) report.current(result, panel);
      },
    });
    loop.current = live;
    live.now();
    return () => {
      loop.current = undefined;
      live.stop();
    };
  }, [lab, exercise, services]);

  // The watches follow the step on screen; they change only when its kinds do.
  useEffect(() => {
    const stopWatching = services.watch(lab, namespaceOf(lab, exercise), kinds.split(','), () =>
      loop.current?.trigger(),
    );
    const release = session.hold(stopWatching);
    return () => {
      void release();
    };
  }, [lab, exercise, services, session, kinds]);

  return () => loop.current?.now();
}
