// The preload: builds `window.registry` from the contract. The page gets one method per call and an
// event subscription, nothing else: never ipcRenderer, never a way to name a channel of its own.
// Bundled to dist/preload/preload.cjs (a sandboxed preload is one CommonJS file). The call names
// come from shared/call-names.ts, which imports nothing: the contract's zod schemas are for the main
// process, and only the contract's types are used here, so the bundle holds no zod (whose `new
// Function` probe the page's CSP would refuse).
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { CALL_NAMES, DROPPED_FILE_CHANNEL, EVENT_CHANNEL, callChannel } from '../../shared/call-names';
import type { RegistryApi, RegistryEvent } from '../../shared/contract';

/** The parts of Electron's renderer modules the API is built from (a stub in tests). */
export interface PreloadElectron {
  ipcRenderer: Pick<typeof ipcRenderer, 'invoke' | 'on' | 'removeListener'>;
  webUtils: Pick<typeof webUtils, 'getPathForFile'>;
}

export function buildRegistryApi({ ipcRenderer: ipc, webUtils: utils }: PreloadElectron): RegistryApi {
  const api: Record<string, unknown> = {};
  for (const name of CALL_NAMES) {
    const channel = callChannel(name);
    api[name] = (input: unknown) => ipc.invoke(channel, input);
  }
  api.onEvent = (listener: (event: RegistryEvent) => void) => {
    // The IpcRendererEvent carries `sender` (the ipcRenderer itself): it never reaches the page.
    const forward = (_event: IpcRendererEvent, payload: RegistryEvent) => listener(payload);
    ipc.on(EVENT_CHANNEL, forward);
    return () => {
      ipc.removeListener(EVENT_CHANNEL, forward);
    };
  };
  // Chromium hides a dropped file's path from the page; the preload may read it so a file dragged in
  // from Explorer or Finder can be queued by path. Only a real File from a drop has one (a File the
  // page makes has none), and the main process is told, so the window may use that path.
  api.pathForFile = (file: File) => {
    const path = utils.getPathForFile(file);
    if (path) void ipc.invoke(DROPPED_FILE_CHANNEL, path).catch(() => undefined);
    return path;
  };
  return Object.freeze(api) as RegistryApi;
}

contextBridge.exposeInMainWorld('registry', buildRegistryApi({ ipcRenderer, webUtils }));
