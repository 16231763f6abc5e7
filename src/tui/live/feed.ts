import type { ClusterTarget } from '../../cluster/kubectl.js';
import { kubectlRunning } from '../../cluster/kubectl.js';
import type { LongRunningTool } from '../../cluster/tool.js';
import { KINDS } from '../../kube/objects.js';

/**
 * Change notifications from the cluster: one `kubectl get <resource> --watch-only -o name` per kind
 * (kubectl watches one resource type at a time). Every line it prints is a change. A watch ends
 * when the API server closes it or the cluster goes away; it is started again after a pause that
 * grows while it keeps failing. A healthy watch that ends counts as a change (something may have
 * been missed); one that fails at once does not (the cluster is away: nothing to see, and
 * evaluating would only say so again), but its recovery does.
 *
 * A new watch sees only what changes after kubectl has listed and started watching, a few hundred
 * ms after it is started; a change made in that gap (the first reading of the step already taken)
 * would print nothing and stay unseen until the next one. So once a watch is up it counts as a
 * change too: one catch-up evaluation per step, the watches of all kinds coming up together.
 */
export interface FeedOptions {
  target: ClusterTarget;
  namespace: string;
  kinds: readonly string[];
  onChange: (kind: string) => void;
  /** How a watch process is started; the real one runs kubectl. */
  start?: typeof kubectlRunning;
}

const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 30_000;
/** A watch that has run this long is up: the cluster answers. */
const UP_MS = 3_000;

export function startFeed(options: FeedOptions): () => Promise<void> {
  const start = options.start ?? kubectlRunning;
  let stopped = false;
  const running = new Set<LongRunningTool>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const watch = (kind: string, retryMs: number) => {
    if (stopped) return;
    const resource = KINDS[kind]?.resource ?? kind.toLowerCase();
    const args = ['get', resource, '--watch-only', '-o', 'name'];
    if (KINDS[kind]?.namespaced !== false) args.push('-n', options.namespace);
    let up = false;
    let printed = false;
    const tool = start(options.target, args, {
      onLine: (line) => {
        if (!line.trim()) return;
        printed = true;
        options.onChange(kind);
      },
    });
    running.add(tool);
    later(UP_MS, () => {
      if (!running.has(tool)) return;
      up = true;
      // Whatever changed before the watch began (or while it was failing) was not seen.
      options.onChange(kind);
    });
    void tool.ended.then(() => {
      running.delete(tool);
      if (stopped) return;
      const healthy = up || printed;
      if (healthy) options.onChange(kind);
      const pause = healthy ? FIRST_RETRY_MS : retryMs;
      later(pause, () => watch(kind, healthy ? FIRST_RETRY_MS : Math.min(pause * 2, LONGEST_RETRY_MS)));
    });
  };

  for (const kind of new Set(options.kinds)) watch(kind, FIRST_RETRY_MS);

  return async () => {
    stopped = true;
    for (const timer of timers) clearTimeout(timer);
    await Promise.all([...running].map((tool) => tool.stop()));
  };
}
