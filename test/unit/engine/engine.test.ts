// The application layer (createEngine) over the in-memory server (issue 12, item 8): sign-in with the
// saved passwords (current, then pending, one attempt each), a demanded password change asked with
// a new-password request (a refused answer asked again with its reason, `deny` leaving the user not
// signed in), one sign-in at a time, and a disconnect that cancels the queued transfers.
//
// The seam: createEngine opens every connection through openVerified, which calls the adapters'
// openSftp/openFtps. Here only those two are replaced (vi.mock) by the in-memory server, which shows
// its identity to `verifyIdentity` first, as the adapters do; so the engine's own trust path runs and
// is answered through its RequestBroker, and everything above the adapters is the real engine.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { until } from '../../support/event-turns';
import type { NewPasswordRequest, RegistryEvent } from '../../../shared/contract';
import { createEngine, NOT_SIGNED_IN_NO_NEW_PASSWORD, type Engine, type PracticePort, type SignInParams } from '../../../electron/engine/engine';
import { connectionHandlers } from '../../../electron/engine/handlers/connection';
import { PENDING_PROMOTED } from '../../../electron/engine/credentials/sign-in';
import { parseProfile } from '../../../electron/engine/profiles';
import { texasImmTrac2 } from '../../../electron/engine/profiles/builtin';
import { RemoteError } from '../../../electron/engine/remote/remote-fs';
import type { FtpsConnectOptions } from '../../../electron/engine/remote/ftps';
import type { SftpConnectOptions } from '../../../electron/engine/remote/sftp';
import { BUSY_CONNECTING, NOT_CONNECTED } from '../../../electron/engine/session/preconditions';
import { MemorySettings } from '../../../electron/engine/settings/settings-store';
import type { TransferResult } from '../../../electron/engine/transfers/transfer-queue';
import { hl7Batch } from '../../support/hl7-samples';
import { MemoryServer, type AccountOptions, type ServerOptions } from '../../support/memory-remote-fs';
import { MemoryVault } from '../../support/memory-vault';

/** The in-memory server the adapters' replacements connect to (one per test). */
const fake = vi.hoisted(() => ({ server: null as MemoryServer | null }));
const FINGERPRINT = `SHA256:${createHash('sha256').update('in-memory test server').digest('base64').replace(/=+$/, '')}`;

async function openFake(options: SftpConnectOptions | FtpsConnectOptions, kind: 'ssh-host-key' | 'tls-certificate') {
  const { RemoteError: Failure } = await import('../../../electron/engine/remote/remote-fs');
  if (!fake.server) throw new Error('No in-memory server for this test.');
  // As the adapters do: the identity is decided on before any password is sent.
  if (!options.verifyIdentity({ host: options.host, port: options.port, kind, fingerprint: FINGERPRINT, description: 'in-memory test server' })) {
    throw new Failure('identity-unknown', 'host key not accepted');
  }
  return fake.server.connect({
    username: options.username,
    password: options.password,
    ...(options.newPassword !== undefined ? { newPassword: options.newPassword } : {}),
    ...(options.onPasswordChange ? { onPasswordChange: options.onPasswordChange } : {}),
  });
}

vi.mock('../../../electron/engine/remote/sftp', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../electron/engine/remote/sftp')>()),
  openSftp: (options: SftpConnectOptions) => openFake(options, 'ssh-host-key'),
}));
vi.mock('../../../electron/engine/remote/ftps', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../electron/engine/remote/ftps')>()),
  openFtps: (options: FtpsConnectOptions) => openFake(options, 'tls-certificate'),
}));

const profile = parseProfile(texasImmTrac2);
const ACCOUNT = 'texas-immtrac2:TX1234';
const PENDING = `${ACCOUNT}#pending`;
const OLD = 'Old-Password-1!';
const NEW = 'New-Password-2@';
const NEWER = 'Newer-Password-3#';
const DROPOFF = '/HL7-Dropoff';
const REFUSED_NEW = 'The registry did not accept the new password, so the password was not changed. Choose a different one (the registry may have rules of its own) and try again.';



let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rt-engine-unit-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const engines: Engine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) {
    engine.broker.denyAll();
    await engine.disconnect();
  }
  fake.server = null;
});

let made = 0;
interface Setup {
  account: AccountOptions;
  saved?: Record<string, string>;
  options?: ServerOptions;
  practice?: PracticePort;
}

/** A registry with Texas's folders, and an engine whose keychain holds `saved`; trust requests are answered "trust". */
function registry({ account, saved = {}, options = {}, practice }: Setup) {
  const server = new MemoryServer({ usernameLabel: profile.username.label, supportTeam: profile.support.team, ...options })
    .account('TX1234', account)
    .folder(DROPOFF)
    .folder('/Accepted')
    .folder('/DQA-Report')
    .folder('/Receive');
  fake.server = server;
  const vault = new MemoryVault(saved);
  const events: RegistryEvent[] = [];
  const dataDir = join(dir, String((made += 1)));
  let engine: Engine | undefined;
  engine = createEngine({
    settings: new MemorySettings(),
    emit: (event) => {
      events.push(event);
      if (event.type === 'request' && event.request.kind !== 'new-password') {
        const id = event.request.id;
        queueMicrotask(() => engine?.broker.answer(id, 'trust'));
      }
    },
    openExternal: async () => undefined,
    appInfo: { name: 'Registry Transfer', version: 'test' },
    vault,
    dataDir,
    localPlaces: () => [],
    idleCloseSeconds: 3600,
    ...(practice ? { practice } : {}),
  });
  engines.push(engine);
  const params = (more: Partial<SignInParams> = {}): SignInParams => ({ profile, protocol: 'sftp', username: 'TX1234', typed: undefined, rememberPassword: false, askForNewPassword: true, ...more });
  /** The new-password requests emitted so far. */
  const passwordRequests = () => events.flatMap((e) => (e.type === 'request' && e.request.kind === 'new-password' ? [e.request as NewPasswordRequest] : []));
  /** Wait for the n-th new-password request (1-based). */
  const nthPasswordRequest = async (n: number): Promise<NewPasswordRequest> => {
    await until(() => passwordRequests().length >= n, `new-password request ${n}`);
    return passwordRequests()[n - 1] as NewPasswordRequest;
  };
  const connectionEvents = () => events.flatMap((e) => (e.type === 'connection' ? [e] : []));
  return { server, vault, events, engine, dataDir, params, passwordRequests, nthPasswordRequest, connectionEvents };
}

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

/** No password, old or new, in anything the engine said to the window. */
const expectNoPasswordIn = (events: RegistryEvent[]) => {
  const said = JSON.stringify(events);
  for (const secret of [OLD, NEW, NEWER]) expect(said).not.toContain(secret);
};

describe('sign-in with the saved passwords', () => {
  it('tries the current then the pending password, once each, keeps the one that worked, and says so', async () => {
    const { server, vault, engine, events, params, connectionEvents } = registry({ account: { password: NEW }, saved: { [ACCOUNT]: OLD, [PENDING]: NEW } });
    const { session, notices } = await engine.signIn(params());
    expect(server.signIns.map((s) => [s.password, s.accepted])).toEqual([
      [OLD, false],
      [NEW, true],
    ]);
    expect(vault.saved()).toEqual({ [ACCOUNT]: NEW });
    expect(notices).toEqual([PENDING_PROMOTED]);
    expect(session.state).toBe('open');
    expect(session.request.password).toBe(NEW);
    expect(engine.session()).toBe(session);
    // The change did reach the registry: the first-login change is no longer due.
    expect(session.info.passwordChangeDue).toBe(false);
    expect(session.info.folders.find((f) => f.role === 'dropoff')?.path).toBe(DROPOFF);
    expect(connectionEvents().map((e) => [e.state, e.message])).toEqual([
      ['connecting', 'Connecting to Texas ImmTrac2…'],
      ['connected', `Connected to Texas ImmTrac2 as TX1234. ${PENDING_PROMOTED}`],
    ]);
    // The identity was asked about once (a request, answered "trust") before any password went.
    expect(events.filter((e) => e.type === 'request').map((e) => (e.type === 'request' ? e.request.kind : ''))).toEqual(['host-key']);
    expectNoPasswordIn(events);
  });

  it('neither is taken: each tried once, the user told, both kept, and no session', async () => {
    const { server, vault, engine, params, connectionEvents } = registry({ account: { password: 'Someone-Else-9!' }, saved: { [ACCOUNT]: OLD, [PENDING]: NEW } });
    const error = await failureOf(engine.signIn(params()));
    expect(error.code).toBe('auth-failed');
    expect(server.signIns.map((s) => s.password)).toEqual([OLD, NEW]);
    expect(vault.saved()).toEqual({ [ACCOUNT]: OLD, [PENDING]: NEW });
    expect(connectionEvents().at(-1)).toMatchObject({ state: 'failed', message: error.message, failure: { ok: false, code: 'auth-failed' } });
    expect(engine.currentSession()).toBeNull();
    expect(() => engine.session()).toThrow(NOT_CONNECTED);
  });
});

describe('a new password the registry demands at sign-in', () => {
  it('is asked for with a new-password request; the answer signs in, and the registry and keychain have the new password', async () => {
    const { server, vault, engine, events, params, nthPasswordRequest, passwordRequests } = registry({ account: { password: OLD, demandChange: 'accept' }, saved: { [ACCOUNT]: OLD } });
    const signingIn = engine.signIn(params());
    const request = await nthPasswordRequest(1);
    expect(request).toMatchObject({ kind: 'new-password', profileId: profile.id, profileName: profile.name, protocol: 'sftp', username: 'TX1234' });
    expect(request.problem).toBeUndefined();
    expect(engine.broker.answer(request.id, { newPassword: NEW })).toBe('answered');
    const { session } = await signingIn;
    expect(server.passwordOf('TX1234')).toBe(NEW);
    expect(vault.saved()).toEqual({ [ACCOUNT]: NEW });
    expect(session.request.password).toBe(NEW);
    expect(session.info.passwordChangeDue).toBe(false);
    expect(passwordRequests()).toHaveLength(1);
    expect(events.filter((e) => e.type === 'request-closed').map((e) => (e.type === 'request-closed' ? e.answer : ''))).toEqual(['trust', 'new-password-given']);
    expectNoPasswordIn(events);
  });

  it('a new password the registry refuses is asked for again with the reason; deny leaves the user not signed in, nothing changed', async () => {
    const { server, engine, events, params, nthPasswordRequest, connectionEvents } = registry({ account: { password: OLD, demandChange: 'refuse' }, saved: { [ACCOUNT]: OLD } });
    const signingIn = failureOf(engine.signIn(params()));
    const first = await nthPasswordRequest(1);
    engine.broker.answer(first.id, { newPassword: NEW });
    const second = await nthPasswordRequest(2);
    expect(second.id).not.toBe(first.id);
    expect(second.problem).toBe(REFUSED_NEW);
    engine.broker.answer(second.id, 'deny');
    const error = await signingIn;
    expect(error.code).toBe('password-change-required');
    expect(error.message).toBe(NOT_SIGNED_IN_NO_NEW_PASSWORD);
    expect(connectionEvents().at(-1)).toMatchObject({ state: 'failed', message: NOT_SIGNED_IN_NO_NEW_PASSWORD, failure: { code: 'password-change-required' } });
    expect(server.passwordOf('TX1234')).toBe(OLD);
    expect(engine.currentSession()).toBeNull();
    expect(server.openConnections).toBe(0);
    expectNoPasswordIn(events);
  });

  it('an answer the app\'s own checks refuse is never sent, and is asked for again with the reason', async () => {
    const { server, engine, params, nthPasswordRequest } = registry({ account: { password: OLD, demandChange: 'accept' }, saved: { [ACCOUNT]: OLD } });
    const signingIn = engine.signIn(params());
    engine.broker.answer((await nthPasswordRequest(1)).id, { newPassword: 'short' });
    const second = await nthPasswordRequest(2);
    expect(second.problem).toMatch(/^The new password does not meet Texas ImmTrac2's rules\. .* Nothing was sent\.$/);
    expect(server.signIns.map((s) => s.password)).toEqual([OLD]);
    engine.broker.answer(second.id, { newPassword: NEWER });
    await signingIn;
    expect(server.passwordOf('TX1234')).toBe(NEWER);
  });

  it('deny at the first request: not signed in, nothing changed, in the one wording', async () => {
    const { server, vault, engine, params, nthPasswordRequest } = registry({ account: { password: OLD, demandChange: 'accept' }, saved: { [ACCOUNT]: OLD } });
    const signingIn = failureOf(engine.signIn(params()));
    engine.broker.answer((await nthPasswordRequest(1)).id, 'deny');
    const error = await signingIn;
    expect(error).toMatchObject({ code: 'password-change-required', message: NOT_SIGNED_IN_NO_NEW_PASSWORD });
    expect(server.passwordOf('TX1234')).toBe(OLD);
    expect(vault.saved()).toEqual({ [ACCOUNT]: OLD });
  });

  it('the command line, which cannot ask mid-run: the registry\'s demand, and no request', async () => {
    const { engine, params, passwordRequests } = registry({ account: { password: OLD, demandChange: 'accept' }, saved: { [ACCOUNT]: OLD } });
    const error = await failureOf(engine.signIn(params({ askForNewPassword: false })));
    expect(error.code).toBe('password-change-required');
    expect(error.message).toBe('The registry asks you to choose a new password before you can sign in.');
    expect(passwordRequests()).toEqual([]);
  });
});

describe('one sign-in at a time', () => {
  it('a second sign-in while the first is connecting is refused as busy, and the first goes on', async () => {
    const { server, engine, params, connectionEvents } = registry({ account: { password: OLD }, saved: { [ACCOUNT]: OLD } });
    const connects = server.gate('connect');
    const first = engine.signIn(params());
    await connects.arrived(1);
    const error = await failureOf(engine.signIn(params()));
    expect(error.code).toBe('busy');
    expect(error.message).toBe(BUSY_CONNECTING);
    connects.open();
    const { session } = await first;
    expect(engine.session()).toBe(session);
    expect(server.signIns).toHaveLength(1);
    // The refusal is the second caller's alone: the window is not told the first one failed.
    expect(connectionEvents().map((e) => e.state)).toEqual(['connecting', 'connected']);
  });

  it('a second sign-in while the first waits for a new password is refused as busy too', async () => {
    const { engine, params, nthPasswordRequest } = registry({ account: { password: OLD, demandChange: 'accept' }, saved: { [ACCOUNT]: OLD } });
    const first = engine.signIn(params());
    const request = await nthPasswordRequest(1);
    expect(await failureOf(engine.signIn(params()))).toMatchObject({ code: 'busy', message: BUSY_CONNECTING });
    engine.broker.answer(request.id, { newPassword: NEW });
    await first;
    expect(engine.currentSession()?.state).toBe('open');
  });

  it('a new sign-in ends the session before it', async () => {
    const { server, engine, params } = registry({ account: { password: OLD }, saved: { [ACCOUNT]: OLD } });
    const { session: before } = await engine.signIn(params());
    const { session: after } = await engine.signIn(params());
    expect(before.active).toBe(false);
    expect(after.active).toBe(true);
    expect(server.openConnections).toBe(1);
  });
});

describe('the transfer queue', () => {
  const batchIn = (name: string) => {
    const path = join(mkdtempSync(join(dir, 'files-')), name);
    writeFileSync(path, hl7Batch({ importCode: 'TX1234', variant: name.slice(-5, -4) }));
    return path;
  };

  it('sends over the current session: after signing in again, over the new connection', async () => {
    const { server, engine, params } = registry({ account: { password: OLD }, saved: { [ACCOUNT]: OLD } });
    const { session: before } = await engine.signIn(params());
    const { session } = await engine.signIn(params());
    const status = engine.transfers.enqueueUpload(engine.transferTarget(before), batchIn('TX1234_20261270A.HL7'), []);
    const result = (await engine.transfers.settled(status.id)) as TransferResult;
    expect(result.status.state).toBe('done');
    expect(server.operations.filter((o) => o.op === 'upload').map((o) => o.connection)).toEqual([2]);
    expect(session.active).toBe(true);
  });

  it('a transfer queued with no one signed in fails as not connected, in the one wording', async () => {
    const { server, engine, params } = registry({ account: { password: OLD }, saved: { [ACCOUNT]: OLD } });
    const { session } = await engine.signIn(params());
    const target = engine.transferTarget(session);
    await engine.disconnect();
    const status = engine.transfers.enqueueUpload(target, batchIn('TX1234_20261271A.HL7'), []);
    const result = (await engine.transfers.settled(status.id)) as TransferResult;
    expect(result.status).toMatchObject({ state: 'failed', message: NOT_CONNECTED });
    expect(result.failure).toMatchObject({ sendingStarted: false, stoppedByChecks: false });
    expect(server.connectionsOpened).toBe(1);
  });
});

describe('disconnect', () => {
  it('cancels the transfers still waiting and stops the one being sent; the session ends and nothing is delivered', async () => {
    const { server, engine, params } = registry({ account: { password: OLD }, saved: { [ACCOUNT]: OLD }, options: { parallelTransfers: 1 } });
    const { session } = await engine.signIn(params());
    const uploads = server.gate('upload');
    const target = engine.transferTarget(session);
    const files = mkdtempSync(join(dir, 'files-'));
    const statuses = ['A', 'B', 'C'].map((x) => {
      const path = join(files, `TX1234_20261260${x}.HL7`);
      writeFileSync(path, hl7Batch({ importCode: 'TX1234', variant: x }));
      return engine.transfers.enqueueUpload(target, path, []);
    });
    await uploads.arrived(1);
    await engine.disconnect();
    const results = await Promise.all(statuses.map((s) => engine.transfers.settled(s.id) as Promise<TransferResult>));
    expect(results.map((r) => r.status.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(results.map((r) => r.failure?.cancelledBeforeStart)).toEqual([false, true, true]);
    // The one being sent is stopped; the session is ending, so its temporary file is not removed
    // now but written down and removed on the next connection to the account, and the user is told.
    expect(results[0]?.failure).toMatchObject({ sendingStarted: true, leftBehind: true, remains: null });
    expect(results[0]?.status.message).toBe(
      'Cancelled. Nothing was delivered. A partial copy under a hidden temporary name may remain in HL7-Dropoff; the registry does not process it, and the app removes it the next time it connects to this account.',
    );
    expect(engine.leftovers.pending({ profileId: profile.id, username: 'TX1234', host: 'immtrac-ftp1.dshs.state.tx.us', port: 22 })).toEqual([
      expect.stringMatching(/^\/HL7-Dropoff\/\.upload-[0-9a-f]{12}\.rt-partial$/),
    ]);
    expect(results[1]?.status.message).toBe('Cancelled before it started. Nothing was sent.');
    expect(server.names(DROPOFF).filter((n) => n.endsWith('.HL7'))).toEqual([]);
    expect(uploads.reached).toHaveLength(1);
    expect(session.active).toBe(false);
    expect(engine.currentSession()).toBeNull();
    expect(() => engine.session()).toThrow(NOT_CONNECTED);
    await until(() => server.openConnections === 0, 'the connection closed');
    expect(((await engine.history?.list()) ?? []).map((l) => l.result)).toEqual(['cancelled', 'cancelled', 'cancelled']);
  });
});

describe('a voluntary password change racing a disconnect (finding)', () => {
  it('a change whose session ended before it was sent: nothing sent, said as not sent, and no pending password left behind', async () => {
    const { server, vault, engine, params } = registry({ account: { password: OLD }, saved: { [ACCOUNT]: OLD }, options: { protocol: 'ftps' } });
    const { session } = await engine.signIn(params({ protocol: 'ftps' }));
    await engine.disconnect();
    const done = await engine.changePasswordOn(session, { method: 'site-pswd', quoted: false }, NEW, true);
    expect(done.outcome).toBe('not-sent');
    expect(server.operations.filter((o) => o.op === 'passwordCommand')).toEqual([]);
    expect(vault.saved()).toEqual({ [ACCOUNT]: OLD });
  });
});

describe('the practice registry beside the app (issue 13, item 5)', () => {
  const practiceProfile = parseProfile({ ...texasImmTrac2, id: 'practice', name: 'Practice registry', endpoints: [{ protocol: 'sftp', host: '127.0.0.1', port: 40022 }] });
  const port: PracticePort = {
    profile: () => practiceProfile,
    account: () => ({ username: 'TX1234', issuedPassword: OLD, processAfterSeconds: 5 }),
    vouches: (seen) => seen.fingerprint === FINGERPRINT,
    samplesFolder: () => '/opt/Registry Transfer/resources/practice-samples',
  };

  it('is listed first with its account, and the window starts on it until a real registry is signed in to', async () => {
    const { engine, params } = registry({ account: { password: OLD }, practice: port });
    const listed = await connectionHandlers(engine).listProfiles({});
    expect(listed.ok && listed.profiles.map((p) => [p.id, p.practice ?? null])).toEqual([
      ['practice', { username: 'TX1234', issuedPassword: OLD, processAfterSeconds: 5, samplesFolder: '/opt/Registry Transfer/resources/practice-samples' }],
      ...(listed.ok ? listed.profiles.slice(1).map((p) => [p.id, null]) : []),
    ]);
    expect(listed.ok && listed.startWith).toBe('practice');

    await engine.signIn(params({ typed: OLD }));
    const after = await connectionHandlers(engine).listProfiles({});
    expect(after.ok && after.startWith).toBe('texas-immtrac2');
  });

  it('is trusted without a question (the app made its key), while a real registry showing the same key is still asked about', async () => {
    const { engine, events, params } = registry({ account: { password: OLD }, practice: port });
    await engine.signIn(params({ profile: practiceProfile, typed: OLD }));
    expect(events.filter((e) => e.type === 'request')).toEqual([]);
    await engine.signIn(params({ typed: OLD }));
    expect(events.filter((e) => e.type === 'request').map((e) => (e.type === 'request' ? e.request.kind : null))).toEqual(['host-key']);
  });

  it('offers its sample files as a place in My Computer, which the window may then read', async () => {
    const { engine } = registry({ account: { password: OLD }, practice: port });
    expect(engine.startingPlaces().at(-1)).toEqual({ label: 'Sample files (practice)', path: '/opt/Registry Transfer/resources/practice-samples', kind: 'folder' });
    expect(engine.localGrants.refusal('/opt/Registry Transfer/resources/practice-samples/PRAC01_20261201_weekly.HL7', 'file')).toBeNull();
  });
});
