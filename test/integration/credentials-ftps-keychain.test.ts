// FTPS password changes with a real system keychain (GNOME Keyring's Secret Service, run as the app
// runs: the engine in its own process, calls through dispatchCall), against the password-changing
// FTPS test server. The new password is kept as pending before it is sent, becomes the saved one when
// the registry confirms it, is dropped when the registry refuses it, and is kept beside the old one
// when the connection ends without an answer, so the next sign-in gets in with at most two attempts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD_CHANGED_AT_KEY } from '../../electron/engine/credentials/password-change';
import { PENDING_PROMOTED } from '../../electron/engine/registry-service';
import { startFtpPasswordServer, type FtpPasswordServer } from '../support/ftp-password-server';
import { createKeyring, type EngineJob, type EngineRun, type KeychainState, type Keyring } from '../support/keyring';
import { filesUnder } from '../support/files';

const USER = 'TX7702';
const ISSUED = 'Issued-By-Registry-64!';
const NEW = ['Granite-Pelican-4471%', 'Saffron-Kettle-9032#', 'Tundra-Violin-1865@', 'Cobalt-Meadow-5529&', 'Ember-Canyon-7140*', 'Willow-Comet-3391$'] as const;
const REFUSED_NEW = 'Refused-Here-2024!';
const WEB_PAGE = 'https://registry.example.test/manageaccount';

let implicitServer: FtpPasswordServer;
let explicitServer: FtpPasswordServer;
let scratch: string;
let keyring: Keyring;
const outputs: string[] = [];
let dataDirs = 0;

beforeAll(async () => {
  implicitServer = await startFtpPasswordServer({ mode: 'implicit', username: USER, password: ISSUED });
  explicitServer = await startFtpPasswordServer({ mode: 'explicit', username: USER, password: ISSUED });
  scratch = mkdtempSync(join(tmpdir(), 'rt-ftps-keychain-'));
  keyring = await createKeyring(scratch);
});

afterAll(async () => {
  await implicitServer?.stop();
  await explicitServer?.stop();
  keyring?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const profiles = () => [
  implicitServer.profile('pw-560', { requiredAtFirstLogin: true, methods: { ftps: 'pass-old-new' } }),
  explicitServer.profile('pw-560x', { requiredAtFirstLogin: true, methods: { ftps: 'pass-old-new' } }),
  implicitServer.profile('pw-site', { requiredAtFirstLogin: true, methods: { ftps: 'site-pswd' } }),
  explicitServer.profile('pw-sitex', { requiredAtFirstLogin: true, methods: { ftps: 'site-pswd' } }),
  explicitServer.profile('pw-web', { requiredAtFirstLogin: true, webPageUrl: WEB_PAGE, methods: { ftps: 'web-page' } }),
];
const account = (profileId: string) => `${profileId}:${USER}`;
const newDataDir = () => join(scratch, `data-${++dataDirs}`);

async function engine(job: Omit<EngineJob, 'profiles'>, state: KeychainState = 'unlocked'): Promise<EngineRun> {
  const run = await keyring.engine(state, { profiles: profiles(), ...job });
  outputs.push(run.stdout, run.stderr);
  expect(run.code, run.stderr).toBe(0);
  expect(run.results).toHaveLength(job.calls.length);
  return run;
}

const connect = (profileId: string, input: Record<string, unknown> = {}) => ({
  name: 'connect' as const,
  input: { profileId, protocol: 'ftps', username: USER, ...input },
});
const change = (input: Record<string, unknown>) => ({ name: 'changePassword' as const, input });
const saved = async (profileId: string) => ({
  current: await keyring.lookup(account(profileId)),
  pending: await keyring.lookup(`${account(profileId)}#pending`),
});
const changedAt = (dataDir: string): Record<string, string> =>
  (JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')) as Record<string, Record<string, string>>)[PASSWORD_CHANGED_AT_KEY] ?? {};
const replies = (server: FtpPasswordServer) => server.logins.map((l) => l.reply);

describe("WS_FTP Server's 560: the new password is pending until the registry confirms it", () => {
  it('confirmed: the keychain holds only the new password, the old one left the app exactly twice, and the account is no longer due a change', async () => {
    implicitServer.reset({ password: ISSUED, expired: true });
    const dataDir = newDataDir();
    const run = await engine({ dataDir, calls: [connect('pw-560', { password: ISSUED, newPassword: NEW[0], rememberPassword: true })] });
    expect(run.results[0]).toMatchObject({
      ok: true,
      connection: { hasSavedPassword: true, passwordChangeDue: false },
      notices: ['The registry accepted your new password. It is saved in the system keychain.'],
    });
    expect(implicitServer.account).toMatchObject({ password: NEW[0], expired: false });
    expect(implicitServer.count(ISSUED)).toBe(2);
    expect(implicitServer.commands.filter((c) => c.line.includes(ISSUED)).map((c) => c.line)).toEqual([`PASS ${ISSUED}`, `PASS ${ISSUED} ${NEW[0]}`]);
    expect(await saved('pw-560')).toEqual({ current: NEW[0], pending: null });
    expect(Object.keys(changedAt(dataDir))).toEqual([account('pw-560')]);

    implicitServer.reset({});
    const next = await engine({ dataDir, calls: [connect('pw-560')] });
    expect(next.results[0]).toMatchObject({ ok: true, notices: [], connection: { passwordChangeDue: false } });
    expect(replies(implicitServer)).toEqual([230]);
  });

  it('refused: the pending password is dropped, and the saved one still works', async () => {
    implicitServer.reset({ password: ISSUED, expired: true }, { refuseNewPassword: true });
    const dataDir = newDataDir();
    const run = await engine({ dataDir, seed: [{ account: account('pw-560'), password: ISSUED }], calls: [connect('pw-560', { newPassword: REFUSED_NEW })] });
    expect(run.results[0]).toMatchObject({ ok: false, code: 'password-change-required', message: expect.stringContaining('did not accept the new password') });
    expect(await saved('pw-560')).toEqual({ current: ISSUED, pending: null });
    expect(implicitServer.account).toMatchObject({ password: ISSUED, expired: true });
    expect(replies(implicitServer)).toEqual([560, 530]);
  });

  it('dropped after PASS old new: both are kept, and the next sign-in gets in with the new one in two attempts', async () => {
    explicitServer.reset({ password: ISSUED, expired: true }, { dropAfterChange: true });
    const dataDir = newDataDir();
    const run = await engine({ dataDir, seed: [{ account: account('pw-560x'), password: ISSUED }], calls: [connect('pw-560x', { newPassword: NEW[1] })] });
    expect(run.results[0]).toMatchObject({
      ok: false,
      code: 'unreachable',
      message:
        'The connection to Texas ImmTrac2 (FTPS explicit password test server) ended before it confirmed the new password, so the password may or may not have been changed. The app keeps both the old and the new password, and next time tries each once.',
    });
    expect(explicitServer.account.password).toBe(NEW[1]);
    expect(await saved('pw-560x')).toEqual({ current: ISSUED, pending: NEW[1] });

    explicitServer.reset({});
    const next = await engine({ dataDir, calls: [connect('pw-560x')] });
    expect(next.results[0]).toMatchObject({ ok: true, notices: [PENDING_PROMOTED], connection: { hasSavedPassword: true, passwordChangeDue: false } });
    expect(replies(explicitServer)).toEqual([530, 230]);
    expect(await saved('pw-560x')).toEqual({ current: NEW[1], pending: null });
    expect(Object.keys(changedAt(dataDir))).toEqual([account('pw-560x')]);
  });

  it('no keychain at all (no session bus): the change still completes, and the user is told the password was not saved', async () => {
    implicitServer.reset({ password: ISSUED, expired: true });
    const run = await engine({ dataDir: newDataDir(), calls: [connect('pw-560', { password: ISSUED, newPassword: NEW[5], rememberPassword: true })] }, 'no-dbus');
    expect(run.results[0]).toMatchObject({
      ok: true,
      connection: { hasSavedPassword: false, passwordChangeDue: false },
      notices: [
        'The registry accepted your new password.',
        'The system keychain is not available, so the new password is not saved by the app: remember it. This session has no connection to it (no D-Bus session bus).',
      ],
    });
    expect(implicitServer.account.password).toBe(NEW[5]);
  });
});

describe('SITE PSWD after a normal login', () => {
  it('confirmed: only the new password is saved', async () => {
    implicitServer.reset({ password: ISSUED, expired: false });
    const dataDir = newDataDir();
    const run = await engine({ dataDir, seed: [{ account: account('pw-site'), password: ISSUED }], calls: [connect('pw-site'), change({ newPassword: NEW[2] })] });
    expect(run.results[0]).toMatchObject({ ok: true, connection: { passwordChangeDue: true } });
    expect(run.results[1]).toEqual({ ok: true, method: 'site-pswd', changed: true, message: 'The registry accepted your new password. It is saved in the system keychain.', notices: [] });
    expect(await saved('pw-site')).toEqual({ current: NEW[2], pending: null });
    expect(implicitServer.commands.filter((c) => c.line.includes(ISSUED)).map((c) => c.line)).toEqual([`PASS ${ISSUED}`, `SITE PSWD ${ISSUED} ${NEW[2]}`]);
    expect(Object.keys(changedAt(dataDir))).toEqual([account('pw-site')]);
  });

  it('refused: the pending password is dropped', async () => {
    explicitServer.reset({ password: ISSUED, expired: false }, { refuseNewPassword: true });
    const run = await engine({ dataDir: newDataDir(), seed: [{ account: account('pw-sitex'), password: ISSUED }], calls: [connect('pw-sitex'), change({ newPassword: REFUSED_NEW })] });
    expect(run.results[1]).toMatchObject({ ok: false, code: 'password-change-required' });
    expect(await saved('pw-sitex')).toEqual({ current: ISSUED, pending: null });
  });

  it('dropped after sending: both are kept, and the next sign-in gets in with the new one in two attempts', async () => {
    explicitServer.reset({ password: ISSUED, expired: false }, { dropAfterChange: true });
    const dataDir = newDataDir();
    const run = await engine({ dataDir, seed: [{ account: account('pw-sitex'), password: ISSUED }], calls: [connect('pw-sitex'), change({ newPassword: NEW[3] })] });
    expect(run.results[1]).toMatchObject({ ok: false, code: 'unreachable', message: expect.stringContaining('The app keeps both the old and the new password, and next time tries each once.') });
    expect(explicitServer.account.password).toBe(NEW[3]);
    expect(await saved('pw-sitex')).toEqual({ current: ISSUED, pending: NEW[3] });

    explicitServer.reset({});
    const next = await engine({ dataDir, calls: [connect('pw-sitex')] });
    expect(next.results[0]).toMatchObject({ ok: true, notices: [PENDING_PROMOTED] });
    expect(replies(explicitServer)).toEqual([530, 230]);
    expect(await saved('pw-sitex')).toEqual({ current: NEW[3], pending: null });
  });
});

describe("a change on the registry's web page", () => {
  it('the new password is kept as pending, and the next sign-in proves it: the old one once, then the new one', async () => {
    explicitServer.reset({ password: ISSUED, expired: false });
    const dataDir = newDataDir();
    const run = await engine({
      dataDir,
      seed: [{ account: account('pw-web'), password: ISSUED }],
      calls: [connect('pw-web'), change({}), { name: 'storeChangedPassword', input: { newPassword: NEW[4] } }],
    });
    expect(run.results[0]).toMatchObject({ ok: true, connection: { passwordChangeDue: true } });
    expect(run.results[1]).toMatchObject({ ok: true, method: 'web-page', changed: false, url: WEB_PAGE });
    expect(run.results[2]).toEqual({
      ok: true,
      saved: true,
      message:
        'The new password is saved in the system keychain. At the next sign-in to Texas ImmTrac2 (FTPS explicit password test server) the app tries the old password once and then the new one once, and keeps the one the registry accepts.',
    });
    expect(await saved('pw-web')).toEqual({ current: ISSUED, pending: NEW[4] });
    expect(Object.keys(changedAt(dataDir))).toEqual([account('pw-web')]);

    // What the user did on the page: the registry has the new password.
    explicitServer.reset({ password: NEW[4] });
    const next = await engine({ dataDir, calls: [connect('pw-web')] });
    expect(next.results[0]).toMatchObject({ ok: true, notices: [PENDING_PROMOTED], connection: { passwordChangeDue: false } });
    expect(replies(explicitServer)).toEqual([530, 230]);
    expect(await saved('pw-web')).toEqual({ current: NEW[4], pending: null });
  });
});

describe('after every run', () => {
  it('no password is in any result, event, output, data folder or keyring file (the test server keeps its own record)', () => {
    const files = filesUnder(scratch);
    // The keyring's own file is there too: it keeps its secrets encrypted.
    expect(files.some((f) => f.endsWith('config.json'))).toBe(true);
    const texts = [...outputs, ...files.map((f) => readFileSync(f, 'latin1'))];
    for (const secret of [ISSUED, ...NEW, REFUSED_NEW]) {
      for (const text of texts) expect(text.includes(secret), secret).toBe(false);
    }
  });
});
