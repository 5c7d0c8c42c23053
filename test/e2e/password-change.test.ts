// End to end: the first-login password change as a clinic meets it. Debian's OpenSSH with PAM and an
// account whose password has expired (`chage -d 0`) demands a new password through keyboard-
// interactive; the window asks for one, ticks the registry's rules as it is typed, and signs in with
// it. The engine behind the bridge keeps passwords in a real system keychain: GNOME Keyring's Secret
// Service on a private D-Bus session bus started by this file (vitest runs each file in a process of
// its own, so the bus address set here reaches keytar and nothing else).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Client } from 'ssh2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KeytarVault } from '../../electron/engine/credentials/keytar-vault';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { SessionKeyring } from '../support/session-keyring';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';
import { openApp, shot, type AppPage } from './bridge';

const PROFILE_ID = 'local-texas-first-login';
const PROFILE_NAME = 'Texas ImmTrac2 (test server)';
/** The password the registry hands out, which must be changed at the first login. */
const ISSUED = 'Issued-By-Registry-58!';
/** The one the user chooses (different enough from the issued one for PAM's similarity check). */
const CHOSEN = 'Quiet-Heron-7731%';
const SUPPORT = {
  team: 'Texas Immunization Registry Interoperability Team',
  phone: '(800) 348-9158',
  email: 'immtrac2-interop@example.org',
};
const PASSWORD_PAGE = 'https://immtrac2.example.org/account/password';

let server: SshServer;
let scratch: string;
const opened: AppPage[] = [];

const keyring = () => (theKeyring ??= new SessionKeyring(scratch));
let theKeyring: SessionKeyring | null = null;
const keychainLookup = (account: string) => keyring().lookup(account);

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-e2e-password-'));
  server = await startSshd({ tag: 'EP' });
  await keyring().start();
});

afterAll(async () => {
  await server?.stop();
  theKeyring?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

afterEach(async () => {
  for (const app of opened.splice(0)) await app.close();
});

const firstLoginProfile = () => ({
  ...localTexasProfile(server.port, PROFILE_ID),
  support: SUPPORT,
  passwordChange: {
    requiredAtFirstLogin: true,
    webPageUrl: PASSWORD_PAGE,
    rules: { minLength: 10, requireUpper: true, requireLower: true, requireDigit: true, requireSymbol: true },
  },
});

async function open(withKeychain: boolean, openExternal?: (url: string) => Promise<void>): Promise<AppPage> {
  const settings = new MemorySettings();
  settings.set('customProfiles', [firstLoginProfile()]);
  const app = await openApp({
    settings,
    ports: { timeoutSeconds: 20, ...(withKeychain ? { vault: new KeytarVault(undefined, 10) } : {}), ...(openExternal ? { openExternal } : {}) },
  });
  opened.push(app);
  return app;
}

const statusLine = (page: Page) => page.getByRole('contentinfo').getByRole('status');
const connectedBar = (page: Page) => page.locator('.connected-bar');
const changeDialog = (page: Page) => page.getByRole('dialog', { name: 'Choose a new password' });
const eventually = <T>(read: () => Promise<T>, message?: string) => expect.poll(read, { timeout: 20_000, interval: 100, ...(message ? { message } : {}) });
/** Each rule of the checklist and whether it is ticked, as the page shows it. */
const ruleStates = (page: Page) =>
  page.locator('.rule-list li').evaluateAll((items) => Object.fromEntries(items.map((li) => [li.getAttribute('data-rule'), li.getAttribute('data-state')])));
const isFocused = (page: Page, label: string) => page.getByLabel(label, { exact: true }).evaluate((el) => el === document.activeElement);

/** The page's markup and every field's live value: where a password must never be. */
async function pageText(page: Page): Promise<string> {
  const values = await page.locator('input').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
  return `${await page.content()}\n${values.join('\n')}`;
}

/** A login straight to the server (no app): does it take this password now? */
function serverAccepts(password: string): Promise<boolean> {
  return new Promise((resolve) => {
    const client = new Client();
    client.on('ready', () => {
      client.end();
      resolve(true);
    });
    client.on('error', () => resolve(false));
    client.connect({ host: '127.0.0.1', port: server.port, username: server.home.username, password, tryKeyboard: false, readyTimeout: 15_000 });
  });
}

function expireAccount(password: string): void {
  execFileSync('chpasswd', { input: `${server.home.username}:${password}\n` });
  execFileSync('chage', ['-d', '0', server.home.username]);
}
const shadowHash = () => execFileSync('getent', ['shadow', server.home.username]).toString().split(':')[1];
/** What the registry's web page does: the account's system password changes, and nothing expires. */
const setPassword = (password: string) => execFileSync('chpasswd', { input: `${server.home.username}:${password}\n` });

/** sshd's log from `mark` on, once `until` shows (and a moment more, so a further attempt would show too). */
async function logSince(mark: number, until: RegExp): Promise<string> {
  const deadline = Date.now() + 6_000;
  while (!until.test(server.log().slice(mark)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  return server.log().slice(mark);
}
const occurrences = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern.source, 'g')) ?? []).length;

/** Sign in with the issued password, asking the keychain to remember it, and trust the server's key. */
async function signInRemembering(page: Page, user: string, password: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Registry', exact: true }).selectOption({ label: PROFILE_NAME });
  await page.getByLabel('Import code').fill(user);
  await page.getByLabel('Password', { exact: true }).fill(password);
  const remember = page.getByRole('checkbox', { name: 'Remember on this computer' });
  // The keychain's answer ticks the box by itself when a password is saved: click only once it came.
  await eventually(() => page.locator('.remember-field').getAttribute('aria-busy'), 'the keychain answered').toBeNull();
  await remember.check();
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.getByRole('dialog', { name: /identity/i }).getByRole('button', { name: 'Trust this key' }).click();
}

describe('the first-login password change, with the password kept in the system keychain', () => {
  it('closing the dialog the registry\'s demand opened signs nobody in and changes nothing', async () => {
    expireAccount(ISSUED);
    const issuedHash = shadowHash();
    const { page, events } = await open(true);
    page.setDefaultTimeout(15_000);
    const user = server.home.username;

    await signInRemembering(page, user, ISSUED);
    const dialog = changeDialog(page);
    await dialog.waitFor();
    // The password typed to sign in left the page when it was handed over; the sign-in waits in the app.
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    expect(await pageText(page)).not.toContain(ISSUED);
    await page.keyboard.press('Escape');
    await eventually(() => dialog.count()).toBe(0);
    await eventually(() => statusLine(page).textContent()).toContain('Not signed in: the registry needs a new password first. Nothing was changed.');
    expect(await connectedBar(page).count()).toBe(0);
    await page.getByRole('button', { name: 'Connect', exact: true }).waitFor();
    // Back at the sign-in form, ready for the password to be typed again.
    await eventually(() => isFocused(page, 'Password'), 'focus on the password').toBe(true);
    expect(shadowHash()).toBe(issuedHash);
    // No new password was given, so none is waiting in the keychain.
    expect(keychainLookup(`${PROFILE_ID}:${user}#pending`)).toBeNull();
    expect(events.filter((e) => e.type === 'request-closed').map((e) => e.type === 'request-closed' && e.answer)).toContain('deny');
    await shot(page, '14e-new-password-declined.png');
  });

  it('asks for a new password, ticks the rules as it is typed, changes it on the server, and signs in later with the saved one', async () => {
    expireAccount(ISSUED);
    const issuedHash = shadowHash();
    const { page, events } = await open(true);
    const user = server.home.username;
    const account = `${PROFILE_ID}:${user}`;

    await signInRemembering(page, user, ISSUED);

    // The registry demands a new password: the window asks for it, nothing is changed yet.
    const dialog = changeDialog(page);
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`${PROFILE_NAME} asks you to choose a new password before you can sign in as ${user}.`);
    expect(await dialog.textContent()).toContain('Before the new password is sent, the app puts it in this computer’s keychain, so it cannot be lost');
    expect(await statusLine(page).textContent()).toContain('The registry asks you to choose a new password before you can sign in.');
    expect(shadowHash()).toBe(issuedHash);
    expect(await isFocused(page, 'New password')).toBe(true);
    // The rules are what the new-password field is described by.
    const description = await page.getByLabel('New password', { exact: true }).evaluate((el) =>
      (el.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' '),
    );
    expect(description).toContain('At least 10 characters');
    expect(description).toContain('A symbol, such as ! # $ % or *');
    const submit = dialog.getByRole('button', { name: 'Change password and sign in' });
    expect(await submit.isDisabled()).toBe(true);
    await shot(page, '14-password-change-required.png');

    // Typed with the keyboard: the rules tick one by one; the button waits for all of them.
    await page.keyboard.type('quiet-H');
    // "Not the current password" is left to the app: the window never holds the password signed in with.
    expect(await ruleStates(page)).toEqual({ length: 'unmet', upper: 'met', lower: 'met', digit: 'unmet', symbol: 'met', match: 'unmet', 'not-old': 'later' });
    await page.keyboard.type('eron-77');
    expect(await ruleStates(page)).toMatchObject({ length: 'met', digit: 'met', match: 'unmet' });
    await page.keyboard.press('Tab');
    expect(await isFocused(page, 'New password again')).toBe(true);
    await page.keyboard.type('quiet-Heron-7');
    expect(await ruleStates(page)).toMatchObject({ match: 'unmet' });
    expect(await submit.isDisabled()).toBe(true);
    await shot(page, '14b-password-rules-ticking.png');

    // The issued password itself is refused by the app (the sign-in waiting in it knows the current
    // one): the dialog says why and asks again; nothing reaches the server.
    await page.getByLabel('New password', { exact: true }).fill(ISSUED);
    await page.getByLabel('New password again', { exact: true }).fill(ISSUED);
    expect(await ruleStates(page)).toMatchObject({ match: 'met', 'not-old': 'later' });
    await submit.click();
    await eventually(() => dialog.getByRole('alert').textContent()).toContain('It must be different from the current password. Nothing was sent.');
    await eventually(() => isFocused(page, 'New password'), 'focus back on the new password').toBe(true);
    expect(await page.getByLabel('New password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(shadowHash()).toBe(issuedHash);
    await shot(page, '14d-new-password-refused.png');

    await page.getByLabel('New password', { exact: true }).fill(CHOSEN);
    await page.getByLabel('New password again', { exact: true }).fill(CHOSEN);
    expect(await ruleStates(page)).toEqual({ length: 'met', upper: 'met', lower: 'met', digit: 'met', symbol: 'met', match: 'met', 'not-old': 'later' });
    expect(await submit.isEnabled()).toBe(true);
    await page.getByLabel('New password again', { exact: true }).press('Enter');

    await eventually(() => connectedBar(page).textContent()).toContain(`Connected to ${PROFILE_NAME} as ${user}`);
    expect(await changeDialog(page).count()).toBe(0);
    expect(await statusLine(page).textContent()).toContain('The registry accepted your new password. It is saved in the system keychain.');
    // The account's system password really changed: the issued one no longer opens it, the new one does.
    expect(shadowHash()).not.toBe(issuedHash);
    expect(await serverAccepts(ISSUED)).toBe(false);
    expect(await serverAccepts(CHOSEN)).toBe(true);
    expect(keychainLookup(account)).toBe(CHOSEN);
    expect(keychainLookup(`${account}#pending`)).toBeNull();
    for (const secret of [ISSUED, CHOSEN]) expect(await pageText(page)).not.toContain(secret);
    // Asked twice: first because the registry demanded it, then again saying why the issued one was refused.
    const asked = events.flatMap((e) => (e.type === 'request' && e.request.kind === 'new-password' ? [e.request.problem ?? null] : []));
    expect(asked).toHaveLength(2);
    expect(asked[0]).toBeNull();
    expect(asked[1]).toContain('It must be different from the current password.');
    await shot(page, '14c-password-changed-connected.png');

    // Disconnect, then sign in with the password field left empty: the keychain has the new one.
    await connectedBar(page).getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('button', { name: 'Connect', exact: true }).waitFor();
    expect(await page.getByLabel('Import code').inputValue()).toBe(user);
    await eventually(() => page.getByText('Saved in this computer’s keychain. Leave the password empty to use it.').isVisible(), 'the saved-password hint').toBe(true);
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await shot(page, '15-password-saved-in-keychain.png');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await eventually(() => connectedBar(page).textContent()).toContain(`Connected to ${PROFILE_NAME} as ${user}`);
    expect(await statusLine(page).textContent()).toContain(`Connected to ${PROFILE_NAME} as ${user}.`);
    expect(keychainLookup(account)).toBe(CHOSEN);
    for (const secret of [ISSUED, CHOSEN]) expect(await pageText(page)).not.toContain(secret);
    await shot(page, '15b-connected-with-saved-password.png');

    // Forgetting the saved password is asked first; then the keychain no longer has it.
    await connectedBar(page).getByRole('button', { name: 'Disconnect' }).click();
    await eventually(() => page.getByRole('button', { name: 'Forget saved password' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Forget saved password' }).click();
    const confirm = page.getByRole('dialog', { name: 'Forget the saved password?' });
    await confirm.waitFor();
    expect(await confirm.getByRole('button', { name: 'Keep it' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await confirm.getByRole('button', { name: 'Forget password' }).click();
    await eventually(() => page.getByRole('button', { name: 'Forget saved password' }).count()).toBe(0);
    expect(await statusLine(page).textContent()).toContain(`The password for ${user} is no longer saved in this computer’s keychain.`);
    expect(keychainLookup(account)).toBeNull();
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    expect(await page.getByText('Enter your password.').isVisible()).toBe(true);

    expect(JSON.stringify(events)).not.toContain(ISSUED);
    expect(JSON.stringify(events)).not.toContain(CHOSEN);
  });

  it('a first login the server did not stop: the dialog opens, the registry\'s page is opened, and the password chosen there signs in next time', async () => {
    // The account works with the issued password and is not expired: the server will not ask.
    setPassword(ISSUED);
    const openedUrls: string[] = [];
    const { page, events } = await open(true, async (url) => {
      openedUrls.push(url);
    });
    // A step that never comes fails at that step, not at the test's overall timeout.
    page.setDefaultTimeout(15_000);
    const user = server.home.username;
    const account = `${PROFILE_ID}:${user}`;

    await signInRemembering(page, user, ISSUED);

    // Signed in, and the dialog opens by itself: the app cannot change it here, the page can.
    await eventually(() => connectedBar(page).textContent()).toContain(`Connected to ${PROFILE_NAME} as ${user}`);
    const dialog = page.getByRole('dialog', { name: 'Choose your own password' });
    await dialog.waitFor();
    const intro = (await dialog.textContent()) ?? '';
    expect(intro).toContain(`${PROFILE_NAME} asks every new account to choose its own password.`);
    expect(intro).toContain('it did not ask this time, so the app cannot change it on this connection');
    expect(intro).toContain(PASSWORD_PAGE);
    expect(intro).toContain('“Not now” only closes this until the app is opened again.');
    expect(await dialog.getByRole('button', { name: 'I have already changed it' }).isVisible()).toBe(true);
    expect(await dialog.getByRole('button', { name: 'Not now' }).isVisible()).toBe(true);
    expect(keychainLookup(account)).toBe(ISSUED);

    await dialog.getByRole('button', { name: 'Open the registry’s page' }).click();
    await eventually(() => dialog.locator('.page-message').textContent()).toContain(`The registry's web page for it is now open in your browser (${PASSWORD_PAGE}).`);
    expect(openedUrls).toEqual([PASSWORD_PAGE]);
    await eventually(() => isFocused(page, 'The new password you chose on the page'), 'focus moves to the new password').toBe(true);
    await shot(page, '17-first-login-web-page.png');

    // On the page (played here by the system itself), the password becomes a new one.
    setPassword(CHOSEN);
    expect(await serverAccepts(ISSUED)).toBe(false);
    await page.getByLabel('The new password you chose on the page', { exact: true }).fill(CHOSEN);
    await page.getByLabel('New password again', { exact: true }).fill(CHOSEN);
    await dialog.getByRole('button', { name: 'Keep this password' }).click();
    await eventually(() => dialog.getByRole('status').textContent()).toContain('The new password is saved in the system keychain.');
    // Pending until a sign-in proves it; the old one is still the saved one.
    expect(keychainLookup(`${account}#pending`)).toBe(CHOSEN);
    expect(keychainLookup(account)).toBe(ISSUED);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await eventually(() => dialog.count()).toBe(0);

    // Disconnect, then sign in with the field empty: the saved (old) one is refused, the new one works.
    await connectedBar(page).getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('button', { name: 'Connect', exact: true }).waitFor();
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await eventually(() => page.getByText('Saved in this computer’s keychain. Leave the password empty to use it.').isVisible(), 'the saved-password hint').toBe(true);
    const mark = server.log().length;
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await eventually(() => connectedBar(page).textContent()).toContain(`Connected to ${PROFILE_NAME} as ${user}`);
    expect(await statusLine(page).textContent()).toContain('The registry accepted the new password you set last time; it is now the saved password.');
    const log = await logSince(mark, /Accepted (password|keyboard-interactive\/pam) for /);
    expect(occurrences(log, new RegExp(`Failed (password|keyboard-interactive/pam) for ${user} `))).toBe(1);
    expect(occurrences(log, new RegExp(`Accepted (password|keyboard-interactive/pam) for ${user} `))).toBe(1);
    expect(keychainLookup(account)).toBe(CHOSEN);
    expect(keychainLookup(`${account}#pending`)).toBeNull();

    // Not due any more: the dialog stays closed.
    const lastConnected = events.filter((e) => e.type === 'connection' && e.state === 'connected').pop();
    expect(lastConnected).toMatchObject({ connection: { passwordChangeDue: false } });
    await new Promise((r) => setTimeout(r, 500));
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(openedUrls).toEqual([PASSWORD_PAGE]);
    for (const secret of [ISSUED, CHOSEN]) expect(await pageText(page)).not.toContain(secret);
    expect(JSON.stringify(events)).not.toContain(ISSUED);
    expect(JSON.stringify(events)).not.toContain(CHOSEN);
  });

  it('"Forgot password?" says only the registry can reset it, and how to reach its support team', async () => {
    const { page } = await open(false);
    await page.getByRole('combobox', { name: 'Registry', exact: true }).selectOption({ label: PROFILE_NAME });
    const link = page.getByRole('button', { name: 'Forgot password?' });
    await link.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Forgot your password?' });
    await dialog.waitFor();
    await eventually(() => dialog.textContent()).toContain('cannot be recovered, only reset by the registry');
    const text = (await dialog.textContent()) ?? '';
    for (const fact of [SUPPORT.team, SUPPORT.phone, SUPPORT.email, PASSWORD_PAGE]) expect(text).toContain(fact);
    expect(await dialog.getByRole('button', { name: 'Close' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await shot(page, '16-forgot-password.png');
    await page.keyboard.press('Escape');
    await eventually(() => dialog.count()).toBe(0);
    expect(await link.evaluate((el) => el === document.activeElement)).toBe(true);
  });
});
