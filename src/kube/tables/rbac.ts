import { type Obj, since } from './format.js';
import { AGE, col, NAME, type Printer } from './printer.js';

/** ServiceAccounts and the RBAC kinds, as pkg/printers/internalversion prints them. */
export const serviceAccountPrinter: Printer = {
  columns: [
    NAME,
    col(
      'Secrets',
      'string',
      'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". The "kubernetes.io/enforce-mountable-secrets" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret',
    ),
    AGE,
  ],
  row: (sa, nowMs) => [
    sa.metadata.name,
    (sa.secrets ?? []).length,
    since(sa.metadata.creationTimestamp, nowMs),
  ],
};

const CREATED_AT = { ...col('Created At', 'date', AGE.description) };

/** `Created At` is the creation time in RFC 3339, UTC, as it is stored. */
export const rolePrinter: Printer = {
  columns: [NAME, CREATED_AT],
  row: (role) => [role.metadata.name, role.metadata.creationTimestamp ?? ''],
};

/** Users, groups and ServiceAccounts (`namespace/name`) of a binding, as rbac.SubjectsStrings. */
function subjects(binding: Obj): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const accounts: string[] = [];
  for (const s of (binding.subjects ?? []) as Obj[]) {
    if (s.kind === 'User') users.push(s.name ?? '');
    else if (s.kind === 'Group') groups.push(s.name ?? '');
    else if (s.kind === 'ServiceAccount') accounts.push(`${s.namespace ?? ''}/${s.name ?? ''}`);
  }
  return [users.join(', '), groups.join(', '), accounts.join(', ')];
}

function bindingPrinter(what: string): Printer {
  return {
    columns: [
      NAME,
      col(
        'Role',
        'string',
        'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.',
      ),
      AGE,
      col('Users', 'string', `Users in the ${what}`, 1),
      col('Groups', 'string', `Groups in the ${what}`, 1),
      col('ServiceAccounts', 'string', `ServiceAccounts in the ${what}`, 1),
    ],
    row: (b, nowMs) => [
      b.metadata.name,
      `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`,
      since(b.metadata.creationTimestamp, nowMs),
      ...subjects(b),
    ],
  };
}

export const roleBindingPrinter = bindingPrinter('roleBinding');
export const clusterRoleBindingPrinter = bindingPrinter('clusterRoleBinding');
