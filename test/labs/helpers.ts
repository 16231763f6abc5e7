import { cp, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { kubectlShell } from '../../src/cluster/kubectl.js';
import { findExercise } from '../../src/course/course.js';
import type { ExerciseResult } from '../../src/course/judge.js';
import { resetExercise } from '../../src/course/progress.js';
import type { Exercise } from '../../src/course/schema.js';
import { updateProgress } from '../../src/files/progress-store.js';
import { checkExercise, type Lab, runSolution, stepView } from '../../src/lab.js';

/**
 * Drives the course's exercises against a running cluster the way a learner would: the commands
 * the lab shows (as typed, in one shell per step, so `cd` and `POD=...` carry over), `check`, and
 * `solve`. Every wait has a deadline; nothing sleeps as an assertion.
 */

/** The workspace `up` makes: the top of manifests/ plus the folders it copies (hpa/, exercises/). */
export async function makeWorkspace(workspace: string): Promise<void> {
  const manifests = join(process.cwd(), 'manifests');
  const k8s = join(workspace, 'k8s');
  await mkdir(k8s, { recursive: true });
  for (const entry of await readdir(manifests, { withFileTypes: true })) {
    if (entry.isFile() || ['hpa', 'exercises'].includes(entry.name))
      await cp(join(manifests, entry.name), join(k8s, entry.name), { recursive: true });
  }
}

export const exercise = (lab: Lab, id: string): Exercise => findExercise(lab.course, id);

/** Commands a learner types but that never end by themselves (watches, follows, port-forwards). */
const endless = (command: string) =>
  /\s(-w|--watch)(\s|$)|\blogs\s+(-f|--follow)\s|port-forward/.test(command);

/**
 * Runs the commands of one or more steps, as the learner types them, in one `sh` (so `POD=...` of
 * one step is there for the next): the watches are left out (the learner would stop them with
 * Ctrl-C), everything else runs, and the first failure stops it.
 */
export async function typeCommands(
  lab: Lab,
  id: string,
  stepIds: string | string[],
  timeoutMs = 150_000,
): Promise<string> {
  const ex = exercise(lab, id);
  const commands = [stepIds].flat().flatMap((stepId) => {
    const step = ex.steps.find((s) => s.id === stepId);
    if (!step) throw new Error(`${id} has no step ${stepId}`);
    return stepView(lab, ex, step).commands;
  });
  // The learner keeps the exercise's port-forward open in a second terminal while they curl the
  // forwarded port: here it runs in the background of the same shell, which ends with it.
  const forward = ex.steps.flatMap((s) => stepView(lab, ex, s).commands).find((c) => /port-forward/.test(c));
  const prelude =
    forward && commands.some((c) => /localhost:\d+/.test(c))
      ? [
          'FORWARD_LOG=$(mktemp)',
          `${forward} > "$FORWARD_LOG" 2>&1 &`,
          `for i in $(seq 300); do grep -q 'Forwarding from' "$FORWARD_LOG" && break; sleep 0.1; done`,
        ]
      : [];
  const script = [...prelude, ...commands.filter((c) => !endless(c))].join('\n');
  return shell(lab, `set -e\n${script}`, timeoutMs);
}

/** One shell command with our kubectl; fails the test with its output when it fails. */
export async function shell(lab: Lab, command: string, timeoutMs = 120_000): Promise<string> {
  const result = await kubectlShell(lab.target, command, { cwd: lab.paths.workspace, timeoutMs });
  if (!result.ok)
    throw new Error(
      `command failed (exit ${result.exitCode}): ${command}\n${result.stdout}\n${result.stderr}`,
    );
  return result.stdout;
}

/** Like shell, but a failure is a result, not an error (for the wrong moves that kubectl refuses). */
export async function attempt(lab: Lab, command: string) {
  return kubectlShell(lab.target, command, { cwd: lab.paths.workspace, timeoutMs: 60_000 });
}

/** Runs a command until its output satisfies `done` or the time is up; returns the last output. */
export async function outputUntil(
  lab: Lab,
  command: string,
  done: (output: string) => boolean,
  seconds: number,
): Promise<string> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const output = (await attempt(lab, command)).stdout;
    if (done(output) || Date.now() >= deadline) return output;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Re-checks until `done` holds or the time is up; returns the last result either way. */
export async function checkUntil(
  lab: Lab,
  id: string,
  done: (result: ExerciseResult) => boolean,
  seconds: number,
): Promise<ExerciseResult> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const result = await checkExercise(lab, exercise(lab, id));
    if (done(result) || Date.now() >= deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export const stepPassed = (stepId: string) => (result: ExerciseResult) =>
  result.steps.find((s) => s.id === stepId)?.passed === true;

/** Which steps pass, and the message of every failing check, for readable assertion failures. */
export function summary(result: ExerciseResult): string {
  if (result.error) return `unreachable: ${result.error}`;
  return result.steps
    .map(
      (s) =>
        `${s.passed ? 'PASS' : 'FAIL'} ${s.id}${s.waiting ? ' (waiting)' : ''}` +
        s.checks
          .filter((c) => !c.passed)
          .map((c) => `\n    ${c.id}: ${c.message}`)
          .join(''),
    )
    .join('\n');
}

export const passing = (result: ExerciseResult) => result.steps.filter((s) => s.passed).map((s) => s.id);

/** The check's verdict in a result (of a step not yet recorded). */
export function verdict(result: ExerciseResult, stepId: string, checkId: string) {
  const check = result.steps.find((s) => s.id === stepId)?.checks.find((c) => c.id === checkId);
  if (!check) throw new Error(`no check ${stepId}/${checkId} in\n${summary(result)}`);
  return check;
}

/** `churn-labs solve`: the reference solution, then re-checks until it passes or the time is up. */
export async function solve(lab: Lab, id: string, seconds = 150): Promise<ExerciseResult> {
  let log = '';
  const ok = await runSolution(lab, exercise(lab, id), (event) => {
    if (event.type === 'command') log += `$ ${event.command}\n`;
    else if (event.type === 'output') log += event.chunk;
    else if (!event.ok) log += `(exit ${event.exitCode})\n`;
  });
  if (!ok) throw new Error(`the solution of ${id} stopped at a failing command:\n${log}`);
  return checkUntil(lab, id, (r) => r.passed, seconds);
}

/** Forgets an exercise's progress (`churn-labs reset <id>`), so its checks are evaluated afresh. */
export async function forget(lab: Lab, id: string): Promise<void> {
  await updateProgress(lab.paths.progress, (p) => resetExercise(p, id));
}
