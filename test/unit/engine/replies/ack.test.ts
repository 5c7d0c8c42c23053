// The ACK decoder on the real ACK files in ../shared/samples/acks/ (read at run time), on what the
// practice registry writes, and on a 20 MB file of 100,000 answers.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACK_MESSAGES_KEPT, AckDecoder, ackLocation, decodeAck, looksLikeAck } from '../../../../electron/engine/replies/ack';
import { processSubmission } from '../../../../electron/practice/processing';
import { SAMPLES_DIR } from '../../../support/real-hl7-samples';

const ACKS = join(SAMPLES_DIR, 'acks');
const sample = (prefix: string) => {
  const file = readdirSync(ACKS).find((f) => f.startsWith(prefix));
  if (!file) throw new Error(`no sample ${prefix}`);
  return readFileSync(join(ACKS, file));
};
const PRACTICE_SAMPLES = new URL('../../../../electron/practice/samples/', import.meta.url).pathname;

describe('ERR-2 locations', () => {
  it('reads segment, sequence, field, component and subcomponent as people write them', () => {
    expect(ackLocation(['RXA', '1', '5'])).toBe('RXA-5');
    expect(ackLocation(['PID', '1', '5', '1', '2'])).toBe('PID-5.2');
    expect(ackLocation(['ORC', '2', '2', '1'])).toBe('ORC[2]-2');
    expect(ackLocation(['NK1', '', '0'])).toBe('NK1');
    expect(ackLocation(['RXA', '3', '11', '1', '4'])).toBe('RXA[3]-11.4');
    expect(ackLocation([])).toBe('');
  });
});

describe('real ACK files', () => {
  it('a01: 7 bare ACKs, each AE with 8 errors, locations, 0357 and 0533 codes and the hub\'s own', () => {
    const ack = decodeAck(sample('a01'));
    expect(ack.batchWrapped).toBe(false);
    expect(ack.totals).toEqual({ messages: 7, accepted: 0, errors: 7, rejected: 0, unknown: 0 });
    expect(ack.truncated).toBe(false);
    const first = ack.messages[0]!;
    expect(first.controlId).toBe('1509989928364.1');
    expect(first.outcome).toBe('errors');
    expect(first.errors).toHaveLength(8);
    expect(first.errors[0]).toEqual({
      location: 'PID-5.2',
      hl7Code: '101',
      hl7Text: 'Required field missing',
      severity: 'E',
      applicationCode: '4',
      applicationText: 'Invalid value',
      message: 'Patient name first is missing',
    });
    expect(first.errors[2]).toMatchObject({ location: 'PID-3' });
    expect(first.errors[7]).toMatchObject({ location: 'NK1', severity: 'W', message: 'Patient guardian responsible party is missing' });
    expect(ack.commonErrors).toHaveLength(8);
    expect(ack.commonErrors.every((e) => e.count === 7)).toBe(true);
  });

  it('a06: the same seven wrapped in FHS/BHS ... BTS/FTS read the same, and say they were wrapped', () => {
    const bare = decodeAck(sample('a01'));
    const wrapped = decodeAck(sample('a06'));
    expect(wrapped.batchWrapped).toBe(true);
    expect(wrapped.totals).toEqual(bare.totals);
    expect(wrapped.messages).toEqual(bare.messages);
  });

  it('a02: Texas ImmTrac2\'s warning, its words in ERR-8', () => {
    const ack = decodeAck(sample('a02'));
    expect(ack.totals).toEqual({ messages: 1, accepted: 0, errors: 1, rejected: 0, unknown: 0 });
    expect(ack.messages[0]).toEqual({
      controlId: '7008167375',
      outcome: 'errors',
      text: '',
      errors: [
        { location: 'NK1', hl7Code: '101', hl7Text: 'Required field missing', severity: 'W', applicationCode: '4', applicationText: 'Invalid value', message: 'IEE-519::Warning. NK1 Segment/Responsible person, missing.' },
      ],
    });
  });

  it('a03: MCIR\'s two ACKs (ERR-5 empty, a message-level note without location)', () => {
    const ack = decodeAck(sample('a03'));
    expect(ack.totals.messages).toBe(2);
    expect(ack.messages.map((m) => m.errors.length)).toEqual([5, 2]);
    expect(ack.messages[0]!.errors[2]).toMatchObject({ location: 'ORC[3]-2', applicationCode: null, message: 'Vaccination placer order number is missing, in repeat #3' });
    expect(ack.messages[0]!.errors[4]).toMatchObject({ location: '', hl7Code: '0', hl7Text: 'Message accepted', severity: 'W' });
    expect(ack.messages[1]!.errors[0]).toMatchObject({ location: 'PID-3', severity: 'E', message: 'Patient submitter id is missing' });
  });

  it('a04: NIST\'s rejection of an unrecognised vaccine code at RXA-5', () => {
    const ack = decodeAck(sample('a04'));
    expect(ack.messages[0]).toMatchObject({ controlId: 'NIST-IZ-AD-7.1_Send_V04_Z22', outcome: 'errors' });
    expect(ack.messages[0]!.errors[0]).toEqual({
      location: 'RXA-5.1',
      hl7Code: '999',
      hl7Text: 'Application error',
      severity: 'E',
      applicationCode: '5',
      applicationText: 'Table value not found',
      message: 'Vaccine code not recognized - message rejected',
    });
  });

  it('a05, the CDC guide\'s text with examples, is not an ACK file: the viewer shows it as text', () => {
    expect(looksLikeAck(sample('a05'))).toBe(false);
    for (const id of ['a01', 'a02', 'a03', 'a04', 'a06']) expect(looksLikeAck(sample(id))).toBe(true);
  });

  it('CR LF and LF line ends read the same as CR, and so does a file pushed a byte at a time', () => {
    const cr = sample('a06');
    const crlf = Buffer.from(cr.toString('latin1').replace(/\r/g, '\r\n'), 'latin1');
    const lf = Buffer.from(cr.toString('latin1').replace(/\r/g, '\n'), 'latin1');
    const expected = decodeAck(cr);
    expect(decodeAck(crlf)).toEqual(expected);
    expect(decodeAck(lf)).toEqual(expected);
    const decoder = new AckDecoder();
    for (let i = 0; i < cr.length; i += 1) decoder.push(cr.subarray(i, i + 1));
    expect(decoder.end()).toEqual(expected);
  });

  it('MSA-1 in original mode (AA, AR) and enhanced mode (CA, CE, CR), and a message without MSA', () => {
    const msg = (code: string, id: string) => `MSH|^~\\&|R|R|||20260101||ACK^V04^ACK|${id}|P|2.5.1\rMSA|${code}|${id}|some text\r`;
    const ack = decodeAck(Buffer.from(msg('AA', '1') + msg('CA', '2') + msg('CE', '3') + msg('AR', '4') + msg('CR', '5') + 'MSH|^~\\&|R|R|||20260101||ACK^V04^ACK|6|P|2.5.1\r'));
    expect(ack.totals).toEqual({ messages: 6, accepted: 2, errors: 1, rejected: 2, unknown: 1 });
    expect(ack.messages[0]!.text).toBe('some text');
  });

  it('an HL7 v2.3.1 ACK with its location and code in ERR-1', () => {
    const ack = decodeAck(Buffer.from('MSH|^~\\&|R|R|||20260101||ACK^V04|9|P|2.3.1\rMSA|AE|77|Error\rERR|RXA^1^5^103&Table value not found&HL70357\r'));
    expect(ack.messages[0]!.errors[0]).toMatchObject({ location: 'RXA-5', hl7Code: '103', hl7Text: 'Table value not found' });
  });
});

describe('what the practice registry writes', () => {
  for (const file of ['PRAC01_20261201_weekly.HL7', 'PRAC01_20261202_data_quality_problems.HL7']) {
    it(`${file}: the ACK's totals match the batch`, () => {
      const outcome = processSubmission({ fileName: file, bytes: readFileSync(join(PRACTICE_SAMPLES, file)), receivedAt: new Date('2026-12-05T12:00:00Z'), importCode: 'PRAC01', formats: ['text'] });
      const ack = decodeAck(outcome.ack!.content);
      expect(ack.totals.messages).toBe(outcome.summary.messages);
      // The practice registry answers AE for warnings and for errors (ERR-4 tells which), AR for a
      // message it could not process: with warnings = AE without an error of severity E.
      expect(ack.totals.accepted).toBe(outcome.summary.accepted);
      const warningsOnly = ack.messages.filter((m) => m.outcome === 'errors' && !m.errors.some((e) => e.severity === 'E'));
      expect(warningsOnly).toHaveLength(outcome.summary.withWarnings);
      expect(ack.totals.errors + ack.totals.rejected).toBe(outcome.summary.withWarnings + outcome.summary.rejected);
      expect(ack.totals.unknown).toBe(0);
      const withErrors = ack.messages.filter((m) => m.outcome !== 'accepted');
      for (const m of withErrors) expect(m.errors.length).toBeGreaterThan(0);
      if (file.includes('problems')) expect(ack.commonErrors.length).toBeGreaterThan(0);
    });
  }
});

describe('a 20 MB ACK file of 100,000 answers', () => {
  it('is decoded streaming: totals count all, the list keeps the first 20,000', () => {
    const one = (i: number) =>
      `MSH|^~\\&|IIS|IIS|||20260101120000||ACK^V04^ACK|A${i}|P|2.5.1|||NE|NE|||||Z23^CDCPHINVS\r` +
      `MSA|${i % 10 === 0 ? 'AR' : 'AE'}|M${i}\r` +
      `ERR||RXA^1^5^1^1|103^Table value not found^HL70357|E|5^Table value not found^HL70533|||Vaccine code not recognized, message number ${i % 3}\r`;
    const parts: Buffer[] = [Buffer.from('FHS|^~\\&|IIS\rBHS|^~\\&|IIS\r')];
    for (let i = 0; i < 100_000; i += 1) parts.push(Buffer.from(one(i)));
    parts.push(Buffer.from('BTS|100000\rFTS|1\r'));
    const file = Buffer.concat(parts);
    expect(file.length).toBeGreaterThan(20_000_000);
    const decoder = new AckDecoder();
    for (let at = 0; at < file.length; at += 65_536) decoder.push(file.subarray(at, at + 65_536));
    const ack = decoder.end();
    expect(ack.totals).toEqual({ messages: 100_000, accepted: 0, errors: 90_000, rejected: 10_000, unknown: 0 });
    expect(ack.messages).toHaveLength(ACK_MESSAGES_KEPT);
    expect(ack.truncated).toBe(true);
    expect(ack.batchWrapped).toBe(true);
    expect(ack.messages[19_999]!.controlId).toBe('M19999');
    expect(ack.commonErrors.map((e) => e.count).sort()).toEqual([33_333, 33_333, 33_334]);
    expect(ack.commonErrors[0]).toMatchObject({ location: 'RXA-5.1', code: '5' });
  });
});
