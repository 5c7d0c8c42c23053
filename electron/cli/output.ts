// Where the CLI speaks: results to stdout (a table, or one JSON document with --json), messages in
// plain words to stderr. Every line passes a last filter that blanks the password, should any text
// from a server or a library ever echo it back.
import type { ProfileSummary, RemoteEntry, RoleFolder } from '../../shared/contract';
import { EXIT_CODE_FOR, type ExitCode } from './exit-codes';
import type { CliError } from './errors';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal someone watches: only then does a transfer show a progress line. */
  stdoutIsTTY?: boolean;
  /**
   * Ask for a secret on the terminal without showing it (change-password's new password). Absent,
   * or stdin not a terminal: there is nobody to ask.
   */
  readSecret?: (prompt: string) => Promise<string>;
  stdinIsTTY?: boolean;
}

const REDACTED = '********';

/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC starts the sequences that set
 * the window title or clear the screen; BEL, CR, LF, backspace forge or hide lines), DEL, C1
 * controls (U+009B is a one-character CSI), the Unicode line and paragraph separators, and the
 * bidirectional overrides and isolates that make a name read backwards.
 */
const TERMINAL_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** TERMINAL_CONTROLS but the C0 ones, which JSON.stringify escapes in strings (its line breaks are its layout). */
const CONTROLS_JSON_LEAVES = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Text shown as it is, except that each terminal control character appears escaped: `\x1B`, `\u202E`. */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase()}`;
  });
}
/** Shorter strings would blank ordinary words; registry passwords are longer than this by rule. */
const SHORTEST_REDACTED = 4;

export class Output {
  private readonly secrets = new Set<string>();
  /** JSON documents on one line each (a long-running command's `--json`, read line by line by a script). */
  oneLineJson = false;

  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
  ) {}

  /** Never let this text reach the screen or a log. */
  hide(secret: string): void {
    if (secret.length >= SHORTEST_REDACTED) this.secrets.add(secret);
  }

  private clean(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    return out;
  }

  /**
   * Lines to stdout: a string is one line, an array is one line per element. Every control character
   * inside a line is shown escaped (see terminalSafe), so a name a server chose can neither forge a
   * line nor drive the terminal; the line breaks are only the ones put here.
   */
  out(lines: string | readonly string[]): void {
    this.io.stdout(this.lines(lines));
  }

  /** Lines to stderr, as `out`. */
  err(lines: string | readonly string[]): void {
    this.io.stderr(this.lines(lines));
  }

  private lines(lines: string | readonly string[]): string {
    return (typeof lines === 'string' ? [lines] : lines).map((line) => `${terminalSafe(this.clean(line))}\n`).join('');
  }

  /**
   * A line that is redrawn in place (`\r`), never followed by a newline. Only for a terminal, and
   * only for text the CLI composed itself (the progress line: a verb and numbers, never a name).
   */
  redraw(text: string): void {
    this.io.stdout(this.clean(text));
  }

  /**
   * One JSON document. JSON.stringify escapes C0 controls itself; the others a terminal may act on
   * (DEL, C1, separators, bidirectional controls) are written as \u escapes too: the same JSON.
   */
  document(value: object): void {
    const json = JSON.stringify(value, null, this.oneLineJson ? undefined : 2).replace(CONTROLS_JSON_LEAVES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    this.io.stdout(`${this.clean(json)}\n`);
  }

  /** Report a failure: plain words on stderr, and with --json the same as a JSON object on stdout. */
  fail(error: CliError, extra: Record<string, unknown> = {}): ExitCode {
    const exitCode = EXIT_CODE_FOR[error.code];
    this.err(`registry-transfer: ${error.message}`);
    if (error.detail) this.err(`Details for IT: ${error.detail}`);
    if (this.json) {
      this.document({
        ok: false,
        code: error.code,
        message: error.message,
        ...(error.detail ? { detail: error.detail } : {}),
        exitCode,
        ...error.facts,
        ...extra,
      });
    }
    return exitCode;
  }
}

// ---------------------------------------------------------------------------------------------
// Human-readable forms
// ---------------------------------------------------------------------------------------------

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * Local time, minutes precision, in the order that sorts: `2026-11-14 09:05`. A date the server gave
 * without a time (`precision` 'day') is shown as that date alone: `2026-03-05`.
 */
export function formatModified(ms: number | null, precision?: RemoteEntry['modifiedPrecision']): string {
  if (ms === null) return '-';
  const d = new Date(ms);
  if (precision === 'day') return d.toISOString().slice(0, 10);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        if (i === row.length - 1 && !rightAligned.has(i)) return cell;
        const width = widths[i] ?? 0;
        return rightAligned.has(i) ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd(),
  );
}

export function folderListing(folder: RoleFolder, entries: RemoteEntry[]): string[] {
  const header = `${folder.name} (${folder.role})  ${folder.path}`;
  if (entries.length === 0) return [header, '  (empty)'];
  const rows = [
    ['NAME', 'SIZE', 'MODIFIED'],
    ...entries.map((e) => [e.kind === 'folder' ? `${e.name}/` : e.name, e.kind === 'folder' ? '-' : formatSize(e.size), formatModified(e.modified, e.modifiedPrecision)]),
  ];
  return [header, ...table(rows, new Set([1])).map((line) => `  ${line}`)];
}

export function endpointLine(e: ProfileSummary['endpoints'][number]): string {
  const extras = [
    e.tls ? `${e.tls} TLS` : null,
    e.passivePorts ? `passive ports ${e.passivePorts.from}-${e.passivePorts.to}` : null,
  ].filter((x): x is string => x !== null);
  return `${e.protocol.toUpperCase()}  ${e.host}:${e.port}${extras.length ? `  (${extras.join(', ')})` : ''}`;
}

export function profileListing(p: ProfileSummary): string[] {
  return [
    `${p.id}  ${p.name}${p.builtIn ? '' : '  (custom)'}`,
    ...p.endpoints.map((e) => `  ${endpointLine(e)}`),
    `  Folders: ${p.folders.map((f) => `${f.name} (${f.role})`).join(', ')}`,
  ];
}
