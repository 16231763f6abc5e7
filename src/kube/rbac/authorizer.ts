import type { ObjectLookup } from '../admission/rules.js';
import type { KubeObject } from '../objects.js';
import {
  type PolicyRule,
  type RequestAttributes,
  ruleAllows,
  SUPER_USER_GROUP,
  type UserInfo,
} from './rules.js';

/**
 * The RBAC authorizer and rule resolver (plugin/pkg/auth/authorizer/rbac, pkg/registry/rbac/
 * validation/rule.go) over the stored Roles, ClusterRoles and their bindings: the rules that apply
 * to a user in a namespace, and whether one request is allowed. The superuser group is allowed
 * everything before RBAC is asked, as the API server's privileged-group authorizer does.
 */
export interface Subject {
  kind?: string;
  apiGroup?: string;
  name?: string;
  namespace?: string;
}

export interface RoleRef {
  apiGroup?: string;
  kind?: string;
  name?: string;
}

export interface Decision {
  allowed: boolean;
  /** Why not, when a binding named a role that is not there (`RBAC: clusterrole... not found`). */
  reason: string;
}

const SA_PREFIX = 'system:serviceaccount:';

/** appliesToUser: a User, a Group of the user, or the ServiceAccount the user is. */
export function subjectApplies(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.username === subject.name;
    case 'Group':
      return user.groups.includes(subject.name ?? '');
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace;
      if (!namespace || !subject.name) return false;
      return user.username === `${SA_PREFIX}${namespace}:${subject.name}`;
    }
    default:
      return false;
  }
}

/** A binding's role's rules, or the error the API server gives when it is not there. */
export function roleRefRules(
  store: ObjectLookup,
  ref: RoleRef,
  namespace: string,
): { rules: PolicyRule[] } | { error: string } {
  if (ref.kind === 'ClusterRole') {
    const role = store.get('ClusterRole', undefined, ref.name ?? '');
    if (!role) return { error: `clusterrole.rbac.authorization.k8s.io "${ref.name}" not found` };
    return { rules: (role.rules as PolicyRule[] | undefined) ?? [] };
  }
  if (ref.kind === 'Role') {
    const role = store.get('Role', namespace, ref.name ?? '');
    if (!role) return { error: `role.rbac.authorization.k8s.io "${ref.name}" not found` };
    return { rules: (role.rules as PolicyRule[] | undefined) ?? [] };
  }
  return { error: `unsupported role reference kind: "${ref.kind}"` };
}

/**
 * Visits every rule that applies to `user` in `namespace` (cluster-wide bindings first, then the
 * namespace's), stopping when `visit` returns true; returns the resolution errors met on the way.
 */
export function visitRules(
  store: ObjectLookup,
  user: UserInfo,
  namespace: string,
  visit: (rule: PolicyRule) => boolean,
): { stopped: boolean; errors: string[] } {
  const errors: string[] = [];
  const walk = (bindings: KubeObject[], bindingNamespace: string): boolean => {
    for (const binding of bindings) {
      const subjects = (binding.subjects as Subject[] | undefined) ?? [];
      if (!subjects.some((s) => subjectApplies(user, s, bindingNamespace))) continue;
      const found = roleRefRules(store, (binding.roleRef as RoleRef) ?? {}, bindingNamespace);
      if ('error' in found) {
        errors.push(found.error);
        continue;
      }
      for (const rule of found.rules) if (visit(rule)) return true;
    }
    return false;
  };
  if (walk(store.list('ClusterRoleBinding'), '')) return { stopped: true, errors };
  if (namespace && walk(store.list('RoleBinding', namespace), namespace)) return { stopped: true, errors };
  return { stopped: false, errors };
}

/** RulesFor: every rule that applies to the user in the namespace, and the resolution errors. */
export function rulesFor(
  store: ObjectLookup,
  user: UserInfo,
  namespace: string,
): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const { errors } = visitRules(store, user, namespace, (rule) => {
    rules.push(rule);
    return false;
  });
  return { rules, errors };
}

export function authorize(store: ObjectLookup, attributes: RequestAttributes): Decision {
  if (attributes.user.groups.includes(SUPER_USER_GROUP)) return { allowed: true, reason: '' };
  const { stopped, errors } = visitRules(store, attributes.user, attributes.namespace, (rule) =>
    ruleAllows(attributes, rule),
  );
  if (stopped) return { allowed: true, reason: '' };
  return { allowed: false, reason: errors.length > 0 ? `RBAC: ${aggregate(errors)}` : '' };
}

/** utilerrors.NewAggregate's text: one error as it is, more in brackets joined by ", ". */
export function aggregate(errors: string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}
