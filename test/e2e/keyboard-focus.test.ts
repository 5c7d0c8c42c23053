// End to end: the keyboard keeps its place (issue 18, item 5). After the host key is trusted with a
// click (the Connect button that had focus is gone), focus is on the folder shown; after Disconnect
// (the folders and their buttons gone), on the sign-in form's password; and Space on a row the arrow
// keys chose keeps it chosen (Ctrl+Space takes it away), as file managers do.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';
import { openApp, type AppPage } from './bridge';

let server: SshServer;
let scratch: string;
let app: AppPage | null = null;

beforeAll(async () => {
  server = await startSshd({ tag: 'EF' });
  scratch = mkdtempSync(join(tmpdir(), 'rt-e2e-focus-'));
  const outbox = join(scratch, 'Outbox');
  mkdirSync(outbox);
  for (const name of ['a-first.HL7', 'b-second.HL7', 'c-third.HL7']) writeFileSync(join(outbox, name), 'MSH|^~\\&|\r');
}, 60_000);
afterAll(async () => {
  await app?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 100 });
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const labelled = el?.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent : null;
    return { tag: el?.tagName ?? '', role: el?.getAttribute('role') ?? '', text: (labelled ?? el?.textContent ?? '').trim() };
  });

it('lands focus on the folder after trusting, on the password after Disconnect, and Space keeps a chosen row chosen', async () => {
  const settings = new MemorySettings();
  settings.set('customProfiles', [localTexasProfile(server.port)]);
  app = await openApp({ settings, ports: { timeoutSeconds: 20, localPlaces: () => [{ label: 'Outbox', path: join(scratch, 'Outbox'), kind: 'folder' }] } });
  const { page } = app;
  await page.getByRole('combobox', { name: 'Registry', exact: true }).selectOption({ label: 'Texas ImmTrac2 (test server)' });
  await page.getByLabel('Import code').fill(server.home.username);
  await page.getByLabel('Password').fill(server.home.password);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.getByRole('dialog', { name: /identity/i }).getByRole('button', { name: 'Trust this key' }).click();
  await eventually(() => page.locator('.connected-bar').textContent()).toContain('Connected to');
  await eventually(() => focused(page)).toMatchObject({ role: 'tab', text: 'HL7-Dropoff' });

  await page.getByRole('button', { name: 'Disconnect' }).click();
  await eventually(() => focused(page)).toMatchObject({ tag: 'INPUT', text: 'Password' });

  // My Computer: the arrow keys choose a row; Space keeps it chosen; Ctrl+Space takes it away.
  const grid = page.getByRole('grid', { name: 'Files in Outbox' });
  await grid.getByRole('row', { name: /a-first/ }).click();
  await page.keyboard.press('ArrowDown');
  const second = grid.getByRole('row', { name: /b-second/ });
  await eventually(() => second.getAttribute('aria-selected')).toBe('true');
  await page.keyboard.press(' ');
  expect(await second.getAttribute('aria-selected')).toBe('true');
  await page.keyboard.press('Control+ ');
  await eventually(() => second.getAttribute('aria-selected')).toBe('false');
  expect(app.pageErrors).toEqual([]);
}, 120_000);
