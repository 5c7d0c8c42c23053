// A small FTPS server on 127.0.0.1 that changes passwords the ways registry servers do, for the
// password-change tests: WS_FTP Server's expired login (reply 560, then `PASS old new` on a new
// login), Serv-U's `SITE PSWD old new` (Titan's with both passwords quoted) and older WS_FTP's
// `SITE CPWD new`. Implicit TLS (as Texas) or explicit AUTH TLS (as Colorado), a self-signed
// certificate made with openssl, and just enough FTP around sign-in for the app to find the Texas
// folders (FEAT, TYPE, PBSZ, PROT, PWD, EPSV/PASV and a LIST over a TLS data connection).
//
// It follows the rules: a change it accepts really changes the account's password (the old one stops
// working). It records every command it received, passwords included: that record is the test's
// own, so a test can check what the app sent and how many times each password left it.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, createSecureContext, TLSSocket, type SecureContext } from 'node:tls';

export type FtpTlsMode = 'implicit' | 'explicit';

/** One command line as received, after TLS was agreed (or before, for AUTH). */
export interface ReceivedCommand {
  connection: number;
  line: string;
}

export interface LoginRecord {
  connection: number;
  /** The reply code the login got: 230 in, 530 refused, 560 expired, 0 dropped. */
  reply: number;
}

export interface AccountState {
  username: string;
  password: string;
  /** WS_FTP: the password has expired and must be changed with `PASS old new`. */
  expired: boolean;
}

export interface Switches {
  /** Refuse any new password (as a server whose own rules it breaks). */
  refuseNewPassword: boolean;
  /** Take the change, then drop the connection before answering (the outcome is unknown to the client). */
  dropAfterChange: boolean;
  /** Titan FTP: `SITE PSWD "old" "new"`; otherwise Serv-U's bare `SITE PSWD old new`. */
  sitePswdQuoted: boolean;
  /** Commands the server does not know (e.g. `SITE PSWD` on a server without it). */
  unknownCommands: string[];
}

export interface FtpPasswordServer {
  host: '127.0.0.1';
  port: number;
  mode: FtpTlsMode;
  /** SHA-256 of the certificate, colon hex as Node's `fingerprint256` prints it. */
  fingerprint: string;
  account: AccountState;
  switches: Switches;
  commands: ReceivedCommand[];
  logins: LoginRecord[];
  /** Connections the server has accepted so far. */
  connections(): number;
  /** Put the account and the switches back, and forget what was received. */
  reset(account: Partial<AccountState>, switches?: Partial<Switches>): void;
  /** How many received command lines contain `text` (a password). */
  count(text: string): number;
  /** A Texas-shaped custom profile pointed at this server. */
  profile(id: string, passwordChange: Record<string, unknown>): Record<string, unknown>;
  stop(): Promise<void>;
}

const FOLDERS = ['HL7-Dropoff', 'Accepted', 'DQA-Report', 'Receive'];
const DEFAULT_SWITCHES: Switches = { refuseNewPassword: false, dropAfterChange: false, sitePswdQuoted: false, unknownCommands: [] };

function makeCertificate(): { key: string; cert: string; fingerprint: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rt-ftp-cert-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30', '-subj', '/CN=127.0.0.1/O=Registry Password Test Server',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(certFile, 'utf8');
    return { key: readFileSync(keyFile, 'utf8'), cert, fingerprint: new X509Certificate(cert).fingerprint256 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const listingLine = (name: string) => `drwxr-xr-x    2 ftp      ftp          4096 Nov 14 09:05 ${name}\r\n`;

export async function startFtpPasswordServer(options: { mode: FtpTlsMode; username: string; password: string; expired?: boolean }): Promise<FtpPasswordServer> {
  const { key, cert, fingerprint } = makeCertificate();
  const tlsOptions = { key, cert, minVersion: 'TLSv1.2' as const };
  const secureContext: SecureContext = createSecureContext(tlsOptions);
  const account: AccountState = { username: options.username, password: options.password, expired: options.expired ?? false };
  const switches: Switches = { ...DEFAULT_SWITCHES, unknownCommands: [] };
  const commands: ReceivedCommand[] = [];
  const logins: LoginRecord[] = [];
  const sockets = new Set<Socket>();
  const dataServers = new Set<TcpServer>();
  let connectionCount = 0;

  const serve = (raw: Socket, startsEncrypted: boolean) => {
    const connection = ++connectionCount;
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => undefined);
    let control: Socket = raw;
    let encrypted = startsEncrypted;
    let user: string | null = null;
    let loggedIn = false;
    let protectData = false;
    let buffer = '';
    let passive: { server: TcpServer; socket: Promise<Socket> } | null = null;

    const reply = (text: string) => {
      if (!control.destroyed) control.write(`${text}\r\n`);
    };
    const drop = () => {
      control.destroy();
      raw.destroy();
    };

    const openPassive = async (): Promise<number> => {
      passive?.server.close();
      let resolveSocket!: (s: Socket) => void;
      const socket = new Promise<Socket>((resolve) => (resolveSocket = resolve));
      const server = protectData
        ? createTlsServer(tlsOptions, (s) => resolveSocket(s))
        : createTcpServer((s) => resolveSocket(s));
      server.on('error', () => undefined);
      dataServers.add(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      passive = { server, socket };
      return (server.address() as AddressInfo).port;
    };

    const list = async (path: string) => {
      const current = passive;
      if (!current) return reply('425 Use EPSV or PASV first.');
      passive = null;
      reply('150 Here comes the directory listing.');
      const data = await current.socket;
      data.on('error', () => undefined);
      const names = path === '' || path === '/' || path === '.' ? FOLDERS : [];
      data.end(names.map(listingLine).join(''));
      await new Promise<void>((resolve) => data.once('close', () => resolve()));
      current.server.close();
      dataServers.delete(current.server);
      reply('226 Directory send OK.');
    };

    /** Apply a new password as a server that follows the rules does, or refuse it. */
    const change = (newPassword: string): 'changed' | 'refused' => {
      if (switches.refuseNewPassword) return 'refused';
      account.password = newPassword;
      account.expired = false;
      return 'changed';
    };

    const pass = (given: string) => {
      if (user === null) return reply('503 Login with USER first.');
      if (user !== account.username) {
        logins.push({ connection, reply: 530 });
        return reply('530 Login incorrect.');
      }
      if (!account.expired) {
        const ok = given === account.password;
        logins.push({ connection, reply: ok ? 230 : 530 });
        loggedIn = ok;
        return reply(ok ? '230 User logged in.' : '530 Login incorrect.');
      }
      if (given === account.password) {
        logins.push({ connection, reply: 560 });
        return reply("560 Password expired, use 'pass oldpassword newpassword'");
      }
      const space = given.indexOf(' ');
      if (space > 0 && given.slice(0, space) === account.password) {
        const outcome = change(given.slice(space + 1));
        if (outcome === 'refused') {
          logins.push({ connection, reply: 530 });
          return reply('530 New password not accepted: it does not meet the password policy.');
        }
        if (switches.dropAfterChange) {
          logins.push({ connection, reply: 0 });
          return drop();
        }
        logins.push({ connection, reply: 230 });
        loggedIn = true;
        return reply('230 User logged in, password changed.');
      }
      logins.push({ connection, reply: 530 });
      return reply('530 Login incorrect.');
    };

    const site = (rest: string) => {
      const [word = '', ...more] = rest.split(' ');
      const args = more.join(' ');
      const name = `SITE ${word.toUpperCase()}`;
      if (switches.unknownCommands.includes(name)) return reply(`500 '${name}': command not understood.`);
      if (!loggedIn) return reply('530 Please login with USER and PASS.');
      let oldPassword: string | null;
      let newPassword: string;
      if (name === 'SITE PSWD') {
        const parsed = switches.sitePswdQuoted ? /^"([^"]*)" "([^"]*)"$/.exec(args) : /^(\S+) (.+)$/.exec(args);
        if (!parsed) return reply('501 Syntax error in parameters or arguments.');
        oldPassword = parsed[1] as string;
        newPassword = parsed[2] as string;
      } else if (name === 'SITE CPWD') {
        if (args === '') return reply('501 Syntax error in parameters or arguments.');
        oldPassword = null;
        newPassword = args;
      } else {
        return reply(`500 '${name}': command not understood.`);
      }
      if (oldPassword !== null && oldPassword !== account.password) return reply('530 The old password is not correct.');
      const outcome = change(newPassword);
      if (outcome === 'refused') return reply('550 Password not changed: it does not meet the password policy.');
      if (switches.dropAfterChange) return drop();
      return reply('200 Password changed.');
    };

    const handle = async (line: string) => {
      commands.push({ connection, line });
      const space = line.indexOf(' ');
      const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
      const rest = space < 0 ? '' : line.slice(space + 1);
      if (verb === 'AUTH') {
        if (encrypted) return reply('503 TLS is already in use.');
        reply('234 AUTH TLS successful.');
        encrypted = true;
        raw.removeAllListeners('data');
        const secure = new TLSSocket(raw, { isServer: true, secureContext });
        secure.on('error', () => undefined);
        control = secure;
        secure.setEncoding('utf8');
        secure.on('data', onData);
        return;
      }
      if (verb === 'QUIT') {
        reply('221 Goodbye.');
        control.end();
        return;
      }
      if (verb === 'FEAT') return reply('211-Features:\r\n EPSV\r\n PASV\r\n PBSZ\r\n PROT\r\n UTF8\r\n211 End');
      if (!encrypted) return reply('530 This server needs TLS (AUTH TLS) first.');
      if (verb === 'USER') {
        user = rest;
        loggedIn = false;
        return reply(`331 Password required for ${rest}.`);
      }
      if (verb === 'PASS') return pass(rest);
      if (verb === 'PBSZ') return reply('200 PBSZ=0');
      if (verb === 'PROT') {
        protectData = rest.toUpperCase() === 'P';
        return reply(`200 Protection level set to ${protectData ? 'Private' : 'Clear'}.`);
      }
      if (verb === 'OPTS') return reply('200 OK.');
      if (!loggedIn) return reply('530 Please login with USER and PASS.');
      switch (verb) {
        case 'NOOP':
          return reply('200 NOOP ok.');
        case 'TYPE':
          return reply('200 Type set.');
        case 'STRU':
          return reply('200 Structure set to F.');
        case 'PWD':
          return reply('257 "/" is the current directory.');
        case 'EPSV':
          return reply(`229 Entering Extended Passive Mode (|||${await openPassive()}|)`);
        case 'PASV': {
          const port = await openPassive();
          return reply(`227 Entering Passive Mode (127,0,0,1,${port >> 8},${port & 255}).`);
        }
        case 'LIST':
          return list(rest.replace(/^-a\s*/, '').trim());
        case 'SITE':
          return site(rest);
        default:
          return reply(`502 ${verb} not implemented.`);
      }
    };

    // One command at a time, in order, as a real server reads its control connection.
    let queue = Promise.resolve();
    function onData(chunk: string) {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        queue = queue.then(() => handle(line)).catch(() => drop());
      }
    }
    control.setEncoding('utf8');
    control.on('data', onData);
    reply('220 Registry password test server ready.');
  };

  const server =
    options.mode === 'implicit'
      ? createTlsServer(tlsOptions, (socket) => serve(socket, true))
      : createTcpServer((socket) => serve(socket, false));
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    mode: options.mode,
    fingerprint,
    account,
    switches,
    commands,
    logins,
    connections: () => connectionCount,
    reset(next, nextSwitches = {}) {
      Object.assign(account, next);
      Object.assign(switches, DEFAULT_SWITCHES, { unknownCommands: [] }, nextSwitches);
      commands.length = 0;
      logins.length = 0;
    },
    count(text) {
      return commands.filter((c) => c.line.includes(text)).length;
    },
    profile(id, passwordChange) {
      return {
        id,
        name: `Texas ImmTrac2 (FTPS ${options.mode} password test server)`,
        endpoints: [{ protocol: 'ftps', host: '127.0.0.1', port, tls: options.mode }],
        username: { label: 'Import code', isImportCode: true },
        folders: [
          { role: 'dropoff', name: 'HL7-Dropoff', path: 'HL7-Dropoff', rights: ['list', 'read', 'write', 'rename', 'delete'] },
          { role: 'accepted', name: 'Accepted', path: 'Accepted', rights: ['list', 'read'] },
          { role: 'reports', name: 'DQA-Report', path: 'DQA-Report', rights: ['list', 'read'] },
          { role: 'receive', name: 'Receive', path: 'Receive', rights: ['list', 'read'] },
        ],
        passwordChange,
        support: { team: 'Texas Immunization Registry Interoperability Team', phone: '(800) 348-9158, option 3' },
      };
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      for (const data of dataServers) data.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
