// What the practice FTPS server says, in FTP's own forms: reply lines, a PracticeRefusal as the
// reply code a real server gives for it, listings (LIST, MLSD/MLST facts) and times (MDTM).
import type { PracticeEntry, RefusalKind } from '../backend';

/** Longest reply text sent; a path a client sent is echoed, so it is bounded too. */
const MAX_REPLY_TEXT = 400;

/** Text that fits on one reply line: no control characters (a CR LF would end the reply early). */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').trim();
  return flat.length > MAX_REPLY_TEXT ? `${flat.slice(0, MAX_REPLY_TEXT - 3)}...` : flat;
}

export function replyLine(code: number, text: string): string {
  return `${code} ${oneLine(text)}\r\n`;
}

/** A multi-line reply (RFC 959 4.2): every inner line begins with a space, so none can pass for the last. */
export function multiLineReply(code: number, first: string, lines: readonly string[], last: string): string {
  return `${code}-${oneLine(first)}\r\n${lines.map((line) => ` ${oneLine(line)}\r\n`).join('')}${code} ${oneLine(last)}\r\n`;
}

/** A path inside a 257 reply: in double quotes, a quote in it doubled (RFC 959 appendix II). */
export function quotedPath(path: string): string {
  return `"${oneLine(path).replace(/"/g, '""')}"`;
}

/** The reply code and words each refusal gets, as the registries' servers answer them. */
const REFUSAL_REPLIES: Record<RefusalKind, { code: number; words: string }> = {
  // 552: "Requested file action aborted. Exceeded storage allocation" (RFC 959).
  quota: { code: 552, words: 'Quota exceeded.' },
  permission: { code: 550, words: 'Permission denied.' },
  'not-found': { code: 550, words: 'No such file or folder.' },
  // 553: "Requested action not taken. File name not allowed" (RFC 959), as Pure-FTPd refuses a name.
  'bad-name': { code: 553, words: 'File name not allowed.' },
  exists: { code: 550, words: 'A file or folder of that name already exists.' },
};

/** The refusal inside `error`, if it is one (by its kind, so a subclass or a copy of the class counts). */
export function refusalKind(error: unknown): RefusalKind | null {
  if (!(error instanceof Error) || error.name !== 'PracticeRefusal') return null;
  const kind = (error as { kind?: unknown }).kind;
  return typeof kind === 'string' && kind in REFUSAL_REPLIES ? (kind as RefusalKind) : null;
}

/**
 * The reply for a failed operation: a refusal in its code with the registry's own words after the
 * code's; anything else is the server's own trouble (451), said without its insides.
 */
export function failureReply(error: unknown): { code: number; text: string } {
  const kind = refusalKind(error);
  if (kind === null) return { code: 451, text: 'The registry could not do that because of a problem on its side. Nothing was changed; try again.' };
  const { code, words } = REFUSAL_REPLIES[kind];
  const said = oneLine((error as Error).message);
  if (!said) return { code, text: words };
  // The registry's own words may already begin with the reply's ("Quota exceeded: ..."): said once.
  const alreadySaid = said.toLowerCase().startsWith(words.replace(/\.$/, '').toLowerCase());
  return { code, text: alreadySaid ? said : `${words} ${said}` };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');
/** Half a year, as `ls` counts "recent": a time in it shows hours and minutes, an older one the year. */
const HALF_YEAR_MS = (365.2425 / 2) * 24 * 3600 * 1000;

/** Whether a name can travel in a listing line (a line break in it would split the entry in two). */
export const listableName = (name: string): boolean => !/[\r\n]/.test(name);

/**
 * One `LIST` line as `ls -l` (and vsftpd) prints it, on the server's clock, which is UTC: a file
 * changed in the last half year shows `Nov 14 09:05`, an older one (or one more than an hour
 * ahead) `Nov 14  2025`.
 */
export function listLine(entry: PracticeEntry, now: Date): string {
  const mode = entry.kind === 'folder' ? 'drwxr-xr-x' : '-rw-r--r--';
  const at = entry.modified;
  const age = now.getTime() - at.getTime();
  const recent = age < HALF_YEAR_MS && age > -3600 * 1000;
  const day = String(at.getUTCDate()).padStart(2, ' ');
  const when = recent ? `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}` : ` ${at.getUTCFullYear()}`;
  return `${mode}    1 ftp      ftp      ${String(entry.size).padStart(12, ' ')} ${MONTHS[at.getUTCMonth()]} ${day} ${when} ${entry.name}\r\n`;
}

/** `YYYYMMDDHHMMSS` in UTC: MDTM's answer and MLSx's `modify` fact (RFC 3659 2.3). */
export function timeVal(at: Date): string {
  return `${at.getUTCFullYear()}${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}${two(at.getUTCHours())}${two(at.getUTCMinutes())}${two(at.getUTCSeconds())}`;
}

/** The MLSx facts this server knows; all are on until `OPTS MLST` chooses others. */
export const MLST_FACTS = ['type', 'size', 'modify'] as const;
export type MlstFact = (typeof MLST_FACTS)[number];

/** FEAT's `MLST` line: every fact known, the ones in use marked with `*` (RFC 3659 7.8). */
export function mlstFeature(selected: ReadonlySet<MlstFact>): string {
  return `MLST ${MLST_FACTS.map((fact) => `${fact}${selected.has(fact) ? '*' : ''};`).join('')}`;
}

/** The facts of one entry (`type=file;size=12;modify=20261114090500;`), then a space and its name. */
export function factsLine(entry: PracticeEntry, selected: ReadonlySet<MlstFact>, name: string): string {
  const facts: string[] = [];
  if (selected.has('type')) facts.push(`type=${entry.kind === 'folder' ? 'dir' : 'file'}`);
  if (selected.has('size') && entry.kind === 'file') facts.push(`size=${entry.size}`);
  if (selected.has('modify')) facts.push(`modify=${timeVal(entry.modified)}`);
  return `${facts.map((fact) => `${fact};`).join('')} ${name}`;
}

/** Everything after USER is a name; after PASS, SITE PSWD or SITE CPWD a secret that no log may keep. */
export function redactCommand(line: string): string {
  return line.replace(/^(PASS|SITE\s+(?:PSWD|CPWD))(?:\s.*)?$/is, (_all, command: string) => `${command.toUpperCase()} ********`);
}
