import { canonicalQuantity } from '../quantity.js';
import type { Obj } from './format.js';
import { since } from './format.js';
import { AGE, col, NAME, type Printer } from './printer.js';

/** Tables of ResourceQuotas and LimitRanges (printers.go: printResourceQuota, printLimitRange). */
const show = (value: unknown) => canonicalQuantity(value) ?? '0';

export const resourceQuotaPrinter: Printer = {
  columns: [
    NAME,
    AGE,
    col(
      'Request',
      'string',
      'Request represents a minimum amount of cpu/memory that a container may consume.',
    ),
    col(
      'Limit',
      'string',
      'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
    ),
  ],
  row(quota, nowMs) {
    const request: string[] = [];
    const limit: string[] = [];
    const hard = (quota.spec?.hard ?? {}) as Obj;
    for (const name of Object.keys(hard).sort()) {
      const cell = `${name}: ${show(quota.status?.used?.[name])}/${show(quota.status?.hard?.[name])}`;
      const pieces = name.split('.');
      (pieces.length > 1 && pieces[0] === 'limits' ? limit : request).push(cell);
    }
    return [
      quota.metadata.name,
      since(quota.metadata.creationTimestamp, nowMs),
      request.join(', '),
      limit.join(', '),
    ];
  },
};

export const limitRangePrinter: Printer = {
  columns: [NAME, col('Created At', 'date', 'Created At')],
  row: (lr) => [lr.metadata.name, lr.metadata.creationTimestamp ?? ''],
};
