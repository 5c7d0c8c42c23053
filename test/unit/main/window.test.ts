// The window factory with Electron stubbed: the settings it gives Chromium, and what it lets the page
// do (navigate, open windows, ask for permissions) when the page tries.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY, withContentSecurityPolicy } from '../../../electron/main/csp';
import { appPaths, createMainWindow, isBundledPage, isHttpsUrl } from '../../../electron/main/window';
import { BrowserWindow, defaultSession, dialog, shell, StubEvent } from '../../support/electron-stub';

vi.mock('electron', () => import('../../support/electron-stub'));

const paths = appPaths('/opt/Registry Transfer/resources/app.asar');
const pageUrl = 'file:///opt/Registry%20Transfer/resources/app.asar/dist/renderer/index.html';

function openWindow(allowDevTools = false): BrowserWindow {
  createMainWindow({ paths, allowDevTools });
  const window = BrowserWindow.instances.at(-1);
  if (!window) throw new Error('no window was created');
  return window;
}

beforeEach(() => {
  shell.opened.length = 0;
  dialog.errors.length = 0;
});

describe('the window', () => {
  it('gives the page a sandboxed, isolated renderer with the preload and no Node', () => {
    const window = openWindow();
    expect(window.options.webPreferences).toEqual({
      preload: '/opt/Registry Transfer/resources/app.asar/dist/preload/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: false,
    });
  });

  it('allows dev tools only when asked to (a development run)', () => {
    expect(openWindow(true).options.webPreferences.devTools).toBe(true);
    expect(openWindow(false).options.webPreferences.devTools).toBe(false);
  });

  it('has the app’s title and size, and shows only once the page is ready to show', () => {
    const window = openWindow();
    expect(window.options).toMatchObject({ width: 1200, height: 760, minWidth: 900, minHeight: 600, title: 'Registry Transfer', show: false });
    expect(window.options.backgroundColor).toMatch(/^#[0-9a-f]{6}$/i);
    expect(window.visible).toBe(false);
    window.emit('ready-to-show');
    expect(window.visible).toBe(true);

    const retitle = new StubEvent();
    window.emit('page-title-updated', retitle, 'Something else');
    expect(retitle.defaultPrevented).toBe(true);
  });

  it('loads the bundled page and nothing else', () => {
    const window = openWindow();
    expect(window.loadedFile).toBe('/opt/Registry Transfer/resources/app.asar/dist/renderer/index.html');
    expect(window.webContents.getURL()).toBe(pageUrl);
  });

  it('tells the user and closes when the page cannot be loaded, rather than staying hidden', async () => {
    vi.spyOn(BrowserWindow.prototype, 'loadFile').mockImplementationOnce(() => Promise.reject(new Error('ERR_FILE_NOT_FOUND')));
    const broken = openWindow();
    await vi.waitFor(() => expect(broken.destroyed).toBe(true));
    expect(dialog.errors).toHaveLength(1);
    expect(dialog.errors[0]![1]).toMatch(/could not open its main screen/);

    const fine = openWindow();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(fine.destroyed).toBe(false);
    expect(dialog.errors).toHaveLength(1);
  });
});

describe('navigation', () => {
  const elsewhere = [
    'https://evil.example/',
    'http://127.0.0.1:8080/',
    'file:///etc/passwd',
    'file:///opt/Registry%20Transfer/resources/app.asar/dist/renderer/other.html',
    'javascript:alert(1)',
    'data:text/html,<h1>hi</h1>',
    'about:blank',
    'not a url',
  ];

  for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect'] as const) {
    it(`${event}: stops the page from going anywhere but itself`, () => {
      const contents = openWindow().webContents;
      for (const url of elsewhere) {
        const attempt = new StubEvent({ url, isMainFrame: true });
        contents.emit(event, attempt, url);
        expect(attempt.defaultPrevented, url).toBe(true);
      }
      for (const url of [pageUrl, `${pageUrl}#/queue`, `${pageUrl}?tab=reports`]) {
        const reload = new StubEvent({ url, isMainFrame: true });
        contents.emit(event, reload, url);
        expect(reload.defaultPrevented, url).toBe(false);
      }
    });
  }

  it('refuses to attach a webview', () => {
    const attach = new StubEvent();
    openWindow().webContents.emit('will-attach-webview', attach, {}, {});
    expect(attach.defaultPrevented).toBe(true);
  });

  it('opens no window; a registry\'s own https page goes to the system browser, nothing else does', async () => {
    const own = new Set(['https://immtrac-ftp1.dshs.state.tx.us/ThinClient']);
    createMainWindow({ paths, allowDevTools: false, mayOpenExternally: (url) => own.has(url) });
    const contents = BrowserWindow.instances.at(-1)!.webContents;
    const open = (url: string) => contents.windowOpenHandler!({ url, frameName: '', features: '', disposition: 'new-window', referrer: { url: '', policy: 'default' } });
    expect(open('https://immtrac-ftp1.dshs.state.tx.us/ThinClient')).toEqual({ action: 'deny' });
    for (const url of ['https://attacker.example/phish', 'https://immtrac-ftp1.dshs.state.tx.us/other', 'http://example.org/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,x', 'https:', 'ftp://example.org/', 'HTTPS//example.org']) {
      expect(open(url), url).toEqual({ action: 'deny' });
    }
    await Promise.resolve();
    expect(shell.opened).toEqual(['https://immtrac-ftp1.dshs.state.tx.us/ThinClient']);
  });
});

describe('session', () => {
  it('denies every permission request and check, and every device', () => {
    openWindow();
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fileSystem', 'unknown']) {
      const callback = vi.fn();
      defaultSession.permissionRequestHandler!({}, permission, callback, {});
      expect(callback, permission).toHaveBeenCalledWith(false);
      expect(defaultSession.permissionCheckHandler!({}, permission, pageUrl, {}), permission).toBe(false);
    }
    expect(defaultSession.devicePermissionHandler!({ deviceType: 'usb', origin: 'file://' })).toBe(false);
  });

  it('refuses downloads', () => {
    openWindow();
    const download = new StubEvent();
    defaultSession.emit('will-download', download, {}, {});
    expect(download.defaultPrevented).toBe(true);
  });

  it('adds the Content-Security-Policy header to the page’s files, replacing any other', () => {
    openWindow();
    let response: { responseHeaders?: Record<string, string | string[]> } | undefined;
    defaultSession.headersReceived!(
      {
        url: `${pageUrl.replace('index.html', 'assets/index.js')}`,
        responseHeaders: { 'content-security-policy': ["default-src *; script-src * 'unsafe-eval'"], 'Content-Type': ['text/javascript'] },
      },
      (r: typeof response) => (response = r),
    );
    const headers = response?.responseHeaders ?? {};
    const policies = Object.entries(headers).filter(([name]) => name.toLowerCase() === 'content-security-policy');
    expect(policies).toEqual([['Content-Security-Policy', [CONTENT_SECURITY_POLICY]]]);
    expect(headers['Content-Type']).toEqual(['text/javascript']);
  });

  it('leaves responses that are not the app’s files as they are', () => {
    openWindow();
    const callback = vi.fn();
    defaultSession.headersReceived!({ url: 'devtools://devtools/bundled/inspector.html', responseHeaders: {} }, callback);
    expect(callback).toHaveBeenCalledWith({});
  });
});

describe('Content-Security-Policy', () => {
  const directives = (policy: string) => new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources.join(' ')]));

  it('allows only the bundled files, no connections, no plugins, no framing', () => {
    expect(directives(CONTENT_SECURITY_POLICY)).toEqual(
      new Map([
        ['default-src', "'none'"],
        ['script-src', "'self'"],
        ['style-src', "'self'"],
        ['img-src', "'self' data:"],
        ['font-src', "'self'"],
        ['connect-src', "'none'"],
        ['object-src', "'none'"],
        ['base-uri', "'none'"],
        ['form-action', "'none'"],
        ['frame-ancestors', "'none'"],
      ]),
    );
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('has a meta-tag copy that is the header less frame-ancestors (which a meta tag cannot carry)', () => {
    const header = directives(CONTENT_SECURITY_POLICY);
    header.delete('frame-ancestors');
    expect(directives(META_CONTENT_SECURITY_POLICY)).toEqual(header);
  });

  it('is the policy the page itself carries in its <meta> tag', () => {
    const html = readFileSync(join(import.meta.dirname, '..', '..', '..', 'renderer', 'index.html'), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
    expect(meta, 'renderer/index.html has a CSP meta tag').not.toBeNull();
    expect(directives(meta![1]!)).toEqual(directives(META_CONTENT_SECURITY_POLICY));
  });

  it('keeps the other headers when there were none to replace', () => {
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });
});

describe('addresses', () => {
  it('knows the bundled page whatever its spelling', () => {
    expect(isBundledPage(pageUrl, paths.page)).toBe(true);
    expect(isBundledPage('file:///opt/Registry Transfer/resources/app.asar/dist/renderer/index.html', paths.page)).toBe(true);
    expect(isBundledPage('file:///opt/Registry%20Transfer/resources/app.asar/dist/renderer/../renderer/index.html', paths.page)).toBe(true);
    expect(isBundledPage('file://otherhost/opt/Registry%20Transfer/resources/app.asar/dist/renderer/index.html', paths.page)).toBe(false);
    expect(isBundledPage('https://opt/dist/renderer/index.html', paths.page)).toBe(false);
    expect(isBundledPage(null, paths.page)).toBe(false);
    expect(isBundledPage('', paths.page)).toBe(false);
  });

  it('lets only https addresses with a host out', () => {
    expect(isHttpsUrl('https://sslftp.cohealthnet.com/')).toBe(true);
    expect(isHttpsUrl('HTTPS://sslftp.cohealthnet.com/')).toBe(true);
    for (const url of ['http://a.example', 'https:', 'https://', 'file:///c:/windows', 'javascript:https://x', 'mailto:a@b.example', '']) {
      expect(isHttpsUrl(url), url).toBe(false);
    }
  });
});
