// The composition root with Electron stubbed and the real engine, electron-store and settings file
// behind it: what starts, what a call from the page reaches, where events go, and what quitting does.
import type { IpcMainInvokeEvent } from 'electron';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { APP_USER_MODEL_ID } from '../../../electron/main/app-id';
import { CALL_NAMES, callChannel, DROPPED_FILE_CHANNEL, EVENT_CHANNEL, type CallName } from '../../../shared/contract';
import { StubFrame } from '../../support/electron-stub';
import { routeNativeElectronImportsToStub } from '../../support/electron-stub-loader';
import { freePort } from '../../support/ports';

vi.mock('electron', () => import('../../support/electron-stub'));
// V8's flags are the process's: recorded here, not set on the test runner.
const v8Flags = vi.hoisted(() => [] as string[]);
vi.mock('node:v8', async (original) => ({
  ...(await original<typeof import('node:v8')>()),
  setFlagsFromString: (flags: string) => void v8Flags.push(flags),
}));

type Stub = typeof import('../../support/electron-stub');

const root = join(import.meta.dirname, '..', '..', '..');
let userData: string;

beforeAll(() => routeNativeElectronImportsToStub());
beforeEach(() => {
  userData = mkdtempSync(join(tmpdir(), 'rt-main-'));
});
afterEach(() => {
  rmSync(userData, { recursive: true, force: true });
});

/** Load main.ts afresh, as Electron would on start, against a fresh stub. */
async function start(configure: (electron: Stub) => void = () => undefined): Promise<Stub> {
  vi.resetModules();
  const electron = (await import('electron')) as unknown as Stub;
  electron.resetElectronStub();
  electron.app.userData = userData;
  electron.app.appPath = '/opt/registry-transfer';
  configure(electron);
  await import('../../../electron/main/main');
  return electron;
}

async function ready(electron: Stub) {
  electron.app.fireReady();
  await vi.waitFor(() => expect(electron.BrowserWindow.instances).toHaveLength(1));
  const window = electron.BrowserWindow.instances[0]!;
  const call = (name: CallName, payload: unknown): Promise<any> => {
    const handler = electron.ipcMain.handlers.get(callChannel(name));
    if (!handler) throw new Error(`${name} is not bound`);
    const event = { sender: window.webContents, senderFrame: window.webContents.mainFrame } as unknown as IpcMainInvokeEvent;
    return handler(event, payload);
  };
  return { window, call };
}

/** A custom profile in the settings file, for a registry on a loopback port. */
async function writeProfilePointingAt(port: number): Promise<void> {
  const profile = {
    id: 'county-test',
    name: 'County test registry',
    endpoints: [{ protocol: 'sftp', host: '127.0.0.1', port }],
    folders: [{ role: 'dropoff', name: 'Dropoff', path: 'Dropoff', rights: ['list', 'write'] }],
    support: { team: 'County IT' },
  };
  writeFileSync(join(userData, 'config.json'), JSON.stringify({ customProfiles: [profile] }));
}

const sentEvents = (electron: Stub) =>
  electron.BrowserWindow.instances[0]!.webContents.sent.filter(([channel]) => channel === EVENT_CHANNEL).map(([, event]) => event);

describe('start-up', () => {
  it('sandboxes every renderer, takes the single-instance lock and waits for ready before opening anything', async () => {
    const electron = await start();
    expect(electron.app.sandboxEnabled).toBe(true);
    expect(electron.app.appUserModelId).toBeNull(); // a Windows-only call, and this is not Windows
    expect(electron.BrowserWindow.instances).toHaveLength(0);
    expect(electron.ipcMain.handlers.size).toBe(0);

    const { window } = await ready(electron);
    expect(window.loadedFile).toBe('/opt/registry-transfer/dist/renderer/index.html');
    expect(window.options.webPreferences.preload).toBe('/opt/registry-transfer/dist/preload/preload.cjs');
    expect(window.options.webPreferences.devTools).toBe(true); // not packaged: a development run
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual([...CALL_NAMES.map(callChannel), DROPPED_FILE_CHANNEL].sort());
  });

  it('lets the JavaScript heap grow as heap-growth.ts says, before the engine starts', async () => {
    const { HEAP_GROWING_PERCENT } = await import('../../../electron/engine/heap-growth');
    v8Flags.length = 0;
    const electron = await start();
    expect(v8Flags).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
    expect(electron.BrowserWindow.instances).toHaveLength(0);
  });

  it('quits at once, with no window, when another copy is already running; that copy comes forward', async () => {
    const second = await start((e) => {
      e.app.singleInstanceLock = false;
    });
    second.app.fireReady();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(second.app.quitCalls).toBe(1);
    expect(second.BrowserWindow.instances).toHaveLength(0);
    expect(second.ipcMain.handlers.size).toBe(0);

    const first = await start();
    const { window } = await ready(first);
    window.minimized = true;
    first.app.emit('second-instance', {}, ['registry-transfer.exe'], '/');
    expect(window.minimized).toBe(false);
    expect(window.focused).toBe(true);
  });

  it('sets the Windows app id that the installer’s shortcut uses', async () => {
    const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;
    Object.defineProperty(process, 'platform', { ...platform, value: 'win32' });
    let electron: Stub;
    try {
      electron = await start();
    } finally {
      Object.defineProperty(process, 'platform', platform);
    }
    expect(electron.app.appUserModelId).toBe(APP_USER_MODEL_ID);
    const builderConfig = readFileSync(join(root, 'build', 'electron-builder.yml'), 'utf8');
    expect(builderConfig).toMatch(new RegExp(`^appId:\\s*${APP_USER_MODEL_ID.replace(/\./g, '\\.')}\\s*$`, 'm'));
  });

  it('uses a production menu without reload or dev tools, and no dev tools, when installed', async () => {
    const electron = await start((e) => {
      e.app.isPackaged = true;
    });
    const { window } = await ready(electron);
    expect(window.options.webPreferences.devTools).toBe(false);
    const menu = electron.Menu.current as { template: Array<{ role?: string }> };
    const roles = menu.template.map((item) => item.role);
    expect(roles).toEqual(expect.arrayContaining(['fileMenu', 'editMenu', 'windowMenu']));
    expect(roles).not.toContain('viewMenu');
    expect(JSON.stringify(menu.template)).not.toMatch(/toggleDevTools|reload/i);
  });
});

describe('the engine behind the window', () => {
  it('answers a call from the page with the app’s name and version', async () => {
    const { call } = await ready(await start());
    expect(await call('getAppInfo', {})).toEqual({ ok: true, name: 'Registry Transfer', version: '0.1.0-test', platform: process.platform });
  });

  it('starts the practice registry beside the window, opens on it, and stops it when the app quits (issue 13)', async () => {
    const electron = await start();
    const { call, window } = await ready(electron);
    const listed = await call('listProfiles', {});
    expect(listed.startWith).toBe('practice');
    expect(listed.profiles[0]).toMatchObject({ id: 'practice', practice: { username: 'PRAC01' } });
    const running = join(userData, 'practice', 'running.json');
    expect(existsSync(running)).toBe(true);
    window.destroy();
    electron.app.emit('window-all-closed');
    await vi.waitFor(() => expect(electron.app.quitCalls).toBe(1));
    expect(existsSync(running)).toBe(false);
  });

  it('uses the practice registry `registry-transfer practice` already runs on its data folder, trusting that one without a question (issue 13)', async () => {
    const { startPracticeRegistry } = await import('../../../electron/practice/practice-registry');
    const running = await startPracticeRegistry({ dataDir: userData, ready: true, processAfterSeconds: 2 });
    try {
      const electron = await start();
      const { call, window } = await ready(electron);
      const listed = await call('listProfiles', {});
      expect(listed.startWith).toBe('practice');
      // Its password was shown to whoever started it, not known to the window.
      expect(listed.profiles[0]).toMatchObject({ id: 'practice', endpoints: [{ protocol: 'sftp', port: running.sftp.port }, { protocol: 'ftps', port: running.ftpsImplicit.port }], practice: { username: 'PRAC01', issuedPassword: null, processAfterSeconds: 2 } });
      const connected = await call('connect', { profileId: 'practice', protocol: 'sftp', username: 'PRAC01', password: running.issuedPassword() ?? 'unknown' });
      expect(connected).toMatchObject({ ok: true, connection: { profileId: 'practice' } });
      expect((sentEvents(electron) as { type: string }[]).filter((e) => e.type === 'request')).toEqual([]);
      await call('disconnect', {});
      window.destroy();
      electron.app.emit('window-all-closed');
      await vi.waitFor(() => expect(electron.app.quitCalls).toBe(1));
      // The window's quit leaves the registry it did not start running.
      expect(existsSync(join(userData, 'practice', 'running.json'))).toBe(true);
    } finally {
      await running.stop();
    }
  });

  it('keeps its settings in config.json in the user-data folder (the file the CLI shares)', async () => {
    await writeProfilePointingAt(await freePort());
    const { call } = await ready(await start());
    const listed = await call('listProfiles', {});
    expect(listed.profiles.map((p: { id: string }) => p.id)).toContain('county-test');
  });

  it('sends the engine’s events to the page on the event channel', async () => {
    await writeProfilePointingAt(await freePort()); // nothing listens there: the connection fails at once
    const electron = await start();
    const { call } = await ready(electron);
    const result = await call('connect', { profileId: 'county-test', protocol: 'sftp', username: 'clinic1', password: 'pw-not-logged' });
    expect(result).toMatchObject({ ok: false, code: 'unreachable' });
    const events = sentEvents(electron);
    expect(events).toMatchObject([
      { type: 'connection', state: 'connecting' },
      { type: 'connection', state: 'failed', failure: { code: 'unreachable' } },
    ]);
    expect(JSON.stringify(events)).not.toContain('pw-not-logged');
  });

  it('sends no event to a page that is not the app’s own', async () => {
    await writeProfilePointingAt(await freePort());
    const electron = await start();
    const { window, call } = await ready(electron);
    const pending = call('connect', { profileId: 'county-test', protocol: 'sftp', username: 'clinic1', password: 'pw' });
    // The page goes somewhere else while the call runs: the events it would have had must not follow.
    window.webContents.mainFrame.url = 'https://evil.example/';
    expect(await pending).toMatchObject({ ok: false, code: 'unreachable' });
    expect(sentEvents(electron)).toEqual([]);
  });

  it('drops events for a window that has closed, without breaking the call that caused them', async () => {
    await writeProfilePointingAt(await freePort());
    const electron = await start();
    const { window, call } = await ready(electron);
    const pending = call('connect', { profileId: 'county-test', protocol: 'sftp', username: 'clinic1', password: 'pw' });
    window.destroy();
    expect(await pending).toMatchObject({ ok: false, code: 'unreachable' });
    expect(sentEvents(electron)).toEqual([]);
  });

  it('opens a profile’s web page in the system browser', async () => {
    const electron = await start();
    const { call } = await ready(electron);
    const result = await call('openWebClient', { profileId: 'texas-immtrac2' });
    expect(result).toMatchObject({ ok: true });
    expect(electron.shell.opened).toEqual([result.url]);
    expect(result.url).toMatch(/^https:\/\//);
  });

  it('starts with fresh settings when the file is damaged, keeps the damaged file, and tells the user', async () => {
    writeFileSync(join(userData, 'config.json'), '{"trustedIdentities": [');
    const electron = await start();
    const { window, call } = await ready(electron);
    expect(await call('listTrusted', {})).toEqual({ ok: true, identities: [] });
    window.emit('ready-to-show');
    expect(electron.dialog.messages).toHaveLength(1);
    const message = electron.dialog.messages[0] as { message: string; detail: string };
    expect(message.message).toMatch(/damaged/);
    const kept = /kept as (.+\.json)/.exec(message.detail)?.[1];
    expect(kept).toBeDefined();
    expect(readFileSync(kept!, 'utf8')).toBe('{"trustedIdentities": [');
  });
});

describe('local paths and links the window may use', () => {
  const report = { role: 'reports', names: ['TX1234_20261203_DQA.txt'] } as const;

  it('saves downloads only in the folder the user picked in the system dialog', async () => {
    const electron = await start();
    const { call } = await ready(electron);
    const picked = mkdtempSync(join(userData, 'picked-'));
    const refused = await call('download', { ...report, toFolder: picked });
    expect(refused).toMatchObject({ ok: false, code: 'permission-denied' });
    expect(refused.message).toContain('it was not chosen in this window as the place for downloads');

    electron.dialog.openDialogAnswer = { canceled: false, filePaths: [picked] };
    expect(await call('chooseDownloadFolder', {})).toEqual({ ok: true, path: picked });
    expect(electron.dialog.openDialogs.at(-1)?.properties).toContain('openDirectory');
    // Past the grant, what a download needs next is a connection.
    expect(await call('download', { ...report, toFolder: picked })).toMatchObject({ ok: false, code: 'not-connected' });
    expect(await call('download', { ...report, toFolder: join(picked, '..') })).toMatchObject({ ok: false, code: 'permission-denied' });
  });

  it('takes a file from a network share only once the preload reports it dropped from the app’s own page', async () => {
    // On Windows, where a share is a path: the engine's grants take the platform the app started on.
    const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;
    Object.defineProperty(process, 'platform', { ...platform, value: 'win32' });
    let started: Awaited<ReturnType<typeof ready>>;
    let electron: Stub;
    try {
      electron = await start();
      started = await ready(electron);
    } finally {
      Object.defineProperty(process, 'platform', platform);
    }
    const { window, call } = started;
    const onShare = '\\\\fileserver\\clinic\\Exports\\TX1234_20261203.HL7';
    expect(await call('checkUpload', { localPath: onShare })).toMatchObject({ ok: false, code: 'permission-denied' });

    const drop = electron.ipcMain.handlers.get(DROPPED_FILE_CHANNEL)!;
    const elsewhere = { sender: window.webContents, senderFrame: new StubFrame('https://evil.example/') };
    expect(await drop(elsewhere, onShare)).toBe(false);
    expect(await call('checkUpload', { localPath: onShare })).toMatchObject({ ok: false, code: 'permission-denied' });

    expect(await drop({ sender: window.webContents, senderFrame: window.webContents.mainFrame }, onShare)).toBe(true);
    expect(await call('checkUpload', { localPath: onShare })).toMatchObject({ ok: false, code: 'not-connected' });
    // Only that file: its neighbour on the share is still refused.
    expect(await call('checkUpload', { localPath: onShare.replace('TX1234', 'TX9999') })).toMatchObject({ ok: false, code: 'permission-denied' });
  });

  it('opens a link from the page in the browser only when it is a registry profile’s own page', async () => {
    const electron = await start();
    const { window } = await ready(electron);
    const open = (url: string) => window.webContents.windowOpenHandler!({ url });
    for (const url of ['https://attacker.example/sign-in', 'https://immtrac-ftp1.dshs.state.tx.us/elsewhere', 'https://cohealthnet.com:447/manageaccount', 'https://immtrac-ftp1.dshs.state.tx.us/ThinClient']) {
      expect(open(url), url).toEqual({ action: 'deny' });
    }
    await vi.waitFor(() => expect(electron.shell.opened).toHaveLength(2));
    expect(electron.shell.opened).toEqual(['https://cohealthnet.com:447/manageaccount', 'https://immtrac-ftp1.dshs.state.tx.us/ThinClient']);
  });
});

describe('closing', () => {
  it('closes the engine and stops answering calls when the window closes, then quits', async () => {
    const electron = await start();
    const { window } = await ready(electron);
    window.destroy();
    electron.app.emit('window-all-closed');
    await vi.waitFor(() => expect(electron.app.quitCalls).toBe(1));
    expect(electron.ipcMain.handlers.size).toBe(0);
  });

  it('holds a quit until the engine has closed, then lets it through', async () => {
    const electron = await start();
    await ready(electron);
    const { StubEvent } = electron as unknown as { StubEvent: new () => { defaultPrevented: boolean } };
    const firstQuit = new StubEvent();
    electron.app.emit('before-quit', firstQuit);
    expect(firstQuit.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(electron.app.quitCalls).toBe(1));
    expect(electron.ipcMain.handlers.size).toBe(0);

    const secondQuit = new StubEvent();
    electron.app.emit('before-quit', secondQuit);
    expect(secondQuit.defaultPrevented).toBe(false);
  });
});
