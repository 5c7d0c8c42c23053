// How sizes, dates and file lists are shown: the same in both panes.
import type { EntryKind } from '../../shared/contract';

const UNITS = ['KB', 'MB', 'GB', 'TB'] as const;

/** `350 bytes`, `12 KB`, `1.4 MB` — what Explorer and Finder users are used to (1 KB = 1024 bytes). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return bytes === 1 ? '1 byte' : `${bytes.toLocaleString('en-US')} bytes`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // One decimal under 10 (1.4 MB), whole numbers above (12 KB); never "10.0 KB".
  const rounded = value < 9.95 ? Math.round(value * 10) / 10 : Math.round(value);
  return `${rounded.toLocaleString('en-US')} ${UNITS[unit]}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = {
  long: new Intl.DateTimeFormat(undefined, { dateStyle: 'long' }),
  medium: new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }),
};

/** The same date wherever the user is: a server's date without a time is midnight UTC of that date. */
const serverDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/** A moment in the user's time; a date the server gave without a time (`precision` 'day') as that date alone. */
export function formatDateTime(ms: number | null, precision?: 'minute' | 'day'): string {
  if (ms === null || !Number.isFinite(ms)) return '';
  return precision === 'day' ? serverDate.format(new Date(ms)) : dateTime.format(new Date(ms));
}

/** An ISO date from the engine (e.g. when a key was first trusted), as a plain local date. */
export function formatDay(iso: string, style: 'long' | 'medium' = 'long'): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : dateOnly[style].format(new Date(ms));
}

export interface ListedEntry {
  name: string;
  kind: EntryKind;
  size: number;
  modified: number | null;
  /** Remote entries only: see RemoteEntry. */
  modifiedPrecision?: 'minute' | 'day';
}

export type SortKey = 'name' | 'size' | 'modified';
export type SortDirection = 'ascending' | 'descending';
export interface SortOrder {
  key: SortKey;
  direction: SortDirection;
}

/**
 * Folders first (as every file manager does), then by the chosen column; ties fall back to the name.
 * `entries` come in the engine's listing order (shared/listing-order.ts), which is by name: an entry's
 * place there is its rank by name, so no name is collated here; 20,000 rows sort by size in a few
 * milliseconds, and by name in one pass over rows already in order (issue 18).
 */
export function sortEntries<E extends ListedEntry>(entries: readonly E[], order: SortOrder): E[] {
  const sign = order.direction === 'ascending' ? 1 : -1;
  const folderFirst = (e: E) => (e.kind === 'folder' ? 0 : 1);
  const places = entries.map((_, place) => place);
  const value =
    order.key === 'size' ? (e: E) => e.size : order.key === 'modified' ? (e: E) => e.modified ?? 0 : null;
  places.sort((a, b) => {
    const x = entries[a] as E;
    const y = entries[b] as E;
    const rank = folderFirst(x) - folderFirst(y);
    if (rank !== 0) return rank;
    const diff = value ? value(x) - value(y) : 0;
    return (diff || a - b) * sign;
  });
  return places.map((place) => entries[place] as E);
}

/** Clicking the sorted column flips it; another column starts ascending (names) or largest/newest first. */
export function nextSortOrder(current: SortOrder, key: SortKey): SortOrder {
  if (current.key === key) return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  return { key, direction: key === 'name' ? 'ascending' : 'descending' };
}
