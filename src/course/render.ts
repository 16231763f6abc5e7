import type { Course } from './course.js';
import type { Exercise } from './schema.js';

/**
 * The course as one lab shows it: the placeholders of labs/*.yaml filled with the lab's values
 * everywhere text reaches the learner or kubectl (instructions, commands, hints, solutions, check
 * titles, messages, names and expectations, an incident's break and reset).
 *
 * - `{{namespace}}`: the lab's namespace (`churn-mlops`, or a learner's `churn-mlops-<name>`)
 * - `{{images}}`: where the course images come from (`churn-labs`, or `<registry>/churn-labs`)
 * - `{{storageClass}}`: the class a claim asks for (kind's `standard`, or the lab's)
 * - `{{workspace}}`: the learner's workspace folder
 * - `{{context}}`: the kube context the lab talks to
 */
export interface LabValues {
  namespace: string;
  images: string;
  workspace: string;
  context: string;
  /** Left out: kind's `standard`. */
  storageClass?: string;
}

export const PLACEHOLDERS = ['namespace', 'images', 'storageClass', 'workspace', 'context'] as const;

/** The StorageClass the course's claims ask for on kind (and on the simulated cluster). */
export const KIND_STORAGE_CLASS = 'standard';

/** The images' repository prefix for a registry (none: the names `up` loads into kind). */
export const imagesPrefix = (registry: string | undefined): string =>
  registry ? `${registry.replace(/\/+$/, '')}/churn-labs` : 'churn-labs';

/** Keys whose strings are regular expressions: a value filled in there is matched literally. */
const REGEX_KEYS = new Set(['matches', 'pattern']);

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function fillPlaceholders(text: string, values: LabValues, regex = false): string {
  if (!text.includes('{{')) return text;
  let out = text;
  for (const name of PLACEHOLDERS) {
    const raw = name === 'storageClass' ? (values.storageClass ?? KIND_STORAGE_CLASS) : values[name];
    const value = regex ? escapeRegex(raw) : raw;
    out = out.replaceAll(`{{${name}}}`, value);
  }
  return out;
}

function fillDeep<T>(value: T, values: LabValues, regex: boolean): T {
  if (typeof value === 'string') return fillPlaceholders(value, values, regex) as T;
  if (Array.isArray(value)) return value.map((item) => fillDeep(item, values, regex)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // Object.entries gives own keys only; defineProperty keeps a key like __proto__ a plain key.
      Object.defineProperty(out, key, {
        value: fillDeep(item, values, regex || REGEX_KEYS.has(key)),
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
    return out as T;
  }
  return value;
}

export const renderExercise = (exercise: Exercise, values: LabValues): Exercise =>
  fillDeep(exercise, values, false);

/** The course for one lab; the quizzes are the same for every lab. */
export const renderCourse = (course: Course, values: LabValues): Course => ({
  exercises: course.exercises.map((exercise) => renderExercise(exercise, values)),
  quizzes: course.quizzes,
});
