// Finding the registry's folders for an account without the user knowing the server's layout.
import { describe, expect, it } from 'vitest';
import type { RemoteEntry } from '../../../../shared/contract';
import { parseProfile, builtInProfiles, type Profile } from '../../../../electron/engine/profiles';
import { resolveRoleFolders } from '../../../../electron/engine/remote/folders';
import { RemoteError, type RemoteFs } from '../../../../electron/engine/remote/remote-fs';

/** A server's folder tree in memory: each folder path lists the names of the folders inside it. */
class InMemoryRemoteFs implements Pick<RemoteFs, 'home' | 'list' | 'close'> {
  readonly protocol = 'sftp' as const;
  readonly listed: string[] = [];

  constructor(
    private readonly homePath: string,
    private readonly tree: Record<string, string[]>,
    private readonly unreadable: string[] = [],
  ) {}

  async home(): Promise<string> {
    return this.homePath;
  }

  async list(path: string): Promise<RemoteEntry[]> {
    this.listed.push(path);
    if (this.unreadable.includes(path)) throw new RemoteError('permission-denied', `no access to ${path}`);
    const names = this.tree[path];
    if (!names) throw new RemoteError('not-found', `${path} was not found`);
    return [
      { name: '.', kind: 'folder', size: 0, modified: null },
      { name: 'readme.txt', kind: 'file', size: 10, modified: null },
      ...names.map((name): RemoteEntry => ({ name, kind: 'folder', size: 0, modified: null })),
    ];
  }

  async close(): Promise<void> {}
}

const builtIn = (id: string): Profile => builtInProfiles.find((p) => p.id === id) as Profile;
const texas = builtIn('texas-immtrac2');
const colorado = builtIn('colorado-ciis');
const TEXAS_FOLDERS = ['HL7-Dropoff', 'Accepted', 'DQA-Report', 'Receive'];
const pathsByRole = (folders: { role: string; path: string }[]) => Object.fromEntries(folders.map((f) => [f.role, f.path]));

async function refusal(promise: Promise<unknown>): Promise<RemoteError> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RemoteError);
  return error as RemoteError;
}

describe('resolveRoleFolders', () => {
  it('finds the folders in the folder the account logs in to', async () => {
    const fs = new InMemoryRemoteFs('/TX1234', { '/TX1234': TEXAS_FOLDERS });
    const folders = await resolveRoleFolders(fs, texas, 'TX1234');
    expect(pathsByRole(folders)).toEqual({
      dropoff: '/TX1234/HL7-Dropoff',
      accepted: '/TX1234/Accepted',
      reports: '/TX1234/DQA-Report',
      receive: '/TX1234/Receive',
    });
    expect(folders.find((f) => f.role === 'dropoff')).toMatchObject({ name: 'HL7-Dropoff', rights: ['list', 'read', 'write', 'rename', 'delete'] });
  });

  it('finds them in /<import code>/ when the account logs in to a root above it', async () => {
    const fs = new InMemoryRemoteFs('/', { '/': ['TX1234', 'TX9999'], '/TX1234': TEXAS_FOLDERS, '/TX9999': TEXAS_FOLDERS });
    expect(pathsByRole(await resolveRoleFolders(fs, texas, 'TX1234'))).toEqual({
      dropoff: '/TX1234/HL7-Dropoff',
      accepted: '/TX1234/Accepted',
      reports: '/TX1234/DQA-Report',
      receive: '/TX1234/Receive',
    });
  });

  it('finds them in the import-code folder below a home that is not the root', async () => {
    const fs = new InMemoryRemoteFs('/home/ftp', { '/home/ftp': ['TX1234'], '/home/ftp/TX1234': TEXAS_FOLDERS });
    expect(pathsByRole(await resolveRoleFolders(fs, texas, 'TX1234')).dropoff).toBe('/home/ftp/TX1234/HL7-Dropoff');
  });

  it('matches folder names without regard to case and keeps the server\'s spelling', async () => {
    const fs = new InMemoryRemoteFs('/tx1234', { '/tx1234': ['hl7-dropoff', 'ACCEPTED', 'Dqa-Report', 'receive'] });
    const folders = await resolveRoleFolders(fs, texas, 'TX1234');
    expect(pathsByRole(folders)).toEqual({
      dropoff: '/tx1234/hl7-dropoff',
      accepted: '/tx1234/ACCEPTED',
      reports: '/tx1234/Dqa-Report',
      receive: '/tx1234/receive',
    });
    // The window still calls them what the registry's documents call them.
    expect(folders.map((f) => f.name)).toEqual(TEXAS_FOLDERS);
  });

  it('skips a place it cannot list and goes on to the next', async () => {
    const fs = new InMemoryRemoteFs('/', { '/TX1234': TEXAS_FOLDERS }, ['/']);
    expect(pathsByRole(await resolveRoleFolders(fs, texas, 'TX1234')).receive).toBe('/TX1234/Receive');
  });

  it('uses the login folder itself as Colorado\'s dropoff, without listing anything', async () => {
    const fs = new InMemoryRemoteFs('/users/clinic-7', {});
    const folders = await resolveRoleFolders(fs, colorado, 'clinic-7');
    expect(folders).toHaveLength(1);
    expect(folders[0]).toMatchObject({ role: 'dropoff', name: 'Inbound', path: '/users/clinic-7', rights: ['list', 'write'] });
    expect(fs.listed).toEqual([]);
  });

  it('says the folders are missing, naming them and who to call, when none is found', async () => {
    const fs = new InMemoryRemoteFs('/TX1234', { '/TX1234': ['Outbox'], '/TX1234/TX1234': [] });
    const error = await refusal(resolveRoleFolders(fs, texas, 'TX1234'));
    expect(error.code).toBe('folders-missing');
    expect(error.message).toBe(
      "Signed in, but the registry's folders (HL7-Dropoff, Accepted, DQA-Report, Receive) were not found. The account may not be set up yet; contact Texas Immunization Registry Interoperability Team at (800) 348-9158, option 3.",
    );
    expect(error.detail).toBe('Looked in /TX1234, /TX1234/TX1234.');
    expect(fs.listed).toEqual(['/TX1234', '/TX1234/TX1234']);
  });

  it('does not look for an import-code folder when the username is not an import code', async () => {
    const profile = parseProfile({
      id: 'example-registry',
      name: 'Example Registry',
      endpoints: [{ protocol: 'sftp', host: 'sftp.registry.example.org', port: 22 }],
      folders: [{ role: 'dropoff', name: 'Inbox', path: 'inbox', rights: ['write'] }],
      support: { team: 'Example help desk' },
    });
    const fs = new InMemoryRemoteFs('/', { '/': ['clinic-7'], '/clinic-7': ['inbox'] });
    const error = await refusal(resolveRoleFolders(fs, profile, 'clinic-7'));
    expect(error.code).toBe('folders-missing');
    expect(fs.listed).toEqual(['/']);
  });
});
