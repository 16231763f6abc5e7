import { badRequest } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import { type LogQuery, readLogFrom, renderLog } from '../kubelet/logs.js';
import type { Api } from './context.js';
import { type ApiCall, queryFlag, queryInt } from './http.js';
import type { Route } from './route.js';

/**
 * pods/log: a container's log file (the node's CRI-format files, through Runtime.logFile), with
 * container, previous, tailLines, sinceSeconds, sinceTime, timestamps, limitBytes and follow.
 * A followed log ends when the container instance ends, the pod goes, or the client leaves.
 */
const FOLLOW_POLL_MS = 200;

function containerOf(pod: KubeObject, wanted: string | null): string {
  const containers: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  const inits: string[] = (pod.spec?.initContainers ?? []).map((c: { name: string }) => c.name);
  if (wanted) {
    if (!containers.includes(wanted) && !inits.includes(wanted))
      throw badRequest(`container ${wanted} is not valid for pod ${pod.metadata.name}`);
    return wanted;
  }
  if (containers.length === 1) return containers[0]!;
  const initText = inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : '';
  throw badRequest(
    `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(' ')}]${initText}`,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: container statuses are open JSON.
function containerStatus(pod: KubeObject, container: string): Record<string, any> | undefined {
  const all = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  return all.find((s: { name: string }) => s.name === container);
}

export async function handleLog(api: Api, call: ApiCall, route: Route): Promise<void> {
  const namespace = route.namespace!;
  const name = route.name!;
  const pod = api.store.require('Pod', namespace, name);
  const container = containerOf(pod, call.query.get('container'));
  const previous = queryFlag(call.query, 'previous');
  const follow = queryFlag(call.query, 'follow') && !previous;
  const sinceSeconds = queryInt(call.query, 'sinceSeconds');
  const sinceTime = call.query.get('sinceTime');
  const query: LogQuery = {
    timestamps: queryFlag(call.query, 'timestamps'),
    tailLines: queryInt(call.query, 'tailLines'),
    limitBytes: queryInt(call.query, 'limitBytes'),
    since: sinceSeconds !== undefined ? Date.now() - sinceSeconds * 1000 : (sinceTime ?? undefined),
  };

  const file = api.runtime()?.logFile(namespace, name, container, previous);
  if (!file) {
    if (previous) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    const waiting = containerStatus(pod, container)?.state?.waiting?.reason ?? 'ContainerCreating';
    throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${waiting}`);
  }

  let first: Awaited<ReturnType<typeof readLogFrom>>;
  try {
    first = await readLogFrom(file, 0);
  } catch {
    first = { entries: [], offset: 0 };
  }
  const { res } = call;
  res.writeHead(200, {
    'Content-Type': 'text/plain',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  let budget = query.limitBytes;
  const emit = (text: string) => {
    if (budget !== undefined) {
      const bytes = Buffer.from(text);
      text = bytes.subarray(0, Math.max(0, budget)).toString();
      budget -= Math.min(bytes.length, budget);
    }
    if (text) res.write(text);
  };
  emit(renderLog(first.entries, { ...query, limitBytes: undefined }));

  const running = () => {
    const current = api.store.get('Pod', namespace, name);
    if (!current || current.metadata.uid !== pod.metadata.uid) return false;
    if (api.runtime()?.logFile(namespace, name, container, false) !== file) return false;
    return (
      Boolean(containerStatus(current, container)?.state?.running) || current.status?.phase === 'Pending'
    );
  };
  if (!follow || !running() || (budget !== undefined && budget <= 0)) {
    res.end();
    return;
  }

  let offset = first.offset;
  let timer: NodeJS.Timeout | undefined;
  const close = () => {
    if (timer) clearTimeout(timer);
    api.closers.delete(close);
    if (!res.writableEnded) res.end();
  };
  api.closers.add(close);
  call.req.on('close', close);
  const poll = async () => {
    try {
      const alive = running();
      const next = await readLogFrom(file, offset);
      offset = next.offset;
      emit(renderLog(next.entries, { timestamps: query.timestamps }));
      if (!alive || (budget !== undefined && budget <= 0)) return close();
    } catch {
      return close();
    }
    if (!res.writableEnded) timer = setTimeout(poll, FOLLOW_POLL_MS);
  };
  timer = setTimeout(poll, FOLLOW_POLL_MS);
}
