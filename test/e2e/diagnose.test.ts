// End to end: "Check my connection" (issue 16) in the real window in Debian's Chromium, the real engine
// behind the bridge. A sign-in to a port where nothing listens fails, the form offers the check
// beside the error, the check names the step and the port to open, and the report is copied for IT.
// Against Debian's OpenSSH, once its host key is trusted, every step passes with the password typed
// in the check itself.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { seriousAccessibilityFindings } from '../support/axe';
import { freePort } from '../support/ports';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';
import { openApp, shot, type AppPage } from './bridge';

const PROFILE_NAME = 'Texas ImmTrac2 (test server)';
let server: SshServer;
const opened: AppPage[] = [];

beforeAll(async () => {
  server = await startSshd({ tag: 'ED' });
}, 60_000);
afterAll(async () => server?.stop());
afterEach(async () => {
  for (const app of opened.splice(0)) await app.close();
});

async function open(port: number): Promise<AppPage> {
  const settings = new MemorySettings();
  settings.set('customProfiles', [{ ...localTexasProfile(port), support: { team: 'Texas Immunization Registry Interoperability Team', phone: '(800) 348-9158, option 3' } }]);
  const app = await openApp({ settings, ports: { timeoutSeconds: 10, localPlaces: () => [] } });
  opened.push(app);
  await app.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(app.page.url()).origin });
  return app;
}

const eventually = <T>(read: () => Promise<T>, message?: string) => expect.poll(read, { timeout: 30_000, interval: 100, ...(message ? { message } : {}) });
const checkDialog = (page: Page) => page.getByRole('dialog', { name: 'Check my connection' });

async function fillForm(page: Page, password: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Registry', exact: true }).selectOption({ label: PROFILE_NAME });
  await page.getByLabel('Import code').fill(server.home.username);
  await page.getByLabel('Password').fill(password);
}

describe('checking the connection from the window', () => {
  it('a failed sign-in offers the check; it names the step and the port to open, and the report is copied', async () => {
    const closed = await freePort();
    const { page, pageErrors } = await open(closed);
    await fillForm(page, server.home.password);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const failure = page.getByRole('group', { name: 'The last sign-in failed' });
    await eventually(() => failure.isVisible()).toBe(true);
    await shot(page, '59-connect-failed-offers-check.png');
    await failure.getByRole('button', { name: 'Check my connection…' }).click();

    const dialog = checkDialog(page);
    await eventually(() => dialog.getByRole('status').first().textContent()).toContain(`The check stopped at “Connection to port ${closed}”`);
    const steps = dialog.getByRole('list', { name: 'Steps of the check' }).locator(':scope > li');
    expect(await steps.count()).toBe(5);
    const tcp = steps.nth(1);
    expect(await tcp.textContent()).toContain('Failed');
    expect(await tcp.textContent()).toContain(`Ask IT to allow outbound TCP ${closed} from this computer to 127.0.0.1.`);
    expect(await steps.nth(2).textContent()).toContain('Not tried');
    expect(await dialog.textContent()).toContain('Texas Immunization Registry Interoperability Team, (800) 348-9158, option 3');
    await shot(page, '60-connection-check-failed.png');
    const findings = await seriousAccessibilityFindings(page);
    expect(findings, findings.join('\n')).toEqual([]);

    await dialog.getByRole('button', { name: 'Copy report' }).click();
    await eventually(() => dialog.getByText('The report was copied.').isVisible()).toBe(true);
    const report = await page.evaluate(() => navigator.clipboard.readText());
    expect(report).toContain(`2. Connection to port ${closed}: FAILED`);
    expect(report).toContain(`Registry: ${PROFILE_NAME}`);
    expect(report).not.toContain(server.home.password);
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('against a trusted server, every step passes with the password typed in the check', async () => {
    const { page, pageErrors } = await open(server.port);
    await fillForm(page, server.home.password);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('dialog', { name: /identity/i }).getByRole('button', { name: 'Trust this key' }).click();
    await eventually(() => page.locator('.connected-bar').textContent()).toContain('Connected to');
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('button', { name: 'Check my connection…' }).click();

    const dialog = checkDialog(page);
    // No password saved: the sign-in is not tried until one is given.
    const passwordField = dialog.getByLabel('Password, to check the sign-in too (optional)');
    await eventually(() => passwordField.isVisible()).toBe(true);
    await passwordField.fill(server.home.password);
    await passwordField.press('Enter');
    await eventually(() => dialog.getByRole('status').first().textContent()).toContain('Every step that was tried worked.');
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain(`Signed in as ${server.home.username}.`);
    expect(text).toContain('Every folder of the registry could be listed.');
    expect(text).toContain('is the one this computer trusts');
    await shot(page, '61-connection-check-passed.png');
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
