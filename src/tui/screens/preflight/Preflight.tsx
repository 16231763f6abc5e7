import { Spinner } from '@inkjs/ui';
import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import type { DoctorCheck, DoctorReport } from '../../../cluster/doctor.js';
import { runFirst, useKeys } from '../../app/keys.js';
import { useUi } from '../../app/ui.js';
import { Footer, type KeyHint } from '../../components/Footer.js';

interface Props {
  simulate: boolean;
  onContinue: () => void;
  onSimulate: () => void;
  onBack: () => void;
}

/** On the simulated cluster only these matter; Docker and kind are not used. */
const SIMULATED_NEEDS = new Set(['node', 'kubectl']);
/** What the simulated cluster replaces: failing only these, the learner can go on without them. */
const DOCKER_SIDE = new Set(['docker', 'docker-daemon', 'docker-memory', 'kind', 'inotify']);
const EXPECTED = ['node', 'docker', 'docker-daemon', 'kind', 'kubectl'];

export type Verdict = { ok: boolean; checks: DoctorCheck[]; canSimulate: boolean };

/** The doctor's report as this mode reads it. */
export function preflightVerdict(report: DoctorReport, simulate: boolean): Verdict {
  const checks = simulate ? report.checks.filter((c) => SIMULATED_NEEDS.has(c.id)) : report.checks;
  const failing = checks.filter((c) => !c.ok && c.required);
  return {
    ok: failing.length === 0,
    checks,
    canSimulate: !simulate && failing.length > 0 && failing.every((c) => DOCKER_SIDE.has(c.id)),
  };
}

function useDoctor(simulate: boolean) {
  const { services } = useUi();
  const [run, setRun] = useState(0);
  const [verdict, setVerdict] = useState<Verdict | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    setVerdict(undefined);
    setError(undefined);
    void run;
    services.doctor().then(
      (report) => live && setVerdict(preflightVerdict(report, simulate)),
      (e: unknown) => live && setError((e as Error).message),
    );
    return () => {
      live = false;
    };
  }, [services, simulate, run]);
  return { verdict, error, again: () => setRun((n) => n + 1) };
}

export function Preflight({ simulate, onContinue, onSimulate, onBack }: Props) {
  const { print, inputActive } = useUi();
  const { verdict, error, again } = useDoctor(simulate);

  const proceed = () => {
    print(
      <Text>
        <Text color="green">✓</Text> Preflight: {verdict?.checks.map((c) => c.id).join(', ')} ok
      </Text>,
    );
    onContinue();
  };
  // With --simulate there is nothing to decide when all is well: go straight on.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per verdict.
  useEffect(() => {
    if (simulate && verdict?.ok) proceed();
  }, [verdict]);

  useKeys(
    (input, key) =>
      !key.ctrl &&
      runFirst([
        [input === 'q', onBack],
        [input === 'r' && Boolean(verdict || error), again],
        [key.return && Boolean(verdict?.ok), proceed],
        [input === 's' && Boolean(verdict?.canSimulate), onSimulate],
      ]),
    { isActive: inputActive },
  );

  const keys: KeyHint[] = [];
  if (verdict?.ok) keys.push(['Enter', 'bring the lab up']);
  if (verdict?.canSimulate) keys.push(['s', 'use the simulated cluster']);
  if (verdict || error) keys.push(['r', 'check again']);
  keys.push(['q', 'back']);

  return (
    <Box flexDirection="column">
      <Text bold>Preflight: what the labs need</Text>
      <Box flexDirection="column" marginTop={1}>
        {!verdict && !error
          ? EXPECTED.filter((id) => !simulate || SIMULATED_NEEDS.has(id)).map((id) => (
              <Spinner key={id} label={id} />
            ))
          : verdict?.checks.map((check) => <CheckLine key={check.id} check={check} />)}
        {error && <Text color="red">The preflight could not run: {error}</Text>}
      </Box>
      {verdict && (
        <Box marginTop={1} flexDirection="column">
          {verdict.ok ? (
            <Text color="green">Everything the labs need is here.</Text>
          ) : verdict.canSimulate ? (
            <Text>
              Docker or kind is missing, so the kind cluster cannot run here. Fix what is marked ✗, or press{' '}
              <Text bold>s</Text> to continue on the built-in simulated cluster (the same course, no Docker).
            </Text>
          ) : (
            <Text>Fix what is marked ✗, then press r to check again.</Text>
          )}
        </Box>
      )}
      <Footer keys={keys} />
    </Box>
  );
}

function CheckLine({ check }: { check: DoctorCheck }) {
  const mark = check.ok ? (
    <Text color="green">✓</Text>
  ) : check.required ? (
    <Text color="red">✗</Text>
  ) : (
    <Text color="yellow">!</Text>
  );
  return (
    <Box flexDirection="column">
      <Text>
        {mark} {check.id.padEnd(14)} {check.detail}
      </Text>
      {check.fix && <Text dimColor>{`  fix: ${check.fix}`}</Text>}
    </Box>
  );
}
