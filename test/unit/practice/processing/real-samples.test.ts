// The practice registry's processing (issue 13, item 3) on every real sample in
// ../shared/samples/hl7/ (NIST, AIRA, CDC test messages; read at run time, never copied here) and on
// the sample files the app ships: what it writes back holds one ACK per message that answers that
// message's MSH-10, counts that match the file, scores within 0-100, and none of the patients' names,
// identifiers or birth dates.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHl7, repetitions, value, type Hl7Read } from '../../../../electron/engine/hl7/reader';
import { processSubmission, type SubmissionOutcome } from '../../../../electron/practice/processing';
import { CSV_COLUMNS } from '../../../../electron/practice/processing/render-csv';
import { realHl7Samples } from '../../../support/real-hl7-samples';
import { outputsAsText, parseCsv, readAck, readPdf } from './outputs';

const RECEIVED = new Date('2026-12-03T09:24:58Z');
const ALL_FORMATS = ['text', 'csv', 'html', 'pdf'] as const;
const PRACTICE_SAMPLES = join(new URL('../../../..', import.meta.url).pathname, 'electron', 'practice', 'samples');

function submit(fileName: string, bytes: Buffer, importCode = 'PRAC01'): SubmissionOutcome {
  return processSubmission({ fileName, bytes, receivedAt: RECEIVED, importCode, formats: ALL_FORMATS });
}

/**
 * What must never reach an output: every name in PID-5, PID-6 and NK1-2 (last, first, middle), every
 * identifier in PID-3, every birth date (PID-7), street and phone number of the file. Words of the
 * registry's own wording that some test patient happens to be named (v14's patient is called
 * "Patient", one of AIRA's "Page", as the PDF's "Page 1 of 2", another "Test", as the model's row "Possible
 * Test Name") cannot be told from that wording, and are left out.
 */
const REGISTRY_WORDS = new Set(['Patient', 'Page', 'Test']);

function personalValues(read: Hl7Read): string[] {
  const values = new Set<string>();
  for (const message of read.messages) {
    for (const segment of message.segments) {
      const names = segment.name === 'PID' ? [5, 6] : segment.name === 'NK1' ? [2] : [];
      for (const field of names) {
        repetitions(segment, field).forEach((_, r) => {
          for (const component of [1, 2, 3]) values.add(value(segment, field, component, 1, r + 1).trim());
        });
      }
      if (segment.name === 'PID') {
        repetitions(segment, 3).forEach((_, r) => values.add(value(segment, 3, 1, 1, r + 1).trim()));
        values.add(value(segment, 7).trim());
        values.add(value(segment, 11, 1).trim());
        values.add(value(segment, 13, 7).trim());
      }
    }
  }
  return [...values].filter((v) => v.length >= 3 && !REGISTRY_WORDS.has(v) && /[A-Za-z0-9]/.test(v));
}

/** Whether a value stands in a text as a whole word (letters or digits on neither side). */
function standsIn(text: string, found: string): boolean {
  const escaped = found.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`).test(text);
}

function checkOutputs(fileName: string, bytes: Buffer, outcome: SubmissionOutcome, submitted: Hl7Read) {
  const messages = submitted.messages;

  // The ACK file: a batch of one ACK^V04 per message, each answering its message's MSH-10.
  expect(outcome.ack).not.toBeNull();
  const { read: ackRead, acks } = readAck(outcome.ack!.content);
  expect(ackRead.kind).toBe('hl7');
  expect(ackRead.problems).toEqual([]);
  expect(ackRead.fileHeaderCount).toBe(1);
  expect(ackRead.batchCount).toBe(1);
  expect(value(ackRead.batches[0]!.trailer!, 1)).toBe(String(messages.length));
  expect(acks).toHaveLength(messages.length);
  ackRead.messages.forEach((ack, i) => {
    expect(ack.type).toEqual({ code: 'ACK', event: 'V04', structure: 'ACK' });
    expect(acks[i]!.msaCount).toBe(1);
    expect(acks[i]!.msa2).toBe(messages[i]!.controlId);
    expect(['AA', 'AE', 'AR']).toContain(acks[i]!.msa1);
    for (const err of acks[i]!.errors) {
      expect(['E', 'W']).toContain(err.severity);
      expect(err.hl7Error).toMatch(/^\d+$/);
      expect(err.localCode).toMatch(/^(MQE|PRC)\d{3,4}$/);
      expect(err.text).toMatch(new RegExp(`\\(message ${i + 1}\\)$`));
    }
    // AA only without errors or warnings; AE has some.
    if (acks[i]!.msa1 === 'AA') expect(acks[i]!.errors).toEqual([]);
    if (acks[i]!.msa1 === 'AE') expect(acks[i]!.errors.length).toBeGreaterThan(0);
  });

  // Counts: the summary, the text report and the CSV agree with the file and the ACK.
  const summary = outcome.summary;
  expect(summary.messages).toBe(messages.length);
  expect(summary.accepted + summary.withWarnings + summary.rejected).toBe(messages.length);
  expect(summary.accepted).toBe(acks.filter((a) => a.msa1 === 'AA').length);
  expect(summary.rejected).toBe(acks.filter((a) => a.msa1 === 'AR' || a.errors.some((e) => e.severity === 'E')).length);
  const text = outcome.reports.find((r) => r.format === 'text')!.content.toString('utf8');
  expect(text).toMatch(new RegExp(`\\r\\nMessages +${messages.length.toLocaleString('en-US')}\\r\\n`));

  // Scores within 0-100.
  const scores = [...text.matchAll(/^(Overall|Completeness|Quality|Timeliness) +(\d+)  /gm)].map((m) => Number(m[2]));
  expect(scores).toHaveLength(4);
  for (const score of scores) expect(score).toBeGreaterThanOrEqual(0);
  for (const score of scores) expect(score).toBeLessThanOrEqual(100);

  // Every ERR of the ACK is a row of the CSV, at the same message and code.
  const csv = parseCsv(outcome.reports.find((r) => r.format === 'csv')!.content);
  expect(csv[0]).toEqual([...CSV_COLUMNS]);
  for (const row of csv) expect(row).toHaveLength(CSV_COLUMNS.length);
  const csvMessageRows = csv.slice(1).filter((row) => row[1] !== '' && row[4] !== 'I');
  expect(csvMessageRows.map((row) => `${row[1]} ${row[5]} ${row[7]}`)).toEqual(acks.flatMap((a, i) => a.errors.map((e) => `${i + 1} ${e.localCode} ${e.location}`)));

  // Formats are whole.
  const html = outcome.reports.find((r) => r.format === 'html')!.content.toString('utf8');
  expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  expect(html.trimEnd().endsWith('</html>')).toBe(true);
  expect(html).not.toMatch(/<script|\bsrc=|\bhref=|url\(/i);
  const pdf = readPdf(outcome.reports.find((r) => r.format === 'pdf')!.content);
  expect(pdf.pages).toBeGreaterThan(0);
  expect(pdf.text).toContain(`File            ${fileName}`);

  // No patient's name, identifier, birth date, street or phone in any output (MSH-10 and MSH-3
  // aside: the clinic chose them, to name each message and its sending application, and the ACK
  // answers with them; AIRA's test file D has a sending application and a test patient both "TEST").
  const values = personalValues(submitted);
  expect(values.length).toBeGreaterThan(0);
  const headerValues = messages.flatMap((m) => [m.controlId, value(m.segments[0]!, 3)]).filter((v) => v !== '');
  for (const output of outputsAsText(outcome)) {
    let scrubbed = output.text;
    for (const header of headerValues) scrubbed = scrubbed.split(header).join(' ');
    const words = new Set(scrubbed.split(/[^A-Za-z0-9]+/));
    const leaked = values.filter((v) => (/^[A-Za-z0-9]+$/.test(v) ? words.has(v) : scrubbed.includes(v) && standsIn(scrubbed, v)));
    expect(leaked, `${output.name} holds values from the patients' records`).toEqual([]);
  }
  void bytes;
}

describe('every real sample of ../shared/samples/hl7', () => {
  const samples = realHl7Samples();

  it('are all there', () => {
    expect(samples).toHaveLength(16);
  });

  it.each(samples.map((s) => [s.file, s] as const))('%s: one ACK per message answering its MSH-10, counts, scores, formats, no patient data', (_file, sample) => {
    const bytes = readFileSync(sample.path);
    const submitted = readHl7(bytes);
    const outcome = submit(sample.file, bytes);
    expect(outcome.accepted).toBe(true);
    expect(outcome.summary.messages).toBe(sample.messages);
    expect(outcome.reports.map((r) => r.format)).toEqual([...ALL_FORMATS]);
    expect(outcome.consent).not.toBeNull();
    checkOutputs(sample.file, bytes, outcome, submitted);
  });

  it('v05 (AIRA fatal issues): each of its twelve messages is rejected for the issue it was written with', () => {
    const sample = samples.find((s) => s.id === 'v05')!;
    const outcome = submit(sample.file, readFileSync(sample.path));
    const { acks } = readAck(outcome.ack!.content);
    const errors = acks.map((a) => a.errors.filter((e) => e.severity === 'E').map((e) => `${e.localCode} ${e.location}`));
    expect(errors).toEqual([
      ['MQE0220 PID^1^3^1^1', 'MQE0166 PID^1^5^1^1', 'MQE0141 PID^1^5^1^2', 'MQE0118 PID^1^7'],
      ['MQE0220 PID^1^3^1^1'],
      ['MQE0166 PID^1^5^1^1', 'MQE0141 PID^1^5^1^2'],
      ['MQE0118 PID^1^7'],
      ['MQE0117 PID^1^7'],
      ['MQE0115 PID^1^7', 'MQE0255 RXA^1^3', 'MQE0255 RXA^2^3'],
      ['PRC003 RXR^1'],
      ['MQE0261 RXA^1^3'],
      ['MQE0260 RXA^1^3'],
      ['MQE0252 RXA^1^3'],
      ['MQE0244 RXA^1^5^1^1'],
      ['MQE0243 RXA^1^5^1^1'],
    ]);
    expect(outcome.summary).toMatchObject({ messages: 12, accepted: 0, withWarnings: 0, rejected: 12 });
  });

  it('v04 (AIRA test file D): the messages it breaks on purpose are answered AR with the reason', () => {
    const sample = samples.find((s) => s.id === 'v04')!;
    const outcome = submit(sample.file, readFileSync(sample.path));
    const { acks } = readAck(outcome.ack!.content);
    const rejected = acks.filter((a) => a.msa1 === 'AR').flatMap((a) => a.errors.map((e) => `${e.hl7Error} ${e.localCode}`));
    expect(rejected.sort()).toEqual(['100 MQE0545', '100 MQE0545', '100 MQE0545', '200 PRC001', '201 PRC002', '203 MQE0039'].sort());
  });
});

describe('the sample files the app ships (electron/practice/samples)', () => {
  const read = (name: string) => readFileSync(join(PRACTICE_SAMPLES, name));

  it.each(readdirSync(PRACTICE_SAMPLES).filter((name) => name.endsWith('.HL7') && !name.includes('spreadsheet')))('%s: the same guarantees as the real samples', (name) => {
    const bytes = read(name);
    const outcome = submit(name, bytes);
    expect(outcome.accepted).toBe(true);
    checkOutputs(name, bytes, outcome, readHl7(bytes));
  });

  it('the data-quality sample: the future vaccination, the birth after the vaccination and the unknown code reject their messages; the good one is imported', () => {
    const outcome = submit('PRAC01_20261202_data_quality_problems.HL7', read('PRAC01_20261202_data_quality_problems.HL7'));
    const { acks } = readAck(outcome.ack!.content);
    const found = acks.map((a) => a.errors.filter((e) => e.localCode !== 'MQE0157').map((e) => `${e.severity} ${e.localCode} ${e.location}`));
    expect(found).toEqual([
      ['E MQE0252 RXA^1^3', 'W MQE0251 RXA^1^3'],
      ['E MQE0255 RXA^1^3'],
      ['E MQE0247 RXA^1^5^1^1', 'W MQE0339 RXA^1^15^1^1', 'W MQE0343 RXA^1^17^1^1'],
      [],
    ]);
    expect(acks[2]!.errors.find((e) => e.localCode === 'MQE0247')!.text).toBe('Vaccine code 9999 is not a CVX code the registry knows (message 3)');
    const consent = outcome.consent!.content.toString('utf8').split('\r\n').filter((line) => /^\d/.test(line));
    expect(consent).toEqual([
      '1|PRAC01-20261202-0001|NOT IMPORTED|nothing: the message was rejected (see the ACK file)',
      '2|PRAC01-20261202-0002|NOT IMPORTED|nothing: the message was rejected (see the ACK file)',
      '3|PRAC01-20261202-0003|NOT IMPORTED|nothing: the message was rejected (see the ACK file)',
      '4|PRAC01-20261202-0004|CONSENT ON FILE|the patient and the immunizations',
    ]);
  });

  it('the batch whose trailer miscounts: its messages are imported and the report names the count', () => {
    const outcome = submit('PRAC01_20261203_wrong_count.HL7', read('PRAC01_20261203_wrong_count.HL7'));
    expect(outcome.accepted).toBe(true);
    const text = outcome.reports[0]!.content.toString('utf8');
    expect(text).toMatch(/PRC103   The batch trailer \(line \d+\) says 5 messages; the batch holds 2/);
  });

  it('the batch whose name lacks the import code: read, and the report says what the name needs', () => {
    const outcome = submit('weekly_immunizations.HL7', read('weekly_immunizations.HL7'));
    expect(outcome.accepted).toBe(true);
    expect(outcome.reports[0]!.content.toString('utf8')).toContain('The file name does not contain the import code PRAC01');
  });

  it('the spreadsheet saved under an HL7 name: not accepted, no ACK, no consent file, and a report that says what it is', () => {
    const outcome = submit('PRAC01_20261204_spreadsheet_export.HL7', read('PRAC01_20261204_spreadsheet_export.HL7'));
    expect(outcome).toMatchObject({ accepted: false, ack: null, consent: null });
    const text = outcome.reports.find((r) => r.format === 'text')!.content.toString('utf8');
    expect(text).toContain('The file is not HL7: it looks like comma- or tab-separated text, as a spreadsheet saves it.');
    expect(text).not.toMatch(/PRC100001|patient_id|IPV/);
  });
});
