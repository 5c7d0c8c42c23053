// The keychain as the rest of the engine sees it: every use of the PasswordKeeper goes through here,
// so a keychain that is missing, locked or broken is a plain sentence for the user, never a crash,
// and the login or the password change goes on without it.
import { PasswordKeeper } from './password-keeper';
import { VaultError, type CredentialVault } from './vault';

export type Keychain<T> = { ok: true; value: T } | { ok: false; error: VaultError };

/** How every sentence about a keychain that could not be used begins. */
export const KEYCHAIN_UNAVAILABLE = 'The system keychain is not available';
/** Said whenever a password could not be saved: the login itself goes on with the typed password. */
export const KEYCHAIN_NOT_SAVED = `${KEYCHAIN_UNAVAILABLE}, so the password was not saved. You will be asked for it each time.`;

const NO_VAULT = new VaultError('The system keychain is not available: this window has no access to it.');

/** The keychain's own reason (locked, no session bus, ...) as a sentence of its own. */
export function keychainReason(error: VaultError): string {
  const reason = error.message.replace(/^The system keychain is not available[:,.]?\s*/, '').trim();
  return reason === '' ? '' : reason.charAt(0).toUpperCase() + reason.slice(1);
}

export function notSavedNotice(error: VaultError): string {
  const reason = keychainReason(error);
  return reason === '' ? KEYCHAIN_NOT_SAVED : `${KEYCHAIN_NOT_SAVED} ${reason}`;
}

/** Said when the new password of a change could not be kept as pending. */
export function newPasswordNotKeptNotice(error: VaultError): string {
  return `The system keychain is not available, so the new password is not saved by the app: remember it. ${keychainReason(error)}`.trim();
}

export class KeychainAccess {
  private readonly keeper: PasswordKeeper | null;

  /** Without a vault nothing is saved, and the user types the password each time. */
  constructor(vault: CredentialVault | undefined) {
    this.keeper = vault ? new PasswordKeeper(vault) : null;
  }

  async use<T>(op: (keeper: PasswordKeeper) => Promise<T>): Promise<Keychain<T>> {
    if (!this.keeper) return { ok: false, error: NO_VAULT };
    try {
      return { ok: true, value: await op(this.keeper) };
    } catch (error) {
      if (error instanceof VaultError) return { ok: false, error };
      return { ok: false, error: new VaultError('The system keychain is not available: it did not answer as expected.') };
    }
  }

  /** Whether a password (current or pending) is saved for a login. */
  async hasSaved(account: string): Promise<Keychain<boolean>> {
    const saved = await this.use((k) => k.saved(account));
    return saved.ok ? { ok: true, value: saved.value.current !== null || saved.value.pending !== null } : saved;
  }
}
