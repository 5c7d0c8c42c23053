// What the viewer shows for one of the registry's files, from its name and its bytes (already in
// memory, bounded by REPORT_SIZE_LIMIT):
// - a PDF (by name, or the `%PDF-` magic whatever the name): its bytes, base64, for pdf.js;
// - an ACK file (by content: the first message's MSH-9 is ACK, bare or in a batch): decoded;
// - `.csv`: header and rows, parsed by csv-parse (RFC 4180 quoting, commas and line breaks inside
//   quotes, a byte order mark), at most CSV_ROWS_KEPT rows;
// - `.html`/`.htm` (or a text that starts as an HTML document): the HTML as text; the window shows it
//   in a sandboxed frame, the engine never runs it;
// - anything else readable (a .txt report, a consent file, a VXU batch named .hl7): text, as UTF-8, or
//   as Windows-1252 when the bytes are not valid UTF-8 (what a Windows registry tool writes);
// - bytes with NUL or other binary content: refused as not a report the viewer can show.
import { parse } from 'csv-parse/sync';
import type { ReportView } from '../../../shared/contract';
import { RemoteError } from '../remote/remote-fs';
import { decodeAck, looksLikeAck } from './ack';

/** The largest file the viewer opens (read into memory whole). A registry's report is far smaller. */
export const REPORT_SIZE_LIMIT = 64 * 1024 * 1024;
/** CSV rows kept for the table; beyond it the table is cut (`truncated`). */
export const CSV_ROWS_KEPT = 20_000;

export const reportTooLarge = (name: string, size: number) =>
  new RemoteError(
    'invalid-input',
    `${name} is ${(size / 1024 / 1024).toFixed(1)} MB, larger than the ${REPORT_SIZE_LIMIT / 1024 / 1024} MB the viewer opens. Use Download to save it to this computer and open it there.`,
  );

export const notViewable = (name: string) =>
  new RemoteError('invalid-input', `${name} is not a report the viewer can show (it holds binary data, not text). Use Download to save it to this computer.`);

const extension = (name: string) => {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
};

const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Whether the bytes are binary: a NUL, or many control characters other than tab, CR, LF, FF, VT, FS. */
function isBinary(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 64 * 1024);
  if (sample.includes(0)) return true;
  let controls = 0;
  for (const b of sample) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0b && b !== 0x0c && b !== 0x1c && b !== 0x1b) controls += 1;
  return controls > Math.max(8, sample.length / 100);
}

/** The bytes as text: UTF-8 (its byte order mark dropped), or Windows-1252 when not valid UTF-8. */
export function decodeText(bytes: Buffer): string {
  const body = bytes.subarray(0, 3).equals(UTF8_BOM) ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return decodeWindows1252(body);
  }
}

// Windows-1252's 0x80-0x9F (where it differs from Latin-1). Node's TextDecoder('windows-1252') reads
// these as Latin-1's control characters on some builds, so the 27 are mapped here; the 5 bytes it
// leaves undefined stay as they are.
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Buffer): string {
  // eslint-disable-next-line no-control-regex
  return bytes.toString('latin1').replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH.charAt(c.charCodeAt(0) - 0x80));
}

export type ReportKind = ReportView['kind'];

/** The kind of view, from the name and the bytes; null for bytes the viewer cannot show. */
export function reportKind(name: string, bytes: Buffer): ReportKind | null {
  const ext = extension(name);
  if (ext === 'pdf' || bytes.subarray(0, 5).equals(PDF_MAGIC)) return 'pdf';
  if (isBinary(bytes)) return null;
  if (looksLikeAck(bytes)) return 'ack';
  if (ext === 'csv') return 'csv';
  if (ext === 'html' || ext === 'htm') return 'html';
  const start = decodeText(bytes.subarray(0, 512)).trimStart().slice(0, 15).toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'html';
  return 'text';
}

export function parseCsv(text: string): { header: string[]; rows: string[][]; truncated: boolean } {
  const records = parse(text, {
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    // One more than kept: tells whether there were more.
    to: CSV_ROWS_KEPT + 2,
  }) as string[][];
  const [header = [], ...rows] = records;
  return { header, rows: rows.slice(0, CSV_ROWS_KEPT), truncated: rows.length > CSV_ROWS_KEPT };
}

/** The view of a file's bytes. Throws a RemoteError in plain words for what cannot be shown. */
export function reportView(name: string, bytes: Buffer): ReportView {
  if (bytes.length > REPORT_SIZE_LIMIT) throw reportTooLarge(name, bytes.length);
  const kind = reportKind(name, bytes);
  switch (kind) {
    case null:
      throw notViewable(name);
    case 'pdf':
      return { kind: 'pdf', base64: bytes.toString('base64') };
    case 'ack':
      return { kind: 'ack', ack: decodeAck(bytes) };
    case 'csv': {
      const text = decodeText(bytes);
      try {
        return { kind: 'csv', ...parseCsv(text) };
      } catch {
        // Not CSV after all (a quote never closed, say): shown as the text it is.
        return { kind: 'text', text };
      }
    }
    case 'html':
      return { kind: 'html', html: decodeText(bytes) };
    case 'text':
      return { kind: 'text', text: decodeText(bytes) };
  }
}
