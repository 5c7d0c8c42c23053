// HL7 v2 batch files for transfer tests: valid ones (small, or hundreds of megabytes written as a
// stream), ones with broken counts, and files that are not HL7 at all. Each message carries a made-up
// patient whose name is unusual enough that finding it anywhere else (a log, the history) means the
// file's contents leaked.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, writeFileSync } from 'node:fs';

/** A made-up patient that must never appear outside the file itself. */
export const SAMPLE_PATIENT = { surname: 'QUILLFEATHER', given: 'OTTILIE', birthDate: '19790322', street: 'HAWTHORNE-MEW' } as const;

export interface BatchOptions {
  /** The sender's import code, put where a clinic's EHR puts it (MSH-4, PID-3 authority). */
  importCode: string;
  messages?: number;
  /** What BTS-1 claims; the real count when absent. */
  batchTrailerCount?: number;
  /** What FTS-1 claims; 1 (one batch) when absent. */
  fileTrailerCount?: number;
  /** Makes two files with the same shape differ in content. */
  variant?: string;
}

function messageSegments(importCode: string, n: number, variant: string): string[] {
  const id = `${variant}${String(n).padStart(7, '0')}`;
  const { surname, given, birthDate, street } = SAMPLE_PATIENT;
  return [
    `MSH|^~\\&|CLINICEHR|${importCode}|IMMTRAC|TXDSHS|20261121093000||VXU^V04^VXU_V04|MSG${id}|P|2.5.1`,
    `PID|1||PAT${id}^^^${importCode}^MR||${surname}^${given}^^^^^L||${birthDate}|F|||4711 ${street} LN^^AUSTIN^TX^78701`,
    `ORC|RE||IMM${id}^${importCode}`,
    `RXA|0|1|20261101|20261101|08^HepB pediatric^CVX|0.5|mL^mL^UCUM||00^New record^NIP001`,
  ];
}

/** The segments of a one-batch file (FHS, BHS, messages, BTS, FTS), without terminators. */
export function batchSegments(options: BatchOptions): string[] {
  const count = options.messages ?? 3;
  const variant = options.variant ?? 'A';
  const segments = [
    `FHS|^~\\&|CLINICEHR|${options.importCode}|IMMTRAC|TXDSHS|20261121093000`,
    `BHS|^~\\&|CLINICEHR|${options.importCode}|IMMTRAC|TXDSHS|20261121093000`,
  ];
  for (let n = 1; n <= count; n += 1) segments.push(...messageSegments(options.importCode, n, variant));
  segments.push(`BTS|${options.batchTrailerCount ?? count}`, `FTS|${options.fileTrailerCount ?? 1}`);
  return segments;
}

/** A batch file's bytes, segments ended by carriage returns as the registries expect. */
export function hl7Batch(options: BatchOptions): Buffer {
  return Buffer.from(`${batchSegments(options).join('\r')}\r`, 'latin1');
}

export function writeHl7Batch(path: string, options: BatchOptions): Buffer {
  const bytes = hl7Batch(options);
  writeFileSync(path, bytes);
  return bytes;
}

/** The first bytes of a PDF: what a clinic sends when it picks the wrong file. */
export function pdfDocument(): Buffer {
  return Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
}

/**
 * A valid one-batch file of at least `minBytes`, written as a stream with bounded memory.
 * Returns its size and SHA-256.
 */
export async function writeLargeHl7Batch(path: string, options: { importCode: string; minBytes: number }): Promise<{ size: number; sha256: string; messages: number }> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  let size = 0;
  const write = (bytes: Buffer) =>
    new Promise<void>((resolve, reject) => {
      hash.update(bytes);
      size += bytes.length;
      out.write(bytes, (error) => (error ? reject(error) : resolve()));
    });
  const { importCode } = options;
  await write(Buffer.from(`FHS|^~\\&|CLINICEHR|${importCode}|IMMTRAC|TXDSHS|20261121093000\rBHS|^~\\&|CLINICEHR|${importCode}|IMMTRAC|TXDSHS|20261121093000\r`, 'latin1'));
  let messages = 0;
  const perBlock = 2000;
  while (size < options.minBytes) {
    const block: string[] = [];
    for (let i = 0; i < perBlock; i += 1) block.push(`${messageSegments(importCode, ++messages, 'L').join('\r')}\r`);
    await write(Buffer.from(block.join(''), 'latin1'));
  }
  await write(Buffer.from(`BTS|${messages}\rFTS|1\r`, 'latin1'));
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { size, sha256: hash.digest('hex'), messages };
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const sha256Of = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
