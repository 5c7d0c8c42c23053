// SFTP adapter on ssh2-sftp-client. The host key is checked against the caller's decision before
// any credential leaves this computer; a login is attempted exactly once (registries lock accounts
// after failed logins); no keep-alive, as the registries ask.
import { createWriteStream } from 'node:fs';
import { open as openLocal } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import type { RemoteEntry } from '../../../shared/contract';
import { sshFingerprint, sshKeyAlgorithm } from '../trust/fingerprint';
import type { SeenIdentity } from '../trust/trust-store';
import { toRemoteError, type ErrorContext } from './errors';
import { cancelled, RemoteError, type RemoteFs, type TransferOptions } from './remote-fs';

export interface SftpConnectOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  timeoutSeconds: number;
  /** Decide on the server's host key before anything else is sent. Return true to go on. */
  verifyIdentity: (seen: SeenIdentity) => boolean;
  errorContext?: Partial<ErrorContext>;
}

export const HOST_KEY_REJECTED = 'host key not accepted';

export async function openSftp(options: SftpConnectOptions): Promise<RemoteFs> {
  const ctx: ErrorContext = {
    host: options.host,
    port: options.port,
    timeoutSeconds: options.timeoutSeconds,
    ...options.errorContext,
    secrets: [options.password],
  };
  const client = new SftpClient('registry-transfer', {
    // After connect, ssh2-sftp-client reports late errors here; the operation that is waiting gets
    // the error itself, so nothing is needed but to keep them from being thrown as unhandled.
    error: () => undefined,
  });
  let identityRejected = false;
  let passwordOffered = false;
  let sftp: SFTPWrapper;
  try {
    sftp = await client.connect({
      host: options.host,
      port: options.port,
      username: options.username,
      readyTimeout: options.timeoutSeconds * 1000,
      keepaliveInterval: 0,
      hostVerifier: (key: Buffer) => {
        const accepted = options.verifyIdentity({
          host: options.host,
          port: options.port,
          kind: 'ssh-host-key',
          fingerprint: sshFingerprint(key),
          description: sshKeyAlgorithm(key),
        });
        identityRejected = !accepted;
        return accepted;
      },
      // Exactly one password attempt, and nothing else tried: no agent, no keys from disk.
      authHandler: (_methodsLeft, _partialSuccess, next) => {
        if (passwordOffered) return next(false as never);
        passwordOffered = true;
        return next({ type: 'password', username: options.username, password: options.password });
      },
    });
  } catch (error) {
    await client.end().catch(() => undefined);
    if (identityRejected) throw new RemoteError('identity-unknown', HOST_KEY_REJECTED);
    throw toRemoteError(error, ctx);
  }
  const fs = new SftpFs(client, sftp, ctx);
  // A server that closes an idle connection: the next transfer must open a new one, not fail.
  client.on('close', () => fs.markClosed());
  client.on('end', () => fs.markClosed());
  return fs;
}

/** OpenSSH's sftp keeps 64 requests of 32 KiB in flight; so does this, for the same throughput. */
const CHUNK = 32 * 1024;
const IN_FLIGHT = 64;

const call = <T>(fn: (cb: (err: Error | undefined | null, value: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

/**
 * Write a local file with many requests in flight (as `sftp` and ssh2's fastPut do), reading it once
 * in order with bounded memory, checking the abort signal between chunks.
 */
async function pipelinedUpload(sftp: SFTPWrapper, localPath: string, remotePath: string, options: TransferOptions): Promise<void> {
  const local = await openLocal(localPath, 'r');
  let handle: Buffer | undefined;
  try {
    const { size } = await local.stat();
    handle = await call<Buffer>((cb) => sftp.open(remotePath, 'w', cb));
    const remote = handle;
    let offset = 0;
    let sent = 0;
    let failure: unknown;
    const inFlight = new Set<Promise<void>>();
    const sendChunk = async (position: number, length: number) => {
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await local.read(buffer, 0, length, position);
      await call<void>((cb) => sftp.write(remote, buffer, 0, bytesRead, position, cb as never));
      sent += bytesRead;
      options.onProgress?.(sent);
    };
    while ((offset < size || inFlight.size > 0) && failure === undefined) {
      while (offset < size && inFlight.size < IN_FLIGHT && !options.signal?.aborted) {
        const length = Math.min(CHUNK, size - offset);
        const task: Promise<void> = sendChunk(offset, length).then(
          () => void inFlight.delete(task),
          (error: unknown) => {
            inFlight.delete(task);
            failure ??= error;
          },
        );
        inFlight.add(task);
        offset += length;
      }
      if (options.signal?.aborted && inFlight.size === 0) break;
      if (inFlight.size > 0) await Promise.race(inFlight);
    }
    await Promise.allSettled(inFlight);
    if (failure !== undefined) throw failure;
    if (options.signal?.aborted) throw cancelled();
  } finally {
    if (handle) await call<void>((cb) => sftp.close(handle as Buffer, cb as never)).catch(() => undefined);
    await local.close();
  }
}

class SftpFs implements RemoteFs {
  readonly protocol = 'sftp' as const;
  private closed = false;

  constructor(
    private readonly client: SftpClient,
    private readonly sftp: SFTPWrapper,
    private readonly ctx: ErrorContext,
  ) {}

  get usable(): boolean {
    return !this.closed;
  }

  markClosed(): void {
    this.closed = true;
  }

  private fail(error: unknown, path: string): RemoteError {
    return toRemoteError(error, { ...this.ctx, path });
  }

  async size(path: string): Promise<number | null> {
    try {
      const stats = await call<{ size: number; isFile(): boolean }>((cb) => this.sftp.stat(path, cb as never));
      return stats.isFile() ? stats.size : null;
    } catch (error) {
      if ((error as { code?: unknown }).code === 2) return null;
      throw this.fail(error, path);
    }
  }

  async upload(localPath: string, remotePath: string, options: TransferOptions = {}): Promise<void> {
    try {
      await pipelinedUpload(this.sftp, localPath, remotePath, options);
    } catch (error) {
      throw this.fail(error, remotePath);
    }
  }

  async download(remotePath: string, localPath: string, options: TransferOptions = {}): Promise<void> {
    let moved = 0;
    const source = this.sftp.createReadStream(remotePath);
    source.on('data', (chunk: Buffer) => {
      moved += chunk.length;
      options.onProgress?.(moved);
    });
    try {
      await pipeline(source, createWriteStream(localPath, { flags: 'wx', mode: 0o600 }), options.signal ? { signal: options.signal } : {});
    } catch (error) {
      if (options.signal?.aborted) throw cancelled();
      throw this.fail(error, remotePath);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    try {
      await call<void>((cb) => this.sftp.rename(from, to, cb as never));
    } catch (error) {
      throw this.fail(error, from);
    }
  }

  async remove(path: string): Promise<void> {
    try {
      await call<void>((cb) => this.sftp.unlink(path, cb as never));
    } catch (error) {
      throw this.fail(error, path);
    }
  }

  async home(): Promise<string> {
    try {
      return await this.client.realPath('.');
    } catch (error) {
      throw toRemoteError(error, this.ctx);
    }
  }

  async list(path: string): Promise<RemoteEntry[]> {
    try {
      const items = await this.client.list(path);
      return items.map((item) => ({
        name: item.name,
        kind: item.type === 'd' ? 'folder' : item.type === '-' ? 'file' : 'other',
        size: item.size,
        modified: Number.isFinite(item.modifyTime) ? item.modifyTime : null,
      }));
    } catch (error) {
      throw toRemoteError(error, { ...this.ctx, path });
    }
  }

  private ended = false;

  async close(): Promise<void> {
    this.closed = true;
    if (this.ended) return;
    this.ended = true;
    await this.client.end().catch(() => undefined);
  }
}
