/**
 * Validates a CronJob schedule as the API server does (robfig/cron's standard parser): five
 * fields or a descriptor, with lists, ranges, steps and month/day names. Returns the problem in
 * the parser's words, or undefined when the schedule is valid.
 */
const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const FIELDS: { min: number; max: number; names?: string[]; offset?: number }[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, offset: 1 },
  { min: 0, max: 6, names: DAYS, offset: 0 },
];

export function validateCronSchedule(schedule: string): string | undefined {
  const text = schedule.trim();
  if (/^(CRON_)?TZ=/.test(text)) return 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead';
  if (text.startsWith('@')) {
    if (DESCRIPTORS.includes(text)) return undefined;
    if (/^@every\s+\S+$/.test(text)) return undefined;
    return `unrecognized descriptor: ${text}`;
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: ${text}`;
  for (let i = 0; i < 5; i++) {
    const problem = validateField(fields[i]!, FIELDS[i]!);
    if (problem) return problem;
  }
  return undefined;
}

function value(text: string, field: (typeof FIELDS)[number]): number | string {
  const lower = text.toLowerCase();
  const index = field.names?.indexOf(lower) ?? -1;
  if (index >= 0) return index + (field.offset ?? 0);
  if (!/^\d+$/.test(text)) return `failed to parse int from ${text}`;
  return Number(text);
}

function validateField(text: string, field: (typeof FIELDS)[number]): string | undefined {
  for (const part of text.split(',')) {
    const [range, step] = part.split('/') as [string, string | undefined];
    if (part.split('/').length > 2) return `too many slashes: ${part}`;
    if (step !== undefined && !/^\d+$/.test(step)) return `failed to parse int from ${step}`;
    if (step !== undefined && Number(step) === 0) return `step of range should be a positive number: ${part}`;
    if (range === '*' || range === '?') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `too many hyphens: ${part}`;
    const [low, high] = [value(bounds[0]!, field), value(bounds[bounds.length - 1]!, field)];
    if (typeof low === 'string') return low;
    if (typeof high === 'string') return high;
    if (low < field.min) return `beginning of range (${low}) below minimum (${field.min}): ${part}`;
    if (high > field.max) return `end of range (${high}) above maximum (${field.max}): ${part}`;
    if (low > high) return `beginning of range (${low}) beyond end of range (${high}): ${part}`;
  }
  return undefined;
}
