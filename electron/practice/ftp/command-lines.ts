// Command lines read from an FTP control connection, within bounds: a line longer than the limit is
// not collected (a script sending a megabyte without a line break is refused, not buffered), telnet
// controls (IAC IP, IAC DM, which clients send before ABOR) are dropped, and bytes that are not
// UTF-8 are reported rather than guessed at (FEAT says UTF8: names travel as UTF-8, RFC 2640).
const LF = 0x0a;
const CR = 0x0d;
const IAC = 0xff;
/** Telnet's WILL, WONT, DO, DONT: each is followed by an option byte. */
const NEGOTIATION_FIRST = 0xfb;

export type CommandLine = { kind: 'line'; text: string } | { kind: 'not-utf8' } | { kind: 'too-long' };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The line's bytes without its CR and telnet controls, as text; null when they are not UTF-8. */
function decode(bytes: Buffer): string | null {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === CR) end -= 1;
  let clean = bytes.subarray(0, end);
  if (clean.includes(IAC)) {
    const kept: number[] = [];
    for (let i = 0; i < clean.length; i += 1) {
      const byte = clean[i] as number;
      if (byte !== IAC) {
        kept.push(byte);
        continue;
      }
      const next = clean[i + 1];
      // IAC IAC is a literal 255, never valid UTF-8: kept, so the line is reported as not UTF-8.
      if (next === IAC) kept.push(IAC);
      i += next !== undefined && next >= NEGOTIATION_FIRST && next !== IAC ? 2 : 1;
    }
    clean = Buffer.from(kept);
  }
  try {
    return utf8.decode(clean);
  } catch {
    return null;
  }
}

export class CommandLineReader {
  private held = Buffer.alloc(0);

  /** @param maxLineBytes the longest line taken, without its line break. */
  constructor(private readonly maxLineBytes: number) {}

  /**
   * The lines completed by `chunk`. A `too-long` item ends the list: the connection is to be
   * refused and closed, and nothing more of it is read.
   */
  push(chunk: Buffer): CommandLine[] {
    // What is held is never longer than the limit, so joining it to the next chunk stays cheap.
    const data = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    const lines: CommandLine[] = [];
    let start = 0;
    for (let end = data.indexOf(LF, start); end !== -1; end = data.indexOf(LF, start)) {
      if (end - start > this.maxLineBytes + 1) return this.tooLong(lines);
      const text = decode(data.subarray(start, end));
      lines.push(text === null ? { kind: 'not-utf8' } : { kind: 'line', text });
      start = end + 1;
    }
    if (data.length - start > this.maxLineBytes + 1) return this.tooLong(lines);
    // A copy, so a large chunk is not kept alive by the few bytes held from it.
    this.held = Buffer.from(data.subarray(start));
    return lines;
  }

  /** Forget a partial line (after AUTH TLS nothing sent in plain text may be read as a command). */
  discard(): void {
    this.held = Buffer.alloc(0);
  }

  private tooLong(lines: CommandLine[]): CommandLine[] {
    this.held = Buffer.alloc(0);
    lines.push({ kind: 'too-long' });
    return lines;
  }
}
