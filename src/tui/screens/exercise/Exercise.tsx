import { Spinner } from '@inkjs/ui';
import { Box, Text, useStdout } from 'ink';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import type { ExerciseResult, StepResult } from '../../../course/judge.js';
import { isDone, passedSteps, recordHint, setPosition } from '../../../course/progress.js';
import type { Exercise as ExerciseData } from '../../../course/schema.js';
import { watchProgressFile } from '../../../files/progress-store.js';
import { type Lab, readProgress, stepView } from '../../../lab.js';
import { runFirst, useKeys } from '../../app/keys.js';
import { useSaveProgress } from '../../app/save-progress.js';
import { useSyncState } from '../../app/sync-state.js';
import { useUi } from '../../app/ui.js';
import { ChecksList } from '../../components/ChecksList.js';
import { Footer, type KeyHint } from '../../components/Footer.js';
import { NamespacePanel, panelLines } from '../../components/NamespacePanel.js';
import type { NamespaceReading } from '../../live/namespace.js';
import { CardWindow, maxOffset, planLayout, wrappedLines } from './layout.js';
import { ExerciseIntro, SkippedStep, StepIntro } from './printouts.js';
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
  /** A live line under the title (an incident's clock). */
  header?: ReactNode;
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
  header,
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
      // would pass unseen: show what it asks, so the learner can still do it. So would the step
      // the screen opened on when it holds at the first evaluation (in a class, the namespace the
      // instructor made): shown whole, since the learner never had it on screen to read.
      const skipped = exercise.steps[index]!;
      const openedOn = index === onScreen && firstEvaluation.current;
      if (
        ((!shown.current.has(index) && index > onScreen) || openedOn) &&
        stepView(lab, exercise, skipped).commands.length > 0
      )
        print(<SkippedStep lab={lab} exercise={exercise} step={skipped} instructions={openedOn} />);
    }
    firstEvaluation.current = false;
    if (next.completedNow)
      print(
        <Text color="green" bold>
          ★ {exercise.title}:{' '}
          {exercise.incident ? 'incident solved.' : 'every step passes. Exercise complete.'}
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
  const firstEvaluation = useRef(true);
  const shown = useRef(new Set<number>());
  // What the live part shows above the checks: the step (its instructions and commands), or the
  // exercise's intro on i; and how far the learner scrolled it on a short terminal.
  const [card, setCard] = useState<'step' | 'intro'>('step');
  const [offset, setOffset] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per step that comes on screen.
  useEffect(() => {
    shown.current.add(state.step);
    setCard('step');
    setOffset(0);
    void save((p) => setPosition(p, exercise.id, step.id));
    // The watch loop evaluates once as it starts; later steps are evaluated as they come on screen.
    if (!firstStep.current) refresh();
    firstStep.current = false;
  }, [state.step]);
  // Progress changed in another terminal (a `churn-labs hint`, `reset` or `check`) shows here
  // within a second: hints taken anywhere count everywhere, and a reset starts the exercise over.
  // biome-ignore lint/correctness/useExhaustiveDependencies: subscribed once; reads refs.
  useEffect(
    () =>
      watchProgressFile(lab.paths.progress, () => {
        void readProgress(lab).then((progress) => {
          const recorded = [...passedSteps(progress, exercise.id)];
          const fileHints = progress.exercises[exercise.id]?.hints ?? {};
          const lost = current.current.passed.filter((id) => !recorded.includes(id));
          if (lost.length === 0) {
            setHints((h) => mergeHints(h, fileHints));
            return;
          }
          setHints({ ...fileHints });
          const next = initialExerciseState(exercise, recorded);
          setState(next);
          print(
            <Text color="yellow">
              The progress of {exercise.title} was reset in another terminal: back to step {next.step + 1}.
            </Text>,
          );
          refresh();
        });
      }),
    [],
  );

  const showHint = () => {
    const step = exercise.steps[current.current.step]!;
    const shown = hintsNow.current[step.id] ?? 0;
    if (shown >= step.hints.length) {
      print(<Text dimColor>No more hints for this step: s runs the reference solution.</Text>);
      setCard('step');
      setOffset(Number.MAX_SAFE_INTEGER);
      return;
    }
    const level = shown + 1;
    setHints((h) => ({ ...h, [step.id]: level }));
    // The hint goes under the step's commands: show the step, scrolled to its end where it is.
    setCard('step');
    setOffset(Number.MAX_SAFE_INTEGER);
    void save((p) => recordHint(p, exercise.id, step.id, level));
  };

  const go = (to: number) => {
    if (to < 0) onPrevious();
    else if (to >= exercise.steps.length) onNext();
    else setState((s) => moveStep(s, to));
  };

  // The window's height, for scrolling by a page; set by the view as it lays the screen out.
  const page = useRef({ height: 10, total: 0 });
  const scroll = (by: number) =>
    setOffset((o) => {
      // From where the window is (an offset past the end shows the end).
      const furthest = maxOffset(page.current.total, page.current.height);
      return Math.max(0, Math.min(Math.min(o, furthest) + by, furthest));
    });
  const toggleIntro = () => {
    setCard((c) => (c === 'intro' ? 'step' : 'intro'));
    setOffset(0);
  };

  useKeys(
    (input, key) =>
      !key.ctrl &&
      runFirst([
        [input === 'q', onBack],
        [input === 'h', showHint],
        [input === 'i', toggleIntro],
        [key.escape && solution.run !== undefined, solution.cancel],
        [key.escape && card === 'intro', toggleIntro],
        [input === 's', solution.start],
        [key.upArrow, () => scroll(-1)],
        [key.downArrow, () => scroll(1)],
        [key.pageUp, () => scroll(-(page.current.height - 1))],
        [key.pageDown, () => scroll(page.current.height - 1)],
        [input === 'n' || key.rightArrow, () => go(current.current.step + 1)],
        [input === 'p' || key.leftArrow, () => go(current.current.step - 1)],
        [key.return && current.current.complete, onNext],
      ]),
    { isActive: inputActive },
  );

  const keys: KeyHint[] = [];
  if (state.complete) keys.push(['Enter', exercise.incident ? 'the map' : 'next exercise']);
  keys.push(
    ['h', 'hint'],
    solution.run ? ['Esc', 'stop the solution'] : ['s', 'do it for me'],
    ['n/p', 'step'],
    card === 'intro' ? ['i', 'the step'] : ['i', 'intro'],
    ['q', 'map'],
  );

  const cardNode =
    card === 'intro' ? (
      <ExerciseIntro lab={lab} exercise={exercise} number={number} total={total} requires={start.requires} />
    ) : (
      <StepIntro lab={lab} exercise={exercise} step={step} hints={hints[step.id] ?? 0} />
    );

  return (
    <ExerciseView
      exercise={exercise}
      state={state}
      hintsShown={hints[step.id] ?? 0}
      solution={solution.run}
      keys={keys}
      card={cardNode}
      offset={offset}
      page={page.current}
      header={header}
    />
  );
}

function ExerciseView(props: {
  exercise: ExerciseData;
  state: ExerciseState;
  hintsShown: number;
  solution: SolutionRun | undefined;
  keys: KeyHint[];
  card: ReactNode;
  offset: number;
  /** Told the window's height and the card's length, for the scrolling keys. */
  page: { height: number; total: number };
  header?: ReactNode;
}) {
  const { exercise, state, hintsShown, solution, keys } = props;
  const { stdout } = useStdout();
  const rows = stdout.rows || 40;
  const columns = stdout.columns || 80;
  const step = exercise.steps[state.step]!;
  const stepResult = state.result?.steps.find((s) => s.id === step.id);
  const [cardLines, setCardLines] = useState(0);

  const runningLines = solution ? 2 + Math.min(solution.tail.length, 4) : 0;
  const layout = planLayout({
    rows,
    // The screen's top margin, the header, the checks' margin, the footer (and its margin), a
    // running solution.
    fixed: 5 + runningLines + (state.complete ? 2 : 0) + (props.header ? 1 : 0),
    card: cardLines,
    checks: {
      full: checksLines(step, stepResult, state.result?.error, columns),
      compact: stepResult ? 2 : checksLines(step, stepResult, state.result?.error, columns),
    },
    panel: { full: 1 + panelLines(state.panel, rows, columns), compact: 1 },
  });
  props.page.height = layout.cardHeight;
  props.page.total = cardLines;

  return (
    <Box flexDirection="column" marginTop={1}>
      <Text wrap="truncate">
        <Text bold>{exercise.title}</Text>
        <Text dimColor>
          {' '}
          · step {state.step + 1} of {exercise.steps.length}: {step.title} · hints {hintsShown}/
          {step.hints.length}
        </Text>
      </Text>
      {props.header}
      <CardWindow
        height={layout.scrolls ? layout.cardHeight : undefined}
        offset={props.offset}
        total={cardLines}
        onMeasure={(lines) => lines !== cardLines && setCardLines(lines)}
      >
        {props.card}
      </CardWindow>
      <Box flexDirection="column" marginTop={1}>
        {state.result?.error ? (
          <Text color="red">{`  ${state.result.error}`}</Text>
        ) : (
          <ChecksList step={step} result={stepResult} compact={!layout.fullChecks} />
        )}
        {!state.result && <Text dimColor>{'  '}Checking the cluster…</Text>}
      </Box>
      {solution && (
        <Box flexDirection="column" marginTop={1}>
          <Spinner label={solution.command ? `Running: ${solution.command}` : 'Starting the solution…'} />
          {solution.tail.length > 0 && (
            <Text dimColor wrap="truncate">
              {solution.tail
                .slice(-4)
                .map((l) => `  ${l}`)
                .join('\n')}
            </Text>
          )}
        </Box>
      )}
      {state.complete && (
        <Box marginTop={1}>
          <Text color="green">
            {exercise.incident
              ? '★ Incident solved: the system is healthy and the cause is fixed. Enter: the map.'
              : '★ Exercise complete. Enter: next exercise.'}
          </Text>
        </Box>
      )}
      <Box marginTop={layout.fullPanel ? 1 : 0}>
        <NamespacePanel reading={state.panel} rows={rows} compact={!layout.fullPanel} />
      </Box>
      <Footer keys={keys} />
    </Box>
  );
}

/** How many lines the step's checks take in full (as ChecksList draws them). */
function checksLines(
  step: ExerciseData['steps'][number],
  result: StepResult | undefined,
  error: string | undefined,
  columns: number,
): number {
  if (error) return wrappedLines(`  ${error}`, columns);
  if (!result) return step.checks.length + 1;
  let lines = 0;
  for (const check of result.checks) {
    lines += wrappedLines(`  ✓ ${check.title}`, columns);
    if (!check.passed) lines += wrappedLines(check.message, columns - 6);
  }
  if (result.recorded)
    lines += wrappedLines(
      '  This step has passed; it stays passed, whatever the cluster shows now.',
      columns,
    );
  if (result.waiting)
    lines += wrappedLines('  Its checks pass; finish the steps before it first (p goes back).', columns);
  return lines;
}

/** Hints seen here and elsewhere: the most for each step. */
function mergeHints(here: Record<string, number>, there: Record<string, number>): Record<string, number> {
  const merged: Record<string, number> = { ...here };
  let changed = false;
  for (const [step, level] of Object.entries(there)) {
    if (typeof level === 'number' && level > (merged[step] ?? 0)) {
      merged[step] = level;
      changed = true;
    }
  }
  return changed ? merged : here;
}
