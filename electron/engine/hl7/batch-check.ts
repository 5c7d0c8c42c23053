// Checks an HL7 v2 batch file before it is sent: is it HL7 at all, do the trailers' counts match,
// are segments terminated the way the registry expects, does the name carry the import code.
//
// The file is protected health information. A finding names segments, counts, line numbers and byte
// offsets only; it never quotes a byte of a field. Even a segment name is quoted only when it is a
// standard HL7 name, because a "name" read from a broken line may be the start of a patient's name.
//
// Files can be large (a benchmark sends 1 GiB), so the file is read once, in chunks, with bounded
// memory: of each segment only its first bytes are kept, and the SHA-256 and size are computed in the
// same pass so the upload pipeline need not read the file a second time.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Hl7FindingCode } from '../../../shared/contract';

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
const CR = 0x0d;
const LF = 0x0a;
const PIPE = 0x7c;
/** Of each segment only this many bytes are kept: enough for its name and a trailer's count. */
const HEAD_BYTES = 64;
/** What is read of any other segment: its three-letter name and the field separator after it. */
const NAME_AND_SEPARATOR = 4;
/** Bytes kept from the start of the file to recognise what kind of file it is. */
const SIGNATURE_BYTES = 16;
/** A file with one broken field on every line must not make a list of a million findings. */
const DETAILED_FINDINGS_PER_CODE = 5;

const FILE_HEADER = segmentCode('FHS');
const BATCH_HEADER = segmentCode('BHS');
const MESSAGE_HEADER = segmentCode('MSH');
const BATCH_TRAILER = segmentCode('BTS');
const FILE_TRAILER = segmentCode('FTS');

/**
 * Standard HL7 v2.5.1 segment names that may be quoted in a finding. Anything else (a Z-segment, or
 * three capitals that begin a continuation line) is described without its name.
 */
const QUOTABLE_SEGMENT_NAMES = new Set(
  [
    'ACC ADD AIG AIL AIP AIS AL1 APR ARQ AUT BHS BLC BLG BPO BPX BTS BTX CDM CER CM0 CM1 CM2 CNS CON',
    'CSP CSR CSS CTD CTI DB1 DG1 DRG DSC DSP ECD ECR EDU EQL EQP EQU ERQ ERR EVN FAC FHS FT1 FTS GOL',
    'GP1 GP2 GT1 IAM IIM IN1 IN2 IN3 INV IPC ISD LAN LCC LCH LDP LOC LRL MFA MFE MFI MRG MSA MSH NCK',
    'NDS NK1 NPU NSC NST NTE OBR OBX ODS ODT OM1 OM2 OM3 OM4 OM5 OM6 OM7 ORC ORG OVR PCR PD1 PDA PDC',
    'PEO PES PID PR1 PRA PRB PRC PRD PSH PTH PV1 PV2 QAK QID QPD QRD QRF QRI RCP RDF RDT RF1 RGS RMI',
    'ROL RQ1 RQD RXA RXC RXD RXE RXG RXO RXR SAC SCH SFT SID SPM SPR STF TCC TCD TQ1 TQ2 TXA UB1 UB2',
    'URD URS VAR VTQ',
  ]
    .join(' ')
    .split(' ')
    .map(segmentCode),
);

function segmentCode(name: string): number {
  return (name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2);
}

function segmentName(code: number): string {
  return String.fromCharCode((code >> 16) & 0xff, (code >> 8) & 0xff, code & 0xff);
}

function isNameByte(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39));
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function plural(n: number, one: string, many: string): string {
  return `${count(n)} ${n === 1 ? one : many}`;
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

class FindingList {
  private readonly perCode = new Map<Hl7FindingCode, { severity: Hl7Finding['severity']; count: number }>();
  private readonly detailed: Hl7Finding[] = [];

  add(severity: Hl7Finding['severity'], code: Hl7FindingCode, message: string): void {
    const seen = this.perCode.get(code) ?? { severity, count: 0 };
    seen.count += 1;
    this.perCode.set(code, seen);
    if (seen.count <= DETAILED_FINDINGS_PER_CODE) this.detailed.push({ severity, code, message });
  }

  /** Errors first, then warnings, each in file order, with one summary per over-full code. */
  result(): Hl7Finding[] {
    const all = [...this.detailed];
    for (const [code, { severity, count: n }] of this.perCode) {
      if (n > DETAILED_FINDINGS_PER_CODE) {
        all.push({ severity, code, message: `${plural(n - DETAILED_FINDINGS_PER_CODE, 'more line has', 'more lines have')} the same problem (${count(n)} in all).` });
      }
    }
    return [...all.filter((f) => f.severity === 'error'), ...all.filter((f) => f.severity === 'warning')];
  }
}

/** Reads the stream's bytes one chunk at a time; knows nothing about files or names. */
class Hl7Scanner {
  readonly findings = new FindingList();
  size = 0;
  private readonly hash = createHash('sha256');
  private readonly signature = Buffer.alloc(SIGNATURE_BYTES);
  private signatureLength = 0;
  private zeroByteAt: number | null = null;

  // Segment splitting. A CR at the very end of a chunk is held until the next byte shows whether it
  // is half of a CR LF.
  private pendingCR = false;
  private terminators = { cr: 0, crlf: 0, lf: 0 };
  private line = 1;
  private readonly head = Buffer.alloc(HEAD_BYTES);
  private headLength = 0;
  private segmentLength = 0;
  private segmentStart = 0;
  private segmentLine = 1;

  // What the segments say.
  private kind: 'unknown' | 'hl7' | 'other' = 'unknown';
  private segmentCount = 0;
  private fieldSeparator = PIPE;
  private byteOrderMark = false;
  private fileHeaders = 0;
  private fileOpen = false;
  private fileTrailerLine = 0;
  private batchHeaders = 0;
  private batchesInFile = 0;
  private batchOpenedOnLine = 0;
  private messagesInBatch = 0;
  private messages = 0;

  push(chunk: Buffer): void {
    this.hash.update(chunk);
    const base = this.size;
    this.size += chunk.length;
    if (this.signatureLength < SIGNATURE_BYTES) {
      this.signatureLength += chunk.copy(this.signature, this.signatureLength, 0, SIGNATURE_BYTES - this.signatureLength);
    }
    if (this.zeroByteAt === null) {
      const zero = chunk.indexOf(0);
      if (zero >= 0) this.zeroByteAt = base + zero;
    }

    const length = chunk.length;
    let at = 0;
    if (this.pendingCR && length > 0) {
      this.pendingCR = false;
      if (chunk[0] === LF) {
        this.terminators.crlf += 1;
        at = 1;
      } else {
        this.terminators.cr += 1;
      }
    }
    // indexOf results are kept until passed, so a chunk of CR-only lines does not rescan for LF.
    let nextCR = -2;
    let nextLF = -2;
    while (at < length) {
      if (nextCR !== -1 && nextCR < at) nextCR = chunk.indexOf(CR, at);
      if (nextLF !== -1 && nextLF < at) nextLF = chunk.indexOf(LF, at);
      const end = nextCR === -1 ? nextLF : nextLF === -1 ? nextCR : Math.min(nextCR, nextLF);
      if (end === -1) {
        this.take(chunk, at, length, base);
        break;
      }
      this.take(chunk, at, end, base);
      this.endSegment();
      this.line += 1;
      if (chunk[end] === LF) {
        this.terminators.lf += 1;
        at = end + 1;
      } else if (end + 1 === length) {
        this.pendingCR = true;
        at = length;
      } else if (chunk[end + 1] === LF) {
        this.terminators.crlf += 1;
        at = end + 2;
      } else {
        this.terminators.cr += 1;
        at = end + 1;
      }
    }
  }

  private take(chunk: Buffer, from: number, to: number, base: number): void {
    if (to <= from) return;
    if (this.segmentLength === 0) {
      this.segmentStart = base + from;
      this.segmentLine = this.line;
    }
    // A byte loop, not Buffer#copy: a few bytes for each of millions of segments in a large file.
    // How many are wanted is known once the segment's name is.
    let wanted = this.headWanted();
    for (let i = from; i < to && this.headLength < wanted; i += 1) {
      this.head[this.headLength++] = chunk[i] as number;
      if (this.headLength === 3) wanted = this.headWanted();
    }
    this.segmentLength += to - from;
  }

  /**
   * How much of the current segment's start the checks read: its name and the field separator,
   * and up to HEAD_BYTES for the trailers' counts (BTS, FTS) and for the file's first segment
   * (which may start with a byte order mark); nothing once the file is known not to be HL7.
   */
  private headWanted(): number {
    if (this.kind === 'unknown') return HEAD_BYTES;
    if (this.kind === 'other') return 0;
    if (this.headLength < 3) return NAME_AND_SEPARATOR;
    const code = ((this.head[0] as number) << 16) | ((this.head[1] as number) << 8) | (this.head[2] as number);
    return code === BATCH_TRAILER || code === FILE_TRAILER ? HEAD_BYTES : NAME_AND_SEPARATOR;
  }

  private where(): string {
    return `line ${count(this.segmentLine)} (byte ${count(this.segmentStart)})`;
  }

  private endSegment(): void {
    if (this.segmentLength === 0) return; // a blank line
    // The segment's first bytes are head[start] to head[headLength - 1]; no Buffer is made for them
    // (one per segment adds up in a large file) except for a trailer.
    const head = this.head;
    const headLength = this.headLength;
    let start = 0;
    let segmentLength = this.segmentLength;
    this.segmentLength = 0;
    this.headLength = 0;
    this.segmentCount += 1;

    if (this.kind === 'unknown') {
      if (headLength >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
        this.byteOrderMark = true;
        start = 3;
        segmentLength -= 3;
      }
      const code = headLength - start >= 3 ? segmentCode(head.toString('latin1', start, start + 3)) : -1;
      if (code !== FILE_HEADER && code !== BATCH_HEADER && code !== MESSAGE_HEADER) {
        this.kind = 'other';
        return;
      }
      this.kind = 'hl7';
      // The field separator is whatever follows the first segment's name (almost always `|`).
      this.fieldSeparator = headLength - start > 3 ? (head[start + 3] as number) : PIPE;
    }
    if (this.kind !== 'hl7') return;

    const named = headLength - start;
    if (
      named < 3 ||
      !isNameByte(head[start]) ||
      !isNameByte(head[start + 1]) ||
      !isNameByte(head[start + 2]) ||
      (segmentLength > 3 && (named < 4 || head[start + 3] !== this.fieldSeparator))
    ) {
      this.findings.add(
        'warning',
        'segment-name',
        `${capitalise(this.where())} does not start with a three-letter segment name and the field separator. ` +
          'A line break inside a field may have split a segment in two.',
      );
      return;
    }
    const code = ((head[start] as number) << 16) | ((head[start + 1] as number) << 8) | (head[start + 2] as number);
    if (this.fileTrailerLine > 0) {
      this.findings.add('warning', 'after-file-trailer', `${capitalise(this.where())} comes after the file trailer (FTS), which should be the last line.`);
    }
    switch (code) {
      case FILE_HEADER:
        this.fileHeader();
        break;
      case BATCH_HEADER:
        this.batchHeader();
        break;
      case MESSAGE_HEADER:
        this.messageHeader();
        break;
      case BATCH_TRAILER:
        this.batchTrailer(head.subarray(start, headLength), segmentLength);
        break;
      case FILE_TRAILER:
        this.fileTrailer(head.subarray(start, headLength), segmentLength);
        break;
      default:
        if (this.messages === 0) {
          const which = QUOTABLE_SEGMENT_NAMES.has(code) ? ` (${segmentName(code)})` : '';
          this.findings.add(
            'warning',
            'segment-before-message',
            `${capitalise(this.where())} holds a segment${which} before the first message header (MSH); only the file and batch headers (FHS, BHS) may come before it.`,
          );
        }
    }
  }

  private fileHeader(): void {
    if (this.segmentCount > 1 || this.fileHeaders > 0) {
      this.findings.add('warning', 'fhs-misplaced', `${capitalise(this.where())} is a file header (FHS); a file has one, on its first line.`);
    }
    this.fileHeaders += 1;
    this.fileOpen = true;
    this.batchesInFile = 0;
  }

  private batchHeader(): void {
    if (this.batchOpenedOnLine > 0) this.missingBatchTrailer();
    this.batchHeaders += 1;
    this.batchesInFile += 1;
    this.batchOpenedOnLine = this.segmentLine;
    this.messagesInBatch = 0;
  }

  private messageHeader(): void {
    this.messages += 1;
    if (this.batchOpenedOnLine > 0) {
      this.messagesInBatch += 1;
    } else if (this.batchHeaders > 0) {
      this.findings.add(
        'warning',
        'message-outside-batch',
        `The message on ${this.where()} is outside any batch: it comes after a batch trailer (BTS) and before the next batch header (BHS).`,
      );
    }
  }

  private batchTrailer(head: Buffer, segmentLength: number): void {
    if (this.batchOpenedOnLine === 0) {
      this.findings.add('warning', 'bts-unexpected', `${capitalise(this.where())} is a batch trailer (BTS) without a batch header (BHS) before it.`);
      return;
    }
    const stated = this.firstFieldCount(head, segmentLength);
    if (stated === 'empty') {
      this.findings.add('warning', 'bts-count-missing', `The batch trailer (BTS) on ${this.where()} does not give the number of messages in the batch.`);
    } else if (stated === 'unreadable') {
      this.findings.add('warning', 'bts-count-unreadable', `The batch trailer (BTS) on ${this.where()} has a message count that is not a whole number.`);
    } else if (stated !== this.messagesInBatch) {
      this.findings.add(
        'warning',
        'bts-count',
        `The batch trailer (BTS) on ${this.where()} says ${plural(stated, 'message', 'messages')}, but the batch holds ${count(this.messagesInBatch)}.`,
      );
    }
    this.batchOpenedOnLine = 0;
  }

  private fileTrailer(head: Buffer, segmentLength: number): void {
    if (this.batchOpenedOnLine > 0) this.missingBatchTrailer();
    if (!this.fileOpen) {
      this.findings.add('warning', 'fts-unexpected', `${capitalise(this.where())} is a file trailer (FTS) without a file header (FHS) before it.`);
    } else {
      const stated = this.firstFieldCount(head, segmentLength);
      if (stated === 'empty') {
        this.findings.add('warning', 'fts-count-missing', `The file trailer (FTS) on ${this.where()} does not give the number of batches in the file.`);
      } else if (stated === 'unreadable') {
        this.findings.add('warning', 'fts-count-unreadable', `The file trailer (FTS) on ${this.where()} has a batch count that is not a whole number.`);
      } else if (stated !== this.batchesInFile) {
        this.findings.add(
          'warning',
          'fts-count',
          `The file trailer (FTS) on ${this.where()} says ${plural(stated, 'batch', 'batches')}, but the file holds ${count(this.batchesInFile)}.`,
        );
      }
    }
    this.fileOpen = false;
    this.fileTrailerLine = this.segmentLine;
  }

  private missingBatchTrailer(): void {
    this.findings.add('warning', 'bts-missing', `The batch that starts on line ${count(this.batchOpenedOnLine)} has no batch trailer (BTS).`);
    this.batchOpenedOnLine = 0;
  }

  /** BTS-1 / FTS-1: the count right after the segment name. */
  private firstFieldCount(head: Buffer, segmentLength: number): number | 'empty' | 'unreadable' {
    if (segmentLength <= 4) return 'empty';
    const end = head.indexOf(this.fieldSeparator, 4);
    if (end === -1 && segmentLength > head.length) return 'unreadable'; // longer than any count
    const text = head.toString('latin1', 4, end === -1 ? head.length : end).trim();
    if (text === '') return 'empty';
    return /^\d{1,9}$/.test(text) ? Number(text) : 'unreadable';
  }

  finish(): Omit<Hl7Inspection, 'findings'> {
    if (this.pendingCR) {
      this.pendingCR = false;
      this.terminators.cr += 1;
    }
    this.endSegment();
    const looksLikeHl7 = this.kind === 'hl7';
    const findings = this.findings;

    if (this.size === 0) {
      findings.add('error', 'empty', 'The file is empty.');
    } else if (this.kind === 'unknown') {
      findings.add('error', 'not-hl7', 'The file holds only blank lines, not HL7 messages.');
    } else if (!looksLikeHl7) {
      const signature = this.signature.subarray(0, this.signatureLength);
      findings.add(
        'error',
        'not-hl7',
        describeSignature(signature) ?? 'This is not an HL7 file: it does not start with an HL7 header (FHS, BHS or MSH).',
      );
    } else {
      this.endOfFileChecks();
    }

    const { cr, crlf, lf } = this.terminators;
    const kinds = [cr > 0, crlf > 0, lf > 0].filter(Boolean).length;
    const segmentTerminator = kinds > 1 ? 'mixed' : cr > 0 ? 'CR' : crlf > 0 ? 'CRLF' : lf > 0 ? 'LF' : 'none';
    if (looksLikeHl7 && segmentTerminator === 'LF') {
      findings.add('warning', 'line-feeds', 'Segments end with line feeds only; the registry expects carriage returns.');
    } else if (looksLikeHl7 && segmentTerminator === 'mixed') {
      findings.add('warning', 'mixed-line-ends', 'Segments end in a mix of carriage returns and line feeds; the registry expects carriage returns.');
    }

    return {
      looksLikeHl7,
      messageCount: this.messages,
      batchCount: this.batchHeaders,
      segmentTerminator,
      size: this.size,
      sha256: this.hash.digest('hex'),
    };
  }

  private endOfFileChecks(): void {
    const findings = this.findings;
    if (this.zeroByteAt !== null) {
      findings.add('error', 'binary', `The file contains binary data (a zero byte at byte ${count(this.zeroByteAt)}); an HL7 file is plain text.`);
    }
    if (this.byteOrderMark) {
      findings.add(
        'warning',
        'byte-order-mark',
        'The file starts with an invisible byte order mark; some registries reject it. Save it again as ANSI or as UTF-8 without a BOM.',
      );
    }
    if (this.batchOpenedOnLine > 0) this.missingBatchTrailer();
    if (this.fileOpen) findings.add('warning', 'fts-missing', 'The file has a file header (FHS) but no file trailer (FTS) at the end.');
    if (this.fileHeaders === 0 && this.batchHeaders === 0) {
      findings.add(
        'warning',
        'no-batch-headers',
        'The file has no file header (FHS) or batch header (BHS): it holds bare messages, and the registry expects a batch file.',
      );
    } else if (this.fileHeaders === 0) {
      findings.add('warning', 'fhs-missing', 'The file has no file header (FHS) on its first line.');
    } else if (this.batchHeaders === 0) {
      findings.add('warning', 'bhs-missing', 'The file has no batch header (BHS) before its messages.');
    }
    if (this.messages === 0) findings.add('warning', 'no-messages', 'The file holds no messages (no message header, MSH).');
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
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
  const scanner = new Hl7Scanner();
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const expected = options.expectedSize;
  const keep = expected !== undefined && expected <= (options.keepUpTo ?? -1);
  let contents: Buffer | undefined;
  const file = await open(path, 'r');
  try {
    // The scanner copies what it keeps, so one buffer serves the whole file.
    const buffer = Buffer.allocUnsafe(Math.max(1, keep ? expected + 1 : Math.min(chunkSize, (expected ?? chunkSize) + 1)));
    let total = 0;
    for (let reads = 1; ; reads += 1) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      scanner.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      // A short read of the whole expected size is the end: no read more just to be told so.
      if (bytesRead < buffer.length && total === expected) {
        if (keep && reads === 1) contents = buffer.subarray(0, bytesRead);
        break;
      }
    }
  } finally {
    await file.close();
  }
  const result = scanner.finish();
  const findings = [...scanner.findings.result(), ...nameFindings(rules)];
  return {
    ...result,
    findings: [...findings.filter((f) => f.severity === 'error'), ...findings.filter((f) => f.severity === 'warning')],
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
