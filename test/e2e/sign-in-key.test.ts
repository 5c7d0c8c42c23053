// End to end: SFTP sign-in by key as a clinic sets it up (issue 15), in the real window in Debian's
// Chromium, the real engine behind the bridge, a real system keychain (GNOME Keyring's Secret Service
// on a private session bus) and Debian's OpenSSH wanting the key and then the password
// (`AuthenticationMethods publickey,password`). The user makes a key in the app, reads the registry's
// instructions, copies the public key and saves it as a .pub file; the "registry" puts it on file;
// the user signs in with key and password. Also: a key file the user already has, protected by a
// passphrase (a wrong one said plainly, the right one kept in the keychain), and "Key" alone against
// a server that wants the password too.
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KeytarVault } from '../../electron/engine/credentials/keytar-vault';
import { passphraseVaultAccount } from '../../electron/engine/keys/ssh-keys';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { seriousAccessibilityFindings } from '../support/axe';
import { SessionKeyring } from '../support/session-keyring';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';
import { openApp, shot, type AppPage } from './bridge';

const PROFILE_NAME = 'Texas ImmTrac2 (test server)';
const INSTRUCTIONS = 'Send the public key by encrypted e-mail to the Texas Immunization Registry Interoperability Team (interop@example.org).';

let server: SshServer;
let scratch: string;
let keyring: SessionKeyring;
const opened: AppPage[] = [];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-e2e-keys-'));
  keyring = new SessionKeyring(scratch);
  await keyring.start();
  server = await startSshd({ tag: 'EK', extraConfig: 'AuthenticationMethods publickey,password' });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  keyring?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

afterEach(async () => {
  for (const app of opened.splice(0)) await app.close();
});

interface Opened extends AppPage {
  dataDir: string;
  saveDir: string;
}

async function open(keyFile: string | null = null): Promise<Opened> {
  const dataDir = mkdtempSync(join(scratch, 'data-'));
  const saveDir = mkdtempSync(join(scratch, 'save-'));
  const settings = new MemorySettings();
  settings.set('customProfiles', [
    { ...localTexasProfile(server.port), publicKeyInstructions: INSTRUCTIONS, support: { team: 'Texas Immunization Registry Interoperability Team', email: 'interop@example.org' } },
  ]);
  const app = await openApp({
    settings,
    ports: {
      timeoutSeconds: 20,
      dataDir,
      vault: new KeytarVault(undefined, 10),
      chooseFolder: async () => saveDir,
      chooseKeyFile: async () => keyFile,
      localPlaces: () => [],
    },
  });
  opened.push(app);
  return { ...app, dataDir, saveDir };
}

const eventually = <T>(read: () => Promise<T>, message?: string) => expect.poll(read, { timeout: 30_000, interval: 100, ...(message ? { message } : {}) });
const connectedBar = (page: Page) => page.locator('.connected-bar');
const keyDialog = (page: Page) => page.getByRole('dialog', { name: /^Sign-in key for / });
const logLines = (pattern: RegExp) => server.log().split('\n').filter((line) => pattern.test(line));

/** The registry has the key on file: the account's authorized_keys holds it. */
function putOnFile(publicKey: string): void {
  const dir = join(server.home.accountDir, '.ssh');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  appendFileSync(join(dir, 'authorized_keys'), `${publicKey}\n`);
  chmodSync(join(dir, 'authorized_keys'), 0o644);
}

async function fillLogin(page: Page): Promise<void> {
  await page.getByRole('combobox', { name: 'Registry', exact: true }).selectOption({ label: PROFILE_NAME });
  await page.getByLabel('Import code').fill(server.home.username);
}

async function connectAndTrust(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.getByRole('dialog', { name: /identity/i }).getByRole('button', { name: 'Trust this key' }).click();
}

describe('signing in to SFTP with a key made in the app', () => {
  it('makes a key, shows and copies the public key with the registry’s instructions, saves a .pub, and signs in with key and password', async () => {
    const app = await open();
    const { page } = app;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
    await fillLogin(page);

    // The form says how the account signs in; "Key and password" hides nothing and asks for a key.
    await page.getByLabel('Sign in with').selectOption({ label: 'Key and password' });
    await eventually(() => page.getByText('has no key on this computer yet').isVisible()).toBe(true);
    expect(await page.getByLabel('Password').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Set up a key…' }).click();
    const dialog = keyDialog(page);
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Make a new key' }).click();

    const publicKeyBox = dialog.getByRole('textbox', { name: 'Public key' });
    await eventually(() => publicKeyBox.isVisible()).toBe(true);
    const publicKey = await publicKeyBox.inputValue();
    expect(publicKey).toMatch(/^ssh-ed25519 AAAA[0-9A-Za-z+/=]+ TX\w+ Texas ImmTrac2 \(test server\) \d{4}-\d{2}-\d{2}$/);
    const fingerprint = (await dialog.getByTestId('key-fingerprint').textContent()) ?? '';
    expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(await dialog.getByText(INSTRUCTIONS).isVisible()).toBe(true);
    expect(await dialog.getByText('Never send the private key.', { exact: false }).isVisible()).toBe(true);

    // The key is in the app's data folder, owner-only, locked by a passphrase the keychain holds.
    const keysDir = join(app.dataDir, 'keys');
    const [privateName] = readdirSync(keysDir).filter((n) => !n.endsWith('.pub'));
    expect(privateName).toBeDefined();
    const privatePath = join(keysDir, privateName as string);
    expect(statSync(privatePath).mode & 0o777).toBe(0o600);
    expect(statSync(keysDir).mode & 0o077).toBe(0);
    const passphrase = keyring.lookup(passphraseVaultAccount(privatePath));
    expect(passphrase).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // ssh-keygen agrees on the fingerprint, and cannot open the key without its passphrase.
    expect(execFileSync('ssh-keygen', ['-l', '-f', `${privatePath}.pub`]).toString()).toContain(fingerprint);
    expect(() => execFileSync('ssh-keygen', ['-y', '-P', '', '-f', privatePath], { stdio: 'pipe' })).toThrow();
    expect(execFileSync('ssh-keygen', ['-y', '-P', passphrase as string, '-f', privatePath]).toString().trim()).toBe(publicKey);

    await dialog.getByRole('button', { name: 'Copy public key' }).click();
    await eventually(() => dialog.getByText('Copied.').isVisible()).toBe(true);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(publicKey);

    await dialog.getByRole('button', { name: 'Save as .pub file…' }).click();
    await eventually(() => dialog.getByText(/^Saved the public key as /).isVisible()).toBe(true);
    const saved = readdirSync(app.saveDir);
    expect(saved).toEqual([`${privateName}.pub`]);
    expect(readFileSync(join(app.saveDir, saved[0] as string), 'utf8')).toBe(`${publicKey}\n`);
    await shot(page, '50-sign-in-key-dialog.png');
    const findings = await seriousAccessibilityFindings(page);
    expect(findings, findings.join('\n')).toEqual([]);
    await dialog.getByRole('button', { name: 'Close' }).click();

    // The form now names the key by its fingerprint.
    expect(await page.locator('.key-summary').textContent()).toContain(fingerprint);
    await page.getByLabel('Password').fill(server.home.password);
    await shot(page, '51-sign-in-with-key-and-password.png');

    // The registry puts the key on file; the sign-in offers the key, then the password: each once.
    putOnFile(publicKey);
    await connectAndTrust(page);
    await eventually(() => connectedBar(page).textContent()).toContain(`Connected to ${PROFILE_NAME} as ${server.home.username}`);
    expect(await connectedBar(page).textContent()).toContain('signed in with key and password');
    expect(logLines(new RegExp(`Partial publickey for ${server.home.username} .*ED25519 ${fingerprint.replace(/[+/]/g, '\\$&')}`))).toHaveLength(1);
    expect(logLines(new RegExp(`Accepted password for ${server.home.username} `))).toHaveLength(1);
    expect(logLines(/Failed (password|publickey)/)).toEqual([]);

    // The account settings show the same key.
    await page.getByRole('button', { name: 'Sign-in key…' }).click();
    await eventually(() => keyDialog(page).getByTestId('key-fingerprint').textContent()).toBe(fingerprint);
    await shot(page, '52-sign-in-key-connected.png');
    await keyDialog(page).getByRole('button', { name: 'Close' }).click();

    // Nothing the app wrote holds the passphrase or an unprotected private key.
    for (const name of readdirSync(app.dataDir, { recursive: true }) as string[]) {
      const path = join(app.dataDir, name);
      if (!statSync(path).isFile()) continue;
      const text = readFileSync(path, 'utf8');
      expect(text, name).not.toContain(passphrase);
      // An OpenSSH private key names its cipher inside the base64: never "none" here.
      if (text.includes('PRIVATE KEY')) expect(Buffer.from(text.replace(/-----[^-]+-----/g, ''), 'base64').toString('latin1'), name).toMatch(/aes256-ctr.*bcrypt/s);
    }
    expect(app.pageErrors).toEqual([]);
  }, 120_000);

  it('"Key" alone against a server that wants the password too: says so plainly, and sends no password', async () => {
    const app = await open();
    const { page } = app;
    await fillLogin(page);
    await page.getByLabel('Sign in with').selectOption({ label: 'Key' });
    await page.getByRole('button', { name: 'Set up a key…' }).click();
    await keyDialog(page).getByRole('button', { name: 'Make a new key' }).click();
    const publicKey = await keyDialog(page).getByRole('textbox', { name: 'Public key' }).inputValue();
    await keyDialog(page).getByRole('button', { name: 'Close' }).click();
    putOnFile(publicKey);
    // With "Key" there is no password field: none is sent.
    expect(await page.getByLabel('Password').count()).toBe(0);
    const failedBefore = logLines(/Failed password/).length;
    await connectAndTrust(page);
    const status = page.getByRole('contentinfo').getByRole('status');
    await eventually(() => status.textContent()).toContain(`The registry took the key, and wants the password of ${server.home.username} as well.`);
    expect(logLines(/Failed password/)).toHaveLength(failedBefore);
  }, 120_000);
});

describe('a key file the user already has', () => {
  it('asks for its passphrase, says a wrong one plainly, keeps the right one in the keychain, and signs in with it', async () => {
    const keyFile = join(scratch, 'clinic_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'clinic key passphrase', '-C', 'front-desk', '-f', keyFile]);
    putOnFile(readFileSync(`${keyFile}.pub`, 'utf8').trim());
    const app = await open(keyFile);
    const { page } = app;
    await fillLogin(page);
    await page.getByLabel('Sign in with').selectOption({ label: 'Key and password' });
    await page.getByRole('button', { name: 'Set up a key…' }).click();
    const dialog = keyDialog(page);
    await dialog.getByRole('button', { name: 'Use a key file I already have…' }).click();
    const passphraseField = dialog.getByLabel('Passphrase of clinic_ed25519');
    await passphraseField.fill('not the passphrase');
    await dialog.getByRole('button', { name: 'Use this key' }).click();
    await eventually(() => dialog.getByRole('alert').textContent()).toContain('The passphrase does not open the key file clinic_ed25519.');
    expect(keyring.lookup(passphraseVaultAccount(keyFile))).toBeNull();
    await shot(page, '53-key-file-wrong-passphrase.png');

    await passphraseField.fill('clinic key passphrase');
    await dialog.getByRole('button', { name: 'Use this key' }).click();
    await eventually(() => dialog.getByRole('textbox', { name: 'Public key' }).inputValue()).toBe(readFileSync(`${keyFile}.pub`, 'utf8').trim());
    expect(keyring.lookup(passphraseVaultAccount(keyFile))).toBe('clinic key passphrase');
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.getByLabel('Password').fill(server.home.password);
    await connectAndTrust(page);
    await eventually(() => connectedBar(page).textContent()).toContain('signed in with key and password');
    expect(app.pageErrors).toEqual([]);
  }, 120_000);
  it('takes a PuTTYgen version 3 key (Argon2, which ssh2 cannot read): keeps an OpenSSH copy under a passphrase of its own, and signs in with it', async () => {
    const source = join(scratch, 'putty_source');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'reception', '-f', source]);
    const ppk = join(scratch, 'reception.ppk');
    const passFile = join(scratch, 'reception.pass');
    writeFileSync(passFile, 'putty passphrase 2026\n');
    execFileSync('puttygen', [source, '-O', 'private', '-o', ppk, '--new-passphrase', passFile]);
    expect(readFileSync(ppk, 'utf8')).toMatch(/^PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: aes256-cbc\n/);
    const ppkBefore = readFileSync(ppk);
    const expected = readFileSync(`${source}.pub`, 'utf8').trim();
    putOnFile(expected);

    const app = await open(ppk);
    const { page } = app;
    await fillLogin(page);
    await page.getByLabel('Sign in with').selectOption({ label: 'Key and password' });
    await page.getByRole('button', { name: 'Set up a key…' }).click();
    const dialog = keyDialog(page);
    await dialog.getByRole('button', { name: 'Use a key file I already have…' }).click();
    await dialog.getByLabel('Passphrase of reception.ppk').fill('putty passphrase 2026');
    await dialog.getByRole('button', { name: 'Use this key' }).click();
    await eventually(() => dialog.getByRole('textbox', { name: 'Public key' }).inputValue()).toBe(expected);
    await dialog.getByRole('button', { name: 'Close' }).click();

    // The user's file is untouched; the copy is OpenSSH's format, owner-only, under a passphrase the keychain holds.
    expect(readFileSync(ppk).equals(ppkBefore)).toBe(true);
    const copy = join(app.dataDir, 'keys', 'reception-from-putty');
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    const copyPassphrase = keyring.lookup(passphraseVaultAccount(copy));
    expect(copyPassphrase).not.toBeNull();
    expect(copyPassphrase).not.toBe('putty passphrase 2026');
    expect(execFileSync('ssh-keygen', ['-y', '-P', copyPassphrase as string, '-f', copy]).toString().trim()).toBe(expected);
    expect(keyring.lookup(passphraseVaultAccount(ppk))).toBeNull();

    await page.getByLabel('Password').fill(server.home.password);
    await connectAndTrust(page);
    await eventually(() => connectedBar(page).textContent()).toContain('signed in with key and password');
    expect(app.pageErrors).toEqual([]);
  }, 120_000);
});
