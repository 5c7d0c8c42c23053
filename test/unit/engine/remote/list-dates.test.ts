// FTP LIST dates on the server's clock, the offset learned from one file, and where it is kept.
import { describe, expect, it } from 'vitest';
import { listedMoment, offsetFrom, parseListTime } from '../../../../electron/engine/remote/list-dates';
import { SERVER_CLOCKS_KEY, ServerClocks } from '../../../../electron/engine/remote/server-clocks';
import { MemorySettings } from '../../../../electron/engine/settings/settings-store';
import { formatModified } from '../../../../electron/cli/output';

const NOW = new Date('2026-12-03T04:50:00Z');

describe('parseListTime', () => {
  it('reads a Unix time of day as the server clock shows it, and a year as a date alone', () => {
    expect(parseListTime('Dec 03 10:35', NOW)).toEqual({ wallMs: Date.UTC(2026, 11, 3, 10, 35), precision: 'minute' });
    expect(parseListTime('Mar 05  2025', NOW)).toEqual({ wallMs: Date.UTC(2025, 2, 5), precision: 'day' });
    expect(parseListTime('11-21-26 09:21PM', NOW)).toEqual({ wallMs: Date.UTC(2026, 10, 21, 21, 21), precision: 'minute' });
    expect(parseListTime('yesterday', NOW)).toBeNull();
  });

  it("takes the year from the server's date: on New Year's morning east of UTC, a file of 00:10 is this year's", () => {
    const newYearUtc = new Date('2026-12-31T19:00:00Z'); // 00:45 on 1 January 2027 in Kathmandu
    expect(parseListTime('Jan 01 00:10', newYearUtc, 345)?.wallMs).toBe(Date.UTC(2027, 0, 1, 0, 10));
    // And one of 23:50 the evening before is last year's.
    expect(parseListTime('Dec 31 23:50', newYearUtc, 345)?.wallMs).toBe(Date.UTC(2026, 11, 31, 23, 50));
  });

  it('moves a time of day to UTC by the offset, and leaves a date alone', () => {
    expect(listedMoment({ wallMs: Date.UTC(2026, 11, 3, 10, 35), precision: 'minute' }, 345)).toBe(Date.UTC(2026, 11, 3, 4, 50));
    expect(listedMoment({ wallMs: Date.UTC(2025, 2, 5), precision: 'day' }, 345)).toBe(Date.UTC(2025, 2, 5));
  });
});

describe('offsetFrom', () => {
  it('rounds to the quarter hour, absorbing the listed minute being cut and a few minutes of clock difference', () => {
    const written = Date.UTC(2026, 11, 3, 4, 50, 59);
    expect(offsetFrom(Date.UTC(2026, 11, 3, 10, 35), written)).toBe(345);
    expect(offsetFrom(Date.UTC(2026, 11, 2, 22, 50), written)).toBe(-360);
    expect(offsetFrom(Date.UTC(2026, 11, 3, 4, 50), written)).toBe(0);
    // This computer's clock four minutes ahead of the server's.
    expect(offsetFrom(Date.UTC(2026, 11, 3, 4, 46), written)).toBe(0);
  });

  it('learns nothing from a difference that is no time zone', () => {
    expect(offsetFrom(Date.UTC(2026, 11, 5, 4, 50), Date.UTC(2026, 11, 3, 4, 50))).toBeNull();
    expect(offsetFrom(Date.UTC(2025, 11, 3, 4, 50), Date.UTC(2026, 11, 3, 4, 50))).toBeNull();
  });
});

describe('ServerClocks', () => {
  it('keeps one note per host and port in the settings; MDTM never overrules an own upload, an own upload always overrules', () => {
    const settings = new MemorySettings();
    const clocks = new ServerClocks(settings, () => NOW);
    clocks.learn('Registry.Example', 990, 0, 'mdtm');
    expect(clocks.get('registry.example', 990)).toEqual({ offsetMinutes: 0, learnedFrom: 'mdtm', learnedAt: NOW.toISOString() });
    expect(clocks.get('registry.example', 21)).toBeUndefined();
    clocks.learn('registry.example', 990, 345, 'own-upload');
    clocks.learn('registry.example', 990, 0, 'mdtm');
    expect(clocks.get('registry.example', 990)).toMatchObject({ offsetMinutes: 345, learnedFrom: 'own-upload' });
    clocks.learn('registry.example', 990, 360, 'own-upload');
    expect(new ServerClocks(settings).get('registry.example', 990)).toMatchObject({ offsetMinutes: 360 });
    expect(Object.keys(settings.get(SERVER_CLOCKS_KEY) as object)).toEqual(['registry.example:990']);
  });

  it('ignores a damaged note', () => {
    const settings = new MemorySettings();
    settings.set(SERVER_CLOCKS_KEY, { 'a:21': { offsetMinutes: 'six', learnedFrom: 'mdtm', learnedAt: '' }, 'b:21': { offsetMinutes: 5000, learnedFrom: 'mdtm', learnedAt: '' } });
    expect(new ServerClocks(settings).get('a', 21)).toBeUndefined();
    expect(new ServerClocks(settings).get('b', 21)).toBeUndefined();
  });
});

describe('the command line shows a date without a time as that date', () => {
  it('whatever the time zone of the computer', () => {
    expect(formatModified(Date.UTC(2025, 2, 5), 'day')).toBe('2025-03-05');
  });
});
