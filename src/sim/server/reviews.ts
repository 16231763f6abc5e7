import { randomUUID } from 'node:crypto';
import { FieldErrors } from '../../kube/admission/field-errors.js';
import { ApiError, badRequest, invalid } from '../../kube/errors.js';
import { own } from '../../kube/own.js';
import { authorize, rulesFor } from '../../kube/rbac/authorizer.js';
import { nonResourceAttributes } from '../../kube/rbac/request-info.js';
import type { PolicyRule, RequestAttributes, UserInfo } from '../../kube/rbac/rules.js';
import { ANONYMOUS, tokenUser } from '../auth/authenticate.js';
import { ISSUER, serviceAccountUser, signToken } from '../auth/tokens.js';
import type { Api } from './context.js';
import { type ApiCall, decodeBody, sendJson } from './http.js';
import type { Route } from './route.js';

/**
 * The reviews a client asks the API server about itself (created, answered, never stored):
 * SelfSubjectAccessReview (`kubectl auth can-i`), SelfSubjectRulesReview (`kubectl auth can-i
 * --list`), SubjectAccessReview, SelfSubjectReview (`kubectl auth whoami`); and TokenRequest, the
 * serviceaccounts/token subresource (`kubectl create token`).
 */
// biome-ignore lint/suspicious/noExplicitAny: request bodies are open JSON.
type Json = any;

function readReview(call: ApiCall, body: Buffer, kind: string, apiVersion: string): Json {
  const review = decodeBody(body, call.req.headers['content-type'], kind);
  if (typeof review !== 'object' || review === null || Array.isArray(review))
    throw badRequest(`the object provided is unrecognized (must be of type ${kind})`);
  const given = own(review, 'kind');
  if (given !== undefined && given !== kind)
    throw badRequest(`the object provided is unrecognized (must be of type ${kind}): kind ${given}`);
  return {
    ...review,
    apiVersion,
    kind,
    metadata: { ...(own(review, 'metadata') ?? {}), creationTimestamp: null },
  };
}

const str = (value: unknown) => (typeof value === 'string' ? value : '');

function accessAttributes(user: UserInfo, spec: Json): RequestAttributes {
  const resource = own(spec, 'resourceAttributes');
  const nonResource = own(spec, 'nonResourceAttributes');
  if (resource && typeof resource === 'object')
    return {
      user,
      verb: str(own(resource, 'verb')),
      resourceRequest: true,
      apiGroup: str(own(resource, 'group')),
      apiVersion: str(own(resource, 'version')),
      resource: str(own(resource, 'resource')),
      subresource: str(own(resource, 'subresource')),
      namespace: str(own(resource, 'namespace')),
      name: str(own(resource, 'name')),
      path: '',
    };
  return nonResourceAttributes(user, str(own(nonResource, 'verb')), str(own(nonResource, 'path')));
}

function validateAccessSpec(kind: string, spec: Json): void {
  const errors = new FieldErrors();
  const resource = own(spec, 'resourceAttributes');
  const nonResource = own(spec, 'nonResourceAttributes');
  if (resource && nonResource)
    errors.invalid(
      'spec.nonResourceAttributes',
      nonResource,
      'cannot be specified in combination with resourceAttributes',
    );
  else if (!resource && !nonResource)
    errors.invalid(
      'spec.resourceAttributes',
      null,
      'exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  if (kind === 'SubjectAccessReview' && !str(own(spec, 'user')) && (own(spec, 'groups') ?? []).length === 0)
    errors.invalid('spec.user', '', '`spec.user` or `spec.groups` must be specified');
  if (!errors.empty) throw invalid(kind, 'authorization.k8s.io', '', errors.causes);
}

function invalidReview(kind: string, field: string, value: unknown, detail: string): ApiError {
  const errors = new FieldErrors();
  errors.invalid(field, value, detail);
  return invalid(kind, 'authorization.k8s.io', '', errors.causes);
}

function accessStatus(api: Api, attributes: RequestAttributes) {
  const decision = authorize(api.store, attributes);
  return { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) };
}

export function handleReview(api: Api, call: ApiCall, route: Route, body: Buffer): void {
  const user = call.user ?? ANONYMOUS;
  const { kind } = route.resource;
  const apiVersion = `${route.resource.group}/${route.resource.version}`;
  const review = readReview(call, body, kind, apiVersion);
  const spec = own(review, 'spec') ?? {};
  switch (kind) {
    case 'SelfSubjectAccessReview': {
      validateAccessSpec(kind, spec);
      review.status = accessStatus(api, accessAttributes(user, spec));
      break;
    }
    case 'LocalSubjectAccessReview':
    case 'SubjectAccessReview': {
      validateAccessSpec(kind, spec);
      // A local review asks about its own namespace only.
      const asked = own(own(spec, 'resourceAttributes'), 'namespace');
      if (kind === 'LocalSubjectAccessReview') {
        if (own(spec, 'nonResourceAttributes'))
          throw invalidReview(
            kind,
            'spec.nonResourceAttributes',
            own(spec, 'nonResourceAttributes'),
            'disallowed on this kind of request',
          );
        if (asked !== route.namespace)
          throw invalidReview(
            kind,
            'spec.resourceAttributes.namespace',
            asked ?? '',
            'must match metadata.namespace',
          );
        review.metadata.namespace = route.namespace;
      }
      const subject: UserInfo = {
        username: str(own(spec, 'user')),
        groups: Array.isArray(own(spec, 'groups')) ? own(spec, 'groups') : [],
        uid: str(own(spec, 'uid')),
      };
      review.status = accessStatus(api, accessAttributes(subject, spec));
      break;
    }
    case 'SelfSubjectRulesReview': {
      const namespace = str(own(spec, 'namespace'));
      if (!namespace) {
        const errors = new FieldErrors();
        errors.required('spec.namespace');
        throw invalid(kind, 'authorization.k8s.io', '', errors.causes);
      }
      review.status = rulesStatus(api, user, namespace);
      break;
    }
    case 'TokenReview': {
      const token = str(own(spec, 'token'));
      const found = token && api.auth ? tokenUser(token, api.store, api.auth.key) : undefined;
      review.status = found
        ? {
            authenticated: true,
            user: {
              username: found.username,
              ...(found.uid ? { uid: found.uid } : {}),
              groups: found.groups,
              ...(found.extra && Object.keys(found.extra).length > 0 ? { extra: found.extra } : {}),
            },
            audiences: [ISSUER],
          }
        : {
            user: {},
            ...(token ? { error: '[invalid bearer token, service account token is not valid]' } : {}),
          };
      break;
    }
    case 'SelfSubjectReview':
      review.status = {
        userInfo: {
          username: user.username,
          ...(user.uid ? { uid: user.uid } : {}),
          groups: user.groups,
          ...(user.extra && Object.keys(user.extra).length > 0 ? { extra: user.extra } : {}),
        },
      };
      break;
    default:
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  sendJson(call, 201, review);
}

function rulesStatus(api: Api, user: UserInfo, namespace: string) {
  const { rules, errors } = rulesFor(api.store, user, namespace);
  const resourceRules: PolicyRule[] = [];
  const nonResourceRules: PolicyRule[] = [];
  for (const rule of rules) {
    if ((rule.nonResourceURLs ?? []).length > 0)
      nonResourceRules.push({ verbs: rule.verbs ?? [], nonResourceURLs: rule.nonResourceURLs });
    else
      resourceRules.push({
        verbs: rule.verbs ?? [],
        ...(rule.apiGroups ? { apiGroups: rule.apiGroups } : {}),
        ...(rule.resources ? { resources: rule.resources } : {}),
        ...(rule.resourceNames ? { resourceNames: rule.resourceNames } : {}),
      });
  }
  return {
    resourceRules,
    nonResourceRules,
    incomplete: errors.length > 0,
    ...(errors.length > 0 ? { evaluationError: errors.join(', ') } : {}),
  };
}

/** The longest a requested token may live (2^32 seconds), and the shortest (10 minutes). */
const MAX_EXPIRATION = 2 ** 32;
const MIN_EXPIRATION = 600;

export function handleTokenRequest(api: Api, call: ApiCall, route: Route, body: Buffer): void {
  if (call.method !== 'POST')
    throw new ApiError(
      405,
      'MethodNotAllowed',
      `the server does not allow this method on the requested resource (${call.method.toLowerCase()} serviceaccounts token)`,
    );
  const namespace = route.namespace!;
  const request = readReview(call, body, 'TokenRequest', 'authentication.k8s.io/v1');
  const account = api.store.get('ServiceAccount', namespace, route.name!);
  const spec = { ...(own(request, 'spec') ?? {}) };
  const expiration =
    typeof own(spec, 'expirationSeconds') === 'number' ? own(spec, 'expirationSeconds') : 3600;
  const errors = new FieldErrors();
  if (expiration < MIN_EXPIRATION)
    errors.invalid('spec.expirationSeconds', expiration, 'may not specify a duration less than 10 minutes');
  if (expiration > MAX_EXPIRATION)
    errors.invalid(
      'spec.expirationSeconds',
      expiration,
      'may not specify a duration larger than 2^32 seconds',
    );
  if (!errors.empty) throw invalid('TokenRequest', 'authentication.k8s.io', '', errors.causes);
  if (!account)
    throw new ApiError(404, 'NotFound', `serviceaccounts "${route.name}" not found`, {
      name: route.name,
      kind: 'serviceaccounts',
    });
  const audiences: string[] =
    Array.isArray(own(spec, 'audiences')) && own(spec, 'audiences').length > 0
      ? own(spec, 'audiences')
      : [ISSUER];
  const k8s: Record<string, unknown> = {
    namespace,
    serviceaccount: { name: account.metadata.name, uid: account.metadata.uid },
  };
  const ref = own(spec, 'boundObjectRef');
  if (ref && typeof ref === 'object') {
    const refKind = str(own(ref, 'kind'));
    if (refKind !== 'Secret' && refKind !== 'Pod')
      throw badRequest(`cannot bind token for object of type ${refKind || '<empty>'}`);
    const bound = api.store.get(refKind, namespace, str(own(ref, 'name')));
    if (!bound)
      throw new ApiError(
        404,
        'NotFound',
        `${refKind === 'Pod' ? 'pods' : 'secrets'} "${str(own(ref, 'name'))}" not found`,
      );
    k8s[refKind === 'Pod' ? 'pod' : 'secret'] = { name: bound.metadata.name, uid: bound.metadata.uid };
    spec.boundObjectRef = { ...ref, uid: bound.metadata.uid };
  } else spec.boundObjectRef = null;
  const now = Math.floor(Date.now() / 1000);
  const exp = now + expiration;
  const token = signToken(api.auth?.key ?? fail(), {
    aud: audiences,
    exp,
    iat: now,
    iss: ISSUER,
    jti: randomUUID(),
    'kubernetes.io': k8s,
    nbf: now,
    sub: serviceAccountUser(namespace, account.metadata.name),
  });
  sendJson(call, 201, {
    ...request,
    metadata: {
      ...request.metadata,
      name: account.metadata.name,
      namespace,
      creationTimestamp: new Date(now * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
    spec: { ...spec, audiences, expirationSeconds: expiration },
    status: { token, expirationTimestamp: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
  });
}

function fail(): never {
  throw new ApiError(500, 'InternalError', 'Internal error occurred: this server signs no tokens');
}
