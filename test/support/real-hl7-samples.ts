// The real HL7 files in ../shared/samples/hl7/ (NIST, AIRA, CDC examples; see its README), read at
// run time and never copied into this repository. What each file is, is read from its name:
// `v06_batch_nist2015_6msgs_CR.hl7` is a batch of 6 messages with CR line ends; `bare` means no
// FHS/BHS; `BOM` a UTF-8 byte order mark. A name without a count (v16) is counted here, apart from
// the reader: lines that start with MSH and a field separator, after any framing bytes.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
export const SAMPLES_DIR = join(ROOT, '..', 'shared', 'samples');
export const HL7_SAMPLES_DIR = join(SAMPLES_DIR, 'hl7');

export interface RealHl7Sample {
  /** `v06`: the key the README's table uses. */
  id: string;
  file: string;
  path: string;
  /** From the name, else counted from the lines. */
  messages: number;
  bare: boolean;
  lineEnds: 'CR' | 'LF' | 'CRLF';
  byteOrderMark: boolean;
}

export function realHl7Samples(): RealHl7Sample[] {
  return readdirSync(HL7_SAMPLES_DIR)
    .filter((file) => file.endsWith('.hl7'))
    .sort()
    .map((file) => {
      const path = join(HL7_SAMPLES_DIR, file);
      const named = /_(\d+)msgs?_/.exec(file);
      const lineEnds = /_(CRLF|CR|LF)(?:_BOM)?\.hl7$/.exec(file);
      if (!lineEnds) throw new Error(`${file}: the name does not say its line ends`);
      return {
        id: file.slice(0, 3),
        file,
        path,
        messages: named ? Number(named[1]) : messageHeaderLines(readFileSync(path, 'latin1')),
        bare: file.includes('_bare_'),
        lineEnds: lineEnds[1] as RealHl7Sample['lineEnds'],
        byteOrderMark: file.includes('_BOM'),
      };
    });
}

/** Lines that start with MSH and a field separator, after a byte order mark or framing bytes. */
export function messageHeaderLines(text: string): number {
  return text.split(/\r\n|\r|\n/).filter((line) => /^(?:\u00ef\u00bb\u00bf)?[\v\f\u001c]*MSH[^A-Za-z0-9\s]/.test(line)).length;
}
