// Saved passwords in a real system keychain (GNOME Keyring's Secret Service, which keytar uses on
// Linux), with the engine run as the app runs it, against a real OpenSSH sshd laid out as Texas. The
// password never comes back from a call; a keychain that is locked or missing is said in plain words
// and the login still works with the typed password; nothing is ever written anywhere else.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYCHAIN_NOT_SAVED } from '../../electron/engine/registry-service';
import { createKeyring, type EngineJob, type EngineRun, type KeychainState, type Keyring } from '../support/keyring';
import { localTexasProfile, startSshd, type SshAccount, type SshServer } from '../support/sshd';
import { filesUnder } from '../support/files';

const PROFILE_ID = 'local-texas';
const WRONG_PASSWORD = 'Wrong-Guess-2026!';

let server: SshServer;
let scratch: string;
let keyring: Keyring;
const outputs: string[] = [];
let dataDirs = 0;

beforeAll(async () => {
  server = await startSshd({ tag: 'KC' });
  scratch = mkdtempSync(join(tmpdir(), 'rt-credentials-keychain-'));
  keyring = await createKeyring(scratch);
});

afterAll(async () => {
  await server?.stop();
  keyring?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const secrets = () => [server.home.password, server.chroot.password, WRONG_PASSWORD];
const account = (user: SshAccount) => `${PROFILE_ID}:${user.username}`;
const newDataDir = () => join(scratch, `data-${++dataDirs}`);

/** The engine in its own process, with the keychain in `state`; what it printed is kept for the final search. */
async function engine(state: KeychainState, dataDir: string, calls: EngineJob['calls']): Promise<EngineRun> {
  const run = await keyring.engine(state, { dataDir, profiles: [localTexasProfile(server.port, PROFILE_ID)], calls });
  outputs.push(run.stdout, run.stderr);
  expect(run.code, run.stderr).toBe(0);
  expect(run.results).toHaveLength(calls.length);
  return run;
}

const connect = (user: SshAccount, extra: Record<string, unknown> = {}) => ({
  name: 'connect' as const,
  input: { profileId: PROFILE_ID, protocol: 'sftp', username: user.username, ...extra },
});
const savedFor = (user: SshAccount) => ({ name: 'getSavedPassword' as const, input: { profileId: PROFILE_ID, username: user.username } });
const forget = (user: SshAccount) => ({ name: 'forgetPassword' as const, input: { profileId: PROFILE_ID, username: user.username } });

const connectedMessage = (run: EngineRun) =>
  run.events.flatMap((e) => (e.type === 'connection' && e.state === 'connected' ? [e.message] : []));

/** sshd's log since `mark`, once it shows `until` (sshd's children append late). */
async function logSince(mark: number, until: RegExp): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const text = server.log().slice(mark);
    if (until.test(text) || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
}
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('saved passwords in an unlocked keychain', () => {
  it('saves the password the registry accepted when asked, signs in with it next time, and forgets it on request', async () => {
    const user = server.home;
    const dataDir = newDataDir();

    const first = await engine('unlocked', dataDir, [savedFor(user), connect(user, { password: user.password, rememberPassword: true }), savedFor(user)]);
    expect(first.results[0]).toEqual({ ok: true, hasSavedPassword: false });
    expect(first.results[1]).toMatchObject({
      ok: true,
      connection: { username: user.username, hasSavedPassword: true },
      notices: ['The password is now saved in the system keychain.'],
    });
    expect(first.results[2]).toEqual({ ok: true, hasSavedPassword: true });
    // Where any Secret Service client finds it: the app's service name and <profile>:<username>.
    expect(await keyring.lookup(account(user))).toBe(user.password);

    const mark = server.log().length;
    const next = await engine('unlocked', dataDir, [connect(user)]);
    expect(next.results[0]).toMatchObject({ ok: true, connection: { hasSavedPassword: true }, notices: [] });
    expect(connectedMessage(next)).toEqual([`Connected to Texas ImmTrac2 (test server) as ${user.username}.`]);
    const log = await logSince(mark, new RegExp(`Accepted password for ${user.username} `));
    expect(count(log, `Accepted password for ${user.username} `)).toBe(1);
    expect(log).not.toContain('Failed password');

    const forgotten = await engine('unlocked', dataDir, [forget(user), savedFor(user), connect(user), forget(user)]);
    expect(forgotten.results[0]).toEqual({ ok: true, forgotten: true });
    expect(forgotten.results[1]).toEqual({ ok: true, hasSavedPassword: false });
    expect(forgotten.results[2]).toEqual({
      ok: false,
      code: 'no-password',
      message: `No password is saved for ${user.username} at Texas ImmTrac2 (test server). Enter the password to sign in. (A locked system keychain also shows none saved.)`,
    });
    expect(forgotten.results[3]).toEqual({ ok: true, forgotten: false });
    expect(await keyring.lookup(account(user))).toBeNull();
  });

  it('saves nothing unless asked, and a refused password leaves the saved one as it was', async () => {
    const user = server.chroot;
    const dataDir = newDataDir();

    const unsaved = await engine('unlocked', dataDir, [connect(user, { password: user.password })]);
    expect(unsaved.results[0]).toMatchObject({ ok: true, connection: { hasSavedPassword: false }, notices: [] });
    expect(await keyring.lookup(account(user))).toBeNull();

    await engine('unlocked', dataDir, [connect(user, { password: user.password, rememberPassword: true })]);
    const mark = server.log().length;
    const refused = await engine('unlocked', dataDir, [connect(user, { password: WRONG_PASSWORD, rememberPassword: true }), savedFor(user)]);
    expect(refused.results[0]).toMatchObject({ ok: false, code: 'auth-failed' });
    expect(refused.results[1]).toEqual({ ok: true, hasSavedPassword: true });
    expect(await keyring.lookup(account(user))).toBe(user.password);
    // The typed password was tried once; the saved one was not tried behind the user's back.
    const log = await logSince(mark, new RegExp(`Failed password for ${user.username} `));
    await new Promise((r) => setTimeout(r, 300));
    expect(count(server.log().slice(mark), `password for ${user.username} `)).toBe(1);
    expect(log).toContain(`Failed password for ${user.username} `);
  });
});

describe('a keychain that cannot be used', () => {
  it('a locked keyring: the typed password signs in, the user is told it was not saved, and nothing is saved', async () => {
    const user = server.home;
    const dataDir = newDataDir();
    const run = await engine('locked', dataDir, [connect(user, { password: user.password, rememberPassword: true }), savedFor(user)]);

    const notice = `${KEYCHAIN_NOT_SAVED} The keyring is locked or not set up. Unlock it (log in to the desktop) and try again.`;
    expect(run.results[0]).toMatchObject({ ok: true, connection: { username: user.username, hasSavedPassword: false }, notices: [notice] });
    expect(connectedMessage(run)).toEqual([`Connected to Texas ImmTrac2 (test server) as ${user.username}. ${notice}`]);
    // A locked keyring reads as empty: keytar cannot tell it from one with nothing saved.
    expect(run.results[1]).toEqual({ ok: true, hasSavedPassword: false });
    expect(await keyring.lookup(account(user))).toBeNull();
  });

  it('no D-Bus session: the typed password signs in, and each call says the keychain is not available', async () => {
    const user = server.chroot;
    const dataDir = newDataDir();
    const run = await engine('no-dbus', dataDir, [connect(user, { password: user.password, rememberPassword: true }), savedFor(user), forget(user), connect(user)]);

    const reason = 'The system keychain is not available: this session has no connection to it (no D-Bus session bus).';
    const notice = `${KEYCHAIN_NOT_SAVED} This session has no connection to it (no D-Bus session bus).`;
    expect(run.results[0]).toMatchObject({ ok: true, connection: { username: user.username, hasSavedPassword: false }, notices: [notice] });
    expect(connectedMessage(run)).toEqual([`Connected to Texas ImmTrac2 (test server) as ${user.username}. ${notice}`]);
    expect(run.results[1]).toMatchObject({ ok: false, code: 'keychain-unavailable', message: reason });
    expect(run.results[2]).toMatchObject({ ok: false, code: 'keychain-unavailable', message: reason });
    expect(run.results[3]).toMatchObject({ ok: false, code: 'keychain-unavailable', message: `${reason} Enter the password to sign in.` });
  });
});

describe('after every run', () => {
  it('no password is in any call result, event, output, settings or history file, or server log', () => {
    const files = filesUnder(scratch);
    // The control: the data folders hold what the app writes (settings with the trusted server, history).
    expect(files.some((f) => f.endsWith('config.json'))).toBe(true);
    const texts = [...outputs, server.log(), ...files.map((f) => readFileSync(f, 'latin1'))];
    for (const secret of secrets()) {
      for (const text of texts) expect(text.includes(secret)).toBe(false);
    }
  });
});
