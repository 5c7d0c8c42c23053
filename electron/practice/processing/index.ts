// What the practice registry writes back for a batch that lands in HL7-Dropoff, as pure functions of
// the file's bytes and the time it was received: no file system, no clock, no timer (the caller
// moves the batch to Accepted and writes these files to DQA-Report and Receive).
//
// - A readable batch (HL7 with at least one message the registry can process) is accepted: an ACK
//   file (one ACK^V04 per message), the DQA report in each format asked for, and a consent
//   notification (CNF).
// - An HL7 file none of whose messages can be processed (not VXU, an unknown version, no PID) is not
//   accepted; its ACK file answers each message AR with the reason, and the report says so. No CNF:
//   nothing was imported.
// - A file that is not HL7 (empty, a spreadsheet, a PDF...) is not accepted, and gets no ACK: a
//   registry cannot acknowledge messages it cannot read. The report says why, in plain words.
import { readHl7 } from '../../engine/hl7/reader';
import { analyseMessage, type MessageAnalysis } from './analyse';
import { writeAck } from './ack';
import { writeConsent } from './consent';
import type { Issue } from './issues';
import { outputNames, type ReportFormat } from './names';
import { writePdf } from './pdf';
import { renderCsv } from './render-csv';
import { renderHtml } from './render-html';
import { REPORT_TITLE, renderText, reportLines } from './render-text';
import { countMessages, fileIssues, notReadableReason, summarise, type DqaReport } from './report';
import { score } from './scoring';

export type { ReportFormat } from './names';
export { outputNames } from './names';
export type { DqaReport } from './report';

/** The formats a registry profile offers when it says nothing: text and HTML. */
export const DEFAULT_REPORT_FORMATS: readonly ReportFormat[] = ['text', 'html'];

export interface SubmissionInput {
  /** The batch's name as it landed in HL7-Dropoff. */
  fileName: string;
  bytes: Buffer;
  receivedAt: Date;
  /** The account's import code (its username), for the ACK's header and the file-name rule. */
  importCode: string;
  formats: readonly ReportFormat[];
}

export interface OutputFile {
  fileName: string;
  content: Buffer;
}

export interface SubmissionOutcome {
  /** Move the batch to Accepted (true), or leave it unimported (false). */
  accepted: boolean;
  /** For DQA-Report; null for a file that is not HL7 (there are no messages to acknowledge). */
  ack: OutputFile | null;
  /** For DQA-Report, one per format asked for. */
  reports: (OutputFile & { format: ReportFormat })[];
  /** For Receive; null unless the batch was accepted. */
  consent: OutputFile | null;
  /** What the report says, for a log line or a test: counts only, no patient data. */
  summary: { messages: number; accepted: number; withWarnings: number; rejected: number; outcome: string };
}

export function processSubmission(input: SubmissionInput): SubmissionOutcome {
  const { fileName, bytes, receivedAt, importCode } = input;
  const names = outputNames(fileName);
  const read = readHl7(bytes);
  const reason = notReadableReason(read);
  const messages: MessageAnalysis[] = reason === null ? read.messages.map((message, i) => analyseMessage(message, i + 1, { receivedAt })) : [];
  const processed = messages.filter((m) => m.processed).length;
  const accepted = reason === null && processed > 0;

  const counts = reason === null ? countMessages(messages) : null;
  const scores = counts ? score(messages, { messages: counts.messages, processedMessages: counts.processedMessages, vaccinations: counts.vaccinations, administered: counts.administered }) : null;
  const issuesOfFile: Issue[] =
    reason === null ? fileIssues(read, fileName, importCode) : [{ check: 'fileNotHl7', message: null, location: null, line: 0, text: reason }];

  let outcome: string;
  if (reason !== null) outcome = 'Not accepted: the registry could not read the file as HL7. No acknowledgement or consent file was written.';
  else if (!accepted) outcome = `Not accepted: none of the ${messages.length} message(s) could be processed; the acknowledgement file gives each reason.`;
  else {
    const c = counts!;
    outcome = `Accepted: ${c.accepted + c.withWarnings} of ${c.messages} message(s) imported (${c.accepted} accepted, ${c.withWarnings} with warnings), ${c.rejected} rejected.`;
  }

  const report: DqaReport = {
    fileName,
    importCode,
    receivedAt,
    size: bytes.length,
    accepted,
    outcome,
    notReadable: reason,
    counts,
    scores,
    fileIssues: issuesOfFile,
    messages,
    summary: summarise(messages, issuesOfFile, counts),
  };

  const formats = [...new Set(input.formats)];
  const reports = formats.map((format) => ({ fileName: names.report(format), format, content: render(report, format) }));
  const ack = reason === null ? { fileName: names.ack, content: writeAck({ ackFileName: names.ack, importCode, receivedAt, messages }) } : null;
  const consent = accepted ? { fileName: names.consent, content: writeConsent({ fileName, importCode, receivedAt, messages }) } : null;
  return {
    accepted,
    ack,
    reports,
    consent,
    summary: {
      messages: messages.length,
      accepted: counts?.accepted ?? 0,
      withWarnings: counts?.withWarnings ?? 0,
      rejected: counts?.rejected ?? 0,
      outcome,
    },
  };
}

function render(report: DqaReport, format: ReportFormat): Buffer {
  switch (format) {
    case 'text':
      return renderText(report);
    case 'csv':
      return renderCsv(report);
    case 'html':
      return renderHtml(report);
    case 'pdf':
      return writePdf({ title: `Data quality report: ${report.fileName}`, lines: reportLines(report), date: report.receivedAt, producer: 'Registry Transfer practice registry' });
  }
}
