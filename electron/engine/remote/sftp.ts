// SFTP adapter on ssh2-sftp-client. The host key is checked against the caller's decision before
// any credential leaves this computer; a login is attempted exactly once (registries lock accounts
// after failed logins); no keep-alive, as the registries ask.
import SftpClient from 'ssh2-sftp-client';
import type { RemoteEntry } from '../../../shared/contract';
import { sshFingerprint, sshKeyAlgorithm } from '../trust/fingerprint';
import type { SeenIdentity } from '../trust/trust-store';
import { toRemoteError, type ErrorContext } from './errors';
import { RemoteError, type RemoteFs } from './remote-fs';

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
  try {
    await client.connect({
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
  return new SftpFs(client, ctx);
}

class SftpFs implements RemoteFs {
  readonly protocol = 'sftp' as const;
  private closed = false;

  constructor(
    private readonly client: SftpClient,
    private readonly ctx: ErrorContext,
  ) {}

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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.end().catch(() => undefined);
  }
}
