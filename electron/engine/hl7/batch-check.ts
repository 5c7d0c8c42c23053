// Checks an HL7 v2 batch file before it is sent: is it HL7 at all, do the trailers' counts match,
// does it carry bytes that are not part of a file (MLLP framing, control characters), was it cut
// short, does the name carry the import code. The file is read by the one HL7 reader (reader.ts),
// which the practice registry's processing uses too; this module words what it found and adds the
// registry's expectations (a batch file, the name's import code and extension).
//
// The file is protected health information. A finding names segments, counts, line numbers and byte
// offsets only; it never quotes a byte of a field. Even a segment name is quoted only when it is a
// standard HL7 name, because a "name" read from a broken line may be the start of a patient's name.
//
// Files can be large (a benchmark sends 1 GiB), so the file is read once, in chunks, with bounded
// memory (the reader's streaming read), and the SHA-256 and size are computed in the same pass so the
// upload pipeline need not read the file a second time.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Hl7FindingCode } from '../../../shared/contract';
import { Hl7Reader, type Hl7Problem, type Hl7ProblemCode, type Hl7Read } from './reader';

export interface Hl7Finding {
  severity: 'error' | 'warning';
  code: Hl7FindingCode;
  message: string;
}

export interface Hl7Inspection {
  looksLikeHl7: boolean;
  messageCount: number;
  batchCount: number;
  segmentTerminator: 'CR' | 'CRLF' | 'LF' | 'mixed' | 'none';
  findings: Hl7Finding[];
  size: number;
  sha256: string;
  /** The file's bytes, when `keepUpTo` asked for them and the file was small enough. */
  contents?: Buffer;
}

export interface Hl7FileRules {
  /** The name the file will have on the registry's server. */
  fileName: string;
  /** The account's import code (Texas: the username). */
  importCode?: string;
  importCodeInName: boolean;
  /** Expected extension with its dot (e.g. `.HL7`), compared without regard to case; null = any. */
  extension: string | null;
  /** Used in messages ("Texas expects..."); "The registry" when absent. */
  registryName?: string;
}

export interface InspectOptions {
  /** Bytes per read. Tests use tiny chunks to exercise segments split across reads. */
  chunkSize?: number;
  /** The size the caller just saw: a small file is then read in one go. The file is read to its end either way. */
  expectedSize?: number;
  /**
   * Keep the bytes of a file of at most this size that was read in one go, so they can be sent as
   * they were checked (`Hl7Inspection.contents`).
   */
  keepUpTo?: number;
}

const DEFAULT_CHUNK_SIZE = 256 * 1024;
/** A file with one broken field on every line must not make a list of a million findings. */
const DETAILED_FINDINGS_PER_CODE = 5;

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function plural(n: number, one: string, many: string): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What a non-HL7 file most likely is, from its first bytes (file-format signatures, not content). */
function describeSignature(first: Buffer): string | null {
  const startsWith = (...bytes: number[]) => bytes.every((b, i) => first[i] === b);
  const ascii = first.toString('latin1');
  if (ascii.startsWith('%PDF')) return 'This looks like a PDF, not an HL7 file.';
  if (startsWith(0x50, 0x4b, 0x03, 0x04)) return 'This looks like a ZIP archive or an Office document (Word or Excel), not an HL7 file.';
  if (startsWith(0xd0, 0xcf, 0x11, 0xe0)) return 'This looks like an older Office document (Word or Excel), not an HL7 file.';
  if (ascii.startsWith('{\\rtf')) return 'This looks like a Word or WordPad (RTF) document, not an HL7 file.';
  if (startsWith(0x89, 0x50, 0x4e, 0x47) || startsWith(0xff, 0xd8, 0xff) || ascii.startsWith('GIF8')) {
    return 'This looks like a picture, not an HL7 file.';
  }
  if (ascii.startsWith('MZ')) return 'This looks like a program, not an HL7 file.';
  if (startsWith(0xff, 0xfe) || startsWith(0xfe, 0xff) || (first.length >= 4 && first[1] === 0 && first[3] === 0 && first[0] !== 0)) {
    return 'This file is saved as UTF-16 ("Unicode") text; the registry needs plain text. Save it again as ANSI or UTF-8.';
  }
  if (/^\s*</.test(ascii)) return 'This looks like a web page or an XML file, not an HL7 file.';
  return null;
}

const HEADER_WORDS: Record<string, string> = {
  MSH: 'message header (MSH)',
  BHS: 'batch header (BHS)',
  FHS: 'file header (FHS)',
};

const FRAMING_WORDS = { VT: 'a vertical tab', FF: 'a form feed', FS: 'a file separator' } as const;

function list(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** A control character by its value and the key that types it, e.g. `0x1A, Ctrl+Z`. */
function controlWords(byte: number): string {
  const hex = `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  if (byte === 0x1a) return `${hex}, Ctrl+Z, an end-of-file mark some older programs add`;
  if (byte === 0x0b) return `${hex}, a vertical tab`;
  if (byte === 0x0c) return `${hex}, a form feed`;
  if (byte === 0x1c) return `${hex}, a file separator`;
  if (byte === 0x1b) return `${hex}, Escape`;
  return `${hex}, Ctrl+${String.fromCharCode(byte + 0x40)}`;
}

/** One problem of the reader in plain words, and how much it matters before sending. */
function problemFinding(p: Hl7Problem): Hl7Finding {
  const where = `line ${count(p.line)} (byte ${count(p.offset)})`;
  const warning = (message: string): Hl7Finding => ({ severity: 'warning', code: p.code, message });
  switch (p.code) {
    case 'binary':
      return { severity: 'error', code: p.code, message: `The file contains binary data (a zero byte at byte ${count(p.offset)}); an HL7 file is plain text.` };
    case 'control-character':
      return warning(
        `Line ${count(p.line)} holds a control character (${controlWords(p.byte ?? 0)}) at byte ${count(p.offset)}; ` +
          'an HL7 file holds only text, tabs and line ends, and the registry may refuse the segment.',
      );
    case 'mllp-framing': {
      const bytes = p.framingBytes ?? [];
      return warning(
        `${plural(p.count ?? 0, 'line carries', 'lines carry')} framing bytes (${list(bytes)}: ${list(bytes.map((b) => FRAMING_WORDS[b]))}), ` +
          `the first on line ${count(p.line)}. Such bytes frame messages on a network connection (MLLP), not in a file: ` +
          'a registry that strips them reads the messages; one that does not refuses the file. Remove them, or export the file again as a batch file.',
      );
    }
    case 'byte-order-mark':
      return warning('The file starts with an invisible byte order mark; some registries reject it. Save it again as ANSI or as UTF-8 without a BOM.');
    case 'truncated': {
      const missing = (p.missing ?? []).map((t) => (t === 'BTS' ? 'batch trailer (BTS)' : 'file trailer (FTS)'));
      const noTrailers = missing.length > 0 ? ` and no ${list(missing)} after it` : '';
      const start =
        p.cut === 'after-header'
          ? `The file ends with a ${HEADER_WORDS[p.segment ?? 'MSH'] ?? 'header'} on line ${count(p.line)}, with no line end${noTrailers}`
          : p.cut === 'inside-name'
            ? `The file ends in the middle of a segment's name on line ${count(p.line)}, with no line end${noTrailers}`
            : `The file ends in the middle of a segment on line ${count(p.line)}, with no line end${noTrailers}`;
      return warning(`${start}: it looks cut short. Copy or export it again, and check that its last messages are in it.`);
    }
    case 'segment-name':
      return warning(
        `${capitalise(where)} does not start with a three-letter segment name and the field separator. ` +
          'A line break inside a field may have split a segment in two.',
      );
    case 'delimiters': {
      const header = HEADER_WORDS[p.segment ?? 'MSH'] ?? 'header';
      const name = p.segment ?? 'MSH';
      return warning(
        p.delimiters === 'field'
          ? `The ${header} on ${where} has no field separator (${name}-1) after its name, so its fields cannot be read.`
          : `The ${header} on ${where} does not define its encoding characters: ${name}-2 should be four different characters ` +
              'after the field separator, normally ^~\\&. Its fields may be read wrongly.',
      );
    }
    case 'segment-before-message':
      return warning(
        `${capitalise(where)} holds a segment${p.segment ? ` (${p.segment})` : ''} before the first message header (MSH); ` +
          'only the file and batch headers (FHS, BHS) may come before it.',
      );
    case 'message-outside-batch':
      return warning(`The message on ${where} is outside any batch: it comes after a batch trailer (BTS) and before the next batch header (BHS).`);
    case 'after-file-trailer':
      return warning(`${capitalise(where)} comes after the file trailer (FTS), which should be the last line.`);
    case 'fhs-misplaced':
      return warning(`${capitalise(where)} is a file header (FHS); a file has one, on its first line.`);
    case 'fhs-missing':
      return warning(`The file holds ${count(p.counted ?? 0)} batches but no file header (FHS); a file of more than one batch starts with one.`);
    case 'bts-unexpected':
      return warning(`${capitalise(where)} is a batch trailer (BTS) without a batch header (BHS) before it.`);
    case 'bts-missing':
      return warning(`The batch that starts on line ${count(p.openedOnLine ?? 0)} has no batch trailer (BTS).`);
    case 'bts-count':
      return warning(
        `The batch trailer (BTS) on ${where} says ${plural(p.stated ?? 0, 'message', 'messages')}, but the batch holds ${count(p.counted ?? 0)}.`,
      );
    case 'bts-count-unreadable':
      return warning(`The batch trailer (BTS) on ${where} has a message count that is not a whole number.`);
    case 'fts-unexpected':
      return warning(`${capitalise(where)} is a file trailer (FTS) without a file header (FHS) before it.`);
    case 'fts-missing':
      return warning('The file has a file header (FHS) but no file trailer (FTS) at the end.');
    case 'fts-count':
      return warning(
        `The file trailer (FTS) on ${where} says ${plural(p.stated ?? 0, 'batch', 'batches')}, but the file holds ${count(p.counted ?? 0)}.`,
      );
    case 'fts-count-unreadable':
      return warning(`The file trailer (FTS) on ${where} has a batch count that is not a whole number.`);
  }
}

/**
 * What the pre-send check says about a file the reader read: its problems in plain words (five of
 * each kind, then how many more), and what the registry expects beyond HL7 itself (a batch file).
 * Works on a streaming read and on a whole one (`readHl7`) alike.
 */
export function hl7Findings(read: Hl7Read): Hl7Finding[] {
  if (read.kind === 'empty') return [{ severity: 'error', code: 'empty', message: 'The file is empty.' }];
  if (read.kind === 'blank') return [{ severity: 'error', code: 'not-hl7', message: 'The file holds only blank lines, not HL7 messages.' }];
  if (read.kind === 'other') {
    return [
      {
        severity: 'error',
        code: 'not-hl7',
        message: describeSignature(read.firstBytes) ?? 'This is not an HL7 file: it does not start with an HL7 header (FHS, BHS or MSH).',
      },
    ];
  }
  const shown = new Map<Hl7ProblemCode, number>();
  const findings: Hl7Finding[] = [];
  for (const problem of read.problems) {
    const n = (shown.get(problem.code) ?? 0) + 1;
    shown.set(problem.code, n);
    if (n <= DETAILED_FINDINGS_PER_CODE) findings.push(problemFinding(problem));
  }
  // The registries take batch files (REGISTRIES.md: FHS, BHS, messages, BTS, FTS). The CDC guide
  // allows a stream of bare messages, so this is a warning, not a refusal.
  if (read.fileHeaderCount === 0 && read.batchCount === 0) {
    findings.push({
      severity: 'warning',
      code: 'no-batch-headers',
      message: 'The file has no file header (FHS) or batch header (BHS): it holds bare messages, and the registry expects a batch file.',
    });
  } else if (read.batchCount === 0) {
    findings.push({ severity: 'warning', code: 'bhs-missing', message: 'The file has no batch header (BHS) before its messages.' });
  }
  if (read.messageCount === 0) findings.push({ severity: 'warning', code: 'no-messages', message: 'The file holds no messages (no message header, MSH).' });
  for (const [code, n] of Object.entries(read.problemCounts) as [Hl7ProblemCode, number][]) {
    if (n > DETAILED_FINDINGS_PER_CODE) {
      const { severity } = problemFinding({ code, line: 0, offset: 0 });
      findings.push({
        severity,
        code,
        message: `${plural(n - DETAILED_FINDINGS_PER_CODE, 'more line has', 'more lines have')} the same problem (${count(n)} in all).`,
      });
    }
  }
  return findings;
}

/** Checks on the name the file will have on the server; they need not read the file. */
function nameFindings(rules: Hl7FileRules): Hl7Finding[] {
  const findings: Hl7Finding[] = [];
  const registry = rules.registryName ?? 'The registry';
  const importCode = rules.importCode?.trim();
  if (rules.importCodeInName && importCode) {
    if (!rules.fileName.includes(importCode)) {
      if (rules.fileName.toUpperCase().includes(importCode.toUpperCase())) {
        findings.push({
          severity: 'warning',
          code: 'import-code-case',
          message: `The file name has your import code ${importCode} in different capitals; write it exactly as ${importCode} so the registry recognises it.`,
        });
      } else {
        findings.push({
          severity: 'error',
          code: 'import-code-missing',
          message: `The file name must contain your import code ${importCode} (the registry uses it to know who sent the file).`,
        });
      }
    }
  }
  if (rules.extension) {
    const actual = extname(rules.fileName);
    if (actual.toLowerCase() !== rules.extension.toLowerCase()) {
      findings.push({
        severity: 'warning',
        code: 'extension',
        message: `${registry} expects the ${rules.extension} extension; ${actual ? `this file name ends in ${actual}` : 'this file name has none'}.`,
      });
    }
  }
  return findings;
}

/**
 * Reads the file once and reports what would stop or worry the registry. Rejects only when the file
 * cannot be read (the fs error, e.g. ENOENT, is passed on for the caller to put in plain words).
 */
export async function inspectHl7File(path: string, rules: Hl7FileRules, options: InspectOptions = {}): Promise<Hl7Inspection> {
  const reader = new Hl7Reader();
  const hash = createHash('sha256');
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const expected = options.expectedSize;
  const keep = expected !== undefined && expected <= (options.keepUpTo ?? -1);
  let contents: Buffer | undefined;
  const file = await open(path, 'r');
  try {
    // The reader copies what it keeps, so one buffer serves the whole file.
    const buffer = Buffer.allocUnsafe(Math.max(1, keep ? expected + 1 : Math.min(chunkSize, (expected ?? chunkSize) + 1)));
    let total = 0;
    for (let reads = 1; ; reads += 1) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      reader.push(chunk);
      total += bytesRead;
      // A short read of the whole expected size is the end: no read more just to be told so.
      if (bytesRead < buffer.length && total === expected) {
        if (keep && reads === 1) contents = chunk;
        break;
      }
    }
  } finally {
    await file.close();
  }
  const read = reader.end();
  const findings = [...hl7Findings(read), ...nameFindings(rules)];
  return {
    looksLikeHl7: read.kind === 'hl7',
    messageCount: read.messageCount,
    batchCount: read.batchCount,
    segmentTerminator: read.lineEnds,
    findings: [...findings.filter((f) => f.severity === 'error'), ...findings.filter((f) => f.severity === 'warning')],
    size: read.size,
    sha256: hash.digest('hex'),
    ...(contents ? { contents } : {}),
  };
}

export interface Hl7FindingSummary {
  errors: number;
  warnings: number;
  /** False when an error blocks the upload; warnings only need the user's go-ahead. */
  canUpload: boolean;
  headline: string;
}

export function summarizeFindings(findings: readonly Hl7Finding[]): Hl7FindingSummary {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  let headline: string;
  if (errors > 0) headline = `This file cannot be sent: ${plural(errors, 'problem', 'problems')} must be fixed first.`;
  else if (warnings > 0) headline = `This file can be sent, but check ${plural(warnings, 'warning', 'warnings')} first.`;
  else headline = 'No problems found.';
  return { errors, warnings, canUpload: errors === 0, headline };
}
