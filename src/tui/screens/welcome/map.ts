import type { Course } from '../../../course/course.js';
import { answeredQuestions, isDone, type Progress, passedSteps } from '../../../course/progress.js';

/** One line of the course map: an exercise with its progress, or a quiz with its best score. */
export type MapItem =
  | {
      type: 'exercise';
      id: string;
      title: string;
      done: boolean;
      passed: number;
      steps: number;
      /** An incident: locked until Exercise 1 is done; open once broken and until solved. */
      incident?: { locked: boolean; open: boolean };
    }
  | {
      type: 'quiz';
      id: string;
      title: string;
      best?: number;
      max?: number;
      attempts: number;
      /** Questions answered in the attempt under way, and how many there are. */
      answered: number;
      questions: number;
    };

export function courseMap(course: Course, progress: Progress): MapItem[] {
  const first = course.exercises.find((e) => !e.incident);
  const unlocked = first !== undefined && isDone(progress, first);
  return [
    ...course.exercises.map(
      (e): MapItem => ({
        type: 'exercise',
        id: e.id,
        title: e.title,
        done: isDone(progress, e),
        passed: e.steps.filter((s) => passedSteps(progress, e.id).has(s.id)).length,
        steps: e.steps.length,
        ...(e.incident
          ? {
              incident: {
                locked: !unlocked,
                open: !!progress.exercises[e.id]?.brokenAt && !isDone(progress, e),
              },
            }
          : {}),
      }),
    ),
    ...course.quizzes.map((q): MapItem => {
      const taken = progress.quizzes[q.id];
      return {
        type: 'quiz',
        id: q.id,
        title: q.title,
        best: taken?.best,
        max: taken?.max,
        attempts: taken?.attempts ?? 0,
        answered: answeredQuestions(progress, q),
        questions: q.questions.length,
      };
    }),
  ];
}

/** Where the learner left off: the saved position, else the first exercise not done, else the quiz. */
export function resumeIndex(items: MapItem[], progress: Progress): number {
  const quizAt = progress.position?.quiz;
  // Left in the middle of a quiz: back to it.
  const inQuiz = quizAt ? items.findIndex((i) => i.type === 'quiz' && i.id === quizAt && i.answered > 0) : -1;
  if (inQuiz >= 0) return inQuiz;
  const saved = progress.position?.exercise;
  // Where the learner left off, unless they finished it there: then what comes next.
  const at = saved ? items.findIndex((i) => i.type === 'exercise' && i.id === saved && !i.done) : -1;
  if (at >= 0) return at;
  // An incident just solved: the next one still to do, after it or else before it.
  const left = saved ? items.findIndex((i) => i.type === 'exercise' && i.id === saved && i.incident) : -1;
  if (left >= 0) {
    const todo = (i: MapItem) => i.type === 'exercise' && !!i.incident && !i.incident.locked && !i.done;
    const after = items.findIndex((i, index) => index > left && todo(i));
    const next = after >= 0 ? after : items.findIndex(todo);
    if (next >= 0) return next;
  }
  // An open incident, else the first exercise not done (incidents are the learner's choice).
  const open = items.findIndex((i) => i.type === 'exercise' && i.incident?.open);
  if (open >= 0) return open;
  const todo = items.findIndex((i) => i.type === 'exercise' && !i.incident && !i.done);
  if (todo >= 0) return todo;
  const quiz = items.findIndex((i) => i.type === 'quiz');
  return Math.max(quiz, 0);
}
