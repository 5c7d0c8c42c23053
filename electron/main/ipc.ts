// Binds every call of the contract to its IPC channel. Each call is checked twice before the engine
// sees it: the sender must be the main frame of the app's own window showing the bundled page, and
// the payload must match the call's schema (dispatchCall).
import type { BrowserWindow, IpcMainInvokeEvent } from 'electron';
import { CALL_NAMES, callChannel, dispatchCall, DROPPED_FILE_CHANNEL, droppedFilePath, failure, type CallHandlers, type Result } from '../../shared/contract';
import { isBundledPage } from './window';

/** The part of ipcMain this module uses, so tests can drive it with a stub. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

const FORBIDDEN_MESSAGE = 'That request did not come from the app’s own window, so it was refused.';

/**
 * Register one handler per contract call. Returns a function that removes them again (used when the
 * service is disposed, so a late call cannot reach a closed engine).
 */
export function bindRegistryCalls(
  ipc: IpcMainLike,
  handlers: CallHandlers,
  isTrustedSender: SenderCheck,
  grantDropped: (paths: readonly string[]) => void = () => undefined,
): () => void {
  const trusted = (event: IpcMainInvokeEvent) => {
    try {
      return isTrustedSender(event);
    } catch {
      return false;
    }
  };
  for (const name of CALL_NAMES) {
    ipc.handle(callChannel(name), async (event, payload): Promise<Result<object>> => {
      if (!trusted(event)) return failure('forbidden-sender', FORBIDDEN_MESSAGE);
      return dispatchCall(handlers, name, payload);
    });
  }
  // The grant is made before this handler's first await, so a call the preload sends right after
  // (the upload of the dropped file) finds it.
  ipc.handle(DROPPED_FILE_CHANNEL, async (event, payload): Promise<boolean> => {
    if (!trusted(event)) return false;
    const path = droppedFilePath.safeParse(payload);
    if (!path.success) return false;
    grantDropped([path.data]);
    return true;
  });
  return () => {
    for (const name of CALL_NAMES) ipc.removeHandler(callChannel(name));
    ipc.removeHandler(DROPPED_FILE_CHANNEL);
  };
}

/**
 * A sender is trusted when the call comes from the top frame of our window (not an iframe, not another
 * window) and that frame shows the bundled page (not a page it was somehow navigated to).
 */
export function trustedSenderCheck(getWindow: () => BrowserWindow | null, pagePath: string): SenderCheck {
  return (event) => {
    const window = getWindow();
    if (!window || window.isDestroyed()) return false;
    const contents = window.webContents;
    if (event.sender?.id !== contents.id) return false;
    const frame = event.senderFrame;
    if (!frame) return false;
    const main = contents.mainFrame;
    if (frame !== main && !(frame.processId === main.processId && frame.routingId === main.routingId)) return false;
    return isBundledPage(frame.url, pagePath);
  };
}
