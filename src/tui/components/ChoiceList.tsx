import { Box, Text } from 'ink';
import { runFirst, useKeys } from '../app/keys.js';
import { useSyncState } from '../app/sync-state.js';

export interface Choice {
  label: string;
  value: string;
}

/** Arrow keys move, Enter chooses. */
export function ChoiceList({
  choices,
  onChoose,
  isActive,
}: {
  choices: Choice[];
  onChoose: (value: string) => void;
  isActive: boolean;
}) {
  const [cursor, setCursor, cursorNow] = useSyncState(0);
  useKeys(
    (_input, key) =>
      runFirst([
        [key.upArrow, () => setCursor((c) => Math.max(0, c - 1))],
        [key.downArrow, () => setCursor((c) => Math.min(choices.length - 1, c + 1))],
        [
          key.return && choices[cursorNow.current] !== undefined,
          () => onChoose(choices[cursorNow.current]!.value),
        ],
      ]),
    { isActive },
  );
  return (
    <Box flexDirection="column">
      {choices.map((choice, i) => (
        <Text key={choice.value} color={i === cursor ? 'cyan' : undefined}>
          {i === cursor ? '› ' : '  '}
          {choice.label}
        </Text>
      ))}
    </Box>
  );
}
