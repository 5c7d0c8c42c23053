// "My Computer": what the left pane shows for a real folder on disk.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalEntry } from '../../../../shared/contract';
import { compareListed } from '../../../../shared/listing-order';
import { FIRST_PAGE_SIZE, ListingPages } from '../../../../electron/engine/listing/listing-pages';
import { listLocalFolder, localPlaces, openLocalFolder } from '../../../../electron/engine/local/local-fs';
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

describe('openLocalFolder: a big folder in pages (issue 18)', () => {
  let big: string;
  beforeAll(() => {
    big = join(dir, 'Big export');
    mkdirSync(big);
    for (let i = 1; i <= 1450; i += 1) writeFileSync(join(big, `file${i}.HL7`), 'x'.repeat(i));
    for (const name of ['.hidden-a', '.hidden-b']) writeFileSync(join(big, name), '');
    mkdirSync(join(big, 'zeta folder'));
    mkdirSync(join(big, 'Alpha folder'));
    symlinkSync(join(dir, 'Batches'), join(big, 'link to a folder'));
    symlinkSync(join(big, 'nowhere'), join(big, 'broken link'));
  });

  it('counts the whole folder at once and gives every entry once, in pages, folders first then names as people read them', async () => {
    const opened = await openLocalFolder(big);
    // 1,450 files, 2 hidden files, 2 folders and a link to a folder; the broken link is not shown.
    expect(opened.counts).toEqual({ all: 1455, files: 1452, hidden: 2 });
    const pages = new ListingPages<LocalEntry>();
    const first = await pages.start(opened.source);
    expect(first.entries).toHaveLength(FIRST_PAGE_SIZE);
    const all = [...first.entries];
    for (let more = first.more; more !== null; ) {
      const page = await pages.next(more);
      all.push(...page.entries);
      more = page.more;
    }
    expect(all.map((e) => e.name)).toEqual([...all].sort(compareListed).map((e) => e.name));
    expect(new Set(all.map((e) => e.name)).size).toBe(1455);
    expect(first.more).not.toBeNull();
    expect(all.slice(0, 3).map((e) => [e.name, e.kind])).toEqual([
      ['Alpha folder', 'folder'],
      ['link to a folder', 'folder'],
      ['zeta folder', 'folder'],
    ]);
    // Numbers by value: file9 before file10, file99 before file100.
    const names = all.map((e) => e.name);
    expect(names.indexOf('file9.HL7')).toBeLessThan(names.indexOf('file10.HL7'));
    expect(names.indexOf('file99.HL7')).toBeLessThan(names.indexOf('file100.HL7'));
    expect(all.find((e) => e.name === 'file123.HL7')).toMatchObject({ kind: 'file', size: 123, hidden: false, path: join(big, 'file123.HL7') });
    expect(all.filter((e) => e.hidden).map((e) => e.name)).toEqual(['.hidden-a', '.hidden-b']);
  });

  it('leaves out a file removed between the count and its page, and says nothing of it', async () => {
    const opened = await openLocalFolder(big);
    rmSync(join(big, 'file1450.HL7'));
    const entries = await opened.source.read(0, opened.source.total);
    expect(entries).toHaveLength(1454);
    expect(entries.some((e) => e.name === 'file1450.HL7')).toBe(false);
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
