// End to end on folders the size clinics really have (issue 18): an EHR export folder of 20,000
// entries in My Computer, a registry folder of 5,000 reports. Only the rows in view are in the page,
// yet the keyboard (type-ahead included), the mouse's ranges, "choose all", sorting, the screen reader's count and place,
// and dragging a chosen pair from the far end of the list onto the registry all work as on a small
// folder. Real React window in Debian's Chromium, the real engine behind the loopback bridge, the
// practice registry (ssh2's SFTP server) on 127.0.0.1.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { practicePortOf } from '../../electron/main/practice';
import { startPracticeRegistry, type RunningPracticeRegistry } from '../../electron/practice/practice-registry';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { compareListed } from '../../shared/listing-order';
import { seriousAccessibilityFindings } from '../support/axe';
import { openApp, shot, signInToPractice, type AppPage } from './bridge';

const SAMPLES = join(new URL('../..', import.meta.url).pathname, 'electron', 'practice', 'samples');
const WEEKLY = join(SAMPLES, 'PRAC01_20261201_weekly.HL7');
const CHOSEN = 'Big-Folder-Practice-Pass-3!';
const FOLDERS = ['Archive 2024', 'Archive 2025', 'Old exports'];
const TEXT_FILES = 19_987;
const HL7_FILES = 10;
const LOCAL_ENTRIES = FOLDERS.length + TEXT_FILES + HL7_FILES; // 20,000
const REPORTS = 5_000;

let scratch: string;
let exportDir: string;
let dataDir: string;
let practice: RunningPracticeRegistry;
let app: AppPage;
let issued: string;
/** My Computer's files as the engine lists them: name and size. */
let localFiles: { name: string; kind: 'file'; size: number }[];
const hl7Name = (n: number) => `PRAC01_20261201_weekly_${String(n).padStart(2, '0')}.HL7`;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-e2e-big-'));
  exportDir = join(scratch, 'EHR export');
  mkdirSync(exportDir);
  for (const folder of FOLDERS) mkdirSync(join(exportDir, folder));
  // A folder of the registry's quota: small enough to be drawn whole.
  for (let i = 1; i <= 300; i += 1) writeFileSync(join(exportDir, 'Archive 2024', `week_${String(i).padStart(3, '0')}.HL7`), 'MSH|^~\\&|\r');
  for (let i = 1; i <= TEXT_FILES; i += 1) writeFileSync(join(exportDir, `export_${String(i).padStart(5, '0')}.txt`), 'x'.repeat(i % 4096));
  for (let n = 1; n <= HL7_FILES; n += 1) copyFileSync(WEEKLY, join(exportDir, hl7Name(n)));
  localFiles = [];
  for (let i = 1; i <= TEXT_FILES; i += 1) localFiles.push({ name: `export_${String(i).padStart(5, '0')}.txt`, kind: 'file', size: i % 4096 });
  for (let n = 1; n <= HL7_FILES; n += 1) localFiles.push({ name: hl7Name(n), kind: 'file', size: statSync(WEEKLY).size });

  dataDir = mkdtempSync(join(tmpdir(), 'rt-e2e-big-data-'));
  practice = await startPracticeRegistry({ dataDir, processAfterSeconds: 1 });
  issued = practice.issuedPassword() as string;
  // A registry folder that filled up over months: 5,000 reports in DQA-Report.
  const reports = join(dataDir, 'practice', 'files', 'PRAC01', 'DQA-Report');
  const report = readFileSync(WEEKLY).subarray(0, 300);
  for (let i = 1; i <= REPORTS; i += 1) writeFileSync(join(reports, `PRAC01_2026${String(i).padStart(5, '0')}_DQA.txt`), report);

  app = await openApp({
    settings: new MemorySettings(),
    ports: { practice: practicePortOf(practice, SAMPLES), dataDir, timeoutSeconds: 30, localPlaces: () => [{ label: 'EHR export', path: exportDir, kind: 'folder' }] },
  });
}, 180_000);

afterAll(async () => {
  await app?.close();
  await practice?.stop();
  for (const dir of [scratch, dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const eventually = <T>(read: () => Promise<T> | T, message?: string) => expect.poll(read, { timeout: 60_000, interval: 100, ...(message ? { message } : {}) });
const localGrid = (page: Page) => page.getByRole('grid', { name: 'Files in EHR export' });
const localFoot = (page: Page) => page.getByRole('region', { name: 'My Computer' }).locator('.pane-foot .muted');
const remoteGrid = (page: Page, folder: string) => page.getByRole('grid', { name: `Files in ${folder}` });
const rowAt = (grid: Locator, index: number) => grid.locator(`tbody tr[data-index="${index}"]`);

/** The row that has focus: its place for a screen reader, its name, and whether it is chosen. */
const focusedRow = (page: Page) =>
  page.evaluate(() => {
    const row = document.activeElement?.closest('tr[data-row]');
    return row
      ? { rowIndex: row.getAttribute('aria-rowindex'), name: row.querySelector('.entry-name')?.textContent ?? '', selected: row.getAttribute('aria-selected') }
      : null;
  });

/** Whether the focused row is inside the table's scrolled view, below its header, and not cut off. */
const focusedRowInView = (page: Page) =>
  page.evaluate(() => {
    const row = document.activeElement?.closest('tr[data-row]');
    const box = row?.closest('.file-table-wrap');
    const head = box?.querySelector('thead');
    if (!row || !box || !head) return false;
    const r = row.getBoundingClientRect();
    return r.top >= head.getBoundingClientRect().bottom - 1 && r.bottom <= box.getBoundingClientRect().bottom + 1;
  });

/** Focus on the table's row that takes the keyboard (always drawn, wherever the view is scrolled). */
const focusTable = (grid: Locator) => grid.locator('tbody tr[tabindex="0"]').focus();

/** Scrolls the table's view as a mouse would (the wheel, the scroll bar), not with the keyboard. */
const scrollTableTo = (grid: Locator, where: 'top' | 'bottom') =>
  grid.evaluate((table, to) => {
    const box = table.closest('.file-table-wrap') as HTMLElement;
    box.scrollTop = to === 'top' ? 0 : box.scrollHeight;
  }, where);

const chosenCount = (grid: Locator) => grid.locator('tbody tr[aria-selected="true"]').count();

describe('My Computer on a folder of 20,000 entries', () => {
  it('says how many entries it holds and puts only the rows in view in the page', async () => {
    const { page } = app;
    await eventually(() => localFoot(page).textContent(), 'the count').toContain('20,000 items');
    await eventually(() => localGrid(page).getAttribute('aria-busy'), 'every page listed').toBe('false');
    expect(await localFoot(page).textContent()).toBe('20,000 items');
    expect(await localGrid(page).getAttribute('aria-rowcount')).toBe(String(LOCAL_ENTRIES + 1));
    const drawn = await localGrid(page).locator('tbody tr[data-row]').count();
    expect(drawn).toBeGreaterThan(10);
    expect(drawn).toBeLessThan(100);
    // Folders first, then names as people read them.
    expect(await rowAt(localGrid(page), 0).locator('.entry-name').textContent()).toBe('Archive 2024');
    expect(await rowAt(localGrid(page), 3).locator('.entry-name').textContent()).toBe('export_00001.txt');
    await shot(page, '60-big-local-folder.png');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    expect(app.pageErrors).toEqual([]);
  }, 180_000);

  it('moves with the arrows, Page Down, End and Home, tells the screen reader where it is, and keeps the row in view', async () => {
    const { page } = app;
    const grid = localGrid(page);
    await rowAt(grid, 3).click();
    await page.keyboard.press('ArrowDown');
    await eventually(() => focusedRow(page)).toEqual({ rowIndex: '6', name: 'export_00002.txt', selected: 'true' });

    await page.keyboard.press('PageDown');
    await eventually(async () => Number((await focusedRow(page))?.rowIndex)).toBeGreaterThan(10);
    expect(await focusedRowInView(page)).toBe(true);
    expect(await chosenCount(grid)).toBe(1);

    await page.keyboard.press('End');
    await eventually(() => focusedRow(page)).toEqual({ rowIndex: String(LOCAL_ENTRIES + 1), name: hl7Name(HL7_FILES), selected: 'true' });
    await eventually(() => focusedRowInView(page)).toBe(true);
    expect(await grid.locator('tbody tr[data-row]').count()).toBeLessThan(100);
    await shot(page, '61-big-local-folder-end.png');

    await page.keyboard.press('Home');
    await eventually(() => focusedRow(page)).toEqual({ rowIndex: '2', name: 'Archive 2024', selected: 'true' });
    await eventually(() => focusedRowInView(page)).toBe(true);
    expect(app.pageErrors).toEqual([]);
  }, 120_000);

  it('goes to a name by its first letters typed, as Explorer does', async () => {
    const { page } = app;
    const grid = localGrid(page);
    await focusTable(grid);
    await page.keyboard.press('Home');
    await page.keyboard.press('p');
    await eventually(() => focusedRow(page)).toEqual({ rowIndex: String(LOCAL_ENTRIES - HL7_FILES + 2), name: hl7Name(1), selected: 'true' });
    expect(await focusedRowInView(page)).toBe(true);
    // After a pause a letter starts a new search: back up the list to the folder "Old exports".
    await page.waitForTimeout(1_200);
    await page.keyboard.press('o');
    await eventually(() => focusedRow(page)).toEqual({ rowIndex: '4', name: 'Old exports', selected: 'true' });
    expect(await chosenCount(grid)).toBe(1);
    expect(app.pageErrors).toEqual([]);
  }, 120_000);

  it('chooses a range with Shift+click, and every file with Ctrl+A, rows out of view included', async () => {
    const { page } = app;
    const grid = localGrid(page);
    await rowAt(grid, 5).click();
    await rowAt(grid, 9).click({ modifiers: ['Shift'] });
    await eventually(() => localFoot(page).textContent()).toBe('20,000 items · 5 chosen');
    expect(await chosenCount(grid)).toBe(5);

    await page.keyboard.press('Control+a');
    await eventually(() => localFoot(page).textContent()).toBe(`20,000 items · ${(TEXT_FILES + HL7_FILES).toLocaleString('en-US')} chosen`);
    expect(await grid.getByRole('checkbox', { name: 'Choose all files' }).isChecked()).toBe(true);
    // Scrolled to the far end, the rows drawn there are chosen too.
    await scrollTableTo(grid, 'bottom');
    await rowAt(grid, LOCAL_ENTRIES - 1).waitFor();
    expect(await grid.locator('tbody tr[data-kind="file"][aria-selected="false"]').count()).toBe(0);
    expect(await grid.locator('tbody tr[data-kind="file"][aria-selected="true"]').count()).toBeGreaterThan(10);
    await scrollTableTo(grid, 'top');
    expect(app.pageErrors).toEqual([]);
  }, 120_000);

  it('sorts 20,000 rows by size, largest first, folders still first', async () => {
    const { page } = app;
    const grid = localGrid(page);
    await grid.getByRole('button', { name: 'Size' }).click();
    await eventually(() => grid.getByRole('columnheader', { name: 'Size' }).getAttribute('aria-sort')).toBe('descending');
    await focusTable(grid);
    await page.keyboard.press('Home');
    await eventually(() => focusedRow(page)).toMatchObject({ rowIndex: '2' });
    // Ties fall back to the name, turned round with the column (as the window sorts).
    const expected = [...localFiles].sort((a, b) => b.size - a.size || -compareListed(a, b)).slice(0, 12).map((f) => f.name);
    const shown = await grid.locator('tbody tr[data-row] .entry-name').allTextContents();
    expect(shown.slice(0, 3).sort()).toEqual([...FOLDERS].sort());
    expect(shown.slice(3, 15)).toEqual(expected);
    // Back to names for the tests after this one.
    await grid.getByRole('button', { name: 'Name' }).click();
    await eventually(() => grid.getByRole('columnheader', { name: 'Name' }).getAttribute('aria-sort')).toBe('ascending');
    expect(app.pageErrors).toEqual([]);
  }, 120_000);
});

describe('a folder of 300 files, the registry\'s quota', () => {
  it('is drawn whole: every row in the page for the screen reader\'s browse mode and find-in-page', async () => {
    const { page } = app;
    await rowAt(localGrid(page), 0).dblclick();
    const grid = page.getByRole('grid', { name: 'Files in Archive 2024' });
    await eventually(() => grid.getAttribute('aria-busy')).toBe('false');
    expect(await grid.locator('tbody tr[data-row]').count()).toBe(300);
    expect(await grid.locator('tbody tr.spacer-row').count()).toBe(0);
    expect(await grid.getAttribute('aria-rowcount')).toBe('301');
    await page.getByRole('button', { name: 'Up one folder' }).click();
    await eventually(() => localGrid(page).getAttribute('aria-busy')).toBe('false');
    await eventually(() => localFoot(page).textContent()).toBe('20,000 items');
    expect(app.pageErrors).toEqual([]);
  }, 120_000);
});

describe('a registry folder of 5,000 reports', () => {
  it('lists them with the count, reaches the last with End, and stays accessible', async () => {
    const { page } = app;
    await signInToPractice(page, issued, CHOSEN);
    await page.getByRole('tab', { name: 'DQA-Report' }).click();
    const grid = remoteGrid(page, 'DQA-Report');
    await eventually(() => grid.getAttribute('aria-busy'), 'every page listed').toBe('false');
    expect(await grid.getAttribute('aria-rowcount')).toBe(String(REPORTS + 1));
    expect(await page.locator('.folder-panel .pane-foot .muted, .pane-foot .muted').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('5,000 of 300 files')]),
    );
    expect(await grid.locator('tbody tr[data-row]').count()).toBeLessThan(100);
    await rowAt(grid, 0).click();
    await page.keyboard.press('End');
    await eventually(() => focusedRow(page)).toEqual({ rowIndex: String(REPORTS + 1), name: `PRAC01_2026${String(REPORTS).padStart(5, '0')}_DQA.txt`, selected: 'true' });
    await eventually(() => focusedRowInView(page)).toBe(true);
    await shot(page, '62-big-registry-folder.png');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    expect(app.pageErrors).toEqual([]);
  }, 180_000);

  it('uploads a pair chosen at the far end of My Computer by dragging it onto HL7-Dropoff', async () => {
    const { page } = app;
    await page.getByRole('tab', { name: 'HL7-Dropoff' }).click();
    await eventually(() => remoteGrid(page, 'HL7-Dropoff').getAttribute('aria-busy')).toBe('false');
    const grid = localGrid(page);
    await focusTable(grid);
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+ArrowUp');
    await eventually(() => localFoot(page).textContent()).toBe('20,000 items · 2 chosen');
    await rowAt(grid, LOCAL_ENTRIES - 1).dragTo(page.locator('.folder-files'));
    const check = page.getByRole('dialog', { name: /before sending/ });
    await check.waitFor();
    await check.getByRole('button', { name: 'Send 2 files' }).click();
    for (const name of [hl7Name(HL7_FILES - 1), hl7Name(HL7_FILES)]) {
      await eventually(() => page.locator('.transfer-row', { has: page.getByText(name, { exact: true }) }).first().getAttribute('data-state'), `${name} sent`).toBe('done');
    }
    expect(app.pageErrors).toEqual([]);
  }, 180_000);
});
