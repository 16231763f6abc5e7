import { Box, Text, useStdout } from 'ink';
import { useEffect, useState } from 'react';
import type { Progress } from '../../../course/progress.js';
import { watchProgressFile } from '../../../files/progress-store.js';
import { type Lab, readProgress } from '../../../lab.js';
import { runFirst, useKeys } from '../../app/keys.js';
import { useSyncState } from '../../app/sync-state.js';
import { useUi } from '../../app/ui.js';
import { Footer } from '../../components/Footer.js';
import { courseMap, type MapItem, resumeIndex } from './map.js';

interface Props {
  lab: Lab;
  simulate: boolean;
  onOpen: (item: MapItem) => void;
  onQuit: () => void;
}

/** The course map: read the progress, put the cursor where the learner left off. */
function useCourseMap(lab: Lab) {
  const [progress, setProgress] = useState<Progress | undefined>(undefined);
  const [cursor, setCursor, cursorNow] = useSyncState(0);
  useEffect(() => {
    let live = true;
    void readProgress(lab).then((p) => {
      if (!live) return;
      setProgress(p);
      setCursor(resumeIndex(courseMap(lab.course, p), p));
    });
    // Progress changed in another terminal shows on the map too.
    const stop = watchProgressFile(lab.paths.progress, () => {
      void readProgress(lab).then((p) => live && setProgress(p));
    });
    return () => {
      live = false;
      stop();
    };
  }, [lab, setCursor]);
  const items = progress ? courseMap(lab.course, progress) : [];
  const move = (delta: number) => setCursor((c) => Math.min(items.length - 1, Math.max(0, c + delta)));
  return { progress, items, cursor, cursorNow, move };
}

export function Welcome({ lab, simulate, onOpen, onQuit }: Props) {
  const { inputActive } = useUi();
  const { progress, items, cursor, cursorNow, move } = useCourseMap(lab);
  useKeys(
    (input, key) =>
      !key.ctrl &&
      runFirst([
        [key.upArrow, () => move(-1)],
        [key.downArrow, () => move(1)],
        [
          key.return && items[cursorNow.current] !== undefined && !isLocked(items[cursorNow.current]!),
          () => onOpen(items[cursorNow.current]!),
        ],
        [input === 'q', onQuit],
      ]),
    { isActive: inputActive && progress !== undefined },
  );
  return <WelcomeView lab={lab} simulate={simulate} items={items} cursor={cursor} loaded={!!progress} />;
}

const isLocked = (item: MapItem) => item.type === 'exercise' && item.incident?.locked === true;

function WelcomeView(props: {
  lab: Lab;
  simulate: boolean;
  items: MapItem[];
  cursor: number;
  loaded: boolean;
}) {
  const { lab, simulate, items, cursor, loaded } = props;
  const exercises = items.filter(
    (i): i is Extract<MapItem, { type: 'exercise' }> => i.type === 'exercise' && !i.incident,
  );
  const done = exercises.filter((i) => i.done).length;
  const quiz = items.find((i) => i.type === 'quiz');
  const resumeAt = items[cursor];
  // On a short terminal the list is a window around the cursor, so the map (title, progress,
  // keys) stays whole: a live part taller than the terminal would scroll its top away.
  const { stdout } = useStdout();
  const room = Math.max(5, (stdout.rows || 40) - 13);
  const windowed = items.length > room;
  const first = windowed
    ? Math.max(0, Math.min(cursor - Math.floor(room / 2), items.length - (room - 2)))
    : 0;
  const last = windowed ? Math.min(items.length, first + room - 2) : items.length;
  return (
    <Box flexDirection="column">
      <Text bold color="magenta">
        churn-labs · Section 19: Production Kubernetes Deployments
      </Text>
      <Text dimColor>
        {simulate
          ? `Cluster: the built-in simulated cluster (context ${lab.target.context})`
          : lab.classroom
            ? `Cluster: the class cluster, context ${lab.target.context}, namespace ${lab.namespace}`
            : `Cluster: kind, context ${lab.target.context}`}
      </Text>
      {!loaded ? (
        <Text dimColor>Reading your progress…</Text>
      ) : lab.course.exercises.length === 0 ? (
        <Text color="yellow">This build has no exercises yet (labs/ is empty).</Text>
      ) : (
        <>
          <Box marginTop={1}>
            <Box marginRight={2}>
              <Bar done={done} of={exercises.length} width={30} />
            </Box>
            <Text>
              {done} of {exercises.length} exercises done
              {quiz?.type === 'quiz' && quiz.best !== undefined
                ? ` · quiz best ${quiz.best}/${quiz.max}`
                : ''}
            </Text>
          </Box>
          <Box flexDirection="column" marginTop={1}>
            {windowed && <Text dimColor>{first > 0 ? `  ↑ ${first} more` : ' '}</Text>}
            {items.slice(first, last).map((item, index) => {
              const i = first + index;
              const incident = item.type === 'exercise' && item.incident;
              const firstIncident =
                incident && !items.slice(0, i).some((o) => o.type === 'exercise' && o.incident);
              // Incidents are numbered on their own, under a heading of their own.
              const number = incident
                ? i + 1 - items.findIndex((o) => o.type === 'exercise' && o.incident)
                : i + 1;
              return (
                <Box key={`${item.type}/${item.id}`} flexDirection="column">
                  {firstIncident && (
                    <Text bold color="red">
                      On call: incidents{' '}
                      <Text dimColor bold={false}>
                        (the system you deployed breaks; find the cause and fix it)
                      </Text>
                    </Text>
                  )}
                  <MapLine item={item} number={number} selected={i === cursor} />
                </Box>
              );
            })}
            {windowed && (
              <Text dimColor>{last < items.length ? `  ↓ ${items.length - last} more` : ' '}</Text>
            )}
          </Box>
          {resumeAt && (
            <Box marginTop={1}>
              <Text>
                Enter:{' '}
                {isLocked(resumeAt)
                  ? 'nothing yet: incidents open once Exercise 1 is done'
                  : resumeAt.type !== 'quiz'
                    ? `open ${resumeAt.title}`
                    : resumeAt.answered > 0
                      ? 'carry on with the quiz'
                      : 'take the quiz'}
              </Text>
            </Box>
          )}
        </>
      )}
      <Footer
        keys={[
          ['↑↓', 'move'],
          ['Enter', 'open'],
          ['q', 'quit'],
        ]}
      />
    </Box>
  );
}

function MapLine({ item, number, selected }: { item: MapItem; number: number; selected: boolean }) {
  const pointer = selected ? <Text color="cyan">› </Text> : <Text>{'  '}</Text>;
  if (item.type === 'quiz') {
    return (
      <Text wrap="truncate">
        {pointer}
        <Text color="blue">?</Text>{' '}
        <Text bold={selected}>{/\bquiz\b/i.test(item.title) ? item.title : `Quiz: ${item.title}`}</Text>
        <Text dimColor>
          {item.best !== undefined
            ? ` · best ${item.best}/${item.max} (${item.attempts} attempt${item.attempts === 1 ? '' : 's'})`
            : item.answered === 0
              ? ' · not taken yet'
              : ''}
        </Text>
        {item.answered > 0 && (
          <Text color="yellow">
            {' '}
            · in progress: {item.answered} of {item.questions} questions answered
          </Text>
        )}
      </Text>
    );
  }
  if (item.incident) {
    const { locked, open } = item.incident;
    return (
      <Text wrap="truncate">
        {pointer}
        <Text color={item.done ? 'green' : open ? 'red' : undefined} dimColor={locked}>
          {item.done ? '✓' : open ? '!' : locked ? '·' : '○'}
        </Text>{' '}
        <Text bold={selected} dimColor={locked}>
          {String(number).padStart(2)}. {item.title}
        </Text>
        <Text dimColor>
          {item.done
            ? ' · solved'
            : open
              ? ' · open: the clock is running'
              : locked
                ? ' · locked until Exercise 1 is done'
                : ' · todo'}
        </Text>
      </Text>
    );
  }
  return (
    <Text wrap="truncate">
      {pointer}
      <Text
        color={item.done ? 'green' : item.passed > 0 ? 'yellow' : undefined}
        dimColor={!item.done && item.passed === 0}
      >
        {item.done ? '✓' : item.passed > 0 ? '◐' : '○'}
      </Text>{' '}
      <Text bold={selected}>
        {String(number).padStart(2)}. {item.title}
      </Text>
      <Text dimColor>
        {item.done ? ' · done' : item.passed > 0 ? ` · ${item.passed}/${item.steps} steps` : ' · todo'}
      </Text>
    </Text>
  );
}

/**
 * The progress bar, drawn at a fixed width. (@inkjs/ui's ProgressBar measures its box once drawn,
 * and came back empty after the help screen had hidden it.)
 */
function Bar({ done, of, width }: { done: number; of: number; width: number }) {
  const complete = Math.round((Math.min(done, of) / Math.max(1, of)) * width);
  return (
    <Text wrap="truncate">
      <Text color="magenta">{'█'.repeat(complete)}</Text>
      <Text dimColor>{'░'.repeat(width - complete)}</Text>
    </Text>
  );
}
