// End to end (issue 14, items 1, 3, 5): "Sent files" in Debian's Chromium, the real engine behind the
// loopback bridge and the real practice registry. Three batches are sent with "Upload files…" and
// followed until the registry has answered each (accepted, report, consent file); a row's report
// opens in the viewer; the scores of the three reports are charted, with the same numbers as a
// table; the filters narrow the list. Then a folder near the registry's 300-file quota, and a batch
// the registry answered with its clock moved 175 days back, whose replies the 180-day purge removes
// within 30 days: both said in the folder's header and status line, and "Save all to my computer"
// saves exactly those files. axe-core on each view.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { practicePortOf } from '../../electron/main/practice';
import { startPracticeRegistry, type RunningPracticeRegistry } from '../../electron/practice/practice-registry';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { seriousAccessibilityFindings } from '../support/axe';
import { openApp, shot, signInToPractice, type AppPage } from './bridge';

const SAMPLES = join(new URL('../..', import.meta.url).pathname, 'electron', 'practice', 'samples');
const SENT = ['PRAC01_20261201_weekly.HL7', 'PRAC01_20261202_data_quality_problems.HL7', 'PRAC01_20261208_weekly_again.HL7'];
const CHOSEN = 'My-Own-Practice-Pass-7!';
const DAY = 86_400_000;

let dataDir: string;
let localDir: string;
let saveDir: string;
let practice: RunningPracticeRegistry;
let app: AppPage;
let picked: string[] = [];
/** The practice registry's clock, moved to date what it writes months back. */
const registryClock = { offsetMs: 0 };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rt-e2e-sent-'));
  localDir = mkdtempSync(join(tmpdir(), 'rt-e2e-sent-local-'));
  saveDir = mkdtempSync(join(tmpdir(), 'rt-e2e-sent-saved-'));
  copyFileSync(join(SAMPLES, SENT[0]!), join(localDir, SENT[0]!));
  copyFileSync(join(SAMPLES, SENT[1]!), join(localDir, SENT[1]!));
  copyFileSync(join(SAMPLES, SENT[0]!), join(localDir, SENT[2]!));
  practice = await startPracticeRegistry({ dataDir, processAfterSeconds: 1, now: () => new Date(Date.now() + registryClock.offsetMs) });
  app = await openApp({
    settings: new MemorySettings(),
    ports: { practice: practicePortOf(practice, SAMPLES), dataDir, timeoutSeconds: 20, localPlaces: () => [], chooseFiles: async () => picked, chooseFolder: async () => saveDir },
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await practice?.stop();
  for (const dir of [dataDir, localDir, saveDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const eventually = <T>(read: () => Promise<T> | T, message?: string) => expect.poll(read, { timeout: 45_000, interval: 200, ...(message ? { message } : {}) });
const sentDialog = (page: Page) => page.getByRole('dialog', { name: 'Sent files and what came back' });
const sentRows = (page: Page) => sentDialog(page).getByRole('table', { name: 'Files sent from this computer' }).locator('tbody tr');
const remoteGrid = (page: Page, folder: string) => page.getByRole('grid', { name: `Files in ${folder}` });

async function openFolder(page: Page, name: string) {
  await page.getByRole('tab', { name }).click();
  await eventually(() => remoteGrid(page, name).getAttribute('aria-busy'), `${name} finished loading`).toBe('false');
}

/** The state words of each row, by file name. */
async function statesShown(page: Page): Promise<Record<string, string>> {
  const rows = await sentRows(page).all();
  const shown: Record<string, string> = {};
  for (const row of rows) shown[(await row.locator('td').first().textContent()) ?? ''] = (await row.locator('.state-chip').textContent()) ?? '';
  return shown;
}

describe('sent files, scores, quota and purge', () => {
  it('sends three batches and follows each until the registry has answered it', async () => {
    const { page } = app;
    await signInToPractice(page, practice.issuedPassword() as string, CHOSEN);
    await openFolder(page, 'HL7-Dropoff');

    picked = SENT.map((name) => join(localDir, name));
    await page.getByRole('button', { name: 'Upload files…' }).click();
    await page.getByRole('dialog', { name: /before sending/ }).getByRole('button', { name: 'Send 3 files' }).click();
    await eventually(async () => page.locator('.transfer-row[data-state="done"]').count(), 'all sent').toBe(3);

    await page.getByRole('button', { name: 'Sent files' }).click();
    await sentDialog(page).waitFor();
    const consent = 'Accepted, consent notification received';
    await eventually(async () => {
      await sentDialog(page).getByRole('button', { name: 'Refresh' }).click();
      await eventually(async () => (await sentDialog(page).getByRole('button', { name: 'Refresh' }).isEnabled()) === true).toBe(true);
      return statesShown(page);
    }, 'all three answered').toEqual(Object.fromEntries(SENT.map((name) => [name, consent])));
    const weekly = sentRows(page).filter({ hasText: SENT[0]! });
    expect(await weekly.getByRole('button').allTextContents()).toEqual(['ACK', 'Report (HTML)', 'Report (text)', 'Consent', 'Accepted file']);
    await shot(page, '40-sent-files.png');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
  }, 180_000);

  it('opens a row\'s report in the viewer, over the list, and comes back to it', async () => {
    const { page } = app;
    const report = 'PRAC01_20261202_data_quality_problems_DQA.txt';
    await sentRows(page).filter({ hasText: SENT[1]! }).getByRole('button', { name: `Report (text): ${report}` }).click();
    const viewer = page.getByRole('dialog', { name: report });
    await viewer.waitFor();
    await eventually(async () => (await viewer.getByLabel('Report text').textContent()) ?? '').toContain('DATA QUALITY');
    await viewer.getByRole('button', { name: 'Close', exact: true }).click();
    await viewer.waitFor({ state: 'detached' });
    expect(await sentDialog(page).isVisible()).toBe(true);
  }, 60_000);

  it('charts the scores of the three reports, with the same numbers as a table', async () => {
    const { page } = app;
    const chart = sentDialog(page).getByRole('img', { name: /^Scores of 3 reports from 0 to 100\. Latest/ });
    await chart.waitFor();
    const table = sentDialog(page).locator('.scores-table');
    await table.locator('summary').click();
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(3);
    // Each row's completeness is the one its text report prints.
    for (const row of await rows.all()) {
      const cells = await row.locator('td').allTextContents();
      const text = readFileSync(join(practice.files.folderPath('DQA-Report'), cells[0]!), 'utf8');
      expect(cells[2]).toBe(/^Completeness +(\d+)/m.exec(text)![1]);
    }
    await chart.scrollIntoViewIfNeeded();
    await shot(page, '41-scores-chart.png');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
  }, 60_000);

  it('narrows the list by state and by the day sent', async () => {
    const { page } = app;
    const dialog = sentDialog(page);
    await dialog.getByLabel('State', { exact: true }).selectOption({ label: 'Not accepted' });
    await eventually(async () => (await dialog.locator('.empty-state').textContent()) ?? '').toBe('No file sent from this computer matches.');
    await dialog.getByLabel('State', { exact: true }).selectOption({ label: 'All states' });
    await eventually(async () => sentRows(page).count()).toBe(3);
    await dialog.getByLabel('Sent from', { exact: true }).fill('2020-01-01');
    await dialog.getByLabel('to', { exact: true }).fill('2020-01-31');
    await eventually(async () => (await dialog.locator('.empty-state').textContent()) ?? '').toBe('No file sent from this computer matches.');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
  }, 60_000);

  it('warns of a folder near its quota and of files the purge will remove, and saves those files in one go', async () => {
    const { page } = app;
    // Accepted near its quota: 242 more files put there by hand, 245 in all.
    const accepted = practice.files.folderPath('Accepted');
    for (let i = 0; i < 242; i += 1) writeFileSync(join(accepted, `PRAC01_2026${String(i).padStart(4, '0')}.HL7`), `MSH|^~\\&|old batch ${i}\r`, { mode: 0o600 });
    await openFolder(page, 'Accepted');
    expect(await page.locator('.folder-head .quota-badge').textContent()).toBe('245 of 300 files, near the registry’s limit');
    expect(await page.locator('.pane-registry .pane-foot').textContent()).toContain('245 of 300 files · the registry removes files after 180 days');

    // A batch the registry answered 175 days ago (its clock moved back while it did): its ACK and
    // reports are five days from the 180-day purge.
    registryClock.offsetMs = -175 * DAY;
    const old = 'PRAC01_20260612_weekly.HL7';
    copyFileSync(join(SAMPLES, SENT[0]!), join(localDir, old));
    picked = [join(localDir, old)];
    await openFolder(page, 'HL7-Dropoff');
    await page.getByRole('button', { name: 'Upload files…' }).click();
    await page.getByRole('dialog', { name: /before sending/ }).getByRole('button', { name: 'Send 1 file' }).click();
    const reports = practice.files.folderPath('DQA-Report');
    const answers = ['PRAC01_20260612_weekly_ACK.hl7', 'PRAC01_20260612_weekly_DQA.html', 'PRAC01_20260612_weekly_DQA.txt'];
    await eventually(() => answers.every((name) => existsSync(join(reports, name))), 'the old batch answered').toBe(true);
    registryClock.offsetMs = 0;

    await openFolder(page, 'DQA-Report');
    const purge = page.locator('.purge-warning');
    expect(await purge.textContent()).toContain('3 files here will be removed by the registry within 30 days (it keeps files 180 days).');
    expect(await page.locator('.pane-registry .pane-foot').textContent()).toContain('· 3 removed within 30 days');
    const ack = remoteGrid(page, 'DQA-Report').locator('tbody tr', { has: page.getByText(answers[0]!, { exact: true }) });
    expect(await ack.locator('.cell-age').textContent()).toBe('175 days, removed by the registry in 5 days');
    const fresh = remoteGrid(page, 'DQA-Report').locator('tbody tr', { has: page.getByText('PRAC01_20261201_weekly_ACK.hl7', { exact: true }) });
    expect(await fresh.locator('.cell-age').textContent()).toBe('today');
    await shot(page, '42-quota-and-purge.png');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);

    await purge.getByRole('button', { name: 'Save all 3 to my computer…' }).click();
    await eventually(() => readdirSync(saveDir).sort(), 'the three saved').toEqual(answers);
    for (const name of answers) expect(readFileSync(join(saveDir, name)).equals(readFileSync(join(reports, name)))).toBe(true);
  }, 120_000);
});
