import { Box, Text } from 'ink';
import type { Exercise, Step } from '../../../course/schema.js';
import { fillTemplate, type Lab, stepView } from '../../../lab.js';
import { Code, Markdown } from '../../markdown/Markdown.js';

/** Printed once when an exercise opens: its title, intro and where the lab departs from the course text. */
export function ExerciseIntro(props: {
  lab: Lab;
  exercise: Exercise;
  number: number;
  total: number;
  requires: string[];
}) {
  const { lab, exercise, number, total, requires } = props;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold color={exercise.incident ? 'red' : 'magenta'}>
        {exercise.incident ? 'On call · incident' : 'Exercise'} {number} of {total}: {exercise.title}
      </Text>
      {!exercise.incident && <Text dimColor>Course text: {exercise.seed}</Text>}
      <Box marginTop={1}>
        <Markdown text={fillTemplate(exercise.intro, lab, exercise)} />
      </Box>
      {exercise.differences.length > 0 && (
        <Box flexDirection="column" marginTop={1}>
          <Text bold>Where this lab departs from the course text</Text>
          <Markdown text={exercise.differences.map((d) => `- ${d}`).join('\n')} />
        </Box>
      )}
      {requires.length > 0 && (
        <Box marginTop={1}>
          <Text color="yellow">
            This exercise starts from the state {requires.join(', ')} leaves behind; do{' '}
            {requires.length === 1 ? 'it' : 'them'} first.
          </Text>
        </Box>
      )}
    </Box>
  );
}

/**
 * The step the learner works on, under the screen's header (which names it): its instructions, the
 * commands to type, and the hints taken for it so far. The hints are part of the live screen, not
 * the transcript above it: on a short terminal the transcript is off screen, and a hint printed
 * there would never be seen.
 */
export function StepIntro(props: { lab: Lab; exercise: Exercise; step: Step; hints?: number }) {
  const { lab, exercise, step, hints = 0 } = props;
  const view = stepView(lab, exercise, step);
  return (
    <Box flexDirection="column" marginTop={1}>
      <Markdown text={view.instructions} />
      {view.commands.length > 0 && (
        <Box flexDirection="column" marginTop={1}>
          <Text dimColor>Type in your other terminal:</Text>
          <Code lines={view.commands} shell />
        </Box>
      )}
      {view.hints.slice(0, hints).map((_, index) => (
        <HintNote
          // biome-ignore lint/suspicious/noArrayIndexKey: a hint's place is its identity.
          key={index}
          lab={lab}
          exercise={exercise}
          step={step}
          level={index + 1}
          latest={index + 1 === hints}
        />
      ))}
    </Box>
  );
}

/**
 * A step that passed before it came on screen: what it would have asked the learner to run; with
 * `instructions`, what it says too (a step the screen opened on and left at once, never read).
 */
export function SkippedStep(props: { lab: Lab; exercise: Exercise; step: Step; instructions?: boolean }) {
  const { lab, exercise, step, instructions = false } = props;
  const view = stepView(lab, exercise, step);
  return (
    <Box flexDirection="column">
      {instructions && <Markdown text={view.instructions} />}
      <Text dimColor>
        Its checks held before you got to it. It asks you to run these, to see for yourself:
      </Text>
      <Code lines={view.commands} shell />
    </Box>
  );
}

/** One hint; the latest taken says what comes next. */
function HintNote(props: { lab: Lab; exercise: Exercise; step: Step; level: number; latest: boolean }) {
  const { lab, exercise, step, level, latest } = props;
  const last = level === step.hints.length;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text color="yellow" bold>
        Hint {level} of {step.hints.length} · {step.title}
      </Text>
      <Markdown text={stepView(lab, exercise, step).hints[level - 1]!} />
      {latest && (
        <Text dimColor>
          {last ? 'That was the last hint: s runs the reference solution.' : 'h shows the next hint.'}
        </Text>
      )}
    </Box>
  );
}

/** Most lines of one command's output to print; the rest is counted, not shown. */
const OUTPUT_LINES = 30;

export function SolutionCommand(props: { command: string; output: string; ok: boolean; exitCode?: number }) {
  const lines = props.output
    .replace(/\n+$/, '')
    .split('\n')
    .filter((l, i, all) => l !== '' || i < all.length - 1);
  const shown = lines.slice(-OUTPUT_LINES);
  return (
    <Box flexDirection="column">
      {/* Broken between words with ` \`, as in the instructions, so that a copied command runs. */}
      <Code lines={[props.command]} shell />
      {lines.length > OUTPUT_LINES && (
        <Text dimColor>{`  … ${lines.length - OUTPUT_LINES} lines before these`}</Text>
      )}
      {shown.length > 0 && shown.join('') !== '' && (
        <Text dimColor>{shown.map((l) => `  ${l}`).join('\n')}</Text>
      )}
      {!props.ok && <Text color="red">{`  ✗ failed (exit code ${props.exitCode ?? 'none'})`}</Text>}
    </Box>
  );
}
