import { Spinner } from '@inkjs/ui';
import { Box, Text, useStdout } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { ExerciseResult } from '../../../course/judge.js';
import { isDone, passedSteps, recordHint, setPosition } from '../../../course/progress.js';
import type { Exercise as ExerciseData } from '../../../course/schema.js';
import { type Lab, readProgress, stepView } from '../../../lab.js';
import { runFirst, useKeys } from '../../app/keys.js';
import { useSaveProgress } from '../../app/save-progress.js';
import { useSyncState } from '../../app/sync-state.js';
import { useUi } from '../../app/ui.js';
import { ChecksList } from '../../components/ChecksList.js';
import { Footer, type KeyHint } from '../../components/Footer.js';
import { NamespacePanel } from '../../components/NamespacePanel.js';
import type { NamespaceReading } from '../../live/namespace.js';
import { ExerciseIntro, HintNote, SkippedStep, StepIntro } from './printouts.js';
import { type ExerciseState, evaluated, initialExerciseState, moveStep } from './state.js';
import { useLiveChecks } from './useLiveChecks.js';
import { type SolutionRun, useSolution } from './useSolution.js';

interface Props {
  lab: Lab;
  exercise: ExerciseData;
  number: number;
  total: number;
  onNext: () => void;
  onPrevious: () => void;
  onBack: () => void;
}

interface Start {
  state: ExerciseState;
  hints: Record<string, number>;
  requires: string[];
}

/** Reads the progress first (which steps passed, the hints seen, where the learner was). */
export function Exercise(props: Props) {
  const [start, setStart] = useState<Start | undefined>(undefined);
  const { lab, exercise } = props;
  useEffect(() => {
    let live = true;
    void readProgress(lab).then((progress) => {
      if (!live) return;
      const passed = [...passedSteps(progress, exercise.id)];
      const saved = progress.position?.exercise === exercise.id ? progress.position.step : undefined;
      const requires = exercise.requires.filter((id) => {
        const required = lab.course.exercises.find((e) => e.id === id);
        return required && !isDone(progress, required);
      });
      setStart({
        state: initialExerciseState(exercise, passed, saved),
        hints: { ...(progress.exercises[exercise.id]?.hints ?? {}) },
        requires,
      });
    });
    return () => {
      live = false;
    };
  }, [lab, exercise]);
  if (!start) return <Text dimColor>Opening {exercise.title}…</Text>;
  return <ExerciseScreen {...props} start={start} />;
}

function ExerciseScreen({
  lab,
  exercise,
  number,
  total,
  onNext,
  onPrevious,
  onBack,
  start,
}: Props & { start: Start }) {
  const { print, inputActive } = useUi();
  const [state, setState, current] = useSyncState(start.state);
  const [hints, setHints, hintsNow] = useSyncState(start.hints);
  const step = exercise.steps[state.step]!;

  const save = useSaveProgress(lab);

  const onEvaluated = (result: ExerciseResult, panel: NamespaceReading) => {
    const onScreen = current.current.step;
    const next = evaluated(exercise, current.current, result, panel);
    setState(next.state);
    for (const id of next.newlyPassed) {
      const index = exercise.steps.findIndex((s) => s.id === id);
      print(
        <Text color="green">
          ✓ Step {index + 1} passed: {exercise.steps[index]?.title}
        </Text>,
      );
      // A later step whose checks already hold (a Job that finished before its "watch it" step)
      // would pass unseen: show what it asks, so the learner can still do it.
      const skipped = exercise.steps[index]!;
      if (
        !shown.current.has(index) &&
        index > onScreen &&
        stepView(lab, exercise, skipped).commands.length > 0
      )
        print(<SkippedStep lab={lab} exercise={exercise} step={skipped} />);
    }
    if (next.completedNow)
      print(
        <Text color="green" bold>
          ★ {exercise.title}: every step passes. Exercise complete.
        </Text>,
      );
  };
  const refresh = useLiveChecks(lab, exercise, state.step, onEvaluated);
  const solution = useSolution(lab, exercise, refresh);

  // biome-ignore lint/correctness/useExhaustiveDependencies: printed once, when the exercise opens.
  useEffect(() => {
    print(
      <ExerciseIntro lab={lab} exercise={exercise} number={number} total={total} requires={start.requires} />,
    );
  }, []);
  const firstStep = useRef(true);
  const shown = useRef(new Set<number>());
  // While "do it for me" still runs an earlier step's commands, the next step's intro waits for
  // them, so that their output does not land under it.
  const solutionStep = solution.run ? exercise.steps.findIndex((s) => s.id === solution.run?.step) : -1;
  const introDue = !solution.run || solutionStep < 0 || solutionStep >= state.step;
  const introWaiting = useRef(false);
  const printIntro = () => {
    print(<StepIntro lab={lab} exercise={exercise} step={step} index={state.step} />);
    shown.current.add(state.step);
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per step that comes on screen.
  useEffect(() => {
    introWaiting.current = !introDue;
    if (introDue) printIntro();
    void save((p) => setPosition(p, exercise.id, step.id));
    // The watch loop evaluates once as it starts; later steps are evaluated as they come on screen.
    if (!firstStep.current) refresh();
    firstStep.current = false;
  }, [state.step]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: when the solution catches up.
  useEffect(() => {
    if (!introDue || !introWaiting.current) return;
    introWaiting.current = false;
    printIntro();
  }, [introDue]);

  const showHint = () => {
    const step = exercise.steps[current.current.step]!;
    const shown = hintsNow.current[step.id] ?? 0;
    if (shown >= step.hints.length) {
      print(<Text dimColor>No more hints for this step: s runs the reference solution.</Text>);
      return;
    }
    const level = shown + 1;
    setHints((h) => ({ ...h, [step.id]: level }));
    print(<HintNote lab={lab} exercise={exercise} step={step} level={level} />);
    void save((p) => recordHint(p, exercise.id, step.id, level));
  };

  const go = (to: number) => {
    if (to < 0) onPrevious();
    else if (to >= exercise.steps.length) onNext();
    else setState((s) => moveStep(s, to));
  };

  useKeys(
    (input, key) =>
      !key.ctrl &&
      runFirst([
        [input === 'q', onBack],
        [input === 'h', showHint],
        [input === 's', solution.start],
        [key.escape && solution.run !== undefined, solution.cancel],
        [input === 'n' || key.rightArrow, () => go(current.current.step + 1)],
        [input === 'p' || key.leftArrow, () => go(current.current.step - 1)],
        [key.return && current.current.complete, onNext],
      ]),
    { isActive: inputActive },
  );

  const keys: KeyHint[] = [];
  if (state.complete) keys.push(['Enter', 'next exercise']);
  keys.push(
    ['h', 'hint'],
    solution.run ? ['Esc', 'stop the solution'] : ['s', 'do it for me'],
    ['n/p', 'step'],
    ['q', 'map'],
  );

  return (
    <ExerciseView
      exercise={exercise}
      state={state}
      hintsShown={hints[step.id] ?? 0}
      solution={solution.run}
      keys={keys}
    />
  );
}

function ExerciseView(props: {
  exercise: ExerciseData;
  state: ExerciseState;
  hintsShown: number;
  solution: SolutionRun | undefined;
  keys: KeyHint[];
}) {
  const { exercise, state, hintsShown, solution, keys } = props;
  const { stdout } = useStdout();
  const step = exercise.steps[state.step]!;
  const stepResult = state.result?.steps.find((s) => s.id === step.id);
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text>
        <Text bold>{exercise.title}</Text>
        <Text dimColor>
          {' '}
          · step {state.step + 1} of {exercise.steps.length}: {step.title} · hints {hintsShown}/
          {step.hints.length}
        </Text>
      </Text>
      {state.result?.error ? (
        <Text color="red">{`  ${state.result.error}`}</Text>
      ) : (
        <ChecksList step={step} result={stepResult} />
      )}
      {!state.result && <Text dimColor>{'  '}Checking the cluster…</Text>}
      {solution && (
        <Box flexDirection="column" marginTop={1}>
          <Spinner label={solution.command ? `Running: ${solution.command}` : 'Starting the solution…'} />
          {solution.tail.length > 0 && <Text dimColor>{solution.tail.map((l) => `  ${l}`).join('\n')}</Text>}
        </Box>
      )}
      {state.complete && (
        <Box marginTop={1}>
          <Text color="green">★ Exercise complete. Enter: next exercise.</Text>
        </Box>
      )}
      <Box marginTop={1}>
        <NamespacePanel reading={state.panel} rows={stdout.rows || 40} />
      </Box>
      <Footer keys={keys} />
    </Box>
  );
}
