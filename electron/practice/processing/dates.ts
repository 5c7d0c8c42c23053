// HL7 dates (DT and DTM: YYYY[MM[DD[HH[MM[SS[.S...]]]]]][+/-ZZZZ]) as the registry's checks need
// them. Birth and vaccination dates are calendar dates in the clinic's own time: they are compared
// as calendar dates (YYYYMMDD), never shifted through a time zone.

export interface Hl7Date {
  /** The calendar date as a number, 20261201. */
  day: number;
  year: number;
  month: number;
  date: number;
  /** Days since 1970-01-01 of that calendar date (for differences in days). */
  epochDay: number;
  /** Whether the value gave a time of day, and its offset in minutes when it gave one. */
  hasTime: boolean;
  offsetMinutes: number | null;
  /** The instant, when the value gave a time and an offset. */
  instant: number | null;
}

export type DateReading = { kind: 'missing' } | { kind: 'invalid' } | { kind: 'date'; value: Hl7Date };

// The offset may have three digits (-500 for -0500): the CDC guide's own Example VXU #1 writes it so.
const PATTERN = /^(\d{4})(\d{2})?(\d{2})?(?:(\d{2})(\d{2})?(\d{2}(?:\.\d{1,4})?)?)?([+-]\d{3,4})?$/;

/**
 * Reads a DT/DTM value. `needDay`: a value without a day (`2026`, `202612`) is invalid, as a birth or
 * vaccination date must name the day. HL7's `""` (delete the value) counts as missing.
 */
export function readHl7Date(text: string, needDay = true): DateReading {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === '""') return { kind: 'missing' };
  const match = PATTERN.exec(trimmed);
  if (!match) return { kind: 'invalid' };
  const [, y, m, d, hh, mm, ss, zone] = match;
  if (needDay && (m === undefined || d === undefined)) return { kind: 'invalid' };
  const year = Number(y);
  const month = m === undefined ? 1 : Number(m);
  const date = d === undefined ? 1 : Number(d);
  if (year < 1800 || month < 1 || month > 12 || date < 1 || date > daysInMonth(year, month)) return { kind: 'invalid' };
  const hour = hh === undefined ? 0 : Number(hh);
  const minute = mm === undefined ? 0 : Number(mm);
  const second = ss === undefined ? 0 : Math.floor(Number(ss));
  if (hour > 23 || minute > 59 || second > 59) return { kind: 'invalid' };
  let offsetMinutes: number | null = null;
  if (zone !== undefined) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).padStart(4, '0');
    const zh = Number(digits.slice(0, 2));
    const zm = Number(digits.slice(2, 4));
    if (zh > 14 || zm > 59) return { kind: 'invalid' };
    offsetMinutes = sign * (zh * 60 + zm);
  }
  const epochDay = Math.floor(Date.UTC(year, month - 1, date) / DAY);
  const hasTime = hh !== undefined;
  const instant = hasTime && offsetMinutes !== null ? Date.UTC(year, month - 1, date, hour, minute, second) - offsetMinutes * 60_000 : null;
  return { kind: 'date', value: { day: year * 10000 + month * 100 + date, year, month, date, epochDay, hasTime, offsetMinutes, instant } };
}

export const DAY = 86_400_000;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The calendar date (YYYYMMDD) of an instant in UTC. */
export function utcDay(at: Date | number): number {
  const d = new Date(at);
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/** Days since 1970-01-01 of an instant's UTC calendar date. */
export function utcEpochDay(at: Date | number): number {
  return Math.floor(new Date(at).getTime() / DAY);
}

/**
 * The latest calendar date anywhere on Earth at the instant (UTC+14): a date after it is in the future
 * wherever the clinic is, so a date is never called future because of the clinic's time zone.
 */
export function latestCalendarDay(at: Date): number {
  return utcDay(at.getTime() + 14 * 3_600_000);
}

/** Whole years from one calendar date to a later one (an age on that day). */
export function yearsBetween(from: Hl7Date, to: Hl7Date): number {
  let years = to.year - from.year;
  if (to.month < from.month || (to.month === from.month && to.date < from.date)) years -= 1;
  return years;
}
