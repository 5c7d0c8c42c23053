// The in-memory server the engine's unit tests stand on: it must behave as the RemoteFs port says
// and as the real servers were seen to (what a refusal, a drop, a full quota and a demanded password
// change look like to the app), or the tests above it prove nothing.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteError, type PasswordChangeStep } from '../../../electron/engine/remote/remote-fs';
import { MemoryServer, type MemoryRemoteFs } from '../../support/memory-remote-fs';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rt-memory-fs-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const failureOf = (promise: Promise<unknown>): Promise<RemoteError> =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => {
      if (!(error instanceof RemoteError)) throw error;
      return error;
    },
  );

async function signedIn(server: MemoryServer, username = 'TX1234', password = 'Secret-1!'): Promise<MemoryRemoteFs> {
  if (server.passwordOf(username) === undefined) server.account(username, { password });
  return server.connect({ username, password });
}

describe('files and folders', () => {
  it('lists, sizes, stores, renames and removes as the port says, under absolute paths', async () => {
    const server = new MemoryServer().folder('/HL7-Dropoff').folder('/Accepted').put('/Accepted/old.HL7', 'abc');
    const fs = await signedIn(server);
    expect(await fs.home()).toBe('/');
    expect(await fs.list('/')).toEqual([
      { name: 'HL7-Dropoff', kind: 'folder', size: 0, modified: null },
      { name: 'Accepted', kind: 'folder', size: 0, modified: null },
    ]);
    const progress: number[] = [];
    expect(await fs.upload(Buffer.from('MSH|1'), '/HL7-Dropoff/a.HL7', { onProgress: (b) => progress.push(b) })).toBe(5);
    expect(progress.at(-1)).toBe(5);
    expect(await fs.size('/HL7-Dropoff/a.HL7')).toBe(5);
    expect(await fs.size('/HL7-Dropoff/none.HL7')).toBeNull();
    await fs.rename('/HL7-Dropoff/a.HL7', '/HL7-Dropoff/b.HL7');
    expect(server.names('/HL7-Dropoff')).toEqual(['b.HL7']);
    await fs.remove('/HL7-Dropoff/b.HL7');
    expect(server.names('/HL7-Dropoff')).toEqual([]);
    expect((await failureOf(fs.remove('/HL7-Dropoff/b.HL7'))).message).toBe('/HL7-Dropoff/b.HL7 was not found on the registry server.');
    expect((await failureOf(fs.list('/Nowhere'))).code).toBe('not-found');

    const local = join(dir, 'old.HL7');
    await fs.download('/Accepted/old.HL7', local);
    expect(readFileSync(local, 'latin1')).toBe('abc');
    expect(statSync(local).mode & 0o777).toBe(0o600);
    // Never over a file that is there: the caller made the name unique.
    expect(await fs.download('/Accepted/old.HL7', local).then(() => 'saved', (e: NodeJS.ErrnoException) => e.code)).toBe('EEXIST');
  });

  it('uploads a local file by its path, and resolves a relative path from the home folder', async () => {
    const server = new MemoryServer().account('TX1234', { password: 'p', home: '/TX1234' }).folder('/TX1234/HL7-Dropoff');
    const fs = await server.connect({ username: 'TX1234', password: 'p' });
    const local = join(dir, 'by-path.HL7');
    await import('node:fs/promises').then((f) => f.writeFile(local, 'MSH|by path'));
    expect(await fs.home()).toBe('/TX1234');
    expect(await fs.upload(local, 'HL7-Dropoff/by-path.HL7')).toBe(11);
    expect(server.read('/TX1234/HL7-Dropoff/by-path.HL7')?.toString()).toBe('MSH|by path');
  });

  it('renames onto an existing file as the usual server of each protocol does, and renameReplacing replaces in one step', async () => {
    const sftp = new MemoryServer({ protocol: 'sftp', renameReplacing: false }).put('/d/new', 'new').put('/d/old', 'old');
    const sftpFs = await signedIn(sftp);
    expect(sftpFs.renameReplacing).toBeUndefined();
    // OpenSSH: SSH_FX_FAILURE, which the app can only call unexpected.
    expect((await failureOf(sftpFs.rename('/d/new', '/d/old'))).code).toBe('internal');
    expect(sftp.read('/d/old')?.toString()).toBe('old');

    const posix = new MemoryServer({ protocol: 'sftp' }).put('/d/new', 'new').put('/d/old', 'old');
    const posixFs = await signedIn(posix);
    await posixFs.renameReplacing?.('/d/new', '/d/old');
    expect(posix.names('/d')).toEqual(['old']);
    expect(posix.read('/d/old')?.toString()).toBe('new');

    const ftps = new MemoryServer({ protocol: 'ftps' }).put('/d/new', 'new').put('/d/old', 'old');
    const ftpsFs = await signedIn(ftps);
    expect(ftpsFs.renameReplacing).toBeUndefined();
    expect(ftpsFs.parallelTransfers).toBe(1);
    await ftpsFs.rename('/d/new', '/d/old');
    expect(ftps.read('/d/old')?.toString()).toBe('new');
  });
});

describe('rights and quota', () => {
  it('refuses what a folder does not allow, in the adapters\' words, and changes nothing', async () => {
    const server = new MemoryServer({ protocol: 'ftps' })
      .folder('/drop', { rename: false, delete: false, overwrite: false, refuseNames: /^\./ })
      .put('/drop/waiting.HL7', 'old');
    const fs = await signedIn(server);
    const renamed = await failureOf(fs.rename('/drop/waiting.HL7', '/drop/other.HL7'));
    expect(renamed.code).toBe('permission-denied');
    expect(renamed.message).toBe('The registry does not allow this account to do that in /drop/waiting.HL7.');
    expect(renamed.detail).toBe('550: 550 waiting.HL7: Permission denied');
    expect((await failureOf(fs.remove('/drop/waiting.HL7'))).code).toBe('permission-denied');
    expect((await failureOf(fs.upload(Buffer.from('new'), '/drop/waiting.HL7'))).detail).toBe('550: 550 waiting.HL7: Overwrite permission denied');
    expect((await failureOf(fs.upload(Buffer.from('new'), '/drop/.hidden'))).detail).toBe('553: 553 .hidden: Prohibited file name');
    expect(server.names('/drop')).toEqual(['waiting.HL7']);
    expect(server.read('/drop/waiting.HL7')?.toString()).toBe('old');
  });

  it('refuses an upload past the quota before a byte is kept, as FTPS servers answer 552', async () => {
    const server = new MemoryServer().folder('/drop', { quota: { files: 1 } }).put('/drop/one.HL7', '1');
    const fs = await signedIn(server);
    const full = await failureOf(fs.upload(Buffer.from('2'), '/drop/two.HL7'));
    expect(full.message).toBe('The registry refused the file: the account is over its storage quota.');
    expect(server.names('/drop')).toEqual(['one.HL7']);
    // Replacing the one file there does not add one.
    expect(await fs.upload(Buffer.from('22'), '/drop/one.HL7')).toBe(2);
  });
});

describe('faults', () => {
  it('a drop after N bytes keeps those bytes on the server, rejects as unreachable, and the connection is unusable after', async () => {
    const server = new MemoryServer({ chunkBytes: 4 }).folder('/drop');
    const fs = await signedIn(server);
    server.dropDuring('upload', { afterBytes: 6 });
    const progress: number[] = [];
    const dropped = await failureOf(fs.upload(Buffer.from('0123456789'), '/drop/f', { onProgress: (b) => progress.push(b) }));
    expect(dropped.code).toBe('unreachable');
    expect(dropped.message).toBe('The connection to 127.0.0.1 port 22 was dropped by the server or the network. Nothing was changed; try again.');
    expect(progress).toEqual([4, 6]);
    expect(server.read('/drop/f')?.toString()).toBe('012345');
    expect(fs.usable).toBe(false);
    expect((await failureOf(fs.list('/drop'))).code).toBe('unreachable');
    expect(server.connectionsDropped).toBe(1);
    expect(server.openConnections).toBe(0);
    await fs.close(); // never throws
  });

  it('a drop during another operation happens before it is carried out', async () => {
    const server = new MemoryServer().put('/drop/f', 'x');
    const fs = await signedIn(server);
    server.dropDuring('rename');
    expect((await failureOf(fs.rename('/drop/f', '/drop/g'))).code).toBe('unreachable');
    expect(server.names('/drop')).toEqual(['f']);
  });

  it('keepShort stores fewer bytes and says so in the size it reports', async () => {
    const server = new MemoryServer().folder('/drop');
    const fs = await signedIn(server);
    server.keepShort({ keep: 3 });
    expect(await fs.upload(Buffer.from('0123456789'), '/drop/f')).toBe(3);
    expect(await fs.upload(Buffer.from('0123456789'), '/drop/g')).toBe(10);
  });

  it('a download past maxBytes is stopped in the adapters\' words, and a cancel rejects as cancelled', async () => {
    const server = new MemoryServer({ chunkBytes: 4 }).put('/r/big', '0123456789');
    const fs = await signedIn(server);
    const past = await failureOf(fs.download('/r/big', join(dir, 'big'), { maxBytes: 5 }));
    expect(past.code).toBe('incomplete');
    expect(readFileSync(join(dir, 'big'), 'latin1')).toBe('01234');
    const stop = new AbortController();
    stop.abort();
    expect((await failureOf(fs.download('/r/big', join(dir, 'big2'), { signal: stop.signal }))).code).toBe('cancelled');
  });

  it('refuse() arms a refusal for the next matching operations only', async () => {
    const server = new MemoryServer().folder('/drop');
    const fs = await signedIn(server);
    server.refuse('upload', { path: /\/\./, times: 2 });
    expect((await failureOf(fs.upload(Buffer.from('x'), '/drop/.a'))).code).toBe('permission-denied');
    expect(await fs.upload(Buffer.from('x'), '/drop/b')).toBe(1);
    expect((await failureOf(fs.upload(Buffer.from('x'), '/drop/.c'))).code).toBe('permission-denied');
    expect(await fs.upload(Buffer.from('x'), '/drop/.d')).toBe(1);
  });
});

describe('gates and counters', () => {
  it('holds an operation until the test lets it go, and counts what ran at once', async () => {
    const server = new MemoryServer({ protocol: 'sftp' }).folder('/drop');
    const fs = await signedIn(server);
    const gate = server.gate('upload');
    const first = fs.upload(Buffer.from('1'), '/drop/1');
    const second = fs.upload(Buffer.from('2'), '/drop/2');
    await gate.arrived(2);
    expect(server.names('/drop')).toEqual([]);
    expect(gate.held.map((h) => h.seen.path)).toEqual(['/drop/1', '/drop/2']);
    gate.releaseNext();
    await first;
    expect(server.names('/drop')).toEqual(['1']);
    gate.open();
    await second;
    expect(server.mostTransfersAtOnce).toBe(2);
    expect(server.violations).toEqual([]);
    expect(server.operations.filter((o) => o.op === 'upload').map((o) => o.path)).toEqual(['/drop/1', '/drop/2']);
  });

  it('a transfer held at a gate stops when its signal aborts; over FTPS the cancel ends the connection, as basic-ftp does', async () => {
    const server = new MemoryServer({ protocol: 'ftps' }).folder('/drop');
    const fs = await signedIn(server);
    const gate = server.gate('upload');
    const stop = new AbortController();
    const held = fs.upload(Buffer.from('1'), '/drop/1', { signal: stop.signal });
    await gate.arrived();
    stop.abort();
    expect((await failureOf(held)).code).toBe('cancelled');
    expect(gate.held).toEqual([]);
    expect(fs.usable).toBe(false);
  });

  it('over FTPS a second command while one runs is a violation, refused as basic-ftp refuses it', async () => {
    const server = new MemoryServer({ protocol: 'ftps' }).folder('/drop');
    const fs = await signedIn(server);
    const gate = server.gate('list');
    const listing = fs.list('/drop');
    await gate.arrived();
    expect((await failureOf(fs.size('/drop/x'))).code).toBe('internal');
    expect(server.violations).toEqual(['connection 1: size /drop/x while another command was running']);
    gate.open();
    expect(await listing).toEqual([]);
  });

  it('counts connections opened, closed and dropped; close is counted once', async () => {
    const server = new MemoryServer();
    const a = await signedIn(server);
    const b = await signedIn(server);
    expect(server.openConnections).toBe(2);
    await a.close();
    await a.close();
    server.dropAll();
    expect(b.usable).toBe(false);
    expect({ opened: server.connectionsOpened, closed: server.connectionsClosed, dropped: server.connectionsDropped, open: server.openConnections }).toEqual({ opened: 2, closed: 1, dropped: 1, open: 0 });
  });
});

describe('sign-in', () => {
  it('counts every attempt; a wrong password is refused in the words of a refused login, a server down as unreachable', async () => {
    const server = new MemoryServer({ usernameLabel: 'Import code', supportTeam: 'the Texas team' }).account('TX1234', { password: 'right' });
    const wrong = await failureOf(server.connect({ username: 'TX1234', password: 'wrong' }));
    expect(wrong.code).toBe('auth-failed');
    expect(wrong.message).toBe(
      'The registry did not accept that import code and password. The app tried only once, so repeated attempts will not lock the account. If the password is forgotten, only the registry can reset it (the Texas team).',
    );
    server.reachable = false;
    expect((await failureOf(server.connect({ username: 'TX1234', password: 'right' }))).code).toBe('unreachable');
    expect(server.signIns).toEqual([{ username: 'TX1234', password: 'wrong', accepted: false }]);
    expect(server.connectionsOpened).toBe(0);
  });

  it('a demanded change reports its steps and ends as the server answers', async () => {
    const steps = (server: MemoryServer, newPassword?: string) => {
      const seen: PasswordChangeStep[] = [];
      const done = server.connect({ username: 'u', password: 'old', ...(newPassword ? { newPassword } : {}), onPasswordChange: (s) => seen.push(s) });
      return done.then(
        () => ({ seen, code: 'ok' as const }),
        (e: RemoteError) => ({ seen, code: e.code }),
      );
    };
    const asks = new MemoryServer().account('u', { password: 'old', demandChange: 'accept' });
    expect(await steps(asks)).toEqual({ seen: ['demanded'], code: 'password-change-required' });
    expect(await steps(asks, 'new')).toEqual({ seen: ['demanded', 'sent', 'accepted'], code: 'ok' });
    expect(asks.passwordOf('u')).toBe('new');

    const refuses = new MemoryServer().account('u', { password: 'old', demandChange: 'refuse' });
    expect(await steps(refuses, 'new')).toEqual({ seen: ['demanded', 'sent', 'refused'], code: 'password-change-required' });
    expect(refuses.passwordOf('u')).toBe('old');

    const dropsAfter = new MemoryServer().account('u', { password: 'old', demandChange: 'drop-after-change' });
    expect(await steps(dropsAfter, 'new')).toEqual({ seen: ['demanded', 'sent'], code: 'unreachable' });
    expect(dropsAfter.passwordOf('u')).toBe('new');
  });

  it('refuses a connection past the account\'s limit in ProFTPD\'s words', async () => {
    const server = new MemoryServer({ connectionsPerAccount: 1 }).account('u', { password: 'p' });
    await server.connect({ username: 'u', password: 'p' });
    const second = await failureOf(server.connect({ username: 'u', password: 'p' }));
    expect(second.code).toBe('too-many-connections');
    expect(second.detail).toBe('530 Sorry, the maximum number of clients (1) for this user are already connected.');
  });

  it('openVerified gives what sign-in expects, and FTPS offers the password commands', async () => {
    const server = new MemoryServer({ protocol: 'ftps', port: 990 }).account('u', { password: 'old' });
    const opened = await server.openVerified({ profile: {} as never, protocol: 'ftps', username: 'u', password: 'old' });
    expect({ host: opened.host, port: opened.port, kind: opened.identity.kind }).toEqual({ host: '127.0.0.1', port: 990, kind: 'tls-certificate' });
    const commands = opened.fs.passwordCommands;
    expect(await commands?.change({ method: 'site-pswd', quoted: false }, 'wrong', 'new')).toMatchObject({ outcome: 'refused' });
    expect(await commands?.change({ method: 'site-pswd', quoted: false }, 'old', 'new')).toMatchObject({ outcome: 'accepted' });
    expect(server.passwordOf('u')).toBe('new');
    await opened.fs.close();
    expect(await commands?.change({ method: 'site-pswd', quoted: false }, 'new', 'newer')).toMatchObject({ outcome: 'not-sent' });
  });
});
