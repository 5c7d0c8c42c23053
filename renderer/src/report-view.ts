// What the report viewer shows, as plain functions the tests can call: a CSV table sorted by a
// column (numbers as numbers), the rows and messages a search finds, an ACK file as the flat list of
// lines the viewer draws (a message, then its errors beneath), and the frame document an HTML report
// is shown in.
import type { AckError, AckMessage, AckSummary } from '../../shared/contract';

export type SortDirection = 'ascending' | 'descending';
export interface ColumnSort {
  column: number;
  direction: SortDirection;
}

const NUMBER = /^\s*-?\d+(?:[.,]\d+)?\s*%?\s*$/;
const asNumber = (cell: string) => Number(cell.replace('%', '').replace(',', '.').trim());

/** Whether every non-empty cell of a column is a number (then it sorts as numbers). */
export function isNumberColumn(rows: readonly string[][], column: number): boolean {
  let seen = false;
  for (const row of rows) {
    const cell = row[column] ?? '';
    if (cell.trim() === '') continue;
    if (!NUMBER.test(cell)) return false;
    seen = true;
  }
  return seen;
}

/** The rows sorted by one column; empty cells last either way; ties keep the file's order. */
export function sortRows(rows: readonly string[][], sort: ColumnSort | null): string[][] {
  if (!sort) return [...rows];
  const numeric = isNumberColumn(rows, sort.column);
  const sign = sort.direction === 'ascending' ? 1 : -1;
  const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => {
      const x = a.row[sort.column] ?? '';
      const y = b.row[sort.column] ?? '';
      const xEmpty = x.trim() === '';
      const yEmpty = y.trim() === '';
      if (xEmpty !== yEmpty) return xEmpty ? 1 : -1;
      const order = numeric ? asNumber(x) - asNumber(y) : collator.compare(x, y);
      return order !== 0 ? sign * order : a.index - b.index;
    })
    .map(({ row }) => row);
}

/** The next sort when a column's header is chosen: ascending, then descending, then the file's order. */
export function nextColumnSort(current: ColumnSort | null, column: number): ColumnSort | null {
  if (!current || current.column !== column) return { column, direction: 'ascending' };
  return current.direction === 'ascending' ? { column, direction: 'descending' } : null;
}

/** Whether `text` holds what was searched for (any letter case); an empty search finds everything. */
export function matches(text: string, search: string): boolean {
  const wanted = search.trim().toLowerCase();
  return wanted === '' || text.toLowerCase().includes(wanted);
}

/** How many times `search` occurs in `text` (any letter case). */
export function countMatches(text: string, search: string): number {
  const wanted = search.trim().toLowerCase();
  if (wanted === '') return 0;
  const lower = text.toLowerCase();
  let count = 0;
  for (let at = lower.indexOf(wanted); at !== -1; at = lower.indexOf(wanted, at + wanted.length)) count += 1;
  return count;
}

/** `text` cut where `search` occurs, each piece marked as found or not, for highlighting. */
export function splitMatches(text: string, search: string): { text: string; found: boolean }[] {
  const wanted = search.trim().toLowerCase();
  if (wanted === '') return [{ text, found: false }];
  const lower = text.toLowerCase();
  const pieces: { text: string; found: boolean }[] = [];
  let from = 0;
  for (let at = lower.indexOf(wanted); at !== -1; at = lower.indexOf(wanted, from)) {
    if (at > from) pieces.push({ text: text.slice(from, at), found: false });
    pieces.push({ text: text.slice(at, at + wanted.length), found: true });
    from = at + wanted.length;
  }
  if (from < text.length) pieces.push({ text: text.slice(from), found: false });
  return pieces;
}

export const OUTCOME_WORDS: Record<AckMessage['outcome'], string> = {
  accepted: 'Accepted',
  errors: 'Accepted with errors',
  rejected: 'Rejected',
  unknown: 'No acknowledgement code',
};
export const SEVERITY_WORDS: Record<NonNullable<AckError['severity']>, string> = { E: 'Error', W: 'Warning', I: 'Note' };

/** One line of the ACK view: a message, or one of its errors beneath it. */
export type AckLine = { kind: 'message'; message: AckMessage; index: number } | { kind: 'error'; error: AckError; message: AckMessage };

const errorText = (e: AckError) => [e.location, e.hl7Code, e.hl7Text, e.applicationCode, e.applicationText, e.message, e.severity ? SEVERITY_WORDS[e.severity] : ''].join(' ');
const messageText = (m: AckMessage) => [m.controlId, OUTCOME_WORDS[m.outcome], m.text].join(' ');

/** The ACK's messages that the search finds (in the message or any of its errors), as lines to draw. */
export function ackLines(ack: AckSummary, search: string): AckLine[] {
  const lines: AckLine[] = [];
  ack.messages.forEach((message, index) => {
    if (!matches(messageText(message), search) && !message.errors.some((e) => matches(errorText(e), search))) return;
    lines.push({ kind: 'message', message, index });
    for (const error of message.errors) lines.push({ kind: 'error', error, message });
  });
  return lines;
}

/**
 * The document an HTML report is shown in: its own policy first (no script, no connection, no
 * remote image, no form target, no frame), then the report as the registry wrote it. The frame is
 * sandboxed as well and keeps the window's own policy, so this is a second lock, not the only one.
 */
export function framedReport(html: string): string {
  const policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; form-action 'none'; base-uri 'none'";
  return `<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${policy}"><meta name="referrer" content="no-referrer">${html}`;
}
