/**
 * Cron schedules as the CronJob controller reads them (robfig/cron's standard parser): five fields —
 * minute, hour, day of month, month (1-12 or JAN-DEC), day of week (0-6 or SUN-SAT) — each a list of
 * values, ranges and steps; `*` or `?`; the @yearly/@annually, @monthly, @weekly, @daily/@midnight,
 * @hourly and `@every <duration>` forms; an optional `TZ=` or `CRON_TZ=` prefix. When both day
 * fields are restricted a day matching either counts, as in cron.
 */

export interface Schedule {
  /** The first scheduled instant strictly after `after` (epoch ms), or undefined within 5 years. */
  next(after: number): number | undefined;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

interface Field {
  values: Set<number>;
  /** Written as `*` or `?` (or `*` with step 1): a day field that does not restrict. */
  star: boolean;
}

function parseField(text: string, min: number, max: number, names?: string[]): Field {
  const values = new Set<number>();
  let star = false;
  const number = (s: string): number => {
    const byName = names?.indexOf(s.toUpperCase()) ?? -1;
    if (byName >= 0) return byName + (names === MONTHS ? 1 : 0);
    if (!/^\d+$/.test(s))
      throw new Error(`failed to parse int from ${s}: strconv.Atoi: parsing "${s}": invalid syntax`);
    return Number(s);
  };
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    let start: number;
    let end: number;
    let step = 1;
    if (range === '*' || range === '?') {
      [start, end] = [min, max];
      star = stepText === undefined || stepText === '1';
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [start, end] = [number(a), number(b)];
    } else {
      start = number(range);
      end = stepText === undefined ? start : max;
    }
    if (stepText !== undefined) {
      step = number(stepText);
      if (step <= 0) throw new Error(`step of range should be a positive number: ${part}`);
    }
    if (start < min) throw new Error(`beginning of range (${start}) below minimum (${min}): ${part}`);
    if (end > max) throw new Error(`end of range (${end}) above maximum (${max}): ${part}`);
    if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${part}`);
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return { values, star };
}

function parseDuration(text: string): number {
  const match = text.match(
    /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/,
  );
  if (!match || text === '')
    throw new Error(`failed to parse duration @every ${text}: time: invalid duration "${text}"`);
  const [, h = '0', m = '0', s = '0', ms = '0'] = match;
  return Number(h) * 3_600_000 + Number(m) * 60_000 + Number(s) * 1000 + Number(ms);
}

/** Parses a schedule; throws an Error with robfig/cron's wording when it is not one. */
export function parseSchedule(text: string, timeZone?: string): Schedule {
  let spec = text.trim();
  const tz = spec.match(/^(?:CRON_)?TZ=(\S+)\s+(.*)$/);
  if (tz) {
    timeZone = tz[1];
    spec = tz[2]!.trim();
  }
  const zone = zoneFields(timeZone);
  if (spec.startsWith('@every ')) {
    const delay = Math.max(1000, Math.floor(parseDuration(spec.slice(7).trim()) / 1000) * 1000);
    return { next: (after) => Math.floor(after / 1000) * 1000 + delay };
  }
  if (spec.startsWith('@')) {
    const expanded = DESCRIPTORS[spec.toLowerCase()];
    if (!expanded) throw new Error(`unrecognized descriptor: ${spec}`);
    spec = expanded;
  }
  const fields = spec.split(/\s+/);
  if (fields.length !== 5)
    throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const minute = parseField(fields[0]!, 0, 59);
  const hour = parseField(fields[1]!, 0, 23);
  const dom = parseField(fields[2]!, 1, 31);
  const month = parseField(fields[3]!, 1, 12, MONTHS);
  const dow = parseField(fields[4]!, 0, 6, DAYS);
  const dayMatches = (f: Fields) => {
    const d = dom.values.has(f.day);
    const w = dow.values.has(f.weekday);
    return dom.star || dow.star ? d && w : d || w;
  };
  return {
    next(after) {
      const limit = after + 5 * 366 * 86_400_000;
      let t = Math.floor(after / 60_000) * 60_000 + 60_000;
      while (t <= limit) {
        const f = zone(t);
        if (!month.values.has(f.month) || !dayMatches(f) || !hour.values.has(f.hour)) {
          // Local hours start on the hour in every zone, and DST moves clocks on the hour.
          t += (60 - f.minute) * 60_000;
          continue;
        }
        if (minute.values.has(f.minute)) return t;
        const later = [...minute.values].filter((m) => m > f.minute);
        t += ((later.length > 0 ? Math.min(...later) : 60) - f.minute) * 60_000;
      }
      return undefined;
    },
  };
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether the runtime knows the IANA zone (Go's time.LoadLocation); "" means UTC as in the controller. */
export function checkTimeZone(timeZone: string | undefined): string | undefined {
  if (!timeZone || timeZone === 'UTC') return undefined;
  try {
    zoneFields(timeZone);
    return undefined;
  } catch {
    return `unknown time zone ${timeZone}`;
  }
}

/** The wall-clock fields of an instant in a zone (UTC when none is given). */
export function zoneFields(timeZone?: string): (t: number) => Fields {
  if (!timeZone || timeZone === 'UTC' || timeZone === 'Etc/UTC') {
    return (t) => {
      const d = new Date(t);
      return {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
        weekday: d.getUTCDay(),
      };
    };
  }
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, format);
  }
  const zoned = format;
  return (t) => {
    const parts = Object.fromEntries(zoned.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
    return {
      year: Number(parts.year),
      month: Number(parts.month),
      day: Number(parts.day),
      hour: Number(parts.hour),
      minute: Number(parts.minute),
      second: Number(parts.second),
      weekday: DAYS.indexOf(String(parts.weekday).toUpperCase()),
    };
  };
}

/** time.Format(time.RFC3339) of an instant in a zone: `2025-01-06T02:00:00Z` or `...T02:00:00+01:00`. */
export function formatInZone(t: number, timeZone?: string): string {
  const f = zoneFields(timeZone)(Math.floor(t / 1000) * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const local = `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}`;
  const offset = Math.round(
    (Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - Math.floor(t / 1000) * 1000) / 60_000,
  );
  if (offset === 0) return `${local}Z`;
  const sign = offset > 0 ? '+' : '-';
  return `${local}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}
