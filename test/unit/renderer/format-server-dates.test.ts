// A date the FTP server gave without a time (issue 11, item 11) is shown as that date, in whatever
// time zone the user's computer is: never with a made-up time, never as the day before.
import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../../../renderer/src/format';

describe('formatDateTime with a server date', () => {
  it('shows the calendar date alone, the same west or east of UTC', () => {
    const fifthOfMarch = Date.UTC(2025, 2, 5);
    const shown = formatDateTime(fifthOfMarch, 'day');
    expect(shown).toBe(new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(fifthOfMarch)));
    expect(shown).toMatch(/5/);
    expect(shown).not.toMatch(/\d:\d\d/);
  });

  it('shows a moment with its time of day otherwise', () => {
    expect(formatDateTime(Date.UTC(2025, 2, 5, 14, 30), 'minute')).toMatch(/\d:\d\d/);
    expect(formatDateTime(null, 'day')).toBe('');
  });
});
