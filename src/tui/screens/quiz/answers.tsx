import { Box, Text } from 'ink';
import { useLayoutEffect } from 'react';
import type { Answer } from '../../../course/grade.js';
import type { Question } from '../../../course/schema.js';
import { runFirst, useKeys } from '../../app/keys.js';
import { useUi } from '../../app/ui.js';
import { ChoiceList } from '../../components/ChoiceList.js';
import { TextField } from '../../components/TextField.js';

/** A text field has the keys while it is on screen: `?` and `q` are letters then. */
function useTyping() {
  const { setTyping } = useUi();
  // In the commit that shows the field, so that a `?` typed at once is already a letter.
  useLayoutEffect(() => {
    setTyping(true);
    return () => setTyping(false);
  }, [setTyping]);
}

/** Esc leaves a text field (the letters q and ? are for typing there). */
function useEscape(onEscape: () => void) {
  const { inputActive } = useUi();
  useKeys((_input, key) => runFirst([[key.escape, onEscape]]), { isActive: inputActive });
}

export function ChoiceAnswer({
  question,
  onAnswer,
}: {
  question: Extract<Question, { type: 'choice' }>;
  onAnswer: (answer: Answer) => void;
}) {
  const { inputActive } = useUi();
  return (
    <ChoiceList
      isActive={inputActive}
      choices={question.choices.map((c) => ({ label: `${c.key}) ${c.text}`, value: c.key }))}
      onChoose={(value) => onAnswer(value)}
    />
  );
}

export function TrueFalseAnswer({ onAnswer }: { onAnswer: (answer: Answer) => void }) {
  const { inputActive } = useUi();
  return (
    <ChoiceList
      isActive={inputActive}
      choices={[
        { label: 'True', value: 'true' },
        { label: 'False', value: 'false' },
      ]}
      onChoose={(value) => onAnswer(value === 'true')}
    />
  );
}

export function ShortAnswer({
  onAnswer,
  onEscape,
  draft,
  onDraft,
}: {
  onAnswer: (answer: Answer) => void;
  onEscape: () => void;
  /** What the learner typed here before and did not submit. */
  draft?: string;
  onDraft?: (text: string) => void;
}) {
  const { inputActive } = useUi();
  useTyping();
  useEscape(onEscape);
  return (
    <Box flexDirection="column">
      <Text dimColor>Type your answer in a sentence or two; Enter submits it.</Text>
      <Box>
        <Text color="cyan">› </Text>
        <TextField
          isActive={inputActive}
          placeholder="your answer"
          initial={draft}
          onChange={onDraft}
          onSubmit={(value) => value.trim() !== '' && onAnswer(value)}
        />
      </Box>
    </Box>
  );
}

export function PathField({
  error,
  onPath,
  onEscape,
}: {
  error?: string;
  onPath: (path: string) => void;
  onEscape: () => void;
}) {
  const { inputActive } = useUi();
  useTyping();
  useEscape(onEscape);
  return (
    <Box flexDirection="column">
      <Text dimColor>
        The path of a YAML file with your answer (relative to {process.cwd()}); Enter reads it.
      </Text>
      <Box>
        <Text color="cyan">› </Text>
        <TextField
          isActive={inputActive}
          placeholder="answer.yaml"
          onSubmit={(value) => value.trim() !== '' && onPath(value.trim())}
        />
      </Box>
      {error && <Text color="red">{error}</Text>}
    </Box>
  );
}

export function DesignChoice({
  onChoose,
  error,
}: {
  onChoose: (how: 'editor' | 'file') => void;
  error?: string;
}) {
  const { inputActive } = useUi();
  const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
  return (
    <Box flexDirection="column">
      <Text dimColor>Answer with YAML (one or more documents):</Text>
      <ChoiceList
        isActive={inputActive}
        choices={[
          { label: `Write it in your editor (${editor})`, value: 'editor' },
          { label: 'Read it from a file', value: 'file' },
        ]}
        onChoose={(value) => onChoose(value as 'editor' | 'file')}
      />
      {error && <Text color="red">{error}</Text>}
    </Box>
  );
}
