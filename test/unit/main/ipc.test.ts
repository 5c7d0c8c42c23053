// The IPC binding with Electron stubbed: every contract call is bound, and a call reaches the engine
// only from the app's own page and only with a payload that matches the contract.
import type { IpcMainInvokeEvent } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CALL_NAMES, callChannel, DROPPED_FILE_CHANNEL, type CallHandlers, type CallInput, type CallName } from '../../../shared/contract';
import { bindRegistryCalls, trustedSenderCheck, type IpcMainLike } from '../../../electron/main/ipc';
import { appPaths, createMainWindow } from '../../../electron/main/window';
import { BrowserWindow, StubFrame, type StubWebContents } from '../../support/electron-stub';

vi.mock('electron', () => import('../../support/electron-stub'));

/** A valid input for every call: the type makes a new call in the contract a compile error here. */
const validInputs: { [N in CallName]: CallInput<N> } = {
  getAppInfo: {},
  listProfiles: {},
  listLocalPlaces: {},
  listLocalFolder: { path: '/home/clinic/outbox' },
  listLocalFolderMore: { listing: '3b241101-e2bb-4255-8caf-4136c566a962' },
  connect: { profileId: 'texas-immtrac2', protocol: 'sftp', username: 'ABC123', password: 'not-a-real-one' },
  getSavedPassword: { profileId: 'texas-immtrac2', username: 'ABC123' },
  forgetPassword: { profileId: 'texas-immtrac2', username: 'ABC123' },
  changePassword: { newPassword: 'Not-a-real-one-9!' },
  storeChangedPassword: { newPassword: 'Not-a-real-one-9!', profileId: 'colorado-ciis', username: 'clinic01' },
  markPasswordChanged: {},
  forgotPassword: { profileId: 'texas-immtrac2' },
  disconnect: {},
  listRemoteFolder: { role: 'reports' },
  listRemoteFolderMore: { listing: '6fa459ea-ee8a-4ca4-894e-db77e160355e' },
  answerRequest: { id: 'req-1', answer: 'deny' },
  listTrusted: {},
  removeTrusted: { id: 'trust-1' },
  openWebClient: { profileId: 'colorado-ciis' },
  checkUpload: { localPath: '/home/clinic/outbox/ABC123_20261121.HL7' },
  upload: { localPath: '/home/clinic/outbox/ABC123_20261121.HL7', acceptWarnings: ['replace'] },
  cancelTransfer: { transferId: 'transfer-1' },
  retryTransfer: { transferId: 'transfer-1' },
  download: { role: 'reports', names: ['ABC123_20261121_DQA.txt'], toFolder: '/home/clinic/reports' },
  deleteRemoteFile: { name: 'ABC123_20261121.HL7', confirmed: true },
  listHistory: { limit: 50 },
  listSubmissions: { from: '2026-11-01', states: ['waiting', 'rejected'] },
  openReport: { role: 'reports', name: 'ABC123_20261121_ACK.hl7' },
  listScores: {},
  chooseFilesToUpload: {},
  chooseDownloadFolder: {},
  getAccountSignIn: { profileId: 'texas-immtrac2', username: 'ABC123' },
  setAccountSignIn: { profileId: 'texas-immtrac2', username: 'ABC123', method: 'key+password' },
  makeSignInKey: { profileId: 'texas-immtrac2', username: 'ABC123', type: 'rsa' },
  chooseKeyFile: {},
  useKeyFile: { profileId: 'texas-immtrac2', username: 'ABC123', path: '/home/clinic/.ssh/id_ed25519', passphrase: 'not-a-real-one' },
  savePublicKey: { profileId: 'texas-immtrac2', username: 'ABC123' },
  diagnose: { profileId: 'texas-immtrac2', protocol: 'ftps', username: 'ABC123', password: 'not-a-real-one' },
  saveDiagnosisReport: { report: 'Registry Transfer connection check\n' },
  getAutoSend: { profileId: 'texas-immtrac2', username: 'ABC123' },
  chooseAutoSendFolder: { profileId: 'texas-immtrac2', username: 'ABC123' },
  setAutoSendPaused: { profileId: 'texas-immtrac2', username: 'ABC123', paused: true },
  stopAutoSend: { profileId: 'texas-immtrac2', username: 'ABC123' },
  listMissedFailures: {},
  dismissMissedFailures: { upTo: '2026-12-04T05:00:00.000Z' },
};

/** A payload of the wrong type for each call (besides the `{ bogus: 1 }` every call refuses). */
const wrongTyped: Record<CallName, unknown> = {
  getAppInfo: 'hello',
  listProfiles: 42,
  listLocalPlaces: [],
  listLocalFolder: { path: 7 },
  listLocalFolderMore: { listing: '../../etc/passwd' },
  connect: { profileId: 'texas-immtrac2', protocol: 'http', username: 'ABC123' },
  getSavedPassword: { profileId: 'texas-immtrac2', username: 'has space' },
  forgetPassword: { profileId: '../etc', username: 'ABC123' },
  changePassword: { newPassword: '', account: { profileId: 'texas-immtrac2', protocol: 'ftps' } },
  storeChangedPassword: { newPassword: 'Not-a-real-one-9!', profileId: 'colorado-ciis' },
  markPasswordChanged: { profileId: 'texas-immtrac2' },
  forgotPassword: { profileId: 'texas immtrac2' },
  disconnect: true,
  listRemoteFolder: { role: '../etc' },
  listRemoteFolderMore: { listing: 42 },
  answerRequest: { id: 'req-1', answer: 'yes please' },
  listTrusted: { all: true },
  removeTrusted: { id: '' },
  openWebClient: { profileId: ['colorado-ciis'] },
  checkUpload: { localPath: 'relative\u0000nul' },
  upload: { localPath: '/x.HL7', acceptWarnings: 'all' },
  cancelTransfer: { transferId: 5 },
  retryTransfer: { transferId: '../../etc' },
  download: { role: 'reports', names: [], toFolder: '/tmp' },
  deleteRemoteFile: { name: 'ABC123.HL7', confirmed: false },
  listHistory: { limit: 100000 },
  listSubmissions: { from: 'last tuesday', states: ['lost'] },
  openReport: { role: 'reports', name: '' },
  listScores: { account: 'ABC123' },
  chooseFilesToUpload: { multiple: true },
  chooseDownloadFolder: 'Documents',
  getAccountSignIn: { profileId: 'texas-immtrac2' },
  setAccountSignIn: { profileId: 'texas-immtrac2', username: 'ABC123', method: 'certificate' },
  makeSignInKey: { profileId: 'texas-immtrac2', username: 'ABC123', type: 'dsa' },
  chooseKeyFile: { path: '/etc/shadow' },
  useKeyFile: { profileId: 'texas-immtrac2', username: 'ABC123', path: 'id_ed25519' },
  savePublicKey: { profileId: 'texas-immtrac2', username: 'ABC123', folder: '/tmp' },
  diagnose: { profileId: 'texas-immtrac2', protocol: 'scp' },
  saveDiagnosisReport: { report: '' },
  getAutoSend: { profileId: 'texas-immtrac2', username: 'ABC 123' },
  chooseAutoSendFolder: { profileId: 'texas-immtrac2', username: 'ABC123', folder: '/etc' },
  setAutoSendPaused: { profileId: 'texas-immtrac2', username: 'ABC123', paused: 'yes' },
  stopAutoSend: {},
  listMissedFailures: { all: true },
  dismissMissedFailures: { upTo: 'yesterday' },
};

class StubIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>>();
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>): void {
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(name: CallName, event: unknown, payload: unknown): Promise<any> {
    const handler = this.handlers.get(callChannel(name));
    if (!handler) throw new Error(`no handler for ${name}`);
    return handler(event as IpcMainInvokeEvent, payload);
  }
}

function spyHandlers() {
  const handlers = {} as Record<CallName, ReturnType<typeof vi.fn>>;
  for (const name of CALL_NAMES) handlers[name] = vi.fn(async (input: unknown) => ({ ok: true, handledBy: name, input }));
  return handlers;
}

const pagePath = appPaths('/opt/registry-transfer').page;
let ipc: StubIpcMain;
let handlers: Record<CallName, ReturnType<typeof vi.fn>>;
let window: BrowserWindow;
let contents: StubWebContents;
const trustedEvent = () => ({ sender: contents, senderFrame: contents.mainFrame });

beforeEach(() => {
  ipc = new StubIpcMain();
  handlers = spyHandlers();
  createMainWindow({ paths: appPaths('/opt/registry-transfer'), allowDevTools: false });
  window = BrowserWindow.instances.at(-1)!;
  contents = window.webContents;
  const current = window;
  dropped = [];
  bindRegistryCalls(ipc, handlers as unknown as CallHandlers, trustedSenderCheck(() => current as unknown as Electron.BrowserWindow, pagePath), (paths) => dropped.push(...paths));
});
let dropped: string[] = [];

describe('binding', () => {
  it('binds every call of the contract to its own channel, and the preload\'s dropped-file channel, nothing else', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual([...CALL_NAMES.map(callChannel), DROPPED_FILE_CHANNEL].sort());
  });

  it('lets the window use a dropped file only when the app\'s own page sends a full path on the preload\'s channel', async () => {
    const drop = ipc.handlers.get(DROPPED_FILE_CHANNEL)!;
    expect(await drop(trustedEvent() as unknown as IpcMainInvokeEvent, 'C:\\Users\\clinic\\Desktop\\TX1234_20261203.HL7')).toBe(true);
    for (const payload of ['relative/file.HL7', '/tmp/a\nb.HL7', '', 42, ['/tmp/x.HL7'], null]) {
      expect(await drop(trustedEvent() as unknown as IpcMainInvokeEvent, payload), JSON.stringify(payload)).toBe(false);
    }
    const iframe = { sender: contents, senderFrame: new StubFrame(contents.mainFrame.url, contents.mainFrame.processId, contents.mainFrame.routingId + 1) };
    expect(await drop(iframe as unknown as IpcMainInvokeEvent, '/home/clinic/TX1234_20261203.HL7')).toBe(false);
    expect(dropped).toEqual(['C:\\Users\\clinic\\Desktop\\TX1234_20261203.HL7']);
  });

  it('removes every handler when unbound', () => {
    const local = new StubIpcMain();
    const unbind = bindRegistryCalls(local, handlers as unknown as CallHandlers, () => true);
    expect(local.handlers.size).toBe(CALL_NAMES.length + 1);
    unbind();
    expect(local.handlers.size).toBe(0);
  });
});

describe('sender check', () => {
  const untrusted: Array<[string, () => unknown]> = [
    ['no frame (it went away)', () => ({ sender: contents, senderFrame: null })],
    ['an iframe inside the page', () => ({ sender: contents, senderFrame: new StubFrame(contents.mainFrame.url, contents.mainFrame.processId, contents.mainFrame.routingId + 100) })],
    ['the main frame showing another page', () => {
      contents.mainFrame.url = 'https://evil.example/';
      return trustedEvent();
    }],
    ['the main frame showing another local file', () => {
      contents.mainFrame.url = 'file:///opt/registry-transfer/dist/renderer/other.html';
      return trustedEvent();
    }],
    ['another window’s contents', () => {
      createMainWindow({ paths: appPaths('/opt/registry-transfer'), allowDevTools: false });
      const other = BrowserWindow.instances.at(-1)!.webContents;
      return { sender: other, senderFrame: other.mainFrame };
    }],
    ['a window that was closed', () => {
      window.destroy();
      return trustedEvent();
    }],
  ];

  for (const [who, makeEvent] of untrusted) {
    it(`refuses every call from ${who}, before any handler runs`, async () => {
      const event = makeEvent();
      for (const name of CALL_NAMES) {
        const result = await ipc.invoke(name, event, validInputs[name]);
        expect(result, name).toMatchObject({ ok: false, code: 'forbidden-sender' });
        expect(result.message).toMatch(/refused/);
      }
      for (const name of CALL_NAMES) expect(handlers[name], name).not.toHaveBeenCalled();
    });
  }

  it('refuses when the check itself fails', async () => {
    const local = new StubIpcMain();
    bindRegistryCalls(local, handlers as unknown as CallHandlers, () => {
      throw new Error('Render frame was disposed before WebFrameMain could be accessed');
    });
    expect(await local.invoke('listProfiles', {}, {})).toMatchObject({ ok: false, code: 'forbidden-sender' });
    expect(handlers.listProfiles).not.toHaveBeenCalled();
  });
});

describe('payload check', () => {
  it('refuses a payload with an unknown field, for every call, before any handler runs', async () => {
    for (const name of CALL_NAMES) {
      const result = await ipc.invoke(name, trustedEvent(), { ...validInputs[name], bogus: 1 });
      expect(result, name).toMatchObject({ ok: false, code: 'invalid-input' });
    }
    for (const name of CALL_NAMES) expect(handlers[name], name).not.toHaveBeenCalled();
  });

  it('refuses a payload of the wrong type, for every call, before any handler runs', async () => {
    for (const name of CALL_NAMES) {
      const result = await ipc.invoke(name, trustedEvent(), wrongTyped[name]);
      expect(result, name).toMatchObject({ ok: false, code: 'invalid-input' });
    }
    for (const name of CALL_NAMES) expect(handlers[name], name).not.toHaveBeenCalled();
  });

  it('hands a valid call from the page to its handler, and its result back', async () => {
    for (const name of CALL_NAMES) {
      const result = await ipc.invoke(name, trustedEvent(), validInputs[name]);
      expect(result, name).toEqual({ ok: true, handledBy: name, input: validInputs[name] });
      expect(handlers[name], name).toHaveBeenCalledTimes(1);
    }
  });

  it('passes the parsed input, not the raw one (the username is trimmed)', async () => {
    await ipc.invoke('connect', trustedEvent(), { ...validInputs.connect, username: '  ABC123 ' });
    expect(handlers.connect).toHaveBeenCalledWith({ ...validInputs.connect, username: 'ABC123' });
  });

  it('turns a handler that throws into a plain failure without its message', async () => {
    handlers.listTrusted!.mockRejectedValueOnce(new Error('ENOENT /home/clinic/secret-path'));
    const result = await ipc.invoke('listTrusted', trustedEvent(), {});
    expect(result).toMatchObject({ ok: false, code: 'internal' });
    expect(JSON.stringify(result)).not.toContain('secret-path');
  });
});
