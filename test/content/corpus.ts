import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { gradeQuestion, prepareGrading } from '../../src/course/grade.js';
import type { Quiz } from '../../src/course/schema.js';

/** The graded corpus: short answers in learners' words, each with a teacher's grade per key point. */
export const CORPUS = join(import.meta.dirname, 'corpus');

export interface Graded {
  id: string;
  style: string;
  answer: string;
  /** Per key point, in the question's order: 1 stated, 0.5 half said, 0 not said or said wrong. */
  teacher: number[];
}

export function loadCorpus(dir = CORPUS): Graded[] {
  return readdirSync(dir)
    .filter((f) => /^q\d+\.yaml$/.test(f))
    .sort((a, b) => Number(a.slice(1, -5)) - Number(b.slice(1, -5)))
    .flatMap((f) =>
      (parse(readFileSync(join(dir, f), 'utf8')) as Omit<Graded, 'id'>[]).map((e) => ({
        id: f.slice(0, -5),
        ...e,
      })),
    );
}

export interface Row extends Graded {
  max: number;
  teacherScore: number;
  score: number;
  feedback: string;
  /** A right answer scored under a third of the points, or a wrong one over two thirds. */
  gross: boolean;
}

export interface Agreement {
  answers: number;
  /** Shares of the answers (0 to 1) graded within half a point and within one point of the teacher. */
  withinHalf: number;
  withinOne: number;
  rows: Row[];
  gross: Row[];
  /** Per question id, the share within half a point. */
  byQuestion: Record<string, { answers: number; withinHalf: number }>;
}

export async function agreement(quiz: Quiz, corpus: Graded[]): Promise<Agreement> {
  await prepareGrading(quiz.questions);
  const rows = corpus.map((entry): Row => {
    const question = quiz.questions.find((q) => q.id === entry.id);
    if (question?.type !== 'short') throw new Error(`corpus ${entry.id}: not a short question of ${quiz.id}`);
    if (entry.teacher.length !== question.keyPoints.length)
      throw new Error(
        `corpus ${entry.id}: ${entry.teacher.length} grades for ${question.keyPoints.length} key points: ${entry.answer}`,
      );
    const weights = question.keyPoints.map((k) => k.weight);
    const total = weights.reduce((s, w) => s + w, 0);
    const teacherScore =
      (entry.teacher.reduce((s, g, i) => s + g * weights[i]!, 0) / total) * question.points;
    const graded = gradeQuestion(question, entry.answer);
    const max = question.points;
    const gross =
      (teacherScore >= (2 * max) / 3 && graded.score < max / 3) ||
      (teacherScore <= max / 3 && graded.score > (2 * max) / 3);
    return { ...entry, max, teacherScore, score: graded.score, feedback: graded.feedback, gross };
  });
  const share = (list: Row[], limit: number) =>
    list.length === 0
      ? 1
      : list.filter((r) => Math.abs(r.score - r.teacherScore) <= limit + 1e-9).length / list.length;
  const byQuestion: Agreement['byQuestion'] = {};
  for (const id of new Set(rows.map((r) => r.id))) {
    const mine = rows.filter((r) => r.id === id);
    byQuestion[id] = { answers: mine.length, withinHalf: share(mine, 0.5) };
  }
  return {
    answers: rows.length,
    withinHalf: share(rows, 0.5),
    withinOne: share(rows, 1),
    rows,
    gross: rows.filter((r) => r.gross),
    byQuestion,
  };
}
