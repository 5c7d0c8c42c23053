// One signed-in account at one registry, shared by the window and the command line. It owns the
// account's connection and says where it stands (closed / opening / open / closing); every remote
// operation runs through it, one at a time on its exclusive queue, except transfers, which share the
// connection under a lease while they run (an SFTP connection carries several at once). A connection
// that sat idle is closed and opened again on the next use; after a password change whose outcome is
// unknown, that reopening tries the old and then the new password, once each, and keeps the one the
// registry takes. FileZilla's engine keeps the same shape: one control socket, one command at a time.
import type { ConnectionInfo } from '../../../shared/contract';
import type { KeychainAccess } from '../credentials/keychain';
import type { FirstLoginRecord } from '../credentials/password-change';
import { vaultAccount } from '../credentials/vault';
import { RemoteError, type RemoteFs } from '../remote/remote-fs';
import type { OpenedConnection, OpenRequest } from './open-verified';
import { notConnected } from './preconditions';

/** Where the session's connection stands. `closed`: none now; the next operation opens one. */
export type ConnectionState = 'closed' | 'opening' | 'open' | 'closing';

export interface SessionDeps {
  /** Open one verified connection (trust checked, leftovers tidied). */
  open: (request: OpenRequest) => Promise<OpenedConnection>;
  keychain: KeychainAccess;
  firstLogin: FirstLoginRecord;
  /** Close an idle connection after this long; the next action reopens it. */
  idleCloseSeconds: number;
}

/**
 * The passwords the next reopening tries, one attempt each, old first, after a change whose outcome
 * the app does not know (a drop, or a change made on the registry's web page).
 */
interface Unsettled {
  candidates: string[];
  remember: boolean;
}

/** What a transfer holds while it uses the connection; the last one to leave gives the turn back. */
interface TransferLease {
  fs: RemoteFs;
  users: number;
  open: boolean;
  end: () => void;
}

export class RegistrySession {
  private connectionState: ConnectionState = 'open';
  private ended = false;
  private fs: RemoteFs | null;
  private idleTimer: NodeJS.Timeout | undefined;
  private unsettled: Unsettled | undefined;
  /** The exclusive queue: each operation starts when the one before it has finished. */
  private lastOperation: Promise<unknown> = Promise.resolve();
  /** Operations other than transfers queued behind the one running now. */
  private othersWaiting = 0;
  private lease: TransferLease | null = null;
  private leaseBeingTaken: Promise<TransferLease> | null = null;

  constructor(
    /** How to open the connection again: the password that works, never a new password. */
    private openRequest: OpenRequest,
    private connectionInfo: ConnectionInfo,
    opened: RemoteFs,
    private readonly deps: SessionDeps,
  ) {
    this.fs = opened;
    this.armIdle();
  }

  get state(): ConnectionState {
    return this.connectionState;
  }

  get info(): ConnectionInfo {
    return this.connectionInfo;
  }

  get request(): OpenRequest {
    return this.openRequest;
  }

  /** False once the user disconnected (or signed in again): the session takes no more work. */
  get active(): boolean {
    return !this.ended;
  }

  /** Whether the registry's password is in doubt (tried on the next reopening). */
  get passwordUnsettled(): boolean {
    return this.unsettled !== undefined;
  }

  update(change: Partial<ConnectionInfo>): ConnectionInfo {
    this.connectionInfo = { ...this.connectionInfo, ...change };
    return this.connectionInfo;
  }

  /** The registry now has `password` (a change it confirmed): reopen with it. */
  passwordIs(password: string): void {
    this.openRequest = { ...this.openRequest, password };
    this.unsettled = undefined;
  }

  /** The registry may have the old or the new password: the next reopening tries both, old first. */
  passwordInDoubt(oldPassword: string, newPassword: string, remember: boolean): void {
    if (oldPassword === newPassword) return;
    this.unsettled = { candidates: [oldPassword, newPassword], remember };
  }

  /**
   * Run a remote operation on the connection, one at a time, reopening a connection that was closed
   * (idle) or failed. A connection that sat idle may have been dropped by the server without a word:
   * then the operation runs once more on a new one. Not for operations that must never run twice.
   */
  async exclusive<T>(op: (fs: RemoteFs) => Promise<T>): Promise<T> {
    this.mustBeActive();
    return this.queue(async () => {
      const reused = this.fs !== null && this.fs.usable;
      const fs = await this.connection();
      try {
        return await op(fs);
      } catch (error) {
        if (!(reused && error instanceof RemoteError && error.code === 'unreachable')) throw error;
        await this.closeConnection();
        return await op(await this.connection());
      } finally {
        this.armIdle();
      }
    });
  }

  /**
   * Run an operation on the connection exactly once, one at a time, reopening it first if it was
   * closed or failed (a password command: sent twice, it could change the password twice).
   */
  async once<T>(op: (fs: RemoteFs) => Promise<T>): Promise<T> {
    this.mustBeActive();
    return this.queue(async () => {
      try {
        return await op(await this.connection());
      } finally {
        this.armIdle();
      }
    });
  }

  /** Close the connection and open a new one now (to find out which password the registry has). */
  async reconnect(): Promise<void> {
    this.mustBeActive();
    return this.queue(async () => {
      try {
        await this.closeConnection();
        await this.connection();
      } finally {
        this.armIdle();
      }
    });
  }

  /**
   * For transfers: the connection, reopened if it closed; never re-run after a failure. The first
   * transfer takes a turn on the exclusive queue and holds it while any transfer uses the connection.
   * A transfer that starts meanwhile joins, unless another operation is waiting for its turn: then it
   * waits behind that one, so browsing is never shut out by a long batch. Transfers that cannot join
   * wait for one new turn together, never one turn each (that would send them one at a time).
   */
  async withTransferLease<T>(op: (fs: RemoteFs) => Promise<T>): Promise<T> {
    this.mustBeActive();
    const joinable = (lease: TransferLease | null): lease is TransferLease => lease !== null && lease.open && lease.fs.usable;
    let lease = this.lease;
    if (!joinable(lease) || this.othersWaiting > 0) {
      this.leaseBeingTaken ??= this.takeLease().finally(() => (this.leaseBeingTaken = null));
      lease = await this.leaseBeingTaken;
    }
    lease.users += 1;
    try {
      return await op(lease.fs);
    } finally {
      lease.users -= 1;
      if (lease.users === 0) {
        lease.open = false;
        lease.end();
      }
    }
  }

  /** The transfers are done: close the connection (the registry asks for it) or let it idle. */
  async transfersDrained(): Promise<void> {
    if (this.ended) return;
    if (this.openRequest.profile.network.disconnectAfterTransfers) await this.queue(() => this.closeConnection(), { evenIfEnded: true });
    else this.armIdle();
  }

  /** The connection was used outside the queue's bookkeeping (a lease): start the idle clock. */
  idle(): void {
    this.armIdle();
  }

  /** End the session: no more work; the connection closes once the operation running now ends. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idleTimer);
    await this.queue(() => this.closeConnection(), { evenIfEnded: true });
  }

  private mustBeActive(): void {
    if (this.ended) throw notConnected();
  }

  private queue<T>(op: () => Promise<T>, { isTransferTurn = false, evenIfEnded = false } = {}): Promise<T> {
    if (!isTransferTurn) this.othersWaiting += 1;
    const start = () => {
      if (!isTransferTurn) this.othersWaiting -= 1;
      // Work queued before the user disconnected is not sent after it: only closing is.
      if (this.ended && !evenIfEnded) return Promise.reject(notConnected());
      return op();
    };
    const next = this.lastOperation.then(start, start);
    this.lastOperation = next.catch(() => undefined);
    return next;
  }

  private takeLease(): Promise<TransferLease> {
    return new Promise<TransferLease>((resolve, reject) => {
      this.queue(async () => {
        clearTimeout(this.idleTimer);
        const fs = await this.connection();
        let end = () => undefined as void;
        const ended = new Promise<void>((done) => (end = done));
        const lease: TransferLease = { fs, users: 0, open: true, end };
        this.lease = lease;
        resolve(lease);
        await ended;
        if (this.lease === lease) this.lease = null;
      }, { isTransferTurn: true }).catch(reject);
    });
  }

  /** The open connection; a failed one (a timeout, a cancelled FTPS transfer) is closed and replaced. */
  private async connection(): Promise<RemoteFs> {
    clearTimeout(this.idleTimer);
    if (this.fs && !this.fs.usable) await this.closeConnection();
    if (this.fs) return this.fs;
    // Never reopened once the session ended.
    if (this.ended) throw notConnected();
    this.connectionState = 'opening';
    try {
      this.fs = await this.reopen();
      this.connectionState = 'open';
      return this.fs;
    } catch (error) {
      this.connectionState = 'closed';
      throw error;
    }
  }

  private async closeConnection(): Promise<void> {
    clearTimeout(this.idleTimer);
    const fs = this.fs;
    this.fs = null;
    if (!fs) return;
    this.connectionState = 'closing';
    try {
      await fs.close();
    } finally {
      this.connectionState = 'closed';
    }
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    if (this.ended || this.fs === null) return;
    this.idleTimer = setTimeout(() => void this.queue(() => this.closeConnection(), { evenIfEnded: true }).catch(() => undefined), this.deps.idleCloseSeconds * 1000);
    this.idleTimer.unref?.();
  }

  /**
   * Open the connection again. After a change with an unknown outcome, the old password and then the
   * new one are tried once each, and the one the registry takes is kept (in the keychain too).
   */
  private async reopen(): Promise<RemoteFs> {
    const unsettled = this.unsettled;
    if (!unsettled) return (await this.deps.open(this.openRequest)).fs;
    const { profileId, username } = this.connectionInfo;
    for (let i = 0; ; i++) {
      const password = unsettled.candidates[i] as string;
      try {
        const opened = await this.deps.open({ ...this.openRequest, password });
        this.passwordIs(password);
        await this.deps.keychain.use((k) => k.settle(vaultAccount(profileId, username), password, unsettled.remember));
        if (i > 0) {
          // The new password got in: the registry did take the change.
          this.deps.firstLogin.markChanged(profileId, username);
          this.update({ passwordChangeDue: false });
        }
        return opened.fs;
      } catch (error) {
        if (!(error instanceof RemoteError && error.code === 'auth-failed' && i + 1 < unsettled.candidates.length)) throw error;
      }
    }
  }
}
