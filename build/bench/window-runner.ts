// The window benchmark's measurements (build/bench-window.mjs runs them; issue 18, item 4): the React
// window in Debian's Chromium through the same loopback bridge the end-to-end tests use, the real
// engine behind it, the practice registry (ssh2's SFTP server) on 127.0.0.1. My Computer opens an EHR
// export folder of 20,000 entries; the registry's DQA-Report holds 5,000 reports.
//
// How an interaction is timed, in the page: a requestAnimationFrame loop records every frame from
// before the input to after the result; the input's own timestamp (a trusted keydown or pointerdown,
// as the Event Timing API takes it) starts the clock, which stops at the first frame painted after
// the window shows the result (checked at every frame). "Longest frame" is the longest gap between
// two frames meanwhile: what a user sees as a stall. The heap is V8's, after a full collection
// (Chrome DevTools Protocol: HeapProfiler.collectGarbage, Runtime.getHeapUsage).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { practicePortOf } from '../../electron/main/practice';
import { startPracticeRegistry } from '../../electron/practice/practice-registry';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { openApp, signInToPractice } from '../../test/e2e/bridge';

export const LOCAL_ENTRIES = 20_000;
export const REMOTE_ENTRIES = 5_000;
const FOLDERS = ['Archive 2024', 'Archive 2025', 'Old exports'];

export interface Timing {
  /** From the input to the first frame that shows its result, in ms. */
  paintedMs: number;
  /** The longest gap between two frames meanwhile, in ms. */
  longestFrameMs: number;
}

export interface ScrollTiming {
  framesPerSecond: number;
  longestFrameMs: number;
  framesOver50Ms: number;
  /** Rows drawn at the end (the table is never blank where rows should be). */
  rowsDrawn: number;
}

export interface WindowResults {
  chromium: string;
  /** Per measure, one timing per run. */
  timings: Record<string, Timing[]>;
  scrolls: Record<string, ScrollTiming[]>;
  /** V8 heap in use after a full collection, MiB. */
  heapMiB: Record<string, number>;
  /** Elements in the page with the big folder open. */
  elements: Record<string, number>;
  /** The engine alone (no window, no bridge): its first page and all pages of each listing, ms per run. */
  engine: Record<string, number[]>;
}

// ------------------------------------------------------------------------------------------------
// In the page: the frame recorder.
// ------------------------------------------------------------------------------------------------

interface BenchGlobals {
  __benchInput: number;
  __benchFrames: number[];
  __benchRecording: boolean;
}

async function installRecorder(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = window as unknown as BenchGlobals;
    g.__benchInput = 0;
    g.__benchFrames = [];
    g.__benchRecording = false;
    for (const type of ['pointerdown', 'keydown']) {
      window.addEventListener(type, (event) => {
        if (event.isTrusted) g.__benchInput = event.timeStamp;
      }, true);
    }
  });
}

/** From now on, every frame's time is recorded (until `__benchRecording` is set false). */
function recordFrames(page: Page): Promise<void> {
  return page.evaluate(() => {
    const g = window as unknown as BenchGlobals;
    g.__benchFrames = [];
    g.__benchRecording = true;
    const tick = (now: number) => {
      if (!g.__benchRecording) return;
      g.__benchFrames.push(now);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function startFrames(page: Page): Promise<void> {
  await recordFrames(page);
  // Two frames recorded before the input: the clock of the frames has started.
  await page.waitForFunction(() => (window as unknown as BenchGlobals).__benchFrames.length >= 2, undefined, { polling: 'raf' });
}

/**
 * Waits for `shown` (checked at every frame), one more frame (the one that paints it), and times it
 * from the input. `more`: a later stage of the same interaction follows (the frames go on being
 * recorded, and its own `painted` is timed from the same input).
 */
async function painted(page: Page, shown: () => boolean, more = false): Promise<Timing> {
  await page.waitForFunction(shown, undefined, { polling: 'raf', timeout: 120_000 });
  return page.evaluate(async (keepRecording) => {
    const g = window as unknown as BenchGlobals;
    const seenAt = performance.now();
    // The next frame after the result is in the page is the one that shows it.
    const paintedAt = await new Promise<number>((resolve) => requestAnimationFrame((now) => resolve(Math.max(now, seenAt))));
    g.__benchRecording = keepRecording;
    const start = g.__benchInput;
    const frames = [...g.__benchFrames.filter((t) => t >= start), paintedAt];
    let longest = 0;
    let previous = Math.max(start, g.__benchFrames.filter((t) => t < start).pop() ?? start);
    for (const frame of frames) {
      longest = Math.max(longest, frame - previous);
      previous = frame;
    }
    return { paintedMs: paintedAt - start, longestFrameMs: longest };
  }, more);
}

/** Ten seconds of wheel scrolling as a hand does it (about 60 notches a second), frames counted. */
async function scrollFrames(page: Page, gridSelector: string): Promise<ScrollTiming> {
  const box = await page.locator(gridSelector).locator('xpath=..').boundingBox();
  if (!box) throw new Error(`no ${gridSelector} on the page`);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await recordFrames(page);
  const started = Date.now();
  let down = true;
  while (Date.now() - started < 10_000) {
    await page.mouse.wheel(0, down ? 300 : -300);
    await page.waitForTimeout(16);
    // At the end of the list, back up: the scrolling goes on for the whole ten seconds.
    const atEnd = await page.evaluate((selector) => {
      const scroller = document.querySelector(selector)?.parentElement;
      return scroller ? scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 2 || scroller.scrollTop <= 0 : true;
    }, gridSelector);
    if (atEnd && Date.now() - started > 100) down = !down;
  }
  return page.evaluate((selector) => {
    const g = window as unknown as BenchGlobals;
    g.__benchRecording = false;
    const frames = g.__benchFrames;
    let longest = 0;
    let over = 0;
    for (let i = 1; i < frames.length; i += 1) {
      const gap = (frames[i] as number) - (frames[i - 1] as number);
      longest = Math.max(longest, gap);
      if (gap > 50) over += 1;
    }
    const seconds = ((frames[frames.length - 1] ?? 0) - (frames[0] ?? 0)) / 1000;
    const grid = document.querySelector(selector);
    return { framesPerSecond: seconds > 0 ? (frames.length - 1) / seconds : 0, longestFrameMs: longest, framesOver50Ms: over, rowsDrawn: grid?.querySelectorAll('tbody tr[data-row]').length ?? 0 };
  }, gridSelector);
}

async function heapMiB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  return usage.usedSize / (1024 * 1024);
}

// ------------------------------------------------------------------------------------------------
// The run.
// ------------------------------------------------------------------------------------------------

/** A CPU profile of the page (open it in Chrome's DevTools, Performance panel). */
async function startProfile(page: Page): Promise<{ save(path: string): Promise<void> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  return {
    async save(path) {
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: unknown };
      writeFileSync(path, JSON.stringify(profile));
      await cdp.detach();
    },
  };
}

export async function runWindowBench(options: { root: string; runs: number; log: (text: string) => void; profileDir?: string }): Promise<WindowResults> {
  const { root, runs, log } = options;
  const samples = join(root, 'electron', 'practice', 'samples');
  const weekly = join(samples, 'PRAC01_20261201_weekly.HL7');
  const scratch = mkdtempSync(join(tmpdir(), 'rt-bench-window-'));
  const dataDir = join(scratch, 'data');
  const exportDir = join(scratch, 'EHR export');
  const smallDir = join(scratch, 'Desktop');
  const results: WindowResults = { chromium: '', timings: {}, scrolls: {}, heapMiB: {}, elements: {}, engine: {} };
  const record = (name: string, timing: Timing) => (results.timings[name] ??= []).push(timing);
  const cleanups: (() => Promise<unknown> | unknown)[] = [() => rmSync(scratch, { recursive: true, force: true })];
  try {
    log(`writing ${LOCAL_ENTRIES.toLocaleString('en-US')} entries into a local folder`);
    mkdirSync(exportDir, { recursive: true });
    mkdirSync(smallDir);
    writeFileSync(join(smallDir, 'notes.txt'), 'a small folder to start from');
    for (const folder of FOLDERS) mkdirSync(join(exportDir, folder));
    const textFiles = LOCAL_ENTRIES - FOLDERS.length - 10;
    for (let i = 1; i <= textFiles; i += 1) writeFileSync(join(exportDir, `export_${String(i).padStart(5, '0')}.txt`), 'x'.repeat((i * 7919) % 4096));
    for (let n = 1; n <= 10; n += 1) copyFileSync(weekly, join(exportDir, `PRAC01_20261201_weekly_${String(n).padStart(2, '0')}.HL7`));

    mkdirSync(dataDir);
    const practice = await startPracticeRegistry({ dataDir, processAfterSeconds: 3600 });
    cleanups.push(() => practice.stop());
    const issued = practice.issuedPassword() as string;
    log(`writing ${REMOTE_ENTRIES.toLocaleString('en-US')} reports into the practice registry's DQA-Report`);
    const report = readFileSync(weekly).subarray(0, 300);
    const reports = join(dataDir, 'practice', 'files', 'PRAC01', 'DQA-Report');
    for (let i = 1; i <= REMOTE_ENTRIES; i += 1) writeFileSync(join(reports, `PRAC01_2026${String(i).padStart(5, '0')}_DQA.txt`), report);

    const app = await openApp({
      settings: new MemorySettings(),
      ports: {
        practice: practicePortOf(practice, samples),
        dataDir,
        timeoutSeconds: 60,
        localPlaces: () => [
          { label: 'Desktop', path: smallDir, kind: 'folder' },
          { label: 'EHR export', path: exportDir, kind: 'folder' },
        ],
      },
    });
    cleanups.push(() => app.close());
    const { page } = app;
    /** The page's heap and element count, as they stand with `state`. */
    const recordPage = async (state: string) => {
      results.heapMiB[state] = await heapMiB(page);
      results.elements[state] = await page.evaluate(() => document.getElementsByTagName('*').length);
    };
    results.chromium = app.browser.version();
    await installRecorder(page);
    const local = 'table[aria-label="Files in EHR export"]';
    const pathInput = page.getByLabel('Folder path');
    const localGrid = page.locator(local);
    await page.locator('table[aria-label="Files in Desktop"] tbody tr[data-row]').first().waitFor();

    // ------------------------------------------------------------------ My Computer, 20,000 entries
    for (let run = 0; run < runs; run += 1) {
      log(`My Computer: run ${run + 1} of ${runs}`);
      await pathInput.fill(smallDir);
      await pathInput.press('Enter');
      await page.locator('table[aria-label="Files in Desktop"][aria-busy="false"] tbody tr[data-row]').first().waitFor();
      await pathInput.fill(exportDir);
      const profile = run === 0 && options.profileDir ? await startProfile(page) : null;
      if (run === 0 && options.profileDir) await app.browser.startTracing(page, { path: join(options.profileDir, 'window-local-open.trace.json'), categories: ['devtools.timeline', 'v8.execute', 'blink'] });
      await startFrames(page);
      await pathInput.press('Enter');
      record('local: open, first rows painted', await painted(page, () => document.querySelector('table[aria-label="Files in EHR export"] tbody tr[data-row]') !== null, true));
      record('local: open, all 20,000 listed', await painted(page, () => document.querySelector('table[aria-label="Files in EHR export"]')?.getAttribute('aria-busy') === 'false'));
      if (profile && options.profileDir) {
        await profile.save(join(options.profileDir, 'window-local-open.cpuprofile'));
        await app.browser.stopTracing();
      }
      if (run === 0) {
        await recordPage('20,000 local entries open');
      }

      await startFrames(page);
      await localGrid.getByRole('button', { name: 'Size' }).click();
      record('local: sort by size', await painted(page, () => document.querySelector('table[aria-label="Files in EHR export"] th.th-size')?.getAttribute('aria-sort') === 'descending'));
      await startFrames(page);
      await localGrid.getByRole('button', { name: 'Name' }).click();
      record('local: sort by name', await painted(page, () => document.querySelector('table[aria-label="Files in EHR export"] th.th-name')?.getAttribute('aria-sort') === 'ascending'));

      await startFrames(page);
      await localGrid.locator('tbody tr[data-index="5"]').click();
      record('local: click a row', await painted(page, () => document.querySelector('table[aria-label="Files in EHR export"] tbody tr[data-index="5"]')?.getAttribute('aria-selected') === 'true'));
      await startFrames(page);
      await page.keyboard.press('ArrowDown');
      record('local: arrow key', await painted(page, () => document.activeElement?.getAttribute('data-index') === '6' && document.activeElement.getAttribute('aria-selected') === 'true'));
      await startFrames(page);
      await page.keyboard.press('PageDown');
      record('local: Page Down', await painted(page, () => Number(document.activeElement?.getAttribute('data-index')) > 6));
      await startFrames(page);
      await page.keyboard.press('End');
      record('local: End', await painted(page, () => document.activeElement?.getAttribute('aria-rowindex') === '20001'));
      await startFrames(page);
      await page.keyboard.press('Control+a');
      record('local: select all (Ctrl+A)', await painted(page, () => /19,997 chosen/.test(document.querySelector('section[aria-labelledby] .pane-foot .muted')?.textContent ?? '')));
      await startFrames(page);
      await page.keyboard.press('Home');
      record('local: Home', await painted(page, () => document.activeElement?.getAttribute('aria-rowindex') === '2'));

      await pathInput.click();
      await pathInput.press('End');
      await startFrames(page);
      await page.keyboard.press('x');
      record('local: a character typed in the path bar', await painted(page, () => (document.querySelector<HTMLInputElement>('input.path-input')?.value ?? '').endsWith('x')));
      await pathInput.press('Backspace');

      await startFrames(page);
      await page.getByRole('button', { name: 'History' }).click();
      record('local: open History over the big folder', await painted(page, () => document.querySelector('.history-dialog') !== null));
      await page.keyboard.press('Escape');
      await page.locator('.history-dialog').waitFor({ state: 'detached' });

      (results.scrolls['local: wheel scrolling'] ??= []).push(await scrollFrames(page, local));
    }

    type Page = { ok: true; entries: unknown[]; more: string | null } | { ok: false; message: string };
    const engineAlone = async (name: string, first: () => Promise<Page>, next: (listing: string) => Promise<Page>) => {
      const started = performance.now();
      let page = await first();
      (results.engine[`${name}, first page`] ??= []).push(performance.now() - started);
      while (page.ok && page.more !== null) page = await next(page.more);
      if (!page.ok) throw new Error(page.message);
      (results.engine[`${name}, all pages`] ??= []).push(performance.now() - started);
    };
    const { handlers } = app.service;
    for (let run = 0; run < runs; run += 1) {
      await engineAlone(
        'engine: local folder of 20,000',
        () => handlers.listLocalFolder({ path: exportDir }) as Promise<Page>,
        (listing) => handlers.listLocalFolderMore({ listing }) as Promise<Page>,
      );
    }

    // ------------------------------------------------------------------ the registry, 5,000 entries
    log('signing in to the practice registry');
    await signInToPractice(page, issued, 'Window-Bench-Pass-42!');
    const remote = 'table[aria-label="Files in DQA-Report"]';
    const remoteGrid = page.locator(remote);
    for (let run = 0; run < runs; run += 1) {
      log(`DQA-Report: run ${run + 1} of ${runs}`);
      await page.getByRole('tab', { name: 'Accepted' }).click();
      await page.locator('table[aria-label="Files in Accepted"][aria-busy="false"]').waitFor();
      await startFrames(page);
      await page.getByRole('tab', { name: 'DQA-Report' }).click();
      record('registry: open, first rows painted', await painted(page, () => document.querySelector('table[aria-label="Files in DQA-Report"] tbody tr[data-row]') !== null, true));
      record('registry: open, all 5,000 listed', await painted(page, () => document.querySelector('table[aria-label="Files in DQA-Report"]')?.getAttribute('aria-busy') === 'false'));
      if (run === 0) {
        await recordPage('20,000 local and 5,000 registry entries open');
      }
      await startFrames(page);
      await remoteGrid.getByRole('button', { name: 'Modified' }).click();
      record('registry: sort by date', await painted(page, () => document.querySelector('table[aria-label="Files in DQA-Report"] th.th-modified')?.getAttribute('aria-sort') === 'descending'));
      await remoteGrid.getByRole('button', { name: 'Name' }).click();
      await startFrames(page);
      await remoteGrid.locator('tbody tr[data-index="3"]').click();
      record('registry: click a row', await painted(page, () => document.querySelector('table[aria-label="Files in DQA-Report"] tbody tr[data-index="3"]')?.getAttribute('aria-selected') === 'true'));
      await startFrames(page);
      await page.keyboard.press('ArrowDown');
      record('registry: arrow key', await painted(page, () => document.activeElement?.getAttribute('data-index') === '4' && document.activeElement.getAttribute('aria-selected') === 'true'));
      await startFrames(page);
      await page.keyboard.press('End');
      record('registry: End', await painted(page, () => document.activeElement?.getAttribute('aria-rowindex') === '5001'));
      await startFrames(page);
      await page.keyboard.press('Control+a');
      record('registry: select all (Ctrl+A)', await painted(page, () => /5,000 files chosen/.test(document.querySelector('.folder-actions')?.textContent ?? '')));
      (results.scrolls['registry: wheel scrolling'] ??= []).push(await scrollFrames(page, remote));
    }
    for (let run = 0; run < runs; run += 1) {
      await engineAlone(
        'engine: registry folder of 5,000',
        () => handlers.listRemoteFolder({ role: 'reports' }) as Promise<Page>,
        (listing) => handlers.listRemoteFolderMore({ listing }) as Promise<Page>,
      );
    }
    if (app.pageErrors.length > 0) throw new Error(`the page reported errors: ${app.pageErrors.join('; ')}`);
    return results;
  } finally {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        log(`cleanup step failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
