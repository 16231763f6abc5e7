import type { PrinterColumn } from '../resources.js';
import { humanDuration, type Obj } from './format.js';
import { NAME, type Printer } from './printer.js';

/**
 * The table of a custom resource: Name, then the version's additionalPrinterColumns (Age alone
 * when it has none), each cell found by its simple JSONPath and typed by the column's type, as the
 * apiextensions API server's table convertor does.
 */
const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** A simple JSONPath: `.a.b`, `.a[0]`, `.a[?(@.type=="Ready")].status`; the first match. */
export function jsonPathValue(object: unknown, path: string): unknown {
  const expression = path.replace(/^\{|\}$/g, '');
  const tokens = expression.match(/\.[^.[\]]+|\[\?\(@\.[^)]*\)\]|\[\d+\]|\[\*\]/g) ?? [];
  let values: unknown[] = [object];
  for (const token of tokens) {
    const next: unknown[] = [];
    for (const value of values) {
      if (token.startsWith('.')) {
        const key = token.slice(1);
        if (value && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, key))
          next.push((value as Record<string, unknown>)[key]);
      } else if (token === '[*]') {
        if (Array.isArray(value)) next.push(...value);
      } else if (token.startsWith('[?')) {
        const m = token.match(/^\[\?\(@\.([\w.-]+)\s*==\s*["']?([^"']*)["']?\)\]$/);
        if (m && Array.isArray(value))
          next.push(...value.filter((item) => String(jsonPathValue(item, `.${m[1]}`)) === m[2]));
      } else if (Array.isArray(value)) {
        const index = Number(token.slice(1, -1));
        if (index < value.length) next.push(value[index]);
      }
    }
    values = next;
  }
  return values[0];
}

function cell(type: string, value: unknown, nowMs: number): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const at = Date.parse(value);
      return Number.isNaN(at) ? '<invalid>' : humanDuration(nowMs - at);
    }
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
    default:
      return null;
  }
}

export function customPrinter(columns: PrinterColumn[]): Printer {
  const shown = columns.length > 0 ? columns : [AGE];
  return {
    columns: [
      NAME,
      ...shown.map((c) => ({
        name: c.name,
        type: c.type,
        format: c.format ?? '',
        description: c.description ?? `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
        priority: c.priority ?? 0,
      })),
    ],
    row: (o: Obj, nowMs: number) => [
      o.metadata?.name ?? '',
      ...shown.map((c) => cell(c.type, jsonPathValue(o, c.jsonPath), nowMs)),
    ],
  };
}
