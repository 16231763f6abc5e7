import { ApiError } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import { type RoleRef, roleRefRules, rulesFor } from '../../kube/rbac/authorizer.js';
import {
  escalationMessage,
  type PolicyRule,
  SUPER_USER_GROUP,
  type UserInfo,
} from '../../kube/rbac/rules.js';
import { type Auth, allowed, ask, forbiddenError } from './index.js';

/**
 * RBAC's escalation prevention (pkg/registry/rbac/*\/policybased): a user may write a Role or
 * ClusterRole only with rules they hold themselves (or the `escalate` verb), and a binding only to
 * a role whose rules they hold (or the `bind` verb on it). The superuser group may do anything.
 */
const RBAC = 'rbac.authorization.k8s.io';
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

const PLURALS: Record<string, string> = {
  Role: 'roles',
  ClusterRole: 'clusterroles',
  RoleBinding: 'rolebindings',
  ClusterRoleBinding: 'clusterrolebindings',
};

/** Only what the garbage collector needs changed (finalizers, owners): never an escalation. */
function onlyGcFields(object: KubeObject, old: KubeObject | undefined): boolean {
  if (!old) return false;
  const strip = (o: KubeObject) => {
    const {
      finalizers: _f,
      ownerReferences: _o,
      resourceVersion: _r,
      managedFields: _m,
      ...meta
    } = o.metadata as unknown as Record<string, unknown>;
    return JSON.stringify({ ...o, metadata: meta });
  };
  return strip(object) === strip(old);
}

function confirmNoEscalation(
  auth: Auth,
  user: UserInfo,
  namespace: string,
  rules: PolicyRule[],
): string | undefined {
  const owner = rulesFor(auth.store, user, namespace);
  return escalationMessage(user, owner.rules, rules, owner.errors);
}

export function checkEscalation(
  auth: Auth,
  user: UserInfo,
  kind: string,
  object: KubeObject,
  old: KubeObject | undefined,
): void {
  const plural = PLURALS[kind];
  if (!plural || user.groups.includes(SUPER_USER_GROUP) || onlyGcFields(object, old)) return;
  const namespace = object.metadata.namespace ?? '';
  const name = object.metadata.name;
  const refuse = (why: string) => {
    throw forbiddenError({ group: RBAC, resource: plural }, name, why);
  };
  if (kind === 'Role' || kind === 'ClusterRole') {
    if (allowed(auth, ask(user, 'escalate', RBAC, plural, namespace, name))) return;
    const why = confirmNoEscalation(auth, user, namespace, (object.rules as PolicyRule[] | undefined) ?? []);
    if (why) refuse(why);
    if (
      kind === 'ClusterRole' &&
      object.aggregationRule &&
      confirmNoEscalation(auth, user, '', FULL_AUTHORITY)
    )
      refuse('must have cluster-admin privileges to use the aggregationRule');
    return;
  }
  const ref = (object.roleRef as RoleRef | undefined) ?? {};
  const refPlural = ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
  if (allowed(auth, ask(user, 'bind', RBAC, refPlural, namespace, ref.name ?? ''))) return;
  const found = roleRefRules(auth.store, ref, namespace);
  if ('error' in found)
    throw new ApiError(404, 'NotFound', found.error, {
      name: ref.name,
      group: RBAC,
      kind: ref.kind === 'ClusterRole' ? 'clusterrole' : 'role',
    });
  const why = confirmNoEscalation(auth, user, namespace, found.rules);
  if (why) refuse(why);
}
