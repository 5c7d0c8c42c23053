// The one port every protocol adapter implements. The engine above it never knows whether a folder
// listing came over SFTP or FTPS.
import type { ErrorCode, Protocol, RemoteEntry } from '../../../shared/contract';

export interface RemoteFs {
  readonly protocol: Protocol;
  /** The absolute path of the folder the server logged in to. */
  home(): Promise<string>;
  list(path: string): Promise<RemoteEntry[]>;
  /** Close the connection; never throws. */
  close(): Promise<void>;
}

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
