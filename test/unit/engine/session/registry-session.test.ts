// The session's scheduler over the in-memory server (issue 12, item 8): where the connection stands
// (closed / opening / open / closing), one exclusive operation at a time in the order asked, a rerun
// only where a reused connection turned out dropped (never for `once`), transfers sharing one lease
// without shutting out a browse, the idle close and the reopening after it, the old and the new
// password tried once each after a change whose outcome is unknown, and nothing at all after `end`.
// Order and concurrency are read from the server's gates and counters, never from durations.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { turns, until } from '../../../support/event-turns';
import type { ConnectionInfo } from '../../../../shared/contract';
import { KeychainAccess } from '../../../../electron/engine/credentials/keychain';
import { FirstLoginRecord } from '../../../../electron/engine/credentials/password-change';
import { parseProfile, type Profile } from '../../../../electron/engine/profiles';
import { texasImmTrac2 } from '../../../../electron/engine/profiles/builtin';
import { RemoteError, type RemoteFs } from '../../../../electron/engine/remote/remote-fs';
import type { OpenRequest } from '../../../../electron/engine/session/open-verified';
import { NOT_CONNECTED } from '../../../../electron/engine/session/preconditions';
import { RegistrySession } from '../../../../electron/engine/session/registry-session';
import { MemorySettings } from '../../../../electron/engine/settings/settings-store';
import { MemoryServer, type MemoryRemoteFs, type ServerOptions } from '../../../support/memory-remote-fs';
import { MemoryVault } from '../../../support/memory-vault';

const profile = parseProfile(texasImmTrac2);
const ACCOUNT = 'texas-immtrac2:TX1234';
const PENDING = `${ACCOUNT}#pending`;
const OLD = 'Old-Password-1!';
const NEW = 'New-Password-2@';
const DROPOFF = '/HL7-Dropoff';





/** The failure of a call that may throw at once or reject later (both are "it failed" to a caller that awaits). */
async function failureOf(call: () => Promise<unknown>): Promise<RemoteError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof RemoteError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

interface Setup {
  options?: ServerOptions;
  idleCloseSeconds?: number;
  saved?: Record<string, string>;
  profile?: Profile;
}

const sessions: RegistrySession[] = [];

/** A registry with the dropoff and three folders to browse, and a session signed in with OLD on it. */
async function signedIn({ options = {}, idleCloseSeconds = 3600, saved = { [ACCOUNT]: OLD }, profile: used = profile }: Setup = {}) {
  const server = new MemoryServer(options).account('TX1234', { password: OLD }).folder(DROPOFF).folder('/A').folder('/B').folder('/C');
  const vault = new MemoryVault(saved);
  const keychain = new KeychainAccess(vault);
  const settings = new MemorySettings();
  const firstLogin = new FirstLoginRecord(settings);
  const request: OpenRequest = { profile: used, protocol: server.protocol, username: 'TX1234', password: OLD };
  const opened = await server.openVerified(request);
  const info: ConnectionInfo = {
    profileId: used.id,
    profileName: used.name,
    protocol: server.protocol,
    host: opened.host,
    port: opened.port,
    username: 'TX1234',
    folders: [],
    fingerprint: opened.identity.fingerprint,
    hasSavedPassword: true,
    passwordChangeDue: firstLogin.isDue(used, 'TX1234'),
    signInMethod: 'password',
  };
  const session = new RegistrySession(request, info, opened.fs, { open: server.openVerified, keychain, firstLogin, idleCloseSeconds });
  sessions.push(session);
  return { server, vault, firstLogin, session, first: opened.fs as MemoryRemoteFs };
}

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(sessions.splice(0).map((s) => s.end().catch(() => undefined)));
});

/** The operations the server saw, as "<op> <path> @<connection>", leaving out sign-ins and goodbyes. */
const seen = (server: MemoryServer, ...ops: string[]) => server.operations.filter((o) => ops.includes(o.op)).map((o) => `${o.op} ${o.path} @${o.connection}`);

const upload = (name: string) => (fs: RemoteFs) => fs.upload(Buffer.from(`MSH|${name}`), `${DROPOFF}/${name}`);

describe('where the connection stands', () => {
  it('open once signed in; opening while a new connection signs in; open again; closing while it says goodbye; closed after', async () => {
    const { server, session, first } = await signedIn();
    expect(session.state).toBe('open');
    expect(session.active).toBe(true);

    // The connection is gone (a drop): the next operation opens a new one, seen as `opening` meanwhile.
    server.dropAll();
    const connects = server.gate('connect');
    const listing = session.exclusive((fs) => fs.list('/A'));
    await connects.arrived(1);
    expect(session.state).toBe('opening');
    connects.open();
    await listing;
    expect(session.state).toBe('open');
    expect(first.usable).toBe(false);
    expect(server.connectionsOpened).toBe(2);

    // The goodbye is held: `closing` until it is said, `closed` after.
    expect(server.openConnections).toBe(1);
    let letGo = () => undefined as void;
    const held = new Promise<void>((resolve) => (letGo = resolve));
    const opened = await server.openVerified({ profile, protocol: 'sftp', username: 'TX1234', password: OLD });
    // A session on a connection whose goodbye the test holds.
    const closeOf = opened.fs.close.bind(opened.fs);
    opened.fs.close = async () => {
      await held;
      await closeOf();
    };
    const info = { ...session.info };
    const other = new RegistrySession(session.request, info, opened.fs, {
      open: server.openVerified,
      keychain: new KeychainAccess(new MemoryVault()),
      firstLogin: new FirstLoginRecord(new MemorySettings()),
      idleCloseSeconds: 3600,
    });
    sessions.push(other);
    const ending = other.end();
    await until(() => other.state === 'closing', 'the state is closing');
    expect(opened.fs.usable).toBe(true);
    letGo();
    await ending;
    expect(other.state).toBe('closed');
    expect(opened.fs.usable).toBe(false);
  });

  it('a connection that cannot be opened leaves the state closed, and the next operation tries again', async () => {
    const { server, session } = await signedIn();
    server.dropAll();
    server.reachable = false;
    const error = await failureOf(() => session.exclusive((fs) => fs.list('/A')));
    expect(error.code).toBe('unreachable');
    expect(session.state).toBe('closed');
    expect(session.active).toBe(true);
    server.reachable = true;
    expect((await session.exclusive((fs) => fs.list('/A'))).map((e) => e.name)).toEqual([]);
    expect(session.state).toBe('open');
    expect(server.connectionsOpened).toBe(2);
  });
});

describe('the exclusive queue', () => {
  it('runs operations one at a time, in the order they were asked, each starting when the one before ended', async () => {
    const { server, session } = await signedIn();
    const lists = server.gate('list');
    const started: string[] = [];
    const results = ['/A', '/B', '/C'].map((path) =>
      session.exclusive(async (fs) => {
        started.push(path);
        await fs.list(path);
        return path;
      }),
    );
    await lists.arrived(1);
    await turns();
    expect(started).toEqual(['/A']);
    lists.releaseNext();
    await lists.arrived(2);
    await turns();
    expect(started).toEqual(['/A', '/B']);
    lists.open();
    expect(await Promise.all(results)).toEqual(['/A', '/B', '/C']);
    expect(seen(server, 'list')).toEqual(['list /A @1', 'list /B @1', 'list /C @1']);
    // Never two at once on the connection, all on the one connection.
    expect(server.mostAtOnce).toBe(1);
    expect(server.connectionsOpened).toBe(1);
  });

  it('an operation that fails does not hold up the ones behind it', async () => {
    const { server, session } = await signedIn();
    server.refuse('list', { path: '/A' });
    const refused = session.exclusive((fs) => fs.list('/A'));
    const next = session.exclusive((fs) => fs.list('/B'));
    expect((await failureOf(() => refused)).code).toBe('permission-denied');
    expect(await next).toEqual([]);
    expect(seen(server, 'list')).toEqual(['list /A @1', 'list /B @1']);
  });

  it('on a reused connection that turns out dropped, the operation runs once more on a new connection', async () => {
    const { server, session } = await signedIn();
    server.put('/A/report.txt', 'ok');
    server.dropDuring('list', { path: '/A' });
    const entries = await session.exclusive((fs) => fs.list('/A'));
    expect(entries.map((e) => e.name)).toEqual(['report.txt']);
    expect(seen(server, 'list')).toEqual(['list /A @1', 'list /A @2']);
    expect(server.connectionsDropped).toBe(1);
    expect(server.connectionsOpened).toBe(2);
    expect(session.state).toBe('open');
  });

  it('runs once more only: dropped again on the new connection, it fails with the drop', async () => {
    const { server, session } = await signedIn();
    server.dropDuring('list', { path: '/A' }).dropDuring('list', { path: '/A' });
    const error = await failureOf(() => session.exclusive((fs) => fs.list('/A')));
    expect(error.code).toBe('unreachable');
    expect(seen(server, 'list')).toEqual(['list /A @1', 'list /A @2']);
  });

  it('a connection opened for the operation (not reused) that drops is not tried again', async () => {
    const { server, session } = await signedIn();
    server.dropAll();
    server.dropDuring('list', { path: '/A' });
    const error = await failureOf(() => session.exclusive((fs) => fs.list('/A')));
    expect(error.code).toBe('unreachable');
    expect(seen(server, 'list')).toEqual(['list /A @2']);
  });

  it('a refusal is the server\'s answer, not a drop: never run again', async () => {
    const { server, session } = await signedIn();
    server.refuse('list', { path: '/A' });
    expect((await failureOf(() => session.exclusive((fs) => fs.list('/A')))).code).toBe('permission-denied');
    expect(seen(server, 'list')).toEqual(['list /A @1']);
    expect(server.connectionsOpened).toBe(1);
  });

  it('`once` never reruns: dropped, it fails with the drop and nothing more is sent; the next operation opens a new connection', async () => {
    const { server, session } = await signedIn();
    server.dropDuring('list', { path: '/A' });
    const error = await failureOf(() => session.once((fs) => fs.list('/A')));
    expect(error.code).toBe('unreachable');
    expect(seen(server, 'list')).toEqual(['list /A @1']);
    expect(server.connectionsOpened).toBe(1);

    await session.once((fs) => fs.list('/B'));
    expect(seen(server, 'list')).toEqual(['list /A @1', 'list /B @2']);
    expect(server.connectionsOpened).toBe(2);
  });

  it('`once` waits its turn like any other operation', async () => {
    const { server, session } = await signedIn();
    const lists = server.gate('list');
    const order: string[] = [];
    const a = session.exclusive(async (fs) => {
      await fs.list('/A');
      order.push('exclusive');
    });
    const b = session.once(async (fs) => {
      await fs.list('/B');
      order.push('once');
    });
    await lists.arrived(1);
    await turns();
    expect(lists.reached.length).toBe(1);
    lists.open();
    await Promise.all([a, b]);
    expect(order).toEqual(['exclusive', 'once']);
    expect(server.mostAtOnce).toBe(1);
  });
});

describe('the transfer lease', () => {
  it('transfers share one connection and run at once, as many as are started (the queue keeps them to what the connection carries)', async () => {
    const { server, session } = await signedIn({ options: { parallelTransfers: 4 } });
    const uploads = server.gate('upload');
    const transfers = ['1.HL7', '2.HL7', '3.HL7', '4.HL7'].map((name) => session.withTransferLease(upload(name)));
    await uploads.arrived(4);
    expect(server.mostTransfersAtOnce).toBe(4);
    expect(new Set(uploads.reached.map((o) => o.connection))).toEqual(new Set([1]));
    uploads.open();
    await Promise.all(transfers);
    expect(server.names(DROPOFF)).toEqual(['1.HL7', '2.HL7', '3.HL7', '4.HL7']);
    expect(server.violations).toEqual([]);
    expect(server.connectionsOpened).toBe(1);
  });

  it('a browse asked for while transfers run goes before transfers that start after it, which then run together', async () => {
    const { server, session } = await signedIn({ options: { parallelTransfers: 4 } });
    const uploads = server.gate('upload');
    const first = session.withTransferLease(upload('1.HL7'));
    await uploads.arrived(1);

    const browse = session.exclusive((fs) => fs.list(DROPOFF));
    const later = ['2.HL7', '3.HL7'].map((name) => session.withTransferLease(upload(name)));
    await turns();
    // The browse waits for the running transfer; the later transfers wait behind the browse.
    expect(seen(server, 'list')).toEqual([]);
    expect(uploads.reached.length).toBe(1);

    uploads.releaseNext();
    await first;
    const listed = await browse;
    expect(listed.map((e) => e.name)).toEqual(['1.HL7']);
    // Both later transfers take one new turn together (not one turn each).
    await uploads.arrived(3);
    expect(uploads.held.length).toBe(2);
    uploads.open();
    await Promise.all(later);
    expect(seen(server, 'upload', 'list')).toEqual([`upload ${DROPOFF}/1.HL7 @1`, `list ${DROPOFF} @1`, `upload ${DROPOFF}/2.HL7 @1`, `upload ${DROPOFF}/3.HL7 @1`]);
    expect(server.mostAtOnce).toBe(2);
  });

  it('a transfer started while one runs and nothing else waits joins it at once', async () => {
    const { server, session } = await signedIn({ options: { parallelTransfers: 4 } });
    const uploads = server.gate('upload');
    const first = session.withTransferLease(upload('1.HL7'));
    await uploads.arrived(1);
    const second = session.withTransferLease(upload('2.HL7'));
    await uploads.arrived(2);
    expect(server.mostTransfersAtOnce).toBe(2);
    uploads.open();
    await Promise.all([first, second]);
  });

  it('an operation on the exclusive queue waits until the last transfer of the lease has ended', async () => {
    const { server, session } = await signedIn({ options: { parallelTransfers: 4 } });
    const uploads = server.gate('upload');
    const transfers = ['1.HL7', '2.HL7'].map((name) => session.withTransferLease(upload(name)));
    await uploads.arrived(2);
    const browse = session.exclusive((fs) => fs.list(DROPOFF));
    uploads.releaseNext();
    await transfers[0];
    await turns();
    expect(seen(server, 'list')).toEqual([]);
    uploads.releaseNext();
    await transfers[1];
    expect((await browse).map((e) => e.name)).toEqual(['1.HL7', '2.HL7']);
  });

  it('the transfers drained: the connection is closed when the registry asks for it, and the next one reopens', async () => {
    const { server, session } = await signedIn();
    expect(profile.network.disconnectAfterTransfers).toBe(true);
    await session.withTransferLease(upload('1.HL7'));
    await session.transfersDrained();
    expect(session.state).toBe('closed');
    expect(server.openConnections).toBe(0);
    expect(server.connectionsClosed).toBe(1);
    await session.withTransferLease(upload('2.HL7'));
    expect(server.connectionsOpened).toBe(2);
    expect(session.state).toBe('open');
  });

  it('the transfers drained on a registry that does not ask to disconnect: the connection stays open', async () => {
    const keepOpen = parseProfile({ ...texasImmTrac2, network: { ...texasImmTrac2.network, disconnectAfterTransfers: false } });
    const { server, session } = await signedIn({ profile: keepOpen });
    await session.withTransferLease(upload('1.HL7'));
    await session.transfersDrained();
    expect(session.state).toBe('open');
    expect(server.openConnections).toBe(1);
  });
});

describe('idle close', () => {
  it('closes the connection idleCloseSeconds after the last operation, and the next operation reopens it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { server, session } = await signedIn({ idleCloseSeconds: 30 });
    await session.exclusive((fs) => fs.list('/A'));

    vi.advanceTimersByTime(29_999);
    await turns();
    expect(session.state).toBe('open');
    expect(server.openConnections).toBe(1);

    // Another operation starts the clock again.
    await session.exclusive((fs) => fs.list('/B'));
    vi.advanceTimersByTime(29_999);
    await turns();
    expect(session.state).toBe('open');

    vi.advanceTimersByTime(1);
    await until(() => session.state === 'closed', 'the idle connection closed');
    expect(server.openConnections).toBe(0);
    expect(server.connectionsClosed).toBe(1);
    expect(server.connectionsDropped).toBe(0);

    await session.exclusive((fs) => fs.list('/C'));
    expect(session.state).toBe('open');
    expect(seen(server, 'list')).toEqual(['list /A @1', 'list /B @1', 'list /C @2']);
  });

  it('no idle close while an operation runs or a transfer holds the lease', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { server, session } = await signedIn({ idleCloseSeconds: 30 });
    const uploads = server.gate('upload');
    const transfer = session.withTransferLease(upload('1.HL7'));
    await uploads.arrived(1);
    vi.advanceTimersByTime(120_000);
    await turns();
    expect(session.state).toBe('open');
    uploads.open();
    await transfer;
    expect(server.names(DROPOFF)).toEqual(['1.HL7']);
  });
});

describe('after a password change whose outcome is unknown', () => {
  it('the registry took the new password: the reopening tries the old then the new, once each, and keeps the new (keychain, first login)', async () => {
    const { server, vault, firstLogin, session } = await signedIn({ saved: { [ACCOUNT]: OLD, [PENDING]: NEW } });
    expect(session.info.passwordChangeDue).toBe(true);
    session.passwordInDoubt(OLD, NEW, true);
    expect(session.passwordUnsettled).toBe(true);
    server.account('TX1234', { password: NEW });
    server.dropAll();
    const before = server.signIns.length;

    await session.exclusive((fs) => fs.list('/A'));
    expect(server.signIns.slice(before).map((s) => [s.password, s.accepted])).toEqual([
      [OLD, false],
      [NEW, true],
    ]);
    expect(vault.saved()).toEqual({ [ACCOUNT]: NEW });
    expect(session.passwordUnsettled).toBe(false);
    expect(session.request.password).toBe(NEW);
    expect(firstLogin.changedAt(profile.id, 'TX1234')).not.toBeNull();
    expect(session.info.passwordChangeDue).toBe(false);

    // Settled: the next reopening tries only the one that worked.
    server.dropAll();
    await session.exclusive((fs) => fs.list('/B'));
    expect(server.signIns.slice(before + 2).map((s) => s.password)).toEqual([NEW]);
  });

  it('the registry kept the old password: one attempt with it, pending gone, no change recorded', async () => {
    const { server, vault, firstLogin, session } = await signedIn({ saved: { [ACCOUNT]: OLD, [PENDING]: NEW } });
    session.passwordInDoubt(OLD, NEW, true);
    const before = server.signIns.length;
    await session.reconnect();
    expect(server.signIns.slice(before).map((s) => [s.password, s.accepted])).toEqual([[OLD, true]]);
    expect(vault.saved()).toEqual({ [ACCOUNT]: OLD });
    expect(session.passwordUnsettled).toBe(false);
    expect(session.request.password).toBe(OLD);
    expect(firstLogin.changedAt(profile.id, 'TX1234')).toBeNull();
    expect(session.info.passwordChangeDue).toBe(true);
  });

  it('neither is taken: each tried once, the refusal said, both kept in the keychain', async () => {
    const { server, vault, session } = await signedIn({ saved: { [ACCOUNT]: OLD, [PENDING]: NEW } });
    session.passwordInDoubt(OLD, NEW, true);
    server.account('TX1234', { password: 'Someone-Else-3#' });
    const before = server.signIns.length;
    const error = await failureOf(() => session.reconnect());
    expect(error.code).toBe('auth-failed');
    expect(server.signIns.slice(before).map((s) => s.password)).toEqual([OLD, NEW]);
    expect(vault.saved()).toEqual({ [ACCOUNT]: OLD, [PENDING]: NEW });
    expect(session.state).toBe('closed');
  });

  it('a change confirmed meanwhile (passwordIs) settles it: only the new password is tried', async () => {
    const { server, session } = await signedIn();
    session.passwordInDoubt(OLD, NEW, true);
    session.passwordIs(NEW);
    server.account('TX1234', { password: NEW });
    const before = server.signIns.length;
    await session.reconnect();
    expect(server.signIns.slice(before).map((s) => s.password)).toEqual([NEW]);
  });
});

describe('after end', () => {
  it('every operation fails as not connected, in the one wording, and nothing reopens', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { server, session } = await signedIn({ idleCloseSeconds: 30 });
    await session.end();
    expect(session.active).toBe(false);
    expect(session.state).toBe('closed');
    expect(server.openConnections).toBe(0);

    const calls: (() => Promise<unknown>)[] = [
      () => session.exclusive((fs) => fs.list('/A')),
      () => session.once((fs) => fs.list('/A')),
      () => session.reconnect(),
      () => session.withTransferLease(upload('1.HL7')),
    ];
    for (const call of calls) {
      const error = await failureOf(call);
      expect(error.code).toBe('not-connected');
      expect(error.message).toBe(NOT_CONNECTED);
    }
    await session.transfersDrained();
    vi.advanceTimersByTime(3_600_000);
    await turns();
    expect(server.connectionsOpened).toBe(1);
    expect(server.openConnections).toBe(0);
    expect(seen(server, 'list', 'upload')).toEqual([]);
  });

  it('the operation running when it ends finishes, then the connection closes', async () => {
    const { server, session } = await signedIn();
    const lists = server.gate('list');
    const running = session.exclusive((fs) => fs.list('/A'));
    await lists.arrived(1);
    const ending = session.end();
    await turns();
    expect(server.openConnections).toBe(1);
    lists.open();
    expect(await running).toEqual([]);
    await ending;
    expect(server.openConnections).toBe(0);
    expect(session.state).toBe('closed');
  });

  it('a transfer holding the lease when it ends finishes, then the connection closes, and nothing reopens', async () => {
    const { server, session } = await signedIn();
    const uploads = server.gate('upload');
    const transfer = session.withTransferLease(upload('1.HL7'));
    await uploads.arrived(1);
    const ending = session.end();
    uploads.open();
    await transfer;
    await ending;
    expect(server.openConnections).toBe(0);
    expect(server.connectionsOpened).toBe(1);
  });

  it('an operation queued behind the running one when it ends is not sent: it fails as not connected', async () => {
    const { server, session } = await signedIn();
    const lists = server.gate('list');
    const running = session.exclusive((fs) => fs.list('/A'));
    await lists.arrived(1);
    const queued = session.exclusive((fs) => fs.list('/B'));
    const ending = session.end();
    lists.open();
    await running;
    const error = await failureOf(() => queued);
    expect(error.code).toBe('not-connected');
    expect(error.message).toBe(NOT_CONNECTED);
    await ending;
    expect(seen(server, 'list')).toEqual(['list /A @1']);
  });

  it('an operation whose connection dropped as the session ended is not run again and nothing reopens', async () => {
    const { server, session } = await signedIn();
    const lists = server.gate('list');
    const running = session.exclusive((fs) => fs.list('/A'));
    await lists.arrived(1);
    const ending = session.end();
    server.dropAll();
    lists.open();
    const error = await failureOf(() => running);
    expect(['unreachable', 'not-connected']).toContain(error.code);
    await ending;
    expect(seen(server, 'list')).toEqual(['list /A @1']);
    expect(server.connectionsOpened).toBe(1);
    expect(session.state).toBe('closed');
  });
});
