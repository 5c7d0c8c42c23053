// "My Computer": the places to start from (home, its usual folders, drives) and folder listings.
// Read-only: the engine never writes here except to save a download the user asked for.
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, parse, resolve } from 'node:path';
import type { LocalEntry, LocalPlace } from '../../../shared/contract';
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

export async function listLocalFolder(path: string): Promise<{ path: string; parent: string | null; entries: LocalEntry[] }> {
  if (!isAbsolute(path)) throw new RemoteError('invalid-input', 'That is not a full folder path.');
  const folder = resolve(path);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new RemoteError('not-found', `The folder ${folder} does not exist (any more).`);
    if (code === 'ENOTDIR') throw new RemoteError('invalid-input', `${folder} is a file, not a folder.`);
    if (code === 'EACCES' || code === 'EPERM') throw new RemoteError('permission-denied', `This computer does not let the app open ${folder}.`);
    throw new RemoteError('internal', `The folder ${folder} could not be read.`);
  }
  const entries = await Promise.all(
    names.map(async (name): Promise<LocalEntry | null> => {
      const full = join(folder, name);
      try {
        const s = await stat(full);
        return {
          name,
          path: full,
          kind: s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other',
          size: s.isFile() ? s.size : 0,
          modified: s.mtimeMs,
          hidden: name.startsWith('.'),
        };
      } catch {
        return null; // a broken link or a file that vanished: not worth an error
      }
    }),
  );
  const parent = parse(folder).root === folder ? null : dirname(folder);
  return { path: folder, parent, entries: entries.filter((e): e is LocalEntry => e !== null) };
}
