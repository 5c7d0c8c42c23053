// fetchFile holds a download to the size the server stated, whatever the adapter does: it learns the
// size (given, else stat/SIZE, else the folder's listing), hands it to the adapter as the most bytes
// allowed, and saves the file only when exactly that many arrived. Against an in-memory RemoteFs
// whose download writes what a test says, so an adapter that ignores the limit is caught here too;
// the adapters themselves are tested against real servers (test/integration/sftp-hostile-downloads).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteEntry, RoleFolder } from '../../../../shared/contract';
import { RemoteError, type RemoteFs, type TransferOptions } from '../../../../electron/engine/remote/remote-fs';
import { fetchFile, statedSizeOf } from '../../../../electron/engine/transfers/download';

const folder: RoleFolder = { role: 'reports', name: 'DQA-Report', path: '/TX1234/DQA-Report', rights: ['list', 'read'], description: 'Reports.' };
const NAME = 'TX1234_20261114_DQA.txt';

interface FakeServer {
  /** What SIZE/stat answers: a size, null for "no such file", or an error. */
  size: number | null | RemoteError;
  listing?: RemoteEntry[];
  /** The bytes the download writes, whatever it is asked. */
  sends: number;
}

function fakeFs(server: FakeServer) {
  const asked = { size: 0, list: 0, maxBytes: [] as (number | undefined)[] };
  const fs: RemoteFs = {
    protocol: 'sftp',
    parallelTransfers: 1,
    usable: true,
    home: async () => '/TX1234',
    async size() {
      asked.size += 1;
      if (server.size instanceof RemoteError) throw server.size;
      return server.size;
    },
    async list() {
      asked.list += 1;
      return server.listing ?? [];
    },
    async download(_remotePath: string, localPath: string, options: TransferOptions = {}) {
      asked.maxBytes.push(options.maxBytes);
      await writeFile(localPath, Buffer.alloc(server.sends, 'a'), { flag: 'wx' });
    },
    read: async () => {
      throw new Error('not used here');
    },
    upload: async () => null,
    rename: async () => undefined,
    remove: async () => undefined,
    close: async () => undefined,
  };
  return { fs, asked };
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rt-stated-size-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
const freshFolder = () => mkdtempSync(join(root, 'to-'));

describe('a download held to the size the server stated', () => {
  it('saves a file that brought exactly its stated size, and told the adapter that size as its limit', async () => {
    const { fs, asked } = fakeFs({ size: 300, sends: 300 });
    const to = freshFolder();
    const saved = await fetchFile(fs, folder, NAME, to);
    expect(saved).toMatchObject({ localPath: join(to, NAME), size: 300, renamed: false });
    expect(readFileSync(join(to, NAME))).toHaveLength(300);
    expect(asked.maxBytes).toEqual([300]);
  });

  it('refuses a file that brought more, even from an adapter that ignored the limit, and keeps nothing', async () => {
    const { fs } = fakeFs({ size: 100, sends: 5000 });
    const to = freshFolder();
    await expect(fetchFile(fs, folder, NAME, to)).rejects.toMatchObject({
      code: 'incomplete',
      message: `The registry server kept sending ${NAME} past its stated size (more than 100 bytes), so the download was stopped and nothing was saved.`,
    });
    expect(readdirSync(to)).toEqual([]);
  });

  it('reports a file that ended short as incomplete, and keeps nothing', async () => {
    const { fs } = fakeFs({ size: 1000, sends: 400 });
    const to = freshFolder();
    await expect(fetchFile(fs, folder, NAME, to)).rejects.toMatchObject({
      code: 'incomplete',
      message: `The download of ${NAME} ended early: only 400 of 1,000 bytes arrived; nothing was saved. Try again; if it keeps happening, tell the registry's support team.`,
    });
    expect(readdirSync(to)).toEqual([]);
  });

  it('refuses any byte from a file stated as empty', async () => {
    const { fs, asked } = fakeFs({ size: 0, sends: 1 });
    const to = freshFolder();
    await expect(fetchFile(fs, folder, NAME, to)).rejects.toMatchObject({ code: 'incomplete' });
    expect(asked.maxBytes).toEqual([0]);
    expect(readdirSync(to)).toEqual([]);
  });

  it('refuses a file stated larger than the free space on the disk without asking the server for it', async () => {
    const { fs, asked } = fakeFs({ size: Number.MAX_SAFE_INTEGER, sends: 10 });
    const to = freshFolder();
    await expect(fetchFile(fs, folder, NAME, to)).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringContaining(`The registry server says ${NAME} is 9,007,199,254,740,991 bytes, more than the `),
    });
    expect(asked.maxBytes).toEqual([]);
    expect(readdirSync(to)).toEqual([]);
  });

  it('takes the size the caller read from the listing without asking again', async () => {
    const { fs, asked } = fakeFs({ size: 999, sends: 42 });
    const saved = await fetchFile(fs, folder, NAME, freshFolder(), { statedSize: 42 });
    expect(saved.size).toBe(42);
    expect(asked).toMatchObject({ size: 0, list: 0, maxBytes: [42] });
  });
});

describe('the size the server states for a file', () => {
  it('is its stat or SIZE answer', async () => {
    const { fs, asked } = fakeFs({ size: 77, sends: 0 });
    expect(await statedSizeOf(fs, folder, NAME)).toBe(77);
    expect(asked.list).toBe(0);
  });

  it('comes from the folder listing when the server will not answer SIZE', async () => {
    const listing: RemoteEntry[] = [
      { name: NAME.toLowerCase(), kind: 'file', size: 1, modified: null },
      { name: NAME, kind: 'file', size: 512, modified: null },
    ];
    const { fs } = fakeFs({ size: new RemoteError('internal', 'SIZE not understood'), listing, sends: 0 });
    expect(await statedSizeOf(fs, folder, NAME)).toBe(512);
  });

  it('is "not there any more" when the server says there is no such file, or lists none', async () => {
    const gone = `${NAME} is not in DQA-Report (any more). Refresh the list.`;
    await expect(statedSizeOf(fakeFs({ size: null, sends: 0 }).fs, folder, NAME)).rejects.toMatchObject({ code: 'not-found', message: gone });
    const folderOnly: RemoteEntry[] = [{ name: NAME, kind: 'folder', size: 4096, modified: null }];
    await expect(statedSizeOf(fakeFs({ size: new RemoteError('permission-denied', 'no'), listing: folderOnly, sends: 0 }).fs, folder, NAME)).rejects.toMatchObject({
      code: 'not-found',
      message: gone,
    });
  });

  it('passes a dropped connection on as it is, without listing the folder', async () => {
    const dropped = new RemoteError('unreachable', 'The connection to the registry was dropped.');
    const { fs, asked } = fakeFs({ size: dropped, sends: 0 });
    await expect(statedSizeOf(fs, folder, NAME)).rejects.toBe(dropped);
    expect(asked.list).toBe(0);
  });
});
