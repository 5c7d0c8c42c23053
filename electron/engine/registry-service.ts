// The engine's face for the window: one handler per call of the contract, grouped by capability in
// handlers/, over the application layer (engine.ts) the command line uses too. The Electron main
// process, the e2e bridge and the tests all drive the app through these handlers, after
// `dispatchCall` has checked the payload against the contract. What is here is only wiring.
import type { CallHandlers } from '../../shared/contract';
import { createEngine, type EnginePorts } from './engine';
import { browseHandlers } from './handlers/browse';
import { connectionHandlers } from './handlers/connection';
import { autoSendHandlers } from './handlers/auto-send';
import { diagnoseHandlers } from './handlers/diagnose';
import { keyHandlers } from './handlers/keys';
import { passwordHandlers } from './handlers/passwords';
import { reportHandlers } from './handlers/reports';
import { submissionHandlers } from './handlers/submissions';
import { transferHandlers } from './handlers/transfers';
import { trustHandlers } from './handlers/trust';

export type ServicePorts = EnginePorts;
export { KEYCHAIN_NOT_SAVED, notSavedNotice } from './credentials/keychain';
export { PENDING_PROMOTED } from './credentials/sign-in';

export interface RegistryService {
  handlers: CallHandlers;
  /**
   * Files or folders the user dropped on the window, as the preload read them from real File objects
   * (never from a path the page names): the window may use them as if picked. Not a call of the
   * contract, so the page cannot reach it.
   */
  grantDropped(paths: readonly string[]): void;
  /** Whether the window may open `url` in the system browser: only a registry's own https pages. */
  mayOpenExternally(url: string): boolean;
  /** Whether an export folder is being watched and sent from (closing the window then keeps the app running). */
  sendsAutomatically(): boolean;
  /** Close the connection and deny any open prompt (the window closed, the app quits). */
  dispose(): Promise<void>;
}

/** An https address in one spelling (no fragment), or null for anything else. */
function normalizedHttps(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' || parsed.hostname === '' || parsed.username !== '' || parsed.password !== '') return null;
    parsed.hash = '';
    return parsed.href;
  } catch {
    return null;
  }
}

export function createRegistryService(ports: ServicePorts): RegistryService {
  const engine = createEngine(ports);
  const handlers: CallHandlers = {
    ...connectionHandlers(engine),
    ...passwordHandlers(engine),
    ...browseHandlers(engine),
    ...transferHandlers(engine),
    ...trustHandlers(engine),
    ...submissionHandlers(engine),
    ...reportHandlers(engine),
    ...keyHandlers(engine),
    ...diagnoseHandlers(engine),
    ...autoSendHandlers(engine),
  };
  return {
    handlers,
    grantDropped(paths) {
      // Only files can be sent; a dropped folder is refused by the checks, so its path alone is granted.
      for (const path of paths) if (typeof path === 'string' && path !== '') engine.localGrants.grant(path, 'file');
    },
    mayOpenExternally(url) {
      const wanted = normalizedHttps(url);
      if (wanted === null) return false;
      return engine.catalog.all().some(({ profile }) =>
        [profile.webClientUrl, profile.passwordChange.webPageUrl].some((own) => own !== null && normalizedHttps(own) === wanted),
      );
    },
    sendsAutomatically: () => engine.autoSender.watchingNow,
    async dispose() {
      engine.broker.denyAll();
      await engine.autoSender.stop();
      await engine.disconnect();
    },
  };
}
