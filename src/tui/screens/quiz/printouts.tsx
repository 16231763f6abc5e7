import { Box, Text } from 'ink';
import type { QuestionGrade } from '../../../course/grade.js';
import type { Question, Quiz } from '../../../course/schema.js';
import { lexInline } from '../../markdown/lexer.js';
import { Markdown, Spans } from '../../markdown/Markdown.js';

/** The model answer as the learner should read it, whatever the question's type. */
export function modelAnswer(question: Question): string {
  switch (question.type) {
    case 'choice':
      return `${question.answer}) ${question.choices.find((c) => c.key === question.answer)?.text ?? ''}`;
    case 'truefalse':
      return question.answer ? 'True' : 'False';
    default:
      return question.modelAnswer.trimEnd();
  }
}

export function Mark({ grade }: { grade: QuestionGrade }) {
  return grade.score >= grade.max ? (
    <Text color="green">✓</Text>
  ) : grade.score > 0 ? (
    <Text color="yellow">~</Text>
  ) : (
    <Text color="red">✗</Text>
  );
}

export function QuestionIntro({ quiz, index }: { quiz: Quiz; index: number }) {
  const question = quiz.questions[index]!;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>
        Question {index + 1} of {quiz.questions.length}
        <Text dimColor>
          {' '}
          · {question.points} point{question.points === 1 ? '' : 's'} · {quiz.title}
        </Text>
      </Text>
      <Markdown text={question.prompt} />
    </Box>
  );
}

export function Feedback({ question, grade }: { question: Question; grade: QuestionGrade }) {
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text>
        <Mark grade={grade} /> {grade.score} of {grade.max}: {grade.feedback}
      </Text>
      <Box flexDirection="column" marginTop={1}>
        <Text bold>Model answer</Text>
        <Markdown text={modelAnswer(question)} />
      </Box>
      <Box flexDirection="column" marginTop={1}>
        <Text bold>Why</Text>
        <Markdown text={question.explanation} />
      </Box>
    </Box>
  );
}

/** What stays on screen of a question once the learner moves on. */
export function QuestionRecord({
  question,
  grade,
  number,
}: {
  question: Question;
  grade: QuestionGrade;
  number: number;
}) {
  return (
    <Text>
      <Mark grade={grade} /> Question {number} ({grade.score}/{grade.max}):{' '}
      <Spans spans={lexInline(question.prompt.split('\n')[0] ?? '')} />
      <Text dimColor> · {grade.feedback}</Text>
    </Text>
  );
}
