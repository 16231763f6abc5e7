import { Spinner } from '@inkjs/ui';
import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import type { Lab } from '../../../lab.js';
import { runFirst, useKeys } from '../../app/keys.js';
import { useUi } from '../../app/ui.js';
import { Footer, type KeyHint } from '../../components/Footer.js';
import { Failure } from './notes.js';
import { seconds } from './progress.js';
import { useBringUp } from './useBringUp.js';

interface Props {
  lab: Lab;
  simulate: boolean;
  /** The title of what comes once the lab is up. */
  next: string;
  /** The lab is up; `lab` targets it (for the simulator: its context and kubeconfig). */
  onUp: (lab: Lab) => void;
  onStart: () => void;
  onBack: () => void;
}

/** Seconds since a step started, redrawn once a second only while steps run. */
function useClock(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function Environment({ lab, simulate, next, onUp, onStart, onBack }: Props) {
  const { inputActive, print } = useUi();
  // Printed first, above the steps that finish (they are printed as they do).
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, on opening the screen
  useEffect(() => {
    print(
      <Text bold>
        The lab environment
        {simulate
          ? ' (simulated cluster)'
          : lab.classroom
            ? ` (classroom: namespace ${lab.namespace}, context ${lab.target.context})`
            : ` (kind, context ${lab.target.context})`}
      </Text>,
    );
  }, []);
  const { running, phase, retry } = useBringUp(lab, simulate, onUp);
  const now = useClock(running.length > 0);

  useKeys(
    (input, key) =>
      !key.ctrl &&
      runFirst(
        phase.name === 'asking' || phase.name === 'recreate'
          ? [
              [input === 'y', () => phase.answer(true)],
              [input === 'n' || key.return, () => phase.answer(false)],
              [input === 'q', onBack],
            ]
          : [
              [input === 'q', onBack],
              [phase.name === 'ready' && key.return, onStart],
              [phase.name === 'failed' && input === 'r', retry],
            ],
      ),
    { isActive: inputActive },
  );

  const keys: KeyHint[] =
    phase.name === 'ready'
      ? [
          ['Enter', `start: ${next}`],
          ['q', 'back'],
        ]
      : phase.name === 'failed'
        ? [
            ['r', 'try again'],
            ['q', 'back'],
          ]
        : phase.name === 'asking'
          ? [
              ['y', 'overwrite'],
              ['n', 'keep yours'],
            ]
          : phase.name === 'recreate'
            ? [
                ['y', 'delete and re-create'],
                ['n', 'keep it'],
              ]
            : [['q', 'stop and go back']];

  return (
    <Box flexDirection="column">
      {running.map((step) => (
        <Box key={step.id} flexDirection="column">
          <Box>
            <Spinner label={step.title} />
            <Text dimColor> {seconds(Math.max(0, now - step.startedAt))}</Text>
          </Box>
          {step.command && <Text dimColor>{`  ${step.command}`}</Text>}
        </Box>
      ))}
      {phase.name === 'running' && running.length === 0 && <Text dimColor>Starting…</Text>}
      {phase.name === 'asking' && (
        <Box flexDirection="column" marginTop={1}>
          <Text>You changed these files in your workspace; the course has other versions of them:</Text>
          {phase.files.map((f) => (
            <Text key={f}>{`  ${f}`}</Text>
          ))}
          <Text>
            Overwrite them with the course's versions? <Text bold>y</Text>/<Text bold>N</Text>
          </Text>
        </Box>
      )}
      {phase.name === 'recreate' && (
        <Box flexDirection="column" marginTop={1}>
          <Text>{phase.question}</Text>
          <Text>
            <Text bold>y</Text>/<Text bold>N</Text>
          </Text>
        </Box>
      )}
      {phase.name === 'failed' && <Failure step={phase.step} message={phase.message} />}
      {phase.name === 'ready' && <Text color="green">Press Enter to start.</Text>}
      <Footer keys={keys} />
    </Box>
  );
}
