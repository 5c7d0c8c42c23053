// The transfer history: what the clinic sent and fetched, newest first, kept in a file only the user
// can read, surviving damage, and never holding anything but names, sizes and checksums.
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TRANSFER_HISTORY_FILE_NAME,
  TransferHistory,
  transferRecordSchema,
  type TransferRecord,
} from '../../../../electron/engine/transfers/history';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rt-history-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

let dirCounter = 0;
/** A data folder that does not exist yet, as on the first run. */
const freshDataDir = () => join(root, `data-${++dirCounter}`, 'Registry Transfer');

const SHA = 'a'.repeat(64);
const record = (overrides: Partial<TransferRecord> = {}): TransferRecord => ({
  time: '2026-11-14T09:30:00.000Z',
  profileId: 'texas-immtrac2',
  account: 'ABC123',
  direction: 'upload',
  localName: 'ABC123_20261114.HL7',
  remoteName: 'ABC123_20261114.HL7',
  folder: 'HL7-Dropoff',
  size: 48_213,
  sha256: SHA,
  result: 'done',
  ...overrides,
});

describe('TransferHistory', () => {
  it('has no history before the first transfer, even without a data folder', async () => {
    expect(await new TransferHistory(freshDataDir()).list()).toEqual([]);
  });

  it('lists transfers newest first, in a file and folder only the user can read', async () => {
    const dataDir = freshDataDir();
    const history = new TransferHistory(dataDir);
    const first = record({ time: '2026-11-14T09:30:00.000Z' });
    const second = record({ time: '2026-11-14T09:31:00.000Z', direction: 'download', folder: 'DQA-Report', remoteName: 'DQA.txt', localName: 'DQA (2).txt', sha256: null });
    const third = record({ time: '2026-11-14T09:32:00.000Z', result: 'failed', error: 'The connection was closed by the registry.' });
    await history.append(first);
    await history.append(second);
    await history.append(third);

    expect(await history.list()).toEqual([third, second, first]);
    expect(await history.list({ limit: 2 })).toEqual([third, second]);
    expect(await history.list({ limit: 0 })).toEqual([]);
    expect(await new TransferHistory(dataDir).list()).toEqual([third, second, first]);

    const file = join(dataDir, TRANSFER_HISTORY_FILE_NAME);
    expect(history.file).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(JSON.parse(lines[0]!)).toEqual(first);
  });

  it('makes an existing history file private again', async () => {
    const dataDir = freshDataDir();
    const history = new TransferHistory(dataDir);
    await history.append(record());
    const file = join(dataDir, TRANSFER_HISTORY_FILE_NAME);
    chmodSync(file, 0o644);
    await history.append(record());
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps every record when many are appended at once, each on its own line', async () => {
    const dataDir = freshDataDir();
    const history = new TransferHistory(dataDir);
    const records = Array.from({ length: 50 }, (_, i) =>
      record({ time: new Date(Date.UTC(2026, 10, 14, 9, 0, i)).toISOString(), remoteName: `ABC123_${String(i).padStart(2, '0')}.HL7`, size: i }),
    );
    await Promise.all(records.map((r) => history.append(r)));
    // A second instance over the same file (the app and the CLI) appending at the same time.
    const other = new TransferHistory(dataDir);
    await Promise.all([history.append(record({ remoteName: 'from-app.HL7' })), other.append(record({ remoteName: 'from-cli.HL7' }))]);

    const lines = readFileSync(join(dataDir, TRANSFER_HISTORY_FILE_NAME), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(52);
    for (const line of lines) expect(transferRecordSchema.safeParse(JSON.parse(line)).success).toBe(true);
    const listed = await history.list();
    expect(listed.slice(2)).toEqual([...records].reverse());
    expect(listed.slice(0, 2).map((r) => r.remoteName).sort()).toEqual(['from-app.HL7', 'from-cli.HL7']);
  });

  it('writes records that arrive together in one go, and a write that fails fails each of them; the next write works again', async () => {
    const dataDir = freshDataDir();
    const history = new TransferHistory(dataDir);
    await history.append(record({ remoteName: 'before.HL7' }));
    const file = join(dataDir, TRANSFER_HISTORY_FILE_NAME);
    // The history file replaced by a folder: nothing can be appended.
    rmSync(file);
    mkdirSync(file);
    const outcomes = await Promise.allSettled([1, 2, 3].map((i) => history.append(record({ remoteName: `lost-${i}.HL7` }))));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    rmSync(file, { recursive: true });
    await Promise.all([history.append(record({ remoteName: 'after-1.HL7' })), history.append(record({ remoteName: 'after-2.HL7' }))]);
    expect((await history.list()).map((r) => r.remoteName)).toEqual(['after-2.HL7', 'after-1.HL7']);
  });

  it('skips damaged lines and keeps appending after a line cut short', async () => {
    const dataDir = freshDataDir();
    const history = new TransferHistory(dataDir);
    const good = record({ remoteName: 'good.HL7' });
    await history.append(good);
    const file = join(dataDir, TRANSFER_HISTORY_FILE_NAME);
    appendFileSync(file, 'not json at all\n\n');
    appendFileSync(file, `${JSON.stringify({ ...good, size: -5 })}\n`); // valid JSON, not a valid record
    appendFileSync(file, `${JSON.stringify({ ...good, remoteName: 'windows.HL7' })}\r\n`); // edited in Notepad
    appendFileSync(file, JSON.stringify(good).slice(0, 40)); // the app stopped in the middle of a write
    const after = record({ remoteName: 'after-crash.HL7' });
    await history.append(after);

    expect((await history.list()).map((r) => r.remoteName)).toEqual(['after-crash.HL7', 'windows.HL7', 'good.HL7']);
  });

  it('refuses a record that is not valid or carries anything beyond the known fields', async () => {
    const dataDir = freshDataDir();
    const history = new TransferHistory(dataDir);
    const withPassword = { ...record(), password: 'Winter2026!' } as TransferRecord;
    await expect(history.append(withPassword)).rejects.toThrow(/not saved to the history/);
    await expect(history.append({ ...record(), contents: 'MSH|^~\\&|...' } as TransferRecord)).rejects.toThrow(/not saved/);
    await expect(history.append(record({ sha256: 'not-a-hash' }))).rejects.toThrow(/sha256/);
    await expect(history.append(record({ time: 'yesterday' }))).rejects.toThrow(/time/);
    await expect(history.append(record({ size: 1.5 }))).rejects.toThrow(/size/);
    // The error names the field, never the value it held.
    await expect(history.append(withPassword)).rejects.not.toThrow(/Winter2026/);
    // A refused record does not stop the next one.
    await history.append(record({ remoteName: 'next.HL7' }));
    expect((await history.list()).map((r) => r.remoteName)).toEqual(['next.HL7']);
    expect(readFileSync(join(dataDir, TRANSFER_HISTORY_FILE_NAME), 'utf8')).not.toContain('Winter2026');
  });

  it('drops records with unknown fields when reading, too', async () => {
    const dataDir = freshDataDir();
    const history = new TransferHistory(dataDir);
    await history.append(record({ remoteName: 'kept.HL7' }));
    appendFileSync(join(dataDir, TRANSFER_HISTORY_FILE_NAME), `${JSON.stringify({ ...record(), password: 'x' })}\n`);
    expect((await history.list()).map((r) => r.remoteName)).toEqual(['kept.HL7']);
  });

  it('passes on the file system error when the data folder is a file', async () => {
    const notAFolder = join(root, 'plain-file');
    writeFileSync(notAFolder, '');
    const history = new TransferHistory(notAFolder);
    await expect(history.append(record())).rejects.toMatchObject({ code: expect.stringMatching(/^(EEXIST|ENOTDIR)$/) as string });
    await expect(history.list()).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
