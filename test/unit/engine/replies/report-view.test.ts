// The viewer's kinds and the scores, on the practice registry's own reports (every format it writes),
// the real samples in ../shared/samples/ (read at run time) and files made here for the edge cases.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CSV_ROWS_KEPT, REPORT_SIZE_LIMIT, reportKind, reportView } from '../../../../electron/engine/replies/report-view';
import { htmlToText, reportScores, scoresInJson, scoresInText } from '../../../../electron/engine/replies/scores';
import { processSubmission } from '../../../../electron/practice/processing';
import { SAMPLES_DIR } from '../../../support/real-hl7-samples';

const sample = (folder: string, prefix: string) => {
  const file = readdirSync(join(SAMPLES_DIR, folder)).find((f) => f.startsWith(prefix))!;
  return { file, bytes: readFileSync(join(SAMPLES_DIR, folder, file)) };
};
const PRACTICE_SAMPLES = new URL('../../../../electron/practice/samples/', import.meta.url).pathname;

function practice(file: string) {
  return processSubmission({
    fileName: file,
    bytes: readFileSync(join(PRACTICE_SAMPLES, file)),
    receivedAt: new Date('2026-12-05T12:00:00Z'),
    importCode: 'PRAC01',
    formats: ['text', 'csv', 'html', 'pdf'],
  });
}

/** The scores the practice registry's text report prints, read from its lines as a person would. */
function printedScores(text: string) {
  const at = (label: string) => Number(new RegExp(`^${label} +(\\d+)`, 'm').exec(text)![1]);
  return { overall: at('Overall'), completeness: at('Completeness'), quality: at('Quality'), timeliness: at('Timeliness') };
}

describe("the practice registry's replies", () => {
  for (const file of ['PRAC01_20261201_weekly.HL7', 'PRAC01_20261202_data_quality_problems.HL7']) {
    it(`${file}: each format opens as its kind, and text and HTML give the scores the report prints`, () => {
      const outcome = practice(file);
      const byFormat = Object.fromEntries(outcome.reports.map((r) => [r.format, r]));
      const text = byFormat.text!;
      const printed = printedScores(text.content.toString('utf8'));

      const textView = reportView(text.fileName, text.content);
      expect(textView.kind).toBe('text');
      expect(reportScores(textView)).toEqual(printed);

      const htmlView = reportView(byFormat.html!.fileName, byFormat.html!.content);
      expect(htmlView.kind).toBe('html');
      expect(reportScores(htmlView)).toEqual(printed);

      const csvView = reportView(byFormat.csv!.fileName, byFormat.csv!.content);
      expect(csvView.kind).toBe('csv');
      if (csvView.kind !== 'csv') throw new Error('csv');
      expect(csvView.header[0]).toBe('file'); // the byte order mark is not part of the first name
      expect(csvView.truncated).toBe(false);
      // The practice CSV lists issues, not scores: none are made up.
      expect(reportScores(csvView)).toBeNull();

      const pdfView = reportView(byFormat.pdf!.fileName, byFormat.pdf!.content);
      expect(pdfView.kind).toBe('pdf');
      if (pdfView.kind !== 'pdf') throw new Error('pdf');
      expect(Buffer.from(pdfView.base64, 'base64').equals(byFormat.pdf!.content)).toBe(true);

      const ackView = reportView(outcome.ack!.fileName, outcome.ack!.content);
      expect(ackView.kind).toBe('ack');
      if (ackView.kind === 'ack') expect(ackView.ack.totals.messages).toBe(outcome.summary.messages);
      expect(reportScores(ackView)).toBeNull();

      const consent = reportView(outcome.consent!.fileName, outcome.consent!.content);
      expect(consent.kind).not.toBe('ack');
    });
  }
});

describe('real samples', () => {
  it('every ACK sample opens as an ACK but a05 (the CDC guide\'s text with examples), which opens as text', () => {
    for (const id of ['a01', 'a02', 'a03', 'a04', 'a06']) {
      const { file, bytes } = sample('acks', id);
      expect(reportKind(file, bytes)).toBe('ack');
    }
    const { file, bytes } = sample('acks', 'a05');
    const view = reportView(file, bytes);
    expect(view.kind).toBe('text');
    if (view.kind === 'text') expect(view.text).toContain('MSA|AR|9299381');
  });

  it('a VXU batch named .hl7 opens as text, not as an ACK', () => {
    const hl7 = join(SAMPLES_DIR, 'hl7');
    const file = readdirSync(hl7).find((f) => f.startsWith('v06'))!;
    expect(reportKind(file, readFileSync(join(hl7, file)))).toBe('text');
  });

  it("d02, an MQE report (JSON), opens as text and carries no 0-100 scores: none are made up", () => {
    const { file, bytes } = sample('dqa', 'd02');
    const view = reportView(file, bytes);
    expect(view.kind).toBe('text');
    expect(reportScores(view)).toBeNull();
  });

  it('d03 (scores out of 1,000) and d04 (the MQE codes, CSV) carry no 0-100 scores', () => {
    const d03 = sample('dqa', 'd03');
    expect(reportScores(reportView(d03.file, d03.bytes))).toBeNull();
    const d04 = sample('dqa', 'd04');
    const view = reportView(d04.file, d04.bytes);
    expect(view.kind).toBe('csv');
    if (view.kind === 'csv') {
      expect(view.header).toEqual(['mqe_code', 'severity', 'message', 'hl7_location', 'detection']);
      expect(view.rows.length).toBeGreaterThan(600);
    }
    expect(reportScores(view)).toBeNull();
  });
});

describe('scores in other shapes', () => {
  it('text lines with a colon, a percent or "/100"; a mention inside a sentence is not a score', () => {
    expect(scoresInText('Completeness score: 86%\r\nQuality = 90/100\nThe model weighs completeness 50%\nTimeliness 70 points\n')).toEqual({ completeness: 86, quality: 90, timeliness: 70, overall: null });
    expect(scoresInText('SCORES (completeness 50%, quality 40%)\nMessages 120\n')).toBeNull();
    expect(scoresInText('Quality 250\n')).toBeNull();
  });

  it('JSON keys anywhere in the document', () => {
    expect(scoresInJson('{"report":{"scores":{"completenessScore":81,"quality":77.5,"timeliness":100,"overall":84}}}')).toEqual({ completeness: 81, quality: 77.5, timeliness: 100, overall: 84 });
    expect(scoresInJson('{"numberOfMessage": 10}')).toBeNull();
  });

  it('CSV by column or by row', () => {
    const byColumn = reportView('r.csv', Buffer.from('file,completeness,quality,timeliness,overall\r\nx.hl7,80,70,60,75\r\n'));
    expect(reportScores(byColumn)).toEqual({ completeness: 80, quality: 70, timeliness: 60, overall: 75 });
    const byRow = reportView('r.csv', Buffer.from('score,value\nCompleteness,81\nQuality,72%\n'));
    expect(reportScores(byRow)).toEqual({ completeness: 81, quality: 72, timeliness: null, overall: null });
  });

  it('HTML cells read as a line', () => {
    expect(htmlToText('<table><tr><td>Overall</td><td class="n score">84</td></tr></table>')).toContain('Overall 84');
  });
});

describe('kinds and limits', () => {
  it('CSV: quoted commas, quotes and line breaks, a byte order mark, and a cap on rows', () => {
    const view = reportView('issues.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\r\n"x, y","line one\nline two"\r\n"say ""hi""",2\r\n')]));
    expect(view).toEqual({ kind: 'csv', header: ['a', 'b'], rows: [['x, y', 'line one\nline two'], ['say "hi"', '2']], truncated: false });
    const many = 'n\n' + Array.from({ length: CSV_ROWS_KEPT + 5 }, (_, i) => String(i)).join('\n');
    const big = reportView('many.csv', Buffer.from(many));
    expect(big.kind === 'csv' && big.rows.length === CSV_ROWS_KEPT && big.truncated).toBe(true);
  });

  it('HTML by name or by its start; it is passed on as text, never run', () => {
    const html = '<!DOCTYPE html><html><body><script>alert(1)</script><img src="https://example.org/x.png"></body></html>';
    expect(reportView('r.htm', Buffer.from(html))).toEqual({ kind: 'html', html });
    expect(reportView('report.txt', Buffer.from(html)).kind).toBe('html');
  });

  it('PDF by its magic bytes whatever the name', () => {
    expect(reportKind('REPORT.dat', Buffer.from('%PDF-1.4\n%...'))).toBe('pdf');
  });

  it('text as UTF-8, or as Windows-1252 when not valid UTF-8', () => {
    expect(reportView('a.txt', Buffer.from('Nuñez – ok', 'utf8'))).toEqual({ kind: 'text', text: 'Nuñez – ok' });
    expect(reportView('a.txt', Buffer.from([0x4e, 0x75, 0xf1, 0x65, 0x7a, 0x20, 0x96, 0x20, 0x80]))).toEqual({ kind: 'text', text: 'Nuñez – €' });
  });

  it('binary data and files over the size limit are refused in plain words', () => {
    expect(() => reportView('x.txt', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]))).toThrow(/not a report the viewer can show/);
    expect(() => reportView('big.txt', Buffer.alloc(REPORT_SIZE_LIMIT + 1, 0x41))).toThrow(/larger than the 64 MB the viewer opens/);
  });
});
