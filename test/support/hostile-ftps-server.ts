// A small FTPS server of our own, in Node, on 127.0.0.1, that behaves as an attacker or a broken
// network would: data connections that show another certificate than the control connection, EPSV
// refused and a PASV reply naming an address the client cannot reach (a server behind NAT), a
// connection dropped in the middle of the TLS handshake, a download that never stops after SIZE
// said 100 bytes, a listing that never ends, data connections that go silent. It records every
// command and every byte that reached it on a data connection, so tests can check what the app let out.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, createServer as createTlsServer, TLSSocket, type SecureContext } from 'node:tls';
import { makeCertificate } from './vsftpd';

export interface HostileFtpsOptions {
  tls: 'implicit' | 'explicit';
  /** Data connections show a second, different self-signed certificate. */
  dataCertificate?: 'same' | 'other';
  /** EPSV is refused, and PASV names an unreachable address (the port is real, on 127.0.0.1). */
  natPasv?: boolean;
  /** PASV/EPSV name a port nothing listens on (a firewall that blocks the passive ports). */
  closedDataPort?: boolean;
  /**
   * The control connection dies as the client's TLS hello arrives: closed ('close'), reset
   * ('reset'), or closed after a plain-text line, as vsftpd's parent writes "500 OOPS" when the
   * session process is killed ('oops').
   */
  dropDuringHandshake?: 'close' | 'reset' | 'oops';
  /** `endless.hl7`: SIZE and the listing say 100 bytes, RETR sends for ever. */
  endlessDownload?: boolean;
  /** LIST sends lines for ever. */
  endlessListing?: boolean;
  /** LIST sends this many short lines, then ends as a listing should. */
  listingEntries?: number;
  /**
   * LIST and RETR send their first bytes, then nothing more, the data connection held open (a server
   * or a firewall gone silent in the middle).
   */
  silentData?: boolean;
  /** Files the server holds at the start. */
  files?: Record<string, Buffer>;
}

export interface HostileFtpsServer {
  host: '127.0.0.1';
  port: number;
  tls: 'implicit' | 'explicit';
  /** The control connection's certificate, as Node's `fingerprint256` prints it. */
  fingerprint: string;
  /** Every command received, passwords masked. */
  commands: string[];
  /** Bytes received on data connections, all of them together. */
  dataBytesReceived(): number;
  /** Bytes the server handed to the network on data connections (accepted by the kernel). */
  dataBytesSent(): number;
  /** Files stored by STOR, whole uploads only. */
  files: Map<string, Buffer>;
  /** Resolves when every data connection opened so far has closed. */
  dataClosed(): Promise<void>;
  stop(): Promise<void>;
}

const ENDLESS = 'endless.hl7';
const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

export async function startHostileFtps(options: HostileFtpsOptions): Promise<HostileFtpsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rt-hostile-ftps-'));
  const control = makeCertificate(dir, 'control');
  const other = makeCertificate(dir, 'other');
  const controlContext = { key: readFileSync(control.key), cert: readFileSync(control.cert) };
  const dataContext = options.dataCertificate === 'other' ? { key: readFileSync(other.key), cert: readFileSync(other.cert) } : controlContext;
  const secureContext: SecureContext = createSecureContext(controlContext);

  const commands: string[] = [];
  const files = new Map<string, Buffer>(Object.entries(options.files ?? {}));
  let received = 0;
  let sent = 0;
  const dataSockets = new Set<Socket>();
  const servers = new Set<Server>();
  const sockets = new Set<Socket>();

  /** One data connection: a one-shot TLS listener whose first connection is handed to the command. */
  const openDataListener = async (): Promise<{ port: number; connection: Promise<TLSSocket> }> => {
    const server = createTlsServer({ ...dataContext, minVersion: 'TLSv1.2' });
    servers.add(server);
    const connection = new Promise<TLSSocket>((resolve) => {
      server.once('secureConnection', (socket: TLSSocket) => {
        dataSockets.add(socket);
        socket.on('data', (chunk: Buffer) => {
          received += chunk.length;
        });
        socket.on('error', () => undefined);
        socket.on('close', () => dataSockets.delete(socket));
        server.close();
        resolve(socket);
      });
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as { port: number }).port, connection };
  };

  /** Write for ever (with backpressure) until the client closes the connection. */
  const sendForever = (socket: TLSSocket, chunk: Buffer) => {
    const more = () => {
      while (!socket.destroyed && socket.writable) {
        const ok = socket.write(chunk, (error) => {
          if (!error) sent += chunk.length;
        });
        if (!ok) return socket.once('drain', more);
      }
    };
    more();
  };

  const sendAll = (socket: TLSSocket, data: Buffer) =>
    new Promise<void>((resolve) => {
      socket.end(data, () => {
        sent += data.length;
        resolve();
      });
    });

  const listingLine = (name: string, size: number) => `-rw-r--r--    1 ftp      ftp      ${String(size).padStart(8)} Nov 14 10:00 ${name}\r\n`;

  const session = (raw: Socket) => {
    sockets.add(raw);
    raw.on('error', () => undefined);
    raw.on('close', () => sockets.delete(raw));
    let socket: Socket = raw;
    let pending: Promise<TLSSocket> | null = null;
    let buffered = '';
    const reply = (line: string) => {
      if (!socket.destroyed) socket.write(`${line}\r\n`);
    };
    const dropOnHello = () => {
      raw.once('data', () => {
        if (options.dropDuringHandshake === 'reset') return raw.resetAndDestroy();
        if (options.dropDuringHandshake === 'oops') return raw.end('500 OOPS: child died\r\n');
        raw.destroy();
      });
    };
    const secure = () => {
      const tls = new TLSSocket(raw, { isServer: true, secureContext, minVersion: 'TLSv1.2' } as ConstructorParameters<typeof TLSSocket>[1]);
      tls.on('error', () => undefined);
      tls.on('data', onData);
      socket = tls;
    };
    const passive = async (extended: boolean) => {
      const listener = options.closedDataPort ? null : await openDataListener();
      pending = listener?.connection ?? null;
      const port = listener?.port ?? (await unusedPort());
      if (extended) return reply(`229 Entering Extended Passive Mode (|||${port}|)`);
      const host = options.natPasv ? '10,255,255,1' : '127,0,0,1';
      reply(`227 Entering Passive Mode (${host},${port >> 8},${port & 255}).`);
    };
    const withData = async (action: (data: TLSSocket) => Promise<void> | void) => {
      const connection = pending;
      pending = null;
      if (!connection) return reply('425 Use PASV or EPSV first.');
      reply('150 Here comes the data.');
      const data = await connection;
      await action(data);
    };
    const handle = async (line: string) => {
      const [verb = '', ...rest] = line.split(' ');
      const arg = rest.join(' ');
      commands.push(/^PASS$/i.test(verb) ? 'PASS ********' : line);
      switch (verb.toUpperCase()) {
        case 'AUTH':
          reply('234 Proceed with negotiation.');
          if (options.dropDuringHandshake) dropOnHello();
          else secure();
          return;
        case 'USER':
          return reply('331 Please specify the password.');
        case 'PASS':
          return reply('230 Login successful.');
        case 'FEAT':
          return reply('211-Features:\r\n EPSV\r\n PASV\r\n SIZE\r\n211 End');
        case 'PWD':
          return reply('257 "/" is the current directory');
        case 'TYPE':
        case 'STRU':
        case 'OPTS':
        case 'PBSZ':
        case 'PROT':
        case 'NOOP':
          return reply('200 OK.');
        case 'EPSV':
          if (options.natPasv) return reply('500 Unknown command.');
          return passive(true);
        case 'PASV':
          return passive(false);
        case 'SIZE': {
          const name = baseName(arg);
          if (options.endlessDownload && name === ENDLESS) return reply('213 100');
          const file = files.get(name);
          return file ? reply(`213 ${file.length}`) : reply('550 Could not get file size.');
        }
        case 'LIST':
          return withData(async (data) => {
            if (options.endlessListing) {
              let n = 0;
              const lines = Buffer.from(Array.from({ length: 64 }, () => listingLine(`batch-${(n += 1)}.hl7`, 100)).join(''));
              return sendForever(data, lines);
            }
            if (options.silentData) return void data.write(listingLine('reply.hl7', 100));
            if (options.listingEntries !== undefined) {
              const lines = Array.from({ length: options.listingEntries }, (_, i) => listingLine(`b${i}.hl7`, 1)).join('');
              await sendAll(data, Buffer.from(lines));
              return reply('226 Directory send OK.');
            }
            const text = [...files].map(([name, content]) => listingLine(name, content.length)).join('') + (options.endlessDownload ? listingLine(ENDLESS, 100) : '');
            await sendAll(data, Buffer.from(text));
            reply('226 Directory send OK.');
          });
        case 'RETR':
          return withData(async (data) => {
            const name = baseName(arg);
            if (options.endlessDownload && name === ENDLESS) return sendForever(data, Buffer.alloc(64 * 1024, 0x41));
            if (options.silentData) return void data.write((files.get(name) ?? Buffer.alloc(0)).subarray(0, 10));
            await sendAll(data, files.get(name) ?? Buffer.alloc(0));
            reply('226 Transfer complete.');
          });
        case 'STOR':
          return withData(async (data) => {
            const chunks: Buffer[] = [];
            data.on('data', (chunk: Buffer) => chunks.push(chunk));
            const whole = await new Promise<boolean>((resolve) => {
              data.once('end', () => resolve(true));
              data.once('close', () => resolve(false));
            });
            if (whole) files.set(baseName(arg), Buffer.concat(chunks));
            reply(whole ? '226 Transfer complete.' : '426 Failure writing network stream.');
          });
        case 'DELE':
          files.delete(baseName(arg));
          return reply('250 Delete operation successful.');
        case 'QUIT':
          reply('221 Goodbye.');
          socket.end();
          return;
        default:
          return reply('502 Command not implemented.');
      }
    };
    let queue = Promise.resolve();
    function onData(chunk: Buffer | string) {
      buffered += chunk.toString();
      for (let at = buffered.indexOf('\r\n'); at !== -1; at = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, at);
        buffered = buffered.slice(at + 2);
        queue = queue.then(() => handle(line)).catch(() => undefined);
      }
    }
    if (options.tls === 'implicit') {
      if (options.dropDuringHandshake) return dropOnHello();
      const tls = new TLSSocket(raw, { isServer: true, secureContext, minVersion: 'TLSv1.2' } as ConstructorParameters<typeof TLSSocket>[1]);
      tls.on('error', () => undefined);
      tls.on('data', onData);
      socket = tls;
    } else {
      raw.on('data', (chunk: Buffer) => {
        if (socket === raw) onData(chunk);
      });
    }
    reply('220 Hostile FTPS server ready.');
  };

  const server = createTcpServer(session);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  return {
    host: '127.0.0.1',
    port,
    tls: options.tls,
    fingerprint: control.fingerprint,
    commands,
    files,
    dataBytesReceived: () => received,
    dataBytesSent: () => sent,
    dataClosed: async () => {
      await Promise.all([...dataSockets].map((s) => new Promise((resolve) => (s.destroyed ? resolve(undefined) : s.once('close', resolve)))));
    },
    stop: async () => {
      for (const s of [...sockets, ...dataSockets]) s.destroy();
      for (const s of servers) s.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (taken and given back at once). */
async function unusedPort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
