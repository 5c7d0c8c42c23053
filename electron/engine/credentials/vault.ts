// The CredentialVault port: where registry passwords live. Only the OS keychain backs it (see
// keytar-vault.ts); settings files never hold a password.

/** The keychain's service name for every password the app saves (the desktop app and the CLI). */
export const KEYCHAIN_SERVICE = 'org.registrytransfer.app';

export interface CredentialVault {
  /** The saved password, or null when none is saved (or a locked keychain will not say). */
  get(account: string): Promise<string | null>;
  set(account: string, password: string): Promise<void>;
  /** Returns false when there was nothing to delete. */
  delete(account: string): Promise<boolean>;
}

/** One keychain entry per registry login: the same username at two registries is two entries. */
export function vaultAccount(profileId: string, username: string): string {
  return `${profileId}:${username}`;
}

/** The keychain could not be used at all; the message is plain words for the user. */
export class VaultError extends Error {
  readonly code = 'keychain-unavailable' as const;

  constructor(
    message: string,
    /** What the keychain library said, for the clinic's IT. Never holds a password. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'VaultError';
  }
}
