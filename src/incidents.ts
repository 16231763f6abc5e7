import { existsSync } from 'node:fs';
import { findExercise } from './course/course.js';
import { HEALTHY_EXERCISE } from './course/incident.js';
import type { ExerciseResult } from './course/judge.js';
import { recordBreak, resetExercise } from './course/progress.js';
import type { Exercise } from './course/schema.js';
import { usageError } from './errors.js';
import { updateProgress } from './files/progress-store.js';
import { fillTemplate, type Lab, namespaceOf, type SolutionEvent } from './lab.js';

/**
 * Incidents on the running system: is it healthy enough to break, break it, put it back. The
 * commands an incident runs are course data (labs/incidents/), run as `solve` runs a solution: in
 * sh, in the workspace, with kubectl pinned to the lab's context.
 */

/** The incident of that id; an exercise id here is the learner's mistake. */
export function findIncident(lab: Lab, id: string): Exercise {
  const incidents = lab.course.exercises.filter((e) => e.incident);
  const found = incidents.find((e) => e.id === id);
  if (!found)
    throw usageError(
      `There is no incident "${id}". The incidents are: ${incidents.map((e) => e.id).join(', ')}.`,
    );
  return found;
}

/**
 * Exercise 1's checks as the cluster shows them now, every step evaluated afresh (progress
 * remembers that they passed once; an incident needs them to pass now).
 */
export async function healthNow(lab: Lab, signal?: AbortSignal): Promise<ExerciseResult> {
  const healthy = findExercise(lab.course, HEALTHY_EXERCISE);
  const { observe } = await import('./cluster/observe.js');
  const { judgeExercise } = await import('./course/judge.js');
  const checks = healthy.steps.flatMap((s) => s.checks);
  const reading = await observe(lab.target, namespaceOf(lab, healthy), checks, {
    signal,
    namespaceByName: lab.classroom !== undefined,
  });
  return judgeExercise(healthy, reading, new Set());
}

/** Runs commands of an incident in order; false at the first that fails. */
export async function runIncidentCommands(
  lab: Lab,
  incident: Exercise,
  commands: readonly string[],
  onEvent: (event: SolutionEvent) => void,
  signal?: AbortSignal,
): Promise<boolean> {
  const { kubectlShell } = await import('./cluster/kubectl.js');
  for (const template of commands) {
    const command = fillTemplate(template, lab, incident);
    onEvent({ type: 'command', step: 'incident', command });
    const result = await kubectlShell(lab.target, command, {
      cwd: existsSync(lab.paths.workspace) ? lab.paths.workspace : undefined,
      signal,
      timeoutMs: 240_000,
      onOutput: (chunk) => onEvent({ type: 'output', chunk }),
      env: { CHURN_LABS_HOME: lab.paths.home },
    });
    onEvent({ type: 'result', command, ok: result.ok, exitCode: result.exitCode });
    if (!result.ok) return false;
  }
  return true;
}

/** Breaks the system and starts the incident's clock (an earlier attempt is forgotten). */
export async function breakSystem(
  lab: Lab,
  incident: Exercise,
  onEvent: (event: SolutionEvent) => void,
  signal?: AbortSignal,
): Promise<boolean> {
  if (!(await runIncidentCommands(lab, incident, incident.incident?.break ?? [], onEvent, signal)))
    return false;
  const { warning } = await updateProgress(lab.paths.progress, (p) => recordBreak(p, incident.id), {
    onWait: lab.warn,
  });
  if (warning) lab.warn(warning);
  return true;
}

/** Restores the healthy system and forgets the attempt, so that the incident can be tried again. */
export async function restoreSystem(
  lab: Lab,
  incident: Exercise,
  onEvent: (event: SolutionEvent) => void,
  signal?: AbortSignal,
): Promise<boolean> {
  if (!(await runIncidentCommands(lab, incident, incident.incident?.reset ?? [], onEvent, signal)))
    return false;
  const { warning } = await updateProgress(lab.paths.progress, (p) => resetExercise(p, incident.id), {
    onWait: lab.warn,
  });
  if (warning) lab.warn(warning);
  return true;
}

/** The page as the learner is told it: the symptom and since when, never the cause. */
export function pageText(incident: Exercise): string {
  const part = incident.incident;
  if (!part) return '';
  return `${part.symptom.trimEnd()}\n\nSince: ${part.since}\n`;
}
