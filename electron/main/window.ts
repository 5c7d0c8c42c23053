// The one window factory. Every BrowserWindow of the app comes from here, with the renderer sandboxed,
// isolated from Node, held to the bundled page, and unable to open anything but an https address in
// the system browser. Nothing the page does can widen these settings.
import { BrowserWindow, dialog, shell, type Session, type WebContents, type WebPreferences } from 'electron';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withContentSecurityPolicy } from './csp';

export const WINDOW_TITLE = 'Registry Transfer';
const BACKGROUND_COLOR = '#f4f6f8';

/** Where the built page and preload live, relative to the app's root (the folder of package.json). */
export interface AppPaths {
  /** dist/renderer/index.html: the only page the window ever shows. */
  page: string;
  /** dist/preload/preload.cjs: a sandboxed preload must be one CommonJS file. */
  preload: string;
}

export function appPaths(appRoot: string): AppPaths {
  return {
    page: join(appRoot, 'dist', 'renderer', 'index.html'),
    preload: join(appRoot, 'dist', 'preload', 'preload.cjs'),
  };
}

export function secureWebPreferences(preloadPath: string, allowDevTools: boolean): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    // A file dropped outside the app's drop zone must not replace the page with the file.
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: allowDevTools,
  };
}

const platformPath = (path: string) => {
  const absolute = resolve(path);
  // Windows and macOS file systems are case-insensitive by default; Chromium may spell the drive
  // letter differently from Node.
  return process.platform === 'win32' || process.platform === 'darwin' ? absolute.toLowerCase() : absolute;
};

/**
 * Whether a URL is the bundled page itself. Query and fragment are ignored (they do not change which
 * file is loaded); the comparison is on the decoded file path, so `%20` and a space, or `C:` and `c:`,
 * are the same page.
 */
export function isBundledPage(url: string | undefined | null, pagePath: string): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'file:') return false;
  let path: string;
  try {
    path = fileURLToPath(parsed);
  } catch {
    return false;
  }
  return platformPath(path) === platformPath(pagePath);
}

/** Only https addresses may leave the app, and only to the system browser. */
export function isHttpsUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.hostname !== '';
  } catch {
    return false;
  }
}

export async function openHttpsExternally(url: string): Promise<void> {
  if (!isHttpsUrl(url)) throw new Error('Only https addresses open in the browser.');
  await shell.openExternal(url);
}

/** Hold a web contents to the bundled page: no navigation away, no new windows, no webviews. */
export function guardWebContents(
  contents: WebContents,
  pagePath: string,
  openExternal: (url: string) => Promise<void>,
  mayOpenExternally: (url: string) => boolean = () => false,
): void {
  const stayOnPage = (event: { url: string; preventDefault(): void }) => {
    if (!isBundledPage(event.url, pagePath)) event.preventDefault();
  };
  contents.on('will-navigate', stayOnPage);
  contents.on('will-frame-navigate', stayOnPage);
  contents.on('will-redirect', stayOnPage);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Only a registry's own pages (web client, password page) leave the app, never an address the
    // page makes up.
    if (isHttpsUrl(url) && mayOpenExternally(url)) {
      openExternal(url).catch((error: unknown) => {
        console.warn(`[window] could not open ${new URL(url).origin} in the browser: ${String(error)}`);
      });
    }
    return { action: 'deny' };
  });
}

const guardedSessions = new WeakSet<Session>();

/**
 * Deny every permission the page could ask for (camera, notifications, clipboard reads, devices…),
 * refuse downloads, and send the Content-Security-Policy with every file the page loads. The <meta>
 * copy in index.html holds even where Chromium runs no header hook for a file: response.
 */
export function guardSession(session: Session): void {
  // Windows share the default session; its handlers are set once, not stacked per window.
  if (guardedSessions.has(session)) return;
  guardedSessions.add(session);
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.on('will-download', (event) => event.preventDefault());
  session.webRequest.onHeadersReceived((details, callback) => {
    if (details.url.startsWith('file:')) callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
    else callback({});
  });
}

export interface MainWindowOptions {
  paths: AppPaths;
  /** Dev tools only in a development run; never in the installed app. */
  allowDevTools: boolean;
  openExternal?: (url: string) => Promise<void>;
  /** Which https addresses the page may open in the browser (the registries' own); none by default. */
  mayOpenExternally?: (url: string) => boolean;
}

export function createMainWindow({ paths, allowDevTools, openExternal = openHttpsExternally, mayOpenExternally }: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 760,
    minWidth: 900,
    minHeight: 600,
    title: WINDOW_TITLE,
    backgroundColor: BACKGROUND_COLOR,
    show: false,
    webPreferences: secureWebPreferences(paths.preload, allowDevTools),
  });
  guardSession(window.webContents.session);
  guardWebContents(window.webContents, paths.page, openExternal, mayOpenExternally);
  // The window keeps the app's name; the page cannot retitle it.
  window.on('page-title-updated', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  window.loadFile(paths.page).catch((error: unknown) => {
    console.error(`[window] could not load the app's page ${paths.page}: ${String(error)}`);
    // A hidden window that never shows would look like an app that does not start.
    dialog.showErrorBox(WINDOW_TITLE, 'The app could not open its main screen. Please reinstall Registry Transfer.');
    window.destroy();
  });
  return window;
}
