import { z } from 'zod';
import { type Exercise, stepSchema } from './schema.js';

/**
 * Incidents: the system Exercise 1 deployed breaks, and the learner, on call, is told only what a
 * page says. Each is a file `labs/incidents/NN-<id>.yaml`; it becomes an exercise of the course
 * (after the ten), carrying what only an incident has: the page, the break and the reset.
 */

const id = z
  .string()
  .regex(
    /^incident-[a-z0-9][a-z0-9-]*$/,
    'an incident id starts with "incident-" (like "incident-crashloop")',
  );
const command = z.string().min(1);

export const incidentSchema = z
  .object({
    id,
    /** Shown in `list` and on the course map: the symptom in a few words, never the cause. */
    title: z.string().min(1),
    page: z
      .object({
        /** What users see, as the page says it (Markdown). Never the cause. */
        symptom: z.string().min(1),
        /** Since when, in words: "since the config change at 14:05". */
        since: z.string().min(1),
      })
      .strict(),
    /** Left out: the lab's namespace (churn-mlops, or a classroom learner's). */
    namespace: z.string().optional(),
    /**
     * Commands (in sh, with kubectl pinned to the lab's context, in the workspace) that break the
     * healthy system. Run again, they leave the same broken state.
     */
    break: z.array(command).min(1, 'say how the system breaks'),
    /** Commands that bring the system back to Exercise 1's healthy state, whatever the learner did. */
    reset: z.array(command).min(1, 'say how to restore the healthy system'),
    /**
     * Usually one step: its checks hold when the system is healthy again and the cause is fixed;
     * its hints go from where to look, to what points at the cause, to the fix; its solution runs
     * the diagnosis commands, then the fix.
     */
    steps: z.array(stepSchema).min(1),
  })
  .strict();
export type IncidentSource = z.infer<typeof incidentSchema>;

/** What an exercise of the course carries when it is an incident. */
export interface IncidentPart {
  symptom: string;
  since: string;
  break: string[];
  reset: string[];
}

/** Every incident starts from the system Exercise 1 deploys. */
export const HEALTHY_EXERCISE = 'deploy-system';

/** The incident as an exercise of the course: check, hint, solve and the app take it as they are. */
export function incidentExercise(source: IncidentSource): Exercise {
  return {
    id: source.id,
    title: source.title,
    seed: 'On call',
    intro: `${source.page.symptom.trimEnd()}\n\n**Since:** ${source.page.since}\n`,
    differences: [],
    namespace: source.namespace,
    requires: [HEALTHY_EXERCISE],
    steps: source.steps,
    incident: {
      symptom: source.page.symptom,
      since: source.page.since,
      break: source.break,
      reset: source.reset,
    },
  };
}

export const isIncident = (exercise: Exercise): boolean => exercise.incident !== undefined;
