// The practice registry's FTPS server: implicit TLS (TLS from the first byte, as Texas on port 990)
// or explicit TLS (a plain greeting, then AUTH TLS before any username, as Colorado on port 1971),
// written on node:net and node:tls. The accounts, folders and rules are the practice backend's
// (backend.ts); this server only speaks FTP and words the backend's refusals in FTP's reply codes.
//
// Why not the `ftp-srv` package: its dependency tree pulls `ip@1` (published advisories, among them
// SSRF through its address checks), `moment` and `bunyan`, and it would still need the registry's
// own sign-in (WS_FTP's 560 and `PASS old new`), TLS session reuse on data connections and its
// refusals wired in. The part of FTP a registry uses is small enough to write and read here whole:
// electron/practice/ftp/ (session.ts for the commands, passive.ts for the data connections).
//
// What a real registry's server does and this one does too: passive mode only (PASV, EPSV), each data
// connection TLS with the same certificate, from the control connection's address, resuming the
// control connection's TLS session; PROT P required; no username or password taken in plain text;
// 421 for too many connections from one address; bounded command lines, idle and sign-in timeouts.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { PracticeBackend } from './backend';
import { plainAddress } from './ftp/passive';
import { DEFAULT_LIMITS, FtpSession, type FtpsLogEntry, type SessionLimits } from './ftp/session';

export type { FtpsLogEntry, SessionLimits } from './ftp/session';

export interface FtpsServerOptions {
  host: string;
  /** 0: a free port, chosen at start. */
  port: number;
  implicitTls: boolean;
  /** PEM text of the key and the certificate (self-signed for the practice registry). */
  tls: { key: string; cert: string };
  backend: PracticeBackend;
  /** Control connections at once from one address; one more is refused with 421. Default 8. */
  maxConnectionsPerAddress?: number;
  /** Control connections at once in all; past it a connection is closed unanswered. Default 64. */
  maxConnections?: number;
  /** The passive data ports (a registry publishes a range for firewalls); any free port when absent. */
  passivePorts?: { from: number; to: number };
  /** Timeouts and bounds of each connection; see DEFAULT_LIMITS. */
  limits?: Partial<SessionLimits>;
  /** Every command received, secrets masked (PASS, SITE PSWD, SITE CPWD). */
  log?: (entry: FtpsLogEntry) => void;
}

export interface FtpsServerHandle {
  port: number;
  stop(): Promise<void>;
}

const TOO_MANY_FROM_ADDRESS = (max: number) =>
  `There are too many connections from your internet address (this registry allows ${max} at once). Close one, then try again.`;

export async function startFtpsServer(options: FtpsServerOptions): Promise<FtpsServerHandle> {
  const limits: SessionLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const maxPerAddress = options.maxConnectionsPerAddress ?? 8;
  // TLS 1.2 at least, as Texas requires; Node's default ciphers are all 128-bit or stronger. One
  // context for the control and every data connection: the same certificate, and session tickets
  // a data connection can resume.
  const secureContext = createSecureContext({ key: options.tls.key, cert: options.tls.cert, minVersion: 'TLSv1.2' });
  const perAddress = new Map<string, number>();
  const sessions = new Set<FtpSession>();
  let nextId = 1;

  const server = createServer({ allowHalfOpen: false }, (raw: Socket) => {
    const address = plainAddress(raw.remoteAddress);
    const count = (perAddress.get(address) ?? 0) + 1;
    perAddress.set(address, count);
    let released = false;
    const session: FtpSession = new FtpSession(raw, {
      id: nextId++,
      implicitTls: options.implicitTls,
      secureContext,
      backend: options.backend,
      limits,
      passivePorts: options.passivePorts,
      log: options.log,
      onClose: () => {
        if (released) return;
        released = true;
        sessions.delete(session);
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left > 0) perAddress.set(address, left);
        else perAddress.delete(address);
      },
    });
    sessions.add(session);
    if (count > maxPerAddress) session.refuse(421, TOO_MANY_FROM_ADDRESS(maxPerAddress));
    else session.start();
  });
  // Past this many, Node closes a new connection at once: a flood costs no TLS handshake.
  server.maxConnections = options.maxConnections ?? 64;
  server.on('error', () => undefined);

  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once('error', failed);
    server.listen({ host: options.host, port: options.port }, () => {
      server.removeListener('error', failed);
      resolve();
    });
  });

  return {
    port: (server.address() as AddressInfo).port,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of [...sessions]) session.destroy();
      await closed;
    },
  };
}
