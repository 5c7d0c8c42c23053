// The consent notification file (CNF) the registry drops in Receive after importing a batch. The
// Texas specification says only that Receive "contains all consent notification files (CNF) received
// after the HL7 files are imported"; this is the practice registry's own plain format:
//
//   # lines of comment: what the file is, the batch, the import code, when it was received
//   MESSAGE|CONTROL_ID|CONSENT_STATUS|WHAT_THE_REGISTRY_KEEPS      (a header row)
//   1|PRAC01-20261201-0001|CONSENT ON FILE|the patient and the immunizations
//
// one row per message, pipe-delimited, CR LF line ends. A message is named by its position and the
// MSH-10 the clinic sent, nothing else about the patient. The consent status is read from PD1-12
// (the protection indicator): N (no protection asked) is consent on file; Y or nothing is no consent
// on file, and then the registry keeps only the immunizations. A rejected message was not imported.
import type { MessageAnalysis } from './analyse';
import { formatReceived } from './render-text';

export const CONSENT_COLUMNS = ['MESSAGE', 'CONTROL_ID', 'CONSENT_STATUS', 'WHAT_THE_REGISTRY_KEEPS'] as const;

export function writeConsent(input: { fileName: string; importCode: string; receivedAt: Date; messages: MessageAnalysis[] }): Buffer {
  const lines = [
    '# Consent notification (CNF) from the practice registry',
    `# Batch: ${clean(input.fileName)}`,
    `# Import code: ${clean(input.importCode)}`,
    `# Received: ${formatReceived(input.receivedAt)}`,
    '# Consent status from PD1-12 (protection indicator): N = consent on file; Y or empty = no consent on file.',
    CONSENT_COLUMNS.join('|'),
  ];
  for (const message of input.messages) {
    const [status, kept] =
      message.status === 'rejected'
        ? ['NOT IMPORTED', 'nothing: the message was rejected (see the ACK file)']
        : message.consent === 'on-file'
          ? ['CONSENT ON FILE', 'the patient and the immunizations']
          : ['NO CONSENT ON FILE', 'only the immunizations, not shared; ask the family for the registry consent'];
    lines.push([String(message.position), clean(message.controlId), status, kept].join('|'));
  }
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}

/** A value on one line of a pipe-delimited file: no line breaks, no pipes, no control characters. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f|]/g, '_');
}
