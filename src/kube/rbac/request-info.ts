import type { RequestAttributes, UserInfo } from './rules.js';

/**
 * What a request asks, as the API server's RequestInfoFactory reads it from the method and URL:
 * a resource request (`/api/v1/namespaces/ns/pods/name/log`: verb, group, resource, subresource,
 * namespace, name) or a non-resource URL (`/version`, `/apis`: the method as its verb).
 */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const METHOD_VERBS: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

const falsy = (value: string) => value === '0' || value.toLowerCase() === 'false';

/** Whether a name may be a path segment (path.IsValidPathSegmentName). */
export const validPathSegment = (name: string) => name !== '.' && name !== '..' && !/[/%]/.test(name);

/** A non-resource request's attributes: a verb on a URL path, nothing of a resource. */
export const nonResourceAttributes = (user: UserInfo, verb: string, path: string): RequestAttributes => ({
  user,
  verb,
  resourceRequest: false,
  apiGroup: '',
  apiVersion: '',
  resource: '',
  subresource: '',
  namespace: '',
  name: '',
  path,
});

export function requestAttributes(
  user: UserInfo,
  method: string,
  path: string,
  query: URLSearchParams,
): RequestAttributes {
  const attributes = nonResourceAttributes(user, method.toLowerCase(), path);
  let parts = path.split('/').filter((p) => p !== '');
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return attributes;
  const prefix = parts[0];
  parts = parts.slice(1);
  if (prefix === 'apis') {
    if (parts.length < 3) return attributes;
    attributes.apiGroup = parts[0]!;
    parts = parts.slice(1);
  }
  attributes.resourceRequest = true;
  attributes.apiVersion = parts[0]!;
  parts = parts.slice(1);
  let verb = METHOD_VERBS[method.toUpperCase()] ?? '';
  if (parts[0] === 'watch' || parts[0] === 'proxy') {
    verb = parts[0];
    parts = parts.slice(1);
  }
  if (parts[0] === 'namespaces' && parts.length > 1) {
    attributes.namespace = decodeSegment(parts[1]!);
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
  }
  if (parts.length >= 3 && verb !== 'proxy') attributes.subresource = parts[2]!;
  if (parts.length >= 2) attributes.name = decodeSegment(parts[1]!);
  if (parts.length >= 1) attributes.resource = parts[0]!;
  if (!attributes.name && verb === 'get') {
    const watch = query.get('watch');
    verb = watch !== null && !falsy(watch) ? 'watch' : 'list';
    const match = /^metadata\.name==?([^,]*)$/.exec(query.get('fieldSelector') ?? '');
    if (match && validPathSegment(match[1]!)) attributes.name = match[1]!;
  }
  if (!attributes.name && verb === 'delete') verb = 'deletecollection';
  attributes.verb = verb;
  return attributes;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
