// The loopback bridge the end-to-end tests use in place of Electron's IPC (no Electron binary can run
// here). The built renderer is served from 127.0.0.1 and loaded in Debian's Chromium; `window.registry`
// is the same frozen shape the preload exposes (one method per contract call, plus onEvent), and every
// call goes through `dispatchCall` — the same schemas and handlers the main process uses.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CALL_NAMES, dispatchCall, type RegistryEvent } from '../../shared/contract';
import { createRegistryService, type RegistryService, type ServicePorts } from '../../electron/engine/registry-service';
import type { SettingsStore } from '../../electron/engine/settings/settings-store';

const RENDERER_DIR = new URL('../../dist/renderer/', import.meta.url).pathname;
export const SCREENSHOT_DIR = new URL('../../test-results/screenshots/', import.meta.url).pathname;

/** Saves the window as it is now, for a person to look at (CSS animations run to their end). */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, name), animations: 'disabled' });
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  // pdf.js's worker, a module script: a browser refuses a module served as anything but JavaScript.
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/**
 * A private copy of the built page, so a build started elsewhere (it empties dist/renderer) cannot
 * pull files from under a running test. A copy taken mid-build is detected and taken again.
 */
function snapshotRenderer(): string {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const copy = mkdtempSync(join(tmpdir(), 'rt-renderer-'));
    try {
      cpSync(RENDERER_DIR, copy, { recursive: true });
      const html = readFileSync(join(copy, 'index.html'), 'utf8');
      const assets = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1] as string);
      if (assets.length > 0 && assets.every((a) => existsSync(join(copy, a)))) return copy;
    } catch {
      // dist/renderer is being rebuilt right now: try again.
    }
    rmSync(copy, { recursive: true, force: true });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
  throw new Error(`no complete renderer build in ${RENDERER_DIR}; run \`node build/build.mjs renderer\``);
}

function serveRenderer(): Promise<{ server: Server; url: string; root: string }> {
  const root = snapshotRenderer();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, root, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/` });
    }),
  );
}

export interface AppPage {
  page: Page;
  browser: Browser;
  service: RegistryService;
  /** Every event the engine emitted, in order. */
  events: RegistryEvent[];
  /** Uncaught errors and console errors in the page (a test expects none). */
  pageErrors: string[];
  close(): Promise<void>;
}

export interface OpenAppOptions {
  settings: SettingsStore;
  ports?: Partial<Omit<ServicePorts, 'settings' | 'emit'>>;
  viewport?: { width: number; height: number };
}

export async function openApp(options: OpenAppOptions): Promise<AppPage> {
  const { server, url, root } = await serveRenderer();
  const home = mkdtempSync(join(tmpdir(), 'rt-chromium-'));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--password-store=basic'],
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache') },
  });
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const events: RegistryEvent[] = [];
  let pageReady = false;
  const pending: RegistryEvent[] = [];
  const deliver = (event: RegistryEvent) => page.evaluate((e) => (window as unknown as { __registryEmit(e: unknown): void }).__registryEmit(e), event).catch(() => undefined);
  const service = createRegistryService({
    openExternal: async () => undefined,
    appInfo: { name: 'Registry Transfer', version: '0.0.0-e2e' },
    ...options.ports,
    settings: options.settings,
    emit: (event) => {
      events.push(event);
      if (pageReady) void deliver(event);
      else pending.push(event);
    },
  });
  // Calls and answers cross as JSON text: Playwright's own serializer walks every value on both sides
  // (150-250 ms of this machine's CPU for a page of 2,500 folder entries), where Electron's IPC
  // copies plain data in a few milliseconds; the window and its benchmark should not pay for the
  // bridge. The contract's payloads are plain JSON data, so nothing is lost on the way.
  await page.exposeBinding('__registryCall', async (_source, name: unknown, payload: unknown) =>
    JSON.stringify(await dispatchCall(service.handlers, name, typeof payload === 'string' ? JSON.parse(payload) : payload)),
  );
  await page.addInitScript((names: string[]) => {
    const listeners = new Set<(event: unknown) => void>();
    const call = (window as unknown as { __registryCall(name: string, payload: unknown): Promise<string> }).__registryCall;
    const api: Record<string, unknown> = {};
    // `undefined` (a call without input) crosses as itself: the contract's schema decides about it.
    for (const name of names) api[name] = async (input: unknown) => JSON.parse(await call(name, input === undefined ? undefined : JSON.stringify(input)));
    // The preload reads a dropped file's path with Electron's webUtils; a plain page cannot, so
    // here, as for any File that is not backed by a file on disk, the answer is ''.
    api.pathForFile = () => '';
    api.onEvent = (listener: (event: unknown) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    };
    Object.defineProperty(window, 'registry', { value: Object.freeze(api), writable: false, configurable: false });
    Object.defineProperty(window, '__registryEmit', { value: (event: unknown) => listeners.forEach((l) => l(event)) });
  }, [...CALL_NAMES]);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await page.goto(url);
  pageReady = true;
  for (const event of pending.splice(0)) await deliver(event);

  return {
    page,
    browser,
    service,
    events,
    pageErrors,
    async close() {
      await service.dispose();
      await browser.close();
      await new Promise((r) => server.close(r));
      rmSync(home, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Signs in to the practice registry with the password it issued and makes its first-login change
 * to `chosen` in the window's own dialog, as a trainee does (test/e2e/practice.test.ts tests that
 * flow itself; the tests of what comes after start from here).
 */
export async function signInToPractice(page: Page, issued: string, chosen: string): Promise<void> {
  await page.getByLabel('Password').fill(issued);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.getByRole('dialog', { name: 'Choose a new password' }).waitFor();
  await page.getByLabel('New password', { exact: true }).fill(chosen);
  await page.getByLabel('New password again', { exact: true }).fill(chosen);
  await page.getByRole('button', { name: 'Change password and sign in' }).click();
  await page.getByRole('tab', { name: 'HL7-Dropoff' }).waitFor();
}
