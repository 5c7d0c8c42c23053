// SFTP adapter on ssh2-sftp-client. The host key is checked against the caller's decision before
// any credential leaves this computer; a login is attempted exactly once (registries lock accounts
// after failed logins); no keep-alive, as the registries ask.
import { createWriteStream } from 'node:fs';
import { open as openLocal } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Client as SshClient, SFTPWrapper } from 'ssh2';
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
/** How long a polite goodbye may take before the socket is simply closed. */
const CLOSE_GRACE_MS = 2_000;

const call = <T>(fn: (cb: (err: Error | undefined | null, value: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

/** Errors shaped like the socket's own, so toRemoteError words them like any other drop or timeout. */
const connectionLost = () => Object.assign(new Error('Connection lost: the server closed the connection'), { code: 'ECONNRESET' });
const stalled = (seconds: number) => Object.assign(new Error(`timed out: no answer from the server for ${seconds} seconds`), { code: 'ETIMEDOUT' });

/**
 * Waits for the server's answers, but not forever. ssh2 has no timeout of its own once connected, and
 * never answers a request made after the connection dropped, so every wait is raced against the
 * connection closing and against `timeoutSeconds` of silence.
 */
interface ReplyGuard {
  /** Sends nothing when the connection is already closed: `request` is only called on a live one. */
  reply<T>(request: () => Promise<T>): Promise<T>;
}

/**
 * Write a local file with many requests in flight (as `sftp` and ssh2's fastPut do), reading it once
 * in order with bounded memory, checking the abort signal between chunks. The server must finish at
 * least one write in every `timeoutSeconds`, or the upload fails as stalled.
 */
async function pipelinedUpload(sftp: SFTPWrapper, guard: ReplyGuard, localPath: string, remotePath: string, options: TransferOptions): Promise<void> {
  const local = await openLocal(localPath, 'r');
  let handle: Buffer | undefined;
  const inFlight = new Set<Promise<void>>();
  try {
    const { size } = await local.stat();
    handle = await guard.reply(() => call<Buffer>((cb) => sftp.open(remotePath, 'w', cb)));
    const remote = handle;
    let offset = 0;
    let sent = 0;
    let failure: unknown;
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
      // The stall watchdog: some write must finish within the timeout.
      if (inFlight.size > 0) await guard.reply(() => Promise.race(inFlight)).catch((error: unknown) => void (failure ??= error));
    }
    if (failure !== undefined) throw failure;
    if (options.signal?.aborted) throw cancelled();
  } finally {
    // On a live connection the writes already sent are let finish and the handle is closed cleanly;
    // on a dead one nothing would ever answer, and the guard says so at once.
    if (handle) {
      const open = handle;
      await guard
        .reply(() => Promise.allSettled(inFlight))
        .then(() => guard.reply(() => call<void>((cb) => sftp.close(open, cb as never))))
        .catch(() => undefined);
    }
    await local.close();
  }
}

class SftpFs implements RemoteFs, ReplyGuard {
  readonly protocol = 'sftp' as const;
  private closed = false;
  private ended = false;
  /** Aborted when the connection closes, for whoever is waiting on the server. */
  private readonly dropped = new AbortController();

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
    this.dropped.abort();
  }

  private get ssh(): SshClient {
    return (this.client as unknown as { client: SshClient }).client;
  }

  /** Close the socket at once: used when the server stopped answering, as a goodbye would wait too. */
  private drop(): void {
    this.markClosed();
    this.ssh.destroy();
    // ssh2's destroy() does nothing once a goodbye half-closed the socket; close it all the same.
    (this.ssh as unknown as { _sock?: { destroy(): void } })._sock?.destroy();
  }

  reply<T>(request: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(connectionLost());
    const pending = request();
    let timer: NodeJS.Timeout | undefined;
    let onDrop: (() => void) | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(stalled(this.ctx.timeoutSeconds));
        this.drop();
      }, this.ctx.timeoutSeconds * 1000);
      onDrop = () => reject(connectionLost());
      this.dropped.signal.addEventListener('abort', onDrop, { once: true });
    });
    return Promise.race([pending, limit]).finally(() => {
      clearTimeout(timer);
      if (onDrop) this.dropped.signal.removeEventListener('abort', onDrop);
    });
  }

  private fail(error: unknown, path: string): RemoteError {
    return toRemoteError(error, { ...this.ctx, path });
  }

  async size(path: string): Promise<number | null> {
    try {
      const stats = await this.reply(() => call<{ size: number; isFile(): boolean }>((cb) => this.sftp.stat(path, cb as never)));
      return stats.isFile() ? stats.size : null;
    } catch (error) {
      if ((error as { code?: unknown }).code === 2) return null;
      throw this.fail(error, path);
    }
  }

  async upload(localPath: string, remotePath: string, options: TransferOptions = {}): Promise<void> {
    try {
      await pipelinedUpload(this.sftp, this, localPath, remotePath, options);
    } catch (error) {
      throw this.fail(error, remotePath);
    }
  }

  async download(remotePath: string, localPath: string, options: TransferOptions = {}): Promise<void> {
    if (this.closed) throw this.fail(connectionLost(), remotePath);
    let moved = 0;
    const source = this.sftp.createReadStream(remotePath);
    // A read the server never answers would leave the stream waiting for ever: no data for
    // `timeoutSeconds`, or a dropped connection, ends it.
    let idle: NodeJS.Timeout | undefined;
    const watch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        source.destroy(stalled(this.ctx.timeoutSeconds));
        this.drop();
      }, this.ctx.timeoutSeconds * 1000);
    };
    const onDrop = () => source.destroy(connectionLost());
    this.dropped.signal.addEventListener('abort', onDrop, { once: true });
    watch();
    source.on('data', (chunk: Buffer) => {
      watch();
      moved += chunk.length;
      options.onProgress?.(moved);
    });
    try {
      await pipeline(source, createWriteStream(localPath, { flags: 'wx', mode: 0o600 }), options.signal ? { signal: options.signal } : {});
    } catch (error) {
      if (options.signal?.aborted) throw cancelled();
      throw this.fail(error, remotePath);
    } finally {
      clearTimeout(idle);
      this.dropped.signal.removeEventListener('abort', onDrop);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    try {
      await this.reply(() => call<void>((cb) => this.sftp.rename(from, to, cb as never)));
    } catch (error) {
      throw this.fail(error, from);
    }
  }

  async remove(path: string): Promise<void> {
    try {
      await this.reply(() => call<void>((cb) => this.sftp.unlink(path, cb as never)));
    } catch (error) {
      throw this.fail(error, path);
    }
  }

  async home(): Promise<string> {
    try {
      return await this.reply(() => this.client.realPath('.'));
    } catch (error) {
      throw toRemoteError(error, this.ctx);
    }
  }

  async list(path: string): Promise<RemoteEntry[]> {
    try {
      const items = await this.reply(() => this.client.list(path));
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

  async close(): Promise<void> {
    const wasClosed = this.closed;
    this.markClosed();
    if (this.ended) return;
    this.ended = true;
    if (wasClosed) {
      // Dropped already: nothing to say goodbye to, only the socket to release.
      this.drop();
      return;
    }
    // A server that stopped answering would keep a goodbye waiting for ever.
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    });
    await Promise.race([this.client.end().catch(() => undefined), grace]);
    clearTimeout(timer);
    this.drop();
  }
}
