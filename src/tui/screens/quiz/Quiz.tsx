import { Box, Text } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { type Answer, gradeQuestion, prepareGrading, type QuestionGrade } from '../../../course/grade.js';
import {
  forgetQuizAnswers,
  recordQuiz,
  recordQuizAnswer,
  setQuizDraft,
  setQuizPosition,
} from '../../../course/progress.js';
import type { Quiz as QuizData } from '../../../course/schema.js';
import { type Lab, readProgress } from '../../../lab.js';
import { runFirst, useKeys } from '../../app/keys.js';
import { useSaveProgress } from '../../app/save-progress.js';
import { useSyncState } from '../../app/sync-state.js';
import { useUi } from '../../app/ui.js';
import { Footer, type KeyHint } from '../../components/Footer.js';
import { ChoiceAnswer, DesignChoice, PathField, ShortAnswer, TrueFalseAnswer } from './answers.js';
import { draftPath, prepareDraft, readDesign } from './design.js';
import { Feedback, Mark, QuestionIntro, QuestionRecord } from './printouts.js';

interface Props {
  lab: Lab;
  quiz: QuizData;
  onBack: () => void;
}

type Phase =
  /** `tries` counts failed attempts, so that each one gets a fresh field. */
  | { name: 'answer'; design?: 'choose' | 'path'; error?: string; tries?: number }
  | { name: 'feedback'; grade: QuestionGrade }
  | { name: 'summary'; score: number; max: number; percent: number };

const round = (n: number) => Math.round(n * 100) / 100;

interface QuizProgress {
  index: number;
  phase: Phase;
  grades: QuestionGrade[];
}

/**
 * Where an attempt stands after the answers kept from an earlier visit: each is graded again, in
 * question order, up to the first question without one. When every question has its answer the
 * last one's feedback is shown again, Enter leading to the score.
 */
function resumeQuiz(quiz: QuizData, saved: Record<string, Answer> | undefined): QuizProgress {
  const grades: QuestionGrade[] = [];
  for (const question of quiz.questions) {
    if (saved?.[question.id] === undefined) break;
    grades.push(gradeQuestion(question, saved[question.id]!));
  }
  if (grades.length === quiz.questions.length && grades.length > 0) {
    const last = grades.pop()!;
    return { index: grades.length, phase: { name: 'feedback', grade: last }, grades };
  }
  return { index: grades.length, phase: { name: 'answer' }, grades };
}

/** One question at a time; after each, the feedback, the model answer and why; then the score. */
function useQuiz(lab: Lab, quiz: QuizData, start: QuizProgress, drafts: Record<string, string>) {
  const { print, session } = useUi();
  const [state, setState, now] = useSyncState<QuizProgress>(start);
  const question = quiz.questions[state.index]!;

  const save = useSaveProgress(lab);
  // A short answer typed and not submitted survives Esc, leaving the quiz and quitting the app:
  // kept in the progress when the question is left, shown again when it comes back.
  const typed = useRef(new Map(Object.entries(drafts)));
  const changed = useRef(new Set<string>());
  const onDraft = (questionId: string, text: string) => {
    typed.current.set(questionId, text);
    changed.current.add(questionId);
  };
  const keepDrafts = async () => {
    const ids = [...changed.current];
    changed.current.clear();
    if (ids.length === 0) return;
    const texts = ids.map((id) => [id, typed.current.get(id) ?? ''] as const);
    await save(
      (p) => texts.reduce((q, [id, text]) => setQuizDraft(q, quiz.id, id, text), p),
      'Your answer so far',
    );
  };
  // Kept when the quiz screen goes, and when the app quits (the session waits for it then).
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, for the screen's life.
  useEffect(() => {
    const release = session.hold(keepDrafts);
    return () => void release();
  }, []);

  const setPhase = (phase: Phase) => setState((s) => ({ ...s, phase }));
  // On the map, the quiz is where the learner is now; the answers kept say how far they got.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, on opening the quiz
  useEffect(() => {
    void save((p) => setQuizPosition(p, quiz.id), 'Your place in the course');
    const graded = start.phase.name === 'feedback' ? [...start.grades, start.phase.grade] : start.grades;
    if (graded.length > 0) {
      const score = round(graded.reduce((sum, g) => sum + g.score, 0));
      const max = round(graded.reduce((sum, g) => sum + g.max, 0));
      print(
        <Text color="yellow">
          Carrying on: questions 1 to {graded.length} of {quiz.questions.length} answered, {score} of their{' '}
          {max} points scored.
        </Text>,
      );
    }
  }, []);
  // Each question and its feedback are printed once, so a long model answer scrolls like any
  // output; only the answer being given stays live.
  useEffect(() => print(<QuestionIntro quiz={quiz} index={state.index} />), [print, quiz, state.index]);
  // A question already answered when the quiz was left: its feedback again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, on opening the quiz
  useEffect(() => {
    if (start.phase.name === 'feedback')
      print(<Feedback question={quiz.questions[start.index]!} grade={start.phase.grade} />);
  }, []);

  const grading = useRef(false);
  const answer = (given: Answer) => {
    if (now.current.phase.name !== 'answer' || grading.current) return;
    const asked = quiz.questions[now.current.index]!;
    // A short answer is read with the English model, loaded the first time one is graded.
    grading.current = true;
    void prepareGrading([asked]).then(() => {
      grading.current = false;
      graded(asked, given);
    });
  };
  const graded = (asked: QuizData['questions'][number], given: Answer) => {
    const grade = gradeQuestion(asked, given);
    setPhase({ name: 'feedback', grade });
    // Submitted: no longer a draft (recordQuizAnswer drops the kept one).
    typed.current.delete(asked.id);
    changed.current.delete(asked.id);
    print(<Feedback question={asked} grade={grade} />);
    // Kept at once: leaving the quiz, or the app, loses no answer.
    void save((p) => recordQuizAnswer(p, quiz.id, asked.id, given), 'Your answer');
  };

  const next = async () => {
    const { index, phase, grades } = now.current;
    if (phase.name !== 'feedback') return;
    const all = [...grades, phase.grade];
    if (index + 1 < quiz.questions.length) {
      setState({ index: index + 1, phase: { name: 'answer' }, grades: all });
      return;
    }
    const score = round(all.reduce((s, g) => s + g.score, 0));
    const max = round(all.reduce((s, g) => s + g.max, 0));
    const percent = max === 0 ? 0 : Math.round((score / max) * 1000) / 10;
    setState({ index, phase: { name: 'summary', score, max, percent }, grades: all });
    print(
      <Box flexDirection="column" marginTop={1}>
        <Text bold color={percent >= 70 ? 'green' : 'yellow'}>
          {quiz.title}: {score} / {max} ({percent}%)
        </Text>
        {quiz.questions.map((q, i) => (
          <QuestionRecord key={q.id} question={q} grade={all[i]!} number={i + 1} />
        ))}
      </Box>,
    );
    // The attempt is over: its score is kept, and the next visit starts afresh.
    await save((p) => forgetQuizAnswers(recordQuiz(p, quiz.id, score, max), quiz.id), 'Your score');
  };

  return {
    index: state.index,
    question,
    phase: state.phase,
    now,
    setPhase,
    answer,
    next,
    draft: (id: string) => typed.current.get(id),
    onDraft,
    keepDrafts,
  };
}

/** Reads the progress first: the answers kept from an earlier visit, to carry on from. */
export function Quiz(props: Props) {
  const { lab, quiz } = props;
  const [start, setStart] = useState<{ quiz: QuizProgress; drafts: Record<string, string> } | undefined>(
    undefined,
  );
  useEffect(() => {
    let live = true;
    void readProgress(lab).then(async (progress) => {
      const saved = progress.quizAnswers?.[quiz.id];
      // Answers kept from an earlier visit are graded again: a short one needs the English model.
      await prepareGrading(quiz.questions.filter((q) => saved?.[q.id] !== undefined));
      if (live)
        setStart({
          quiz: resumeQuiz(quiz, saved),
          drafts: { ...progress.quizDrafts?.[quiz.id] },
        });
    });
    return () => {
      live = false;
    };
  }, [lab, quiz]);
  if (!start) return <Text dimColor>Opening {quiz.title}…</Text>;
  return <QuizScreen {...props} start={start} />;
}

function QuizScreen({
  lab,
  quiz,
  onBack,
  start,
}: Props & { start: { quiz: QuizProgress; drafts: Record<string, string> } }) {
  const { inputActive, services, handOver, print } = useUi();
  const { index, question, phase, now, setPhase, answer, next, draft, onDraft, keepDrafts } = useQuiz(
    lab,
    quiz,
    start.quiz,
    start.drafts,
  );

  const fromFile = async (path: string) => {
    const read = await readDesign(path);
    const tries = now.current.phase.name === 'answer' ? (now.current.phase.tries ?? 0) + 1 : 1;
    if ('problem' in read) setPhase({ name: 'answer', design: 'path', error: read.problem, tries });
    else {
      print(<Text dimColor>Read your answer from {read.file}.</Text>);
      answer(read.answer);
    }
  };
  const inEditor = async () => {
    const file = draftPath(lab.paths.home, quiz.id, question.id);
    await prepareDraft(file, question);
    const edited = await handOver(() => services.edit(file));
    if (!edited.ok) return setPhase({ name: 'answer', design: 'choose', error: edited.message });
    const read = await readDesign(file);
    if ('problem' in read) setPhase({ name: 'answer', design: 'choose', error: read.problem });
    else answer(read.answer);
  };

  const typing = phase.name === 'answer' && (question.type === 'short' || phase.design === 'path');
  useKeys(
    (input, key) => {
      const current = now.current.phase;
      return (
        !key.ctrl &&
        !typing &&
        runFirst([
          [input === 'q', onBack],
          [key.return && current.name === 'feedback', next],
          [key.return && current.name === 'summary', onBack],
        ])
      );
    },
    { isActive: inputActive },
  );

  const keys: KeyHint[] =
    phase.name === 'summary'
      ? [['Enter', 'done']]
      : phase.name === 'feedback'
        ? [
            ['Enter', index + 1 < quiz.questions.length ? 'next question' : 'see the score'],
            ['q', 'leave the quiz'],
          ]
        : typing
          ? [
              ['Enter', 'submit'],
              ['Esc', question.type === 'short' ? 'leave the quiz' : 'back'],
            ]
          : [
              ['↑↓', 'move'],
              ['Enter', 'choose'],
              ['q', 'leave the quiz'],
            ];

  if (phase.name === 'summary')
    return (
      <Box flexDirection="column" marginTop={1}>
        <Text bold>
          Your score: {phase.score} / {phase.max} ({phase.percent}%)
        </Text>
        <Text dimColor>It is saved in your progress; the course map shows your best score.</Text>
        <Footer keys={keys} />
      </Box>
    );

  return (
    <Box flexDirection="column" marginTop={1}>
      <Text dimColor>
        question {index + 1} of {quiz.questions.length}
      </Text>
      <Box flexDirection="column">
        {phase.name === 'feedback' ? (
          <Text>
            <Mark grade={phase.grade} /> {phase.grade.score} of {phase.grade.max}
          </Text>
        ) : question.type === 'choice' ? (
          <ChoiceAnswer key={question.id} question={question} onAnswer={answer} />
        ) : question.type === 'truefalse' ? (
          <TrueFalseAnswer key={question.id} onAnswer={answer} />
        ) : question.type === 'short' ? (
          <ShortAnswer
            key={question.id}
            onAnswer={answer}
            draft={draft(question.id)}
            onDraft={(text) => onDraft(question.id, text)}
            onEscape={() => {
              void keepDrafts();
              onBack();
            }}
          />
        ) : phase.design === 'path' ? (
          <PathField
            key={`${question.id}-path-${phase.tries ?? 0}`}
            error={phase.error}
            onPath={(path) => void fromFile(path)}
            onEscape={() => setPhase({ name: 'answer', design: 'choose' })}
          />
        ) : (
          <DesignChoice
            key={`${question.id}-${phase.error ?? ''}`}
            error={phase.error}
            onChoose={(how) =>
              how === 'file' ? setPhase({ name: 'answer', design: 'path' }) : void inEditor()
            }
          />
        )}
      </Box>
      <Footer keys={keys} typing={typing} />
    </Box>
  );
}
