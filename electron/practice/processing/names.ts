// What the registry names the files it writes back for a batch, after the batch's own name (its
// extension dropped): for `PRAC01_20261201_weekly.HL7`
//   DQA-Report/PRAC01_20261201_weekly_ACK.hl7   the acknowledgements (ACK^V04, HL7)
//   DQA-Report/PRAC01_20261201_weekly_DQA.txt   the report as text (also .csv, .html, .pdf)
//   Receive/PRAC01_20261201_weekly.CNF          the consent notification (the Texas spec's "CNF")
// so that a batch's answers sort next to each other and each says what it is by its extension.

import type { ReportFormat } from '../../../shared/contract';

export type { ReportFormat };

export const REPORT_EXTENSIONS: Readonly<Record<ReportFormat, string>> = { text: 'txt', csv: 'csv', html: 'html', pdf: 'pdf' };

/** The batch's name without its extension, with anything a file name should not hold replaced. */
export function baseName(fileName: string): string {
  const leaf = fileName.split(/[\\/]/).pop() ?? '';
  const dot = leaf.lastIndexOf('.');
  const stem = dot > 0 ? leaf.slice(0, dot) : leaf;
  // eslint-disable-next-line no-control-regex
  const safe = stem.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^[. ]+|[. ]+$/g, '');
  return (safe === '' ? 'submission' : safe).slice(0, 180);
}

export function outputNames(fileName: string) {
  const base = baseName(fileName);
  return {
    ack: `${base}_ACK.hl7`,
    report: (format: ReportFormat) => `${base}_DQA.${REPORT_EXTENSIONS[format]}`,
    consent: `${base}.CNF`,
  };
}
