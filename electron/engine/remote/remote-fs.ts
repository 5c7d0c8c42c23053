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
  /** Rename; where `to` exists, some servers replace it and others refuse (OpenSSH's SFTP does). */
  rename(from: string, to: string): Promise<void>;
  /**
   * Rename over an existing file in one step, so that there is never a moment without one of the
   * two: present only where the server offers it (OpenSSH's `posix-rename@openssh.com`).
   */
  readonly renameReplacing?: (from: string, to: string) => Promise<void>;
  remove(path: string): Promise<void>;
  /** How many transfers this one connection carries at once (1 where the protocol cannot overlap them). */
  readonly parallelTransfers: number;
  /** Whether the connection is still usable (a cancelled FTPS transfer closes it). */
  readonly usable: boolean;
  /** Close the connection; never throws. */
  close(): Promise<void>;
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
