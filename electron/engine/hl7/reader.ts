// The one HL7 v2 reader: the app's pre-send check (batch-check.ts) and the practice registry's
// processing both read files through it, so they agree on what a file holds.
//
// It turns bytes into what both need: the line-end style, a byte order mark, MLLP framing bytes,
// the file and batch headers and trailers with their counts, each message with its own delimiters
// (MSH-1 and MSH-2 are read per message, as HL7 defines them), and the problems met while reading,
// each as facts (a code, a line, a byte offset, counts), never as a quote of the file's contents.
//
// Two ways to read:
// - streaming (`new Hl7Reader()`, then `push` chunks and `end`): bounded memory whatever the size
//   (the check reads 1 GiB files this way). Of each segment only its first bytes are kept: enough
//   for its name, its delimiters and a trailer's count. Gives counts, styles and problems.
// - whole (`readHl7(bytes)`, or `new Hl7Reader({ keep: true })`): also every segment split into
//   fields, grouped into messages and batches, for the practice registry (ACKs, DQA reports). It
//   holds the whole file in memory: the caller bounds the size of what it reads.
//
// Rules chosen, from the HL7 v2.5.1 standard and the CDC immunization guide (release 1.5, section 5),
// and from what registries' batch readers do (integration engines such as Mirth split lines on CR,
// CR LF or LF and strip MLLP's VT and FS):
// - segments end with CR, CR LF or LF; blank lines are skipped;
// - VT (0x0B), FF (0x0C) and FS (0x1C) at the start of a line, and FS at its end, are framing, not
//   content: they are counted and set aside; anywhere else they are control characters;
// - FHS/FTS are not needed around a single batch, and BTS-1 / FTS-1 (the counts) are optional (the
//   guide's own example is `BTS||`); a count that is given must match;
// - every MSH, BHS and FHS defines its own delimiters; the segments after it use them.
import { isUtf8 } from 'node:buffer';
import type { Hl7FindingCode } from '../../../shared/contract';

export type Hl7LineEnds = 'CR' | 'CRLF' | 'LF' | 'mixed' | 'none';

/** The five delimiters of a message (MSH-1 and MSH-2), or of a batch or file header. */
export interface Hl7Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
}

export const DEFAULT_DELIMITERS: Readonly<Hl7Delimiters> = Object.freeze({
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
});

export type Hl7FramingByte = 'VT' | 'FF' | 'FS';

/** What the reader can find wrong while reading. Each is also a finding code of the pre-send check. */
export type Hl7ProblemCode = Extract<
  Hl7FindingCode,
  | 'binary'
  | 'control-character'
  | 'mllp-framing'
  | 'byte-order-mark'
  | 'truncated'
  | 'segment-name'
  | 'delimiters'
  | 'segment-before-message'
  | 'message-outside-batch'
  | 'after-file-trailer'
  | 'fhs-misplaced'
  | 'fhs-missing'
  | 'bts-unexpected'
  | 'bts-missing'
  | 'bts-count'
  | 'bts-count-unreadable'
  | 'fts-unexpected'
  | 'fts-missing'
  | 'fts-count'
  | 'fts-count-unreadable'
>;

/**
 * One problem, as facts. `line` is 1-based (0: the file as a whole); `offset` is the byte where it
 * is. `segment` is set only to a standard HL7 segment name, never to bytes read from a broken line.
 */
export interface Hl7Problem {
  code: Hl7ProblemCode;
  line: number;
  offset: number;
  segment?: string;
  /** bts-count, fts-count: what the trailer says, and what the reader counted. */
  stated?: number;
  counted?: number;
  /** bts-missing: the line of the batch header whose trailer is missing. */
  openedOnLine?: number;
  /** control-character: the byte's value. */
  byte?: number;
  /** mllp-framing: which framing bytes, and how many lines carry them. */
  framingBytes?: Hl7FramingByte[];
  count?: number;
  /** truncated: the trailers the file never reached, and why it looks cut. */
  missing?: ('BTS' | 'FTS')[];
  cut?: 'inside-batch' | 'inside-file' | 'after-header' | 'inside-name';
  /** delimiters: which part is wrong. */
  delimiters?: 'field' | 'encoding';
}

/** A segment split into fields with the delimiters in force where it stands. */
export interface Hl7Segment {
  /** Its three-character name; '' for a line that does not start with one. */
  name: string;
  line: number;
  offset: number;
  /**
   * fields[0] is the name; fields[n] is field n as written (escape sequences kept). For MSH, BHS
   * and FHS, fields[1] is the field separator and fields[2] the encoding characters, as HL7 numbers
   * them.
   */
  fields: string[];
  delimiters: Hl7Delimiters;
  /** 1 for the first segment of this name in its message, 2 for the second... (ERR-2's sequence). */
  occurrence: number;
}

export interface Hl7Message {
  line: number;
  offset: number;
  /** Index in `Hl7Read.batches`, or null for a message outside any batch. */
  batch: number | null;
  delimiters: Hl7Delimiters;
  /** MSH-9, decoded: message code, trigger event and structure (`VXU`, `V04`, `VXU_V04`). */
  type: { code: string; event: string; structure: string };
  /** MSH-10, decoded. */
  controlId: string;
  /** MSH-12, decoded. */
  version: string;
  /** The message's segments, its MSH first. */
  segments: Hl7Segment[];
}

export interface Hl7Batch {
  /** The BHS that starts the batch. */
  header: Hl7Segment;
  trailer: Hl7Segment | null;
  messageCount: number;
  line: number;
}

export interface Hl7Read {
  /** `blank`: only blank lines (or framing); `other`: does not start with FHS, BHS or MSH. */
  kind: 'empty' | 'blank' | 'hl7' | 'other';
  size: number;
  /** The file's first 16 bytes, to tell what a non-HL7 file is (a PDF, a Word document...). */
  firstBytes: Buffer;
  lineEnds: Hl7LineEnds;
  lineEndCounts: { cr: number; crlf: number; lf: number };
  byteOrderMark: boolean;
  /** Framing bytes found at the start (or, FS, at the end) of lines; null when none. */
  framing: { lines: number; bytes: Hl7FramingByte[]; firstLine: number } | null;
  /** The last segment has no line end after it (common, and harmless unless more is missing). */
  endsMidSegment: boolean;
  segmentCount: number;
  fileHeaderCount: number;
  batchCount: number;
  messageCount: number;
  /** The first `maxProblemsPerCode` problems of each code, in file order. */
  problems: Hl7Problem[];
  /** How many problems of each code there were in all. */
  problemCounts: Partial<Record<Hl7ProblemCode, number>>;
  /** The rest is filled only by a whole read (`keep: true`). */
  fileHeader: Hl7Segment | null;
  fileTrailer: Hl7Segment | null;
  batches: Hl7Batch[];
  messages: Hl7Message[];
  /** Segments outside any message (before the first MSH, between batches, after the FTS). */
  looseSegments: Hl7Segment[];
}

export interface Hl7ReaderOptions {
  /** Keep every segment, split into fields (a whole read). Default false: counts and problems only. */
  keep?: boolean;
  /** Problems kept per code (all are counted). Default 100. */
  maxProblemsPerCode?: number;
  /**
   * With `keep`: each message is handed here once its last segment is read, and not kept in
   * `messages`, so a large file (an ACK file of 100,000 messages) is read message by message in
   * bounded memory. The callback must not throw.
   */
  onMessage?: (message: Hl7Message) => void;
}

const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;
const VT = 0x0b;
const FF = 0x0c;
const FS = 0x1c;
const PIPE = 0x7c;
const BOM = [0xef, 0xbb, 0xbf];
const FIRST_BYTES = 16;

/** Streaming reads keep this much of a segment: a trailer's count, or the file's first segment. */
const COUNT_HEAD = 64;
/** ...of a header: its name, the field separator, up to five encoding characters and the next separator. */
const HEADER_HEAD = 16;
/** ...of any other segment: its name and the field separator after it. */
const NAME_AND_SEPARATOR = 4;

const FILE_HEADER = segmentCode('FHS');
const BATCH_HEADER = segmentCode('BHS');
const MESSAGE_HEADER = segmentCode('MSH');
const BATCH_TRAILER = segmentCode('BTS');
const FILE_TRAILER = segmentCode('FTS');

/**
 * Standard HL7 v2.5.1 segment names, which may be named in a problem. Anything else (a Z-segment, or
 * three capitals that begin a continuation line, perhaps of a patient's name) is described without it.
 */
const STANDARD_SEGMENT_NAMES = new Set(
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

/** A standard segment name, for a problem; undefined for anything else. */
export function standardSegmentName(name: string): string | undefined {
  return name.length === 3 && STANDARD_SEGMENT_NAMES.has(segmentCode(name)) ? name : undefined;
}

function isNameByte(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39));
}

/** A byte that may be a delimiter: printable ASCII, neither a letter nor a digit nor a space. */
function isDelimiterByte(byte: number | undefined): boolean {
  if (byte === undefined || byte <= 0x20 || byte >= 0x7f) return false;
  return !((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a));
}

const FRAMING_BIT: Record<number, number> = { [VT]: 1, [FF]: 2, [FS]: 4 };
function framingNames(mask: number): Hl7FramingByte[] {
  const names: Hl7FramingByte[] = [];
  if (mask & 1) names.push('VT');
  if (mask & 2) names.push('FF');
  if (mask & 4) names.push('FS');
  return names;
}

/**
 * Offsets (within `chunk`) of bytes below 0x20 other than CR, LF and tab: framing, control characters
 * and zero bytes. Four bytes at a time: a word none of whose bytes is below 0x20 is passed over with
 * one test (the "has a byte less than n" bit trick), so a large file costs little more than its reads.
 */
function controlBytes(chunk: Buffer): number[] {
  const found: number[] = [];
  const length = chunk.length;
  const check = (i: number) => {
    const b = chunk[i] as number;
    if (b < 0x20 && b !== CR && b !== LF && b !== TAB) found.push(i);
  };
  let i = 0;
  const misaligned = (4 - (chunk.byteOffset & 3)) & 3;
  for (; i < misaligned && i < length; i += 1) check(i);
  const words = (length - i) >> 2;
  if (words > 0) {
    const view = new Uint32Array(chunk.buffer, chunk.byteOffset + i, words);
    for (let w = 0; w < words; w += 1) {
      const word = view[w] as number;
      if (((word - 0x20202020) & ~word & 0x80808080) !== 0) {
        const at = i + (w << 2);
        check(at);
        check(at + 1);
        check(at + 2);
        check(at + 3);
      }
    }
    i += words << 2;
  }
  for (; i < length; i += 1) check(i);
  return found;
}

interface Context {
  separator: number;
  delimiters: Hl7Delimiters;
}

const DEFAULT_CONTEXT: Context = { separator: PIPE, delimiters: DEFAULT_DELIMITERS };

/** Reads HL7 bytes pushed in chunks of any size; the result does not depend on where chunks end. */
export class Hl7Reader {
  private readonly keep: boolean;
  private readonly maxProblemsPerCode: number;
  private readonly onMessage: ((message: Hl7Message) => void) | undefined;

  private size = 0;
  private readonly firstBytes = Buffer.alloc(FIRST_BYTES);
  private firstLength = 0;
  private zeroByteAt = -1;
  private zeroByteLine = 0;

  // Splitting into lines. A CR at the very end of a chunk waits for the next byte (CR LF or CR).
  private pendingCR = false;
  private readonly ends = { cr: 0, crlf: 0, lf: 0 };
  private line = 1;
  private bomMatched = 0;
  private bomBroken = false;
  private byteOrderMark = false;

  // The segment being read.
  private started = false;
  private framingHere = 0;
  private segmentLine = 1;
  private segmentOffset = 0;
  private segmentLength = 0;
  private head = Buffer.alloc(COUNT_HEAD);
  private headLength = 0;
  private parts: Buffer[] = [];
  private controls = 0;
  private firstControlAt = -1;
  private firstControlByte = 0;
  private lastControlAt = -1;
  private lastByte = -1;
  private lastByteAt = -1;

  // Framing, file-wide.
  private framingMask = 0;
  private framedLines = 0;
  private firstFramedLine = 0;

  // What the segments say.
  private kind: 'unknown' | 'hl7' | 'other' = 'unknown';
  private segmentCount = 0;
  // The last segment read (a file that stops mid-segment is judged by it). Fields, not an object:
  // one object per segment adds up in a large file.
  private lastCode = -1;
  private lastLine = 0;
  private lastOffset = 0;
  private lastTerminated = true;
  /** The last segment is one or two capitals or digits: the start of a name, cut. */
  private lastPartialName = false;
  private context: Context = DEFAULT_CONTEXT;
  /** The bytes `|^~\&|` (or whatever they were) of the last valid header, and what they define. */
  private readonly lastHeader = Buffer.from('|^~\\&|', 'latin1');
  private lastHeaderContext: Context = DEFAULT_CONTEXT;
  private lastHeaderInvalid = false;
  private batchContext: Context = DEFAULT_CONTEXT;
  private fileContext: Context = DEFAULT_CONTEXT;
  private fileHeaders = 0;
  private fileOpen = false;
  private fileTrailerLine = 0;
  private batchHeaders = 0;
  private batchesInFile = 0;
  private batchOpenedOnLine = 0;
  private messagesInBatch = 0;
  private messages = 0;

  private readonly problems: Hl7Problem[] = [];
  private readonly problemCounts: Partial<Record<Hl7ProblemCode, number>> = {};

  // A whole read.
  private fileHeader: Hl7Segment | null = null;
  private fileTrailer: Hl7Segment | null = null;
  private readonly batches: Hl7Batch[] = [];
  private readonly messageList: Hl7Message[] = [];
  private readonly looseSegments: Hl7Segment[] = [];
  private currentMessage: Hl7Message | null = null;
  private occurrences = new Map<string, number>();

  constructor(options: Hl7ReaderOptions = {}) {
    this.keep = options.keep ?? false;
    this.maxProblemsPerCode = options.maxProblemsPerCode ?? 100;
    this.onMessage = options.onMessage;
  }

  /** The message being read is over: hand it to `onMessage`, where one is given. */
  private finishMessage(): void {
    const message = this.currentMessage;
    this.currentMessage = null;
    if (message && this.onMessage) this.onMessage(message);
  }

  push(chunk: Buffer): void {
    const base = this.size;
    const length = chunk.length;
    this.size += length;
    if (this.firstLength < FIRST_BYTES) {
      this.firstLength += chunk.copy(this.firstBytes, this.firstLength, 0, FIRST_BYTES - this.firstLength);
    }
    const controls = controlBytes(chunk);
    let nextControl = 0;

    let at = 0;
    if (this.pendingCR && length > 0) {
      this.pendingCR = false;
      if (chunk[0] === LF) {
        this.ends.crlf += 1;
        at = 1;
      } else {
        this.ends.cr += 1;
      }
    }
    // indexOf results are kept until passed, so a chunk of CR-only lines does not rescan for LF.
    let nextCR = -2;
    let nextLF = -2;
    while (at < length) {
      if (nextCR !== -1 && nextCR < at) nextCR = chunk.indexOf(CR, at);
      if (nextLF !== -1 && nextLF < at) nextLF = chunk.indexOf(LF, at);
      const end = nextCR === -1 ? nextLF : nextLF === -1 ? nextCR : Math.min(nextCR, nextLF);
      const to = end === -1 ? length : end;
      nextControl = this.take(chunk, at, to, base, controls, nextControl);
      if (end === -1) break;
      this.endSegment(true);
      this.line += 1;
      if (chunk[end] === LF) {
        this.ends.lf += 1;
        at = end + 1;
      } else if (end + 1 === length) {
        this.pendingCR = true;
        at = length;
      } else if (chunk[end + 1] === LF) {
        this.ends.crlf += 1;
        at = end + 2;
      } else {
        this.ends.cr += 1;
        at = end + 1;
      }
    }
  }

  /** The bytes chunk[from, to) of the current line; returns the next unconsumed control offset. */
  private take(chunk: Buffer, from: number, to: number, base: number, controls: number[], nextControl: number): number {
    let i = from;
    if (!this.started) {
      // A byte order mark (only at the file's first bytes), then framing bytes, come before content.
      while (i < to) {
        const byte = chunk[i] as number;
        const offset = base + i;
        if (offset < 3 && !this.bomBroken && offset === this.bomMatched && byte === BOM[offset]) {
          this.bomMatched += 1;
          if (this.bomMatched === 3) this.byteOrderMark = true;
          i += 1;
          continue;
        }
        if (offset < 3 && this.bomMatched > 0 && this.bomMatched < 3) this.bomBroken = true;
        const bit = FRAMING_BIT[byte];
        if (bit !== undefined) {
          this.framingHere |= bit;
          i += 1;
          continue;
        }
        break;
      }
      if (i === to) return skipControls(controls, nextControl, to);
      this.started = true;
      this.segmentLine = this.line;
      this.segmentOffset = base + i;
    }
    nextControl = skipControls(controls, nextControl, i);
    if (i >= to) return nextControl; // the line's end came first in this chunk
    while (nextControl < controls.length && (controls[nextControl] as number) < to) {
      const at = controls[nextControl] as number;
      this.control(chunk[at] as number, base + at);
      nextControl += 1;
    }

    if (this.keep) {
      this.parts.push(Buffer.from(chunk.subarray(i, to)));
    } else {
      // A byte loop, not Buffer#copy: a few bytes for each of millions of segments in a large file.
      // How many are wanted is known once the segment's name is.
      let wanted = this.headWanted();
      for (let k = i; k < to && this.headLength < wanted; k += 1) {
        this.head[this.headLength++] = chunk[k] as number;
        if (this.headLength === 3) wanted = this.headWanted();
      }
    }
    this.segmentLength += to - i;
    this.lastByte = chunk[to - 1] as number;
    this.lastByteAt = base + to - 1;
    return nextControl;
  }

  private control(byte: number, offset: number): void {
    if (byte === 0) {
      if (this.zeroByteAt === -1) {
        this.zeroByteAt = offset;
        this.zeroByteLine = this.line;
      }
      return;
    }
    this.controls += 1;
    if (this.firstControlAt === -1) {
      this.firstControlAt = offset;
      this.firstControlByte = byte;
    }
    this.lastControlAt = offset;
  }

  /** How much of the current segment a streaming read keeps (see COUNT_HEAD and the others). */
  private headWanted(): number {
    if (this.kind === 'unknown') return COUNT_HEAD;
    if (this.kind === 'other') return 0;
    if (this.headLength < 3) return NAME_AND_SEPARATOR;
    const code = ((this.head[0] as number) << 16) | ((this.head[1] as number) << 8) | (this.head[2] as number);
    if (code === BATCH_TRAILER || code === FILE_TRAILER) return COUNT_HEAD;
    if (code === MESSAGE_HEADER || code === BATCH_HEADER || code === FILE_HEADER) return HEADER_HEAD;
    return NAME_AND_SEPARATOR;
  }

  private problem(problem: Hl7Problem): void {
    const seen = (this.problemCounts[problem.code] ?? 0) + 1;
    this.problemCounts[problem.code] = seen;
    if (seen <= this.maxProblemsPerCode) this.problems.push(problem);
  }

  private endSegment(terminated: boolean): void {
    const framing = this.framingHere;
    this.framingHere = 0;
    if (!this.started) {
      // A blank line, or one of framing bytes only (MLLP's FS CR after a message).
      if (framing) this.framed(framing, this.line);
      return;
    }
    this.started = false;
    let length = this.segmentLength;
    let controls = this.controls;
    // An FS at the end of a line is MLLP's end of block.
    let trailingFS = false;
    if (this.lastByte === FS) {
      trailingFS = true;
      length -= 1;
      if (this.lastControlAt === this.lastByteAt) controls -= 1;
    }
    if (framing || trailingFS) this.framed(framing | (trailingFS ? FRAMING_BIT[FS]! : 0), this.segmentLine);

    let head: Buffer;
    let headLength: number;
    if (this.keep) {
      head = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
      this.parts = [];
      headLength = length;
    } else {
      head = this.head;
      headLength = Math.min(this.headLength, length);
    }
    const firstControlAt = controls > 0 ? this.firstControlAt : -1;
    const firstControlByte = this.firstControlByte;
    this.segmentLength = 0;
    this.headLength = 0;
    this.controls = 0;
    this.firstControlAt = -1;
    this.lastControlAt = -1;
    this.lastByte = -1;
    if (length === 0) return; // only an FS

    this.segment(head, headLength, length, terminated, firstControlAt, firstControlByte);
  }

  private framed(mask: number, line: number): void {
    this.framingMask |= mask;
    this.framedLines += 1;
    if (this.firstFramedLine === 0) this.firstFramedLine = line;
  }

  private segment(head: Buffer, headLength: number, length: number, terminated: boolean, controlAt: number, controlByte: number): void {
    const line = this.segmentLine;
    const offset = this.segmentOffset;
    const named = headLength >= 3 && isNameByte(head[0]) && isNameByte(head[1]) && isNameByte(head[2]);
    const code = named ? ((head[0] as number) << 16) | ((head[1] as number) << 8) | (head[2] as number) : -1;

    if (this.kind === 'unknown') {
      if (this.bomBroken || (code !== FILE_HEADER && code !== BATCH_HEADER && code !== MESSAGE_HEADER)) {
        this.kind = 'other';
        return;
      }
      this.kind = 'hl7';
    }
    if (this.kind !== 'hl7') return;

    this.segmentCount += 1;
    this.lastCode = code;
    this.lastLine = line;
    this.lastOffset = offset;
    this.lastTerminated = terminated;
    this.lastPartialName = length < 3 && isNameByte(head[0]) && (length < 2 || isNameByte(head[1]));

    if (controlAt !== -1) {
      this.problem({ code: 'control-character', line, offset: controlAt, byte: controlByte });
      if (controlAt === offset) {
        // The line starts with a control character: that is what is wrong with it.
        this.keepSegment('', head, length, this.context, this.currentMessage);
        return;
      }
    }
    if (!named) {
      this.problem({ code: 'segment-name', line, offset });
      this.keepSegment('', head, length, this.context, this.currentMessage);
      return;
    }
    if (this.fileTrailerLine > 0) {
      this.problem({ code: 'after-file-trailer', line, offset });
    }

    if (code === FILE_HEADER || code === BATCH_HEADER || code === MESSAGE_HEADER) {
      const context = this.headerContext(head, headLength, length, code);
      switch (code) {
        case FILE_HEADER:
          return this.fileHeaderSegment(head, length, context);
        case BATCH_HEADER:
          return this.batchHeaderSegment(head, length, context);
        default:
          return this.messageHeaderSegment(head, length, context);
      }
    }

    // Any other segment: its name, then the field separator in force (or nothing after the name).
    const separator = length > 3 ? (head[3] as number) : -1;
    const accepted =
      separator === -1 ||
      separator === this.context.separator ||
      (code === BATCH_TRAILER && separator === this.batchContext.separator) ||
      (code === FILE_TRAILER && separator === this.fileContext.separator);
    if (!accepted) {
      this.problem({ code: 'segment-name', line, offset });
      this.keepSegment('', head, length, this.context, this.currentMessage);
      return;
    }
    if (code === BATCH_TRAILER) return this.batchTrailerSegment(head, headLength, length);
    if (code === FILE_TRAILER) return this.fileTrailerSegment(head, headLength, length);
    if (this.messages === 0) {
      this.problem({ code: 'segment-before-message', line, offset, segment: optionalName(code) });
    }
    this.keepSegment(segmentName(code), head, length, this.context, this.currentMessage);
  }

  /** MSH-1/MSH-2 (or BHS's, FHS's): the delimiters this header defines, defaults where it does not. */
  private headerContext(head: Buffer, headLength: number, length: number, code: number): Context {
    // Nearly every header of a file repeats the one before it: `|^~\&|`.
    const last = this.lastHeader;
    if (headLength >= 9 && head[3] === last[0] && head[4] === last[1] && head[5] === last[2] && head[6] === last[3] && head[7] === last[4] && head[8] === last[5]) {
      return this.lastHeaderContext;
    }
    if (length === 8 && headLength === 8 && head[3] === last[0] && head[4] === last[1] && head[5] === last[2] && head[6] === last[3] && head[7] === last[4]) {
      return this.lastHeaderContext;
    }
    this.lastHeaderInvalid = false;
    const context = this.readHeaderContext(head, headLength, length, code);
    // Remembered only for the usual shape: a separator, four encoding characters, the separator again.
    if (context !== null && !this.lastHeaderInvalid && headLength >= 9 && head[8] === head[3]) {
      head.copy(this.lastHeader, 0, 3, 9);
      this.lastHeaderContext = context;
    }
    return context ?? DEFAULT_CONTEXT;
  }

  private readHeaderContext(head: Buffer, headLength: number, length: number, code: number): Context | null {
    const where = { line: this.segmentLine, offset: this.segmentOffset };
    const segment = segmentName(code);
    const fieldByte = length > 3 ? (head[3] as number) : -1;
    if (!isDelimiterByte(fieldByte)) {
      this.problem({ code: 'delimiters', ...where, segment, delimiters: 'field' });
      return null;
    }
    // MSH-2: four characters (component, repetition, escape, subcomponent), five from v2.7 (truncation).
    const encoding: number[] = [];
    let k = 4;
    for (; k < headLength && head[k] !== fieldByte && encoding.length <= 5; k += 1) encoding.push(head[k] as number);
    const valid =
      encoding.length >= 4 &&
      encoding.length <= 5 &&
      encoding.every(isDelimiterByte) &&
      new Set([fieldByte, ...encoding]).size === encoding.length + 1;
    const field = String.fromCharCode(fieldByte);
    if (!valid) {
      this.problem({ code: 'delimiters', ...where, segment, delimiters: 'encoding' });
      // Not remembered: the next header with the same bytes must be found wrong too.
      // Read on with the standard characters where this header gives none or the same twice.
      const used = new Set([fieldByte]);
      const pick = (i: number, fallback: string): string => {
        const byte = encoding[i];
        if (byte !== undefined && isDelimiterByte(byte) && !used.has(byte)) {
          used.add(byte);
          return String.fromCharCode(byte);
        }
        return fallback;
      };
      this.lastHeaderInvalid = true;
      return {
        separator: fieldByte,
        delimiters: {
          field,
          component: pick(0, '^'),
          repetition: pick(1, '~'),
          escape: pick(2, '\\'),
          subcomponent: pick(3, '&'),
        },
      };
    }
    const [component, repetition, escape, subcomponent] = encoding.map((b) => String.fromCharCode(b)) as [string, string, string, string];
    if (fieldByte === PIPE && component === '^' && repetition === '~' && escape === '\\' && subcomponent === '&') return DEFAULT_CONTEXT;
    return { separator: fieldByte, delimiters: { field, component, repetition, escape, subcomponent } };
  }

  private fileHeaderSegment(head: Buffer, length: number, context: Context): void {
    const { segmentLine: line, segmentOffset: offset } = this;
    if (this.segmentCount > 1 || this.fileHeaders > 0) {
      this.problem({ code: 'fhs-misplaced', line, offset, segment: 'FHS' });
    }
    this.fileHeaders += 1;
    this.fileOpen = true;
    this.batchesInFile = 0;
    this.fileContext = context;
    this.context = context;
    this.finishMessage();
    const segment = this.keepSegment('FHS', head, length, context, null);
    if (segment && !this.fileHeader) this.fileHeader = segment;
  }

  private batchHeaderSegment(head: Buffer, length: number, context: Context): void {
    if (this.batchOpenedOnLine > 0) this.missingBatchTrailer(this.segmentLine, this.segmentOffset);
    this.batchHeaders += 1;
    this.batchesInFile += 1;
    this.batchOpenedOnLine = this.segmentLine;
    this.messagesInBatch = 0;
    this.batchContext = context;
    this.context = context;
    this.finishMessage();
    const segment = this.keepSegment('BHS', head, length, context, null);
    if (segment) this.batches.push({ header: segment, trailer: null, messageCount: 0, line: this.segmentLine });
  }

  private messageHeaderSegment(head: Buffer, length: number, context: Context): void {
    const { segmentLine: line, segmentOffset: offset } = this;
    this.messages += 1;
    if (this.batchOpenedOnLine > 0) {
      this.messagesInBatch += 1;
    } else if (this.batchHeaders > 0) {
      this.problem({ code: 'message-outside-batch', line, offset });
    }
    this.context = context;
    if (!this.keep) return;
    this.occurrences = new Map();
    const inBatch = this.batchOpenedOnLine > 0 ? this.batches.length - 1 : null;
    const message: Hl7Message = {
      line,
      offset,
      batch: inBatch,
      delimiters: context.delimiters,
      type: { code: '', event: '', structure: '' },
      controlId: '',
      version: '',
      segments: [],
    };
    this.finishMessage();
    this.currentMessage = message;
    const msh = this.keepSegment('MSH', head, length, context, message)!;
    message.type = { code: value(msh, 9, 1), event: value(msh, 9, 2), structure: value(msh, 9, 3) };
    message.controlId = value(msh, 10);
    message.version = value(msh, 12);
    if (!this.onMessage) this.messageList.push(message);
    if (inBatch !== null) (this.batches[inBatch] as Hl7Batch).messageCount += 1;
  }

  private batchTrailerSegment(head: Buffer, headLength: number, length: number): void {
    const { segmentLine: line, segmentOffset: offset } = this;
    this.finishMessage();
    // The message is over: what follows is read with the batch's delimiters until a header says otherwise.
    this.context = this.batchContext;
    const segment = this.keepSegment('BTS', head, length, this.batchContext, null);
    if (this.batchOpenedOnLine === 0) {
      this.problem({ code: 'bts-unexpected', line, offset, segment: 'BTS' });
      return;
    }
    if (segment) (this.batches[this.batches.length - 1] as Hl7Batch).trailer = segment;
    const stated = firstFieldCount(head, headLength, length);
    if (stated === 'unreadable') {
      this.problem({ code: 'bts-count-unreadable', line, offset, segment: 'BTS' });
    } else if (stated !== 'empty' && stated !== this.messagesInBatch) {
      this.problem({ code: 'bts-count', line, offset, segment: 'BTS', stated, counted: this.messagesInBatch });
    }
    this.batchOpenedOnLine = 0;
  }

  private fileTrailerSegment(head: Buffer, headLength: number, length: number): void {
    const { segmentLine: line, segmentOffset: offset } = this;
    this.finishMessage();
    this.context = this.fileContext;
    if (this.batchOpenedOnLine > 0) this.missingBatchTrailer(line, offset);
    const segment = this.keepSegment('FTS', head, length, this.fileContext, null);
    if (!this.fileOpen) {
      this.problem({ code: 'fts-unexpected', line, offset, segment: 'FTS' });
    } else {
      if (segment && !this.fileTrailer) this.fileTrailer = segment;
      const stated = firstFieldCount(head, headLength, length);
      if (stated === 'unreadable') {
        this.problem({ code: 'fts-count-unreadable', line, offset, segment: 'FTS' });
      } else if (stated !== 'empty' && stated !== this.batchesInFile) {
        this.problem({ code: 'fts-count', line, offset, segment: 'FTS', stated, counted: this.batchesInFile });
      }
    }
    this.fileOpen = false;
    this.fileTrailerLine = line;
  }

  private missingBatchTrailer(line: number, offset: number): void {
    this.problem({ code: 'bts-missing', line, offset, segment: 'BTS', openedOnLine: this.batchOpenedOnLine });
    this.batchOpenedOnLine = 0;
  }

  /** A whole read keeps the segment, split with the delimiters in force, in its message or aside. */
  private keepSegment(name: string, bytes: Buffer, length: number, context: Context, message: Hl7Message | null = null): Hl7Segment | null {
    if (!this.keep) return null;
    const raw = bytes.subarray(0, length);
    const text = isUtf8(raw) ? raw.toString('utf8') : raw.toString('latin1');
    const field = context.delimiters.field;
    let fields: string[];
    if (name === 'MSH' || name === 'BHS' || name === 'FHS') {
      fields = text.length > 3 ? [name, text.charAt(3), ...text.slice(4).split(text.charAt(3))] : [name];
    } else {
      fields = text.split(field);
      if (name) fields[0] = name;
    }
    const occurrence = (this.occurrences.get(name) ?? 0) + 1;
    if (message) this.occurrences.set(name, occurrence);
    const segment: Hl7Segment = {
      name,
      line: this.segmentLine,
      offset: this.segmentOffset,
      fields,
      delimiters: context.delimiters,
      occurrence: message ? occurrence : 1,
    };
    if (message) message.segments.push(segment);
    else if (name !== 'FHS' && name !== 'BHS' && name !== 'BTS' && name !== 'FTS') this.looseSegments.push(segment);
    return segment;
  }

  end(): Hl7Read {
    if (this.pendingCR) {
      this.pendingCR = false;
      this.ends.cr += 1;
    }
    this.endSegment(false);
    if (this.kind === 'hl7') this.endOfFile();
    this.finishMessage();

    const { cr, crlf, lf } = this.ends;
    const kinds = [cr > 0, crlf > 0, lf > 0].filter(Boolean).length;
    const lineEnds: Hl7LineEnds = kinds > 1 ? 'mixed' : cr > 0 ? 'CR' : crlf > 0 ? 'CRLF' : lf > 0 ? 'LF' : 'none';
    const hl7 = this.kind === 'hl7';
    return {
      kind: this.size === 0 ? 'empty' : this.kind === 'unknown' ? 'blank' : this.kind,
      size: this.size,
      firstBytes: Buffer.from(this.firstBytes.subarray(0, this.firstLength)),
      lineEnds,
      lineEndCounts: { ...this.ends },
      byteOrderMark: this.byteOrderMark,
      framing: this.framedLines > 0 ? { lines: this.framedLines, bytes: framingNames(this.framingMask), firstLine: this.firstFramedLine } : null,
      endsMidSegment: hl7 && this.segmentCount > 0 && !this.lastTerminated,
      segmentCount: this.segmentCount,
      fileHeaderCount: this.fileHeaders,
      batchCount: this.batchHeaders,
      messageCount: this.messages,
      problems: this.problems,
      problemCounts: this.problemCounts,
      fileHeader: this.fileHeader,
      fileTrailer: this.fileTrailer,
      batches: this.batches,
      messages: this.messageList,
      looseSegments: this.looseSegments,
    };
  }

  private endOfFile(): void {
    // A file that stops without a line end where something is still open was cut short: say that,
    // rather than the trailers it never reached.
    if (this.segmentCount > 0 && !this.lastTerminated) {
      const code = this.lastCode;
      const missing: ('BTS' | 'FTS')[] = [];
      if (this.batchOpenedOnLine > 0) missing.push('BTS');
      if (this.fileOpen) missing.push('FTS');
      const cut: Hl7Problem['cut'] | null =
        this.lastPartialName
          ? 'inside-name'
          : code === MESSAGE_HEADER || code === BATCH_HEADER || code === FILE_HEADER
            ? 'after-header'
            : missing[0] === 'BTS'
              ? 'inside-batch'
              : missing[0] === 'FTS'
                ? 'inside-file'
                : null;
      if (cut) {
        this.problem({ code: 'truncated', line: this.lastLine, offset: this.lastOffset, missing, cut, segment: optionalName(code) });
        this.batchOpenedOnLine = 0;
        this.fileOpen = false;
      }
    }
    if (this.batchOpenedOnLine > 0) this.missingBatchTrailer(0, this.size);
    if (this.fileOpen) this.problem({ code: 'fts-missing', line: 0, offset: this.size, segment: 'FTS' });
    if (this.fileHeaders === 0 && this.batchHeaders > 1) {
      this.problem({ code: 'fhs-missing', line: 0, offset: 0, segment: 'FHS', counted: this.batchHeaders });
    }
    if (this.zeroByteAt !== -1) this.problem({ code: 'binary', line: this.zeroByteLine, offset: this.zeroByteAt });
    if (this.byteOrderMark) this.problem({ code: 'byte-order-mark', line: 0, offset: 0 });
    if (this.framedLines > 0) {
      this.problem({
        code: 'mllp-framing',
        line: this.firstFramedLine,
        offset: 0,
        framingBytes: framingNames(this.framingMask),
        count: this.framedLines,
      });
    }
  }
}

function skipControls(controls: number[], next: number, before: number): number {
  while (next < controls.length && (controls[next] as number) < before) next += 1;
  return next;
}

function optionalName(code: number): string | undefined {
  return code !== -1 && STANDARD_SEGMENT_NAMES.has(code) ? segmentName(code) : undefined;
}

/** BTS-1 / FTS-1: the count right after the segment name and its separator. */
function firstFieldCount(head: Buffer, headLength: number, length: number): number | 'empty' | 'unreadable' {
  if (length <= 4) return 'empty';
  const separator = head[3] as number;
  const end = head.subarray(0, headLength).indexOf(separator, 4);
  if (end === -1 && length > headLength) return 'unreadable'; // longer than any count
  const text = head.toString('latin1', 4, end === -1 ? headLength : end).trim();
  if (text === '') return 'empty';
  return /^\d{1,9}$/.test(text) ? Number(text) : 'unreadable';
}

/** Reads a whole file's bytes (or text) at once, keeping every segment: see `Hl7ReaderOptions.keep`. */
export function readHl7(bytes: Buffer | Uint8Array | string, options: Omit<Hl7ReaderOptions, 'keep'> = {}): Hl7Read {
  const reader = new Hl7Reader({ ...options, keep: true });
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  reader.push(buffer);
  return reader.end();
}

// Reading fields. Positions are HL7's: field 1 is the first after the name (for MSH, MSH-1 is the
// field separator); components, subcomponents and repetitions count from 1.

/** Field n as written, every repetition, escape sequences kept; '' when absent. */
export function field(segment: Hl7Segment, n: number): string {
  return segment.fields[n] ?? '';
}

/** Field n's repetitions as written (one for a field without repetitions, none when it is empty). */
export function repetitions(segment: Hl7Segment, n: number): string[] {
  const text = field(segment, n);
  if (text === '') return [];
  if (isDelimiterField(segment, n)) return [text];
  return text.split(segment.delimiters.repetition);
}

/**
 * One value, escape sequences decoded: field n, component c, subcomponent s of repetition r.
 * '' when absent. HL7's `""` (a value to be deleted) is returned as `""`.
 */
export function value(segment: Hl7Segment, n: number, c = 1, s = 1, r = 1): string {
  if (isDelimiterField(segment, n)) return c === 1 && s === 1 && r === 1 ? field(segment, n) : '';
  const repetition = repetitions(segment, n)[r - 1];
  if (repetition === undefined) return '';
  const component = repetition.split(segment.delimiters.component)[c - 1];
  if (component === undefined) return '';
  const subcomponent = component.split(segment.delimiters.subcomponent)[s - 1];
  return subcomponent === undefined ? '' : decodeEscapes(subcomponent, segment.delimiters);
}

/** The components of field n (repetition r), each decoded; a component with subcomponents gives its first. */
export function components(segment: Hl7Segment, n: number, r = 1): string[] {
  if (isDelimiterField(segment, n)) return r === 1 && field(segment, n) !== '' ? [field(segment, n)] : [];
  const repetition = repetitions(segment, n)[r - 1];
  if (repetition === undefined) return [];
  return repetition.split(segment.delimiters.component).map((component) => decodeEscapes(component.split(segment.delimiters.subcomponent)[0] ?? '', segment.delimiters));
}

/** MSH-1, MSH-2 (and BHS's, FHS's) are the delimiters themselves: never split or decoded. */
function isDelimiterField(segment: Hl7Segment, n: number): boolean {
  return (n === 1 || n === 2) && (segment.name === 'MSH' || segment.name === 'BHS' || segment.name === 'FHS');
}

/**
 * HL7 escape sequences decoded with the message's escape character (normally `\`): \F\ \S\ \R\ \E\
 * \T\ give the field, component, repetition, escape and subcomponent characters; \Xhh..\ the bytes
 * in hexadecimal; \.br\ and \.sp\ a line break; highlighting (\H\, \N\), character-set switches
 * (\C..\, \M..\) and the other formatting commands nothing. A locally defined (\Z..\) or unknown
 * sequence, or an escape character without its closing one, is kept as written.
 */
export function decodeEscapes(text: string, delimiters: Hl7Delimiters = DEFAULT_DELIMITERS): string {
  const escape = delimiters.escape;
  if (!text.includes(escape)) return text;
  let out = '';
  let at = 0;
  for (;;) {
    const start = text.indexOf(escape, at);
    if (start === -1) break;
    const close = text.indexOf(escape, start + 1);
    if (close === -1) break;
    out += text.slice(at, start);
    const sequence = text.slice(start + 1, close);
    const decoded = decodeSequence(sequence, delimiters);
    out += decoded ?? text.slice(start, close + 1);
    at = close + 1;
  }
  return out + text.slice(at);
}

function decodeSequence(sequence: string, d: Hl7Delimiters): string | null {
  switch (sequence) {
    case 'F':
      return d.field;
    case 'S':
      return d.component;
    case 'R':
      return d.repetition;
    case 'E':
      return d.escape;
    case 'T':
      return d.subcomponent;
    case 'H':
    case 'N':
      return '';
    case '.br':
    case '.sp':
      return '\n';
  }
  const kind = sequence.charAt(0);
  if (kind === 'X' && /^X(?:[0-9A-Fa-f]{2})+$/.test(sequence)) {
    const bytes = Buffer.from(sequence.slice(1), 'hex');
    return isUtf8(bytes) ? bytes.toString('utf8') : bytes.toString('latin1');
  }
  if (kind === 'C' || kind === 'M') return /^[CM][0-9A-Fa-f]+$/.test(sequence) ? '' : null;
  if (kind === '.' && /^\.(?:fi|nf|in[+-]?\d*|ti[+-]?\d*|sk[+-]?\d*|ce|sp\d+)$/.test(sequence)) {
    return /^\.sp\d+$/.test(sequence) ? '\n'.repeat(Number(sequence.slice(3))) : '';
  }
  return null;
}
