import { Spinner } from '@inkjs/ui';
import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import { HEALTHY_EXERCISE } from '../../../course/incident.js';
import { type ExerciseProgress, hintsUsed, isDone, solveSeconds } from '../../../course/progress.js';
import type { Exercise as ExerciseData } from '../../../course/schema.js';
import { watchProgressFile } from '../../../files/progress-store.js';
import { type Lab, readProgress } from '../../../lab.js';
import { runFirst, useKeys } from '../../app/keys.js';
import { useUi } from '../../app/ui.js';
import { Footer } from '../../components/Footer.js';
import { Markdown } from '../../markdown/Markdown.js';
import { Exercise } from '../exercise/Exercise.js';

type Phase =
  | { name: 'loading' }
  | { name: 'locked' }
  | { name: 'briefing' }
  | { name: 'working'; label: string }
  | { name: 'unhealthy'; failing: string[] }
  | { name: 'failed'; message: string }
  | { name: 'on-call' };

interface Props {
  lab: Lab;
  incident: ExerciseData;
  number: number;
  total: number;
  onBack: () => void;
}

/**
 * An incident: the page (the symptom only), then, once the learner starts it, the system breaks
 * out of sight and the exercise screen takes over (checks, panel, hints on h, do it for me on s)
 * with the clock running under the title.
 */
export function Incident({ lab, incident, number, total, onBack }: Props) {
  const { services, inputActive } = useUi();
  const [phase, setPhase] = useState<Phase>({ name: 'loading' });
  const [entry, setEntry] = useState<ExerciseProgress | undefined>(undefined);

  useEffect(() => {
    let live = true;
    const read = () =>
      void readProgress(lab).then((progress) => {
        if (!live) return;
        const mine = progress.exercises[incident.id];
        setEntry(mine);
        setPhase((p) => {
          if (mine?.brokenAt) return { name: 'on-call' };
          // Reset in another terminal: back to the page.
          if (p.name === 'on-call') return { name: 'briefing' };
          if (p.name !== 'loading') return p;
          const healthy = lab.course.exercises.find((e) => e.id === HEALTHY_EXERCISE);
          return healthy && !isDone(progress, healthy) ? { name: 'locked' } : { name: 'briefing' };
        });
      });
    read();
    const stop = watchProgressFile(lab.paths.progress, read);
    return () => {
      live = false;
      stop();
    };
  }, [lab, incident]);

  const work = services.incidents;
  const start = async () => {
    if (!work) return setPhase({ name: 'failed', message: 'Incidents cannot be started here.' });
    setPhase({ name: 'working', label: "Checking that the system is healthy (Exercise 1's checks)…" });
    const health = await work
      .health(lab)
      .catch((error: Error) => ({ passed: false, error: error.message, steps: [] }));
    if (!health.passed) {
      if (health.error) return setPhase({ name: 'failed', message: health.error });
      const failing = health.steps.flatMap((s) =>
        s.checks.filter((c) => !c.passed).map((c) => `${c.title}: ${c.message}`),
      );
      return setPhase({ name: 'unhealthy', failing });
    }
    setPhase({ name: 'working', label: 'Starting the incident…' });
    const ok = await work.breakSystem(lab, incident).catch(() => false);
    if (!ok)
      return setPhase({
        name: 'failed',
        message: `The incident could not start: a command failed. churn-labs incident ${incident.id} --debug shows why.`,
      });
    // The progress file now says when it broke: the watcher moves on to the on-call screen.
    const progress = await readProgress(lab);
    setEntry(progress.exercises[incident.id]);
    setPhase({ name: 'on-call' });
  };
  const restore = async () => {
    if (!work) return;
    setPhase({ name: 'working', label: 'Putting the system back as Exercise 1 left it (re-applying k8s/)…' });
    const ok = await work.restore(lab, incident).catch(() => false);
    setPhase(
      ok
        ? { name: 'briefing' }
        : {
            name: 'failed',
            message: `Putting it back failed: churn-labs reset ${incident.id} --yes --debug shows why.`,
          },
    );
  };

  useKeys(
    (input, key) =>
      !key.ctrl &&
      runFirst([
        [input === 'q', onBack],
        [key.return && phase.name === 'briefing', () => void start()],
        [input === 'r' && (phase.name === 'unhealthy' || phase.name === 'failed'), () => void restore()],
      ]),
    { isActive: inputActive && phase.name !== 'on-call' && phase.name !== 'loading' },
  );

  if (phase.name === 'on-call')
    return (
      <Exercise
        key={entry?.brokenAt}
        lab={lab}
        exercise={incident}
        number={number}
        total={total}
        onNext={onBack}
        onPrevious={onBack}
        onBack={onBack}
        header={<Clock entry={entry} />}
      />
    );
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text>
        <Text bold color="red">
          On call · incident {number} of {total}:{' '}
        </Text>
        <Text bold>{incident.title}</Text>
      </Text>
      {phase.name === 'loading' && <Text dimColor>Opening {incident.title}…</Text>}
      {phase.name === 'locked' && (
        <Text color="yellow">
          Incidents happen to the system Exercise 1 deploys: do Exercise 1 first, then come back.
        </Text>
      )}
      {phase.name !== 'loading' && phase.name !== 'locked' && (
        <Box flexDirection="column" marginTop={1}>
          <Markdown text={incident.intro} />
        </Box>
      )}
      {phase.name === 'briefing' && (
        <Text>
          Enter starts it: the running system breaks as the page says (out of sight), and the clock starts.
        </Text>
      )}
      {phase.name === 'working' && <Spinner label={phase.label} />}
      {phase.name === 'unhealthy' && (
        <Box flexDirection="column">
          <Text color="yellow">
            The system is not healthy now, and an incident starts from a healthy one:
          </Text>
          {phase.failing.map((line) => (
            <Text key={line} dimColor>
              {'  ✗ '}
              {line}
            </Text>
          ))}
          <Text>
            r puts it back as Exercise 1 left it (re-applies your workspace's k8s/); then Enter starts.
          </Text>
        </Box>
      )}
      {phase.name === 'failed' && (
        <Box flexDirection="column">
          <Text color="red">{phase.message}</Text>
          <Text>r puts the system back as Exercise 1 left it.</Text>
        </Box>
      )}
      <Footer
        keys={[
          ...(phase.name === 'briefing' ? ([['Enter', 'start the incident']] as const) : []),
          ...(phase.name === 'unhealthy' || phase.name === 'failed'
            ? ([['r', 'put the system back']] as const)
            : []),
          ['q', 'map'],
        ]}
      />
    </Box>
  );
}

/** The incident's clock: running since the break, stopped at the fix, with the hints used. */
function Clock({ entry }: { entry: ExerciseProgress | undefined }) {
  const [, tick] = useState(0);
  const solved = solveSeconds(entry);
  useEffect(() => {
    if (solved !== undefined) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [solved]);
  const since = entry?.brokenAt ? Date.parse(entry.brokenAt) : Date.now();
  const seconds = solved ?? Math.max(0, Math.round((Date.now() - since) / 1000));
  const hints = hintsUsed(entry);
  return (
    <Text color={solved === undefined ? 'red' : 'green'}>
      {solved === undefined ? '⏱ on call for ' : '✓ solved in '}
      {clockText(seconds)} · {hints} hint{hints === 1 ? '' : 's'}
    </Text>
  );
}

export function clockText(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}
