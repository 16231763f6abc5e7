import { type Catalog, findResource, type Resource } from '../../kube/resources.js';

/**
 * Where a REST path points: `/api/v1/namespaces/NS/pods/NAME/log`, `/apis/apps/v1/deployments`,
 * `/api/v1/namespaces/NS` (a namespace itself), `/api/v1/namespaces/NS/services/NAME:PORT/proxy/PATH`.
 */
export interface Route {
  resource: Resource;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The rest of the path after a proxy subresource, still percent-encoded, with its leading slash. */
  subpath?: string;
  /** Legacy `/watch/` paths. */
  watch?: boolean;
}

export type RouteResult = Route | { unknownResource: string; group: string; version: string } | undefined;

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export function parseRoute(path: string, catalog?: Catalog): RouteResult {
  const core = path.match(/^\/api\/(v1)\/(.+)$/);
  const named = core ? undefined : path.match(/^\/apis\/([^/]+)\/([^/]+)\/(.+)$/);
  if (!core && !named) return undefined;
  const group = core ? '' : named![1]!;
  const version = core ? core[1]! : named![2]!;
  const raw = (core ? core[2]! : named![3]!).split('/');
  let watch = false;
  if (raw[0] === 'watch') {
    watch = true;
    raw.shift();
  }
  const find = (plural: string) =>
    catalog ? catalog.find(group, version, plural) : findResource(group, version, plural);
  const unknown = (plural: string) => ({ unknownResource: plural, group, version });

  const rest = (segments: string[], namespace: string | undefined): RouteResult => {
    const plural = segments[0];
    if (!plural) return undefined;
    const resource = find(plural);
    if (!resource) return unknown(plural);
    const [, name, subresource] = segments;
    const route: Route = { resource, namespace, watch };
    if (name !== undefined && name !== '') route.name = decode(name);
    if (subresource !== undefined) route.subresource = subresource;
    if (segments.length > 3) route.subpath = `/${segments.slice(3).join('/')}`;
    else if (subresource === 'proxy') route.subpath = path.endsWith('/') ? '/' : '';
    return route;
  };

  if (raw[0] === 'namespaces' && raw.length >= 3) {
    const resource = find(raw[2]!);
    if (resource?.namespaced) return rest(raw.slice(2), decode(raw[1]!));
    if (!resource && raw[2] !== 'status' && raw[2] !== 'finalize') return unknown(raw[2]!);
  }
  return rest(raw, undefined);
}
