// The local history of transfers: one JSON line per upload, download or delete, appended and never
// rewritten, in the app's data folder. It records names, sizes and checksums so a clinic can show
// what it sent and when; it never holds file contents or credentials (the schema is strict, so a
// record with any other field is refused).
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export const TRANSFER_HISTORY_FILE_NAME = 'transfers.jsonl';

/**
 * The most characters a record keeps of each text. Names and paths: the longest path Windows allows
 * (32,767), so every real file's name and path is kept whole, 255-byte names in deep folders too;
 * only a name no file system holds (a hostile server's) is shortened. A record is never refused for
 * a long text: what is longer is shortened to fit, ending in "…".
 */
export const HISTORY_TEXT_LIMITS = {
  profileId: 60,
  account: 200,
  localName: 32_767,
  remoteName: 32_767,
  folder: 32_767,
  error: 4_000,
} as const;

export const transferRecordSchema = z
  .object({
    time: z.iso.datetime({ offset: true }),
    profileId: z.string().min(1).max(HISTORY_TEXT_LIMITS.profileId),
    account: z.string().max(HISTORY_TEXT_LIMITS.account),
    direction: z.enum(['upload', 'download', 'delete']),
    localName: z.string().max(HISTORY_TEXT_LIMITS.localName),
    remoteName: z.string().max(HISTORY_TEXT_LIMITS.remoteName),
    folder: z.string().max(HISTORY_TEXT_LIMITS.folder),
    size: z.number().int().nonnegative(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
    result: z.enum(['done', 'failed', 'cancelled']),
    error: z.string().max(HISTORY_TEXT_LIMITS.error).optional(),
  })
  .strict();

export type TransferRecord = z.infer<typeof transferRecordSchema>;

/** `text` cut to at most `max` UTF-16 units, ending in "…", never splitting a character made of two. */
function shortened(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = '';
  for (const character of text) {
    if (kept.length + character.length > max - 1) break;
    kept += character;
  }
  return `${kept}…`;
}

/** The record with every text that is longer than the history keeps shortened to fit. */
function fitted(record: TransferRecord): TransferRecord {
  const fit = { ...record };
  for (const [field, max] of Object.entries(HISTORY_TEXT_LIMITS) as [keyof typeof HISTORY_TEXT_LIMITS, number][]) {
    const value = fit[field];
    if (typeof value === 'string') (fit as Record<string, unknown>)[field] = shortened(value, max);
  }
  return fit;
}

export class TransferHistory {
  readonly file: string;
  /** Writes run one after another, so two lines are never interleaved or glued together. */
  private queue: Promise<void> = Promise.resolve();
  /**
   * Lines waiting for the next write. Lines appended while a write is under way go out together in
   * the following one: a batch of 300 small files is a handful of writes, not 300.
   */
  private collecting: { lines: string[]; written: Promise<void> } | null = null;

  constructor(private readonly dataDir: string) {
    this.file = join(dataDir, TRANSFER_HISTORY_FILE_NAME);
  }

  /** Resolves once the record is in the file. */
  append(record: TransferRecord): Promise<void> {
    const parsed = transferRecordSchema.safeParse(fitted(record));
    if (!parsed.success) {
      // Issue paths only: the values might be exactly what must not be written anywhere.
      const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || 'record'))].join(', ');
      return Promise.reject(new Error(`A transfer record was not saved to the history: ${fields} not valid.`));
    }
    let batch = this.collecting;
    if (!batch) {
      const lines: string[] = [];
      const written = this.queue.then(() => {
        // From here on, new lines wait for the next write.
        if (this.collecting?.lines === lines) this.collecting = null;
        return this.write(lines.join(''));
      });
      batch = { lines, written };
      this.collecting = batch;
      this.queue = written.catch(() => undefined);
    }
    batch.lines.push(`${JSON.stringify(parsed.data)}\n`);
    return batch.written;
  }

  private async openForAppending(): Promise<FileHandle> {
    try {
      return await open(this.file, 'a+', 0o600);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
      return open(this.file, 'a+', 0o600);
    }
  }

  private async write(text: string): Promise<void> {
    const handle = await this.openForAppending();
    try {
      const { size, mode } = await handle.stat();
      // Only its owner may read it, whoever created it.
      if ((mode & 0o777) !== 0o600) await handle.chmod(0o600);
      // A crash in the middle of an earlier write leaves a line without its newline; start a fresh
      // line so this record does not get glued to the broken one and lost with it.
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      // One write: with O_APPEND it lands whole even if the CLI appends at the same time.
      await handle.write(prefix + text);
    } finally {
      await handle.close();
    }
  }

  /** Newest first (in the order they were recorded). Damaged lines are skipped; no file = no history. */
  async list(options: { limit?: number } = {}): Promise<TransferRecord[]> {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    if (limit <= 0) return [];
    await this.queue;
    let handle: FileHandle;
    try {
      handle = await open(this.file, 'r');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return [];
      throw error;
    }
    const records: TransferRecord[] = [];
    try {
      for await (const line of handle.readLines({ encoding: 'utf8' })) {
        const record = parseLine(line);
        if (!record) continue;
        records.push(record);
        // Keep only the newest `limit` so a years-long history is read with bounded memory.
        if (records.length >= 2 * limit) records.splice(0, records.length - limit);
      }
    } finally {
      await handle.close();
    }
    return records.slice(-limit).reverse();
  }
}

function parseLine(line: string): TransferRecord | null {
  const text = line.trim();
  if (text === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = transferRecordSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
