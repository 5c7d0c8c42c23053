// The DQA report as one complete HTML document: inline CSS only, no script, no external reference
// (no link, image or font to fetch), and a Content-Security-Policy that forbids them, so the app's
// viewer (or any browser) shows it without running or fetching anything. Everything from the file is
// escaped.
import { CHECKS, erlText, locationLabel } from './issues';
import type { DqaReport } from './report';
import { TIMELINESS_BUCKETS, scoreLabel } from './scoring';
import { PRACTICE_NOTE, displayId, formatReceived, percentOf } from './render-text';

const STYLE = `
body { font-family: Segoe UI, Helvetica, Arial, sans-serif; color: #1d2733; margin: 2em; line-height: 1.4; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #c9d2dc; padding-bottom: 0.2em; }
.practice { background: #fff4d6; border: 1px solid #e0c060; padding: 0.5em 0.8em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #c9d2dc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.id { white-space: nowrap; }
.score { font-size: 1.3em; font-weight: bold; }
.E { color: #a4161a; font-weight: bold; }
.W { color: #8a5a00; font-weight: bold; }
.I { color: #3a5a80; }
.Excellent, .Good { color: #1b6e3a; }
.Okay { color: #8a5a00; }
.Poor, .Problem { color: #a4161a; }
.sub td:first-child { padding-left: 2em; }
.reason { background: #fde8e8; border: 1px solid #e4a0a0; padding: 0.6em 0.8em; }
`;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const number = (n: number) => n.toLocaleString('en-US');

export function renderHtml(report: DqaReport): Buffer {
  const out: string[] = [];
  out.push(
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>Data quality report: ${escape(report.fileName)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<h1>Data quality (DQA) report</h1>',
    `<p class="practice">${escape(PRACTICE_NOTE)}</p>`,
    '<table>',
    row('File', escape(report.fileName)),
    row('Import code', escape(report.importCode || '(none)')),
    row('Received', escape(formatReceived(report.receivedAt))),
    row('Size', `${number(report.size)} bytes`),
    row('Result', escape(report.outcome)),
    '</table>',
  );
  if (report.notReadable) out.push('<h2>Why the file was not read</h2>', `<p class="reason">${escape(report.notReadable)}</p>`);

  const { scores, counts } = report;
  if (scores && counts) {
    out.push('<h2>Scores (0-100)</h2>', '<p>The ImmTrac scoring model: completeness 50%, quality 40%, timeliness 10%.</p>', '<table>', '<tr><th>Score</th><th>Value</th><th></th></tr>');
    const scoreRow = (label: string, value: number, sub = false) =>
      out.push(`<tr${sub ? ' class="sub"' : ''}><td>${escape(label)}</td><td class="n${sub ? '' : ' score'}">${value}</td><td>${sub ? '' : `<span class="${scoreLabel(value)}">${scoreLabel(value)}</span>`}</td></tr>`);
    scoreRow('Overall', scores.overall);
    scoreRow('Completeness', scores.completeness);
    scoreRow('Patient fields', scores.completenessPatient, true);
    scoreRow('Vaccination fields', scores.completenessVaccination, true);
    scoreRow(`Vaccine groups (${scores.vaccineGroupsPresent.length} of 10)`, scores.completenessVaccineGroups, true);
    scoreRow('Quality', scores.quality);
    scoreRow(`Errors (${number(scores.errorCount)} found)`, scores.qualityErrors, true);
    scoreRow(`Warnings (${number(scores.warningCount)} found)`, scores.qualityWarnings, true);
    scoreRow('Timeliness', scores.timeliness);
    out.push('</table>');
    out.push('<table>', '<tr><th>Timeliness: days from vaccination to receipt</th><th>Messages</th></tr>');
    for (const bucket of TIMELINESS_BUCKETS) out.push(`<tr><td>${escape(bucket.label)}</td><td class="n">${number(scores.timelinessCounts[bucket.name])}</td></tr>`);
    out.push('</table>');
    if (scores.timelinessAverageDays !== null) out.push(`<p>Average days from vaccination to receipt: ${scores.timelinessAverageDays.toFixed(1)}</p>`);

    out.push('<h2>Counts</h2>', '<table>');
    const countRow = (label: string, value: number, sub = false) => out.push(`<tr${sub ? ' class="sub"' : ''}><td>${escape(label)}</td><td class="n">${number(value)}</td></tr>`);
    countRow('Messages', counts.messages);
    countRow('accepted', counts.accepted, true);
    countRow('accepted with warnings', counts.withWarnings, true);
    countRow('rejected', counts.rejected, true);
    if (counts.notProcessed > 0) countRow('of which could not be processed', counts.notProcessed, true);
    countRow('Patients', counts.patients);
    countRow('Next of kin', counts.nextOfKin);
    countRow('Vaccinations', counts.vaccinations);
    countRow('administered (RXA-9 given here)', counts.administered, true);
    countRow('historical (RXA-9)', counts.historical, true);
    countRow('not administered (RXA-20, RXA-18)', counts.notAdministered, true);
    countRow('deleted (RXA-21)', counts.deleted, true);
    out.push('</table>');
  }

  out.push('<h2>Issues by type</h2>');
  if (report.summary.length === 0) out.push('<p>No issues found.</p>');
  else {
    out.push('<table>', '<tr><th>Severity</th><th>Code</th><th>Count</th><th>Percent</th><th>Field</th><th>Issue</th></tr>');
    for (const s of report.summary) {
      const pct = s.outOf > 0 ? `${percentOf(s.count, s.outOf)} of ${s.outOfLabel}` : '';
      out.push(`<tr><td class="${s.severity}">${s.severity}</td><td>${escape(s.code)}</td><td class="n">${number(s.count)}</td><td class="n">${escape(pct)}</td><td>${escape(s.field)}</td><td>${escape(s.text)}</td></tr>`);
    }
    out.push('</table>', '<p>Severity: <span class="E">E</span> error (the message is rejected), <span class="W">W</span> warning (accepted, please fix), <span class="I">I</span> information (not counted).</p>');
  }

  if (report.fileIssues.length > 0) {
    out.push('<h2>The file itself</h2>', '<table>', '<tr><th>Severity</th><th>Code</th><th>Where</th><th>Issue</th></tr>');
    for (const issue of report.fileIssues) {
      const check = CHECKS[issue.check];
      out.push(`<tr><td class="${check.severity}">${check.severity}</td><td>${escape(check.code)}</td><td>${issue.line ? `line ${issue.line}` : 'file'}</td><td>${escape(issue.text)}</td></tr>`);
    }
    out.push('</table>');
  }

  if (report.messages.length > 0) {
    out.push('<h2>Messages and their issues</h2>', '<p>Each message by its position in the file and its control ID (MSH-10).</p>', '<table>');
    out.push('<tr><th>Message</th><th>Control ID</th><th>ACK</th><th>Severity</th><th>Code</th><th>Location</th><th>ERR-2</th><th>Issue</th></tr>');
    for (const message of report.messages) {
      const lead = `<td class="n">${message.position}</td><td class="id">${escape(displayId(message.controlId))}</td><td>${message.ackCode}</td>`;
      if (message.issues.length === 0) {
        out.push(`<tr>${lead}<td></td><td></td><td></td><td></td><td>accepted, no issues</td></tr>`);
        continue;
      }
      for (const issue of message.issues) {
        const check = CHECKS[issue.check];
        out.push(
          `<tr>${lead}<td class="${check.severity}">${check.severity}</td><td>${escape(check.code)}</td><td>${escape(locationLabel(issue.location))}</td><td>${escape(issue.location ? erlText(issue.location) : '')}</td><td>${escape(issue.text)}</td></tr>`,
        );
      }
    }
    out.push('</table>');
  }

  if (scores) {
    out.push('<h2>Completeness details</h2>', '<table>', '<tr><th>Row</th><th>Field</th><th>Have</th><th>Of</th><th>Weight</th></tr>');
    let section = '';
    for (const r of scores.rows) {
      const name = `${r.group === 'patient' ? 'Patient' : 'Vaccination'} ${r.section}`;
      if (name !== section) {
        out.push(`<tr><th colspan="5">${escape(name)}</th></tr>`);
        section = name;
      }
      out.push(`<tr${r.sub ? ' class="sub"' : ''}><td>${escape(r.label)}</td><td>${escape(r.field)}</td><td class="n">${number(r.count)}</td><td class="n">${number(r.denominator)}</td><td class="n">${r.weight}</td></tr>`);
    }
    out.push('</table>');
  }
  out.push('</body>', '</html>', '');
  return Buffer.from(out.join('\n'), 'utf8');
}

function row(label: string, value: string): string {
  return `<tr><th>${escape(label)}</th><td>${value}</td></tr>`;
}
