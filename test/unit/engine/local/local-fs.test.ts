// "My Computer": what the left pane shows for a real folder on disk.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listLocalFolder, localPlaces } from '../../../../electron/engine/local/local-fs';
import { RemoteError } from '../../../../electron/engine/remote/remote-fs';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rt-local-'));
  writeFileSync(join(dir, 'TX1234_20261114.HL7'), 'MSH|^~\\&|clinic\r');
  writeFileSync(join(dir, 'empty.txt'), '');
  writeFileSync(join(dir, '.hidden-settings'), 'x'.repeat(42));
  mkdirSync(join(dir, 'Batches'));
  writeFileSync(join(dir, 'Batches', 'inside.HL7'), 'not listed one level up');
  symlinkSync(join(dir, 'gone'), join(dir, 'broken-link'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function failureOf(path: string): Promise<RemoteError> {
  const error: unknown = await listLocalFolder(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RemoteError);
  return error as RemoteError;
}

describe('listLocalFolder', () => {
  it('lists names, kinds, sizes and hidden dot-files of the folder itself, and its parent', async () => {
    const listing = await listLocalFolder(dir);
    expect(listing.path).toBe(dir);
    expect(listing.parent).toBe(dirname(dir));
    const byName = Object.fromEntries(listing.entries.map((e) => [e.name, e]));
    expect(Object.keys(byName).sort()).toEqual(['.hidden-settings', 'Batches', 'TX1234_20261114.HL7', 'empty.txt']);
    expect(byName['TX1234_20261114.HL7']).toMatchObject({ kind: 'file', size: 16, hidden: false, path: join(dir, 'TX1234_20261114.HL7') });
    expect(byName['empty.txt']).toMatchObject({ kind: 'file', size: 0, hidden: false });
    expect(byName['.hidden-settings']).toMatchObject({ kind: 'file', size: 42, hidden: true });
    expect(byName.Batches).toMatchObject({ kind: 'folder', size: 0, hidden: false });
    expect(typeof byName.Batches?.modified).toBe('number');
  });

  it('tidies a path with .. and trailing slashes into the folder it means', async () => {
    const listing = await listLocalFolder(`${join(dir, 'Batches')}/../Batches/`);
    expect(listing.path).toBe(join(dir, 'Batches'));
    expect(listing.parent).toBe(dir);
    expect(listing.entries.map((e) => e.name)).toEqual(['inside.HL7']);
  });

  it('has no parent above the root', async () => {
    expect((await listLocalFolder('/')).parent).toBeNull();
  });

  it('refuses a relative path', async () => {
    const error = await failureOf('Batches');
    expect(error.code).toBe('invalid-input');
    expect(error.message).toBe('That is not a full folder path.');
  });

  it('says a missing folder is not found', async () => {
    const missing = join(dir, 'No Such Folder');
    const error = await failureOf(missing);
    expect(error.code).toBe('not-found');
    expect(error.message).toBe(`The folder ${missing} does not exist (any more).`);
  });

  it('says a file is not a folder', async () => {
    const file = join(dir, 'empty.txt');
    const error = await failureOf(file);
    expect(error.code).toBe('invalid-input');
    expect(error.message).toBe(`${file} is a file, not a folder.`);
  });
});

describe('localPlaces', () => {
  it('offers home, the usual folders that exist, and the computer root', () => {
    const home = join(dir, 'fake-home');
    mkdirSync(join(home, 'Documents'), { recursive: true });
    expect(localPlaces('linux', home)).toEqual([
      { label: 'Home', path: home, kind: 'home' },
      { label: 'Documents', path: join(home, 'Documents'), kind: 'folder' },
      { label: 'Computer', path: '/', kind: 'drive' },
    ]);
  });
});
