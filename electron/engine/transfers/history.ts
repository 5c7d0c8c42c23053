// The local history of transfers: one JSON line per upload, download or delete, appended and never
// rewritten, in the app's data folder. It records names, sizes and checksums so a clinic can show
// what it sent and when; it never holds file contents or credentials (the schema is strict, so a
// record with any other field is refused).
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export const TRANSFER_HISTORY_FILE_NAME = 'transfers.jsonl';

export const transferRecordSchema = z
  .object({
    time: z.iso.datetime({ offset: true }),
    profileId: z.string().min(1).max(60),
    account: z.string().max(200),
    direction: z.enum(['upload', 'download', 'delete']),
    localName: z.string().max(4096),
    remoteName: z.string().max(4096),
    folder: z.string().max(4096),
    size: z.number().int().nonnegative(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
    result: z.enum(['done', 'failed', 'cancelled']),
    error: z.string().max(1000).optional(),
  })
  .strict();

export type TransferRecord = z.infer<typeof transferRecordSchema>;

export class TransferHistory {
  readonly file: string;
  /** Appends run one after another, so two lines are never interleaved or glued together. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly dataDir: string) {
    this.file = join(dataDir, TRANSFER_HISTORY_FILE_NAME);
  }

  append(record: TransferRecord): Promise<void> {
    const parsed = transferRecordSchema.safeParse(record);
    if (!parsed.success) {
      // Issue paths only: the values might be exactly what must not be written anywhere.
      const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || 'record'))].join(', ');
      return Promise.reject(new Error(`A transfer record was not saved to the history: ${fields} not valid.`));
    }
    const line = `${JSON.stringify(parsed.data)}\n`;
    const write = this.queue.then(() => this.write(line));
    this.queue = write.catch(() => undefined);
    return write;
  }

  private async write(line: string): Promise<void> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    const handle = await open(this.file, 'a+', 0o600);
    try {
      await handle.chmod(0o600);
      // A crash in the middle of an earlier write leaves a line without its newline; start a fresh
      // line so this record does not get glued to the broken one and lost with it.
      const { size } = await handle.stat();
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      // One write per record: with O_APPEND it lands whole even if the CLI appends at the same time.
      await handle.write(prefix + line);
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
