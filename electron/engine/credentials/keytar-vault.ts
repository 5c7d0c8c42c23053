// The CredentialVault on the OS keychain through keytar: Windows Credential Manager, macOS Keychain,
// the Secret Service (GNOME Keyring, KWallet) on Linux. keytar is a native module, loaded only when a
// password is first needed, so a machine where it cannot load still runs everything else.
import { KEYCHAIN_SERVICE, VaultError, type CredentialVault } from './vault';

type Keytar = Pick<typeof import('keytar'), 'getPassword' | 'setPassword' | 'deletePassword'>;

const UNAVAILABLE = 'The system keychain is not available';

/**
 * Linux without a desktop session is where keytar fails most: no D-Bus session bus, no Secret
 * Service on it, or a keyring that needs a prompt nobody can answer. Each gets one plain sentence.
 */
export function keychainFailure(error: unknown): VaultError {
  const raw = error instanceof Error ? error.message : String(error);
  const detail = raw.slice(0, 300);
  if (/Cannot autolaunch D-?Bus|DBUS_SESSION_BUS_ADDRESS|Could not connect|\$DISPLAY/i.test(raw)) {
    return new VaultError(`${UNAVAILABLE}: this session has no connection to it (no D-Bus session bus).`, detail);
  }
  if (/not provided by any \.service files|ServiceUnknown|NameHasNoOwner/i.test(raw)) {
    return new VaultError(`${UNAVAILABLE}: no keyring service (such as GNOME Keyring or KWallet) is running.`, detail);
  }
  if (/locked|collection|prompt|dismissed|Object does not exist/i.test(raw)) {
    return new VaultError(`${UNAVAILABLE}: the keyring is locked or not set up. Unlock it (log in to the desktop) and try again.`, detail);
  }
  return new VaultError(`${UNAVAILABLE}: it did not answer as expected.`, detail);
}

async function loadKeytar(): Promise<Keytar> {
  try {
    const loaded = (await import('keytar')) as Keytar & { default?: Keytar };
    // keytar is CommonJS: under ESM its functions may sit on `default` only.
    return loaded.default ?? loaded;
  } catch (error) {
    throw new VaultError(
      `${UNAVAILABLE}: the app's keychain module (keytar) is not installed correctly. Reinstalling the app fixes this.`,
      (error instanceof Error ? error.message : String(error)).slice(0, 300),
    );
  }
}

export class KeytarVault implements CredentialVault {
  private keytar: Promise<Keytar> | null = null;

  constructor(
    private readonly service: string = KEYCHAIN_SERVICE,
    /** A keychain that neither answers nor fails (a hidden unlock prompt) must not hang the caller. */
    private readonly timeoutSeconds = 20,
  ) {}

  private async call<T>(operation: (keytar: Keytar) => Promise<T>): Promise<T> {
    this.keytar ??= loadKeytar();
    const keytar = await this.keytar;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new VaultError(`${UNAVAILABLE}: it did not answer within ${this.timeoutSeconds} seconds. It may be waiting to be unlocked.`)),
        this.timeoutSeconds * 1000,
      );
      timer.unref?.();
    });
    try {
      return await Promise.race([operation(keytar), timeout]);
    } catch (error) {
      throw error instanceof VaultError ? error : keychainFailure(error);
    } finally {
      clearTimeout(timer);
    }
  }

  get(account: string): Promise<string | null> {
    return this.call((k) => k.getPassword(this.service, account));
  }

  set(account: string, password: string): Promise<void> {
    return this.call((k) => k.setPassword(this.service, account, password));
  }

  delete(account: string): Promise<boolean> {
    return this.call((k) => k.deletePassword(this.service, account));
  }
}
