// The ACK file: one ACK^V04 per message of the batch, in a batch of its own (FHS, BHS ... BTS, FTS,
// as ../shared/samples/acks/a06 wraps a DQA hub's ACKs). Each ACK's MSA-1 is AA (accepted), AE
// (accepted with warnings, or rejected for errors: read ERR-4) or AR (the message could not be
// processed), and MSA-2 the submitted message's MSH-10. Each ERR carries ERR-2 (location), ERR-3
// (table 0357), ERR-4 (severity), ERR-5 (table 0533, then the registry's local code: the MQE code)
// and ERR-8 (plain words), as a01 and a02 do. ERR-8 never holds a patient's data.
import type { MessageAnalysis } from './analyse';
import { APPLICATION_ERROR_TEXT, CHECKS, HL7_ERROR_TEXT, erlText } from './issues';
import { composite, escapeHl7, hl7Timestamp, segment } from './hl7-writer';

export const REGISTRY_APPLICATION = 'PRACTICE-IIS';
export const REGISTRY_FACILITY = 'PRACTICE';

export interface AckInput {
  ackFileName: string;
  importCode: string;
  receivedAt: Date;
  messages: MessageAnalysis[];
}

export function writeAck(input: AckInput): Buffer {
  const time = hl7Timestamp(input.receivedAt);
  const base = time.slice(0, 14);
  const importCode = escapeHl7(input.importCode);
  const lines: string[] = [];
  // FHS-1 is the field separator itself, so the first field given is FHS-2 (the encoding characters).
  lines.push(segment('FHS', '^~\\&', REGISTRY_APPLICATION, REGISTRY_FACILITY, '', importCode, time, '', escapeHl7(input.ackFileName), '', `${base}.ACK`));
  lines.push(segment('BHS', '^~\\&', REGISTRY_APPLICATION, REGISTRY_FACILITY, '', importCode, time, '', 'ACK batch', '', `${base}.ACK.1`));
  for (const message of input.messages) {
    const processingId = ['P', 'T', 'D'].includes(message.processingId.trim().toUpperCase()) ? message.processingId.trim().toUpperCase() : 'P';
    lines.push(
      segment(
        'MSH',
        '^~\\&',
        REGISTRY_APPLICATION,
        REGISTRY_FACILITY,
        escapeHl7(message.sendingApplication),
        importCode,
        time,
        '',
        'ACK^V04^ACK',
        `${base}.${message.position}`,
        processingId,
        '2.5.1',
        '',
        '',
        'NE',
        'NE',
        '',
        '',
        '',
        '',
        'Z23^CDCPHINVS',
        REGISTRY_FACILITY,
        importCode,
      ),
    );
    lines.push(segment('MSA', message.ackCode, escapeHl7(message.controlId)));
    for (const issue of message.issues) {
      const check = CHECKS[issue.check];
      if (check.severity === 'I') continue;
      const application =
        check.applicationError === null
          ? composite('', '', '', check.code, check.text, 'L')
          : composite(check.applicationError, APPLICATION_ERROR_TEXT[check.applicationError], 'HL70533', check.code, check.text, 'L');
      lines.push(
        segment(
          'ERR',
          '',
          issue.location ? escapeLocation(erlText(issue.location)) : '',
          composite(check.hl7Error, HL7_ERROR_TEXT[check.hl7Error], 'HL70357'),
          check.severity,
          application,
          '',
          '',
          escapeHl7(`${issue.text} (message ${message.position})`),
        ),
      );
    }
  }
  lines.push(segment('BTS', String(input.messages.length)));
  lines.push(segment('FTS', '1'));
  return Buffer.from(lines.join('\r') + '\r', 'utf8');
}

/** ERR-2 is an ERL: its parts are components (already joined with ^); the segment name is plain. */
function escapeLocation(erl: string): string {
  return erl
    .split('^')
    .map((part) => escapeHl7(part))
    .join('^');
}
