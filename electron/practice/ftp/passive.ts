// One passive data connection of the practice FTPS server: a listener opened by PASV or EPSV that
// takes one connection, and only from the address of the control connection (another address is
// someone else trying to catch the data: it is closed at once, and the listener keeps waiting). The
// data connection is TLS with the server's one certificate, and must resume the control
// connection's TLS session (as vsftpd's require_ssl_reuse): only the client that holds that session
// can open it, whoever guessed the port.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';

/** An address as the control connection shows it, an IPv4 one without its `::ffff:` prefix. */
export const plainAddress = (address: string | undefined): string => (address ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

export interface PassiveOptions {
  /** Where the control connection reached the server: the data listener listens there. */
  localAddress: string;
  /** The control connection's peer: the only address a data connection is taken from. */
  peerAddress: string;
  secureContext: SecureContext;
  /** Ports to listen on (a firewall's passive range); any free port when absent. */
  ports?: { from: number; to: number } | undefined;
}

/** Why a data connection could not be used; each is said in the transfer command's reply. */
export class DataConnectionProblem extends Error {
  constructor(
    readonly reason: 'no-connection' | 'tls-failed' | 'not-resumed' | 'aborted',
    message: string,
  ) {
    super(message);
    this.name = 'DataConnectionProblem';
  }
}

function listenOn(server: Server, host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const failed = () => resolve(false);
    server.once('error', failed);
    server.listen({ host, port, exclusive: true }, () => {
      server.removeListener('error', failed);
      resolve(true);
    });
  });
}

export class PassiveData {
  /** Connections from other addresses, closed as they came. */
  foreignConnections = 0;
  private data: TLSSocket | null = null;
  private secured = false;
  private failure: Error | null = null;
  private waiting: (() => void)[] = [];
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly options: PassiveOptions,
  ) {
    server.on('connection', (raw) => this.take(raw));
    server.on('error', () => undefined);
  }

  static async open(options: PassiveOptions): Promise<PassiveData | null> {
    const candidates: number[] = [];
    if (options.ports) {
      const { from, to } = options.ports;
      const count = to - from + 1;
      // From a random place in the range, so two sessions do not race for the same first port.
      const first = Math.floor(Math.random() * count);
      for (let i = 0; i < count; i += 1) candidates.push(from + ((first + i) % count));
    } else {
      candidates.push(0);
    }
    for (const port of candidates) {
      const server = createServer({ allowHalfOpen: false });
      if (await listenOn(server, options.localAddress, port)) {
        return new PassiveData(server, (server.address() as AddressInfo).port, options);
      }
      server.close();
    }
    return null;
  }

  private take(raw: Socket): void {
    raw.on('error', () => undefined);
    if (this.closed || this.data !== null || plainAddress(raw.remoteAddress) !== this.options.peerAddress) {
      if (!this.closed && this.data === null) this.foreignConnections += 1;
      raw.destroy();
      return;
    }
    // One data connection per PASV/EPSV: nothing more is taken on this port.
    this.server.close();
    // The server side asks clients for no certificate (they sign in with a password), so there is
    // nothing of theirs to verify: rejectUnauthorized here concerns client certificates only.
    const data = new TLSSocket(raw, { isServer: true, secureContext: this.options.secureContext, requestCert: false, rejectUnauthorized: false });
    data.on('error', (error: Error) => {
      this.failure ??= error;
      this.wake();
    });
    data.once('secure', () => {
      this.secured = true;
      this.wake();
    });
    data.once('close', () => {
      this.failure ??= new Error('the data connection closed');
      this.wake();
    });
    this.data = data;
    this.wake();
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  /** Resolves when `ready()` holds, or rejects with `problem` after `timeoutMs` or when `signal` aborts. */
  private until(ready: () => boolean, timeoutMs: number, signal: AbortSignal, problem: () => DataConnectionProblem): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.waiting = this.waiting.filter((w) => w !== check);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (signal.aborted) return finish(new DataConnectionProblem('aborted', 'aborted'));
        if (ready()) return finish();
        if (this.closed || this.failure) return finish(problem());
        this.waiting.push(check);
      };
      const onAbort = () => check();
      const timer = setTimeout(() => finish(problem()), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  /** The TCP connection from the control connection's address (its TLS handshake may still be under way). */
  async connection(timeoutMs: number, signal: AbortSignal): Promise<TLSSocket> {
    await this.until(
      () => this.data !== null,
      timeoutMs,
      signal,
      () => new DataConnectionProblem('no-connection', `No data connection came from your address within ${Math.max(1, Math.round(timeoutMs / 1000))} s.`),
    );
    return this.data as TLSSocket;
  }

  /**
   * The data connection once its TLS handshake is done and shown to have resumed the control
   * connection's session.
   */
  async secure(timeoutMs: number, signal: AbortSignal): Promise<TLSSocket> {
    const data = await this.connection(timeoutMs, signal);
    await this.until(
      () => this.secured,
      timeoutMs,
      signal,
      () => new DataConnectionProblem('tls-failed', 'The data connection did not complete its TLS handshake.'),
    );
    if (!data.isSessionReused()) {
      throw new DataConnectionProblem('not-resumed', "The data connection did not resume the control connection's TLS session (TLS session reuse is required).");
    }
    return data;
  }

  /** Stop listening and end the data connection, if any (a released one too). */
  close(): void {
    this.closed = true;
    this.server.close();
    this.data?.destroy();
    this.wake();
  }

  /**
   * Stop listening, and leave a data connection already made for the client to close: a refusal
   * (550 to STOR) must reach the client before its data connection ends, or it reads a drop; and a
   * finished transfer's connection is closed by the client as it reads the end. The connection is
   * ended after `graceMs` if the client keeps it.
   */
  release(graceMs: number, onClosed: () => void): void {
    if (this.closed) return onClosed();
    this.closed = true;
    this.server.close();
    this.wake();
    const data = this.data;
    if (!data || data.destroyed) return onClosed();
    const timer = setTimeout(() => data.destroy(), graceMs);
    timer.unref();
    data.once('close', () => {
      clearTimeout(timer);
      onClosed();
    });
    // Whatever the client sends now is read and dropped, so the connection can end cleanly.
    data.resume();
  }
}
