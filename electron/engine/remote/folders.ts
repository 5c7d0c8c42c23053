// Find the registry's role folders for an account. Texas logs some accounts in to the import-code
// folder (which holds HL7-Dropoff, Accepted, ...) and others to a root that holds `/<import code>/`;
// both layouts are found without the user knowing which one their server uses.
import type { RoleFolder } from '../../../shared/contract';
import type { Profile } from '../profiles/schema';
import { joinRemote, RemoteError, type RemoteFs } from './remote-fs';

/** All the folder search needs of a connection. */
type FolderLister = Pick<RemoteFs, 'home' | 'list'>;

async function folderNames(fs: FolderLister, path: string): Promise<string[] | null> {
  try {
    return (await fs.list(path)).filter((e) => e.kind === 'folder').map((e) => e.name);
  } catch (error) {
    // A place that is not there or not ours is simply not the account folder; a connection that
    // cannot list anything (a blocked data port, a drop) is a problem the user must hear about.
    if (error instanceof RemoteError && (error.code === 'not-found' || error.code === 'permission-denied')) return null;
    throw error;
  }
}

/** The server's own spelling of `wanted` among `names`, matched without regard to case. */
const spelled = (names: string[], wanted: string) => names.find((n) => n.toLowerCase() === wanted.toLowerCase());

export async function resolveRoleFolders(fs: FolderLister, profile: Profile, username: string): Promise<RoleFolder[]> {
  const home = await fs.home();
  const firstSegments = profile.folders.filter((f) => f.path !== '.').map((f) => f.path.split('/')[0] as string);

  // A set: when the login folder is `/<import code>` itself, it is listed (and reported) once.
  const candidates = [...new Set([home, ...(profile.username.isImportCode ? [joinRemote(home, username), `/${username}`] : [])])];

  for (const base of firstSegments.length === 0 ? [home] : candidates) {
    const names = firstSegments.length === 0 ? [] : await folderNames(fs, base);
    if (firstSegments.length > 0 && (names === null || !firstSegments.some((s) => spelled(names, s)))) continue;
    return profile.folders.map((f) => {
      if (f.path === '.') return { role: f.role, name: f.name, rights: [...f.rights], description: f.description, path: base };
      const [first, ...rest] = f.path.split('/') as [string, ...string[]];
      const actual = (names && spelled(names, first)) ?? first;
      return { role: f.role, name: f.name, rights: [...f.rights], description: f.description, path: joinRemote(base, [actual, ...rest].join('/')) };
    });
  }
  const wanted = firstSegments.join(', ');
  throw new RemoteError(
    'folders-missing',
    `Signed in, but the registry's folders (${wanted}) were not found. The account may not be set up yet; contact ${profile.support.team}${profile.support.phone ? ` at ${profile.support.phone}` : ''}.`,
    `Looked in ${candidates.join(', ')}.`,
  );
}
