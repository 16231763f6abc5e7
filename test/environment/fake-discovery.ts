import type { ServerResponse } from 'node:http';

/**
 * What the fake API server says about itself: the resources it serves (legacy discovery), the
 * OpenAPI v3 documents `kubectl apply` reads to decide that the server validates fields, and the
 * small helpers for answering like a Kubernetes API server.
 */
export type Resource = { group: string; version: string; plural: string; kind: string; namespaced: boolean };

export const RESOURCES: Resource[] = [
  ['', 'v1', 'namespaces', 'Namespace', false],
  ['', 'v1', 'pods', 'Pod', true],
  ['', 'v1', 'events', 'Event', true],
  ['', 'v1', 'serviceaccounts', 'ServiceAccount', true],
  ['', 'v1', 'services', 'Service', true],
  ['', 'v1', 'configmaps', 'ConfigMap', true],
  ['', 'v1', 'secrets', 'Secret', true],
  ['', 'v1', 'nodes', 'Node', false],
  ['apps', 'v1', 'deployments', 'Deployment', true],
  ['rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false],
  ['rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false],
  ['rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true],
  ['rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true],
  ['apiregistration.k8s.io', 'v1', 'apiservices', 'APIService', false],
  ['storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false],
].map(
  ([group, version, plural, kind, namespaced]) => ({ group, version, plural, kind, namespaced }) as Resource,
);

export const groupVersion = (r: { group: string; version: string }) =>
  r.group ? `${r.group}/${r.version}` : r.version;
export const base = (r: Resource) => (r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`);

export function send(res: ServerResponse, code: number, value: unknown) {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

export function text(res: ServerResponse, code: number, value: string) {
  res.writeHead(code, { 'content-type': 'text/plain' });
  res.end(value);
}

export function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** Good enough for apply's patches: objects merge, lists and scalars replace, `$` directives drop. */
export function merge(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

export function groupList() {
  const groups = [...new Set(RESOURCES.filter((r) => r.group).map((r) => groupVersion(r)))].map((gv) => {
    const [name, version] = gv.split('/');
    return {
      name,
      versions: [{ groupVersion: gv, version }],
      preferredVersion: { groupVersion: gv, version },
    };
  });
  groups.push({
    name: 'metrics.k8s.io',
    versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }],
    preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' },
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function resourceList(group: string, version: string, resources: Resource[]) {
  const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion({ group, version }),
    resources: resources.flatMap((r) => [
      { name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs },
      ...(r.plural === 'pods'
        ? [{ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] }]
        : []),
    ]),
  };
}

export function openapiRoot() {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const r of RESOURCES) {
    const p = base(r).slice(1);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=fake` };
  }
  return paths;
}

/** Just what kubectl reads to decide that the server validates fields itself (fieldValidation). */
export function openapiDoc(gvPath: string) {
  const paths: Record<string, unknown> = {};
  for (const r of RESOURCES.filter((x) => base(x).slice(1) === gvPath)) {
    const item = `${base(r)}/${r.namespaced ? 'namespaces/{namespace}/' : ''}${r.plural}/{name}`;
    paths[item] = {
      patch: {
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }],
        responses: {},
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'fake', version: 'v1' }, paths, components: { schemas: {} } };
}
