// FTP LIST lines give dates as people read them ("Nov 21 09:21", "Nov 21  2025", "11-21-26 09:21AM"),
// not as timestamps, and in the server's own clock: UTC on some servers (vsftpd by default, ProFTPD),
// the server's local time on others (vsftpd `use_localtime=YES`, Windows servers such as WS_FTP and
// IIS). Files older than six months show a date without a time. MLSD, where the server has it, gives
// exact UTC times and basic-ftp parses those; these are for the LIST lines of servers without it.
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * A time read from a LIST line. `minute`: a date and a time of day on the server's clock, as if it
 * were UTC ("wall clock"); subtract the server's offset to get the real moment. `day`: a date only
 * (midnight UTC of that calendar date), which no offset can turn into a moment.
 */
export interface ListedTime {
  wallMs: number;
  precision: 'minute' | 'day';
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * Read the date of a LIST line. `offsetMinutes` is the server's clock ahead of UTC, where known: a
 * Unix listing leaves out the year of files from the last six months, and which year is meant
 * depends on the date on the server's clock now.
 */
export function parseListTime(raw: string | undefined, now: Date = new Date(), offsetMinutes = 0): ListedTime | null {
  if (!raw) return null;
  const text = raw.trim().replace(/\s+/g, ' ');
  // Unix style: "Nov 21 09:21" (the last six months, year left out) or "Nov 21 2025".
  const unix = /^([A-Za-z]{3}) (\d{1,2}) (?:(\d{1,2}):(\d{2})|(\d{4}))$/.exec(text);
  if (unix) {
    const month = MONTHS.indexOf((unix[1] ?? '').toLowerCase());
    if (month < 0) return null;
    const day = Number(unix[2]);
    if (unix[5]) return { wallMs: Date.UTC(Number(unix[5]), month, day), precision: 'day' };
    const serverNow = now.getTime() + offsetMinutes * MINUTE;
    let year = new Date(serverNow).getUTCFullYear();
    let when = Date.UTC(year, month, day, Number(unix[3]), Number(unix[4]));
    // A date "in the future" by more than a day belongs to last year.
    if (when > serverNow + DAY) {
      year -= 1;
      when = Date.UTC(year, month, day, Number(unix[3]), Number(unix[4]));
    }
    return { wallMs: when, precision: 'minute' };
  }
  // DOS / IIS style: "11-21-26 09:21AM" or "11-21-2026 21:21".
  const dos = /^(\d{2})-(\d{2})-(\d{2}|\d{4}) (\d{1,2}):(\d{2})(AM|PM)?$/i.exec(text);
  if (dos) {
    let year = Number(dos[3]);
    if (year < 100) year += year < 70 ? 2000 : 1900;
    let hour = Number(dos[4]);
    const half = dos[6]?.toUpperCase();
    if (half === 'PM' && hour < 12) hour += 12;
    if (half === 'AM' && hour === 12) hour = 0;
    return { wallMs: Date.UTC(year, Number(dos[1]) - 1, Number(dos[2]), hour, Number(dos[5])), precision: 'minute' };
  }
  return null;
}

/**
 * The moment a listed time stands for, given the server's offset: a time of day is moved to UTC; a
 * date alone stays that calendar date (midnight UTC), to be shown as a date without a time.
 */
export function listedMoment(listed: ListedTime, offsetMinutes: number): number {
  return listed.precision === 'day' ? listed.wallMs : listed.wallMs - offsetMinutes * MINUTE;
}

/** Real time zones are whole quarter hours from UTC, from UTC-12:00 to UTC+14:00. */
const QUARTER_HOUR = 15;
const LATEST_ZONE_MINUTES = 14 * 60;
const EARLIEST_ZONE_MINUTES = -12 * 60;

/**
 * The server clock's offset from UTC, in minutes, from one file's listed time (a LIST "wall clock"
 * minute) and the moment it was written, as this computer's clock or the server's MDTM (UTC by RFC
 * 3659) tells it. A listed minute is cut, not rounded, so the half minute is added back; the rest,
 * this computer's clock being a few minutes off the server's, goes in the rounding to a quarter
 * hour. Null when the difference is no time zone at all (a clock off by a day, a wrong year).
 */
export function offsetFrom(listedWallMs: number, writtenAtMs: number): number | null {
  const minutes = (listedWallMs + MINUTE / 2 - writtenAtMs) / MINUTE;
  const offset = Math.round(minutes / QUARTER_HOUR) * QUARTER_HOUR;
  if (!Number.isFinite(offset) || offset > LATEST_ZONE_MINUTES || offset < EARLIEST_ZONE_MINUTES) return null;
  return offset === 0 ? 0 : offset; // never -0
}
