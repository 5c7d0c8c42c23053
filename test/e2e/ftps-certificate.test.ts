// End to end: the certificate prompt for FTPS, in the registry's own words. The real React window in
// Debian's Chromium, the real engine behind the loopback bridge, Debian's vsftpd with implicit TLS
// and a self-signed certificate (as Texas). Each test opens a fresh window with fresh settings
// (nothing trusted yet), as a clinic's new computer would be.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { startVsftpd, type FtpsServer } from '../support/vsftpd';
import { openApp, shot, type AppPage } from './bridge';

const PROFILE_ID = 'local-ftps';
let server: FtpsServer;
let profileName: string;
const opened: AppPage[] = [];

beforeAll(async () => {
  server = await startVsftpd({ mode: 'implicit', tag: 'EC1' });
  profileName = server.profile(PROFILE_ID).name;
});

afterAll(async () => {
  await server?.stop();
});

afterEach(async () => {
  for (const app of opened.splice(0)) await app.close();
});

async function open(): Promise<AppPage> {
  const settings = new MemorySettings();
  settings.set('customProfiles', [server.profile(PROFILE_ID)]);
  const app = await openApp({ settings, ports: { timeoutSeconds: 20 } });
  opened.push(app);
  return app;
}

const certificateDialog = (page: Page) => page.getByRole('dialog', { name: /certificate/i });
const statusLine = (page: Page) => page.getByRole('contentinfo').getByRole('status');
const connectedBar = (page: Page) => page.locator('.connected-bar');
const eventually = <T>(read: () => Promise<T>, message?: string) => expect.poll(read, { timeout: 20_000, interval: 100, ...(message ? { message } : {}) });
const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent ?? '');
/** The USER and PASS commands vsftpd received (it masks the password). */
const loginCommands = () => server.log().split('\n').filter((l) => l.includes(`"USER ${server.account.username}"`) || l.includes('"PASS '));
const longDate = (iso: string | number) => new Intl.DateTimeFormat('en-US', { dateStyle: 'long' }).format(new Date(iso));

async function signIn(page: Page): Promise<void> {
  await page.getByRole('combobox', { name: 'Registry', exact: true }).selectOption({ label: profileName });
  const ftps = page.getByRole('radio', { name: /FTPS/ });
  await ftps.check();
  expect(await ftps.isChecked()).toBe(true);
  expect(await page.getByText(`127.0.0.1, port ${server.port} · implicit TLS`).isVisible()).toBe(true);
  await page.getByLabel('Import code').fill(server.account.username);
  await page.getByLabel('Password').fill(server.account.password);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await certificateDialog(page).waitFor();
}

async function trustedRows(page: Page) {
  await page.getByRole('button', { name: 'Trusted servers' }).click();
  const dialog = page.getByRole('dialog', { name: 'Trusted servers' });
  await dialog.waitFor();
  await eventually(() => dialog.getByText('Loading…').count()).toBe(0);
  return { dialog, rows: dialog.locator('tbody tr') };
}

describe("the registry's certificate, checked before any password is sent (FTPS)", () => {
  it('shows what the certificate says about itself, and who vouches for it; trusting it connects and remembers it', async () => {
    const app = await open();
    const { page } = app;
    await signIn(page);
    const dialog = certificateDialog(page);

    expect((await dialog.getByRole('heading').textContent())?.trim()).toBe('Check the registry’s certificate');
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain(`first time this computer connects to 127.0.0.1 port ${server.port} for ${profileName}`);
    expect(await dialog.getByTestId('fingerprint').allTextContents()).toEqual([server.fingerprint]);
    expect(text).toContain('Issued to127.0.0.1 (Registry Test Server)');
    expect(text).toContain('Names127.0.0.1, localhost');
    expect(text).toContain('The certificate is for 127.0.0.1 — matches the server name.');
    expect(text).toContain('Issued byItself (self-signed)');
    expect(text).toContain('Not vouched for by this computer’s certificate authorities (self-signed).');
    // vsftpd's certificate was made just now, for 30 days.
    expect(text).toContain(`ValidFrom ${longDate(Date.now())} until ${longDate(Date.now() + 30 * 86_400_000)}`);
    expect(text).toContain('Valid today.');
    expect(text).toMatch(/EncryptionTLSv1\.[23]/);
    expect(await dialog.getByRole('button').allTextContents()).toEqual([
      'Copy',
      'Do not allow this connection',
      'Allow this connection only',
      'Trust this certificate',
    ]);
    // The safest answer has the focus; nothing was sent to the server yet.
    expect(await focusedText(page)).toBe('Do not allow this connection');
    expect(loginCommands()).toEqual([]);
    await shot(page, '11-certificate-prompt.png');

    await dialog.getByRole('button', { name: 'Trust this certificate' }).click();
    await eventually(() => connectedBar(page).textContent()).toContain(`Connected to ${profileName} as ${server.account.username}`);
    expect(await connectedBar(page).textContent()).toContain(`FTPS 127.0.0.1:${server.port}`);
    expect(await page.getByRole('tab').allTextContents()).toEqual(['HL7-Dropoff', 'Accepted', 'DQA-Report', 'Receive']);

    const { dialog: trusted, rows } = await trustedRows(page);
    await eventually(() => rows.count()).toBe(1);
    const row = (await rows.first().textContent()) ?? '';
    expect(row).toContain(`127.0.0.1 port ${server.port}`);
    expect(row).toContain('Certificate 127.0.0.1 (Registry Test Server)');
    expect(row).not.toContain('SSH host key');
    expect(await rows.first().locator('code').textContent()).toBe(server.fingerprint);
    await shot(page, '13-trusted-certificate.png');
    await trusted.getByRole('button', { name: 'Close' }).click();
    expect(app.pageErrors).toEqual([]);
  });

  it('connects once, without remembering, when allowed for this connection only', async () => {
    const app = await open();
    const { page } = app;
    await signIn(page);
    await certificateDialog(page).getByRole('button', { name: 'Allow this connection only' }).click();
    await eventually(() => connectedBar(page).textContent()).toContain(`Connected to ${profileName} as ${server.account.username}`);
    const { dialog } = await trustedRows(page);
    expect(await dialog.getByText('No trusted servers yet.').isVisible()).toBe(true);
    expect(app.pageErrors).toEqual([]);
  });

  it('does not connect, and says so plainly, when the user does not allow it', async () => {
    const app = await open();
    const { page } = app;
    const loginsBefore = loginCommands();
    await signIn(page);
    await certificateDialog(page).getByRole('button', { name: 'Do not allow this connection' }).click();
    await eventually(() => statusLine(page).textContent()).toContain('Not connected: you chose not to allow the connection to 127.0.0.1. Nothing was sent to it.');
    expect(await certificateDialog(page).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Connect', exact: true }).isVisible()).toBe(true);
    expect(await connectedBar(page).count()).toBe(0);
    // Neither the username nor the password ever reached the server.
    expect(loginCommands()).toEqual(loginsBefore);
    const { rows } = await trustedRows(page);
    expect(await rows.count()).toBe(0);
    expect(app.pageErrors).toEqual([]);
  });

  // Last: it gives the server a new certificate.
  it('refuses by default when the remembered certificate has changed, showing the old and the new side by side', async () => {
    const app = await open();
    const { page } = app;
    const oldFingerprint = server.fingerprint;
    await signIn(page);
    await certificateDialog(page).getByRole('button', { name: 'Trust this certificate' }).click();
    await eventually(() => connectedBar(page).textContent()).toContain('Connected to');
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('button', { name: 'Connect', exact: true }).waitFor();

    const newFingerprint = await server.changeCertificate();
    expect(newFingerprint).not.toBe(oldFingerprint);
    await signIn(page);
    const dialog = certificateDialog(page);
    expect((await dialog.getByRole('heading').textContent())?.trim()).toBe('Warning: the registry’s certificate has changed');
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain(`The certificate of 127.0.0.1 port ${server.port} has CHANGED since you trusted it on ${longDate(Date.now())}`);
    expect(text).toContain('The registry may have renewed its certificate');
    expect(text).toContain('someone is in the middle, between this computer and the registry');
    // The support contact comes from the registry's profile.
    expect(text).toContain('Check with the Texas Immunization Registry Interoperability Team at (800) 348-9158');
    expect(await dialog.getByTestId('fingerprint').allTextContents()).toEqual([oldFingerprint, newFingerprint]);
    expect(await focusedText(page)).toBe('Do not allow this connection');
    await shot(page, '12-certificate-changed.png');

    await page.keyboard.press('Enter');
    await eventually(() => statusLine(page).textContent()).toContain('has changed since you trusted it, and it was not accepted');
    // The old certificate is still the trusted one.
    expect(await app.service.handlers.listTrusted({})).toMatchObject({ ok: true, identities: [{ fingerprint: oldFingerprint, kind: 'tls-certificate' }] });
    expect(app.pageErrors).toEqual([]);
  });
});
