// End to end: sending files to the registry from the window, and what comes back. The real React
// window in Debian's Chromium, the real engine behind the loopback bridge, a real OpenSSH server laid
// out as the Texas registry (import code required in file names), real files on disk on both sides.
// The tests run in order on one window, as one clinic's afternoon: send, be refused, fix, replace,
// download the report, delete, look at the history.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferStatus } from '../../shared/contract';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { formatSize } from '../../renderer/src/format';
import { hl7Batch, SAMPLE_PATIENT, sha256Of, sha256OfFile, writeHl7Batch, writeLargeHl7Batch } from '../support/hl7-samples';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';
import { openApp, shot, type AppPage } from './bridge';

let server: SshServer;
let app: AppPage;
let localDir: string;
let downloadDir: string;
let dataDir: string;
/** What the system's file picker answers next ("Upload files…"). */
let picked: string[] = [];
let user: string;
let names: { big: string; small: string; noCode: string };
let bigSize: number;

const PROFILE_NAME = 'Texas ImmTrac2 (test server)';
const BIG_BYTES = 40 * 1024 * 1024;

beforeAll(async () => {
  server = await startSshd({ tag: 'ET' });
  user = server.home.username;
  names = { big: `${user}_20261121_BATCH.HL7`, small: `${user}_20261121.HL7`, noCode: 'CLINIC_20261121.HL7' };
  localDir = mkdtempSync(join(tmpdir(), 'rt-e2e-send-'));
  downloadDir = mkdtempSync(join(tmpdir(), 'rt-e2e-saved-'));
  dataDir = mkdtempSync(join(tmpdir(), 'rt-e2e-data-'));
  bigSize = (await writeLargeHl7Batch(join(localDir, names.big), { importCode: user, minBytes: BIG_BYTES })).size;
  writeHl7Batch(join(localDir, names.small), { importCode: user, messages: 3 });
  writeHl7Batch(join(localDir, names.noCode), { importCode: user, messages: 2 });

  const settings = new MemorySettings();
  // The Texas rules: the import code must be in the name, the file must end in .HL7.
  settings.set('customProfiles', [{ ...localTexasProfile(server.port, 'local-texas-transfers'), files: { extension: '.HL7', importCodeInName: true } }]);
  app = await openApp({
    settings,
    ports: {
      chooseFolder: async () => downloadDir,
      chooseFiles: async () => picked,
      dataDir,
      timeoutSeconds: 20,
    },
  });
});

afterAll(async () => {
  await app?.close();
  await server?.stop();
  for (const dir of [localDir, downloadDir, dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const eventually = <T>(read: () => Promise<T> | T, message?: string) =>
  expect.poll(read, { timeout: 30_000, interval: 100, ...(message ? { message } : {}) });
const statusLine = (page: Page) => page.getByRole('contentinfo').getByRole('status');
const checkDialog = (page: Page) => page.getByRole('dialog', { name: /before sending/ });
const remoteGrid = (page: Page, folder: string) => page.getByRole('grid', { name: `Files in ${folder}` });
/** The open folder's file area (the list and the space below its rows). */
const folderArea = (page: Page) => page.locator('.folder-files');
const localGrid = (page: Page) => page.getByRole('grid', { name: `Files in ${basename(localDir)}` });
const localRow = (page: Page, name: string) => localGrid(page).locator('tbody tr', { has: page.getByText(name, { exact: true }) });
/** The names listed in a registry folder, in code-point order (the window sorts as people read). */
const remoteNames = async (page: Page, folder: string) => (await remoteGrid(page, folder).locator('tbody .entry-name').allTextContents()).sort();
const transferRow = (page: Page, name: string) => page.locator('.transfer-row', { has: page.getByText(name, { exact: true }) }).first();
const dropoffDir = () => join(server.home.accountDir, 'HL7-Dropoff');
const onServer = () => readdirSync(dropoffDir()).sort();
const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent ?? document.activeElement?.getAttribute('aria-label') ?? '');
const transferEvents = () => app.events.filter((e): e is { type: 'transfer'; transfer: TransferStatus } => e.type === 'transfer');

async function openFolder(page: Page, name: string) {
  await page.getByRole('tab', { name }).click();
  await eventually(() => remoteGrid(page, name).getAttribute('aria-busy'), `${name} finished loading`).toBe('false');
}

async function waitDone(page: Page, name: string) {
  await eventually(() => transferRow(page, name).getAttribute('data-state'), `${name} finished`).toMatch(/^(done|failed|cancelled)$/);
  expect(await transferRow(page, name).getAttribute('data-state'), (await transferRow(page, name).textContent()) ?? '').toBe('done');
}

describe('sending files to the registry and getting its answers back, in the window', () => {
  it('connects and shows the local folder with the batches to send', async () => {
    const { page } = app;
    await page.getByRole('combobox', { name: 'Registry', exact: true }).selectOption({ label: PROFILE_NAME });
    await page.getByLabel('Import code').fill(user);
    await page.getByLabel('Password').fill(server.home.password);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('dialog', { name: /identity/i }).getByRole('button', { name: 'Trust this key' }).click();
    await eventually(() => page.locator('.connected-bar').textContent()).toContain(`Connected to ${PROFILE_NAME} as ${user}`);
    await openFolder(page, 'HL7-Dropoff');
    expect(await page.getByRole('button', { name: 'Upload files…' }).isVisible()).toBe(true);

    await page.getByLabel('Folder path').fill(localDir);
    await page.getByLabel('Folder path').press('Enter');
    await eventually(async () => (await localGrid(page).locator('tbody .entry-name').allTextContents()).sort()).toEqual(
      [names.noCode, names.small, names.big].sort(),
    );
    expect(app.pageErrors).toEqual([]);
  });

  it('checks a batch dragged onto HL7-Dropoff, sends it with a moving progress bar, and shows it landing', async () => {
    const { page } = app;
    await localRow(page, names.big).dragTo(folderArea(page));

    const dialog = checkDialog(page);
    await dialog.waitFor();
    const file = dialog.getByTestId('check-file');
    expect(await file.count()).toBe(1);
    const text = (await file.textContent()) ?? '';
    expect(text).toContain(names.big);
    expect(text).toContain('Ready to send');
    expect(text).toMatch(/OKA valid HL7 batch: [\d,]+ messages\./);
    expect(text).toContain('OKRoom in HL7-Dropoff: 1 of 300 files after this one.');
    // Nothing has gone anywhere yet, and one key sends it.
    expect(onServer()).toEqual([]);
    expect(await focusedText(page)).toBe('Send 1 file');
    await shot(page, '08-upload-check.png');

    // Every value the bar takes, recorded in the page as it is drawn.
    await page.evaluate(() => {
      const seen: { value: number; max: number; state: string }[] = [];
      (window as unknown as { __bars: typeof seen }).__bars = seen;
      new MutationObserver(() => {
        for (const bar of document.querySelectorAll<HTMLProgressElement>('.transfer-row progress')) {
          seen.push({ value: bar.value, max: bar.max, state: bar.closest('tr')?.dataset.state ?? '' });
        }
      }).observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true });
    });
    await dialog.getByRole('button', { name: 'Send 1 file' }).click();
    expect(await dialog.count()).toBe(0);

    const row = transferRow(page, names.big);
    // A tenth of the way in, so the picture shows a bar that has visibly moved.
    await eventually(() => row.locator('progress').evaluate((p: HTMLProgressElement) => p.position), 'the bar moved').toBeGreaterThanOrEqual(0.1);
    await shot(page, '09-upload-sending.png');
    await waitDone(page, names.big);

    const bars = await page.evaluate(() => (window as unknown as { __bars: { value: number; max: number; state: string }[] }).__bars);
    const midway = bars.filter((b) => b.state === 'sending' && b.value > 0 && b.value < b.max);
    expect(midway.length, 'the bar showed the file part-way sent').toBeGreaterThan(0);
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain('Delivered');
    expect(rowText).toContain('Upload · To HL7-Dropoff');
    expect(rowText).toContain(`${formatSize(bigSize)} of ${formatSize(bigSize)}`);
    expect(await page.getByTestId('overall').textContent()).toContain('1 file finished');

    // It lands in the listing without a refresh, and byte for byte on the registry's disk.
    await eventually(() => remoteNames(page, 'HL7-Dropoff')).toEqual([names.big]);
    expect(onServer()).toEqual([names.big]);
    expect(await sha256OfFile(join(dropoffDir(), names.big))).toBe(await sha256OfFile(join(localDir, names.big)));
    expect(await statusLine(page).textContent()).toContain(`Delivered: ${names.big} is in the dropoff folder`);
    // The rate and time left were shown while it was sending.
    expect(transferEvents().some((e) => e.transfer.state === 'sending' && e.transfer.bytesPerSecond !== null)).toBe(true);
    expect(app.pageErrors).toEqual([]);
  });

  it('refuses a drop on a read-only folder and says where to drop instead', async () => {
    const { page } = app;
    await openFolder(page, 'DQA-Report');
    const eventsBefore = transferEvents().length;

    // While the file is held over the folder, the window already says why it will not take it.
    await localRow(page, names.small).hover();
    await page.mouse.down();
    await folderArea(page).hover({ position: { x: 200, y: 120 } });
    await folderArea(page).hover({ position: { x: 210, y: 130 } });
    const note = page.locator('.drop-note');
    await eventually(() => note.textContent()).toBe('DQA-Report is read-only: the registry puts its reports there. Drop files on HL7-Dropoff.');
    expect(await note.getAttribute('class')).toContain('is-refused');
    await shot(page, '08c-drop-refused.png');
    // Over the HL7-Dropoff tab, the tab lights up: that is where it can go.
    await page.getByRole('tab', { name: 'HL7-Dropoff' }).hover();
    await eventually(() => page.getByRole('tab', { name: 'HL7-Dropoff' }).getAttribute('class')).toContain('is-drop-target');
    expect(await note.count()).toBe(0);
    // Back over the report folder and let go.
    await folderArea(page).hover({ position: { x: 200, y: 120 } });
    await page.mouse.up();

    await eventually(() => statusLine(page).textContent()).toContain(
      'DQA-Report is read-only: the registry puts its reports there. Drop files on HL7-Dropoff.',
    );
    expect(await page.getByRole('tab', { selected: true }).textContent()).toBe('DQA-Report');
    expect(await checkDialog(page).count()).toBe(0);
    expect(await note.count()).toBe(0);
    expect(transferEvents().length).toBe(eventsBefore);
    expect(onServer()).toEqual([names.big]);
    expect(app.pageErrors).toEqual([]);
  });

  it('keeps back a file without the import code in its name, and says what to do', async () => {
    const { page } = app;
    // Dropped on the HL7-Dropoff tab while another folder is open.
    await localRow(page, names.noCode).dragTo(page.getByRole('tab', { name: 'HL7-Dropoff' }));
    const dialog = checkDialog(page);
    await dialog.waitFor();
    expect(await page.getByRole('tab', { selected: true }).textContent()).toBe('HL7-Dropoff');
    const text = (await dialog.getByTestId('check-file').textContent()) ?? '';
    expect(text).toContain('Cannot be sent');
    expect(text).toContain(`ErrorThe file name must contain your import code ${user}`);
    expect(text).toContain(`What to do: Rename the file on this computer so its name contains ${user}, then send it again.`);
    expect(await dialog.getByRole('button', { name: /^Send/ }).count()).toBe(0);
    expect(await focusedText(page)).toBe('Close');
    await shot(page, '08b-upload-check-blocked.png');

    await dialog.getByRole('button', { name: 'Close' }).click();
    await eventually(() => statusLine(page).textContent()).toContain('Nothing was sent.');
    expect(onServer()).toEqual([names.big]);
    expect(app.pageErrors).toEqual([]);
  });

  it('sends a file chosen with "Upload files…", and replaces it only after the user agrees', async () => {
    const { page } = app;
    const smallPath = join(localDir, names.small);
    picked = [smallPath];
    await page.getByRole('button', { name: 'Upload files…' }).click();
    await checkDialog(page).getByRole('button', { name: 'Send 1 file' }).click();
    await waitDone(page, names.small);
    await eventually(() => remoteNames(page, 'HL7-Dropoff')).toEqual([names.small, names.big].sort());

    // A corrected version of the same batch, same name.
    const corrected = hl7Batch({ importCode: user, messages: 4, variant: 'B' });
    writeFileSync(smallPath, corrected);
    await page.getByRole('button', { name: 'Upload files…' }).click();
    const dialog = checkDialog(page);
    await dialog.waitFor();
    const text = (await dialog.getByTestId('check-file').textContent()) ?? '';
    expect(text).toContain('Needs your decision');
    expect(text).toContain(`WarningA file named ${names.small} is already waiting in HL7-Dropoff`);
    const replace = dialog.getByRole('checkbox', { name: 'Replace the file that is waiting' });
    expect(await replace.isChecked()).toBe(false);
    // The decision is the user's: the box has the focus and Send waits for it.
    expect(await replace.evaluate((el) => el === document.activeElement)).toBe(true);
    const send = dialog.getByRole('button', { name: /^Send/ });
    expect(await send.isDisabled()).toBe(true);
    await shot(page, '08d-upload-check-replace.png');
    await replace.check();
    expect(await dialog.getByTestId('check-file').textContent()).toContain('Ready to send');
    await dialog.getByRole('button', { name: 'Send 1 file' }).click();

    await eventually(() => transferEvents().filter((e) => e.transfer.name === names.small && e.transfer.state === 'done').length).toBe(2);
    expect(readFileSync(join(dropoffDir(), names.small)).equals(corrected)).toBe(true);
    expect(onServer()).toEqual([names.small, names.big].sort());
    await shot(page, '10-transfers-delivered.png');
    expect(app.pageErrors).toEqual([]);
  });

  it('says plainly when a file dropped from the system cannot be located', async () => {
    const { page } = app;
    const grid = remoteGrid(page, 'HL7-Dropoff');
    const transfer = await page.evaluateHandle(() => {
      const data = new DataTransfer();
      data.items.add(new File(['MSH|'], 'FROM-EXPLORER.HL7'));
      return data;
    });
    for (const type of ['dragenter', 'dragover', 'drop']) await grid.dispatchEvent(type, { dataTransfer: transfer });
    await eventually(() => statusLine(page).textContent()).toContain('The app could not tell where FROM-EXPLORER.HL7 is on this computer, so nothing was sent.');
    expect(await checkDialog(page).count()).toBe(0);
    expect(app.pageErrors).toEqual([]);
  });

  it('downloads the DQA report into the folder the user picks', async () => {
    const { page } = app;
    const report = `${user}_20261114_DQA.txt`;
    await openFolder(page, 'DQA-Report');
    const download = page.getByRole('button', { name: 'Download…' });
    expect(await download.isDisabled()).toBe(true);
    await remoteGrid(page, 'DQA-Report').getByRole('checkbox', { name: `Choose ${report}` }).check();
    await download.click();

    await waitDone(page, report);
    const saved = join(downloadDir, report);
    expect(existsSync(saved)).toBe(true);
    expect(readFileSync(saved)).toEqual(readFileSync(join(server.home.accountDir, 'DQA-Report', report)));
    const rowText = (await transferRow(page, report).textContent()) ?? '';
    expect(rowText).toContain('Saved');
    expect(rowText).toContain('Download · From DQA-Report');
    expect(rowText).toContain(`Saved to ${saved}.`);
    expect(app.pageErrors).toEqual([]);
  });

  it('deletes a file from HL7-Dropoff only after the user confirms', async () => {
    const { page } = app;
    await openFolder(page, 'HL7-Dropoff');
    await remoteGrid(page, 'HL7-Dropoff').getByRole('row', { name: new RegExp(names.small) }).click();
    await page.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${names.small}?` });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`Delete ${names.small} from HL7-Dropoff? The registry will not process it.`);
    expect(await focusedText(page)).toBe('Cancel');
    await shot(page, '10b-delete-confirm.png');
    await page.keyboard.press('Enter');
    expect(await dialog.count()).toBe(0);
    expect(onServer()).toContain(names.small);

    // From the keyboard: the Delete key on the chosen row asks the same question.
    await remoteGrid(page, 'HL7-Dropoff').getByRole('row', { name: new RegExp(names.small) }).focus();
    await page.keyboard.press('Delete');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await eventually(() => statusLine(page).textContent()).toContain(`Deleted ${names.small} from HL7-Dropoff.`);
    expect(onServer()).toEqual([names.big]);
    await eventually(() => remoteNames(page, 'HL7-Dropoff')).toEqual([names.big]);
    expect(app.pageErrors).toEqual([]);
  });

  it('lists the uploads, the download and the delete in the history, without any file contents', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'History' }).click();
    const dialog = page.getByRole('dialog', { name: 'Transfer history' });
    await dialog.waitFor();
    const rows = dialog.locator('tbody tr');
    await eventually(() => rows.count()).toBe(5);
    const cells = async (index: number) => (await rows.nth(index).locator('td').allTextContents()).slice(1);
    expect(await cells(0)).toEqual(['Delete', names.small, `HL7-Dropoff${PROFILE_NAME} · ${user}`, '', 'Deleted']);
    expect(await cells(1)).toEqual(['Download', `${user}_20261114_DQA.txtSaved as ${join(downloadDir, `${user}_20261114_DQA.txt`)}`, `DQA-Report${PROFILE_NAME} · ${user}`, '41 bytes', 'Saved']);
    expect((await cells(2))[0]).toBe('Upload');
    expect((await cells(2))[1]).toContain(names.small);
    expect((await cells(2))[4]).toBe('Delivered');
    expect((await cells(4))[1]).toBe(`${names.big}From ${join(localDir, names.big)}`);
    expect((await cells(4))[3]).toBe(formatSize(bigSize));
    await shot(page, '10c-history.png');
    // Names and sizes only: no patient from the files, anywhere in the window.
    expect(await page.content()).not.toContain(SAMPLE_PATIENT.surname);
    expect(readFileSync(join(dataDir, 'transfers.jsonl'), 'utf8')).not.toContain(SAMPLE_PATIENT.surname);
    expect(sha256Of(readFileSync(join(localDir, names.big)))).toBe(await sha256OfFile(join(dropoffDir(), names.big)));
    await page.keyboard.press('Escape');
    expect(await dialog.count()).toBe(0);
    expect(app.pageErrors).toEqual([]);
  });

  it('sends two chosen files together, cancels one mid-way without leaving a trace, and retries it', async () => {
    const { page } = app;
    // Checked in the order they are listed, the large one first; over SFTP both then go out at once,
    // so the small one does not wait behind the large one.
    const first = `${user}_20261122_A_LARGE.HL7`;
    const second = `${user}_20261122_B_SMALL.HL7`;
    await writeLargeHl7Batch(join(localDir, first), { importCode: user, minBytes: 2 * BIG_BYTES });
    writeHl7Batch(join(localDir, second), { importCode: user, messages: 5 });
    await page.getByLabel('Folder path').fill(localDir);
    await page.getByLabel('Folder path').press('Enter');
    await localRow(page, second).waitFor();

    // Chosen with their tick boxes, sent with the button: no dragging needed.
    // A click on a row chooses that file alone; a tick adds another.
    await localRow(page, first).click();
    await localGrid(page).getByRole('checkbox', { name: `Choose ${second}` }).check();
    expect((await localGrid(page).locator('tr[aria-selected="true"] .entry-name').allTextContents()).sort()).toEqual([first, second].sort());
    await page.getByRole('button', { name: 'Upload 2 files to HL7-Dropoff' }).click();
    const dialog = checkDialog(page);
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').textContent()).toContain('Check 2 files before sending');
    expect(await dialog.getByTestId('check-file').count()).toBe(2);
    await dialog.getByRole('button', { name: 'Send 2 files' }).click();

    const row = transferRow(page, first);
    await eventually(() => row.getAttribute('data-state'), `${first} is being sent`).toBe('sending');
    await eventually(() => row.locator('progress').evaluate((p: HTMLProgressElement) => p.value)).toBeGreaterThan(0);
    await row.getByRole('button', { name: `Cancel ${first}` }).click();

    await eventually(() => row.getAttribute('data-state')).toBe('cancelled');
    expect(await row.textContent()).toContain('Cancelled. Nothing was delivered, and no partial file was left on the registry.');
    await waitDone(page, second);
    // The small one was delivered while the large one was still on its way.
    const finals = transferEvents().filter((e) => ['done', 'cancelled'].includes(e.transfer.state));
    expect(finals.map((e) => [e.transfer.name, e.transfer.state]).slice(-2)).toEqual([
      [second, 'done'],
      [first, 'cancelled'],
    ]);
    // Neither the cancelled file nor a piece of it is on the registry.
    await eventually(() => onServer()).toEqual([names.big, second].sort());
    await shot(page, '10d-transfers-cancelled.png');

    await row.getByRole('button', { name: `Retry ${first}` }).click();
    await eventually(() => row.getAttribute('data-state'), 'the retry started').not.toBe('cancelled');
    await waitDone(page, first);
    expect(await sha256OfFile(join(dropoffDir(), first))).toBe(await sha256OfFile(join(localDir, first)));
    await eventually(() => remoteNames(page, 'HL7-Dropoff')).toEqual([names.big, first, second].sort());
    expect(onServer()).toEqual([names.big, first, second].sort());

    // The smallest supported window still shows the transfers and their buttons.
    await page.setViewportSize({ width: 1024, height: 700 });
    expect(await page.getByRole('button', { name: 'Clear finished' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Upload files…' }).isVisible()).toBe(true);
    await shot(page, '10e-transfers-1024x700.png');
    await page.getByRole('button', { name: 'Clear finished' }).click();
    expect(await page.locator('.transfer-row').count()).toBe(0);
    expect(app.pageErrors).toEqual([]);
  });
});
