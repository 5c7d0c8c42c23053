// The check a file goes through before it is sent to the registry: what staff are told about it,
// whatever the line endings and however the file is cut into reads, and never a word of its contents.
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hl7Findings,
  inspectHl7File,
  summarizeFindings,
  type Hl7FileRules,
  type Hl7Inspection,
} from '../../../../electron/engine/hl7/batch-check';
import { readHl7 } from '../../../../electron/engine/hl7/reader';
import type { Hl7FindingCode } from '../../../../shared/contract';
import { realHl7Samples } from '../../../support/real-hl7-samples';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rt-hl7-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const anyName: Hl7FileRules = { fileName: 'ABC123_20261114.HL7', importCodeInName: false, extension: null };
const texas: Hl7FileRules = { fileName: 'ABC123_20261114.HL7', importCode: 'ABC123', importCodeInName: true, extension: '.HL7', registryName: 'Texas' };

// A patient who must never appear in a finding.
const PATIENT_SURNAME = 'QUIXOTEFIELD';
const PATIENT_GIVEN = 'ZEBEDIAH';
const PATIENT_BIRTH_DATE = '19870412';
const PATIENT_STREET = 'WINTERBOURNE';

function message(n: number): string[] {
  const id = String(n).padStart(6, '0');
  return [
    `MSH|^~\\&|CLINICEHR|ABC123|IMMTRAC|TXDSHS|20261114093000||VXU^V04^VXU_V04|MSG${id}|P|2.5.1`,
    `PID|1||PAT${id}^^^ABC123^MR||${PATIENT_SURNAME}^${PATIENT_GIVEN}^^^^^L||${PATIENT_BIRTH_DATE}|F|||4711 ${PATIENT_STREET} LN^^AUSTIN^TX^78701`,
    `ORC|RE||IMM${id}^ABC123`,
    `RXA|0|1|20261101|20261101|08^HepB pediatric^CVX|0.5|mL^mL^UCUM||00^New record^NIP001`,
  ];
}

interface BatchShape {
  batches?: number[]; // messages per batch
  fileHeader?: boolean;
  batchHeaders?: boolean;
  batchTrailerCounts?: (number | string | null)[]; // null = no BTS for that batch
  fileTrailerCount?: number | string | null; // null = no FTS
}

function batchLines(shape: BatchShape = {}): string[] {
  const batches = shape.batches ?? [3];
  const lines: string[] = [];
  if (shape.fileHeader ?? true) lines.push('FHS|^~\\&|CLINICEHR|ABC123|IMMTRAC|TXDSHS|20261114093000');
  let n = 0;
  batches.forEach((size, b) => {
    if (shape.batchHeaders ?? true) lines.push('BHS|^~\\&|CLINICEHR|ABC123|IMMTRAC|TXDSHS|20261114093000');
    for (let i = 0; i < size; i += 1) lines.push(...message(++n));
    const trailer = shape.batchTrailerCounts ? shape.batchTrailerCounts[b] : size;
    if ((shape.batchHeaders ?? true) && trailer !== null) lines.push(`BTS|${trailer ?? size}|WEEKLY RUN`);
  });
  const fileTrailer = shape.fileTrailerCount === undefined ? batches.length : shape.fileTrailerCount;
  if ((shape.fileHeader ?? true) && fileTrailer !== null) lines.push(`FTS|${fileTrailer}`);
  return lines;
}

let fileCounter = 0;
function writeFile(content: string | Buffer): string {
  const path = join(dir, `file-${++fileCounter}.HL7`);
  writeFileSync(path, content);
  return path;
}

function codes(inspection: Hl7Inspection): string[] {
  return inspection.findings.map((f) => f.code);
}

function finding(inspection: Hl7Inspection, code: string) {
  const found = inspection.findings.find((f) => f.code === code);
  expect(found, `a finding ${code} among ${codes(inspection).join(', ')}`).toBeDefined();
  return found!;
}

describe('a well-formed batch', () => {
  it('has no findings, the right counts, and the size and SHA-256 of the bytes on disk', async () => {
    const content = `${batchLines({ batches: [3] }).join('\r')}\r`;
    const path = writeFile(content);
    const inspection = await inspectHl7File(path, texas);
    expect(inspection.findings).toEqual([]);
    expect(inspection).toMatchObject({ looksLikeHl7: true, messageCount: 3, batchCount: 1, segmentTerminator: 'CR' });
    expect(inspection.size).toBe(Buffer.byteLength(content));
    expect(inspection.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
    expect(summarizeFindings(inspection.findings)).toEqual({ errors: 0, warnings: 0, canUpload: true, headline: 'No problems found.' });
  });

  it('accepts CR LF endings, two batches, and a last segment without a terminator', async () => {
    const inspection = await inspectHl7File(writeFile(batchLines({ batches: [2, 4] }).join('\r\n')), texas);
    expect(inspection.findings).toEqual([]);
    expect(inspection).toMatchObject({ messageCount: 6, batchCount: 2, segmentTerminator: 'CRLF' });
  });

  it('takes the field separator from the first segment', async () => {
    const lines = batchLines().map((line) => line.replaceAll('|', '#'));
    const inspection = await inspectHl7File(writeFile(`${lines.join('\r')}\r`), texas);
    expect(inspection.findings).toEqual([]);
    expect(inspection.messageCount).toBe(3);
  });
});

describe('errors that stop the upload', () => {
  it('an empty file', async () => {
    const inspection = await inspectHl7File(writeFile(''), texas);
    expect(inspection.findings).toEqual([{ severity: 'error', code: 'empty', message: 'The file is empty.' }]);
    expect(inspection).toMatchObject({ looksLikeHl7: false, size: 0, segmentTerminator: 'none' });
    expect(inspection.sha256).toBe(createHash('sha256').digest('hex'));
    expect(summarizeFindings(inspection.findings).canUpload).toBe(false);
  });

  it('a file of blank lines', async () => {
    const inspection = await inspectHl7File(writeFile('\r\n\r\n\n'), texas);
    expect(inspection.findings.map((f) => [f.severity, f.code])).toEqual([['error', 'not-hl7']]);
    expect(inspection.looksLikeHl7).toBe(false);
  });

  it.each([
    ['a PDF', Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n', 'latin1'), 'This looks like a PDF, not an HL7 file.'],
    ['a Word document', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00]), 'Office document (Word or Excel)'],
    ['an old Word document', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0x00, 0x00]), 'older Office document'],
    ['an RTF document', Buffer.from('{\\rtf1\\ansi MSH|^~\\&|\\par}'), 'RTF'],
    ['UTF-16 text', Buffer.from(`\ufeff${batchLines().join('\r')}`, 'utf16le'), 'UTF-16'],
    ['a CSV export', Buffer.from('last,first,dob\r\nSMITH,ANN,2001-01-01\r\n'), 'it does not start with an HL7 header (FHS, BHS or MSH)'],
  ])('%s is not HL7, and the message says what it looks like', async (_what, content, expected) => {
    const inspection = await inspectHl7File(writeFile(content), texas);
    expect(inspection.looksLikeHl7).toBe(false);
    expect(inspection.findings.filter((f) => f.severity === 'error')).toEqual([
      { severity: 'error', code: 'not-hl7', message: expect.stringContaining(expected) as string },
    ]);
  });

  it('a zero byte inside an HL7 file, with its offset', async () => {
    const lines = batchLines();
    const clean = `${lines.join('\r')}\r`;
    const offset = clean.indexOf('PID|');
    const content = Buffer.from(clean, 'latin1');
    content[offset + 2] = 0;
    const inspection = await inspectHl7File(writeFile(content), texas);
    expect(finding(inspection, 'binary')).toEqual({
      severity: 'error',
      code: 'binary',
      message: `The file contains binary data (a zero byte at byte ${(offset + 2).toLocaleString('en-US')}); an HL7 file is plain text.`,
    });
  });

  it('a file name without the import code, where the registry requires it', async () => {
    const path = writeFile(`${batchLines().join('\r')}\r`);
    const inspection = await inspectHl7File(path, { ...texas, fileName: 'weekly_batch.HL7' });
    expect(inspection.findings).toEqual([
      {
        severity: 'error',
        code: 'import-code-missing',
        message: 'The file name must contain your import code ABC123 (the registry uses it to know who sent the file).',
      },
    ]);
    expect(summarizeFindings(inspection.findings)).toMatchObject({ errors: 1, canUpload: false });
    // The same name is fine where the registry does not ask for the code.
    expect((await inspectHl7File(path, { ...anyName, fileName: 'weekly_batch.HL7' })).findings).toEqual([]);
  });
});

describe('warnings the user may override', () => {
  it('a batch trailer whose count does not match its batch', async () => {
    const inspection = await inspectHl7File(writeFile(`${batchLines({ batches: [11], batchTrailerCounts: [12] }).join('\r')}\r`), texas);
    const btsLine = 2 + 11 * 4 + 1;
    expect(inspection.findings).toEqual([{ severity: 'warning', code: 'bts-count', message: expect.any(String) as string }]);
    expect(inspection.findings[0]!.message).toMatch(
      new RegExp(`^The batch trailer \\(BTS\\) on line ${btsLine} \\(byte [\\d,]+\\) says 12 messages, but the batch holds 11\\.$`),
    );
  });

  it('a file trailer whose count does not match, and counts that are not numbers; an empty count is fine', async () => {
    const wrongFile = await inspectHl7File(writeFile(batchLines({ batches: [1, 1], fileTrailerCount: 1 }).join('\r')), texas);
    expect(wrongFile.findings.map((f) => f.code)).toEqual(['fts-count']);
    expect(wrongFile.findings[0]!.message).toMatch(/^The file trailer \(FTS\) on line 14 \(byte [\d,]+\) says 1 batch, but the file holds 2\.$/);

    // BTS-1 and FTS-1 are optional; the CDC guide's own example is `BTS||`.
    const blank = await inspectHl7File(writeFile(batchLines({ batches: [1], batchTrailerCounts: [''], fileTrailerCount: '' }).join('\r')), texas);
    expect(codes(blank)).toEqual([]);
    const words = await inspectHl7File(writeFile(batchLines({ batches: [1], batchTrailerCounts: ['one'], fileTrailerCount: 'x1' }).join('\r')), texas);
    expect(codes(words)).toEqual(['bts-count-unreadable', 'fts-count-unreadable']);
  });

  it('a bare-message file', async () => {
    const inspection = await inspectHl7File(writeFile(`${batchLines({ fileHeader: false, batchHeaders: false, batches: [2] }).join('\r')}\r`), texas);
    expect(inspection).toMatchObject({ looksLikeHl7: true, messageCount: 2, batchCount: 0 });
    expect(inspection.findings).toEqual([
      {
        severity: 'warning',
        code: 'no-batch-headers',
        message: 'The file has no file header (FHS) or batch header (BHS): it holds bare messages, and the registry expects a batch file.',
      },
    ]);
    expect(summarizeFindings(inspection.findings)).toEqual({
      errors: 0,
      warnings: 1,
      canUpload: true,
      headline: 'This file can be sent, but check 1 warning first.',
    });
  });

  it('headers without their trailers', async () => {
    const inspection = await inspectHl7File(writeFile(`${batchLines({ batchTrailerCounts: [null], fileTrailerCount: null }).join('\r')}\r`), texas);
    expect(inspection.findings.map((f) => f.message)).toEqual([
      'The batch that starts on line 2 has no batch trailer (BTS).',
      'The file has a file header (FHS) but no file trailer (FTS) at the end.',
    ]);
  });

  it('a batch that runs into the next one, and a trailer without a header', async () => {
    const lines = batchLines({ batches: [1, 1], batchTrailerCounts: [null, 1] });
    lines.splice(lines.length - 1, 0, 'BTS|0');
    const inspection = await inspectHl7File(writeFile(lines.join('\r')), texas);
    expect(codes(inspection)).toEqual(['bts-missing', 'bts-unexpected']);
    expect(inspection.findings[0]!.message).toBe('The batch that starts on line 2 has no batch trailer (BTS).');
    expect(inspection.findings[1]!.message).toMatch(/^Line 13 \(byte [\d,]+\) is a batch trailer \(BTS\) without a batch header \(BHS\) before it\.$/);
  });

  it('a message between batches, and lines after the file trailer', async () => {
    const lines = batchLines({ batches: [1] });
    lines.splice(lines.length - 1, 0, ...message(9));
    lines.push('NTE|1||after the end');
    const inspection = await inspectHl7File(writeFile(lines.join('\r')), texas);
    expect(codes(inspection)).toEqual(['message-outside-batch', 'after-file-trailer']);
    expect(inspection.messageCount).toBe(2);
  });

  it('segments before the first message header', async () => {
    const lines = batchLines();
    lines.splice(2, 0, 'NTE|1||a note', 'ZXY|private');
    const inspection = await inspectHl7File(writeFile(lines.join('\r')), texas);
    expect(inspection.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/^Line 3 \(byte [\d,]+\) holds a segment \(NTE\) before the first message header \(MSH\); only the file and batch headers \(FHS, BHS\) may come before it\.$/),
      expect.stringMatching(/^Line 4 \(byte [\d,]+\) holds a segment before the first message header \(MSH\)/),
    ]);
  });

  it('line feeds only, and a mix of endings, are read as segment ends without a warning', async () => {
    // Registries' batch readers split segments on CR, CR LF or LF alike.
    const lf = await inspectHl7File(writeFile(`${batchLines().join('\n')}\n`), texas);
    expect(lf.segmentTerminator).toBe('LF');
    expect(lf.messageCount).toBe(3);
    expect(lf.findings).toEqual([]);

    const lines = batchLines();
    const mixedText = lines.map((line, i) => line + (i % 3 === 0 ? '\n' : i % 3 === 1 ? '\r\n' : '\r')).join('');
    const mixed = await inspectHl7File(writeFile(mixedText), texas);
    expect(mixed.segmentTerminator).toBe('mixed');
    expect(mixed.messageCount).toBe(3);
    expect(codes(mixed)).toEqual([]);
  });

  it('a line that does not start with a segment name, e.g. a field split by a line break', async () => {
    const lines = batchLines();
    lines.splice(4, 0, 'lower|case', 'PI', 'PID^not the separator');
    const inspection = await inspectHl7File(writeFile(lines.join('\r')), texas);
    expect(codes(inspection)).toEqual(['segment-name', 'segment-name', 'segment-name']);
    expect(inspection.findings[0]!.message).toMatch(
      /^Line 5 \(byte [\d,]+\) does not start with a three-letter segment name and the field separator\. A line break inside a field may have split a segment in two\.$/,
    );
  });

  it('lists five of a repeated problem and sums up the rest', async () => {
    const lines = batchLines({ batches: [1] });
    for (let i = 0; i < 40; i += 1) lines.splice(4, 0, 'continued text');
    const inspection = await inspectHl7File(writeFile(lines.join('\r')), texas);
    expect(codes(inspection)).toEqual(Array(6).fill('segment-name'));
    expect(inspection.findings[5]!.message).toBe('35 more lines have the same problem (40 in all).');
  });

  it('a byte order mark before the file header', async () => {
    const inspection = await inspectHl7File(writeFile(`\ufeff${batchLines().join('\r')}\r`), texas);
    expect(inspection.looksLikeHl7).toBe(true);
    expect(codes(inspection)).toEqual(['byte-order-mark']);
  });

  it('the file name: extension compared without case, import code in other capitals', async () => {
    const path = writeFile(`${batchLines().join('\r')}\r`);
    expect((await inspectHl7File(path, { ...texas, fileName: 'ABC123_weekly.hl7' })).findings).toEqual([]);
    expect((await inspectHl7File(path, { ...texas, fileName: 'ABC123_weekly.txt' })).findings).toEqual([
      { severity: 'warning', code: 'extension', message: 'Texas expects the .HL7 extension; this file name ends in .txt.' },
    ]);
    expect((await inspectHl7File(path, { ...texas, registryName: undefined, fileName: 'ABC123_weekly' })).findings).toEqual([
      { severity: 'warning', code: 'extension', message: 'The registry expects the .HL7 extension; this file name has none.' },
    ]);
    const lowerCode = await inspectHl7File(path, { ...texas, fileName: 'abc123_weekly.HL7' });
    expect(lowerCode.findings.map((f) => [f.severity, f.code])).toEqual([['warning', 'import-code-case']]);
  });

  it('puts errors before warnings', async () => {
    const inspection = await inspectHl7File(writeFile(`${batchLines({ fileTrailerCount: 5 }).join('\n')}\n`), { ...texas, fileName: 'batch.txt' });
    expect(inspection.findings.map((f) => [f.severity, f.code])).toEqual([
      ['error', 'import-code-missing'],
      ['warning', 'fts-count'],
      ['warning', 'extension'],
    ]);
    expect(summarizeFindings(inspection.findings).headline).toBe('This file cannot be sent: 1 problem must be fixed first.');
  });
});

describe('contents never appear in a finding', () => {
  it('quotes no name, birth date, address or value from a file full of problems', async () => {
    const lines = batchLines({ batches: [2, 1], batchTrailerCounts: [7, `${PATIENT_BIRTH_DATE}${PATIENT_SURNAME}`], fileTrailerCount: PATIENT_GIVEN });
    // Patient data where a segment name or a count is expected: a field split across lines, a
    // "segment" whose name is the start of a surname, a trailer count that is a date of birth.
    lines.splice(2, 0, `${PATIENT_GIVEN.slice(0, 3)}|${PATIENT_SURNAME}`, `PID|1||X||${PATIENT_SURNAME}^${PATIENT_GIVEN}`);
    lines.splice(8, 0, `${PATIENT_STREET} LN^^AUSTIN`, `${PATIENT_SURNAME}|${PATIENT_BIRTH_DATE}`);
    lines.push(`MSH|${PATIENT_GIVEN}`);
    const content = `${lines.join('\n')}\r\n\u0000`;
    const inspection = await inspectHl7File(writeFile(content), { ...texas, fileName: 'ABC123_batch.txt' });
    expect(inspection.findings.length).toBeGreaterThan(8);
    expect(new Set(codes(inspection))).toEqual(
      new Set(['binary', 'segment-before-message', 'segment-name', 'bts-count', 'bts-count-unreadable', 'fts-count-unreadable', 'after-file-trailer', 'message-outside-batch', 'delimiters', 'extension']),
    );

    const fieldValues = new Set(
      content
        .split(/[\r\n|^~\\&\u0000]/)
        .flatMap((value) => [value, ...value.split(' ')])
        .filter((value) => value.length >= 3 && !/^(FHS|BHS|MSH|BTS|FTS|PID|ORC|RXA|NTE)$/.test(value)),
    );
    expect(fieldValues).toContain(PATIENT_SURNAME);
    expect(fieldValues).toContain(PATIENT_BIRTH_DATE);
    expect(fieldValues).toContain(PATIENT_GIVEN.slice(0, 3));
    for (const f of inspection.findings) {
      for (const value of fieldValues) expect(f.message, `finding ${f.code}`).not.toContain(value);
    }
  });
});

describe('reads in chunks of any size', () => {
  const shapes: [string, string][] = [
    ['CR', `${batchLines({ batches: [2, 1] }).join('\r')}\r`],
    ['CR LF', `${batchLines({ batches: [2, 1] }).join('\r\n')}\r\n`],
    ['LF', `${batchLines({ batches: [2, 1], fileTrailerCount: 3 }).join('\n')}\n`],
    ['mixed, with blank lines', `${batchLines({ batches: [1, 2], batchTrailerCounts: [1, 5] }).join('\r\n\n\r')}\r`],
    ['with a byte order mark', `\ufeff${batchLines({ batches: [2] }).join('\r\n')}`],
  ];

  it.each(shapes)('%s: every chunk size gives the result of one big read', async (_what, content) => {
    const path = writeFile(content);
    const whole = await inspectHl7File(path, texas);
    expect(whole.messageCount).toBeGreaterThan(0);
    for (const chunkSize of [1, 2, 3, 4, 5, 7, 13, 64, 100]) {
      expect(await inspectHl7File(path, texas, { chunkSize }), `chunk size ${chunkSize}`).toEqual(whole);
    }
  });

  it('a CR at the end of one read and its LF at the start of the next are one CR LF', async () => {
    const first = 'FHS|^~\\&|A\r';
    const content = `${first}\n${batchLines({ fileHeader: false, batches: [1] }).join('\r\n')}\r\nFTS|1\r\n`;
    const path = writeFile(content);
    const inspection = await inspectHl7File(path, texas, { chunkSize: first.length });
    expect(inspection).toMatchObject({ segmentTerminator: 'CRLF', messageCount: 1, batchCount: 1, findings: [] });
  });

  it('a segment name split across reads is still recognised', async () => {
    const path = writeFile(`${batchLines({ batches: [1], batchTrailerCounts: [2] }).join('\r')}\r`);
    // Splits every segment name and the trailer counts at some read.
    for (const chunkSize of [2, 3, 11]) {
      const inspection = await inspectHl7File(path, texas, { chunkSize });
      expect(codes(inspection), `chunk size ${chunkSize}`).toEqual(['bts-count']);
      expect(inspection.findings[0]!.message).toContain('says 2 messages, but the batch holds 1.');
    }
  });
});

describe('a large file', () => {
  it('streams a 50 MB batch and counts every message', async () => {
    const path = join(dir, 'ABC123_large.HL7');
    const perBatch = 85_000;
    const batches = 2;
    const hash = createHash('sha256');
    let size = 0;
    const out = createWriteStream(path);
    const write = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const bytes = Buffer.from(text);
        hash.update(bytes);
        size += bytes.length;
        out.write(bytes, (error) => (error ? reject(error) : resolve()));
      });
    await write('FHS|^~\\&|CLINICEHR|ABC123|IMMTRAC|TXDSHS|20261114093000\r');
    let n = 0;
    for (let b = 0; b < batches; b += 1) {
      await write('BHS|^~\\&|CLINICEHR|ABC123|IMMTRAC|TXDSHS|20261114093000\r');
      for (let i = 0; i < perBatch; i += 1000) {
        const block: string[] = [];
        for (let j = 0; j < 1000; j += 1) block.push(`${message(++n).join('\r')}\r`);
        await write(block.join(''));
      }
      await write(`BTS|${perBatch}\r`);
    }
    await write(`FTS|${batches}\r`);
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    expect(size).toBeGreaterThan(50 * 1024 * 1024);

    const inspection = await inspectHl7File(path, texas);
    expect(inspection).toEqual({
      looksLikeHl7: true,
      messageCount: perBatch * batches,
      batchCount: batches,
      segmentTerminator: 'CR',
      findings: [],
      size,
      sha256: hash.digest('hex'),
    });
  });
});

it('rejects with the file system error when the file cannot be read', async () => {
  await expect(inspectHl7File(join(dir, 'missing.HL7'), texas)).rejects.toMatchObject({ code: 'ENOENT' });
});

describe('reading a small file once', () => {
  const content = () => Buffer.from(`${batchLines({ batches: [3] }).join('\r')}\r`);

  it('keeps the bytes it checked when asked to and the file is small enough, so they can be sent as checked', async () => {
    const bytes = content();
    const inspection = await inspectHl7File(writeFile(bytes), texas, { expectedSize: bytes.length, keepUpTo: 1024 * 1024 });
    expect(inspection.contents?.equals(bytes)).toBe(true);
    expect(inspection.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(inspection.findings).toEqual([]);
  });

  it('keeps nothing for a file over the limit, or when not asked', async () => {
    const bytes = content();
    const path = writeFile(bytes);
    expect((await inspectHl7File(path, texas, { expectedSize: bytes.length, keepUpTo: bytes.length - 1 })).contents).toBeUndefined();
    expect((await inspectHl7File(path, texas, { expectedSize: bytes.length })).contents).toBeUndefined();
    expect((await inspectHl7File(path, texas)).contents).toBeUndefined();
  });

  it('reads to the end of a file that grew since its size was taken, and then keeps nothing', async () => {
    const bytes = content();
    const path = writeFile(bytes);
    const inspection = await inspectHl7File(path, texas, { expectedSize: 100, keepUpTo: 1024 * 1024 });
    expect(inspection.size).toBe(bytes.length);
    expect(inspection.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(inspection.messageCount).toBe(3);
    expect(inspection.contents).toBeUndefined();
  });

  it('sees a file that shrank since its size was taken as it is now', async () => {
    const bytes = content();
    const path = writeFile(bytes);
    const inspection = await inspectHl7File(path, texas, { expectedSize: bytes.length + 500, keepUpTo: 1024 * 1024 });
    expect(inspection.size).toBe(bytes.length);
    expect(inspection.contents).toBeUndefined();
    expect(inspection.findings).toEqual([]);
  });
});

describe('the real samples in ../shared/samples/hl7/ (issue 13, item 4)', () => {
  const samples = realHl7Samples();
  // What a registry would say too: bare messages where it takes batch files (REGISTRIES.md), a byte
  // order mark (a reader that decodes UTF-8 keeps it before "MSH"), MLLP framing bytes. Nothing else:
  // not v13's batch without FHS/FTS nor v15's `BTS||` (the CDC guide allows both), nor LF line ends.
  const expected: Record<string, Hl7FindingCode[]> = {
    v01: ['no-batch-headers'],
    v02: ['no-batch-headers'],
    v03: ['byte-order-mark', 'no-batch-headers'],
    v04: ['no-batch-headers'],
    v05: ['no-batch-headers'],
    v06: [],
    v07: [],
    v08: [],
    v09: [],
    v10: [],
    v11: [],
    v12: [],
    v13: [],
    v14: ['no-batch-headers'],
    v15: [],
    v16: ['mllp-framing', 'no-batch-headers'],
  };

  it('are the ones this table knows', () => {
    expect(samples.map((sample) => sample.id)).toEqual(Object.keys(expected));
  });

  it.each(samples.map((sample) => [sample.file, sample] as const))('%s', async (_file, sample) => {
    const inspection = await inspectHl7File(sample.path, texas);
    expect(codes(inspection)).toEqual(expected[sample.id]);
    expect(inspection).toMatchObject({
      looksLikeHl7: true,
      messageCount: sample.messages,
      batchCount: sample.bare ? 0 : sample.id === 'v12' ? 2 : 1,
      segmentTerminator: sample.lineEnds,
    });
    expect(summarizeFindings(inspection.findings).canUpload).toBe(true);
    // The whole read the practice registry makes says the same.
    expect(hl7Findings(readHl7(readFileSync(sample.path)))).toEqual(inspection.findings.filter((f) => f.code !== 'extension'));
  });

  it('v16: the framing bytes are named for what they are, and the three messages counted', async () => {
    const inspection = await inspectHl7File(samples.find((sample) => sample.id === 'v16')!.path, texas);
    expect(finding(inspection, 'mllp-framing')).toEqual({
      severity: 'warning',
      code: 'mllp-framing',
      message:
        '3 lines carry framing bytes (VT and FF: a vertical tab and a form feed), the first on line 1. Such bytes frame messages ' +
        'on a network connection (MLLP), not in a file: a registry that strips them reads the messages; one that does not ' +
        'refuses the file. Remove them, or export the file again as a batch file.',
    });
  });

  describe('made broken at run time', () => {
    const text = (id: string) => readFileSync(samples.find((sample) => sample.id === id)!.path, 'latin1');
    const inspect = (content: string) => inspectHl7File(writeFile(Buffer.from(content, 'latin1')), texas);

    it('v06 cut in the middle of a segment: said to be cut short, not a batch without its trailers', async () => {
      const whole = text('v06');
      const cut = whole.slice(0, Math.floor(whole.length / 2));
      const line = cut.split('\r').length;
      const inspection = await inspect(cut);
      expect(inspection.findings).toEqual([
        {
          severity: 'warning',
          code: 'truncated',
          message:
            `The file ends in the middle of a segment on line ${line}, with no line end and no batch trailer (BTS) and file trailer (FTS) ` +
            'after it: it looks cut short. Copy or export it again, and check that its last messages are in it.',
        },
      ]);
    });

    it('v07 with one message written with # as its field separator: read with its own delimiters, nothing to say', async () => {
      const lines = text('v07').split('\r\n');
      const starts = lines.flatMap((line, i) => (line.startsWith('MSH|') ? [i] : []));
      const [from, to] = [starts[3]!, starts[4]!];
      expect(lines.slice(from, to).join('')).not.toContain('#');
      const changed = lines.map((line, i) => (i >= from && i < to ? line.replaceAll('|', '#') : line));
      const inspection = await inspect(changed.join('\r\n'));
      expect(inspection.findings).toEqual([]);
      expect(inspection.messageCount).toBe(8);
    });

    it('v12 without its file header, v06 with a wrong count, v01 with Ctrl+Z at its end', async () => {
      const v12 = text('v12').split('\r\n');
      expect(codes(await inspect(v12.filter((line) => !/^F[HT]S\|/.test(line)).join('\r\n')))).toEqual(['fhs-missing']);
      expect(finding(await inspect(v12.slice(1).join('\r\n')), 'fts-unexpected').message).toMatch(/is a file trailer \(FTS\) without a file header/);

      const v06 = await inspect(text('v06').replace(/\rBTS\|6\r/, '\rBTS|7\r'));
      expect(finding(v06, 'bts-count').message).toMatch(/says 7 messages, but the batch holds 6\.$/);

      const v01 = text('v01');
      const ctrlZ = await inspect(`${v01}\u001a`);
      expect(ctrlZ.findings.map((f) => f.message)).toEqual([
        `Line ${v01.split('\r').length} holds a control character (0x1A, Ctrl+Z, an end-of-file mark some older programs add) at byte ${v01.length.toLocaleString('en-US')}; ` +
          'an HL7 file holds only text, tabs and line ends, and the registry may refuse the segment.',
        'The file has no file header (FHS) or batch header (BHS): it holds bare messages, and the registry expects a batch file.',
      ]);
    });
  });
});

describe('what the reader finds, in plain words', () => {
  it('a message with another field separator inside a batch: counted, and no warning', async () => {
    const lines = batchLines({ batches: [3] });
    for (let i = 6; i < 10; i += 1) lines[i] = lines[i]!.replaceAll('|', '#');
    expect(lines[6]).toMatch(/^MSH#\^~\\&#/);
    const inspection = await inspectHl7File(writeFile(lines.join('\r')), texas);
    expect(inspection.findings).toEqual([]);
    expect(inspection.messageCount).toBe(3);
  });

  it('a message header that does not define its delimiters', async () => {
    const lines = batchLines({ batches: [2] });
    lines[6] = lines[6]!.replace('|^~\\&|', '|^^|');
    const inspection = await inspectHl7File(writeFile(lines.join('\r')), texas);
    expect(inspection.findings).toEqual([
      {
        severity: 'warning',
        code: 'delimiters',
        message: expect.stringMatching(
          /^The message header \(MSH\) on line 7 \(byte [\d,]+\) does not define its encoding characters: MSH-2 should be four different characters after the field separator, normally \^~\\&\. Its fields may be read wrongly\.$/,
        ) as string,
      },
    ]);
    expect(inspection.messageCount).toBe(2);
  });

  it('a file that ends right after a message header', async () => {
    const lines = [...batchLines({ fileHeader: false, batchHeaders: false, batches: [2] })];
    const inspection = await inspectHl7File(writeFile(lines.slice(0, 5).join('\r')), texas);
    expect(inspection.findings.map((f) => f.message)).toEqual([
      'The file ends with a message header (MSH) on line 5, with no line end: it looks cut short. Copy or export it again, and check that its last messages are in it.',
      'The file has no file header (FHS) or batch header (BHS): it holds bare messages, and the registry expects a batch file.',
    ]);
  });

  it('MLLP as sent on a network: VT before each message, FS and CR after it', async () => {
    const framed = [1, 2].map((n) => `\u000b${message(n).join('\r')}\r\u001c\r`).join('');
    const inspection = await inspectHl7File(writeFile(framed), texas);
    expect(inspection.looksLikeHl7).toBe(true);
    expect(inspection.messageCount).toBe(2);
    expect(codes(inspection)).toEqual(['mllp-framing', 'no-batch-headers']);
    expect(inspection.findings[0]!.message).toMatch(/^4 lines carry framing bytes \(VT and FS: a vertical tab and a file separator\), the first on line 1\./);
  });
});
