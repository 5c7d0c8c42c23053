// The password change that never locks anyone out. A registry account has at most two passwords in
// the keychain: the *current* one (`<profile>:<user>`), and a *pending* one (`<profile>:<user>#pending`)
// written before a new password leaves this computer. Whatever stops the change half-way (the app is
// killed, the network drops, the keychain write fails after the server took the new one), one of the
// two is the password the registry has, and the next login finds it in at most two attempts.
import type { CredentialVault } from './vault';

/** Where a password to try came from. */
export type PasswordSource = 'current' | 'pending';

export interface LoginCandidate {
  source: PasswordSource;
  password: string;
}

/** What `settle` did with the password the registry accepted. */
export interface Settled {
  /** Which saved password it was; `typed` when it was neither (the user typed another one). */
  source: PasswordSource | 'typed';
  /** Whether it is now the current password in the keychain. */
  saved: boolean;
}

export const pendingAccount = (account: string): string => `${account}#pending`;

export class PasswordKeeper {
  constructor(private readonly vault: CredentialVault) {}

  /** Keep the new password as pending. Must finish before anything is sent to the server. */
  async beginChange(account: string, newPassword: string): Promise<void> {
    await this.vault.set(pendingAccount(account), newPassword);
  }

  /**
   * The server confirmed the change: the pending password becomes the current one. Current is written
   * before pending is dropped, so a failure between the two leaves the new password in both places
   * rather than in none.
   */
  async confirmChange(account: string): Promise<void> {
    const pending = await this.vault.get(pendingAccount(account));
    if (pending === null) return;
    await this.vault.set(account, pending);
    await this.vault.delete(pendingAccount(account));
  }

  /** The server clearly refused the new password (or never saw it): only the current one stands. */
  async abandonChange(account: string): Promise<void> {
    await this.vault.delete(pendingAccount(account));
  }

  async saved(account: string): Promise<{ current: string | null; pending: string | null }> {
    const current = await this.vault.get(account);
    const pending = await this.vault.get(pendingAccount(account));
    return { current, pending };
  }

  /**
   * The passwords to try, in order, one attempt each: the current one, then the pending one, which
   * exists only when an earlier change ended without the app learning whether the server took it.
   */
  async loginCandidates(account: string): Promise<LoginCandidate[]> {
    const { current, pending } = await this.saved(account);
    const candidates: LoginCandidate[] = [];
    if (current !== null) candidates.push({ source: 'current', password: current });
    if (pending !== null && pending !== current) candidates.push({ source: 'pending', password: pending });
    return candidates;
  }

  /**
   * After the registry accepted `accepted`: keep only that one. A pending password that worked means
   * the earlier change did reach the server, so it becomes current (unless the user asked for nothing
   * to be saved and nothing was); a current one that worked means it never did, so pending goes.
   * `remember`: the user wants the accepted password saved.
   */
  async settle(account: string, accepted: string, remember: boolean): Promise<Settled> {
    const { current, pending } = await this.saved(account);
    if (pending !== null && accepted === pending) {
      // A saved current password is stale now: keeping it would cost a failed attempt every login.
      if (remember || current !== null) {
        await this.confirmChange(account);
        return { source: 'pending', saved: true };
      }
      await this.abandonChange(account);
      return { source: 'pending', saved: false };
    }
    if (pending !== null) await this.abandonChange(account);
    if (current !== null && accepted === current) return { source: 'current', saved: true };
    if (remember) {
      await this.vault.set(account, accepted);
      return { source: 'typed', saved: true };
    }
    return { source: 'typed', saved: false };
  }

  /**
   * Save the password the server accepted as current, leaving pending alone: for a change whose end
   * is unknown, where the next login must still find both.
   */
  async keepCurrent(account: string, password: string): Promise<void> {
    await this.vault.set(account, password);
  }

  /** Remove both passwords of a login. True when there was one to remove. */
  async forget(account: string): Promise<boolean> {
    const removedCurrent = await this.vault.delete(account);
    const removedPending = await this.vault.delete(pendingAccount(account));
    return removedCurrent || removedPending;
  }
}
