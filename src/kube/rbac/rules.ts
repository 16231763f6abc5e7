/**
 * RBAC's rule arithmetic, as k8s.io/component-helpers/auth/rbac and pkg/registry/rbac/validation
 * do it: whether a rule allows one request, whether a set of rules covers another (escalation
 * prevention), and the compact text the API server names missing rights with.
 */
export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** One request as the authorizer sees it (authorizer.Attributes). */
export interface RequestAttributes {
  user: UserInfo;
  verb: string;
  /** A resource request (`/api`, `/apis` paths with a resource) or a non-resource URL. */
  resourceRequest: boolean;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  path: string;
}

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const SUPER_USER_GROUP = 'system:masters';

const list = (values: string[] | undefined) => values ?? [];
const has = (values: string[] | undefined, value: string) => list(values).includes(value);

function nonResourceURLMatches(ruleURL: string, path: string): boolean {
  if (ruleURL === '*' || ruleURL === path) return true;
  return ruleURL.endsWith('*') && path.startsWith(ruleURL.replace(/\*+$/, ''));
}

/** RuleAllows: verbs, group, resource (or `*\/subresource`) and names; or verbs and a URL. */
export function ruleAllows(attributes: RequestAttributes, rule: PolicyRule): boolean {
  const verb = has(rule.verbs, '*') || has(rule.verbs, attributes.verb);
  if (!attributes.resourceRequest)
    return verb && list(rule.nonResourceURLs).some((url) => nonResourceURLMatches(url, attributes.path));
  const { subresource } = attributes;
  const combined = subresource ? `${attributes.resource}/${subresource}` : attributes.resource;
  const group = has(rule.apiGroups, '*') || has(rule.apiGroups, attributes.apiGroup);
  const resource = list(rule.resources).some(
    (r) => r === '*' || r === combined || (subresource !== '' && r === `*/${subresource}`),
  );
  const names = list(rule.resourceNames).length === 0 || has(rule.resourceNames, attributes.name);
  return verb && group && resource && names;
}

/** Every rule broken into one verb, one group, one resource and one name (BreakdownRule). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of list(rule.apiGroups))
    for (const resource of list(rule.resources))
      for (const verb of list(rule.verbs)) {
        if (list(rule.resourceNames).length > 0)
          for (const name of list(rule.resourceNames))
            out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
  for (const url of list(rule.nonResourceURLs))
    for (const verb of list(rule.verbs)) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

const hasAll = (set: string[] | undefined, wanted: string[] | undefined) =>
  list(wanted).every((w) => has(set, w));

function resourcesCover(owner: string[] | undefined, wanted: string[] | undefined): boolean {
  if (has(owner, '*') || hasAll(owner, wanted)) return true;
  return list(wanted).every((path) => {
    if (has(owner, path)) return true;
    const slash = path.indexOf('/');
    return slash >= 0 && has(owner, `*/${path.slice(slash + 1)}`);
  });
}

function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, '*') || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, '*') || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourcesCover(owner.resources, sub.resources);
  const urls = list(sub.nonResourceURLs).every((path) =>
    list(owner.nonResourceURLs).some((url) => url === path || nonResourceURLMatches(url, path)),
  );
  const names =
    list(sub.resourceNames).length === 0
      ? list(owner.resourceNames).length === 0
      : list(owner.resourceNames).length === 0 || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && urls && names;
}

/** Covers: the pieces of `servant` that no rule of `owner` covers (none: covered). */
export function uncovered(owner: PolicyRule[], servant: PolicyRule[]): PolicyRule[] {
  return servant.flatMap(breakdownRule).filter((sub) => !owner.some((o) => ruleCovers(o, sub)));
}

/** CompactRules: rules of one group and one resource, differing only by verb, as one. */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const rule of rules) {
    const isSimple =
      list(rule.resourceNames).length === 0 &&
      list(rule.nonResourceURLs).length === 0 &&
      list(rule.apiGroups).length === 1 &&
      list(rule.resources).length === 1;
    if (!isSimple) {
      out.push(rule);
      continue;
    }
    const key = `${rule.apiGroups![0]}/${rule.resources![0]}`;
    const existing = simple.get(key);
    if (existing) existing.verbs = [...list(existing.verbs), ...list(rule.verbs)];
    else
      simple.set(key, {
        apiGroups: [...rule.apiGroups!],
        resources: [...rule.resources!],
        verbs: [...list(rule.verbs)],
      });
  }
  return [...out, ...simple.values()];
}

/** Go's %q of a []string: `["a" "b"]`. */
export const goQuotedList = (values: string[]) => `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;

/** rbacv1helpers.CompactString: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get" "list"]}`. */
export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  if (list(rule.apiGroups).length) parts.push(`APIGroups:${goQuotedList(rule.apiGroups!)}`);
  if (list(rule.resources).length) parts.push(`Resources:${goQuotedList(rule.resources!)}`);
  if (list(rule.nonResourceURLs).length) parts.push(`NonResourceURLs:${goQuotedList(rule.nonResourceURLs!)}`);
  if (list(rule.resourceNames).length) parts.push(`ResourceNames:${goQuotedList(rule.resourceNames!)}`);
  if (list(rule.verbs).length) parts.push(`Verbs:${goQuotedList(rule.verbs!)}`);
  return `{${parts.join(', ')}}`;
}

/**
 * ConfirmNoEscalation's refusal, or undefined when `owner` holds every right `wanted` grants:
 * `user "u" (groups=["g"]) is attempting to grant RBAC permissions not currently held:` and the
 * missing rules, sorted, one a line.
 */
export function escalationMessage(
  user: UserInfo,
  owner: PolicyRule[],
  wanted: PolicyRule[],
  resolutionErrors: string[] = [],
): string | undefined {
  const missing = uncovered(owner, wanted);
  if (missing.length === 0) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let message = `user ${JSON.stringify(user.username)} (groups=${goQuotedList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  if (resolutionErrors.length > 0) message += `; resolution errors: [${resolutionErrors.join(' ')}]`;
  return message;
}

/**
 * forbiddenMessage (apiserver's responsewriters): `User "u" cannot list resource "pods" in API
 * group "" in the namespace "ns"`, `... at the cluster scope`, or `User "u" cannot get path "/x"`.
 */
export function forbiddenMessage(attributes: RequestAttributes): string {
  const user = JSON.stringify(attributes.user.username);
  if (!attributes.resourceRequest)
    return `User ${user} cannot ${attributes.verb} path ${JSON.stringify(attributes.path)}`;
  const resource = attributes.subresource
    ? `${attributes.resource}/${attributes.subresource}`
    : attributes.resource;
  const what = `User ${user} cannot ${attributes.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attributes.apiGroup)}`;
  return attributes.namespace
    ? `${what} in the namespace ${JSON.stringify(attributes.namespace)}`
    : `${what} at the cluster scope`;
}
