// The DQA report as data, from which each format (text, CSV, HTML, PDF) is written. It holds what a
// registry's DQA report holds (../shared/samples/README.md): the file, submitter and date; counts;
// the three 0-100 scores with their labels; every issue with its severity, HL7 location and codes.
// Messages are named by their position in the file and their MSH-10, never by a patient.
import type { Hl7Problem, Hl7Read } from '../../engine/hl7/reader';
import type { MessageAnalysis } from './analyse';
import { CHECKS, type CheckId, type Issue, type Severity } from './issues';
import type { Scores } from './scoring';

export interface Counts {
  messages: number;
  processedMessages: number;
  accepted: number;
  withWarnings: number;
  rejected: number;
  /** Of the rejected: those the registry could not process at all (AR). */
  notProcessed: number;
  patients: number;
  nextOfKin: number;
  vaccinations: number;
  administered: number;
  historical: number;
  notAdministered: number;
  deleted: number;
}

export interface IssueSummaryRow {
  check: CheckId;
  code: string;
  severity: Severity;
  field: string;
  text: string;
  count: number;
  /** What the count is out of (messages, patients, vaccinations, doses given here). */
  outOf: number;
  outOfLabel: string;
}

export interface DqaReport {
  fileName: string;
  importCode: string;
  receivedAt: Date;
  size: number;
  /** Whether the registry read the file as HL7 with at least one message it could process. */
  accepted: boolean;
  /** One sentence: what became of the file. */
  outcome: string;
  /** Why the file was not read, in plain words (a file that is not HL7); null when it was read. */
  notReadable: string | null;
  counts: Counts | null;
  scores: Scores | null;
  fileIssues: Issue[];
  messages: MessageAnalysis[];
  summary: IssueSummaryRow[];
}

export function countMessages(messages: MessageAnalysis[]): Counts {
  const processed = messages.filter((m) => m.processed);
  const patientKeys = new Set<string>();
  let anonymousPatients = 0;
  for (const m of processed) {
    if (m.patient?.key) patientKeys.add(m.patient.key);
    else anonymousPatients += 1;
  }
  const vaccinations = processed.flatMap((m) => m.vaccinations);
  const kind = (k: string) => vaccinations.filter((v) => v.kind === k).length;
  return {
    messages: messages.length,
    processedMessages: processed.length,
    accepted: messages.filter((m) => m.status === 'accepted').length,
    withWarnings: messages.filter((m) => m.status === 'warnings').length,
    rejected: messages.filter((m) => m.status === 'rejected').length,
    notProcessed: messages.length - processed.length,
    patients: patientKeys.size + anonymousPatients,
    nextOfKin: processed.reduce((sum, m) => sum + (m.patient?.nextOfKin ?? 0), 0),
    vaccinations: vaccinations.length,
    administered: kind('administered'),
    historical: kind('historical'),
    notAdministered: kind('not-administered'),
    deleted: kind('deleted'),
  };
}

export function summarise(messages: MessageAnalysis[], fileIssues: Issue[], counts: Counts | null): IssueSummaryRow[] {
  const byCheck = new Map<CheckId, number>();
  for (const issue of [...fileIssues, ...messages.flatMap((m) => m.issues)]) byCheck.set(issue.check, (byCheck.get(issue.check) ?? 0) + 1);
  const order: Record<Severity, number> = { E: 0, W: 1, I: 2 };
  return [...byCheck.entries()]
    .map(([check, count]) => {
      const definition = CHECKS[check];
      const [outOf, outOfLabel] = denominatorOf(definition.scope, counts);
      return { check, code: definition.code, severity: definition.severity, field: definition.field, text: definition.text, count, outOf, outOfLabel };
    })
    .sort((a, b) => order[a.severity] - order[b.severity] || b.count - a.count || a.code.localeCompare(b.code));
}

function denominatorOf(scope: (typeof CHECKS)[CheckId]['scope'], counts: Counts | null): [number, string] {
  if (!counts) return [0, ''];
  switch (scope) {
    case 'file':
      return [0, ''];
    case 'message':
      return [counts.messages, 'messages'];
    case 'patient':
      return [counts.processedMessages, 'patients'];
    case 'vaccination':
    case 'observation':
      return [counts.vaccinations, 'vaccinations'];
    case 'administered':
      return [counts.administered, 'doses given'];
  }
}

/** What is wrong with the file itself, from the reader's problems, each in plain words. */
export function fileIssues(read: Hl7Read, fileName: string, importCode: string): Issue[] {
  const issues: Issue[] = [];
  const add = (check: CheckId, problem: Hl7Problem | null, text: string) => issues.push({ check, message: null, location: null, line: problem?.line ?? 0, text });
  const code = importCode.trim();
  if (code !== '' && !fileName.toUpperCase().includes(code.toUpperCase())) {
    add('fileNameWithoutImportCode', null, `The file name does not contain the import code ${code}; the registry asks for it in every file name`);
  }
  const seen = new Set<string>();
  for (const problem of read.problems) {
    const total = read.problemCounts[problem.code] ?? 1;
    const where = problem.line > 0 ? ` (line ${problem.line})` : '';
    switch (problem.code) {
      case 'truncated':
        add('fileTruncated', problem, `The file ends in the middle of a segment${where}: it looks cut short, and its last message may be incomplete`);
        break;
      case 'bts-count':
        add('batchCount', problem, `The batch trailer${where} says ${problem.stated} messages; the batch holds ${problem.counted}`);
        break;
      case 'bts-count-unreadable':
        add('batchCount', problem, `The batch trailer's message count${where} is not a number`);
        break;
      case 'fts-count':
        add('fileCount', problem, `The file trailer${where} says ${problem.stated} batches; the file holds ${problem.counted}`);
        break;
      case 'fts-count-unreadable':
        add('fileCount', problem, `The file trailer's batch count${where} is not a number`);
        break;
      case 'bts-missing':
        add('batchTrailerMissing', problem, `The batch that starts on line ${problem.openedOnLine} has no trailer (BTS)`);
        break;
      case 'fts-missing':
        add('fileTrailerMissing', problem, 'The file header (FHS) has no trailer (FTS)');
        break;
      default: {
        // The rest are said once per kind, with how often they occur.
        if (seen.has(problem.code)) break;
        seen.add(problem.code);
        const times = total > 1 ? ` (${total} times, first on line ${problem.line})` : where;
        switch (problem.code) {
          case 'control-character':
            add('controlCharacters', problem, `The file holds control characters that HL7 text does not${times}`);
            break;
          case 'binary':
            add('controlCharacters', problem, `The file holds zero bytes, as binary data does${times}`);
            break;
          case 'mllp-framing':
            add('framing', problem, `MLLP framing bytes (${(problem.framingBytes ?? []).join(', ')}) were found on ${problem.count ?? total} lines and set aside`);
            break;
          case 'byte-order-mark':
            add('byteOrderMark', problem, 'The file starts with a UTF-8 byte order mark, set aside');
            break;
          case 'segment-name':
            add('unreadableLines', problem, `Lines that do not start with a segment name were skipped${times}`);
            break;
          case 'delimiters':
            add('delimiters', problem, `A header does not define its delimiters correctly; the standard ones were used${times}`);
            break;
          case 'segment-before-message':
            add('structure', problem, `Segments stand before the first message header (MSH)${times}`);
            break;
          case 'message-outside-batch':
            add('structure', problem, `Messages stand outside any batch (between a BTS and the next BHS)${times}`);
            break;
          case 'after-file-trailer':
            add('structure', problem, `Segments follow the file trailer (FTS)${times}`);
            break;
          case 'fhs-misplaced':
            add('structure', problem, `A file header (FHS) is not the file's first segment${times}`);
            break;
          case 'fhs-missing':
            add('structure', problem, `The file holds ${problem.counted} batches but no file header (FHS)`);
            break;
          case 'bts-unexpected':
            add('structure', problem, `A batch trailer (BTS) has no batch header (BHS) before it${times}`);
            break;
          case 'fts-unexpected':
            add('structure', problem, `A file trailer (FTS) has no file header (FHS) before it${times}`);
            break;
        }
      }
    }
  }
  return issues;
}

/**
 * Why a file is not HL7, in plain words, from its first bytes (never quoting them: they may be a
 * patient's data). null when the file is HL7 with messages.
 */
export function notReadableReason(read: Hl7Read): string | null {
  const hl7 = 'An HL7 file starts with an FHS, BHS or MSH segment. Export the immunizations from your EHR as an HL7 2.5.1 VXU batch and send that file instead.';
  if (read.kind === 'empty') return 'The file is empty (0 bytes): there is nothing in it for the registry to read.';
  if (read.kind === 'blank') return 'The file holds only blank lines: there is no HL7 message in it.';
  if (read.kind === 'other') return `The file is not HL7: it looks like ${whatItLooksLike(read.firstBytes)}. ${hl7}`;
  if (read.messageCount === 0) return `The file has HL7 file or batch headers but no message (MSH segment): there is nothing in it for the registry to process.`;
  return null;
}

function whatItLooksLike(first: Buffer): string {
  const starts = (...bytes: number[]) => bytes.every((b, i) => first[i] === b);
  let text = first.toString('latin1');
  if (text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3);
  if (text.startsWith('%PDF')) return 'a PDF document';
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'a ZIP archive (Word .docx and Excel .xlsx files are ZIP archives)';
  if (starts(0xd0, 0xcf, 0x11, 0xe0)) return 'an older Microsoft Office document (.doc or .xls)';
  if (starts(0xff, 0xfe) || starts(0xfe, 0xff)) return 'UTF-16 text (HL7 files are one byte per character: save it as ANSI or UTF-8)';
  if (text.startsWith('{\\rtf')) return 'a Rich Text (RTF) document';
  if (first.includes(0)) return 'binary data, not text';
  if (/^\s*</.test(text)) return 'an XML or HTML document';
  const firstLine = text.split(/[\r\n]/)[0] ?? '';
  if (!firstLine.includes('|') && /[,;\t]/.test(firstLine)) return 'comma- or tab-separated text, as a spreadsheet saves it';
  return 'text that does not begin with an HL7 header segment';
}
