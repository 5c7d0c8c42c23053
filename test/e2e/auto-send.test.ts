// End to end: "Send automatically from this folder" (issue 17, item 3) in the real window in Debian's
// Chromium, the real engine behind the bridge and Debian's OpenSSH. The user signs in, chooses the
// export folder, a file is dropped into it from outside the app (as an EHR writes it), and the window
// shows it sent, with a system notification. (Electron's Notification cannot run here: the bridge
// records what the engine asked to be notified.)
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { seriousAccessibilityFindings } from '../support/axe';
import { hl7Batch } from '../support/hl7-samples';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';
import { openApp, shot, type AppPage } from './bridge';

const PROFILE_NAME = 'Texas ImmTrac2 (test server)';
let server: SshServer;
let scratch: string;
let app: AppPage | null = null;
const notes: { title: string; body: string }[] = [];

beforeAll(async () => {
  server = await startSshd({ tag: 'EA' });
  scratch = mkdtempSync(join(tmpdir(), 'rt-e2e-auto-'));
}, 60_000);
afterAll(async () => {
  await app?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const eventually = <T>(read: () => Promise<T> | T, message?: string) => expect.poll(read, { timeout: 30_000, interval: 100, ...(message ? { message } : {}) });

describe('sending automatically from an export folder', () => {
  it('watches the chosen folder, sends a file put there from outside, and notifies', async () => {
    const exportDir = join(scratch, 'EHR Export');
    mkdirSync(exportDir);
    const settings = new MemorySettings();
    settings.set('customProfiles', [localTexasProfile(server.port)]);
    app = await openApp({
      settings,
      ports: { timeoutSeconds: 20, dataDir: join(scratch, 'data'), localPlaces: () => [], chooseFolder: async () => exportDir, notify: (note) => notes.push(note) },
    });
    const page: Page = app.page;
    await page.getByRole('combobox', { name: 'Registry', exact: true }).selectOption({ label: PROFILE_NAME });
    await page.getByLabel('Import code').fill(server.home.username);
    await page.getByLabel('Password').fill(server.home.password);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('dialog', { name: /identity/i }).getByRole('button', { name: 'Trust this key' }).click();
    await eventually(() => page.locator('.connected-bar').textContent()).toContain('Connected to');

    await page.getByRole('button', { name: 'Send automatically…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send automatically from a folder' });
    await dialog.getByRole('button', { name: 'Choose the export folder…' }).click();
    await eventually(() => dialog.getByText('Watching: new files are sent as they arrive.').isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain(exportDir);

    // The EHR writes its weekly file into the folder.
    const name = `${server.home.username}_20261204_WEEKLY.HL7`;
    writeFileSync(join(exportDir, name), hl7Batch({ importCode: server.home.username, messages: 5, variant: 'weekly' }));
    const sentList = dialog.getByRole('list', { name: /^Sent \(/ });
    await eventually(() => sentList.textContent().catch(() => '')).toContain(name);
    expect(readdirSync(join(server.home.accountDir, 'HL7-Dropoff'))).toContain(name);
    expect(notes).toEqual([{ title: `Sent to ${PROFILE_NAME}`, body: `${name} is in the dropoff folder, checked.` }]);
    await shot(page, '70-send-automatically.png');
    const findings = await seriousAccessibilityFindings(page);
    expect(findings, findings.join('\n')).toEqual([]);

    await dialog.getByRole('button', { name: 'Pause' }).click();
    await eventually(() => dialog.getByText('Paused: new files wait until you resume.').isVisible()).toBe(true);
    expect(app.pageErrors).toEqual([]);
  }, 120_000);
});
