import { describe, expect, it } from 'vitest';
import { agreement, loadCorpus } from './corpus.js';
import { loadQuiz } from './quiz-fixture.js';

/**
 * The graded corpus (test/content/corpus/): the grader against the teacher. The targets are set
 * from what was measured when the grader was written (96.8% within half a point, 99.4% within
 * one, no gross error on 155 answers), a little below so that a change of wording in the quiz
 * does not fail them, and above the issue's own (90%, 98%, none).
 */
const quiz = await loadQuiz();
const corpus = loadCorpus();
const measured = await agreement(quiz, corpus);
const far = (limit: number) =>
  measured.rows
    .filter((r) => Math.abs(r.score - r.teacherScore) > limit + 1e-9)
    .map(
      (r) => `${r.id} [${r.style}] teacher ${r.teacherScore} grader ${r.score}: ${r.answer}\n  ${r.feedback}`,
    );

describe('the graded corpus', () => {
  it('has at least 150 answers, in every style, for every short question, each graded per key point', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    const shortIds = quiz.questions.filter((q) => q.type === 'short').map((q) => q.id);
    expect([...new Set(corpus.map((e) => e.id))].sort()).toEqual([...shortIds].sort());
    for (const id of shortIds)
      expect(corpus.filter((e) => e.id === id).length, id).toBeGreaterThanOrEqual(15);
    const styles = new Set(corpus.map((e) => e.style));
    for (const style of [
      'terse',
      'verbose',
      'non-native',
      'partial',
      'fix',
      'denied',
      'wrong',
      'reversed',
      'keywords',
      'unknown',
      'bullets',
      'table',
    ])
      expect(styles, style).toContain(style);
    for (const e of corpus)
      for (const g of e.teacher) expect([0, 0.5, 1], `${e.id}: ${e.answer}`).toContain(g);
  });

  it('grades within half a point of the teacher on at least 95% of the answers', () => {
    expect(measured.withinHalf, far(0.5).join('\n')).toBeGreaterThanOrEqual(0.95);
  });

  it('grades within one point of the teacher on at least 98% of the answers', () => {
    expect(measured.withinOne, far(1).join('\n')).toBeGreaterThanOrEqual(0.98);
  });

  it('makes no gross error: no right answer under a third of the points, no wrong one over two thirds', () => {
    expect(measured.gross.map((r) => `${r.id} [${r.style}]: ${r.answer}\n  ${r.feedback}`)).toEqual([]);
  });

  it('gives keyword lists, "I don\'t know" and facts said the wrong way round no more than the teacher', () => {
    const over = measured.rows.filter(
      (r) => ['keywords', 'unknown', 'reversed'].includes(r.style) && r.score > r.teacherScore + 0.5 + 1e-9,
    );
    expect(over.map((r) => `${r.id}: ${r.answer} (${r.score} vs ${r.teacherScore})`)).toEqual([]);
  });

  it('keeps each question within half a point on at least 85% of its answers', () => {
    for (const [id, q] of Object.entries(measured.byQuestion))
      expect(q.withinHalf, id).toBeGreaterThanOrEqual(0.85);
  });
});
