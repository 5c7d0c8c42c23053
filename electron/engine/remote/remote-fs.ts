// The one port every protocol adapter implements. The engine above it never knows whether a folder
// listing came over SFTP or FTPS.
import type { ErrorCode, Protocol, RemoteEntry } from '../../../shared/contract';

export interface TransferOptions {
  /** Aborting stops the transfer; the promise then rejects with a RemoteError 'cancelled'. */
  signal?: AbortSignal;
  /** Bytes moved so far, called as they go. */
  onProgress?: (bytes: number) => void;
  /**
   * Downloads: the most bytes that may arrive. Once more have come the adapter stops reading,
   * closes the transfer and rejects with `overran()`; the caller removes the partial file.
   */
  maxBytes?: number;
}

/** A download that passed the most bytes allowed for it (a server that never stops sending). */
export const overran = (name: string, maxBytes: number) =>
  new RemoteError('incomplete', `The registry server kept sending ${name} past its stated size (more than ${maxBytes.toLocaleString('en-US')} bytes), so the download was stopped and nothing was saved.`);

/**
 * A listing is held in memory whole, so a server that never stops listing is cut off: beyond these
 * the listing fails in plain words instead of filling the memory. A registry folder holds at most a
 * few thousand files (quota 300, purge after 180 days).
 */
export const LISTING_LIMITS = { entries: 100_000, bytes: 32 * 1024 * 1024 } as const;

export const listingTooLong = (path: string) =>
  new RemoteError('incomplete', `The registry server sent a listing of ${path} longer than any registry folder holds (over ${LISTING_LIMITS.entries.toLocaleString('en-US')} entries or ${LISTING_LIMITS.bytes / 1024 / 1024} MiB), so it was stopped. Nothing was changed; tell the registry's support team.`);

/**
 * Where a password change the server demands at sign-in stands, reported step by step so the caller
 * keeps its keychain in step. `demanded`: the server wants a new password; `sent`: the new password
 * left this computer; `accepted`: the server confirmed it; `refused`: the server clearly did not take it.
 */
export type PasswordChangeStep = 'demanded' | 'sent' | 'accepted' | 'refused';

/** A voluntary change after login, as the profile names it (FTPS: Serv-U's and Titan's `SITE PSWD`, older WS_FTP's `SITE CPWD`). */
export type SitePasswordCommand = { method: 'site-pswd'; quoted: boolean } | { method: 'site-cpwd' };

/**
 * How a voluntary change ended. `not-sent`: the connection was found dead before the command left
 * (safe to send on a new one); `unknown`: it left, and no clear answer came back.
 */
export type SiteChangeOutcome = 'accepted' | 'refused' | 'unsupported' | 'unknown' | 'not-sent';

export interface SiteChangeResult {
  outcome: SiteChangeOutcome;
  /** The server's reply or the network error, passwords blanked, for IT. */
  detail?: string;
}

/**
 * A server's own commands for changing the signed-in account's password. A capability: present on a
 * connection that can carry them (FTPS), absent where the protocol has none (SFTP changes passwords
 * only when the server demands it at sign-in). Callers ask `fs.passwordCommands`, never the adapter's class.
 */
export interface PasswordCommands {
  /** Sent once, never repeated; a connection found dead before the command left says `not-sent`. */
  change(command: SitePasswordCommand, oldPassword: string, newPassword: string): Promise<SiteChangeResult>;
}

/**
 * Why these passwords cannot be carried by this FTP command, in plain words; null when they can.
 * An FTP command ends at a line break; `PASS old new` and bare `SITE PSWD` split at a space; Titan's
 * quoted form ends at a double quote. Nothing in the sentence repeats a password. Here beside the
 * commands (not in the FTPS adapter) because the credentials layer checks a new password before it
 * keeps it as pending, and the adapter checks it again before it sends.
 */
export function ftpPasswordProblem(method: 'pass-old-new' | SitePasswordCommand['method'], quoted: boolean, passwords: readonly string[]): string | null {
  if (passwords.some((p) => /[\u0000-\u001f\u007f]/.test(p))) return 'A password sent over FTP cannot contain a line break or other control character.';
  const splitsAtSpace = method === 'pass-old-new' || (method === 'site-pswd' && !quoted);
  if (splitsAtSpace && passwords.some((p) => p.includes(' '))) {
    return "This registry's way of changing passwords sends the old and the new password on one line separated by a space, so neither may contain a space.";
  }
  if (method === 'site-pswd' && quoted && passwords.some((p) => p.includes('"'))) {
    return 'This registry\'s way of changing passwords puts each password in double quotes, so neither may contain a double quote (").';
  }
  return null;
}

export interface RemoteFs {
  readonly protocol: Protocol;
  /** The absolute path of the folder the server logged in to. */
  home(): Promise<string>;
  list(path: string): Promise<RemoteEntry[]>;
  /** The size of a file, or null when there is no file by that name. */
  size(path: string): Promise<number | null>;
  /**
   * Send a local file (its path, or the bytes of a small one already read) to `remotePath`,
   * replacing what is there. Resolves with the size the server then reports for it, or null when
   * the server cannot tell.
   */
  upload(from: string | Buffer, remotePath: string, options?: TransferOptions): Promise<number | null>;
  /** Fetch `remotePath` into `localPath` (which the caller has made safe and unique). */
  download(remotePath: string, localPath: string, options?: TransferOptions): Promise<void>;
  /**
   * Fetch `remotePath` into memory only (the report viewer: nothing is written to disk), held to
   * `options.maxBytes` as a download is: past it the transfer stops and rejects with `overran()`.
   */
  read(remotePath: string, options: TransferOptions & { maxBytes: number }): Promise<Buffer>;
  /** Rename; where `to` exists, some servers replace it and others refuse (OpenSSH's SFTP does). */
  rename(from: string, to: string): Promise<void>;
  /**
   * Rename over an existing file in one step, so that there is never a moment without one of the
   * two: present only where the server offers it (OpenSSH's `posix-rename@openssh.com`).
   */
  readonly renameReplacing?: (from: string, to: string) => Promise<void>;
  /** The server's commands for a voluntary password change, where the connection has them (see PasswordCommands). */
  readonly passwordCommands?: PasswordCommands;
  remove(path: string): Promise<void>;
  /** How many transfers this one connection carries at once (1 where the protocol cannot overlap them). */
  readonly parallelTransfers: number;
  /** Whether the connection is still usable (a cancelled FTPS transfer closes it). */
  readonly usable: boolean;
  /** Close the connection; never throws. */
  close(): Promise<void>;
  /** What the connection agreed with the server, for the connection check (diagnose). */
  readonly facts?: () => ConnectionFacts;
}

/** What a connection agreed with its server, in words IT reads. */
export interface ConnectionFacts {
  /** SSH: the key exchange, cipher and MAC chosen; TLS: the version and cipher suite. */
  negotiated: string | null;
  /** FTPS: the port of the last passive data connection the server named. */
  lastDataPort: number | null;
}

export const cancelled = () => new RemoteError('cancelled', 'The transfer was cancelled. Nothing was left half-sent.');

/** An expected failure, with a message in plain words and an optional detail for IT. */
export class RemoteError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** Join POSIX server paths without ever climbing out with `..`. */
export function joinRemote(base: string, relative: string): string {
  if (relative === '.' || relative === '') return base;
  const parts = relative.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new RemoteError('invalid-input', 'A folder name cannot contain "..".');
  return `${base.replace(/\/+$/, '')}/${parts.join('/')}`;
}
