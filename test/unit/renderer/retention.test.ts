// A folder's quota and the registry's purge as the window words them (issue 14, item 5).
import { describe, expect, it } from 'vitest';
import { ageInDays, ageWords, daysUntilPurge, filesPurgedSoon, purgeWords, quotaWords } from '../../../renderer/src/retention';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const DAY = 86_400_000;
const file = (name: string, daysOld: number | null) => ({ name, kind: 'file' as const, modified: daysOld === null ? null : NOW - daysOld * DAY });

describe('a file\'s age and the purge', () => {
  it('counts whole days, never below zero (a server clock ahead of this one)', () => {
    expect(ageInDays(NOW - 3 * DAY - 1, NOW)).toBe(3);
    expect(ageInDays(NOW + 5 * 60_000, NOW)).toBe(0);
    expect([ageWords(0), ageWords(1), ageWords(1200)]).toEqual(['today', '1 day', '1,200 days']);
  });

  it('finds the files the registry removes within 30 days, soonest first, and none where nothing is known', () => {
    const entries = [file('young', 10), file('edge', 150), file('soon', 175), file('late', 181), file('unknown', null), { name: 'folder', kind: 'folder' as const, modified: NOW - 300 * DAY }];
    expect(filesPurgedSoon(entries, 180, NOW).map((e) => e.name)).toEqual(['late', 'soon', 'edge']);
    expect(daysUntilPurge(file('soon', 175), 180, NOW)).toBe(5);
    expect(daysUntilPurge(file('late', 181), 180, NOW)).toBe(0);
    expect(daysUntilPurge(file('x', 5), null, NOW)).toBeNull();
    expect(filesPurgedSoon(entries, null, NOW)).toEqual([]);
    expect([purgeWords(0), purgeWords(1), purgeWords(12)]).toEqual(['due for removal by the registry', 'removed by the registry in 1 day', 'removed by the registry in 12 days']);
  });
});

describe('the quota', () => {
  it('says how many of the allowed files are there, warning from 80 %', () => {
    expect(quotaWords(212, 300)).toEqual({ text: '212 of 300 files', level: 'fine' });
    expect(quotaWords(239, 300).level).toBe('fine');
    expect(quotaWords(240, 300).level).toBe('near');
    expect(quotaWords(300, 300).level).toBe('full');
    expect(quotaWords(1, null)).toEqual({ text: '1 file', level: 'fine' });
  });
});
