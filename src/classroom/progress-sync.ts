import { type ClusterTarget, kubectl, unreachableReason } from '../cluster/kubectl.js';
import type { Progress } from '../course/progress.js';
import { own } from '../kube/own.js';
import { PROGRESS_CONFIGMAP, progressConfigMap } from './objects.js';
import { readProgressJson } from './progress-json.js';

/**
 * A classroom learner's progress, kept also in the ConfigMap churn-labs-progress of their
 * namespace, where the instructor's `classroom status` reads it and another machine finds it.
 *
 * Every write replaces the ConfigMap at the resourceVersion just read, so the API server refuses
 * it (409 Conflict) if anything changed it in between; then it reads and writes again. Writes run
 * in the background, one at a time: while one is out, later changes wait and only the newest goes
 * next (each holds the whole progress). A failure is warned once, not per write; the next change
 * tries again.
 */
export class ProgressSync {
  private latest: string | undefined;
  private running: Promise<void> | undefined;
  private warned = false;

  constructor(
    private readonly target: ClusterTarget,
    private readonly namespace: string,
    private readonly learner: string,
    private readonly warn: (message: string) => void,
    private readonly attempts = 5,
  ) {}

  push(progress: Progress): void {
    this.latest = `${JSON.stringify(progress, null, 2)}\n`;
    this.running ??= this.drain();
  }

  /** Settles when every change pushed so far is written (or failed). */
  flush(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    try {
      while (this.latest !== undefined) {
        const text = this.latest;
        this.latest = undefined;
        const problem = await this.write(text).catch((error: Error) => error.message);
        if (problem === undefined) this.warned = false;
        else if (!this.warned) {
          this.warned = true;
          this.warn(
            `your progress could not be saved to the class's cluster (ConfigMap ${PROGRESS_CONFIGMAP} in ${this.namespace}): ${problem}. It is kept on this machine, and the next change tries again.`,
          );
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  /** Undefined once written, else what went wrong. */
  private async write(text: string): Promise<string | undefined> {
    const run = { timeoutMs: 15_000 };
    let last = '';
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      const read = await kubectl(
        this.target,
        ['get', 'configmap', PROGRESS_CONFIGMAP, '-n', this.namespace, '-o', 'json', '--ignore-not-found'],
        run,
      );
      if (!read.ok) return unreachableReason(read, this.target) ?? serverSays(read.stderr);
      const object = progressConfigMap(this.learner, text, new Date()) as ReturnType<
        typeof progressConfigMap
      > & {
        metadata: { resourceVersion?: string };
      };
      object.metadata.namespace = this.namespace;
      const current = read.stdout.trim() === '' ? undefined : (JSON.parse(read.stdout) as unknown);
      const resourceVersion = own(own(current, 'metadata'), 'resourceVersion');
      if (typeof resourceVersion === 'string') object.metadata.resourceVersion = resourceVersion;
      const verb = current === undefined ? 'create' : 'replace';
      const wrote = await kubectl(this.target, [verb, '-f', '-', '-o', 'name'], {
        ...run,
        input: JSON.stringify(object),
      });
      if (wrote.ok) return undefined;
      last = serverSays(wrote.stderr);
      // Changed (Conflict) or made (AlreadyExists) since it was read: read it again.
      if (!/\((Conflict|AlreadyExists)\)/.test(wrote.stderr))
        return unreachableReason(wrote, this.target) ?? last;
    }
    return `it kept changing while being written (${last})`;
  }
}

const serverSays = (stderr: string) =>
  stderr
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .at(-1)
    ?.replace(/^error: /, '') ?? 'kubectl failed';

/**
 * The progress kept in the learner's ConfigMap, for a machine that has none: undefined when there
 * is none there either (or it cannot be read; the app then starts afresh, as it would anyway).
 */
export async function progressFromCluster(
  target: ClusterTarget,
  namespace: string,
): Promise<Progress | undefined> {
  const read = await kubectl(
    target,
    ['get', 'configmap', PROGRESS_CONFIGMAP, '-n', namespace, '-o', 'json', '--ignore-not-found'],
    { timeoutMs: 15_000 },
  );
  if (!read.ok || read.stdout.trim() === '') return undefined;
  try {
    const data = own(JSON.parse(read.stdout), 'data');
    const { progress, problem } = readProgressJson(own(data, 'progress.json'));
    return problem ? undefined : progress;
  } catch {
    return undefined;
  }
}
