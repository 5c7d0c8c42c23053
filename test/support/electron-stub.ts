// A stand-in for the 'electron' module (its binary cannot run on these machines), for unit tests of
// electron/main and electron/preload:
//   vi.mock('electron', () => import('../../support/electron-stub'));
// It records what the code under test asked Electron to do (window options, handlers, sends) and lets
// a test play the part of Chromium and the OS (emit navigation events, call IPC handlers).
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

type AnyFn = (...args: any[]) => any;

/** An Electron event object: preventDefault is what the code under test is expected to call. */
export class StubEvent<T extends object = object> {
  defaultPrevented = false;
  constructor(fields?: T) {
    Object.assign(this, fields);
  }
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class StubFrame {
  constructor(
    public url: string,
    public processId = 1,
    public routingId = 1,
  ) {}
}

export class StubSession extends EventEmitter {
  permissionRequestHandler: AnyFn | null = null;
  permissionCheckHandler: AnyFn | null = null;
  devicePermissionHandler: AnyFn | null = null;
  headersReceived: AnyFn | null = null;
  readonly webRequest = {
    onHeadersReceived: (filterOrListener: object | AnyFn | null, maybeListener?: AnyFn | null) => {
      this.headersReceived = typeof filterOrListener === 'function' ? (filterOrListener as AnyFn) : (maybeListener ?? null);
    },
  };
  reset(): void {
    this.removeAllListeners();
    this.permissionRequestHandler = this.permissionCheckHandler = this.devicePermissionHandler = this.headersReceived = null;
  }
  setPermissionRequestHandler(handler: AnyFn | null): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: AnyFn | null): void {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: AnyFn | null): void {
    this.devicePermissionHandler = handler;
  }
}

let nextContentsId = 1;

export class StubWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly session = defaultSession;
  readonly mainFrame = new StubFrame('about:blank', 7, this.id);
  windowOpenHandler: AnyFn | null = null;
  readonly sent: Array<[channel: string, ...args: unknown[]]> = [];
  destroyed = false;
  setWindowOpenHandler(handler: AnyFn): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push([channel, ...args]);
  }
  getURL(): string {
    return this.mainFrame.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class BrowserWindow extends EventEmitter {
  static readonly instances: BrowserWindow[] = [];
  readonly webContents = new StubWebContents();
  loadedFile: string | null = null;
  visible = false;
  destroyed = false;
  minimized = false;
  focused = false;
  /** What loadFile resolves or rejects with (a test can make the page fail to load). */
  loadResult: () => Promise<void> = () => Promise.resolve();
  constructor(readonly options: Record<string, any>) {
    super();
    BrowserWindow.instances.push(this);
  }
  loadFile(path: string): Promise<void> {
    this.loadedFile = path;
    this.webContents.mainFrame.url = pathToFileURL(path).href;
    return this.loadResult();
  }
  show(): void {
    this.visible = true;
  }
  focus(): void {
    this.focused = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
  hide(): void {
    this.visible = false;
  }
  /** As the user's click on the window's close button: 'close' first (it may be prevented), then closed. */
  close(): void {
    const event = new StubEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
}

/** The notification area's icon (Windows) or menu bar extra (macOS). */
export class Tray extends EventEmitter {
  static readonly instances: Tray[] = [];
  tooltip = '';
  menu: unknown = null;
  destroyed = false;
  constructor(readonly image: unknown) {
    super();
    Tray.instances.push(this);
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: unknown): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export const nativeImage = {
  createFromPath: (path: string) => ({ path, isEmpty: () => false }),
  createEmpty: () => ({ path: null, isEmpty: () => true }),
};

/** A system notification; each one shown is kept for the test to read. */
export class Notification {
  static readonly shown: { title: string; body: string }[] = [];
  static isSupported(): boolean {
    return true;
  }
  constructor(readonly options: { title: string; body: string }) {}
  show(): void {
    Notification.shown.push({ title: this.options.title, body: this.options.body });
  }
}

export const defaultSession = new StubSession();
export const session = { defaultSession };

class StubApp extends EventEmitter {
  userData = '/nonexistent/registry-transfer-userdata';
  appPath = '/nonexistent/registry-transfer-app';
  isPackaged = false;
  singleInstanceLock = true;
  appUserModelId: string | null = null;
  sandboxEnabled = false;
  quitCalls = 0;
  private markReady!: () => void;
  private ready = this.newReady();
  private newReady(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.markReady = resolve;
    });
  }
  reset(): void {
    this.removeAllListeners();
    this.userData = '/nonexistent/registry-transfer-userdata';
    this.appPath = '/nonexistent/registry-transfer-app';
    this.isPackaged = false;
    this.singleInstanceLock = true;
    this.appUserModelId = null;
    this.sandboxEnabled = false;
    this.quitCalls = 0;
    this.ready = this.newReady();
  }
  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`stub app.getPath: ${name} is not stubbed`);
    return this.userData;
  }
  getAppPath(): string {
    return this.appPath;
  }
  getName(): string {
    return 'Registry Transfer';
  }
  getVersion(): string {
    return '0.1.0-test';
  }
  requestSingleInstanceLock(): boolean {
    return this.singleInstanceLock;
  }
  enableSandbox(): void {
    this.sandboxEnabled = true;
  }
  setAppUserModelId(id: string): void {
    this.appUserModelId = id;
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  /** The test says when Electron is ready. */
  fireReady(): void {
    this.markReady();
    this.emit('ready');
  }
  quit(): void {
    this.quitCalls += 1;
  }
}
export const app = new StubApp();

class StubIpcMain extends EventEmitter {
  readonly handlers = new Map<string, AnyFn>();
  handle(channel: string, listener: AnyFn): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  reset(): void {
    this.removeAllListeners();
    this.handlers.clear();
  }
}
export const ipcMain = new StubIpcMain();

export const shell = {
  opened: [] as string[],
  async openExternal(url: string): Promise<void> {
    shell.opened.push(url);
  },
};

export const dialog = {
  errors: [] as Array<[title: string, content: string]>,
  messages: [] as unknown[],
  showErrorBox(title: string, content: string): void {
    dialog.errors.push([title, content]);
  },
  async showMessageBox(...args: unknown[]): Promise<{ response: number }> {
    dialog.messages.push(args.at(-1));
    return { response: 0 };
  },
  /** The options of each open dialog shown; the test sets what the user picks (cancel by default). */
  openDialogs: [] as Array<{ title?: string; properties?: string[] }>,
  openDialogAnswer: { canceled: true, filePaths: [] } as { canceled: boolean; filePaths: string[] },
  async showOpenDialog(...args: unknown[]): Promise<{ canceled: boolean; filePaths: string[] }> {
    dialog.openDialogs.push(args.at(-1) as { title?: string; properties?: string[] });
    return dialog.openDialogAnswer;
  },
};

export const Menu = {
  current: null as unknown,
  buildFromTemplate: (template: unknown[]) => ({ template }),
  setApplicationMenu(menu: unknown): void {
    Menu.current = menu;
  },
};

// Renderer side (preload)
export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    if (contextBridge.exposed.has(key)) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`);
    contextBridge.exposed.set(key, api);
  },
};

class StubIpcRenderer extends EventEmitter {
  readonly invoked: Array<[channel: string, ...args: unknown[]]> = [];
  reset(): void {
    this.removeAllListeners();
    this.invoked.length = 0;
  }
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push([channel, ...args]);
    return { ok: true, channel };
  }
}
export const ipcRenderer = new StubIpcRenderer();

export const webUtils = {
  getPathForFile(file: { name: string }): string {
    return `/dropped/${file.name}`;
  },
};

/**
 * Vitest keeps one instance of a mocked module across vi.resetModules(), so a test that loads
 * main.ts afresh calls this first to start from a clean Electron.
 */
export function resetElectronStub(): void {
  app.reset();
  ipcMain.reset();
  ipcRenderer.reset();
  defaultSession.reset();
  BrowserWindow.instances.length = 0;
  shell.opened.length = 0;
  dialog.errors.length = 0;
  dialog.messages.length = 0;
  dialog.openDialogs.length = 0;
  dialog.openDialogAnswer = { canceled: true, filePaths: [] };
  Menu.current = null;
  contextBridge.exposed.clear();
  Tray.instances.length = 0;
  Notification.shown.length = 0;
}

const electron = { app, BrowserWindow, contextBridge, dialog, ipcMain, ipcRenderer, Menu, Notification, nativeImage, session, shell, Tray, webUtils };
export default electron;
