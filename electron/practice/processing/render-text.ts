// The DQA report as plain text, readable in Notepad: CR LF line ends, a header, the scores, the
// counts, then the issues in fixed-width columns. The same lines make the PDF's pages.
import { CHECKS, locationLabel } from './issues';
import type { DqaReport } from './report';
import { TIMELINESS_BUCKETS, scoreLabel } from './scoring';

export const REPORT_TITLE = 'PRACTICE REGISTRY - DATA QUALITY (DQA) REPORT';
export const PRACTICE_NOTE = 'This is the practice registry built into the app: nothing sent here reaches a real immunization registry.';

export function renderText(report: DqaReport): Buffer {
  return Buffer.from(reportLines(report).join('\r\n') + '\r\n', 'utf8');
}

/** A control ID as shown in a report: control characters replaced, so it cannot break a line or a table. */
export function displayId(id: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = id.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return clean === '' ? '(none)' : clean;
}

export function formatReceived(at: Date): string {
  return at.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

const number = (n: number) => n.toLocaleString('en-US');
const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));
const padLeft = (text: string, width: number) => (text.length >= width ? text : ' '.repeat(width - text.length) + text);
const cut = (text: string, width: number) => (text.length <= width ? text : `${text.slice(0, width - 3)}...`);
const heading = (text: string) => ['', text, '-'.repeat(text.length)];
/** A share as a whole percent; '<1%' rather than a 0% that would read as none. */
export const percentOf = (count: number, outOf: number) => {
  if (outOf <= 0) return '';
  const value = Math.round((100 * count) / outOf);
  return value === 0 && count > 0 ? '<1%' : `${value}%`;
};

export function reportLines(report: DqaReport): string[] {
  const lines: string[] = [REPORT_TITLE, '='.repeat(REPORT_TITLE.length), PRACTICE_NOTE, ''];
  const field = (label: string, value: string) => lines.push(`${pad(label, 16)}${value}`);
  field('File', report.fileName);
  field('Import code', report.importCode || '(none)');
  field('Received', formatReceived(report.receivedAt));
  field('Size', `${number(report.size)} bytes`);
  field('Result', report.outcome);

  if (report.notReadable) {
    lines.push(...heading('WHY THE FILE WAS NOT READ'), report.notReadable);
  }

  const { scores, counts } = report;
  if (scores && counts) {
    lines.push(...heading('SCORES (0-100, the ImmTrac model: completeness 50%, quality 40%, timeliness 10%)'));
    const scoreLine = (label: string, value: number, withLabel = true) => lines.push(`${pad(label, 34)}${padLeft(String(value), 4)}${withLabel ? `  ${scoreLabel(value)}` : ''}`);
    scoreLine('Overall', scores.overall);
    scoreLine('Completeness', scores.completeness);
    scoreLine('  Patient fields', scores.completenessPatient, false);
    scoreLine('  Vaccination fields', scores.completenessVaccination, false);
    scoreLine(`  Vaccine groups (${scores.vaccineGroupsPresent.length} of 10)`, scores.completenessVaccineGroups, false);
    scoreLine('Quality', scores.quality);
    scoreLine(`  Errors (${number(scores.errorCount)} found)`, scores.qualityErrors, false);
    scoreLine(`  Warnings (${number(scores.warningCount)} found)`, scores.qualityWarnings, false);
    scoreLine('Timeliness', scores.timeliness);
    for (const bucket of TIMELINESS_BUCKETS) lines.push(`  ${pad(bucket.label, 32)}${padLeft(number(scores.timelinessCounts[bucket.name]), 4)} message(s)`);
    if (scores.timelinessAverageDays !== null) lines.push(`  Average days from vaccination to receipt: ${scores.timelinessAverageDays.toFixed(1)}`);
    else lines.push('  No dose given here to time (timeliness counts messages with a dose given here).');

    lines.push(...heading('COUNTS'));
    const countLine = (label: string, value: number) => lines.push(`${pad(label, 36)}${padLeft(number(value), 6)}`);
    countLine('Messages', counts.messages);
    countLine('  accepted', counts.accepted);
    countLine('  accepted with warnings', counts.withWarnings);
    countLine('  rejected', counts.rejected);
    if (counts.notProcessed > 0) countLine('    of which could not be processed', counts.notProcessed);
    countLine('Patients', counts.patients);
    countLine('Next of kin', counts.nextOfKin);
    countLine('Vaccinations', counts.vaccinations);
    countLine('  administered (RXA-9 given here)', counts.administered);
    countLine('  historical (RXA-9)', counts.historical);
    countLine('  not administered (RXA-20, RXA-18)', counts.notAdministered);
    countLine('  deleted (RXA-21)', counts.deleted);
  }

  lines.push(...heading('ISSUES BY TYPE'));
  if (report.summary.length === 0) lines.push('No issues found.');
  else {
    lines.push(`${pad('Sev', 4)}${pad('Code', 9)}${padLeft('Count', 7)}${padLeft('Pct', 6)}  ${pad('Field', 10)}Issue`);
    for (const row of report.summary) {
      lines.push(`${pad(row.severity, 4)}${pad(row.code, 9)}${padLeft(number(row.count), 7)}${padLeft(percentOf(row.count, row.outOf), 6)}  ${pad(row.field, 10)}${row.text}`);
    }
    lines.push('Severity: E error (the message is rejected), W warning (accepted, please fix), I information (not counted).');
  }

  if (report.fileIssues.length > 0) {
    lines.push(...heading('THE FILE ITSELF'));
    for (const issue of report.fileIssues) lines.push(`${pad(CHECKS[issue.check].severity, 4)}${pad(CHECKS[issue.check].code, 9)}${issue.text}`);
  }

  if (report.messages.length > 0) {
    lines.push(...heading('MESSAGES AND THEIR ISSUES (by position in the file and MSH-10)'));
    lines.push(`${padLeft('Msg', 6)}  ${pad('Control ID (MSH-10)', 26)}${pad('ACK', 4)}${pad('Sev', 4)}${pad('Code', 9)}${pad('Location', 14)}Issue`);
    for (const message of report.messages) {
      const head = `${padLeft(String(message.position), 6)}  ${pad(cut(displayId(message.controlId), 24), 26)}${pad(message.ackCode, 4)}`;
      if (message.issues.length === 0) {
        lines.push(`${head}${pad('', 4)}${pad('', 9)}${pad('', 14)}accepted, no issues`);
        continue;
      }
      message.issues.forEach((issue, i) => {
        const check = CHECKS[issue.check];
        const lead = i === 0 ? head : ' '.repeat(head.length);
        lines.push(`${lead}${pad(check.severity, 4)}${pad(check.code, 9)}${pad(locationLabel(issue.location), 14)}${issue.text}`);
      });
    }
  }

  if (scores) {
    lines.push(...heading('COMPLETENESS DETAILS (the ImmTrac model, row by row)'));
    lines.push(`${pad('Row', 40)}${pad('Field', 14)}${padLeft('Have', 8)}${padLeft('Of', 8)}${padLeft('Weight', 8)}`);
    let section = '';
    for (const row of scores.rows) {
      const name = `${row.group === 'patient' ? 'Patient' : 'Vaccination'} ${row.section}`;
      if (name !== section) {
        lines.push(name);
        section = name;
      }
      const label = `${row.sub ? '    ' : '  '}${row.label}`;
      lines.push(`${pad(label, 40)}${pad(row.field, 14)}${padLeft(number(row.count), 8)}${padLeft(number(row.denominator), 8)}${padLeft(String(row.weight), 8)}`);
    }
    lines.push(...heading('HOW THE SCORES ARE COMPUTED'));
    lines.push(
      'Completeness: for each field of the model, the share of patients or vaccinations that have it, weighed as',
      'the model weighs it (negative weights are demerits: the share with the problem). Patient fields and',
      'vaccination fields count 40% each; vaccine groups 20% (the share of the ten expected groups given at',
      'least once, at two thirds of that part, as the model weighs its expected groups).',
      'Quality: errors score 0 at 3% of messages plus vaccinations, warnings at 30%; errors weigh 70%.',
      'Timeliness: per message with a dose given here, days from the vaccination to the file\'s receipt:',
      'under 2 days 100, under 7 days 90, under 30 days 70, under 60 days 50, later 0.',
    );
  }
  return lines;
}
