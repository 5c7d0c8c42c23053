// "My Computer": the places to start from (home, its usual folders, drives) and folder listings.
// Read-only: the engine never writes here except to save a download the user asked for.
import { existsSync, type Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, parse, resolve } from 'node:path';
import type { EntryKind, ListingCounts, LocalEntry, LocalPlace } from '../../../shared/contract';
import { compareListed, firstInListingOrder } from '../../../shared/listing-order';
import type { ListingSource } from '../listing/listing-pages';
import { RemoteError } from '../remote/remote-fs';

export function localPlaces(platform: NodeJS.Platform = process.platform, home = homedir()): LocalPlace[] {
  const places: LocalPlace[] = [{ label: 'Home', path: home, kind: 'home' }];
  for (const name of ['Desktop', 'Documents', 'Downloads']) {
    const path = join(home, name);
    if (existsSync(path)) places.push({ label: name, path, kind: 'folder' });
  }
  if (platform === 'win32') {
    for (const letter of 'CDEFGHIJKLMNOPQRSTUVWXYZ') {
      const path = `${letter}:\\`;
      if (existsSync(path)) places.push({ label: `Drive ${letter}:`, path, kind: 'drive' });
    }
  } else {
    places.push({ label: 'Computer', path: '/', kind: 'drive' });
  }
  return places;
}

export interface LocalFolder {
  path: string;
  parent: string | null;
  /** Entries, files among them, and hidden ones among them: known before any entry is read in full. */
  counts: ListingCounts;
  /** The entries in the listing's order (shared/listing-order.ts), read in full a page at a time. */
  source: ListingSource<LocalEntry>;
}

/**
 * Opens a folder for listing: its names and kinds at once (one directory read; a link is followed to
 * learn what it points to), sorted as the window shows them; sizes and dates are read a page at a
 * time, so a folder of 20,000 files shows its first rows and its count without waiting for 20,000
 * file reads.
 */
export async function openLocalFolder(path: string): Promise<LocalFolder> {
  if (!isAbsolute(path)) throw new RemoteError('invalid-input', 'That is not a full folder path.');
  const folder = resolve(path);
  let found: Dirent[];
  try {
    found = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new RemoteError('not-found', `The folder ${folder} does not exist (any more).`);
    if (code === 'ENOTDIR') throw new RemoteError('invalid-input', `${folder} is a file, not a folder.`);
    if (code === 'EACCES' || code === 'EPERM') throw new RemoteError('permission-denied', `This computer does not let the app open ${folder}.`);
    throw new RemoteError('internal', `The folder ${folder} could not be read.`);
  }
  // Only a link (or a Windows junction) needs a look at what it points to; a broken one is not shown.
  const linked = await Promise.all(
    found
      .filter((dirent) => dirent.isSymbolicLink())
      .map((dirent) =>
        stat(join(folder, dirent.name)).then(
          (target) => ({ name: dirent.name, kind: kindOf(target) }),
          () => null,
        ),
      ),
  );
  const names: { name: string; kind: EntryKind }[] = found.filter((dirent) => !dirent.isSymbolicLink()).map((dirent) => ({ name: dirent.name, kind: kindOf(dirent) }));
  for (const link of linked) if (link) names.push(link);
  // Sorted whole only when a page past the first is asked for: the first page is picked out of the
  // names as they are (firstInListingOrder), so a big folder's first rows wait for no full sort.
  let sorted = false;
  const inOrder = () => {
    if (!sorted) names.sort(compareListed);
    sorted = true;
    return names;
  };
  const parent = parse(folder).root === folder ? null : dirname(folder);
  return {
    path: folder,
    parent,
    counts: {
      all: names.length,
      files: names.filter((n) => n.kind === 'file').length,
      hidden: names.filter((n) => isHidden(n.name)).length,
    },
    source: {
      total: names.length,
      read: async (from, count) => {
        const page = from === 0 && !sorted ? firstInListingOrder(names, count) : inOrder().slice(from, from + count);
        const entries = await Promise.all(page.map(({ name }) => readEntry(folder, name)));
        return entries.filter((e): e is LocalEntry => e !== null);
      },
    },
  };
}

/** A whole folder at once (the command line, and tests). */
export async function listLocalFolder(path: string): Promise<{ path: string; parent: string | null; entries: LocalEntry[] }> {
  const opened = await openLocalFolder(path);
  return { path: opened.path, parent: opened.parent, entries: await opened.source.read(0, opened.source.total) };
}

const isHidden = (name: string) => name.startsWith('.');
const kindOf = (s: { isDirectory(): boolean; isFile(): boolean }): EntryKind => (s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other');

async function readEntry(folder: string, name: string): Promise<LocalEntry | null> {
  const full = join(folder, name);
  try {
    const s = await stat(full);
    return { name, path: full, kind: kindOf(s), size: s.isFile() ? s.size : 0, modified: s.mtimeMs, hidden: isHidden(name) };
  } catch {
    return null; // a file that vanished since the folder was read: not worth an error
  }
}
