import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest } from '../../kube/errors.js';
import { own, setOwn } from '../../kube/own.js';
import { authorize } from '../../kube/rbac/authorizer.js';
import { requestAttributes } from '../../kube/rbac/request-info.js';
import { forbiddenMessage, type RequestAttributes, type UserInfo } from '../../kube/rbac/rules.js';
import type { Store } from '../store.js';
import { authenticate } from './authenticate.js';
import type { SigningKey } from './tokens.js';

/**
 * The API server's filter chain before a handler runs: authentication, impersonation, then
 * authorization of what the request asks (RBAC). A refusal is the Status a real server answers:
 * 401 Unauthorized, or 403 Forbidden with `User "u" cannot <verb> resource ...`.
 */
export interface Auth {
  store: Store;
  key: SigningKey;
  /** The CA client certificates must be signed by (none: no certificate is taken). */
  ca?: X509Certificate;
}

/** NewForbidden: `pods "x" is forbidden: <why>`, `pods is forbidden: ...`, or `forbidden: ...`. */
export function forbiddenError(
  resource: { group: string; resource: string },
  name: string,
  why: string,
): ApiError {
  const qualified = resource.group ? `${resource.resource}.${resource.group}` : resource.resource;
  const message = !qualified
    ? `forbidden: ${why}`
    : name
      ? `${qualified} ${JSON.stringify(name)} is forbidden: ${why}`
      : `${qualified} is forbidden: ${why}`;
  const details: { name?: string; group?: string; kind?: string } = {};
  if (name) details.name = name;
  if (resource.group) details.group = resource.group;
  if (resource.resource) details.kind = resource.resource;
  return new ApiError(403, 'Forbidden', message, details);
}

export function checkAllowed(auth: Auth, attributes: RequestAttributes): void {
  const decision = authorize(auth.store, attributes);
  if (decision.allowed) return;
  const why = forbiddenMessage(attributes) + (decision.reason ? `: ${decision.reason}` : '');
  throw forbiddenError(
    attributes.resourceRequest
      ? { group: attributes.apiGroup, resource: attributes.resource }
      : { group: '', resource: '' },
    attributes.name,
    why,
  );
}

export const allowed = (auth: Auth, attributes: RequestAttributes) =>
  authorize(auth.store, attributes).allowed;

/** Attributes for a question the server asks itself about the user (impersonate, bind, escalate). */
export function ask(
  user: UserInfo,
  verb: string,
  apiGroup: string,
  resource: string,
  namespace: string,
  name: string,
  subresource = '',
): RequestAttributes {
  return {
    user,
    verb,
    resourceRequest: true,
    apiGroup,
    apiVersion: '*',
    resource,
    subresource,
    namespace,
    name,
    path: '',
  };
}

const SA_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

/**
 * WithImpersonation: `Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid` and
 * `Impersonate-Extra-*`, each allowed by the `impersonate` verb on users, groups, uids,
 * userextras/<key> or the ServiceAccount named.
 */
export function impersonate(auth: Auth, requester: UserInfo, req: IncomingMessage): UserInfo {
  const values = (name: string): string[] => {
    const raw = req.headers[name];
    return raw === undefined
      ? []
      : (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',').map((s) => s.trim())).filter(Boolean);
  };
  const userName = req.headers['impersonate-user'];
  const groups = values('impersonate-group');
  const uid = req.headers['impersonate-uid'];
  const extraHeaders = Object.keys(req.headers).filter((h) => h.startsWith('impersonate-extra-'));
  if (userName === undefined) {
    if (groups.length > 0 || uid !== undefined || extraHeaders.length > 0)
      // kubectl refuses this itself; the API server answers an internal error (wording not matched).
      throw new ApiError(
        500,
        'InternalError',
        'Internal error occurred: requested impersonation of groups, a uid or extra values without impersonating a user',
      );
    return requester;
  }
  const name = Array.isArray(userName) ? userName[0]! : userName;
  const sa = SA_USER.exec(name);
  const check = (attributes: RequestAttributes) => {
    if (allowed(auth, attributes)) return;
    throw forbiddenError(
      { group: attributes.apiGroup, resource: attributes.resource },
      attributes.name,
      forbiddenMessage(attributes),
    );
  };
  if (sa) check(ask(requester, 'impersonate', '', 'serviceaccounts', sa[1]!, sa[2]!));
  else check(ask(requester, 'impersonate', '', 'users', '', name));
  for (const group of groups) check(ask(requester, 'impersonate', '', 'groups', '', group));
  if (typeof uid === 'string') check(ask(requester, 'impersonate', 'authentication.k8s.io', 'uids', '', uid));
  const extra: Record<string, string[]> = {};
  for (const header of extraHeaders) {
    let key: string;
    try {
      key = decodeURIComponent(header.slice('impersonate-extra-'.length));
    } catch {
      throw badRequest(
        `invalid Impersonate-Extra header name ${JSON.stringify(header)}: bad percent-encoding`,
      );
    }
    for (const value of values(header)) {
      check(ask(requester, 'impersonate', 'authentication.k8s.io', 'userextras', '', value, key));
      // A key named __proto__ is a key like any other, never the object's prototype.
      setOwn(extra, key, [...((own(extra, key) as string[] | undefined) ?? []), value]);
    }
  }
  const all = [...groups];
  if (sa) all.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`);
  if (name !== 'system:anonymous' && !all.includes('system:authenticated')) all.push('system:authenticated');
  if (name === 'system:anonymous' && !all.includes('system:unauthenticated'))
    all.push('system:unauthenticated');
  return { username: name, groups: all, ...(typeof uid === 'string' ? { uid } : {}), extra };
}

/** Who the request is from, once authenticated and impersonated, if allowed what it asks. */
export function admitRequest(
  auth: Auth,
  req: IncomingMessage,
  path: string,
  query: URLSearchParams,
): UserInfo {
  const user = impersonate(auth, authenticate(req, auth), req);
  const method = (req.method ?? 'GET').toUpperCase();
  const attributes = requestAttributes(user, method, path, query);
  checkAllowed(auth, attributes);
  // A websocket exec, attach or port-forward (a GET) needs create too, as since Kubernetes 1.31.
  if (
    attributes.resourceRequest &&
    attributes.verb === 'get' &&
    attributes.resource === 'pods' &&
    ['exec', 'attach', 'portforward'].includes(attributes.subresource) &&
    /websocket/i.test(String(req.headers.upgrade ?? ''))
  )
    checkAllowed(auth, { ...attributes, verb: 'create' });
  return user;
}
