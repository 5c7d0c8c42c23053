// Decodes an HL7 ACK file (ACK^V04, the registry's answer to each submitted message) for the viewer,
// through the app's one HL7 reader, message by message: a 20 MB file of 100,000 answers is read in
// bounded memory. Files come bare (ACKs one after another) or wrapped in FHS/BHS ... BTS/FTS, with CR,
// CR LF or LF line ends; the reader handles all of those.
//
// Read as the CDC immunization guide (release 1.5, appendix A) and HL7 v2.5.1 say:
// - MSA-1: AA (or CA) accepted, AE (CE) accepted or processed with errors, AR (CR) rejected;
// - MSA-2: the submitted message's MSH-10; MSA-3: a text, where a registry puts one;
// - ERR-2 (ERL): segment id ^ sequence ^ field ^ field repetition ^ component ^ subcomponent, shown
//   as `PID-5.2`, `ORC[2]-2`, `RXA-5`; an HL7 v2.3.1 ACK puts the location in ERR-1 (ELD: segment ^
//   sequence ^ field ^ code), read when ERR-2 is empty;
// - ERR-3 (table 0357) code and text; ERR-4 severity E/W/I; ERR-5 (table 0533, or a registry's own
//   code in its alternate components, as the DQA hub's `4^Invalid value^HL70533^DQA0141^...^L`);
// - ERR-8 the text for people, ERR-7 (diagnostic) when ERR-8 is empty.
import type { AckError, AckMessage, AckSummary } from '../../../shared/contract';
import { Hl7Reader, components, value, type Hl7Message, type Hl7Segment } from '../hl7/reader';

/** Messages kept for the list; beyond it the list is cut (`truncated`) and the totals count on. */
export const ACK_MESSAGES_KEPT = 20_000;
/** Errors kept over all kept messages: a file of few messages with huge ERR lists is bounded too. */
export const ACK_ERRORS_KEPT = 200_000;
/** Distinct errors counted for the most common ones; later new kinds are not counted (they are rare by then). */
const DISTINCT_ERRORS_COUNTED = 10_000;
const COMMON_ERRORS_SHOWN = 10;
/** A text from the file is cut here: a list row, not a document. */
const TEXT_LIMIT = 2_000;

const OUTCOMES: Record<string, AckMessage['outcome']> = {
  AA: 'accepted',
  CA: 'accepted',
  AE: 'errors',
  CE: 'errors',
  AR: 'rejected',
  CR: 'rejected',
};

const cut = (text: string) => (text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT - 3)}...` : text);
const orNull = (text: string) => (text.trim() === '' ? null : cut(text.trim()));

/** ERR-2 (or ERR-1) components as a location people read: `PID-5.2`, `ORC[2]-2`, `NK1`. */
export function ackLocation(parts: string[]): string {
  const [segmentId = '', sequence = '', fieldPosition = '', _repetition = '', component = '', subcomponent = ''] = parts.map((p) => p.trim());
  if (!/^[A-Z0-9]{3}$/.test(segmentId)) return '';
  const seq = /^\d+$/.test(sequence) && Number(sequence) > 1 ? `[${Number(sequence)}]` : '';
  if (!/^\d+$/.test(fieldPosition) || Number(fieldPosition) === 0) return `${segmentId}${seq}`;
  let location = `${segmentId}${seq}-${Number(fieldPosition)}`;
  if (/^\d+$/.test(component) && Number(component) > 0) {
    location += `.${Number(component)}`;
    if (/^\d+$/.test(subcomponent) && Number(subcomponent) > 0) location += `.${Number(subcomponent)}`;
  }
  return location;
}

function decodeError(err: Hl7Segment): AckError {
  let location = ackLocation(components(err, 2));
  let hl7 = components(err, 3);
  if (location === '' && value(err, 1) !== '') {
    // HL7 v2.3.1: ERR-1 is segment ^ sequence ^ field ^ code (CE).
    const eld = components(err, 1);
    location = ackLocation(eld.slice(0, 3));
    if (hl7.every((c) => c.trim() === '')) hl7 = [value(err, 1, 4, 1), value(err, 1, 4, 2)];
  }
  const severity = value(err, 4).trim().toUpperCase();
  const application = components(err, 5);
  const hl7Text = orNull(hl7[1] ?? '');
  const applicationText = orNull(application[1] ?? '') ?? orNull(application[4] ?? '');
  const message = orNull(value(err, 8)) ?? orNull(value(err, 7)) ?? applicationText ?? hl7Text ?? '';
  return {
    location,
    hl7Code: orNull(hl7[0] ?? ''),
    hl7Text,
    severity: severity === 'E' || severity === 'W' || severity === 'I' ? severity : null,
    applicationCode: orNull(application[0] ?? '') ?? orNull(application[3] ?? ''),
    applicationText,
    message,
  };
}

/** One message of the file as the viewer lists it. */
export function decodeAckMessage(message: Hl7Message): AckMessage {
  const msa = message.segments.find((s) => s.name === 'MSA');
  const code = msa ? value(msa, 1).trim().toUpperCase() : '';
  return {
    controlId: msa ? cut(value(msa, 2)) : '',
    outcome: OUTCOMES[code] ?? 'unknown',
    text: msa ? cut(value(msa, 3)) : '',
    errors: message.segments.filter((s) => s.name === 'ERR').map(decodeError),
  };
}

/** Reads an ACK file pushed in chunks of any size; `end()` gives the summary. */
export class AckDecoder {
  private readonly reader: Hl7Reader;
  private readonly kept: AckMessage[] = [];
  private readonly totals = { messages: 0, accepted: 0, errors: 0, rejected: 0, unknown: 0 };
  private readonly counts = new Map<string, { location: string; code: string | null; message: string; count: number }>();
  private errorsKept = 0;
  private truncated = false;

  constructor(private readonly maxMessages = ACK_MESSAGES_KEPT) {
    this.reader = new Hl7Reader({ keep: true, maxProblemsPerCode: 1, onMessage: (m) => this.take(m) });
  }

  private take(message: Hl7Message): void {
    const decoded = decodeAckMessage(message);
    this.totals.messages += 1;
    this.totals[decoded.outcome === 'accepted' ? 'accepted' : decoded.outcome === 'errors' ? 'errors' : decoded.outcome === 'rejected' ? 'rejected' : 'unknown'] += 1;
    for (const error of decoded.errors) {
      const code = error.applicationCode ?? error.hl7Code;
      const key = `${error.location}\u0000${code ?? ''}\u0000${error.message}`;
      const seen = this.counts.get(key);
      if (seen) seen.count += 1;
      else if (this.counts.size < DISTINCT_ERRORS_COUNTED) this.counts.set(key, { location: error.location, code, message: error.message, count: 1 });
    }
    if (this.truncated) return;
    if (this.kept.length >= this.maxMessages || this.errorsKept + decoded.errors.length > ACK_ERRORS_KEPT) {
      this.truncated = true;
      return;
    }
    this.errorsKept += decoded.errors.length;
    this.kept.push(decoded);
  }

  push(chunk: Buffer): void {
    this.reader.push(chunk);
  }

  end(): AckSummary {
    const read = this.reader.end();
    const commonErrors = [...this.counts.values()].sort((a, b) => b.count - a.count).slice(0, COMMON_ERRORS_SHOWN);
    return {
      batchWrapped: read.fileHeaderCount > 0 || read.batchCount > 0,
      totals: { ...this.totals },
      commonErrors,
      messages: this.kept,
      truncated: this.truncated,
    };
  }
}

/** Decodes a whole ACK file already in memory (fed to the decoder in slices, as a stream would be). */
export function decodeAck(bytes: Buffer, maxMessages = ACK_MESSAGES_KEPT): AckSummary {
  const decoder = new AckDecoder(maxMessages);
  const SLICE = 1024 * 1024;
  for (let at = 0; at < bytes.length; at += SLICE) decoder.push(bytes.subarray(at, at + SLICE));
  return decoder.end();
}

/**
 * Whether bytes are an ACK file: the first message's MSH-9 is ACK (after any FHS/BHS). Read from the
 * first messages only (at most 64 KiB), so it costs nothing on a large file.
 */
export function looksLikeAck(bytes: Buffer): boolean {
  let first: Hl7Message | null = null;
  const reader = new Hl7Reader({ keep: true, maxProblemsPerCode: 1, onMessage: (m) => (first ??= m) });
  const head = bytes.subarray(0, 64 * 1024);
  reader.push(head);
  const read = reader.end();
  if (read.kind !== 'hl7') return false;
  const message = first as Hl7Message | null;
  return message !== null && message.type.code.trim().toUpperCase() === 'ACK';
}
