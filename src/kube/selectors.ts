import { labelValue, qualifiedName } from './admission/names.js';
import { badRequest } from './errors.js';
import type { KubeObject } from './objects.js';
import { own } from './own.js';

/**
 * Label and field selectors as the API server parses them (k8s.io/apimachinery/pkg/labels and
 * pkg/fields): a parse error is a 400 in the API's words, and a selector matches an object's labels
 * or a set of field values.
 */
export type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: '=' | '!='; values: [string] }
  | { key: string; op: 'exists' | '!' }
  | { key: string; op: '>' | '<'; values: [string] };

export type Selector = Requirement[];

const KEY = /^([a-z0-9A-Z]([\w.-]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([\w.-]*[a-z0-9A-Z])?$/;

export function parseLabelSelector(text: string | null | undefined): Selector {
  if (!text || text.trim() === '') return [];
  const requirements: Selector = [];
  for (const raw of splitTerms(text)) {
    const term = raw.trim();
    const set = term.match(/^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/);
    let requirement: Requirement;
    if (set) {
      const values = set[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      requirement = { key: set[1]!, op: set[2] as 'in' | 'notin', values };
    } else if (term.startsWith('!')) {
      requirement = { key: term.slice(1).trim(), op: '!' };
    } else {
      const cmp = term.match(/^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*([^=!<>\s]*)$/);
      if (cmp) {
        const op = cmp[2] === '==' ? '=' : (cmp[2] as '=' | '!=' | '>' | '<');
        requirement = { key: cmp[1]!, op, values: [cmp[3]!] } as Requirement;
      } else if (/^[^=!<>\s(),]+$/.test(term)) {
        requirement = { key: term, op: 'exists' };
      } else {
        throw badRequest(`unable to parse requirement: found '${term}', expected: identifier`);
      }
    }
    if (!KEY.test(requirement.key)) {
      throw badRequest(
        `unable to parse requirement: <nil>: Invalid value: "${requirement.key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
      );
    }
    // A key of the right characters can still be too long (name part 63, prefix 253).
    const keyProblem = qualifiedName(requirement.key)[0];
    if (keyProblem)
      throw badRequest(
        `unable to parse requirement: <nil>: Invalid value: "${requirement.key}": ${keyProblem}`,
      );
    if ((requirement.op === 'in' || requirement.op === 'notin') && requirement.values.length === 0)
      throw badRequest(
        "unable to parse requirement: values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
      );
    const values = 'values' in requirement ? requirement.values : [];
    values.forEach((value, i) => {
      const problem = labelValue(value)[0];
      if (problem)
        throw badRequest(
          `unable to parse requirement: values[${i}][${requirement.key}]: Invalid value: ${JSON.stringify(value)}: ${problem}`,
        );
    });
    requirements.push(requirement);
  }
  return requirements;
}

export function matchesLabels(selector: Selector, labels: Record<string, string> | undefined): boolean {
  const have = labels ?? {};
  return selector.every((r) => {
    const value = own(have, r.key);
    switch (r.op) {
      case 'exists':
        return value !== undefined;
      case '!':
        return value === undefined;
      case '=':
        return value === r.values[0];
      case '!=':
        return value !== r.values[0];
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notin':
        return value === undefined || !r.values.includes(value);
      case '>':
        return value !== undefined && Number(value) > Number(r.values[0]);
      case '<':
        return value !== undefined && Number(value) < Number(r.values[0]);
    }
    return false;
  });
}

/** A LabelSelector object (matchLabels + matchExpressions), as Services, Deployments and Jobs carry. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function selectorFromObject(selector: LabelSelectorObject | undefined): Selector {
  const requirements: Selector = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {}))
    requirements.push({ key, op: '=', values: [value] });
  for (const e of selector?.matchExpressions ?? []) {
    const op = e.operator;
    if (op === 'In') requirements.push({ key: e.key, op: 'in', values: e.values ?? [] });
    else if (op === 'NotIn') requirements.push({ key: e.key, op: 'notin', values: e.values ?? [] });
    else if (op === 'Exists') requirements.push({ key: e.key, op: 'exists' });
    else if (op === 'DoesNotExist') requirements.push({ key: e.key, op: '!' });
  }
  return requirements;
}

/** `metav1.FormatLabelSelector`: how tables and describe print a LabelSelector. */
export function formatLabelSelector(selector: LabelSelectorObject | undefined): string {
  if (!selector) return '<none>';
  const text = selectorString(selectorFromObject(selector));
  return text === '' ? '<none>' : text;
}

/** `labels.Selector.String()`: requirements sorted by key. */
export function selectorString(selector: Selector): string {
  return [...selector]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => {
      switch (r.op) {
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        case 'in':
        case 'notin':
          return `${r.key} ${r.op} (${[...r.values].sort().join(',')})`;
        default:
          return `${r.key}${r.op}${r.values[0]}`;
      }
    })
    .join(',');
}

/** `labels.FormatLabels`: `a=b,c=d`, or `<none>`. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

// Field selectors -------------------------------------------------------------------------------

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export function parseFieldSelector(text: string | null | undefined): FieldRequirement[] {
  if (!text || text.trim() === '') return [];
  return splitTerms(text).map((raw) => {
    const term = raw.trim();
    const m = term.match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    return { field: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]!.replace(/\\(.)/g, '$1') };
  });
}

/** The fields each kind may be selected by, beyond metadata.name and metadata.namespace. */
const FIELDS: Record<string, string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Secret: ['type'],
  Namespace: ['status.phase'],
  Node: ['spec.unschedulable'],
  Job: ['status.successful'],
  ReplicaSet: ['status.replicas'],
  ReplicationController: ['status.replicas'],
  PersistentVolume: [],
  PersistentVolumeClaim: [],
};

export function checkFieldSelector(kind: string, requirements: FieldRequirement[]): void {
  const allowed = ['metadata.name', 'metadata.namespace', ...(FIELDS[kind] ?? [])];
  for (const r of requirements) {
    if (!allowed.includes(r.field)) {
      throw badRequest(`field label not supported: ${r.field}`);
    }
  }
}

export function matchesFields(requirements: FieldRequirement[], object: KubeObject): boolean {
  return requirements.every((r) => {
    const value = fieldValue(object, r.field);
    return r.op === '=' ? value === r.value : value !== r.value;
  });
}

function fieldValue(object: KubeObject, field: string): string {
  if (field === 'source') return String((object.source as { component?: string })?.component ?? '');
  if (field === 'status.successful') return String(object.status?.succeeded ?? 0);
  let value: unknown = object;
  for (const part of field.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  if (value === undefined || value === null) {
    if (field === 'spec.unschedulable' || field === 'spec.hostNetwork') return 'false';
    return '';
  }
  return String(value);
}

function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[++i];
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') terms.push(current);
  return terms;
}
