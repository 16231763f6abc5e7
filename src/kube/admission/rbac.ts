import { type FieldErrors, GoLiteral } from './field-errors.js';
import { dns1123Subdomain } from './names.js';
import type { KindRules, Obj } from './rules.js';

/**
 * ServiceAccounts and the RBAC kinds, as pkg/apis/rbac/validation and the v1 defaults have them:
 * names are path segments, every rule has verbs and either resources (with groups) or URLs (not
 * in a Role), a binding's roleRef names a Role or ClusterRole and never changes, and its subjects
 * are Users, Groups or ServiceAccounts (with a namespace, in a ClusterRoleBinding).
 */
const RBAC = 'rbac.authorization.k8s.io';

/** path.IsValidPathSegmentName */
export function pathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errors: string[] = [];
  for (const illegal of ['/', '%']) if (name.includes(illegal)) errors.push(`may not contain '${illegal}'`);
  return errors;
}

const count = (values: unknown) => (Array.isArray(values) ? values.length : 0);

function validateRules(role: Obj, namespaced: boolean, errors: FieldErrors): void {
  ((role.rules ?? []) as Obj[]).forEach((rule, i) => {
    const path = `rules[${i}]`;
    if (count(rule.verbs) === 0) errors.required(`${path}.verbs`, 'verbs must contain at least one value');
    if (count(rule.nonResourceURLs) > 0) {
      if (namespaced)
        errors.invalid(
          `${path}.nonResourceURLs`,
          rule.nonResourceURLs,
          'namespaced rules cannot apply to non-resource URLs',
        );
      if (count(rule.apiGroups) > 0 || count(rule.resources) > 0 || count(rule.resourceNames) > 0)
        errors.invalid(
          `${path}.nonResourceURLs`,
          rule.nonResourceURLs,
          'rules cannot apply to both regular resources and non-resource URLs',
        );
      return;
    }
    if (count(rule.apiGroups) === 0)
      errors.required(`${path}.apiGroups`, 'resource rules must supply at least one api group');
    if (count(rule.resources) === 0)
      errors.required(`${path}.resources`, 'resource rules must supply at least one resource');
  });
}

function defaultBinding(binding: Obj): void {
  if (binding.roleRef && typeof binding.roleRef === 'object') binding.roleRef.apiGroup ||= RBAC;
  for (const subject of (binding.subjects ?? []) as Obj[]) {
    if (!subject || typeof subject !== 'object' || subject.apiGroup) continue;
    if (subject.kind === 'User' || subject.kind === 'Group') subject.apiGroup = RBAC;
    else if (subject.kind === 'ServiceAccount') subject.apiGroup = '';
  }
}

function validateBinding(binding: Obj, namespaced: boolean, errors: FieldErrors): void {
  const ref = (binding.roleRef ?? {}) as Obj;
  if (ref.apiGroup !== RBAC) errors.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC]);
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errors.notSupported('roleRef.kind', ref.kind ?? '', kinds);
  if (!ref.name) errors.required('roleRef.name');
  else for (const message of pathSegmentName(ref.name)) errors.invalid('roleRef.name', ref.name, message);
  ((binding.subjects ?? []) as Obj[]).forEach((subject, i) => {
    const path = `subjects[${i}]`;
    if (!subject.name) errors.required(`${path}.name`);
    switch (subject.kind) {
      case 'ServiceAccount':
        if (subject.name)
          for (const message of dns1123Subdomain(subject.name))
            errors.invalid(`${path}.name`, subject.name, message);
        if (subject.apiGroup) errors.notSupported(`${path}.apiGroup`, subject.apiGroup, ['']);
        if (!namespaced && !subject.namespace) errors.required(`${path}.namespace`);
        break;
      case 'User':
      case 'Group':
        if (subject.apiGroup !== RBAC)
          errors.notSupported(`${path}.apiGroup`, subject.apiGroup ?? '', [RBAC]);
        break;
      default:
        errors.notSupported(`${path}.kind`, subject.kind ?? '', ['ServiceAccount', 'User', 'Group']);
    }
  });
}

function roleRefLiteral(ref: Obj | undefined): GoLiteral {
  const r = ref ?? {};
  return new GoLiteral(
    `rbac.RoleRef{APIGroup:${JSON.stringify(r.apiGroup ?? '')}, Kind:${JSON.stringify(r.kind ?? '')}, Name:${JSON.stringify(r.name ?? '')}}`,
  );
}

function bindingRules(namespaced: boolean): KindRules {
  return {
    name: pathSegmentName,
    defaults: defaultBinding,
    validate: (binding, errors) => validateBinding(binding, namespaced, errors),
    validateUpdate(binding, old, errors) {
      const a = binding.roleRef ?? {};
      const b = old.roleRef ?? {};
      if (a.apiGroup !== b.apiGroup || a.kind !== b.kind || a.name !== b.name)
        errors.invalid('roleRef', roleRefLiteral(binding.roleRef), 'cannot change roleRef');
    },
  };
}

export const roleRules: KindRules = {
  name: pathSegmentName,
  validate: (role, errors) => validateRules(role, true, errors),
};

export const clusterRoleRules: KindRules = {
  name: pathSegmentName,
  validate(role, errors) {
    validateRules(role, false, errors);
    const selectors = role.aggregationRule?.clusterRoleSelectors;
    if (role.aggregationRule && count(selectors) === 0)
      errors.required(
        'aggregationRule.clusterRoleSelectors',
        'at least one clusterRoleSelector required if aggregationRule is non-nil',
      );
  },
};

export const roleBindingRules = bindingRules(true);
export const clusterRoleBindingRules = bindingRules(false);

export const serviceAccountRules: KindRules = {};
