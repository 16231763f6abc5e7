import { findExercise } from '../course/course.js';
import { HEALTHY_EXERCISE } from '../course/incident.js';
import { isDone } from '../course/progress.js';
import type { Exercise } from '../course/schema.js';
import { environmentError } from '../errors.js';
import { breakSystem, findIncident, healthNow, pageText, restoreSystem } from '../incidents.js';
import { closeLab, clusterName, type Lab, readProgress, type SolutionEvent } from '../lab.js';
import { createOutput, isInteractive, type Output } from '../output.js';
import { type CommonOptions, labFrom } from './common.js';
import { confirm } from './confirm.js';

/**
 * `churn-labs incident <id>`: breaks the healthy system the way the incident says, out of the
 * learner's sight, and prints the page: the symptom and since when, never the cause.
 */
export async function incident(id: string, options: CommonOptions & { debug?: boolean }): Promise<number> {
  try {
    return await startIncident(id, options);
  } finally {
    await closeLab();
  }
}

async function startIncident(id: string, options: CommonOptions & { debug?: boolean }): Promise<number> {
  const lab = await labFrom(options);
  const chosen = findIncident(lab, id);
  const out = createOutput();
  const progress = await readProgress(lab);
  const healthy = findExercise(lab.course, HEALTHY_EXERCISE);
  if (!isDone(progress, healthy))
    throw environmentError(
      `Incidents happen to the system Exercise 1 deploys, and it is not done yet. Do it first (churn-labs check ${HEALTHY_EXERCISE}, or churn-labs solve ${HEALTHY_EXERCISE} --yes), then run this again.`,
    );
  if (!(await ensureHealthy(lab, chosen, out, options))) return 1;
  if (
    !(await confirm(
      `Start incident ${chosen.id} on ${clusterName(lab)}? It breaks the running system (churn-labs reset ${chosen.id} puts it back)`,
      options.yes,
      'pass --yes.',
    ))
  ) {
    out.line('Nothing was broken.');
    return 1;
  }
  // The learner does not see how it breaks: its output is kept for a failure (shown with --debug).
  const log: string[] = [];
  const ok = await breakSystem(lab, chosen, collect(log));
  if (!ok) {
    out.error(
      `The incident could not start: a command failed on ${clusterName(lab)}. Is the lab up (churn-labs doctor)? Put the system back with churn-labs reset ${chosen.id} --yes and try again.`,
    );
    if (options.debug) out.error(log.join(''));
    return 1;
  }
  printPage(out, chosen);
  return 0;
}

/**
 * The system must be healthy now (Exercise 1's checks green): an incident on a broken system
 * would not have the one cause it teaches. On a terminal the learner may have it put back first.
 */
async function ensureHealthy(
  lab: Lab,
  chosen: Exercise,
  out: Output,
  options: CommonOptions,
): Promise<boolean> {
  let health = await healthNow(lab);
  if (health.passed) return true;
  if (health.error) throw environmentError(health.error);
  const failing = health.steps.flatMap((s) => s.checks.filter((c) => !c.passed));
  out.line(
    `The system is not healthy now, and an incident starts from a healthy one. Exercise 1's checks that fail:`,
  );
  for (const c of failing) out.line(`  ${out.red('✗')} ${c.title}: ${out.dim(c.message)}`);
  const progress = await readProgress(lab);
  const open = lab.course.exercises.find(
    (e) => e.incident && progress.exercises[e.id]?.brokenAt && !progress.exercises[e.id]?.completedAt,
  );
  if (open)
    out.line(
      `Incident ${open.id} is still open: solve it first, or give it up with churn-labs reset ${open.id} --yes.`,
    );
  const fix = `churn-labs reset ${chosen.id} --yes`;
  if (!isInteractive() || options.yes) {
    out.line(
      `Put the system back as Exercise 1 left it with ${fix} (it re-applies your workspace's k8s/ and waits), then run this again.`,
    );
    return false;
  }
  if (!(await confirm(`Put the system back as Exercise 1 left it now (${fix})?`, false, ''))) {
    out.line(`Nothing was changed. ${fix} puts it back when you want.`);
    return false;
  }
  out.line(out.dim('Putting the system back (re-applying k8s/ and waiting for the rollout)...'));
  if (!(await restoreSystem(lab, chosen, () => {}))) {
    out.error(`Putting it back failed. Run ${fix} to see why.`);
    return false;
  }
  health = await healthNow(lab);
  if (!health.passed) {
    out.error(`The system is still not healthy: run churn-labs check ${HEALTHY_EXERCISE} to see what fails.`);
    return false;
  }
  return true;
}

const collect =
  (log: string[]) =>
  (event: SolutionEvent): void => {
    if (event.type === 'command') log.push(`$ ${event.command}\n`);
    else if (event.type === 'output') log.push(event.chunk);
  };

export function printPage(out: Output, chosen: Exercise): void {
  out.line(out.bold(`${chosen.id}: ${chosen.title}`));
  out.line();
  // The page is Markdown: its emphasis in bold on a terminal, plain elsewhere.
  out.line(
    pageText(chosen)
      .trimEnd()
      .replace(/\*\*([^*]+)\*\*/g, (_, text: string) => out.bold(text)),
  );
  out.line();
  out.line(`You are on call. Find the cause with kubectl and fix it. The clock is running.`);
  out.line(out.dim(`  churn-labs check ${chosen.id}    are the system and its cause fixed?`));
  out.line(out.dim(`  churn-labs hint ${chosen.id}     where to look next (each hint is counted)`));
  out.line(out.dim(`  churn-labs solve ${chosen.id}    do it for me: the diagnosis, then the fix`));
  out.line(out.dim(`  churn-labs reset ${chosen.id}    put the system back and start over`));
}
