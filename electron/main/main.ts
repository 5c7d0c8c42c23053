// The composition root of the desktop app: one instance, one window, one engine service. The engine
// gets its ports here (electron-store settings, events to the window, https links to the browser); the
// window gets the contract's calls through the checked IPC binding. Everything else lives in the
// engine, which never imports Electron.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { app, dialog, ipcMain, Menu, nativeImage, Notification, Tray, type BrowserWindow } from 'electron';
import { EVENT_CHANNEL, type RegistryEvent } from '../../shared/contract';
import { KeytarVault } from '../engine/credentials/keytar-vault';
import { letHeapGrowForTransfers } from '../engine/heap-growth';
import { createRegistryService, type RegistryService } from '../engine/registry-service';
import type { PracticePort } from '../engine/engine';
import { PracticeAlreadyRunning, readRunningPractice, startPracticeRegistry, type RunningPracticeRegistry } from '../practice/practice-registry';
import { APP_USER_MODEL_ID } from './app-id';
import { bindRegistryCalls, trustedSenderCheck } from './ipc';
import { applyAppMenu } from './menu';
import { practicePortOf, practicePortOfRunning } from './practice';
import { openElectronSettings } from './settings';
import { appPaths, createMainWindow, isBundledPage, openHttpsExternally, WINDOW_TITLE } from './window';

/** How long quitting waits for the connection to close before it quits anyway. */
const DISPOSE_TIMEOUT_MS = 5_000;

let mainWindow: BrowserWindow | null = null;
let service: RegistryService | null = null;
let practice: RunningPracticeRegistry | null = null;
let unbindCalls: (() => void) | null = null;
let disposing: Promise<void> | null = null;
let disposed = false;

function sendEvent(event: RegistryEvent, pagePath: string): void {
  const window = mainWindow;
  if (!window || window.isDestroyed()) return;
  const contents = window.webContents;
  if (contents.isDestroyed()) return;
  // Events can carry server names and folder paths: only the app's own page may receive them.
  if (!isBundledPage(contents.getURL(), pagePath)) return;
  contents.send(EVENT_CHANNEL, event);
}

/** Close the connection, deny open prompts and stop answering calls. Safe to call more than once. */
function disposeService(): Promise<void> {
  disposing ??= (async () => {
    unbindCalls?.();
    unbindCalls = null;
    const running = service;
    service = null;
    if (!running) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        console.warn('[app] the registry connection did not close in time; quitting anyway');
        resolve();
      }, DISPOSE_TIMEOUT_MS);
    });
    try {
      await Promise.race([running.dispose(), timeout]);
      await Promise.race([practice?.stop(), timeout]);
    } catch (error) {
      console.warn(`[app] closing the registry connection failed: ${String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  })();
  return disposing;
}

/** The sample files shipped with the app: beside the archive when installed, in the source tree when run from it. */
function samplesFolder(): string | null {
  if (app.isPackaged && typeof process.resourcesPath !== 'string') return null;
  const folder = app.isPackaged ? join(process.resourcesPath, 'practice-samples') : join(app.getAppPath(), 'electron', 'practice', 'samples');
  return existsSync(folder) ? folder : null;
}

async function onReady(): Promise<void> {
  applyAppMenu(app.isPackaged);
  const paths = appPaths(app.getAppPath());

  let opened: ReturnType<typeof openElectronSettings>;
  try {
    opened = openElectronSettings(app.getPath('userData'));
  } catch (error) {
    dialog.showErrorBox(WINDOW_TITLE, `The app could not open its settings.\n\n${(error as Error).message}`);
    app.quit();
    return;
  }

  // The practice registry the app opens on: on 127.0.0.1 only, in its own folder of the data folder.
  // If it cannot start (a damaged folder, no free port), the app works without it and says so.
  let practiceAccess: PracticePort | null = null;
  try {
    practice = await startPracticeRegistry({ dataDir: app.getPath('userData') });
    practiceAccess = practicePortOf(practice, samplesFolder());
  } catch (error) {
    // One already runs on this data folder (`registry-transfer practice` on it): the window uses that one.
    const running = error instanceof PracticeAlreadyRunning ? readRunningPractice(app.getPath('userData')) : null;
    if (running) practiceAccess = practicePortOfRunning(running, samplesFolder());
    else console.warn(`[app] the practice registry did not start: ${error instanceof Error ? error.message : String(error)}`);
  }

  service = createRegistryService({
    settings: opened.settings,
    ...(practiceAccess ? { practice: practiceAccess } : {}),
    emit: (event) => sendEvent(event, paths.page),
    openExternal: openHttpsExternally,
    appInfo: { name: app.getName(), version: app.getVersion() },
    // The transfer history lives beside the settings, in the app's own data folder.
    dataDir: app.getPath('userData'),
    // Passwords live only in the OS keychain, never in the settings file.
    vault: new KeytarVault(),
    chooseFiles: async () => {
      const options: Electron.OpenDialogOptions = {
        title: 'Choose HL7 files to send',
        properties: ['openFile', 'multiSelections'],
        filters: [
          { name: 'HL7 files', extensions: ['hl7', 'HL7', 'txt', 'dat'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
      return result.canceled ? [] : result.filePaths;
    },
    chooseFolder: async (title = 'Choose where to save the files') => {
      const options: Electron.OpenDialogOptions = { title, properties: ['openDirectory', 'createDirectory'] };
      const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    // A file sent from the export folder, or not: said by the system even with the window hidden.
    notify: ({ title, body }) => {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    },
    chooseKeyFile: async () => {
      // The private key, not the .pub file; PuTTY's .ppk among them (a version 3 one is then
      // explained, with how to export it from PuTTYgen). Hidden folders shown: keys live in ~/.ssh.
      const options: Electron.OpenDialogOptions = {
        title: 'Choose your private key file',
        properties: ['openFile', 'showHiddenFiles'],
        filters: [
          { name: 'Private keys', extensions: ['*'] },
          { name: 'PuTTY keys', extensions: ['ppk'] },
        ],
      };
      const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  });
  const registry = service;
  unbindCalls = bindRegistryCalls(ipcMain, service.handlers, trustedSenderCheck(() => mainWindow, paths.page), (dropped) => registry.grantDropped(dropped));

  const window = createMainWindow({ paths, allowDevTools: !app.isPackaged, mayOpenExternally: (url) => registry.mayOpenExternally(url) });
  mainWindow = window;
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  // While a folder is being sent from automatically, closing the window keeps the app running in the
  // notification area (the menu bar on macOS): the files the EHR exports still go. Quit from there.
  window.on('close', (event) => {
    if (quitting || !registry.sendsAutomatically()) return;
    event.preventDefault();
    window.hide();
    showTray(paths.page);
  });

  if (opened.setAside) {
    const setAside = opened.setAside;
    window.once('ready-to-show', () => {
      void dialog.showMessageBox(window, {
        type: 'warning',
        title: WINDOW_TITLE,
        message: 'The app’s settings file was damaged, so the app started with fresh settings.',
        detail:
          `The damaged file was kept as ${setAside}.\n\n` +
          'Servers you trusted before will ask to be trusted again, and custom registry profiles need to be added again.',
      });
    });
  }
}

let tray: Tray | null = null;
/** The user chose Quit (the tray's, the menu's, or the system's): the window closes for good. */
let quitting = false;

function showTray(page: string): void {
  if (tray) return;
  const icon = join(page, '..', 'tray.png');
  tray = new Tray(existsSync(icon) ? nativeImage.createFromPath(icon) : nativeImage.createEmpty());
  tray.setToolTip(`${WINDOW_TITLE}: sending new files from the export folder`);
  const open = () => {
    const window = mainWindow;
    if (!window || window.isDestroyed()) return;
    window.show();
    window.focus();
  };
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: `Open ${WINDOW_TITLE}`, click: open },
      { type: 'separator' },
      { label: 'Quit (stop sending automatically)', click: () => app.quit() },
    ]),
  );
  tray.on('click', open);
}

// This process sends the files: see heap-growth.ts for what ssh2's buffers do to V8's collector.
letHeapGrowForTransfers();
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // Two copies would share one settings file and one registry login; the first copy comes forward.
  app.quit();
} else {
  if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);

  app.on('second-instance', () => {
    const window = mainWindow;
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });

  // One window is the whole app: closing it quits, on macOS too, so the connection never lingers.
  app.on('window-all-closed', () => {
    void disposeService().finally(() => app.quit());
  });

  app.on('before-quit', (event) => {
    quitting = true;
    if (disposed) return;
    event.preventDefault();
    void disposeService().finally(() => {
      disposed = true;
      app.quit();
    });
  });

  app
    .whenReady()
    .then(onReady)
    .catch((error: unknown) => {
      console.error(`[app] start-up failed: ${String(error)}`);
      dialog.showErrorBox(WINDOW_TITLE, 'The app could not start. Please reinstall Registry Transfer.');
      app.quit();
    });
}
