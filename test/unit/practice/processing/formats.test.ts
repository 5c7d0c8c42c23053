// The practice registry's outputs (issue 13, item 3), each format whole and safe whatever the
// submitted file holds: text for Notepad, CSV with one row per issue under its header, HTML without
// script or external reference, a PDF a reader can walk; a file that is not HL7 gets a report that
// says why and nothing else; the files are named after the batch.
import { describe, expect, it } from 'vitest';
import { DEFAULT_REPORT_FORMATS, outputNames, processSubmission, type SubmissionOutcome } from '../../../../electron/practice/processing';
import { CSV_COLUMNS } from '../../../../electron/practice/processing/render-csv';
import { parseCsv, readPdf } from './outputs';

const RECEIVED = new Date('2026-12-03T09:24:58Z');

const message = (controlId: string, extra: string[] = []) => [
  `MSH|^~\\&|TESTEHR|TEST CLINIC|IIS|STATE|20261201083000-0600||VXU^V04^VXU_V04|${controlId}|P|2.5.1|||ER|AL|||||Z22^CDCPHINVS`,
  'PID|1||PAT0001^^^CLINIC^MR||ZZLASTNAME^ZZFIRSTNAME^^^^^L||19800612|F',
  'ORC|RE||ORD0001^CLINIC',
  'RXA|0|1|20261125|20261125|10^IPV^CVX|0.5|mL^milliliters^UCUM||00^New immunization record^NIP001||||||X1234AB|20271231|PMC^Sanofi Pasteur^MVX|||CP|A',
  ...extra,
];

function submit(fileName: string, bytes: Buffer | string, formats = ['text', 'csv', 'html', 'pdf'] as const): SubmissionOutcome {
  return processSubmission({ fileName, bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes, receivedAt: RECEIVED, importCode: 'PRAC01', formats });
}
const report = (outcome: SubmissionOutcome, format: string) => outcome.reports.find((r) => r.format === format)!.content;

/** Control IDs a clinic's system could send, each a trap for one format. */
const HOSTILE_IDS = ['<script>alert(1)</script>', '=HYPERLINK("http://example.invalid")', 'a,"b"', '(paren) \\ back', 'caf\u00e9 \u2013 \u4e2d'];
const hostileBatch = HOSTILE_IDS.map((id, i) => message(id.replace(/\\/g, '\\E\\'), i === 0 ? [] : ['RXR|ZZ^^HL70162'])).flat().join('\r') + '\r';

describe('text', () => {
  it('for Notepad: CR LF line ends only, a header, the scores, the counts and the issues in columns', () => {
    const text = report(submit('PRAC01_x.HL7', hostileBatch), 'text').toString('utf8');
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = text.split('\r\n');
    expect(lines.slice(0, 2)).toEqual(['PRACTICE REGISTRY - DATA QUALITY (DQA) REPORT', '=============================================']);
    expect(lines).toContain('File            PRAC01_x.HL7');
    expect(lines).toContain('Received        2026-12-03 09:24:58 UTC');
    for (const heading of ['SCORES (0-100, the ImmTrac model: completeness 50%, quality 40%, timeliness 10%)', 'COUNTS', 'ISSUES BY TYPE', 'MESSAGES AND THEIR ISSUES (by position in the file and MSH-10)', 'COMPLETENESS DETAILS (the ImmTrac model, row by row)']) {
      expect(lines).toContain(heading);
    }
    // Four of the five doses given have a route that is no code.
    expect(lines).toContain('W   MQE0278        4   80%  RXR-1     Route is not a code of HL7 table 0162 or its NCIT equivalents');
    expect(lines).toContain('     1  <script>alert(1)</scr...  AA                             accepted, no issues');
    expect(lines).toContain('     2  =HYPERLINK("http://ex...  AE  W   MQE0278  RXR[1]-1.1    Route is not a code of HL7 table 0162 or its NCIT equivalents');
  });
});

describe('CSV', () => {
  it('one row per issue under a header row, every row with the header\'s columns, formulas defused', () => {
    const outcome = submit('PRAC01_x.HL7', hostileBatch);
    const rows = parseCsv(report(outcome, 'csv'));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
    const issues = rows.slice(1);
    // The file name lacks nothing; four routes are wrong; the first message has no RXR.
    expect(issues.map((row) => `${row[1]}|${row[2]}|${row[5]}|${row[7]}`)).toEqual([
      `2|'=HYPERLINK("http://example.invalid")|MQE0278|RXR^1^1^1^1`,
      '3|a,"b"|MQE0278|RXR^1^1^1^1',
      '4|(paren) \\ back|MQE0278|RXR^1^1^1^1',
      '5|caf\u00e9 \u2013 \u4e2d|MQE0278|RXR^1^1^1^1',
    ]);
    expect(report(outcome, 'csv').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });
});

describe('HTML', () => {
  it('a complete document with inline CSS, a CSP, no script and no external reference; submitted text escaped', () => {
    const html = report(submit('PRAC01_<b>.HL7', hostileBatch), 'html').toString('utf8');
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')).toBe(true);
    expect(html.trimEnd().endsWith('</body>\n</html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|@import/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('PRAC01_&lt;b&gt;.HL7');
    expect(html).not.toContain('PRAC01_<b>');
    // Tags balance: as many openings as closings of each table part.
    for (const tag of ['table', 'tr', 'td', 'th', 'h2', 'p']) {
      expect((html.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length, tag).toBe((html.match(new RegExp(`</${tag}>`, 'g')) ?? []).length);
    }
  });
});

describe('PDF', () => {
  it('starts with %PDF-, has an xref whose offsets find each object, ends with %%EOF, and its text can be found', () => {
    const pdf = report(submit('PRAC01_x.HL7', hostileBatch), 'pdf');
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const latin = pdf.toString('latin1');
    expect(latin).toContain('\nxref\n0 ');
    expect(latin.endsWith('%%EOF\n')).toBe(true);
    const { pages, text } = readPdf(pdf);
    expect(pages).toBe(2);
    expect(text).toContain('Data quality report: PRAC01_x.HL7');
    expect(text).toContain('Page 1 of 2');
    expect(text).toContain('(paren) \\ back');
    // Characters outside WinAnsiEncoding become '?'; Latin-1 and the en dash stay.
    expect(latin).toContain('caf\u00e9 \u0096 ?');
    expect(latin).toContain('/BaseFont /Courier /Encoding /WinAnsiEncoding');
  });

  it('a large batch runs to many pages, each numbered', () => {
    const big = Array.from({ length: 300 }, (_, i) => message(`BIG-${i + 1}`, ['RXR|ZZ^^HL70162'])).flat().join('\r');
    const { pages, text } = readPdf(report(submit('PRAC01_big.HL7', big), 'pdf'));
    expect(pages).toBeGreaterThan(5);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    expect(text).toContain('BIG-300');
  });
});

describe('a file that is not HL7', () => {
  it.each([
    ['an empty file', Buffer.alloc(0), 'The file is empty (0 bytes): there is nothing in it for the registry to read.'],
    ['blank lines', Buffer.from('\r\n\r\n\n'), 'The file holds only blank lines: there is no HL7 message in it.'],
    ['a spreadsheet export', Buffer.from('patient_id,vaccine,date\r\nPRC100001,IPV,2026-11-25\r\n'), 'The file is not HL7: it looks like comma- or tab-separated text, as a spreadsheet saves it.'],
    ['a PDF', Buffer.from('%PDF-1.7\n%\u00e2\u00e3\n1 0 obj', 'latin1'), 'The file is not HL7: it looks like a PDF document.'],
    ['a Word document', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]), 'The file is not HL7: it looks like a ZIP archive (Word .docx and Excel .xlsx files are ZIP archives).'],
    ['UTF-16 text', Buffer.from('\ufeffMSH|^~\\&|', 'utf16le'), 'The file is not HL7: it looks like UTF-16 text (HL7 files are one byte per character: save it as ANSI or UTF-8).'],
    ['an XML document', Buffer.from('<?xml version="1.0"?><ClinicalDocument/>'), 'The file is not HL7: it looks like an XML or HTML document.'],
    ['headers and no message', Buffer.from('FHS|^~\\&|A\rBHS|^~\\&|A\rBTS|0\rFTS|1\r'), 'The file has HL7 file or batch headers but no message (MSH segment): there is nothing in it for the registry to process.'],
  ])('%s: not accepted, no ACK, no consent file, and every report says why', (_what, bytes, reason) => {
    const outcome = submit('PRAC01_bad.HL7', bytes);
    expect(outcome).toMatchObject({ accepted: false, ack: null, consent: null });
    expect(outcome.summary.outcome).toBe('Not accepted: the registry could not read the file as HL7. No acknowledgement or consent file was written.');
    const text = report(outcome, 'text').toString('utf8');
    expect(text).toContain(`WHY THE FILE WAS NOT READ\r\n-------------------------\r\n${reason}`);
    expect(text).not.toContain('SCORES');
    expect(report(outcome, 'html').toString('utf8')).toContain(`<p class="reason">${reason.replace(/"/g, '&quot;').replace(/'/g, '&#39;')}`);
    const rows = parseCsv(report(outcome, 'csv'));
    expect(rows.slice(1).map((row) => [row[4], row[5], row[9], row[13]!.slice(0, reason.length)])).toEqual([['E', 'PRC100', '', reason]]);
    expect(readPdf(report(outcome, 'pdf')).text).toContain(reason.slice(0, 60));
  });

  it('quotes nothing of the file', () => {
    const outcome = submit('PRAC01_bad.HL7', 'ZZLASTNAME,ZZFIRSTNAME,20240612\r\n');
    for (const r of outcome.reports) expect(r.content.toString('latin1')).not.toMatch(/ZZLASTNAME|ZZFIRSTNAME|20240612/);
  });
});

describe('names and formats', () => {
  it('outputs are named after the batch, its extension dropped', () => {
    const names = outputNames('PRAC01_20261201_weekly.HL7');
    expect([names.ack, names.report('text'), names.report('csv'), names.report('html'), names.report('pdf'), names.consent]).toEqual([
      'PRAC01_20261201_weekly_ACK.hl7',
      'PRAC01_20261201_weekly_DQA.txt',
      'PRAC01_20261201_weekly_DQA.csv',
      'PRAC01_20261201_weekly_DQA.html',
      'PRAC01_20261201_weekly_DQA.pdf',
      'PRAC01_20261201_weekly.CNF',
    ]);
    expect(outputNames('PRAC01.batch.hl7').ack).toBe('PRAC01.batch_ACK.hl7');
    expect(outputNames('PRAC01_no_extension').consent).toBe('PRAC01_no_extension.CNF');
    expect(outputNames('../x:y|z.HL7').ack).toBe('x_y_z_ACK.hl7');
    expect(outputNames('.HL7').ack).toBe('HL7_ACK.hl7');
    expect(outputNames('...').ack).toBe('submission_ACK.hl7');
  });

  it('only the formats asked for, once each; text and HTML when a profile says nothing', () => {
    expect(DEFAULT_REPORT_FORMATS).toEqual(['text', 'html']);
    const outcome = processSubmission({ fileName: 'PRAC01_y.HL7', bytes: Buffer.from(message('A').join('\r')), receivedAt: RECEIVED, importCode: 'PRAC01', formats: ['html', 'text', 'html'] });
    expect(outcome.reports.map((r) => [r.format, r.fileName])).toEqual([
      ['html', 'PRAC01_y_DQA.html'],
      ['text', 'PRAC01_y_DQA.txt'],
    ]);
  });

  it('the same bytes at the same time give the same files (nothing depends on the clock or the machine)', () => {
    const a = submit('PRAC01_x.HL7', hostileBatch);
    const b = submit('PRAC01_x.HL7', hostileBatch);
    expect(b.ack!.content.equals(a.ack!.content)).toBe(true);
    a.reports.forEach((r, i) => expect(b.reports[i]!.content.equals(r.content), r.format).toBe(true));
  });
});
