import { badRequest } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import { type IncludeObject, toTable, wantsTable } from '../../kube/tables/index.js';
import type { StoreEvent } from '../store.js';
import type { Api } from './context.js';
import { type ApiCall, headerFor, queryInt } from './http.js';
import { filtersOf, matches } from './read.js';
import type { Route } from './route.js';
import { toServed } from './versions.js';

/**
 * `?watch=1`: newline-delimited `{"type","object"}` events, from a resourceVersion (the store's
 * history, 410 Expired when too old) or from now with the current objects as ADDED first. An
 * object that starts or stops matching the selectors arrives as ADDED or DELETED, as from the
 * API server's watch cache. With `as=Table` each event carries a one-row table (`kubectl get -w`).
 */
export function handleWatch(api: Api, call: ApiCall, route: Route): void {
  const { resource } = route;
  const filters = filtersOf(resource, call.query);
  if (route.name) filters.fields.push({ field: 'metadata.name', op: '=', value: route.name });
  const timeout = queryInt(call.query, 'timeoutSeconds');
  const rvParam = call.query.get('resourceVersion');
  const initialEvents = call.query.get('sendInitialEvents') === 'true';
  if (initialEvents && call.query.get('resourceVersionMatch') !== 'NotOlderThan')
    throw badRequest(
      'sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan',
    );
  const table = wantsTable(call.req.headers.accept);
  const include = (call.query.get('includeObject') as IncludeObject | null) ?? 'Metadata';

  const relevant = (object: KubeObject) =>
    resource.namespaced && route.namespace ? object.metadata.namespace === route.namespace : true;
  const visible = new Set<string>();
  const id = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

  const queue: StoreEvent[] = [];
  let ready = false;
  const unsubscribe = api.store.subscribe((event) => {
    if (event.kind !== resource.storeKind || !relevant(event.object)) return;
    if (ready) send(event);
    else queue.push(event);
  });

  let backlog: { type: string; object: KubeObject }[] = [];
  const fromNow = rvParam === null || rvParam === '' || rvParam === '0' || initialEvents;
  try {
    if (fromNow) {
      backlog = api.store
        .list(resource.storeKind, route.namespace)
        .filter((o) => relevant(o) && matches(filters, o))
        .map((object) => ({ type: 'ADDED', object }));
    } else {
      const since = Number(rvParam);
      if (!Number.isInteger(since)) throw badRequest(`invalid resource version: ${rvParam}`);
      backlog = api.store
        .changesSince(since)
        .filter((e) => e.kind === resource.storeKind && relevant(e.object)) as never;
    }
  } catch (error) {
    unsubscribe();
    throw error;
  }

  const { res } = call;
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
    ...headerFor(call.warnings),
  });
  res.socket?.setNoDelay(true);
  // Send the headers now: a watch with no event yet must still answer, or kubectl waits on it.
  res.flushHeaders();
  let first = true;
  const write = (type: string, object: KubeObject) => {
    let body: unknown = toServed(resource, object);
    if (table && type !== 'BOOKMARK') {
      body = toTable(resource.kind, [body as KubeObject], { include, noHeaders: !first });
      first = false;
    }
    res.write(`${JSON.stringify({ type, object: body })}\n`);
  };

  function send(event: { type: string; object: KubeObject }): void {
    const key = id(event.object);
    const now = event.type !== 'DELETED' && matches(filters, event.object);
    if (event.type === 'DELETED') {
      if (visible.delete(key) || matches(filters, event.object)) write('DELETED', event.object);
    } else if (now) {
      // A resumed watch cannot tell whether a modified object matched before; it stays MODIFIED.
      const seen = visible.has(key) || (!fromNow && event.type === 'MODIFIED');
      write(seen ? 'MODIFIED' : 'ADDED', event.object);
      visible.add(key);
    } else if (visible.delete(key)) write('DELETED', event.object);
  }

  for (const event of backlog) {
    if (fromNow) {
      visible.add(id(event.object));
      write('ADDED', event.object);
    } else send(event);
  }
  if (initialEvents) {
    res.write(
      `${JSON.stringify({
        type: 'BOOKMARK',
        object: {
          kind: resource.kind,
          apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version,
          metadata: {
            resourceVersion: api.store.resourceVersion,
            annotations: { 'k8s.io/initial-events-end': 'true' },
          },
        },
      })}\n`,
    );
  }
  ready = true;
  for (const event of queue.splice(0)) send(event);

  let timer: NodeJS.Timeout | undefined;
  const close = () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    api.closers.delete(close);
    if (!res.writableEnded) res.end();
  };
  api.closers.add(close);
  if (timeout !== undefined && timeout > 0) timer = setTimeout(close, timeout * 1000);
  call.req.on('close', close);
  res.on('close', close);
}
