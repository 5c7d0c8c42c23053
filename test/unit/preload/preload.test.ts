// The preload with Electron stubbed, then the built preload bundle as a sandboxed renderer loads it:
// what the page gets as `window.registry`, and that nothing more leaks through.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CALL_NAMES, callChannel, DROPPED_FILE_CHANNEL, EVENT_CHANNEL, type RegistryApi, type RegistryEvent } from '../../../shared/contract';
import { contextBridge, ipcRenderer } from '../../support/electron-stub';

vi.mock('electron', () => import('../../support/electron-stub'));

const root = join(import.meta.dirname, '..', '..', '..');
const expectedMembers = [...CALL_NAMES, 'onEvent', 'pathForFile'].sort();

let api: RegistryApi;

beforeAll(async () => {
  await import('../../../electron/preload/preload');
  api = contextBridge.exposed.get('registry') as RegistryApi;
});

describe('window.registry', () => {
  it('is one frozen object with one method per contract call, onEvent and pathForFile, and nothing else', () => {
    expect([...contextBridge.exposed.keys()]).toEqual(['registry']);
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.keys(api).sort()).toEqual(expectedMembers);
    for (const key of Object.keys(api)) expect(typeof (api as unknown as Record<string, unknown>)[key], key).toBe('function');
    for (const forbidden of ['invoke', 'send', 'sendSync', 'on', 'ipcRenderer', 'electron', 'require']) {
      expect(forbidden in api, forbidden).toBe(false);
    }
    expect(Object.values(api)).not.toContain(ipcRenderer);
    expect(Object.values(api)).not.toContain(ipcRenderer.invoke);
  });

  it('sends each call on its own channel with the input, and returns what main answers', async () => {
    for (const name of CALL_NAMES) {
      const input = { marker: name };
      const call = api[name] as (input: unknown) => Promise<unknown>;
      await expect(call(input)).resolves.toEqual({ ok: true, channel: callChannel(name) });
      expect(ipcRenderer.invoked.at(-1)).toEqual([callChannel(name), input]);
    }
  });

  it('gives an event listener the event only, never the IPC event with its sender', () => {
    const received: unknown[][] = [];
    const unsubscribe = api.onEvent((...args: unknown[]) => received.push(args));
    const event: RegistryEvent = { type: 'connection', state: 'connecting', message: 'Connecting to Texas ImmTrac2…' };
    ipcRenderer.emit(EVENT_CHANNEL, { sender: ipcRenderer, ports: [] }, event);
    ipcRenderer.emit('some-other-channel', { sender: ipcRenderer }, { type: 'connection' });
    expect(received).toEqual([[event]]);

    unsubscribe();
    ipcRenderer.emit(EVENT_CHANNEL, { sender: ipcRenderer }, event);
    expect(received).toHaveLength(1);
    expect(ipcRenderer.listenerCount(EVENT_CHANNEL)).toBe(0);
  });

  it('keeps each subscription separate', () => {
    const first: unknown[] = [];
    const second: unknown[] = [];
    const stopFirst = api.onEvent((e) => first.push(e));
    const stopSecond = api.onEvent((e) => second.push(e));
    stopFirst();
    ipcRenderer.emit(EVENT_CHANNEL, {}, { type: 'request-closed', id: 'r1', answer: 'deny' });
    expect(first).toEqual([]);
    expect(second).toEqual([{ type: 'request-closed', id: 'r1', answer: 'deny' }]);
    stopSecond();
  });

  it('reads the path of a dropped file through webUtils, and tells the main process on its own channel that the window may use it', () => {
    expect(api.pathForFile({ name: 'ABC123_20250301.HL7' } as File)).toBe('/dropped/ABC123_20250301.HL7');
    expect(ipcRenderer.invoked.at(-1)).toEqual([DROPPED_FILE_CHANNEL, '/dropped/ABC123_20250301.HL7']);
  });
});

describe('the built preload (dist/preload/preload.cjs)', () => {
  let bundle: string;

  beforeAll(() => {
    bundle = readFileSync(join(root, 'dist', 'preload', 'preload.cjs'), 'utf8');
  });

  it('runs where only `electron` can be required, under a policy that refuses eval, and exposes the same API', () => {
    const exposed = new Map<string, Record<string, unknown>>();
    const invoked: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, value: Record<string, unknown>) => exposed.set(key, value) },
      ipcRenderer: { invoke: (...args: unknown[]) => invoked.push(args), on() {}, removeListener() {} },
      webUtils: { getPathForFile: () => '' },
    };
    const required: string[] = [];
    const module = { exports: {} };
    const sandbox = createContext({
      require: (id: string) => {
        required.push(id);
        if (id === 'electron') return electron;
        throw new Error(`module not found: ${id}`);
      },
      module,
      exports: module.exports,
      console,
      evalAttempts: 0,
    });
    // The page's CSP has no 'unsafe-eval': any string compiled to code would be refused and logged.
    runInContext(
      `globalThis.Function = new Proxy(Function, { construct() { evalAttempts++; throw new EvalError('refused by CSP'); }, apply() { evalAttempts++; throw new EvalError('refused by CSP'); } });
       globalThis.eval = () => { evalAttempts++; throw new EvalError('refused by CSP'); };`,
      sandbox,
    );
    runInContext(bundle, sandbox, { filename: 'preload.cjs' });

    expect(required).toEqual(['electron']);
    expect(runInContext('evalAttempts', sandbox)).toBe(0);
    expect([...exposed.keys()]).toEqual(['registry']);
    const registry = exposed.get('registry')!;
    expect(Object.keys(registry).sort()).toEqual(expectedMembers);
    (registry.listProfiles as (input: unknown) => unknown)({});
    expect(invoked).toEqual([[callChannel('listProfiles'), {}]]);
  });

  it('is built from the preload and the zod-free call names alone: no zod, no contract schemas', () => {
    // The source map lists every file whose code is in the bundle (the contract's types leave none).
    const map = JSON.parse(readFileSync(join(root, 'dist', 'preload', 'preload.cjs.map'), 'utf8')) as { sources: string[] };
    const sources = map.sources.map((source) => source.replace(/^(\.\.\/)+/, '')).sort();
    expect(sources).toEqual(['electron/preload/preload.ts', 'shared/call-names.ts']);
  });
});
