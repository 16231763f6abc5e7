import { describe, expect, it } from 'vitest';
import { formatInZone, parseSchedule } from '../../../src/sim/controllers/cron-schedule.js';
import { mostRecent } from '../../../src/sim/controllers/cronjob.js';

const at = (iso: string) => Date.parse(iso);
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
const nexts = (schedule: string, from: string, count: number, zone?: string) => {
  const s = parseSchedule(schedule, zone);
  const out: (string | undefined)[] = [];
  let t: number | undefined = at(from);
  for (let i = 0; i < count && t !== undefined; i++) {
    t = s.next(t);
    out.push(iso(t));
  }
  return out;
};

describe('cron schedules', () => {
  it('reads the course schedules', () => {
    expect(nexts('0 2 * * *', '2025-03-10T01:00:00Z', 2)).toEqual([
      '2025-03-10T02:00:00.000Z',
      '2025-03-11T02:00:00.000Z',
    ]);
    // Monday 8 AM; 2025-03-10 is a Monday.
    expect(nexts('0 8 * * 1', '2025-03-10T08:00:00Z', 1)).toEqual(['2025-03-17T08:00:00.000Z']);
    expect(nexts('0 4 * * 0', '2025-03-10T00:00:00Z', 1)).toEqual(['2025-03-16T04:00:00.000Z']);
    expect(nexts('0 */6 * * *', '2025-03-10T05:59:00Z', 3)).toEqual([
      '2025-03-10T06:00:00.000Z',
      '2025-03-10T12:00:00.000Z',
      '2025-03-10T18:00:00.000Z',
    ]);
    expect(nexts('*/15 * * * *', '2025-03-10T00:07:30Z', 2)).toEqual([
      '2025-03-10T00:15:00.000Z',
      '2025-03-10T00:30:00.000Z',
    ]);
    expect(nexts('0 0 1 * *', '2025-01-31T12:00:00Z', 1)).toEqual(['2025-02-01T00:00:00.000Z']);
  });

  it('is strictly after the given time', () => {
    expect(nexts('0 2 * * *', '2025-03-10T02:00:00Z', 1)).toEqual(['2025-03-11T02:00:00.000Z']);
    expect(nexts('* * * * *', '2025-03-10T02:00:30Z', 1)).toEqual(['2025-03-10T02:01:00.000Z']);
  });

  it('takes lists, ranges, steps, names and descriptors', () => {
    // 9, 13 and 17 o'clock on weekdays; 2025-03-14 is a Friday.
    expect(nexts('30 9-17/4 * * MON-FRI', '2025-03-14T16:00:00Z', 2)).toEqual([
      '2025-03-14T17:30:00.000Z',
      '2025-03-17T09:30:00.000Z',
    ]);
    expect(nexts('0 0 1 JAN,jul *', '2025-02-01T00:00:00Z', 2)).toEqual([
      '2025-07-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
    ]);
    expect(nexts('@hourly', '2025-03-10T02:10:00Z', 1)).toEqual(['2025-03-10T03:00:00.000Z']);
    expect(nexts('@daily', '2025-03-10T02:10:00Z', 1)).toEqual(['2025-03-11T00:00:00.000Z']);
    expect(nexts('@weekly', '2025-03-10T02:10:00Z', 1)).toEqual(['2025-03-16T00:00:00.000Z']);
    expect(nexts('@monthly', '2025-03-10T02:10:00Z', 1)).toEqual(['2025-04-01T00:00:00.000Z']);
    expect(nexts('@yearly', '2025-03-10T02:10:00Z', 1)).toEqual(['2026-01-01T00:00:00.000Z']);
    expect(nexts('@every 90s', '2025-03-10T02:10:00.500Z', 1)).toEqual(['2025-03-10T02:11:30.000Z']);
  });

  it('ORs restricted day-of-month and day-of-week, as cron does', () => {
    // The 13th, or any Friday.
    expect(nexts('0 0 13 * 5', '2025-03-10T00:00:00Z', 2)).toEqual([
      '2025-03-13T00:00:00.000Z',
      '2025-03-14T00:00:00.000Z',
    ]);
  });

  it('follows a time zone, daylight saving included', () => {
    expect(nexts('0 2 * * *', '2025-01-10T00:00:00Z', 1, 'Europe/Paris')).toEqual([
      '2025-01-10T01:00:00.000Z',
    ]);
    expect(nexts('0 2 * * *', '2025-07-09T23:00:00Z', 1, 'Europe/Paris')).toEqual([
      '2025-07-10T00:00:00.000Z',
    ]);
    expect(nexts('TZ=America/New_York 30 8 * * *', '2025-01-10T00:00:00Z', 1)).toEqual([
      '2025-01-10T13:30:00.000Z',
    ]);
    expect(formatInZone(at('2025-07-10T00:00:00Z'), 'Europe/Paris')).toBe('2025-07-10T02:00:00+02:00');
    expect(formatInZone(at('2025-07-10T00:00:00Z'))).toBe('2025-07-10T00:00:00Z');
  });

  it('rejects what robfig/cron rejects', () => {
    expect(() => parseSchedule('0 2 * *')).toThrow('expected exactly 5 fields, found 4');
    expect(() => parseSchedule('60 * * * *')).toThrow('end of range (60) above maximum (59)');
    expect(() => parseSchedule('0 0 * * 7')).toThrow('above maximum (6)');
    expect(() => parseSchedule('x * * * *')).toThrow('failed to parse int from x');
    expect(() => parseSchedule('@fortnightly')).toThrow('unrecognized descriptor');
  });

  it('finds the most recent missed schedule, and notices more than 100 missed', () => {
    const daily = parseSchedule('0 2 * * *');
    expect(mostRecent(daily, at('2025-03-10T03:00:00Z'), at('2025-03-11T01:00:00Z'))).toEqual({});
    expect(iso(mostRecent(daily, at('2025-03-10T03:00:00Z'), at('2025-03-11T02:30:00Z')).time)).toBe(
      '2025-03-11T02:00:00.000Z',
    );
    const many = mostRecent(daily, at('2025-01-01T00:00:00Z'), at('2025-06-01T12:00:00Z'));
    expect(iso(many.time)).toBe('2025-06-01T02:00:00.000Z');
    expect(many.many).toBe(true);
  });
});
