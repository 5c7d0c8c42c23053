// A history record is never dropped for a long name (issue 11, item 14): 255-byte names (the most
// a file system takes), in ASCII and in multi-byte UTF-8, are kept whole, in paths longer than 4,096
// characters too (Windows long paths); a name longer than any file system holds (a hostile server's)
// and a long error are shortened to fit, ending in "…", and the record is kept.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_TEXT_LIMITS, TransferHistory, type TransferRecord } from '../../../../electron/engine/transfers/history';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rt-history-long-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});
let count = 0;
const freshHistory = () => new TransferHistory(join(root, `data-${++count}`));

const record = (overrides: Partial<TransferRecord>): TransferRecord => ({
  time: '2026-12-03T09:30:00.000Z',
  profileId: 'texas-immtrac2',
  account: 'TX1234',
  direction: 'upload',
  localName: 'C:\\Exports\\TX1234_20261203.HL7',
  remoteName: 'TX1234_20261203.HL7',
  folder: 'dropoff',
  size: 48_213,
  sha256: 'b'.repeat(64),
  result: 'done',
  ...overrides,
});

/** A name of exactly 255 bytes in UTF-8: the import code, then `fill` repeated, then `.HL7`. */
function name255(fill: string): string {
  let name = 'TX1234_';
  while (Buffer.byteLength(`${name}${fill}.HL7`) <= 255) name += fill;
  while (Buffer.byteLength(`${name}.HL7`) < 255) name += 'x';
  return `${name}.HL7`;
}

describe('TransferHistory and long names', () => {
  const names = [
    ['ASCII', name255('a')],
    ['two-byte UTF-8 (é)', name255('é')],
    ['three-byte UTF-8 (日)', name255('日')],
    ['four-byte UTF-8 (😀, two UTF-16 units each)', name255('😀')],
  ] as const;

  it.each(names)('keeps a 255-byte %s name whole, in a Windows long path of over 4,096 characters', async (_kind, name) => {
    expect(Buffer.byteLength(name)).toBe(255);
    const history = freshHistory();
    const deepFolder = `\\\\?\\C:\\${'Registry exports\\'.repeat(300)}`;
    const upload = record({ localName: `${deepFolder}${name}`, remoteName: name });
    const download = record({ direction: 'download', localName: `${deepFolder}${name.slice(0, 100)}.HL7`, remoteName: name, folder: 'accepted', sha256: null });
    const failed = record({ remoteName: name, result: 'failed', error: `${name} was not delivered. The registry refused ${name}: it is over its quota.` });
    expect(upload.localName.length).toBeGreaterThan(4096);
    await Promise.all([history.append(upload), history.append(download), history.append(failed)]);
    expect(await history.list()).toEqual([failed, download, upload]);
  });

  it('shortens a name longer than any file system holds, without splitting a character, and keeps the record', async () => {
    const history = freshHistory();
    const hostile = `${'😀'.repeat(20_000)}.HL7`;
    const error = `Sending ${'日'.repeat(5_000)} failed.`;
    await history.append(record({ direction: 'download', remoteName: hostile, localName: '', folder: 'reports', result: 'failed', error, sha256: null }));
    const [kept] = await history.list();
    expect(kept?.remoteName.length).toBe(HISTORY_TEXT_LIMITS.remoteName);
    expect(kept?.remoteName.endsWith('😀…')).toBe(true);
    expect(hostile.startsWith(kept?.remoteName.slice(0, -1) ?? '-')).toBe(true);
    expect(kept?.error?.length).toBeLessThanOrEqual(HISTORY_TEXT_LIMITS.error);
    expect(kept?.error?.endsWith('日…')).toBe(true);
    // One well-formed line: no lone half of a surrogate pair was written.
    const text = readFileSync(history.file, 'utf8');
    expect(text.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(text).not.toMatch(/\\ud[89a-f][0-9a-f]{2}/i);
  });
});
