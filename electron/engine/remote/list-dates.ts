// FTP LIST lines give dates as people read them ("Nov 21 09:21", "Nov 21  2025", "11-21-26 09:21AM"),
// not as timestamps; MLSD, where the server has it, gives exact ones and basic-ftp parses those.
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Milliseconds since the epoch, or null when the text is not a date this recognises. */
export function parseListDate(raw: string | undefined, now: Date = new Date()): number | null {
  if (!raw) return null;
  const text = raw.trim().replace(/\s+/g, ' ');
  // Unix style: "Nov 21 09:21" (the last six months, year left out) or "Nov 21 2025".
  const unix = /^([A-Za-z]{3}) (\d{1,2}) (?:(\d{1,2}):(\d{2})|(\d{4}))$/.exec(text);
  if (unix) {
    const month = MONTHS.indexOf((unix[1] ?? '').toLowerCase());
    if (month < 0) return null;
    const day = Number(unix[2]);
    if (unix[5]) return Date.UTC(Number(unix[5]), month, day);
    let year = now.getUTCFullYear();
    let when = Date.UTC(year, month, day, Number(unix[3]), Number(unix[4]));
    // A date "in the future" by more than a day belongs to last year.
    if (when > now.getTime() + 86_400_000) {
      year -= 1;
      when = Date.UTC(year, month, day, Number(unix[3]), Number(unix[4]));
    }
    return when;
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
    return Date.UTC(year, Number(dos[1]) - 1, Number(dos[2]), hour, Number(dos[5]));
  }
  return null;
}
