// The DQA report as CSV: one row per issue (the file's own issues first, then each message's), with
// a header row; RFC 4180 quoting, CR LF line ends, and a UTF-8 byte order mark so that Excel reads it
// as UTF-8. A cell that a spreadsheet would run as a formula (a submitted MSH-10 starting with =, +,
// @ or -) is prefixed with an apostrophe.
import { APPLICATION_ERROR_TEXT, CHECKS, HL7_ERROR_TEXT, erlText, locationLabel } from './issues';
import type { DqaReport } from './report';

export const CSV_COLUMNS = [
  'file',
  'message',
  'control_id',
  'ack_code',
  'severity',
  'code',
  'hl7_location',
  'erl',
  'field',
  'hl7_error_code',
  'hl7_error',
  'application_error_code',
  'application_error',
  'description',
] as const;

export function renderCsv(report: DqaReport): Buffer {
  const rows: string[][] = [[...CSV_COLUMNS]];
  for (const issue of report.fileIssues) {
    const check = CHECKS[issue.check];
    rows.push([
      report.fileName,
      '',
      '',
      '',
      check.severity,
      check.code,
      issue.line ? `line ${issue.line}` : 'file',
      '',
      check.field,
      // The HL7 error tables answer messages; the file itself has no code in them.
      '',
      '',
      '',
      '',
      issue.text,
    ]);
  }
  for (const message of report.messages) {
    for (const issue of message.issues) {
      const check = CHECKS[issue.check];
      rows.push([
        report.fileName,
        String(message.position),
        message.controlId,
        message.ackCode,
        check.severity,
        check.code,
        locationLabel(issue.location),
        issue.location ? erlText(issue.location) : '',
        check.field,
        String(check.hl7Error),
        HL7_ERROR_TEXT[check.hl7Error] ?? '',
        check.applicationError === null ? '' : String(check.applicationError),
        check.applicationError === null ? '' : (APPLICATION_ERROR_TEXT[check.applicationError] ?? ''),
        issue.text,
      ]);
    }
  }
  return Buffer.from('\ufeff' + rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n', 'utf8');
}

function csvCell(value: string): string {
  // eslint-disable-next-line no-control-regex
  let text = value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '?');
  if (/^[=+@\t\r]/.test(text) || /^-[^\d.]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
