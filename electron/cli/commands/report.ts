// `registry-transfer report FOLDER NAME`: one of the registry's files shown in the terminal, read
// into memory only, through the same engine operation the window's viewer uses (openReport): a text
// report as it is, an ACK file decoded, a CSV as aligned columns, an HTML report as its text (tags
// taken out, a table row to a line: a terminal cannot show a page, and the words are what a script
// or a person reads), a PDF refused with a hint to download it. `--json` prints the engine's
// OpenedReport as it is (a PDF's bytes as base64). Every line goes through Output, which shows any
// control character in a report escaped.
import type { AckError, AckSummary, FolderRole, OpenedReport, ReportScores } from '../../../shared/contract';
import { checkPlainName, openReport } from '../../engine/replies/open-report';
import { htmlToText } from '../../engine/replies/scores';
import type { CommandOptions } from '../args';
import { CliError, toCliError, usageError } from '../errors';
import { EXIT, fileExitCode, type ExitCode } from '../exit-codes';
import { formatModified, formatSize, table, type CliIo, type Output } from '../output';
import { chooseRegistry, signInForRun } from '../session';
import { selectFolders } from './list';

const OUTCOME_WORDS: Record<AckSummary['messages'][number]['outcome'], string> = {
  accepted: 'accepted',
  errors: 'accepted with errors',
  rejected: 'rejected',
  unknown: 'no acknowledgement code',
};
const SEVERITY_WORDS: Record<string, string> = { E: 'error', W: 'warning', I: 'note' };

export async function reportCommand(options: CommandOptions, positionals: string[], out: Output, io: CliIo): Promise<ExitCode> {
  const registry = await chooseRegistry(options, io);
  const [folderArgument, name] = positionals as [string, string];
  const role = selectFolders(registry.profile, folderArgument)[0] as FolderRole;
  const profileFolder = registry.profile.folders.find((f) => f.role === role);
  // A path is a mistake on the command line: said before signing in.
  try {
    if (profileFolder) checkPlainName(name, { ...profileFolder, path: '' });
  } catch (error) {
    throw usageError(toCliError(error).message);
  }

  const run = await signInForRun(registry, options, io, out);
  let report: OpenedReport;
  try {
    report = await openReport(run.session, role, name);
  } catch (error) {
    // What the registry's file is (missing, too large, not text) is this run's failure, not a usage error.
    const failure = toCliError(error);
    const exitCode = fileExitCode(failure.code);
    out.fail(failure, { exitCode });
    return exitCode;
  } finally {
    await run.engine.disconnect();
  }

  if (out.json) {
    out.document({ ok: true, report });
    return EXIT.done;
  }
  if (report.view.kind === 'pdf') {
    const failure = new CliError('invalid-input', `${report.name} is a PDF, which a terminal cannot show. Save it with: registry-transfer download ${folderArgument} ${report.name} --to DIR (then open it there), or use --json for its bytes.`);
    out.fail(failure);
    return EXIT.failed;
  }
  out.out(reportLines(report));
  return EXIT.done;
}

/** The report as the terminal shows it: a heading, its scores where it states them, then its content. */
export function reportLines(report: OpenedReport): string[] {
  const lines = [`${report.name}  (${formatSize(report.size)}, ${formatModified(report.modified)})`];
  if (report.scores) lines.push(scoreLine(report.scores));
  lines.push('');
  const { view } = report;
  switch (view.kind) {
    case 'text':
      lines.push(...view.text.replace(/(\r\n|\r|\n)$/, '').split(/\r\n|\r|\n/));
      break;
    case 'html':
      lines.push(
        ...htmlToText(view.html)
          .split(/\r\n|\r|\n/)
          .map((l) => l.replace(/[ \t]+/g, ' ').trim())
          .filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== '')),
      );
      break;
    case 'csv': {
      const flat = (row: string[]) => row.map((cell) => cell.replace(/\r\n|\r|\n/g, ' '));
      lines.push(...table([flat(view.header), ...view.rows.map(flat)]));
      if (view.truncated) lines.push('', `Only the first ${view.rows.length.toLocaleString('en-US')} rows are shown; download the file for the rest.`);
      break;
    }
    case 'ack':
      lines.push(...ackLines(view.ack));
      break;
    case 'pdf':
      break;
  }
  return lines;
}

function scoreLine(scores: ReportScores): string {
  const parts = (['overall', 'completeness', 'quality', 'timeliness'] as const).filter((k) => scores[k] !== null).map((k) => `${k} ${scores[k]}`);
  return `Scores (0-100): ${parts.join(', ')}`;
}

function errorLine(e: AckError): string {
  const where = e.location === '' ? 'message' : e.location;
  const codes = [e.hl7Code ? `${e.hl7Code}${e.hl7Text ? ` ${e.hl7Text}` : ''}` : null, e.applicationCode ? `${e.applicationCode}${e.applicationText ? ` ${e.applicationText}` : ''}` : null].filter(Boolean);
  const severity = e.severity ? SEVERITY_WORDS[e.severity] : 'unstated';
  return `    ${severity}  ${where}  ${e.message}${codes.length > 0 ? `  [${codes.join('; ')}]` : ''}`;
}

export function ackLines(ack: AckSummary): string[] {
  const t = ack.totals;
  const lines = [
    `Acknowledgements: ${t.messages.toLocaleString('en-US')} message(s): ${t.accepted.toLocaleString('en-US')} accepted, ${t.errors.toLocaleString('en-US')} accepted with errors, ${t.rejected.toLocaleString('en-US')} rejected${t.unknown > 0 ? `, ${t.unknown.toLocaleString('en-US')} without an acknowledgement code` : ''}.`,
  ];
  if (ack.commonErrors.length > 0) {
    lines.push('', 'Most common:');
    lines.push(...table(ack.commonErrors.map((e) => [`  ${e.count.toLocaleString('en-US')}x`, e.location || 'message', e.code ?? '', e.message])));
  }
  lines.push('');
  for (const message of ack.messages) {
    lines.push(`${message.controlId || '(no control id)'}  ${OUTCOME_WORDS[message.outcome]}${message.text ? `  ${message.text}` : ''}`);
    for (const error of message.errors) lines.push(errorLine(error));
  }
  if (ack.truncated) lines.push('', `Only the first ${ack.messages.length.toLocaleString('en-US')} messages are listed; the totals above count them all.`);
  return lines;
}
