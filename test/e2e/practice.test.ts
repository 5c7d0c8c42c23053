// End to end, from a fresh data folder (issue 13): the window opens on the practice registry with a
// banner that says so, the trainee signs in with the password it issued and is asked to choose one
// of their own, opens the sample files, drags the clean weekly batch onto HL7-Dropoff, and a moment
// later sees it in Accepted with its ACK and report in DQA-Report and a consent file in Receive.
// Real React window in Debian's Chromium, the real engine behind the loopback bridge, the real
// practice registry (ssh2's SFTP server, the app's own FTPS server) on 127.0.0.1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { practicePortOf } from '../../electron/main/practice';
import { startPracticeRegistry, type RunningPracticeRegistry } from '../../electron/practice/practice-registry';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { openApp, shot, type AppPage } from './bridge';
import { seriousAccessibilityFindings } from '../support/axe';

const SAMPLES = join(new URL('../..', import.meta.url).pathname, 'electron', 'practice', 'samples');
const WEEKLY = 'PRAC01_20261201_weekly.HL7';
const CHOSEN = 'My-Own-Practice-Pass-7!';

let dataDir: string;
let practice: RunningPracticeRegistry;
let app: AppPage;
let issued: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rt-e2e-practice-'));
  practice = await startPracticeRegistry({ dataDir, processAfterSeconds: 1 });
  issued = practice.issuedPassword() as string;
  app = await openApp({ settings: new MemorySettings(), ports: { practice: practicePortOf(practice, SAMPLES), dataDir, timeoutSeconds: 20, localPlaces: () => [] } });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await practice?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const eventually = <T>(read: () => Promise<T> | T, message?: string) => expect.poll(read, { timeout: 30_000, interval: 100, ...(message ? { message } : {}) });
const banner = (page: Page) => page.getByRole('region', { name: 'Practice registry', exact: true });
const remoteGrid = (page: Page, folder: string) => page.getByRole('grid', { name: `Files in ${folder}` });
const remoteNames = async (page: Page, folder: string) => (await remoteGrid(page, folder).locator('tbody .entry-name').allTextContents()).sort();
const localRow = (page: Page, name: string) => page.getByRole('grid', { name: 'Files in samples' }).locator('tbody tr', { has: page.getByText(name, { exact: true }) });

async function openFolder(page: Page, name: string) {
  await page.getByRole('tab', { name }).click();
  await eventually(() => remoteGrid(page, name).getAttribute('aria-busy'), `${name} finished loading`).toBe('false');
}

describe('the practice registry, from the first start', () => {
  it('opens on it with a banner that says it is practice, and the practice login filled in', async () => {
    const { page } = app;
    await banner(page).waitFor();
    const text = (await banner(page).textContent()) ?? '';
    expect(text).toContain('nothing sent here reaches the state');
    expect(text).toContain(`Sign in as PRAC01 with the password it issued, ${issued}`);
    expect(await page.getByRole('combobox', { name: 'Registry', exact: true }).inputValue()).toBe('practice');
    expect(await page.getByLabel('Import code').inputValue()).toBe('PRAC01');
    await shot(page, '20-practice-first-start.png');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
  });

  it('signs in with the issued password and asks for one of the trainee\'s own, without a trust question', async () => {
    const { page } = app;
    await page.getByLabel('Password').fill(issued);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Choose a new password' });
    await dialog.waitFor();
    await page.getByLabel('New password', { exact: true }).fill(CHOSEN);
    await page.getByLabel('New password again', { exact: true }).fill(CHOSEN);
    await shot(page, '21-practice-choose-password.png');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Change password and sign in' }).click();
    await page.getByRole('tab', { name: 'HL7-Dropoff' }).waitFor();
    expect(app.events.filter((e) => e.type === 'request').map((e) => (e.type === 'request' ? e.request.kind : null))).toEqual(['new-password']);
    expect(practice.issuedPassword()).toBeNull();
    // The banner no longer shows a password: the one that works is the trainee's own.
    expect((await banner(page).textContent()) ?? '').not.toContain(issued);
    expect(JSON.stringify(app.events)).not.toContain(CHOSEN);
  });

  it('opens the sample files, sends the weekly batch by dragging it, and shows what the registry sent back', async () => {
    const { page } = app;
    await banner(page).getByRole('button', { name: 'Try with a sample file' }).click();
    await localRow(page, WEEKLY).waitFor();
    await openFolder(page, 'HL7-Dropoff');
    await localRow(page, WEEKLY).dragTo(page.locator('.folder-files'));
    const check = page.getByRole('dialog', { name: /before sending/ });
    await check.waitFor();
    expect((await check.getByTestId('check-file').textContent()) ?? '').toContain('Ready to send');
    await check.getByRole('button', { name: 'Send 1 file' }).click();
    await eventually(() => page.locator('.transfer-row', { has: page.getByText(WEEKLY, { exact: true }) }).first().getAttribute('data-state'), 'sent').toBe('done');

    // A moment later the registry has answered: the batch moved to Accepted.
    await eventually(async () => {
      await openFolder(page, 'Accepted');
      return remoteNames(page, 'Accepted');
    }, 'the batch in Accepted').toEqual([WEEKLY]);
    await shot(page, '22-practice-accepted.png');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await openFolder(page, 'DQA-Report');
    const reports = await remoteNames(page, 'DQA-Report');
    expect(reports.some((name) => /ACK/i.test(name))).toBe(true);
    expect(reports.some((name) => /_DQA\.txt$/i.test(name))).toBe(true);
    await shot(page, '23-practice-dqa-report.png');
    await openFolder(page, 'Receive');
    expect((await remoteNames(page, 'Receive')).length).toBe(1);
    await openFolder(page, 'HL7-Dropoff');
    expect(await remoteNames(page, 'HL7-Dropoff')).toEqual([]);
    expect(app.pageErrors).toEqual([]);
  });
});
