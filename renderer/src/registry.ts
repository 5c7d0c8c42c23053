// The renderer's only way out: `window.registry`, exposed by the preload (or the e2e bridge) with one
// method per call of the contract. Nothing here opens a socket or touches the disk.
import type { Failure, RegistryApi } from '../../shared/contract';

declare global {
  interface Window {
    registry: RegistryApi;
  }
}

export const registry = (): RegistryApi => window.registry;

/**
 * A call that throws (the main process is gone, the bridge broke) becomes a failure in plain words,
 * so the window can say so instead of showing nothing.
 */
export async function safely<T extends { ok: boolean }>(call: () => Promise<T>): Promise<T | Failure> {
  try {
    return await call();
  } catch {
    return {
      ok: false,
      code: 'internal',
      message: 'The app could not finish that request. Please try again; if it keeps happening, restart the app.',
    };
  }
}
