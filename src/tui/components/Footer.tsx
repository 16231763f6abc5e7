import { Box, Text, useStdout } from 'ink';

/** A key and what it does now, like ["h", "hint"]. */
export type KeyHint = readonly [key: string, action: string];

const SEPARATOR = ' · ';
const width = (hints: readonly KeyHint[]) =>
  hints.reduce(
    (total, [key, action], i) => total + (i > 0 ? SEPARATOR.length : 0) + key.length + 1 + action.length,
    0,
  );

/**
 * The keys that apply on this screen now, and the two that always do, on one line: on a narrow
 * terminal the screen's last keys give way first (? lists them all), so it never wraps.
 */
export function Footer({ keys, typing = false }: { keys: readonly KeyHint[]; typing?: boolean }) {
  const { stdout } = useStdout();
  const columns = stdout.columns || 80;
  const always: KeyHint[] = [...(typing ? [] : [['?', 'keys'] as const]), ['Ctrl-C', 'quit']];
  const shown = [...keys];
  while (shown.length > 1 && width([...shown, ...always]) > columns - 1) shown.pop();
  const all = [...shown, ...always];
  return (
    <Box marginTop={1}>
      <Text dimColor wrap="truncate">
        {all.map(([key, action], i) => (
          <Text key={key}>
            {i > 0 ? SEPARATOR : ''}
            <Text bold>{key}</Text> {action}
          </Text>
        ))}
      </Text>
    </Box>
  );
}
