// End to end: the real React window in Debian's Chromium, the real engine behind the loopback bridge,
// and a real OpenSSH server laid out as the Texas registry. Each test opens a fresh window with fresh
// settings (nothing trusted yet), as a clinic's new computer would be.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';
import { openApp, shot, type AppPage } from './bridge';

const PROFILE_NAME = 'Texas ImmTrac2 (test server)';

let server: SshServer;
const opened: AppPage[] = [];

beforeAll(async () => {
  // dist/renderer is built once for all test files by test/support/build-once.ts (globalSetup).
  server = await startSshd({ tag: 'E2' });
});

afterAll(async () => {
  await server?.stop();
});

afterEach(async () => {
  for (const app of opened.splice(0)) await app.close();
});

async function open(settings = new MemorySettings(), viewport?: { width: number; height: number }): Promise<AppPage> {
  settings.set('customProfiles', [localTexasProfile(server.port)]);
  const app = await openApp({ settings, ...(viewport ? { viewport } : {}) });
  opened.push(app);
  return app;
}

const hostKeyDialog = (page: Page) => page.getByRole('dialog', { name: /identity/i });
const statusLine = (page: Page) => page.getByRole('contentinfo').getByRole('status');
const connectedBar = (page: Page) => page.locator('.connected-bar');
/** Network steps (PAM's delay after a wrong password, sshd restarts) take seconds, not milliseconds. */
const eventually = <T>(read: () => Promise<T>, message?: string) => expect.poll(read, { timeout: 20_000, interval: 100, ...(message ? { message } : {}) });

async function fillConnectForm(page: Page, password = server.home.password): Promise<void> {
  await page.getByRole('combobox', { name: 'Registry', exact: true }).selectOption({ label: PROFILE_NAME });
  await page.getByLabel('Import code').fill(server.home.username);
  await page.getByLabel('Password').fill(password);
}

async function connectAndAnswer(page: Page, answer: 'Trust this key' | 'Allow this connection only'): Promise<void> {
  await fillConnectForm(page);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await hostKeyDialog(page).getByRole('button', { name: answer }).click();
  await eventually(() => connectedBar(page).textContent()).toContain(`Connected to ${PROFILE_NAME} as ${server.home.username}`);
}

async function openFolder(page: Page, name: string) {
  await page.getByRole('tab', { name }).click();
  const grid = page.getByRole('grid', { name: `Files in ${name}` });
  await eventually(() => grid.getAttribute('aria-busy'), `${name} finished loading`).toBe('false');
  return grid;
}

describe('connecting to the registry over SFTP and browsing its folders', () => {
  it('checks the host key on first contact, trusts it, and shows the four Texas folders', async () => {
    const app = await open();
    const { page } = app;
    const user = server.home.username;

    await page.getByRole('combobox', { name: 'Registry', exact: true }).selectOption({ label: PROFILE_NAME });
    await eventually(() => page.getByText(`127.0.0.1, port ${server.port}`).isVisible()).toBe(true);
    const importCode = page.getByLabel('Import code');
    const description = await importCode.evaluate((el) =>
      (el.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent).join(' '),
    );
    expect(description).toBe('Your six-character import code.');
    await importCode.fill(user);
    await page.getByLabel('Password').fill(server.home.password);
    await shot(page, '01-connect-form.png');

    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const dialog = hostKeyDialog(page);
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').textContent()).toContain("Check the registry’s identity");
    expect(await dialog.textContent()).toContain(`first time this computer connects to 127.0.0.1 port ${server.port} for ${PROFILE_NAME}`);
    expect(await dialog.getByTestId('fingerprint').allTextContents()).toEqual([server.fingerprint]);
    expect(await dialog.textContent()).toContain('ED25519');
    // The safest answer has the focus.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Do not allow this connection');
    // While the question is open, the form shows it is busy and Connect cannot be pressed again.
    expect(await page.getByRole('button', { name: /Connecting/ }).isDisabled()).toBe(true);
    await shot(page, '02-host-key-prompt.png');

    await dialog.getByRole('button', { name: 'Trust this key' }).click();
    await eventually(() => connectedBar(page).textContent()).toContain(`Connected to ${PROFILE_NAME} as ${user}`);
    expect(await connectedBar(page).textContent()).toContain(`SFTP 127.0.0.1:${server.port}`);
    expect(await dialog.count()).toBe(0);
    expect(await statusLine(page).textContent()).toContain(`Connected to ${PROFILE_NAME} as ${user}.`);
    // The window kept no copy of the password: not in the page, not in any field.
    expect(await page.content()).not.toContain(server.home.password);
    expect(await page.evaluate((pw) => [...document.querySelectorAll('input')].some((i) => i.value.includes(pw)), server.home.password)).toBe(false);

    expect(await page.getByRole('tab').allTextContents()).toEqual(['HL7-Dropoff', 'Accepted', 'DQA-Report', 'Receive']);

    const dropoff = await openFolder(page, 'HL7-Dropoff');
    expect(await dropoff.locator('tbody tr').count()).toBe(0);
    expect(await page.getByText('No files here. Files you upload appear here until the registry processes them.').isVisible()).toBe(true);
    expect(await page.getByRole('tabpanel').textContent()).toContain('You can upload here');
    await shot(page, '03a-connected-dropoff-empty.png');

    const accepted = await openFolder(page, 'Accepted');
    expect(await accepted.locator('tbody tr .entry-name').allTextContents()).toEqual([`${user}_20261114.HL7`]);
    expect(await page.getByRole('tabpanel').textContent()).toContain('Read only');

    const receive = await openFolder(page, 'Receive');
    expect(await receive.locator('tbody tr .entry-name').allTextContents()).toEqual([`${user}_20261114.CNF`]);

    const reports = await openFolder(page, 'DQA-Report');
    expect(await reports.locator('tbody tr .entry-name').allTextContents()).toEqual([`${user}_20261114_DQA.txt`]);
    // "Completeness 96\nQuality 92\nTimeliness 88\n" is 41 bytes.
    expect(await reports.locator('tbody tr .cell-size').allTextContents()).toEqual(['41 bytes']);
    expect(await page.getByRole('tabpanel').locator('.rights').textContent()).toContain('Rights: list, read');
    await reports.locator('tbody tr').first().click();
    await shot(page, '03-connected-dqa-report.png');

    // The same window at the smallest supported size still shows everything without overlap.
    await page.setViewportSize({ width: 1024, height: 700 });
    expect(await page.getByRole('button', { name: 'Disconnect' }).isVisible()).toBe(true);
    expect(await page.getByRole('tab', { name: 'Receive' }).isVisible()).toBe(true);
    await shot(page, '03b-connected-1024x700.png');

    await page.getByRole('button', { name: 'Disconnect' }).click();
    await eventually(() => page.getByRole('button', { name: 'Connect', exact: true }).isVisible()).toBe(true);
    expect(await statusLine(page).textContent()).toContain(`Disconnected from ${PROFILE_NAME}.`);
    expect(app.pageErrors).toEqual([]);
  });

  it('does not connect when the user does not allow the key, and connects once when allowed once', async () => {
    const app = await open();
    const { page } = app;

    await fillConnectForm(page);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await hostKeyDialog(page).getByRole('button', { name: 'Do not allow this connection' }).click();
    await eventually(() => statusLine(page).textContent()).toContain('you chose not to allow the connection to 127.0.0.1. Nothing was sent to it.');
    expect(await statusLine(page).textContent()).toContain('Problem:');
    expect(await hostKeyDialog(page).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Connect', exact: true }).isEnabled()).toBe(true);
    expect(await connectedBar(page).count()).toBe(0);
    // The password field was emptied when the attempt ended; nothing was trusted.
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    expect(await app.service.handlers.listTrusted({})).toMatchObject({ ok: true, identities: [] });
    await shot(page, '05-not-allowed.png');

    await connectAndAnswer(page, 'Allow this connection only');
    expect(await connectedBar(page).textContent()).toContain(`SFTP 127.0.0.1:${server.port}`);
    // Allowed for this connection only: the key is not remembered.
    expect(await app.service.handlers.listTrusted({})).toMatchObject({ ok: true, identities: [] });
    expect(app.pageErrors).toEqual([]);
  });

  it('shows the plain auth-failed message for a wrong password', async () => {
    const app = await open();
    const { page } = app;

    await fillConnectForm(page, 'not-the-password');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await hostKeyDialog(page).getByRole('button', { name: 'Allow this connection only' }).click();
    await eventually(() => statusLine(page).textContent()).toContain('The registry did not accept that import code and password.');
    expect(await page.getByRole('button', { name: 'Connect', exact: true }).isEnabled()).toBe(true);
    expect(await connectedBar(page).count()).toBe(0);
    expect(await page.content()).not.toContain('not-the-password');
    expect(app.pageErrors).toEqual([]);
  });

  it('says in plain words what is missing before connecting', async () => {
    const app = await open();
    const { page } = app;

    await page.getByRole('combobox', { name: 'Registry', exact: true }).selectOption({ label: PROFILE_NAME });
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    expect(await page.getByText('Enter your import code.').isVisible()).toBe(true);
    expect(await page.getByLabel('Import code').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).toBe('text');

    await page.getByLabel('Import code').fill('AB C12');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    expect(await page.getByText('The import code cannot contain spaces.').isVisible()).toBe(true);

    await page.getByLabel('Import code').fill(server.home.username);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    expect(await page.getByText('Enter your password.').isVisible()).toBe(true);
    // Nothing was sent to the engine for an incomplete form.
    expect(app.events.filter((e) => e.type === 'connection')).toEqual([]);
    expect(app.pageErrors).toEqual([]);
  });

  it('can be used with the keyboard alone: fill the form, submit with Enter, answer the prompt', async () => {
    const app = await open();
    const { page } = app;
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        const labelled = el?.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent : null;
        return { tag: el?.tagName ?? '', label: labelled ?? el?.getAttribute('aria-label') ?? el?.textContent ?? '', inDialog: !!el?.closest('dialog') };
      });
    const tabTo = async (label: string) => {
      for (let presses = 0; presses < 40; presses += 1) {
        if ((await focused()).label === label) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached "${label}"`);
    };

    await tabTo('Registry');
    for (let presses = 0; presses < 10 && (await page.getByRole('combobox', { name: 'Registry', exact: true }).inputValue()) !== 'local-texas'; presses += 1) {
      await page.keyboard.press('ArrowDown');
    }
    expect(await page.getByRole('combobox', { name: 'Registry', exact: true }).inputValue()).toBe('local-texas');
    await tabTo('Import code');
    await page.keyboard.type(server.home.username);
    await page.keyboard.press('Tab');
    expect((await focused()).label).toBe('Password');
    await page.keyboard.type(server.home.password);
    await page.keyboard.press('Enter');

    await hostKeyDialog(page).waitFor();
    expect(await focused()).toMatchObject({ tag: 'BUTTON', label: 'Do not allow this connection', inDialog: true });
    await shot(page, '02b-host-key-prompt-keyboard-focus.png');
    // Tab stays inside the dialog.
    for (let presses = 0; presses < 8; presses += 1) {
      await page.keyboard.press('Tab');
      expect((await focused()).inDialog).toBe(true);
    }
    await page.keyboard.press('Escape');
    await eventually(() => statusLine(page).textContent()).toContain('you chose not to allow the connection');
    expect(await hostKeyDialog(page).count()).toBe(0);

    // After the refusal the cursor is back in the (emptied) password field: type it again, Enter.
    await eventually(async () => (await focused()).label).toBe('Password');
    await page.keyboard.type(server.home.password);
    await page.keyboard.press('Enter');
    await hostKeyDialog(page).waitFor();
    await tabTo('Trust this key');
    await page.keyboard.press('Enter');
    await eventually(() => connectedBar(page).textContent()).toContain(`Connected to ${PROFILE_NAME} as ${server.home.username}`);

    // Folder tabs answer the arrow keys.
    await tabTo('HL7-Dropoff');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { selected: true }).textContent()).toBe('DQA-Report');
    const grid = page.getByRole('grid', { name: 'Files in DQA-Report' });
    await eventually(() => grid.locator('tbody tr').count()).toBe(1);
    expect(app.pageErrors).toEqual([]);
  });

  it('lists trusted servers and removes one after confirmation', async () => {
    const app = await open();
    const { page } = app;
    await connectAndAnswer(page, 'Trust this key');

    const trustedButton = page.getByRole('button', { name: 'Trusted servers' });
    await trustedButton.click();
    const dialog = page.getByRole('dialog', { name: 'Trusted servers' });
    await dialog.waitFor();
    const rows = dialog.locator('tbody tr');
    await eventually(() => rows.count()).toBe(1);
    const row = await rows.first().textContent();
    expect(row).toContain('127.0.0.1');
    expect(row).toContain(`port ${server.port}`);
    expect(row).toContain('SSH host key');
    expect(await rows.first().locator('code').textContent()).toBe(server.fingerprint);
    expect(row).toContain(new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' }).format(new Date()));
    await shot(page, '06-trusted-servers.png');

    await dialog.getByRole('button', { name: `Remove 127.0.0.1 port ${server.port}` }).click();
    expect(await dialog.getByText('Stop trusting').isVisible()).toBe(true);
    // Nothing is removed until confirmed; "Keep it" has the focus.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Keep it');
    await shot(page, '06b-trusted-servers-confirm.png');
    expect(((await app.service.handlers.listTrusted({})) as { identities: unknown[] }).identities).toHaveLength(1);
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await eventually(() => dialog.getByText('No trusted servers yet.').isVisible()).toBe(true);
    expect(((await app.service.handlers.listTrusted({})) as { identities: unknown[] }).identities).toHaveLength(0);
    expect(await statusLine(page).textContent()).toContain(`127.0.0.1 port ${server.port} is no longer trusted.`);

    await page.keyboard.press('Escape');
    expect(await dialog.count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Trusted servers');
    expect(app.pageErrors).toEqual([]);
  });

  // Last: it gives the server a new host key.
  it('warns clearly when the registry key changed since it was trusted', async () => {
    const app = await open();
    const { page } = app;
    const oldFingerprint = server.fingerprint;
    await connectAndAnswer(page, 'Trust this key');
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('button', { name: 'Connect', exact: true }).waitFor();

    const newFingerprint = await server.changeHostKey();
    expect(newFingerprint).not.toBe(oldFingerprint);
    await fillConnectForm(page);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const dialog = hostKeyDialog(page);
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').textContent()).toContain('Warning: the registry’s identity has changed');
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain(`The key of 127.0.0.1 port ${server.port} has CHANGED since you trusted it on`);
    expect(text).toContain('registries reserve the right to update them');
    expect(text).toContain('someone is between this computer and the registry');
    expect(text).toContain('Texas Immunization Registry Interoperability Team');
    expect(await dialog.getByTestId('fingerprint').allTextContents()).toEqual([oldFingerprint, newFingerprint]);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Do not allow this connection');
    await shot(page, '04-changed-key.png');

    await page.keyboard.press('Escape');
    await eventually(() => statusLine(page).textContent()).toContain('has changed since you trusted it, and it was not accepted');
    // The old key is still the trusted one.
    expect(await app.service.handlers.listTrusted({})).toMatchObject({ ok: true, identities: [{ fingerprint: oldFingerprint }] });
    expect(app.pageErrors).toEqual([]);
  });
});
