import { Box, Text } from 'ink';

const SECTIONS: [string, [string, string][]][] = [
  [
    'Everywhere',
    [
      ['↑ ↓', 'move'],
      ['Enter', 'choose, continue'],
      ['q', 'go back; on the course map, quit'],
      ['Ctrl-C', 'quit from anywhere (progress is saved)'],
      ['?', 'these keys'],
    ],
  ],
  [
    'In an exercise',
    [
      ['h', 'the next hint for this step'],
      ['s', 'do it for me: run the reference solution'],
      ['n / p', 'next / previous step (or exercise)'],
    ],
  ],
  [
    'In the quiz',
    [
      ['↑ ↓ Enter', 'pick a choice'],
      ['Enter', 'submit a typed answer'],
      ['Esc', 'leave the quiz from a typed answer (your answers so far are kept); back from a file path'],
    ],
  ],
];

export function Help() {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>Keys</Text>
      {SECTIONS.map(([title, keys]) => (
        <Box key={title} flexDirection="column" marginTop={1}>
          <Text underline>{title}</Text>
          {keys.map(([key, action]) => (
            <Text key={key}>
              <Text bold>{key.padEnd(10)}</Text> {action}
            </Text>
          ))}
        </Box>
      ))}
      <Box marginTop={1}>
        <Text dimColor>Any key closes this.</Text>
      </Box>
    </Box>
  );
}
