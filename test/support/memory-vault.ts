// The CredentialVault port in memory, as the OS keychain behaves for its three calls, with a switch
// for a keychain that cannot be used (locked, no session bus), so that what sign-in keeps is read
// straight from `entries`.
import { VaultError, type CredentialVault } from '../../electron/engine/credentials/vault';

export class MemoryVault implements CredentialVault {
  readonly entries = new Map<string, string>();
  /** When set, every call fails as a keychain that cannot be used does. */
  unavailable: string | null = null;
  /** How many times a password was written (set) or removed (delete). */
  writes = 0;

  constructor(entries: Record<string, string> = {}) {
    for (const [account, password] of Object.entries(entries)) this.entries.set(account, password);
  }

  private check(): void {
    if (this.unavailable !== null) throw new VaultError(`The system keychain is not available: ${this.unavailable}`);
  }

  async get(account: string): Promise<string | null> {
    this.check();
    return this.entries.get(account) ?? null;
  }

  async set(account: string, password: string): Promise<void> {
    this.check();
    this.writes += 1;
    this.entries.set(account, password);
  }

  async delete(account: string): Promise<boolean> {
    this.check();
    this.writes += 1;
    return this.entries.delete(account);
  }

  /** What is saved, as a plain record (for `toEqual`). */
  saved(): Record<string, string> {
    return Object.fromEntries(this.entries);
  }
}
