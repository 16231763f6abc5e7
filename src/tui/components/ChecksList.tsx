import { Box, Text } from 'ink';
import type { StepResult } from '../../course/judge.js';
import type { Step } from '../../course/schema.js';

/** The checks of one step as they stand now; before the first evaluation, their titles. */
export function ChecksList({
  step,
  result,
  compact = false,
}: {
  step: Step;
  result: StepResult | undefined;
  /** Two lines at most: how many pass, and the first that does not with what it found. */
  compact?: boolean;
}) {
  if (compact && result) {
    const passed = result.checks.filter((c) => c.passed).length;
    const failing = result.checks.find((c) => !c.passed);
    return (
      <Box flexDirection="column">
        <Text wrap="truncate">
          {'  '}
          <Text color={failing ? 'red' : 'green'}>{failing ? '✗' : '✓'}</Text> {passed} of{' '}
          {result.checks.length} checks pass{failing ? `; next: ${failing.title}` : ''}
        </Text>
        {failing && (
          <Text dimColor wrap="truncate">
            {'      '}
            {failing.message}
          </Text>
        )}
      </Box>
    );
  }
  if (!result)
    return (
      <Box flexDirection="column">
        {step.checks.map((check) => (
          <Text key={check.id} dimColor>
            {'  '}· {check.title}
          </Text>
        ))}
      </Box>
    );
  return (
    <Box flexDirection="column">
      {result.checks.map((check) => (
        <Box key={check.id} flexDirection="column">
          <Text>
            {'  '}
            <Text color={check.passed ? 'green' : 'red'}>{check.passed ? '✓' : '✗'}</Text> {check.title}
          </Text>
          {!check.passed && (
            // Indented as a box, so that a long message wraps under itself, not at the left edge.
            <Box paddingLeft={6}>
              <Text dimColor>{check.message}</Text>
            </Box>
          )}
        </Box>
      ))}
      {result.recorded && (
        <Text dimColor>{'  '}This step has passed; it stays passed, whatever the cluster shows now.</Text>
      )}
      {result.waiting && (
        <Text color="yellow">{'  '}Its checks pass; finish the steps before it first (p goes back).</Text>
      )}
    </Box>
  );
}
