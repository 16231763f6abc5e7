import { Box, Text } from 'ink';
import type { Lab } from '../../../lab.js';
import { Code } from '../../markdown/Markdown.js';
import { type FinishedStep, seconds } from './progress.js';

export function FinishedLine({ step }: { step: FinishedStep }) {
  const mark =
    step.outcome === 'ok' ? (
      <Text color="green">✓</Text>
    ) : step.outcome === 'skipped' ? (
      <Text dimColor>–</Text>
    ) : (
      <Text color="red">✗</Text>
    );
  return (
    <Text>
      {mark} {step.title} <Text dimColor>{seconds(step.ms)}</Text>
      {step.detail ? <Text dimColor> · {step.detail}</Text> : null}
    </Text>
  );
}

export function Failure({ step, message }: { step?: FinishedStep; message?: string }) {
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text color="red">
        {step
          ? `${step.title} failed${step.detail ? `: ${step.detail}` : '.'}`
          : 'Bringing the lab up failed.'}
      </Text>
      {message && <Text color="red">{message}</Text>}
      {step?.fix && <Text>What to do: {step.fix}</Text>}
      {step?.outputTail && (
        <Box flexDirection="column" marginTop={1}>
          <Text dimColor>The last lines it printed:</Text>
          <Text dimColor>{step.outputTail}</Text>
        </Box>
      )}
    </Box>
  );
}

/** How the learner points their own terminal at the lab; printed once, so it stays on screen. */
export function ReadyNote({ lab, simulate }: { lab: Lab; simulate: boolean }) {
  return (
    <Box flexDirection="column" marginTop={1} marginBottom={1}>
      <Text color="green" bold>
        {lab.classroom
          ? `Your lab is ready: namespace ${lab.namespace}, made for you by your instructor.`
          : 'The lab is up.'}
      </Text>
      <Text>Work in a second terminal. Point kubectl at the lab and go to your workspace:</Text>
      <Code
        lines={[
          (simulate || lab.classroom) && lab.target.kubeconfig
            ? `export KUBECONFIG=${lab.target.kubeconfig}`
            : `kubectl config use-context ${lab.target.context}`,
          `cd ${lab.paths.workspace}`,
        ]}
      />
    </Box>
  );
}
