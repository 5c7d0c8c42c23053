// The first-login password change, as the registries' servers demand it: Debian's OpenSSH with PAM
// and an account whose password has expired (`chage -d 0`), which asks through keyboard-interactive;
// and ssh2's own server following RFC 4252 section 8 (SSH_MSG_USERAUTH_PASSWD_CHANGEREQ). The engine
// runs as the app runs, with a real keychain, and is killed half-way through a change to show that
// the next login still gets in, with the one password that works, in at most two attempts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, utils, type Connection } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wholeKeyPair } from '../../electron/engine/keys/whole-key-pair';
import { PENDING_PROMOTED } from '../../electron/engine/registry-service';
import { createKeyring, type EngineJob, type EngineRun, type Keyring } from '../support/keyring';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';
import { filesUnder } from '../support/files';

const TEXAS_ID = 'local-texas';
const RFC_ID = 'rfc-registry';
/** The password a registry hands out, which must be changed at the first login. */
const ISSUED = 'Issued-By-Registry-31!';
/** New passwords, each different enough from the others for PAM's similarity check. */
const NEW = ['Blue-Heron-7731%', 'Quiet-Maple-4490#', 'Orbit-Cactus-5182@', 'Amber-Fjord-6603&', 'Lunar-Wicket-2857*', 'Velvet-Quarry-9146$', 'Copper-Lagoon-3318^'] as const;
const WEAK = 'short';
const REFUSED_BY_SERVER = 'Refused-By-Server-77!';
/** Connect met the registry's demand, asked for a new password with a request, and the dialog was closed. */
const CHANGE_REQUIRED = { ok: false, code: 'password-change-required', message: 'Not signed in: the registry needs a new password first. Nothing was changed.' };

let sshd: SshServer;
let rfc: ChangingServer;
let scratch: string;
let keyring: Keyring;
const outputs: string[] = [];
let dataDirs = 0;

beforeAll(async () => {
  sshd = await startSshd({ tag: 'PW' });
  rfc = await startChangingServer('CIIS-RFC-USER', ISSUED);
  scratch = mkdtempSync(join(tmpdir(), 'rt-password-change-'));
  keyring = await createKeyring(scratch);
});

afterAll(async () => {
  await sshd?.stop();
  await rfc?.close();
  keyring?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The servers
// ---------------------------------------------------------------------------------------------

/** ssh2's own SSH server, whose password answer is a change request while the password is expired. */
interface ChangingServer {
  port: number;
  username: string;
  password: string;
  expired: boolean;
  /** Take the new password, then drop the connection before saying so. */
  dropAfterChange: boolean;
  /** Password logins tried, and SFTP sessions opened (a session means the login got through). */
  attempts: number;
  sessions: number;
  close(): Promise<void>;
}

async function startChangingServer(username: string, password: string): Promise<ChangingServer> {
  const state = { port: 0, username, password, expired: true, dropAfterChange: false, attempts: 0, sessions: 0 } as ChangingServer;
  const server = new Server({ hostKeys: [wholeKeyPair('ed25519', () => utils.generateKeyPairSync('ed25519')).private] }, (client: Connection) => {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'password' || ctx.username !== state.username) return ctx.reject(['password']);
      state.attempts += 1;
      if (ctx.password !== state.password) return ctx.reject(['password']);
      if (!state.expired) return ctx.accept();
      ctx.requestChange('Your password has expired. Choose a new one.', (newPassword) => {
        if (newPassword === REFUSED_BY_SERVER) return ctx.reject(['password']);
        state.password = newPassword;
        state.expired = false;
        if (state.dropAfterChange) return void client.end();
        ctx.accept();
      });
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        acceptSession().on('sftp', (acceptSftp) => {
          state.sessions += 1;
          const sftp = acceptSftp();
          sftp.on('REALPATH', (id) => sftp.name(id, [{ filename: '/', longname: '/', attrs: { mode: 0o40755, uid: 0, gid: 0, size: 0, atime: 0, mtime: 0 } }]));
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

const rfcProfile = () => ({
  id: RFC_ID,
  name: 'Colorado CIIS (RFC 4252 test server)',
  endpoints: [{ protocol: 'sftp', host: '127.0.0.1', port: rfc.port }],
  folders: [{ role: 'dropoff', name: 'Home', path: '.', rights: ['list', 'read', 'write'] }],
  passwordChange: { requiredAtFirstLogin: true },
  support: { team: 'CIIS user support' },
});
const texasProfile = () => ({ ...localTexasProfile(sshd.port, TEXAS_ID), passwordChange: { requiredAtFirstLogin: true } });

/** The OpenSSH account, with `password` set and expired: PAM demands a change at the next login. */
function expireSshAccount(password: string): void {
  const user = sshd.home.username;
  execFileSync('chpasswd', { input: `${user}:${password}\n` });
  execFileSync('chage', ['-d', '0', user]);
}
const shadowHash = () => execFileSync('getent', ['shadow', sshd.home.username]).toString().split(':')[1];

/** sshd's log since `mark`, once it shows `until` (sshd's children append late), and a little after. */
async function logSince(mark: number, until: RegExp): Promise<string> {
  const deadline = Date.now() + 6_000;
  while (!until.test(sshd.log().slice(mark)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  // A little longer, so a further attempt (which would come straight after) would be logged too.
  await new Promise((r) => setTimeout(r, 300));
  return sshd.log().slice(mark);
}
const count = (text: string, needle: string) => text.split(needle).length - 1;
/** Login attempts in sshd's log: each keyboard-interactive one starts "Postponed keyboard-interactive for". */
const attempts = (log: string) => count(log, `Postponed keyboard-interactive for ${sshd.home.username} `) + count(log, `password for ${sshd.home.username} `);

// ---------------------------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------------------------

const newDataDir = () => join(scratch, `data-${++dataDirs}`);
const texasAccount = () => `${TEXAS_ID}:${sshd.home.username}`;
const rfcAccount = () => `${RFC_ID}:${rfc.username}`;

async function engine(job: Omit<EngineJob, 'profiles'>, expectCrash = false): Promise<EngineRun> {
  const run = await keyring.engine('unlocked', { profiles: [texasProfile(), rfcProfile()], ...job });
  outputs.push(run.stdout, run.stderr);
  if (expectCrash) {
    expect(run.crashed, run.stderr).toBe(true);
  } else {
    expect(run.code, run.stderr).toBe(0);
    expect(run.results).toHaveLength(job.calls.length);
  }
  return run;
}

const connectTexas = (input: Record<string, unknown> = {}) => ({
  name: 'connect' as const,
  input: { profileId: TEXAS_ID, protocol: 'sftp', username: sshd.home.username, ...input },
});
const connectRfc = (input: Record<string, unknown> = {}) => ({
  name: 'connect' as const,
  input: { profileId: RFC_ID, protocol: 'sftp', username: rfc.username, ...input },
});

// ---------------------------------------------------------------------------------------------

describe('OpenSSH with PAM asks for the change through keyboard-interactive', () => {
  it('without a new password: "choose a new password", no session, nothing changed; a weak one is refused before sending', async () => {
    expireSshAccount(ISSUED);
    const before = shadowHash();
    const mark = sshd.log().length;

    const run = await engine({
      dataDir: newDataDir(),
      calls: [connectTexas({ password: ISSUED, newPassword: WEAK }), connectTexas({ password: ISSUED, rememberPassword: true })],
    });

    expect(run.results[0]).toEqual({
      ok: false,
      code: 'invalid-input',
      message:
        "The new password does not meet Texas ImmTrac2 (test server)'s rules. It needs at least 8 characters (it has 5). It needs at least one capital letter (A-Z). It needs at least one digit (0-9). It needs at least one symbol, such as ! # $ % or *. Nothing was sent.",
    });
    expect(run.results[1]).toEqual(CHANGE_REQUIRED);
    const log = await logSince(mark, /Disconnected from authenticating user|Connection closed by authenticating user/);
    // One login in all (the weak password never left), which reached the change prompts and no further.
    expect(attempts(log)).toBe(1);
    expect(log).toContain(`Postponed keyboard-interactive/pam for ${sshd.home.username} `);
    expect(log).not.toContain('Accepted keyboard-interactive');
    expect(log).not.toContain('Starting session');
    expect(shadowHash()).toBe(before);
    // The server took the issued password as the login, so it is the saved one; nothing is pending.
    expect(await keyring.lookup(texasAccount())).toBe(ISSUED);
    expect(await keyring.lookup(`${texasAccount()}#pending`)).toBeNull();
  });

  it('with a new password: the account\'s system password really changes, and the keychain holds only the new one', async () => {
    expireSshAccount(ISSUED);
    const before = shadowHash();
    const dataDir = newDataDir();

    const run = await engine({ dataDir, calls: [connectTexas({ password: ISSUED, newPassword: NEW[0], rememberPassword: true })] });
    expect(run.results[0]).toMatchObject({
      ok: true,
      connection: { username: sshd.home.username, hasSavedPassword: true },
      notices: ['The registry accepted your new password. It is saved in the system keychain.'],
    });
    expect(shadowHash()).not.toBe(before);
    expect(await keyring.lookup(texasAccount())).toBe(NEW[0]);
    expect(await keyring.lookup(`${texasAccount()}#pending`)).toBeNull();

    const later = await engine({ dataDir, calls: [connectTexas({ password: ISSUED }), connectTexas({ password: NEW[0] })] });
    expect(later.results[0]).toMatchObject({ ok: false, code: 'auth-failed' });
    expect(later.results[1]).toMatchObject({ ok: true, notices: [] });
  });

  it('the window is asked for the new password with a request: a weak answer is asked again with the reason, a good one changes it, and no event carries a password', async () => {
    expireSshAccount(ISSUED);
    const before = shadowHash();
    const mark = sshd.log().length;
    const dataDir = newDataDir();
    const chosen = 'Harbor-Lantern-8264!';

    const run = await engine({ dataDir, newPasswordAnswers: [WEAK, chosen], calls: [connectTexas({ password: ISSUED, rememberPassword: true })] });
    expect(run.results[0]).toMatchObject({
      ok: true,
      connection: { username: sshd.home.username, hasSavedPassword: true },
      notices: ['The registry accepted your new password. It is saved in the system keychain.'],
    });
    const asked = run.events.flatMap((e) => (e.type === 'request' && e.request.kind === 'new-password' ? [e.request] : []));
    expect(asked).toHaveLength(2);
    expect(asked[0]).toMatchObject({ profileId: TEXAS_ID, protocol: 'sftp', username: sshd.home.username });
    expect(asked[0]?.problem).toBeUndefined();
    expect(asked[1]?.problem).toMatch(/^The new password does not meet .*'s rules\. It needs at least 8 characters/);
    const closed = run.events.flatMap((e) => (e.type === 'request-closed' ? [e.answer] : []));
    expect(closed.filter((a) => a !== 'trust')).toEqual(['new-password-given', 'new-password-given']);
    for (const secret of [ISSUED, WEAK, chosen]) expect(JSON.stringify(run.events)).not.toContain(secret);

    expect(shadowHash()).not.toBe(before);
    expect(await keyring.lookup(texasAccount())).toBe(chosen);
    expect(await keyring.lookup(`${texasAccount()}#pending`)).toBeNull();
    // Two logins: the one that met the demand, and the one that answered it (the weak answer never left).
    const log = await logSince(mark, /Accepted keyboard-interactive/);
    expect(attempts(log)).toBe(2);
  });
});

describe('an RFC 4252 server answers the password with a change request', () => {
  it('without a new password: "choose a new password", one attempt, no session, nothing changed', async () => {
    Object.assign(rfc, { password: ISSUED, expired: true, dropAfterChange: false, attempts: 0, sessions: 0 });
    const run = await engine({ dataDir: newDataDir(), calls: [connectRfc({ password: ISSUED, rememberPassword: true })] });
    expect(run.results[0]).toEqual(CHANGE_REQUIRED);
    expect(rfc).toMatchObject({ password: ISSUED, expired: true, attempts: 1, sessions: 0 });
  });

  it('with a new password: the server has the new one, the old one stops working, and the keychain holds only the new one', async () => {
    Object.assign(rfc, { password: ISSUED, expired: true, dropAfterChange: false, attempts: 0, sessions: 0 });
    const dataDir = newDataDir();
    const run = await engine({ dataDir, calls: [connectRfc({ password: ISSUED, newPassword: NEW[1], rememberPassword: true })] });
    expect(run.results[0]).toMatchObject({
      ok: true,
      connection: { username: rfc.username, hasSavedPassword: true, folders: [{ role: 'dropoff', path: '/' }] },
      notices: ['The registry accepted your new password. It is saved in the system keychain.'],
    });
    expect(rfc).toMatchObject({ password: NEW[1], expired: false, attempts: 1, sessions: 1 });
    expect(await keyring.lookup(rfcAccount())).toBe(NEW[1]);
    expect(await keyring.lookup(`${rfcAccount()}#pending`)).toBeNull();

    const later = await engine({ dataDir, calls: [connectRfc({ password: ISSUED }), connectRfc()] });
    expect(later.results[0]).toMatchObject({ ok: false, code: 'auth-failed' });
    expect(later.results[1]).toMatchObject({ ok: true, connection: { hasSavedPassword: true } });
    expect(rfc).toMatchObject({ attempts: 3, sessions: 2 });
  });

  it('a new password the server refuses: said in plain words, nothing pending is kept, and the old one still works', async () => {
    Object.assign(rfc, { password: ISSUED, expired: true, dropAfterChange: false, attempts: 0, sessions: 0 });
    const run = await engine({ dataDir: newDataDir(), calls: [connectRfc({ password: ISSUED, newPassword: REFUSED_BY_SERVER, rememberPassword: true })] });
    expect(run.results[0]).toEqual({
      ok: false,
      code: 'password-change-required',
      message:
        'The registry did not accept the new password, so the password was not changed. Choose a different one (the registry may have rules of its own) and try again.',
    });
    expect(rfc).toMatchObject({ password: ISSUED, expired: true, attempts: 1, sessions: 0 });
    expect(await keyring.lookup(`${rfcAccount()}#pending`)).toBeNull();
    expect(await keyring.lookup(rfcAccount())).toBe(ISSUED);
  });
});

describe('a change cut short never locks anyone out', () => {
  it('the connection drops after the new password was sent: the user is told, and the next login finds the new one in two attempts', async () => {
    Object.assign(rfc, { password: ISSUED, expired: true, dropAfterChange: true, attempts: 0, sessions: 0 });
    const dataDir = newDataDir();
    const run = await engine({ dataDir, calls: [connectRfc({ password: ISSUED, newPassword: NEW[6], rememberPassword: true })] });
    expect(run.results[0]).toMatchObject({
      ok: false,
      code: 'unreachable',
      message:
        'The connection to Colorado CIIS (RFC 4252 test server) ended before it confirmed the new password, so the password may or may not have been changed. The app keeps both the old and the new password, and next time tries each once.',
    });
    expect(rfc).toMatchObject({ password: NEW[6], sessions: 0 });
    expect(await keyring.lookup(rfcAccount())).toBe(ISSUED);
    expect(await keyring.lookup(`${rfcAccount()}#pending`)).toBe(NEW[6]);

    Object.assign(rfc, { dropAfterChange: false, attempts: 0 });
    const next = await engine({ dataDir, calls: [connectRfc()] });
    expect(next.results[0]).toMatchObject({ ok: true, notices: [PENDING_PROMOTED] });
    expect(rfc).toMatchObject({ attempts: 2, sessions: 1 });
    expect(await keyring.lookup(rfcAccount())).toBe(NEW[6]);
    expect(await keyring.lookup(`${rfcAccount()}#pending`)).toBeNull();
  });

  it('(a) killed after the new password was kept as pending, before anything was sent: the next login gets in with the old one', async () => {
    expireSshAccount(ISSUED);
    const before = shadowHash();
    const dataDir = newDataDir();
    const mark = sshd.log().length;

    await engine(
      {
        dataDir,
        seed: [{ account: texasAccount(), password: ISSUED }],
        crash: { account: `${texasAccount()}#pending`, when: 'after-set' },
        calls: [connectTexas({ newPassword: NEW[2], rememberPassword: true })],
      },
      true,
    );
    expect(await keyring.lookup(`${texasAccount()}#pending`)).toBe(NEW[2]);
    expect(await keyring.lookup(texasAccount())).toBe(ISSUED);
    expect(sshd.log().slice(mark)).not.toContain('Connection from');
    expect(shadowHash()).toBe(before);

    // The next start: the saved (old) password is tried first, and the server takes it; the pending
    // one, which the server never saw, is dropped. Then the change is made for real.
    const next = await engine({ dataDir, calls: [connectTexas(), connectTexas({ newPassword: NEW[3] })] });
    expect(next.results[0]).toEqual(CHANGE_REQUIRED);
    expect(next.results[1]).toMatchObject({ ok: true, notices: ['The registry accepted your new password. It is saved in the system keychain.'] });
    const log = await logSince(mark, /Accepted keyboard-interactive/);
    expect(attempts(log)).toBe(2);
    expect(log).not.toContain('Failed keyboard-interactive');
    expect(await keyring.lookup(texasAccount())).toBe(NEW[3]);
    expect(await keyring.lookup(`${texasAccount()}#pending`)).toBeNull();
  });

  it('(b) killed after the server took the new password, before the keychain was updated: the next login gets in with the new one in two attempts', async () => {
    expireSshAccount(ISSUED);
    const before = shadowHash();
    const dataDir = newDataDir();

    await engine(
      {
        dataDir,
        seed: [{ account: texasAccount(), password: ISSUED }],
        // The keychain write that would make the new password current never happens.
        crash: { account: texasAccount(), when: 'before-set' },
        calls: [connectTexas({ newPassword: NEW[4], rememberPassword: true })],
      },
      true,
    );
    expect(shadowHash()).not.toBe(before);
    expect(await keyring.lookup(texasAccount())).toBe(ISSUED);
    expect(await keyring.lookup(`${texasAccount()}#pending`)).toBe(NEW[4]);

    const mark = sshd.log().length;
    const next = await engine({ dataDir, calls: [connectTexas()] });
    expect(next.results[0]).toMatchObject({ ok: true, connection: { hasSavedPassword: true }, notices: [PENDING_PROMOTED] });
    expect(next.events).toContainEqual(expect.objectContaining({ type: 'connection', state: 'connected', message: expect.stringContaining(PENDING_PROMOTED) }));
    const log = await logSince(mark, /Accepted keyboard-interactive/);
    expect(attempts(log)).toBe(2);
    expect(count(log, `Failed keyboard-interactive/pam for ${sshd.home.username} `)).toBe(1);
    expect(count(log, `Accepted keyboard-interactive/pam for ${sshd.home.username} `)).toBe(1);
    expect(await keyring.lookup(texasAccount())).toBe(NEW[4]);
    expect(await keyring.lookup(`${texasAccount()}#pending`)).toBeNull();
  });

  it('(c) after the keychain was updated: the next login gets in at once', async () => {
    expireSshAccount(ISSUED);
    const dataDir = newDataDir();
    await engine({ dataDir, calls: [connectTexas({ password: ISSUED, newPassword: NEW[5], rememberPassword: true })] });

    const mark = sshd.log().length;
    const next = await engine({ dataDir, calls: [connectTexas()] });
    expect(next.results[0]).toMatchObject({ ok: true, notices: [] });
    const log = await logSince(mark, /Accepted keyboard-interactive/);
    expect(attempts(log)).toBe(1);
    expect(log).not.toContain('Failed keyboard-interactive');
  });
});

describe('after every run', () => {
  it('no password (old, new, refused or weak) is in any result, event, output, data folder or server log', () => {
    const files = filesUnder(scratch);
    expect(files.some((f) => f.endsWith('config.json'))).toBe(true);
    const texts = [...outputs, sshd.log(), ...files.map((f) => readFileSync(f, 'latin1'))];
    for (const secret of [ISSUED, ...NEW, REFUSED_BY_SERVER, sshd.home.password]) {
      for (const text of texts) expect(text.includes(secret)).toBe(false);
    }
  });
});
