import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readSources } from '../../src/files/course-files.js';
import { parseCourse } from '../../src/files/parse-course.js';
import { type Lab, stepView } from '../../src/lab.js';
import { homePaths } from '../../src/paths.js';

/**
 * What the learner reads: the course text is "the course text" (Section 19), never "the seed" (an
 * authors' word), and on the simulated cluster, which has no port-forward, no step tells them to
 * forward a port or to curl one on their machine.
 */
const course = parseCourse(readSources());
const lab = (simulated: boolean): Lab => ({
  course,
  target: { context: simulated ? 'churn-labs-sim' : 'kind-churn-labs' },
  paths: homePaths('/tmp/churn-labs-text'),
  namespace: 'churn-mlops',
  simulated,
  warn: () => {},
});

/** Every string under a value, with where it is; the keys that are not prose are left out. */
function strings(value: unknown, where: string, skip: ReadonlySet<string>): [string, string][] {
  if (typeof value === 'string') return [[where, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${where}.${i}`, skip));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => (skip.has(k) ? [] : strings(v, `${where}.${k}`, skip)));
  return [];
}

/** "seed" as a word, except in the names of the seed-model Job (`churn-seed-model`, "the seed-model Job"). */
const SEED = /\bseed\b(?!-model)/i;

describe('learner-facing text', () => {
  it('says "the course text", never "the seed", in labs and quizzes', () => {
    // `seed:` is the field that names the part of the course text; ids are not prose.
    const skip = new Set(['seed', 'id', 'since']);
    for (const folder of ['labs', 'quizzes']) {
      for (const file of readdirSync(folder).filter((f) => f.endsWith('.yaml'))) {
        const found = strings(
          parse(readFileSync(join(folder, file), 'utf8')),
          `${folder}/${file}`,
          skip,
        ).filter(([, text]) => SEED.test(text));
        expect(found).toEqual([]);
      }
    }
  });

  // (A random number generator's seed is another word: "the seed of its held-out split".)
  it('and in the manifests the learner opens and the messages of the program', () => {
    const files = (dir: string, ext: RegExp): string[] =>
      readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile() && ext.test(e.name))
        .map((e) => join(e.parentPath, e.name));
    const offending = [...files('manifests', /\.ya?ml$/), ...files('src', /\.tsx?$/)].flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => [`${file}:${i + 1}`, line] as const)
        .filter(([, line]) => /\bthe seed\b(?!-| of)|\(seed: "/i.test(line)),
    );
    expect(offending).toEqual([]);
  });

  it("on kind and on the simulated cluster alike, the steps keep the course text's port-forward and curl", () => {
    const exercise = course.exercises.find((e) => e.id === 'test-api')!;
    for (const simulated of [false, true]) {
      const view = stepView(lab(simulated), exercise, exercise.steps[0]!);
      expect(view.commands).toContain('kubectl port-forward -n churn-mlops svc/churn-api 8000:8000');
      expect(view.hints.join('\n')).toMatch(/port-forward/);
    }
  });
});
