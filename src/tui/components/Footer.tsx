import { Box, Text } from 'ink';

/** A key and what it does now, like ["h", "hint"]. */
export type KeyHint = readonly [key: string, action: string];

/** The keys that apply on this screen now, and the two that always do. */
export function Footer({ keys, typing = false }: { keys: readonly KeyHint[]; typing?: boolean }) {
  const all: KeyHint[] = [...keys, ...(typing ? [] : [['?', 'keys'] as const]), ['Ctrl-C', 'quit']];
  return (
    <Box marginTop={1}>
      <Text dimColor>
        {all.map(([key, action], i) => (
          <Text key={key}>
            {i > 0 ? ' · ' : ''}
            <Text bold>{key}</Text> {action}
          </Text>
        ))}
      </Text>
    </Box>
  );
}
