// What the registry's own limits mean for a folder (issue 14, item 5): how many files it holds
// against the profile's quota (a warning from 80 %), how old each file is by the time the server
// lists for it, and which ones the registry's purge will remove within 30 days. Ages use the server's
// listed times against this computer's clock: the engine has already moved FTP listing times to UTC
// with the offset it learned, and a clock a few minutes off moves no file across a day that matters
// here (the warning starts 30 days ahead).
import type { RemoteEntry } from '../../shared/contract';

const DAY_MS = 86_400_000;
/** The purge warning starts this many days before the registry removes a file. */
export const PURGE_WARNING_DAYS = 30;
/** The quota warning starts at this share of the quota. */
export const QUOTA_WARNING_SHARE = 0.8;

/** Whole days since the server's time for the file (0 on its first day; never negative). */
export function ageInDays(modified: number, now: number): number {
  return Math.max(0, Math.floor((now - modified) / DAY_MS));
}

export function ageWords(days: number): string {
  return days === 0 ? 'today' : days === 1 ? '1 day' : `${days.toLocaleString('en-US')} days`;
}

/** Days until the registry's purge removes a file (0: due now), or null when nothing is known. */
export function daysUntilPurge(entry: Pick<RemoteEntry, 'modified'>, retentionDays: number | null, now: number): number | null {
  if (retentionDays === null || entry.modified === null) return null;
  return Math.max(0, retentionDays - ageInDays(entry.modified, now));
}

/** The files the registry will remove within PURGE_WARNING_DAYS, soonest first. */
export function filesPurgedSoon<E extends Pick<RemoteEntry, 'kind' | 'modified' | 'name'>>(entries: readonly E[], retentionDays: number | null, now: number): E[] {
  return entries
    .filter((e) => e.kind === 'file')
    .map((e) => ({ e, left: daysUntilPurge(e, retentionDays, now) }))
    .filter((x): x is { e: E; left: number } => x.left !== null && x.left <= PURGE_WARNING_DAYS)
    .sort((a, b) => a.left - b.left || a.e.name.localeCompare(b.e.name, 'en'))
    .map((x) => x.e);
}

export function purgeWords(left: number): string {
  return left === 0 ? 'due for removal by the registry' : left === 1 ? 'removed by the registry in 1 day' : `removed by the registry in ${left} days`;
}

/** "212 of 300 files", and whether it is near or at the quota. */
export function quotaWords(files: number, quota: number | null): { text: string; level: 'fine' | 'near' | 'full' } {
  const count = files === 1 ? '1 file' : `${files.toLocaleString('en-US')} files`;
  if (quota === null) return { text: count, level: 'fine' };
  const level = files >= quota ? 'full' : files >= Math.ceil(quota * QUOTA_WARNING_SHARE) ? 'near' : 'fine';
  return { text: `${files.toLocaleString('en-US')} of ${quota.toLocaleString('en-US')} files`, level };
}
