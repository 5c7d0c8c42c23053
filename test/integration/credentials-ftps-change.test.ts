// Password changes over FTPS, the ways registry servers make them, against a small FTPS server that
// really changes its account's password (test/support/ftp-password-server.ts), with implicit TLS (as
// Texas) and explicit AUTH TLS (as Colorado). The engine runs as the window drives it, through
// dispatchCall, with no system keychain at all: every change still completes and says that the
// password was not saved. The server's record of every command shows what left the app, and how
// many times each password did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchCall, type CallName, type CallResults, type RegistryEvent } from '../../shared/contract';
import { PASSWORD_CHANGED_AT_KEY } from '../../electron/engine/credentials/password-change';
import { createRegistryService, type RegistryService } from '../../electron/engine/registry-service';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { startFtpPasswordServer, type FtpPasswordServer, type FtpTlsMode } from '../support/ftp-password-server';

const USER = 'TX4411';
const ISSUED = 'Issued-By-Registry-58!';
const NEW = 'Heron-Lantern-2290%';
const OTHER_NEW = 'Maple-Orbit-7313#';
const WEAK = 'weak';
const WEB_PAGE = 'https://registry.example.test/manageaccount';

const NOT_SAVED = 'The system keychain is not available, so the new password is not saved by the app: remember it. This window has no access to it.';
/** Connect met the registry's demand (reply 560), asked for a new password with a request, and the dialog was closed. */
const CHANGE_REQUIRED = 'Not signed in: the registry needs a new password first. Nothing was changed.';
const REFUSED =
  'The registry did not accept the new password, so the password was not changed. Choose a different one (the registry may have rules of its own) and try again.';

interface Harness {
  service: RegistryService;
  settings: MemorySettings;
  events: RegistryEvent[];
  opened: string[];
  call: <N extends CallName>(name: N, input: unknown) => Promise<CallResults[N]>;
}

function harness(server: FtpPasswordServer, passwordChange: Record<string, unknown>, settings = new MemorySettings()): Harness {
  settings.set('customProfiles', [server.profile('ftps-pw', passwordChange)]);
  const events: RegistryEvent[] = [];
  const opened: string[] = [];
  const service = createRegistryService({
    settings,
    appInfo: { name: 'test', version: '0' },
    openExternal: async (url) => {
      opened.push(url);
    },
    timeoutSeconds: 10,
    emit: (event) => {
      events.push(event);
      // The server is trusted; a demand for a new password is declined (the dialog closed).
      if (event.type === 'request') void service.handlers.answerRequest({ id: event.request.id, answer: event.request.kind === 'new-password' ? 'deny' : 'trust' });
    },
  });
  const call = async <N extends CallName>(name: N, input: unknown) => {
    const result = (await dispatchCall(service.handlers, name, input)) as CallResults[N];
    seen.push(JSON.stringify(result));
    return result;
  };
  seen.push(() => JSON.stringify({ events, settings: settings.get(PASSWORD_CHANGED_AT_KEY) ?? null }));
  return { service, settings, events, opened, call };
}

const connect = (h: Harness, input: Record<string, unknown>) => h.call('connect', { profileId: 'ftps-pw', protocol: 'ftps', username: USER, ...input });
/** Every line the server received with `text` in it. */
const linesWith = (server: FtpPasswordServer, text: string) => server.commands.filter((c) => c.line.includes(text)).map((c) => c.line);

const servers: FtpPasswordServer[] = [];
/** Every result, and (read at the end) every event and settings record: what the window could see. */
const seen: (string | (() => string))[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

for (const mode of ['implicit', 'explicit'] as FtpTlsMode[]) {
  describe(`FTPS with ${mode} TLS`, () => {
    let server: FtpPasswordServer;
    beforeAll(async () => {
      server = await startFtpPasswordServer({ mode, username: USER, password: ISSUED });
      servers.push(server);
    });

    describe("WS_FTP Server: the login is refused with 560, and the change is a login of its own (PASS old new)", () => {
      const profile = { requiredAtFirstLogin: true, methods: { ftps: 'pass-old-new' } };

      it('without a new password: "choose a new password"; the old password was sent once, and nothing changed', async () => {
        server.reset({ password: ISSUED, expired: true });
        const h = harness(server, profile);
        const result = await connect(h, { password: ISSUED });
        await h.service.dispose();
        expect(result).toEqual({ ok: false, code: 'password-change-required', message: CHANGE_REQUIRED });
        // (The connection before, which only showed the certificate, sent nothing about the account.)
        const login = server.commands.filter((c) => c.connection === server.logins[0]?.connection).map((c) => c.line);
        expect(login).toEqual([...(mode === 'explicit' ? ['AUTH TLS'] : []), `USER ${USER}`, `PASS ${ISSUED}`]);
        expect(server.commands.filter((c) => c.connection !== server.logins[0]?.connection).map((c) => c.line)).toEqual([...(mode === 'explicit' ? ['AUTH TLS'] : []), 'QUIT']);
        expect(server.logins.map((l) => l.reply)).toEqual([560]);
        expect(server.account).toMatchObject({ password: ISSUED, expired: true });
      });

      it('with a new password: a second connection sends USER then PASS old new, the server takes it, and the old one stops working', async () => {
        server.reset({ password: ISSUED, expired: true });
        const h = harness(server, profile);
        const result = await connect(h, { password: ISSUED, newPassword: NEW, rememberPassword: true });
        expect(result).toMatchObject({
          ok: true,
          connection: { username: USER, hasSavedPassword: false, passwordChangeDue: false, folders: [{ role: 'dropoff', path: '/HL7-Dropoff' }, {}, {}, {}] },
          notices: ['The registry accepted your new password.', NOT_SAVED],
        });
        const listing = await h.call('listRemoteFolder', { role: 'dropoff' });
        expect(listing).toMatchObject({ ok: true, entries: [] });
        await h.service.dispose();

        expect(server.account).toEqual({ username: USER, password: NEW, expired: false });
        // The first connection: the login the server refused with 560. The second: the change.
        expect(linesWith(server, ISSUED)).toEqual([`PASS ${ISSUED}`, `PASS ${ISSUED} ${NEW}`]);
        expect(linesWith(server, NEW)).toEqual([`PASS ${ISSUED} ${NEW}`]);
        expect(server.logins.map((l) => [l.connection - server.logins[0]!.connection, l.reply])).toEqual([
          [0, 560],
          [1, 230],
        ]);
        const second = server.commands.filter((c) => c.connection === server.logins[1]!.connection).map((c) => c.line);
        expect(second.slice(0, mode === 'explicit' ? 3 : 2)).toEqual([...(mode === 'explicit' ? ['AUTH TLS'] : []), `USER ${USER}`, `PASS ${ISSUED} ${NEW}`]);
        expect(h.settings.get(PASSWORD_CHANGED_AT_KEY)).toEqual({ [`ftps-pw:${USER}`]: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

        const later = harness(server, profile, h.settings);
        expect(await connect(later, { password: ISSUED })).toMatchObject({ ok: false, code: 'auth-failed' });
        expect(await connect(later, { password: NEW })).toMatchObject({ ok: true, connection: { passwordChangeDue: false } });
        await later.service.dispose();
      });

      it('a new password the server refuses: said in plain words, and the issued password still stands', async () => {
        server.reset({ password: ISSUED, expired: true }, { refuseNewPassword: true });
        const h = harness(server, profile);
        const result = await connect(h, { password: ISSUED, newPassword: NEW });
        await h.service.dispose();
        expect(result).toMatchObject({ ok: false, code: 'password-change-required', message: REFUSED });
        expect(server.account).toMatchObject({ password: ISSUED, expired: true });
        expect(server.count(ISSUED)).toBe(2);
      });

      it('a weak new password, or one the command line cannot carry, is refused before anything is sent', async () => {
        server.reset({ password: ISSUED, expired: true });
        const h = harness(server, profile);
        const weak = await connect(h, { password: ISSUED, newPassword: WEAK });
        const spaced = await connect(h, { password: ISSUED, newPassword: 'Has Space-4491!' });
        await h.service.dispose();
        expect(weak).toMatchObject({ ok: false, code: 'invalid-input', message: expect.stringMatching(/^The new password does not meet .*rules\. .*Nothing was sent\.$/) });
        expect(spaced).toEqual({
          ok: false,
          code: 'invalid-input',
          message:
            "This registry's way of changing passwords sends the old and the new password on one line separated by a space, so neither may contain a space. Nothing was sent.",
        });
        expect(server.commands.filter((c) => c.line.startsWith('PASS') || c.line.startsWith('USER'))).toEqual([]);
      });

      it('the connection drops after PASS old new: the user is told it may or may not have changed, and the next login finds the new one in two attempts', async () => {
        server.reset({ password: ISSUED, expired: true }, { dropAfterChange: true });
        const h = harness(server, profile);
        const result = await connect(h, { password: ISSUED, newPassword: OTHER_NEW });
        await h.service.dispose();
        expect(result).toMatchObject({
          ok: false,
          code: 'unreachable',
          message: `The connection to Texas ImmTrac2 (FTPS ${mode} password test server) ended before it confirmed the new password, so the password may or may not have been changed. If the old password is refused next time, sign in with the new one.`,
        });
        expect(server.account).toMatchObject({ password: OTHER_NEW, expired: false });
      });
    });

    describe('SITE PSWD and SITE CPWD: a change whenever the user wants, after a normal login', () => {
      it('SITE PSWD old new (Serv-U): the server takes it, the session goes on, and the old password stops working', async () => {
        server.reset({ password: ISSUED, expired: false });
        const h = harness(server, { requiredAtFirstLogin: true, methods: { ftps: 'site-pswd' } });
        const connected = await connect(h, { password: ISSUED });
        expect(connected).toMatchObject({ ok: true, connection: { passwordChangeDue: true } });
        const changed = await h.call('changePassword', { newPassword: NEW });
        expect(changed).toEqual({ ok: true, method: 'site-pswd', changed: true, message: 'The registry accepted your new password.', notices: [NOT_SAVED] });
        expect(await h.call('listRemoteFolder', { role: 'reports' })).toMatchObject({ ok: true });
        await h.call('disconnect', {});
        // Reconnecting works with the new password, and the account is no longer due a change.
        expect(await connect(h, { password: NEW })).toMatchObject({ ok: true, connection: { passwordChangeDue: false } });
        await h.service.dispose();

        expect(server.account.password).toBe(NEW);
        expect(linesWith(server, ISSUED)).toEqual([`PASS ${ISSUED}`, `SITE PSWD ${ISSUED} ${NEW}`]);
        expect(linesWith(server, NEW)).toEqual([`SITE PSWD ${ISSUED} ${NEW}`, `PASS ${NEW}`]);
        const again = harness(server, { methods: { ftps: 'site-pswd' } });
        expect(await connect(again, { password: ISSUED })).toMatchObject({ ok: false, code: 'auth-failed' });
        await again.service.dispose();
      });

      it('SITE PSWD "old" "new" (Titan), when the profile says the passwords are quoted', async () => {
        server.reset({ password: ISSUED, expired: false }, { sitePswdQuoted: true });
        const h = harness(server, { methods: { ftps: 'site-pswd' }, sitePswd: { quoted: true } });
        expect(await connect(h, { password: ISSUED })).toMatchObject({ ok: true });
        expect(await h.call('changePassword', { newPassword: NEW })).toMatchObject({ ok: true, method: 'site-pswd', changed: true });
        await h.service.dispose();
        expect(server.account.password).toBe(NEW);
        expect(linesWith(server, 'SITE')).toEqual([`SITE PSWD "${ISSUED}" "${NEW}"`]);
      });

      it('SITE CPWD new (older WS_FTP): the old password is not sent again', async () => {
        server.reset({ password: ISSUED, expired: false });
        const h = harness(server, { methods: { ftps: 'site-cpwd' } });
        expect(await connect(h, { password: ISSUED })).toMatchObject({ ok: true });
        expect(await h.call('changePassword', { newPassword: NEW })).toMatchObject({ ok: true, method: 'site-cpwd', changed: true });
        await h.service.dispose();
        expect(server.account.password).toBe(NEW);
        expect(linesWith(server, ISSUED)).toEqual([`PASS ${ISSUED}`]);
        expect(linesWith(server, NEW)).toEqual([`SITE CPWD ${NEW}`]);
      });

      it('a refused new password: nothing changes, and the session still works with the old one', async () => {
        server.reset({ password: ISSUED, expired: false }, { refuseNewPassword: true });
        const h = harness(server, { methods: { ftps: 'site-pswd' } });
        expect(await connect(h, { password: ISSUED })).toMatchObject({ ok: true });
        const refused = await h.call('changePassword', { newPassword: NEW });
        expect(refused).toMatchObject({ ok: false, code: 'password-change-required', message: REFUSED, detail: '550: 550 Password not changed: it does not meet the password policy.' });
        expect(await h.call('listRemoteFolder', { role: 'dropoff' })).toMatchObject({ ok: true });
        await h.service.dispose();
        expect(server.account.password).toBe(ISSUED);
      });

      it('a server without the command: said in plain words, with the web page', async () => {
        server.reset({ password: ISSUED, expired: false }, { unknownCommands: ['SITE PSWD'] });
        const h = harness(server, { methods: { ftps: 'site-pswd' }, webPageUrl: WEB_PAGE });
        expect(await connect(h, { password: ISSUED })).toMatchObject({ ok: true });
        const result = await h.call('changePassword', { newPassword: NEW });
        await h.service.dispose();
        expect(result).toMatchObject({
          ok: false,
          code: 'permission-denied',
          message: `The registry's server does not take SITE PSWD, the way Texas ImmTrac2 (FTPS ${mode} password test server)'s profile says passwords are changed, so nothing was changed. Change it on the registry's web page (${WEB_PAGE}).`,
        });
        expect(server.account.password).toBe(ISSUED);
        expect(JSON.stringify(result)).not.toContain(ISSUED);
        expect(JSON.stringify(result)).not.toContain(NEW);
      });

      it('the connection drops after SITE PSWD: "may or may not", and the next use of the session signs in again with the old one, then the new one', async () => {
        server.reset({ password: ISSUED, expired: false }, { dropAfterChange: true });
        const h = harness(server, { methods: { ftps: 'site-pswd' } });
        expect(await connect(h, { password: ISSUED })).toMatchObject({ ok: true });
        const dropped = await h.call('changePassword', { newPassword: NEW });
        expect(dropped).toMatchObject({
          ok: false,
          code: 'unreachable',
          message: `The connection to Texas ImmTrac2 (FTPS ${mode} password test server) ended before it confirmed the new password, so the password may or may not have been changed. If the old password is refused next time, sign in with the new one.`,
        });
        expect(server.account.password).toBe(NEW);
        // Not confirmed yet, so not recorded as done.
        expect(h.settings.get(PASSWORD_CHANGED_AT_KEY)).toBeUndefined();
        server.switches.dropAfterChange = false;
        const loginsBefore = server.logins.length;
        expect(await h.call('listRemoteFolder', { role: 'accepted' })).toMatchObject({ ok: true });
        expect(server.logins.slice(loginsBefore).map((l) => l.reply)).toEqual([530, 230]);
        expect(h.settings.get(PASSWORD_CHANGED_AT_KEY)).toEqual({ [`ftps-pw:${USER}`]: expect.any(String) });
        // Settled: the session now works with the new password alone.
        await h.call('disconnect', {});
        await h.service.dispose();
        expect(linesWith(server, ISSUED)).toEqual([`PASS ${ISSUED}`, `SITE PSWD ${ISSUED} ${NEW}`, `PASS ${ISSUED}`]);
        expect(linesWith(server, NEW)).toEqual([`SITE PSWD ${ISSUED} ${NEW}`, `PASS ${NEW}`]);
      });

      it('a weak new password is refused before anything is sent', async () => {
        server.reset({ password: ISSUED, expired: false });
        const h = harness(server, { methods: { ftps: 'site-pswd' } });
        expect(await connect(h, { password: ISSUED })).toMatchObject({ ok: true });
        const result = await h.call('changePassword', { newPassword: WEAK });
        const same = await h.call('changePassword', { newPassword: ISSUED });
        await h.service.dispose();
        expect(result).toMatchObject({ ok: false, code: 'invalid-input' });
        expect(same).toMatchObject({ ok: false, code: 'invalid-input', message: expect.stringContaining('It must be different from the current password.') });
        expect(linesWith(server, 'SITE')).toEqual([]);
      });
    });
  });
}

describe('registries whose passwords the app cannot change itself', () => {
  let server: FtpPasswordServer;
  beforeAll(async () => {
    server = await startFtpPasswordServer({ mode: 'explicit', username: USER, password: ISSUED });
    servers.push(server);
  });

  it('web page (EFT): the page opens in the browser, the new password is kept, and the next sign-in proves it', async () => {
    server.reset({ password: ISSUED, expired: false });
    const h = harness(server, { requiredAtFirstLogin: true, webPageUrl: WEB_PAGE, methods: { ftps: 'web-page' } });
    expect(await connect(h, { password: ISSUED })).toMatchObject({ ok: true, connection: { passwordChangeDue: true } });
    const page = await h.call('changePassword', {});
    expect(page).toMatchObject({ ok: true, method: 'web-page', changed: false, url: WEB_PAGE, notices: [] });
    expect(page.ok && page.message).toMatch(/^The app cannot change this password itself: .* changes it on its web page, now opened in your browser \(https:\/\/registry\.example\.test\/manageaccount\)\. Change it there, then enter the new password in the app\./);
    expect(h.opened).toEqual([WEB_PAGE]);
    // Nothing went to the server for it.
    expect(linesWith(server, 'SITE')).toEqual([]);

    // The user changes it on the page (the server's own state), then tells the app.
    server.account.password = NEW;
    const stored = await h.call('storeChangedPassword', { newPassword: NEW });
    expect(stored).toEqual({
      ok: true,
      saved: false,
      message: `The system keychain is not available, so the new password was not saved. The next time you sign in to Texas ImmTrac2 (FTPS explicit password test server), type the new password.`,
    });
    expect(h.settings.get(PASSWORD_CHANGED_AT_KEY)).toEqual({ [`ftps-pw:${USER}`]: expect.any(String) });
    // With no keychain to keep it, the user types the new one next time.
    await h.call('disconnect', {});
    expect(await connect(h, { password: NEW })).toMatchObject({ ok: true, connection: { passwordChangeDue: false } });
    await h.service.dispose();
  });

  it('"I have already changed it": the first-login change is no longer due, and nothing is sent or opened', async () => {
    server.reset({ password: ISSUED, expired: false });
    const h = harness(server, { requiredAtFirstLogin: true, webPageUrl: WEB_PAGE, methods: { ftps: 'pass-old-new' } });
    expect(await h.call('markPasswordChanged', {})).toMatchObject({ ok: false, code: 'not-connected' });
    expect(await connect(h, { password: ISSUED })).toMatchObject({ ok: true, connection: { passwordChangeDue: true } });
    const before = server.commands.length;

    const marked = await h.call('markPasswordChanged', {});
    expect(marked).toEqual({
      ok: true,
      connection: expect.objectContaining({ profileId: 'ftps-pw', username: USER, passwordChangeDue: false }),
      message: `Noted: the password for ${USER} at Texas ImmTrac2 (FTPS explicit password test server) was already changed, so the app will not ask you to change it again. Nothing was changed on the registry or in the keychain. If the app cannot sign in next time, type the new password.`,
    });
    // Nothing went to the server, no page opened, and the account's password is as it was.
    expect(server.commands.length).toBe(before);
    expect(h.opened).toEqual([]);
    expect(server.account).toMatchObject({ password: ISSUED, expired: false });
    expect(h.settings.get(PASSWORD_CHANGED_AT_KEY)).toEqual({ [`ftps-pw:${USER}`]: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

    // Remembered: a later sign-in (a new app start on the same settings) is not asked again.
    await h.service.dispose();
    const later = harness(server, { requiredAtFirstLogin: true, webPageUrl: WEB_PAGE, methods: { ftps: 'pass-old-new' } }, h.settings);
    expect(await connect(later, { password: ISSUED })).toMatchObject({ ok: true, connection: { passwordChangeDue: false } });
    await later.service.dispose();
  });

  it('web page, without a connection: the window can still open it for a login that cannot sign in', async () => {
    const h = harness(server, { webPageUrl: WEB_PAGE, methods: { ftps: 'web-page' } });
    const page = await h.call('changePassword', { account: { profileId: 'ftps-pw', protocol: 'ftps', username: USER } });
    const stored = await h.call('storeChangedPassword', { newPassword: OTHER_NEW, profileId: 'ftps-pw', username: USER });
    await h.service.dispose();
    expect(page).toMatchObject({ ok: true, method: 'web-page', url: WEB_PAGE });
    expect(stored).toMatchObject({ ok: true, saved: false });
    expect(h.opened).toEqual([WEB_PAGE]);
  });

  it('a registry that changes passwords only when it asks at sign-in, and did not ask: its web page is opened, and said so', async () => {
    const h = harness(server, {});
    const texas = await h.call('changePassword', { newPassword: NEW, account: { profileId: 'texas-immtrac2', protocol: 'sftp', username: 'ABC123' } });
    const ftpsTexas = await h.call('changePassword', { newPassword: NEW, account: { profileId: 'texas-immtrac2', protocol: 'ftps', username: 'ABC123' } });
    const colorado = await h.call('changePassword', { account: { profileId: 'colorado-ciis', protocol: 'ftps', username: 'clinic01' } });
    await h.service.dispose();
    const thinClient = 'https://immtrac-ftp1.dshs.state.tx.us/ThinClient';
    const message =
      `Texas ImmTrac2 changes passwords when it asks for a new one at sign-in, and it did not ask this time, so the app cannot change it on this connection. The registry's web page for it is now open in your browser (${thinClient}). ` +
      'Change it there, then enter the new password in the app. The app keeps it and, at the next sign-in, tries the old password once and then the new one once, and keeps the one the registry accepts.';
    expect(texas).toEqual({ ok: true, method: 'web-page', changed: false, url: thinClient, message, notices: [] });
    expect(ftpsTexas).toEqual({ ok: true, method: 'web-page', changed: false, url: thinClient, message, notices: [] });
    expect(colorado).toMatchObject({ ok: true, method: 'web-page', url: 'https://cohealthnet.com:447/manageaccount' });
    expect(h.opened).toEqual([thinClient, thinClient, 'https://cohealthnet.com:447/manageaccount']);
  });

  it('a registry that changes passwords only when it asks, with no web page: nothing opened, and who can help', async () => {
    server.reset({ password: ISSUED, expired: false });
    const h = harness(server, { methods: { ftps: 'pass-old-new' } });
    const result = await h.call('changePassword', { newPassword: NEW, account: { profileId: 'ftps-pw', protocol: 'ftps', username: USER } });
    await h.service.dispose();
    expect(result).toMatchObject({ ok: false, code: 'permission-denied', message: expect.stringMatching(/^This registry changes passwords only when it asks at sign-in\. Nothing was changed; .+ can help\.$/) });
    expect(h.opened).toEqual([]);
    expect(server.commands).toEqual([]);
  });

  it('a change over FTPS at sign-in is refused for a registry that does it on its web page, before anything is sent', async () => {
    server.reset({ password: ISSUED, expired: false });
    const h = harness(server, { webPageUrl: WEB_PAGE, methods: { ftps: 'web-page' } });
    const result = await connect(h, { password: ISSUED, newPassword: NEW });
    await h.service.dispose();
    expect(result).toEqual({
      ok: false,
      code: 'invalid-input',
      message: `Texas ImmTrac2 (FTPS explicit password test server) does not change passwords at sign-in over FTPS. Change it on its web page (${WEB_PAGE}), then sign in with the new one. Nothing was sent.`,
    });
    expect(server.commands).toEqual([]);
  });

  it('forgot password: only the registry can reset it, in its words, with whom to contact', async () => {
    const h = harness(server, {});
    const texas = await h.call('forgotPassword', { profileId: 'texas-immtrac2' });
    const colorado = await h.call('forgotPassword', { profileId: 'colorado-ciis' });
    const unknown = await h.call('forgotPassword', { profileId: 'no-such-registry' });
    await h.service.dispose();
    expect(texas).toEqual({
      ok: true,
      message:
        "Texas ImmTrac2 does not keep passwords where anyone can read them back, so a forgotten password cannot be recovered, only reset by the registry. A reset must be asked for by your health care entity's point of contact in ImmTrac2, who contacts the Texas Immunization Registry Interoperability Team. After a reset, sign in with the password the registry gives you; it will ask you to choose a new one.",
      support: { team: 'Texas Immunization Registry Interoperability Team', phone: '(800) 348-9158, option 3', email: 'ImmTracMU@dshs.texas.gov' },
      webPageUrl: 'https://immtrac-ftp1.dshs.state.tx.us/ThinClient',
    });
    expect(colorado).toMatchObject({ ok: true, support: { team: 'CIIS user support', phone: '(888) 611-9918' }, webPageUrl: 'https://cohealthnet.com:447/manageaccount' });
    expect(unknown).toMatchObject({ ok: false, code: 'unknown-profile' });
  });
});

describe('after every run', () => {
  it('no password (issued, new, weak or refused) is in any result, event or setting', () => {
    const texts = seen.map((t) => (typeof t === 'string' ? t : t()));
    expect(texts.length).toBeGreaterThan(40);
    for (const secret of [ISSUED, NEW, OTHER_NEW, 'Has Space-4491!']) {
      for (const text of texts) expect(text.includes(secret), secret).toBe(false);
    }
  });
});
