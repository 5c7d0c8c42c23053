// End to end (issue 14, item 2): the report viewer in Debian's Chromium, the real engine behind the
// loopback bridge, the real practice registry writing its text, CSV, HTML and PDF reports, ACK and
// consent files. A sample batch is sent and followed to Accepted; its report is opened (searched,
// saved: the copy is the server's bytes), its ACK decoded, the CSV sorted, the HTML shown in its
// sandbox, the PDF drawn; real ACK files from other registries (batch-wrapped, CR only), a hostile
// HTML report (script, remote image, form, refresh: none of them happen), a 20 MB ACK file (the
// window keeps answering and scrolls to its end), and a consent file. axe-core on each view.
import { createServer, type Server } from 'node:http';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const REAL_ACKS = join(new URL('../../..', import.meta.url).pathname, 'shared', 'samples', 'acks');
const REAL_DQA = join(new URL('../../..', import.meta.url).pathname, 'shared', 'samples', 'dqa');
const WEEKLY = 'PRAC01_20261201_weekly.HL7';
const STEM = 'PRAC01_20261201_weekly';
const CHOSEN = 'My-Own-Practice-Pass-7!';

let dataDir: string;
let saveDir: string;
let practice: RunningPracticeRegistry;
let app: AppPage;
/** A web server the hostile report tries to reach; it counts what reaches it. */
let lure: Server;
let lureHits: string[] = [];
let lurePort: number;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rt-e2e-reports-'));
  saveDir = mkdtempSync(join(tmpdir(), 'rt-e2e-reports-saved-'));
  lure = createServer((req, res) => {
    lureHits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/png' }).end();
  });
  await new Promise<void>((resolve) => lure.listen(0, '127.0.0.1', resolve));
  lurePort = (lure.address() as { port: number }).port;
  practice = await startPracticeRegistry({ dataDir, processAfterSeconds: 1, formats: ['text', 'csv', 'html', 'pdf'] });
  app = await openApp({
    settings: new MemorySettings(),
    ports: { practice: practicePortOf(practice, SAMPLES), dataDir, timeoutSeconds: 20, localPlaces: () => [], chooseFolder: async () => saveDir },
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await practice?.stop();
  await new Promise((resolve) => lure?.close(resolve));
  for (const dir of [dataDir, saveDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const eventually = <T>(read: () => Promise<T> | T, message?: string) => expect.poll(read, { timeout: 30_000, interval: 100, ...(message ? { message } : {}) });
const remoteGrid = (page: Page, folder: string) => page.getByRole('grid', { name: `Files in ${folder}` });
const remoteRow = (page: Page, folder: string, name: string) => remoteGrid(page, folder).locator('tbody tr', { has: page.getByText(name, { exact: true }) });
const viewer = (page: Page, name: string) => page.getByRole('dialog', { name });
const reportsDir = () => practice.files.folderPath('DQA-Report');

async function openFolder(page: Page, name: string) {
  await page.getByRole('tab', { name }).click();
  await eventually(() => remoteGrid(page, name).getAttribute('aria-busy'), `${name} finished loading`).toBe('false');
}

/** Opens a file of a folder in the viewer with a double-click, and waits until it has been read. */
async function openReport(page: Page, folder: string, name: string) {
  // A test that failed with the viewer open leaves it open: the next one starts from the folders.
  const left = page.locator('dialog.report-viewer[open]');
  if ((await left.count()) > 0) await left.getByRole('button', { name: 'Close', exact: true }).click();
  await openFolder(page, folder);
  await remoteRow(page, folder, name).dblclick();
  const dialog = viewer(page, name);
  await dialog.waitFor();
  await eventually(async () => (await dialog.textContent()) ?? '', `${name} read`).not.toContain('Opening ');
  return dialog;
}

async function closeViewer(page: Page, name: string) {
  await viewer(page, name).getByRole('button', { name: 'Close', exact: true }).click();
  await viewer(page, name).waitFor({ state: 'detached' });
}

describe('the report viewer', () => {
  it('signs in to the practice registry and sends the weekly batch, which reaches Accepted', async () => {
    const { page } = app;
    await signInToPractice(page, practice.issuedPassword() as string, CHOSEN);

    await page.getByRole('region', { name: 'Practice registry', exact: true }).getByRole('button', { name: 'Try with a sample file' }).click();
    const sample = page.getByRole('grid', { name: 'Files in samples' }).locator('tbody tr', { has: page.getByText(WEEKLY, { exact: true }) });
    await sample.waitFor();
    await openFolder(page, 'HL7-Dropoff');
    await sample.dragTo(page.locator('.folder-files'));
    await page.getByRole('dialog', { name: /before sending/ }).getByRole('button', { name: 'Send 1 file' }).click();
    await eventually(async () => {
      await openFolder(page, 'Accepted');
      return remoteGrid(page, 'Accepted').locator('tbody .entry-name').allTextContents();
    }, 'the batch in Accepted').toEqual([WEEKLY]);
    await eventually(() => existsSync(join(reportsDir(), `${STEM}_DQA.pdf`)), 'the reports written').toBe(true);
  }, 120_000);

  it('opens the text report with its scores, finds words in it, and saves a copy that is the server\'s file', async () => {
    const { page } = app;
    const name = `${STEM}_DQA.txt`;
    const dialog = await openReport(page, 'DQA-Report', name);
    const text = readFileSync(join(reportsDir(), name), 'utf8');
    const printed = Number(/^Completeness +(\d+)/m.exec(text)![1]);
    expect(await dialog.getByRole('definition').first().textContent()).toBeTruthy();
    expect((await dialog.getByLabel('Scores the report states (0 to 100)').textContent()) ?? '').toContain(`Completeness${printed}`);
    expect(await dialog.getByLabel('Report text').textContent()).toContain('PRACTICE REGISTRY - DATA QUALITY (DQA) REPORT');

    await dialog.getByLabel('Search').fill('completeness');
    await eventually(async () => (await dialog.locator('.found-count').textContent()) ?? '').toMatch(/^\d+ match(es)? found for “completeness”\.$/);
    expect(await dialog.locator('mark').count()).toBeGreaterThan(0);
    await shot(page, '30-report-text.png');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);

    await dialog.getByRole('button', { name: 'Save a copy…' }).click();
    await eventually(() => existsSync(join(saveDir, name)), 'the copy saved').toBe(true);
    await eventually(() => readFileSync(join(saveDir, name)).equals(readFileSync(join(reportsDir(), name))), 'the copy whole').toBe(true);
    // Escape closes it (in the search box, Escape first empties the box, as in any search box).
    await dialog.getByRole('button', { name: 'Print…' }).focus();
    await page.keyboard.press('Escape');
    await viewer(page, name).waitFor({ state: 'detached' });
    // Focus goes back to the list the report was opened from.
    expect(await page.evaluate(() => document.activeElement?.closest('[role="grid"]')?.getAttribute('aria-label'))).toBe('Files in DQA-Report');
  }, 60_000);

  it('decodes the ACK file: totals, and each message with its outcome', async () => {
    const { page } = app;
    const name = `${STEM}_ACK.hl7`;
    const dialog = await openReport(page, 'DQA-Report', name);
    const totals = dialog.getByLabel('Totals for the file');
    expect(await totals.textContent()).toContain('Messages3');
    expect(await totals.textContent()).toContain('Accepted3');
    expect(await dialog.locator('.ack-message').count()).toBe(3);
    await shot(page, '31-report-ack.png');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    // On paper: the report alone, without the window around it or the viewer's buttons.
    await dialog.getByRole('button', { name: 'Print…' }).click();
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.toolbar').isVisible()).toBe(false);
    expect(await dialog.locator('.viewer-tools').isVisible()).toBe(false);
    expect(await dialog.locator('.ack-message').first().isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });
    await closeViewer(page, name);
  }, 60_000);

  it('shows a CSV report as a table that sorts by a column and finds rows', async () => {
    const { page } = app;
    // The clean batch's CSV lists no problems: it says so.
    const clean = await openReport(page, 'DQA-Report', `${STEM}_DQA.csv`);
    expect(await clean.textContent()).toContain('The table has no rows');
    await closeViewer(page, `${STEM}_DQA.csv`);

    // A real one: the MQE detection list (../shared/samples/dqa), as a registry's tool writes it.
    const name = 'PRAC01_mqe_detections.csv';
    copyFileSync(join(REAL_DQA, 'd04_mqe_detections.csv'), join(reportsDir(), name));
    const dialog = await openReport(page, 'DQA-Report', name);
    const table = dialog.locator('table.report-table');
    const header = table.locator('thead th').first();
    const firstColumn = async () => (await table.locator('tbody tr:not([aria-hidden]) td:first-child').allTextContents()).filter(Boolean);
    const asInFile = await firstColumn();
    expect(asInFile.length).toBeGreaterThan(10);
    expect(await header.getAttribute('aria-sort')).toBe('none');
    await header.getByRole('button').click();
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    const ascending = await firstColumn();
    expect(ascending).toEqual([...ascending].sort((a, b) => a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' })));
    await header.getByRole('button').press('Enter');
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    const descending = await firstColumn();
    expect(descending[0]! > ascending[0]!).toBe(true);
    await dialog.getByLabel('Search').fill('vaccination');
    await eventually(async () => (await dialog.locator('.found-count').textContent()) ?? '').toMatch(/^\d+ rows? found for “vaccination”\.$/);
    await dialog.getByLabel('Search').fill('');
    await shot(page, '32-report-csv.png');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await closeViewer(page, name);
  }, 60_000);

  it('shows the HTML report in a sandboxed frame, and draws the PDF', async () => {
    const { page } = app;
    const html = `${STEM}_DQA.html`;
    const dialog = await openReport(page, 'DQA-Report', html);
    const frame = dialog.locator('iframe.html-frame');
    expect(await frame.getAttribute('sandbox')).toBe('');
    await eventually(async () => (await page.frameLocator('iframe.html-frame').locator('body').textContent()) ?? '', 'the report shown').toContain('Completeness');
    await shot(page, '33-report-html.png');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await closeViewer(page, html);

    const pdf = `${STEM}_DQA.pdf`;
    const pdfDialog = await openReport(page, 'DQA-Report', pdf);
    await eventually(async () => (await pdfDialog.locator('.pdf-status').textContent()) ?? '', 'the PDF drawn').toMatch(/^\d+ pages?$/);
    const pages = pdfDialog.locator('canvas.pdf-page');
    expect(await pages.count()).toBeGreaterThan(0);
    // Something was drawn: the first page is not one blank colour.
    const inked = await pages.first().evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 4; i < data.length; i += 4) if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) return true;
      return false;
    });
    expect(inked).toBe(true);
    await shot(page, '34-report-pdf.png');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await closeViewer(page, pdf);
  }, 90_000);

  it('shows a hostile HTML report without running its script, loading its image, sending its form or following its refresh', async () => {
    const { page } = app;
    const name = 'PRAC01_20261130_hostile_DQA.html';
    const lureUrl = `http://127.0.0.1:${lurePort}`;
    writeFileSync(
      join(reportsDir(), name),
      [
        `<html><head><meta http-equiv="refresh" content="0;url=${lureUrl}/refresh"><link rel="stylesheet" href="${lureUrl}/style.css"></head><body>`,
        '<h1>Quarterly data quality</h1>',
        `<script>parent.document.title = 'taken over'; fetch('${lureUrl}/script'); document.body.dataset.ran = 'yes';</script>`,
        `<img src="${lureUrl}/image.png" alt="remote">`,
        `<form action="${lureUrl}/form" method="post"><input name="x" value="1"><button id="send">Send</button></form>`,
        '<p id="ready">End of report.</p></body></html>',
      ].join('\n'),
      { mode: 0o600 },
    );
    const titleBefore = await page.title();
    lureHits = [];
    const dialog = await openReport(page, 'DQA-Report', name);
    const inside = page.frameLocator('iframe.html-frame');
    await eventually(async () => (await inside.locator('#ready').textContent()) ?? '', 'the report shown').toBe('End of report.');
    // The form's button pressed inside the frame sends nothing either.
    await inside.locator('#send').click({ timeout: 5_000 }).catch(() => undefined);
    // The image has been dealt with (refused: it counts as complete with nothing drawn).
    await eventually(() => inside.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 0), 'the image refused').toBe(true);
    expect(await inside.locator('body').getAttribute('data-ran')).toBeNull();
    expect(await page.title()).toBe(titleBefore);
    expect(lureHits).toEqual([]);
    // Still the report, not a page the refresh led to.
    expect(await inside.locator('h1').textContent()).toBe('Quarterly data quality');
    expect(await dialog.isVisible()).toBe(true);
    await closeViewer(page, name);
  }, 60_000);

  it('decodes real ACK files of other registries, batch-wrapped and with CR line ends', async () => {
    const { page } = app;
    copyFileSync(join(REAL_ACKS, 'a06_batch_of_acks_FHS_BHS_7msgs_CR.hl7'), join(reportsDir(), 'PRAC01_a06_ACK.hl7'));
    copyFileSync(join(REAL_ACKS, 'a02_immtrac2_ack_AE_warning_CR.hl7'), join(reportsDir(), 'PRAC01_a02_ACK.hl7'));
    const wrapped = await openReport(page, 'DQA-Report', 'PRAC01_a06_ACK.hl7');
    expect(await wrapped.getByLabel('Totals for the file').textContent()).toContain('Messages7');
    expect(await wrapped.getByText('Message 1509989928364.1', { exact: true }).count()).toBe(1);
    expect(await wrapped.locator('.ack-error').count()).toBeGreaterThan(1);
    // The last message, found by its control id.
    await wrapped.getByLabel('Search').fill('1509989928368.7');
    await eventually(async () => wrapped.locator('.ack-message').allTextContents()).toEqual(['Accepted with errorsMessage 1509989928368.7']);
    await wrapped.getByLabel('Search').fill('first is missing');
    await eventually(async () => (await wrapped.locator('.found-count').textContent()) ?? '').toMatch(/^\d+ messages? found for “first is missing”\.$/);
    await shot(page, '35-report-real-ack.png');
    await closeViewer(page, 'PRAC01_a06_ACK.hl7');

    const texas = await openReport(page, 'DQA-Report', 'PRAC01_a02_ACK.hl7');
    expect(await texas.getByLabel('Totals for the file').textContent()).toContain('Accepted with errors1');
    expect(await texas.locator('.ack-severity').first().textContent()).toBe('Warning');
    expect(await texas.locator('.ack-error').first().textContent()).toContain('IEE-519::Warning. NK1 Segment/Responsible person, missing.');
    await closeViewer(page, 'PRAC01_a02_ACK.hl7');
  }, 60_000);

  it('opens a 20 MB ACK file without freezing the window, and scrolls to its end', async () => {
    const { page } = app;
    const name = 'PRAC01_20261129_big_ACK.hl7';
    const parts: string[] = [];
    for (let i = 0; i < 100_000; i += 1) {
      parts.push(
        `MSH|^~\\&|IMMTRAC2|TXDSHS|PRAC01|PRACTICE|20261129120000||ACK^V04^ACK|ACK${i}|P|2.5.1\rMSA|AE|MSG${String(i).padStart(6, '0')}\rERR||RXA^1^5^1^1|103^Table value not found^HL70357|W|5^Table value not found^HL70533|||CVX code 999 is not a known vaccine, please check the product\r`,
      );
    }
    writeFileSync(join(reportsDir(), name), parts.join(''), { mode: 0o600 });
    const dialog = await openReport(page, 'DQA-Report', name);
    expect(await dialog.getByLabel('Totals for the file').textContent()).toContain('Messages100,000');
    expect(await dialog.textContent()).toContain('the totals above count them all');
    // Only a screenful of lines is drawn, not 40,000.
    expect(await dialog.locator('.ack-lines > li').count()).toBeLessThan(500);
    const scroller = dialog.getByRole('region', { name: 'Acknowledgements, one message after another' });
    await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await eventually(async () => dialog.getByText('MSG019999', { exact: true }).count(), 'the last listed message drawn').toBe(1);
    // The window still answers: a search narrows the list at once.
    await dialog.getByLabel('Search').fill('MSG000042');
    await eventually(async () => dialog.locator('.ack-message').count()).toBe(1);
    await shot(page, '36-report-big-ack.png');
    await closeViewer(page, name);
  }, 120_000);

  it('opens the consent notification file from Receive', async () => {
    const { page } = app;
    const dialog = await openReport(page, 'Receive', `${STEM}.CNF`);
    expect((await dialog.getByLabel('Report text').textContent())?.length).toBeGreaterThan(0);
    expect(await dialog.textContent()).toContain('Receive');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await shot(page, '37-report-consent.png');
    await closeViewer(page, `${STEM}.CNF`);
  }, 60_000);
});
