import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterTarget } from './cluster/kubectl.js';
import type { Course } from './course/course.js';
import type { ExerciseResult } from './course/judge.js';
import { passedSteps, pendingChecks, recordPassedSteps } from './course/progress.js';
import { fillPlaceholders, imagesPrefix, renderCourse } from './course/render.js';
import type { Exercise, Step } from './course/schema.js';
import { usageError } from './errors.js';
import { loadCourse } from './files/course-files.js';
import { kubeconfigFiles, readKubeconfigLab } from './files/kubeconfig-lab.js';
import { readLastLab, writeLastLab } from './files/last-lab.js';
import { loadProgress, updateProgress } from './files/progress-store.js';
import { homePaths } from './paths.js';

// Kept here rather than imported from cluster/kubectl.js, so that commands that never touch the
// cluster (list, progress, hint) do not load execa.
export const DEFAULT_CONTEXT = 'kind-churn-labs';
export const SIM_CONTEXT = 'churn-labs-sim';
/** The course's namespace on a learner's own cluster; a classroom gives each learner another. */
export const DEFAULT_NAMESPACE = 'churn-mlops';

/**
 * What every command works with: the course, the one cluster it may talk to, and the state folder.
 * The plain commands and the terminal app both go through these functions.
 */
export interface Lab {
  course: Course;
  target: ClusterTarget;
  paths: ReturnType<typeof homePaths>;
  /** True against the simulated cluster, where some steps may read differently. */
  simulated: boolean;
  /** The namespace the course works in: `churn-mlops`, or a classroom learner's `churn-mlops-<name>`. */
  namespace: string;
  /**
   * Set when the lab is a learner's part of a classroom (`start --kubeconfig <name>.kubeconfig`):
   * the instructor made the namespace and the cluster-wide objects, and the steps say so.
   */
  classroom?: { learner: string };
  /** The registry the course images come from, where they are not loaded into kind. */
  registry?: string;
  /** The StorageClass the workspace's claim asks for, where kind's `standard` is not there. */
  storageClass?: string;
  /** Warnings to show once (a progress file moved aside, ...). */
  warn: (message: string) => void;
}

export interface LabOptions {
  context?: string;
  kubeconfig?: string;
  home?: string;
  warn?: (message: string) => void;
}

export async function openLab(options: LabOptions = {}): Promise<Lab> {
  const paths = homePaths(options.home);
  const last = readLastLab(paths.lastLab);
  let kubeconfig = options.kubeconfig ?? (options.context === undefined ? last?.kubeconfig : undefined);
  if (kubeconfig !== undefined) kubeconfig = resolve(kubeconfig);
  // kubectl would only say "stat …: no such file or directory" once a check runs.
  if (kubeconfig !== undefined && !existsSync(kubeconfig))
    throw usageError(
      `--kubeconfig ${kubeconfig}: there is no such file. Give the path of an existing kubeconfig, or leave --kubeconfig out to use $KUBECONFIG or ~/.kube/config.`,
    );
  // A classroom kubeconfig (`--kubeconfig ada.kubeconfig`) names the learner's context as its
  // current-context: that one, rather than the lab last brought up here.
  const explicit =
    options.context === undefined && options.kubeconfig !== undefined && kubeconfig !== undefined
      ? await readKubeconfigLab([kubeconfig])
      : undefined;
  const classroomContext =
    explicit?.currentContext !== undefined && explicit.extensions.has(explicit.currentContext)
      ? explicit.currentContext
      : undefined;
  // Otherwise the lab last brought up here, unless --context names another.
  const context = options.context ?? classroomContext ?? last?.context ?? DEFAULT_CONTEXT;
  // The simulated cluster writes its own kubeconfig: use it unless told otherwise, so that
  // `--context churn-labs-sim` works whatever $KUBECONFIG and ~/.kube/config hold.
  if (!kubeconfig && context === SIM_CONTEXT) kubeconfig = paths.simKubeconfig;
  // What the context's churn-labs extension says wins over what `up` remembered for it.
  const extension =
    kubeconfig === paths.simKubeconfig
      ? undefined
      : (explicit ?? (await readKubeconfigLab(kubeconfigFiles(kubeconfig)))).extensions.get(context);
  const remembered = last?.context === context ? last : undefined;
  const learner = extension?.learner;
  const namespace =
    extension?.namespace ??
    (learner !== undefined ? `churn-mlops-${learner}` : undefined) ??
    remembered?.namespace ??
    DEFAULT_NAMESPACE;
  const registry = extension?.registry ?? remembered?.registry;
  const storageClass = extension?.storageClass ?? remembered?.storageClass;
  const course = renderCourse(await loadCourse(), {
    namespace,
    images: imagesPrefix(registry),
    workspace: paths.workspace,
    context,
    ...(storageClass !== undefined ? { storageClass } : {}),
  });
  const lab: Lab = {
    course,
    target: { context, kubeconfig },
    paths,
    simulated: context === SIM_CONTEXT,
    namespace,
    ...(learner !== undefined ? { classroom: { learner } } : {}),
    ...(registry !== undefined ? { registry } : {}),
    ...(storageClass !== undefined ? { storageClass } : {}),
    warn: options.warn ?? ((message) => process.stderr.write(`warning: ${message}\n`)),
  };
  // A classroom learner's progress is mirrored to their namespace (and taken from it on a new machine).
  if (lab.classroom) {
    const { joinClassroom } = await import('./classroom/learner.js');
    await joinClassroom(lab);
    joined = true;
  }
  return lab;
}

/** The namespace an exercise works in: its own, where it names one, else the lab's. */
export const namespaceOf = (lab: Pick<Lab, 'namespace'>, exercise: Exercise): string =>
  exercise.namespace ?? lab.namespace;

/** The cluster a command used, in its text output: which lab the learner's commands reach. */
export function clusterName(lab: Lab): string {
  const cluster = lab.simulated
    ? `the simulated cluster, context ${lab.target.context}`
    : `context ${lab.target.context}${lab.target.kubeconfig ? ` of ${lab.target.kubeconfig}` : ''}`;
  return lab.namespace === DEFAULT_NAMESPACE ? cluster : `${cluster}, namespace ${lab.namespace}`;
}

/**
 * Remembers the lab's cluster as the one later commands target by default, and off kind what `up`
 * rendered the workspace for (its registry and storage class).
 */
export async function rememberLab(
  lab: Lab,
  rendered: { namespace?: string; registry?: string; storageClass?: string } = {},
): Promise<void> {
  const kubeconfig = lab.target.kubeconfig === lab.paths.simKubeconfig ? undefined : lab.target.kubeconfig;
  await writeLastLab(lab.paths.lastLab, {
    context: lab.target.context,
    kubeconfig,
    ...(lab.namespace !== DEFAULT_NAMESPACE ? { namespace: lab.namespace } : {}),
    registry: lab.registry,
    storageClass: lab.storageClass,
    ...rendered,
  }).catch((error: Error) =>
    lab.warn(`could not remember the lab's cluster in ${lab.paths.lastLab}: ${error.message}`),
  );
}

export async function readProgress(lab: Lab) {
  const loaded = await loadProgress(lab.paths.progress);
  if (loaded.warning) lab.warn(loaded.warning);
  return loaded.progress;
}

/**
 * Evaluates an exercise's checks against the cluster and records the steps that pass, so that a
 * step that passed once stays passed.
 */
export async function checkExercise(
  lab: Lab,
  exercise: Exercise,
  signal?: AbortSignal,
): Promise<ExerciseResult> {
  // kubectl is the slow part (its own start-up): spawn it as soon as execa is loaded, and load
  // the judge (jsonpath) while it runs.
  const { observe } = await import('./cluster/observe.js');
  checked = true;
  const progress = await readProgress(lab);
  // An incident's checks describe a healthy system, which is how it starts: they count only once
  // `churn-labs incident` has broken it.
  if (exercise.incident && !progress.exercises[exercise.id]?.brokenAt)
    return { exercise: exercise.id, passed: false, steps: [], error: notStarted(exercise) };
  const recorded = passedSteps(progress, exercise.id);
  const observing = observe(lab.target, namespaceOf(lab, exercise), pendingChecks(exercise, recorded), {
    signal,
    namespaceByName: lab.classroom !== undefined,
  });
  const { judgeExercise, newlyPassed } = await import('./course/judge.js');
  const reading = await observing;
  const result = judgeExercise(exercise, reading, recorded, progress.exercises[exercise.id]?.steps);
  const passedNow = newlyPassed(result);
  if (passedNow.length > 0) {
    const { warning } = await updateProgress(
      lab.paths.progress,
      (p) => recordPassedSteps(p, exercise, passedNow),
      { onWait: lab.warn },
    );
    if (warning) lab.warn(warning);
  }
  return result;
}

let checked = false;
let joined = false;

const notStarted = (incident: Exercise) =>
  `The incident ${incident.id} has not started. Start it with: churn-labs incident ${incident.id}`;

/**
 * Ends what checking left running (the `kubectl proxy` its probes share), so the process can
 * exit; call it when done with the cluster. Loads nothing when no check ran.
 */
export async function closeLab(): Promise<void> {
  if (joined) await (await import('./classroom/learner.js')).flushClassroom();
  if (!checked) return;
  // observe.js is loaded already (checking loaded it); api-proxy.js would be one more file.
  const { closeApiProxies } = await import('./cluster/observe.js');
  await closeApiProxies();
}

/** Re-checks until every step passes or the time is up; `onResult` sees each evaluation. */
export async function waitForExercise(
  lab: Lab,
  exercise: Exercise,
  seconds: number,
  onResult?: (result: ExerciseResult) => void,
  signal?: AbortSignal,
): Promise<ExerciseResult> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const result = await checkExercise(lab, exercise, signal);
    onResult?.(result);
    if (result.passed || Date.now() >= deadline || signal?.aborted) return result;
    await sleep(Math.min(1000, Math.max(0, deadline - Date.now())), undefined, { signal }).catch(() => {});
  }
}

/**
 * The step as the learner sees it in this mode: a step may override some texts for a classroom
 * learner (whose namespace the instructor made) and on the simulated cluster; the classroom's
 * texts come first.
 */
export function stepView(lab: Lab, exercise: Exercise, step: Step) {
  const sim = lab.simulated ? step.simulated : undefined;
  const room = lab.classroom ? step.classroom : undefined;
  const fill = (command: string) => fillTemplate(command, lab, exercise);
  return {
    instructions: fillTemplate(room?.instructions ?? sim?.instructions ?? step.instructions, lab, exercise),
    commands: (room?.commands ?? sim?.commands ?? step.commands).map(fill),
    hints: (room?.hints ?? sim?.hints ?? step.hints).map((hint) => fillTemplate(hint, lab, exercise)),
    solution: (room?.solution ?? sim?.solution ?? step.solution).map(fill),
  };
}

/**
 * `{{workspace}}`, `{{namespace}}`, `{{images}}`, `{{context}}` in a text of the course.
 * openLab fills the course it loads already; this serves labs made by hand (tests).
 */
export function fillTemplate(text: string, lab: Lab, exercise: Exercise): string {
  return fillPlaceholders(text, {
    workspace: lab.paths.workspace,
    namespace: namespaceOf(lab, exercise),
    images: imagesPrefix(lab.registry),
    context: lab.target.context,
    ...(lab.storageClass !== undefined ? { storageClass: lab.storageClass } : {}),
  });
}

export type SolutionEvent =
  | { type: 'command'; step: string; command: string }
  | { type: 'output'; chunk: string }
  | { type: 'result'; command: string; ok: boolean; exitCode: number | undefined };

/** How long the solution lets a step's checks catch up (pods starting, probes failing) before the next step. */
export const STEP_SETTLE_SECONDS = 180;

/**
 * Runs the reference solution of every step not yet passed, in order, each command in a shell in
 * the learner's workspace with kubectl pinned to our context. Stops at the first failing command.
 * Between steps it waits until the checks have seen the step pass (and recorded it), as they
 * would see a learner's: a later step may undo what an earlier one shows (resume after suspend,
 * heal after drain), and steps only count in order.
 */
export async function runSolution(
  lab: Lab,
  exercise: Exercise,
  onEvent: (event: SolutionEvent) => void,
  signal?: AbortSignal,
  options: { stepSettleSeconds?: number } = {},
): Promise<boolean> {
  const { kubectlShell } = await import('./cluster/kubectl.js');
  const recorded = passedSteps(await readProgress(lab), exercise.id);
  const pending = exercise.steps.filter((step) => !recorded.has(step.id));
  for (const [index, step] of pending.entries()) {
    for (const command of stepView(lab, exercise, step).solution) {
      onEvent({ type: 'command', step: step.id, command });
      const result = await kubectlShell(lab.target, command, {
        cwd: existsSync(lab.paths.workspace) ? lab.paths.workspace : undefined,
        signal,
        onOutput: (chunk) => onEvent({ type: 'output', chunk }),
        env: { CHURN_LABS_HOME: lab.paths.home },
      });
      onEvent({ type: 'result', command, ok: result.ok, exitCode: result.exitCode });
      if (!result.ok) return false;
    }
    if (index === pending.length - 1 || signal?.aborted) continue;
    const seconds = options.stepSettleSeconds ?? STEP_SETTLE_SECONDS;
    const waiting = () =>
      onEvent({
        type: 'output',
        chunk: `(waiting up to ${seconds} s for the checks of "${step.title}" to pass)\n`,
      });
    if (!(await waitForStep(lab, exercise, step.id, seconds, waiting, signal)) && !signal?.aborted)
      onEvent({
        type: 'output',
        chunk: `The checks of "${step.title}" did not pass within ${seconds} s; going on with the next step.\n`,
      });
  }
  return true;
}

/** Re-checks until the step has passed (now or earlier) or the time is up; `onWait` once it has to wait. */
async function waitForStep(
  lab: Lab,
  exercise: Exercise,
  stepId: string,
  seconds: number,
  onWait: () => void,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  for (let attempt = 0; ; attempt++) {
    const result = await checkExercise(lab, exercise, signal);
    if (result.steps.find((s) => s.id === stepId)?.passed) return true;
    if (Date.now() >= deadline || signal?.aborted) return false;
    if (attempt === 0) onWait();
    await sleep(Math.min(1000, Math.max(0, deadline - Date.now())), undefined, { signal }).catch(() => {});
  }
}
