// Reading back what the practice registry writes for a batch, the way a clinic's tools would: the
// ACK file through the app's one HL7 reader, the CSV with an RFC 4180 reader, the PDF by its own
// structure (header, objects at the offsets its cross-reference table gives, trailer).
import { readHl7, value, type Hl7Segment } from '../../../../electron/engine/hl7/reader';
import type { SubmissionOutcome } from '../../../../electron/practice/processing';

export interface AckError {
  location: string;
  hl7Error: string;
  severity: string;
  applicationError: string;
  localCode: string;
  text: string;
}

export interface AckMessage {
  msa1: string;
  msa2: string;
  msaCount: number;
  errors: AckError[];
}

/** Each ACK of the file: its MSA and ERR segments, read with the HL7 reader. */
export function readAck(content: Buffer): { read: ReturnType<typeof readHl7>; acks: AckMessage[] } {
  const read = readHl7(content);
  const acks = read.messages.map((message) => {
    const msa = message.segments.filter((s) => s.name === 'MSA');
    const first = msa[0] as Hl7Segment;
    return {
      msa1: value(first, 1),
      msa2: value(first, 2),
      msaCount: msa.length,
      errors: message.segments
        .filter((s) => s.name === 'ERR')
        .map((err) => ({
          location: [1, 2, 3, 4, 5, 6].map((c) => value(err, 2, c)).join('^').replace(/\^+$/, ''),
          hl7Error: value(err, 3, 1),
          severity: value(err, 4),
          applicationError: value(err, 5, 1),
          localCode: value(err, 5, 4),
          text: value(err, 8),
        })),
    };
  });
  return { read, acks };
}

/** RFC 4180: quoted cells may hold commas, quotes (doubled) and line breaks; rows end with CR LF. */
export function parseCsv(content: Buffer): string[][] {
  let text = content.toString('utf8');
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** The PDF's structure, checked as a reader would walk it; returns its page count and content text. */
export function readPdf(content: Buffer): { pages: number; text: string } {
  const latin = content.toString('latin1');
  if (!latin.startsWith('%PDF-1.')) throw new Error('no %PDF- header');
  if (!latin.endsWith('%%EOF\n')) throw new Error('does not end with %%EOF');
  const startxref = /startxref\n(\d+)\n%%EOF\n$/.exec(latin);
  if (!startxref) throw new Error('no startxref');
  const xrefAt = Number(startxref[1]);
  if (latin.slice(xrefAt, xrefAt + 5) !== 'xref\n') throw new Error('startxref does not point at the xref table');
  const header = /^xref\n0 (\d+)\n/.exec(latin.slice(xrefAt));
  if (!header) throw new Error('xref table has no subsection header');
  const count = Number(header[1]);
  const entries = latin.slice(xrefAt + header[0].length).split('\n').slice(0, count);
  entries.forEach((entry, n) => {
    if (entry.length !== 19) throw new Error(`xref entry ${n} is not 20 bytes with its line end`);
    if (n === 0) return;
    const offset = Number(entry.slice(0, 10));
    if (!latin.startsWith(`${n} 0 obj\n`, offset)) throw new Error(`object ${n} is not at its xref offset ${offset}`);
  });
  const trailer = /trailer\n<< \/Size (\d+) \/Root 1 0 R/.exec(latin);
  if (!trailer || Number(trailer[1]) !== count) throw new Error('trailer /Size does not match the xref table');
  // Every stream's /Length is its length.
  for (const match of latin.matchAll(/<< \/Length (\d+) >>\nstream\n/g)) {
    const start = (match.index as number) + match[0].length;
    if (latin.slice(start + Number(match[1]), start + Number(match[1]) + 10) !== '\nendstream') throw new Error('a stream /Length is wrong');
  }
  const pages = Number(/\/Type \/Pages \/Kids \[[^\]]*\] \/Count (\d+)/.exec(latin)?.[1] ?? 0);
  // The text shown: each (string) Tj with PDF's escapes undone.
  const text = [...latin.matchAll(/\(((?:[^()\\]|\\.)*)\) Tj/g)].map((m) => (m[1] as string).replace(/\\(.)/g, '$1')).join('\n');
  return { pages, text };
}

/** Every output of a submission as text, each with its name. */
export function outputsAsText(outcome: SubmissionOutcome): { name: string; text: string }[] {
  const files = [...(outcome.ack ? [outcome.ack] : []), ...outcome.reports, ...(outcome.consent ? [outcome.consent] : [])];
  return files.map((file) => ({ name: file.fileName, text: file.fileName.endsWith('.pdf') ? readPdf(file.content).text : file.content.toString('utf8') }));
}
