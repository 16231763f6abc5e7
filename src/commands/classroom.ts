import { existsSync } from 'node:fs';
import { chmod, mkdir, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterTarget } from '../cluster/kubectl.js';
import { environmentError, isUserError, usageError } from '../errors.js';
import { clusterName, type Lab } from '../lab.js';
import { createOutput, type Output } from '../output.js';
import { type CommonOptions, labFrom, whileInterruptible } from './common.js';
import { confirm } from './confirm.js';

/**
 * `churn-labs classroom create | status | export | delete`: a class on one shared cluster, one
 * namespace per learner, run from the instructor's (admin) context. Each subcommand reads or
 * writes the cluster in a few batched kubectl calls, whatever the size of the class.
 */

const classroomDir = (lab: Lab) => join(lab.paths.home, 'classroom');

/**
 * The lab of the instructor's context. A learner's kubeconfig (a churn-labs classroom context)
 * may not read the class: said in a sentence rather than with the API server's Forbidden.
 */
async function instructorLab(options: CommonOptions, command: string): Promise<Lab> {
  const lab = await labFrom(options);
  if (lab.classroom)
    throw usageError(
      `classroom ${command} is your instructor's command: context ${lab.target.context} is learner ${lab.classroom.learner}'s, which sees only namespace ${lab.namespace}. Your own progress: churn-labs progress.`,
    );
  return lab;
}

async function cluster() {
  const kubectl = await import('../cluster/kubectl.js');
  return kubectl;
}

/** Runs kubectl and turns a failure into one sentence (unreachable cluster, forbidden, ...). */
async function must(target: ClusterTarget, args: string[], what: string, input?: string, timeoutMs = 60_000) {
  const { kubectl, unreachableReason } = await cluster();
  const result = await kubectl(target, args, { input, timeoutMs });
  if (result.ok) return result.stdout;
  const reason = unreachableReason(result, target);
  if (reason) throw environmentError(reason);
  const said = result.stderr
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^[IW]\d{4} /.test(l))
    .join(' ')
    .replace(/^error: /, '');
  throw environmentError(
    `Could not ${what} on context ${target.context}: ${said || `kubectl exit code ${result.exitCode}`}`,
  );
}

const items = (json: string) =>
  (JSON.parse(json) as { items?: import('../kube/objects.js').KubeObject[] }).items ?? [];

// ---------------------------------------------------------------------------------------------- create

export async function create(
  options: CommonOptions & { learners?: string; registry?: string; storageClass?: string },
): Promise<number> {
  if (!options.learners)
    throw usageError('classroom create needs --learners FILE: a file with one learner name a line.');
  const lab = await instructorLab(options, 'create');
  const { parseLearners, learnerNamespace } = await import('../classroom/learners.js');
  const names = parseLearners(await readLearnersFile(options.learners), options.learners);
  const out = createOutput();
  const {
    LEARNER_SELECTOR,
    learnerObjects,
    clusterRole,
    LEARNER_LABEL,
    MANAGED_BY,
    TOKEN_SECRET,
    PROGRESS_CONFIGMAP,
  } = await import('../classroom/objects.js');
  const namespaces = items(
    await must(lab.target, ['get', 'namespaces', '-o', 'json'], 'list the namespaces'),
  );
  const progressKept = new Set(
    items(
      await must(
        lab.target,
        [
          'get',
          'configmaps',
          '-A',
          '-l',
          LEARNER_SELECTOR,
          '--field-selector',
          `metadata.name=${PROGRESS_CONFIGMAP}`,
          '-o',
          'json',
        ],
        "read the learners' progress",
      ),
    ).map((cm) => cm.metadata.namespace),
  );
  const existing = new Map(namespaces.map((ns) => [ns.metadata.name, ns]));
  const dir = classroomDir(lab);
  // What `up --context … --registry R [--storage-class C]` remembered for this cluster, unless given.
  const registry = options.registry ?? lab.registry;
  const storageClass = options.storageClass ?? lab.storageClass;
  // New learners, and learners whose making was cut short (their namespace is there but not their
  // kubeconfig): both are (re)applied, without ever replacing a progress ConfigMap.
  const fresh: string[] = [];
  const kept: string[] = [];
  for (const name of names) {
    const ns = existing.get(learnerNamespace(name));
    if (!ns) fresh.push(name);
    else if (
      ns.metadata.labels?.[MANAGED_BY] !== 'churn-labs' ||
      ns.metadata.labels?.[LEARNER_LABEL] !== name
    )
      throw environmentError(
        `The namespace ${learnerNamespace(name)} exists on context ${lab.target.context} and was not made by churn-labs classroom create: rename the learner, or delete that namespace first.`,
      );
    else if (existsSync(join(dir, `${name}.kubeconfig`))) kept.push(name);
    else fresh.push(name);
  }
  if (kept.length > 0) out.line(`Already in the class, left as they are: ${kept.join(', ')}.`);
  if (fresh.length === 0) {
    out.line(`Nothing to add: every learner of ${options.learners} is in the class on ${clusterName(lab)}.`);
    return 0;
  }
  const listed =
    fresh.length > 12 ? `${fresh.slice(0, 12).join(', ')} and ${fresh.length - 12} more` : fresh.join(', ');
  if (
    !(await confirm(
      `On ${clusterName(lab)}, make ${fresh.length} learner namespace${fresh.length === 1 ? '' : 's'} (${listed}), each with a ServiceAccount, its Role and RoleBinding, a ResourceQuota and LimitRange, and a read-only ClusterRoleBinding to nodes and StorageClasses, and write their kubeconfigs to ${dir}?`,
      options.yes,
      'pass --yes to make them without asking.',
    ))
  ) {
    out.line('Nothing was made.');
    return 1;
  }
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      clusterRole(),
      ...fresh.flatMap((name) =>
        learnerObjects(name).filter(
          (o) => !(o.kind === 'ConfigMap' && progressKept.has(learnerNamespace(name))),
        ),
      ),
    ],
  };
  await must(
    lab.target,
    ['apply', '-f', '-', '-o', 'name'],
    'make the learners’ objects',
    JSON.stringify(list),
    300_000,
  );
  out.line(`Made the namespaces and access of ${fresh.length} learner${fresh.length === 1 ? '' : 's'}.`);
  const tokens = await waitForTokens(lab.target, fresh, LEARNER_SELECTOR, TOKEN_SECRET);
  const { adminCluster, learnerKubeconfig } = await import('../classroom/kubeconfig.js');
  const view = await must(
    lab.target,
    ['config', 'view', '--raw', '--minify', '--flatten', '-o', 'json'],
    "read the admin context's cluster",
  );
  const server = adminCluster(view);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { writeFileAtomicSync } = await import('../files/atomic.js');
  for (const name of fresh) {
    const file = join(dir, `${name}.kubeconfig`);
    writeFileAtomicSync(
      file,
      learnerKubeconfig(server, name, tokens.get(name)!, {
        ...(registry ? { registry } : {}),
        ...(storageClass ? { storageClass } : {}),
      }),
      0o600,
    );
    await chmod(file, 0o600);
  }
  out.line(
    `Wrote ${fresh.length} kubeconfig${fresh.length === 1 ? '' : 's'} to ${dir} (one per learner, readable only by you). Give each learner theirs; they run: npx churn-labs start --kubeconfig <name>.kubeconfig`,
  );
  out.line('Follow the class with: churn-labs classroom status --watch');
  return 0;
}

async function readLearnersFile(file: string): Promise<string> {
  const { MAX_FILE_BYTES } = await import('../classroom/learners.js');
  try {
    const info = await stat(file);
    if (!info.isFile())
      throw usageError(
        `--learners ${file}: not a regular file. Give a text file with one learner name a line.`,
      );
    if (info.size > MAX_FILE_BYTES)
      throw usageError(
        `--learners ${file} is larger than ${MAX_FILE_BYTES / 1024} KB; a learners file has one name a line.`,
      );
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw usageError(
        `--learners ${file}: there is no such file. Give a text file with one learner name a line.`,
      );
    if ((error as NodeJS.ErrnoException).code)
      throw usageError(`--learners ${file} cannot be read: ${(error as Error).message}.`);
    throw error;
  }
}

/**
 * The tokens the API server's token controller writes into the learners' `learner-token` Secrets:
 * one list of every learner's token Secret at a time, until each is filled.
 */
async function waitForTokens(
  target: ClusterTarget,
  names: string[],
  selector: string,
  secretName: string,
  seconds = 60,
): Promise<Map<string, string>> {
  const { learnerNamespace } = await import('../classroom/learners.js');
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const secrets = items(
      await must(
        target,
        [
          'get',
          'secrets',
          '-A',
          '-l',
          selector,
          '--field-selector',
          `metadata.name=${secretName}`,
          '-o',
          'json',
        ],
        "read the learners' tokens",
      ),
    );
    const tokens = new Map<string, string>();
    for (const name of names) {
      const secret = secrets.find((s) => s.metadata.namespace === learnerNamespace(name));
      const data = (secret as { data?: Record<string, string> } | undefined)?.data;
      const token = data && Object.hasOwn(data, 'token') ? data.token : undefined;
      if (token) tokens.set(name, Buffer.from(token, 'base64').toString('utf8'));
    }
    const missing = names.filter((n) => !tokens.has(n));
    if (missing.length === 0) return tokens;
    if (Date.now() > deadline)
      throw environmentError(
        `The API server did not fill the token Secret ${secretName} of ${missing.join(', ')} within ${seconds} s (its token controller writes it). Run classroom create again once it has; nothing else needs redoing.`,
      );
    await sleep(500);
  }
}

// ---------------------------------------------------------------------------------------------- status

interface ClassReading {
  lab: Lab;
  statuses: import('../classroom/status.js').LearnerStatus[];
}

/** The class in two kubectl calls: the learners with their progress, then every object their current steps read. */
async function readClass(lab: Lab, withChecks: boolean): Promise<ClassReading> {
  const { LEARNER_SELECTOR } = await import('../classroom/objects.js');
  const { learnersFrom, currentChecks, learnerStatus, kindsOf } = await import('../classroom/status.js');
  // lab.course is rendered for the instructor's own namespace; each learner's step is rendered
  // for theirs, from the course as written.
  const { loadCourse } = await import('../files/course-files.js');
  const { imagesPrefix, renderExercise } = await import('../course/render.js');
  const course = await loadCourse();
  const render = (exercise: import('../course/schema.js').Exercise, namespace: string) =>
    renderExercise(exercise, {
      namespace,
      images: imagesPrefix(lab.registry),
      workspace: lab.paths.workspace,
      context: lab.target.context,
    });
  const learners = learnersFrom(
    items(
      await must(
        lab.target,
        ['get', 'namespaces,configmaps', '-A', '-l', LEARNER_SELECTOR, '-o', 'json'],
        "read the learners' progress",
      ),
    ),
  );
  let byNamespace: Map<string, import('../kube/objects.js').KubeObject[]> | undefined;
  if (withChecks && learners.length > 0) {
    const { kindsFor } = await import('../cluster/observe.js');
    const { KINDS } = await import('../kube/objects.js');
    const kinds = kindsOf(
      learners.flatMap((l) => currentChecks(course, l, render)),
      kindsFor,
    );
    byNamespace = new Map(learners.map((l) => [l.namespace, []]));
    if (kinds.length > 0) {
      const resources = kinds.map((k) => KINDS[k]?.resource ?? k.toLowerCase());
      const objects = items(
        await must(
          lab.target,
          ['get', resources.join(','), '-A', '-o', 'json'],
          "read the learners' objects",
        ),
      );
      const clusterScoped = objects.filter((o) => !o.metadata.namespace);
      for (const list of byNamespace.values()) list.push(...clusterScoped);
      for (const o of objects) if (o.metadata.namespace) byNamespace.get(o.metadata.namespace)?.push(o);
    }
  }
  return {
    lab,
    statuses: learners.map((l) => learnerStatus(course, l, byNamespace?.get(l.namespace), render)),
  };
}

export async function status(options: CommonOptions & { watch?: boolean }): Promise<number> {
  const lab = await instructorLab(options, 'status');
  const out = createOutput();
  if (options.json) {
    if (options.watch) throw usageError('classroom status --json prints one document; leave out --watch.');
    const { statuses } = await readClass(lab, true);
    out.json({ learners: statuses });
    return 0;
  }
  if (!options.watch) {
    printStatus(out, await readClass(lab, true), process.stdout.columns);
    return 0;
  }
  return whileInterruptible(async (signal) => {
    while (!signal.aborted) {
      // A cluster that stops answering for a while is said, and tried again: the watch goes on.
      const reading = await readClass(lab, true).catch((error: Error) => {
        if (!isUserError(error)) throw error;
        return error;
      });
      if (out.color) process.stdout.write('\u001b[H\u001b[2J');
      if (reading instanceof Error) out.line(out.yellow(reading.message));
      else printStatus(out, reading, process.stdout.columns);
      out.line(out.dim(`Updated ${new Date().toLocaleTimeString()}; refreshes every 3 s. Ctrl-C stops.`));
      await sleep(3000, undefined, { signal }).catch(() => {});
    }
    return 0;
  });
}

function printStatus(out: Output, { lab, statuses }: ClassReading, columns = 80) {
  const width = Math.max(60, Math.min(columns || 80, 120));
  out.line(
    out.bold(
      `${statuses.length} learner${statuses.length === 1 ? '' : 's'} on context ${lab.target.context}`.slice(
        0,
        width,
      ),
    ),
  );
  if (statuses.length === 0) {
    out.line('No learners yet: churn-labs classroom create --learners FILE');
    return;
  }
  const total = lab.course.exercises.filter((e) => !e.incident).length;
  const incidents = lab.course.exercises.filter((e) => e.incident).length;
  // name 12, done 5, inc 4, quiz 6, active 6, then the place and its checks.
  out.line(
    out.dim(
      `${'learner'.padEnd(12)} ${'done'.padEnd(5)} ${'inc'.padEnd(4)} ${'quiz'.padEnd(6)} ${'seen'.padEnd(6)} current step, checks`,
    ),
  );
  for (const s of statuses) {
    const quiz = s.quiz ? `${s.quiz.score}/${s.quiz.max}` : '-';
    const place = s.current
      ? `${s.current.exercise}${s.current.step ? `/${s.current.step}` : ''}`
      : 'all done';
    const marks = (s.current?.checks ?? [])
      .map((c) => (c.passed === null ? '·' : c.passed ? out.green('✓') : out.red('✗')))
      .join('');
    const head = `${clip(s.name, 12)} ${`${s.exercisesDone}/${total}`.padEnd(5)} ${`${s.incidentsSolved}/${incidents}`.padEnd(4)} ${clip(quiz, 6)} ${clip(ago(s.lastActivity), 6)} `;
    const room = width - head.length - (s.current?.checks.length ?? 0) - 2;
    out.line(`${head}${clip(place, Math.max(10, room))}${marks ? ` ${marks}` : ''}`);
    if (s.problem && s.problem !== 'no progress ConfigMap')
      out.line(out.yellow(`  ${clip(s.problem, width - 2)}`));
  }
  out.line(out.dim('done: exercises done; inc: incidents solved; seen: progress last saved.'));
  out.line(out.dim("The step's checks: ✓ ✗ now in the cluster, · checked by the learner's app."));
}

const clip = (text: string, width: number) =>
  text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text.padEnd(width);

function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

// ---------------------------------------------------------------------------------------------- export

export async function exportGrades(options: CommonOptions & { csv?: boolean }): Promise<number> {
  const lab = await instructorLab(options, 'export');
  const { statuses } = await readClass(lab, false);
  const quiz = lab.course.quizzes[0];
  const rows = statuses.map((s) => ({
    name: s.name,
    namespace: s.namespace,
    exercisesDone: s.exercisesDone,
    exercises: lab.course.exercises.filter((e) => !e.incident).length,
    incidentsSolved: s.incidentsSolved,
    incidents: lab.course.exercises.filter((e) => e.incident).length,
    quiz: quiz?.id ?? null,
    quizBest: s.quiz?.score ?? null,
    quizMax: s.quiz?.max ?? null,
    lastActivity: s.lastActivity,
  }));
  if (!options.csv) {
    createOutput().json({ learners: rows });
    return 0;
  }
  const header = Object.keys(rows[0] ?? exportHeader()) as (keyof (typeof rows)[number])[];
  process.stdout.write(`${header.map(csvField).join(',')}\r\n`);
  for (const row of rows) process.stdout.write(`${header.map((k) => csvField(row[k])).join(',')}\r\n`);
  return 0;
}

const exportHeader = () => ({
  name: '',
  namespace: '',
  exercisesDone: 0,
  exercises: 0,
  incidentsSolved: 0,
  incidents: 0,
  quiz: '',
  quizBest: 0,
  quizMax: 0,
  lastActivity: '',
});

/**
 * RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. A field a
 * spreadsheet would run as a formula (=, +, -, @ first) is prefixed with a quote mark.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// ---------------------------------------------------------------------------------------------- delete

export async function remove(options: CommonOptions): Promise<number> {
  const lab = await instructorLab(options, 'delete');
  const out = createOutput();
  const { LEARNER_SELECTOR, CLUSTER_ROLE, LEARNER_LABEL } = await import('../classroom/objects.js');
  const namespaces = items(
    await must(lab.target, ['get', 'namespaces', '-l', LEARNER_SELECTOR, '-o', 'json'], 'list the learners'),
  );
  const names = namespaces.map((ns) => ns.metadata.labels?.[LEARNER_LABEL]).filter((n): n is string => !!n);
  const dir = classroomDir(lab);
  if (names.length === 0) {
    // What an interrupted delete may have left; ours by name and label, and no one's access.
    await must(
      lab.target,
      ['delete', 'clusterrole', CLUSTER_ROLE, '--ignore-not-found'],
      'delete the ClusterRole',
    );
    out.line(`There are no learners on ${clusterName(lab)}: nothing to delete.`);
    return 0;
  }
  if (
    !(await confirm(
      `Delete the class on ${clusterName(lab)}: ${names.length} learner namespace${names.length === 1 ? '' : 's'} (${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}) with everything in them, their access, and their kubeconfigs in ${dir}?`,
      options.yes,
      'pass --yes to delete them without asking.',
    ))
  ) {
    out.line('Nothing was deleted.');
    return 1;
  }
  await whileInterruptible(async () => {
    await must(
      lab.target,
      ['delete', 'clusterrolebindings', '-l', LEARNER_SELECTOR, '--ignore-not-found'],
      "delete the learners' access",
    );
    await must(
      lab.target,
      ['delete', 'clusterrole', CLUSTER_ROLE, '--ignore-not-found'],
      'delete the ClusterRole',
    );
    await must(
      lab.target,
      ['delete', 'namespaces', '-l', LEARNER_SELECTOR, '--ignore-not-found', '--timeout=300s'],
      "delete the learners' namespaces",
      undefined,
      330_000,
    );
  });
  const files = await readdirSafe(dir);
  const gone = files.filter(
    (f) => names.includes(f.replace(/\.kubeconfig$/, '')) && f.endsWith('.kubeconfig'),
  );
  await Promise.all(gone.map((f) => rm(join(dir, f), { force: true })));
  out.line(
    `${out.green('Deleted the class:')} ${names.length} namespace${names.length === 1 ? '' : 's'}, their access and ${gone.length} kubeconfig${gone.length === 1 ? '' : 's'}.`,
  );
  return 0;
}

async function readdirSafe(dir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  return readdir(dir).catch(() => []);
}
