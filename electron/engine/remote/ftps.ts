// FTPS adapter on basic-ftp. The order matters: connect, finish the TLS handshake (implicit, or
// explicit with AUTH TLS), read the server's certificate and let the trust store decide, and only
// then send USER and PASS. basic-ftp's `access()` would send the password before anyone looked at
// the certificate, so it is never used. TLS 1.2 at least, passive mode only (EPSV, then PASV forced
// to the control connection's address), data connections resume the control connection's TLS session.
// Password changes: WS_FTP Server refuses an expired login with 560 and takes `PASS old new` on a new
// connection; Serv-U and Titan take `SITE PSWD old new`, older WS_FTP `SITE CPWD new`, after login.
import { createReadStream, createWriteStream } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkServerIdentity, connect as connectTls, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import { Client, FTPError, type FileInfo, type FTPContext, type FTPResponse } from 'basic-ftp';
import type { CertificateDetails, RemoteEntry } from '../../../shared/contract';
import type { SeenIdentity } from '../trust/trust-store';
import { holdSecureConnect, isListingByteLimit, logThrough, useDefaultSettingsKeepingFeatures } from './basic-ftp-internals';
import { connectionLimitNamed, quotaFull, redact, tooManyConnections, toRemoteError, type ErrorContext } from './errors';
import { listedMoment, offsetFrom, parseListTime } from './list-dates';
import {
  cancelled,
  ftpPasswordProblem,
  LISTING_LIMITS,
  listingTooLong,
  overran,
  RemoteError,
  type PasswordChangeStep,
  type PasswordCommands,
  type RemoteFs,
  type SiteChangeResult,
  type SitePasswordCommand,
  type TransferOptions,
  type ConnectionFacts,
} from './remote-fs';
import { ServerClocks } from './server-clocks';

export interface FtpsConnectOptions {
  host: string;
  port: number;
  tls: 'implicit' | 'explicit';
  username: string;
  password: string;
  timeoutSeconds: number;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** The data ports the registry publishes, named in a message when a data connection fails. */
  passivePorts?: { from: number; to: number };
  verifyIdentity: (seen: SeenIdentity) => boolean;
  errorContext?: Partial<ErrorContext>;
  /**
   * Sent only if the server refuses the login with 560 (its password expired): then a new
   * connection, checked like the first, logs in with `PASS <old> <new>`.
   */
  newPassword?: string;
  /** Where a demanded password change stands, so the caller keeps its keychain in step. */
  onPasswordChange?: (step: PasswordChangeStep) => void;
  /** What is known of servers' LIST clocks (see ServerClocks); a fresh, unsaved one when absent. */
  clocks?: ServerClocks;
}

/** WS_FTP Server's reply to a login whose password has expired: "560 Password expired, use 'pass oldpassword newpassword'". */
export const FTP_PASSWORD_EXPIRED = 560;

const MASK = '********';

/**
 * The line as it may be logged: every command that carries a password (`PASS`, including WS_FTP's
 * `PASS old new`, `SITE PSWD`, `SITE CPWD`, SecureTransport's `SITE CHPWD`) keeps only its name.
 * basic-ftp's own logger masks `PASS` alone; every log line of the FTPS adapter passes through here.
 */
export function redactFtpCommand(line: string): string {
  return line.replace(/^(\s*(?:>\s*)?)(PASS|SITE\s+(?:PSWD|CPWD|CHPWD))(?:\s.*)?$/is, (_all, lead: string, command: string) => `${lead}${command} ${MASK}`);
}

/** The command line for a voluntary change (never logged: see redactFtpCommand). */
export function sitePasswordCommandLine(command: SitePasswordCommand, oldPassword: string, newPassword: string): string {
  if (command.method === 'site-cpwd') return `SITE CPWD ${newPassword}`;
  return command.quoted ? `SITE PSWD "${oldPassword}" "${newPassword}"` : `SITE PSWD ${oldPassword} ${newPassword}`;
}

const dn = (entry: Record<string, string | string[] | undefined> | undefined): string =>
  entry
    ? Object.entries(entry)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
        .join(', ')
    : '';

/** What the certificate prompt shows, read from the live TLS socket. */
export function describeCertificate(socket: TLSSocket, host: string): { fingerprint: string; details: CertificateDetails } {
  const cert = socket.getPeerCertificate(true) as DetailedPeerCertificate;
  if (!cert || !cert.fingerprint256) throw new RemoteError('tls-required', `The server at ${host} sent no certificate.`);
  const names = (cert.subjectaltname ?? '')
    .split(',')
    .map((s) => s.trim().replace(/^(DNS|IP Address):/, ''))
    .filter(Boolean);
  const validFrom = new Date(cert.valid_from);
  const validTo = new Date(cert.valid_to);
  return {
    fingerprint: cert.fingerprint256,
    details: {
      subject: dn(cert.subject),
      names,
      issuer: dn(cert.issuer),
      validFrom: validFrom.toISOString(),
      validTo: validTo.toISOString(),
      authorityTrusted: socket.authorized,
      authorityProblem: socket.authorized ? null : String(socket.authorizationError ?? 'not vouched for'),
      hostnameMatches: checkServerIdentity(host, cert) === undefined,
      protocol: socket.getProtocol() ?? 'unknown',
    },
  };
}

function ftpFailure(error: unknown, ctx: ErrorContext, passivePorts?: { from: number; to: number }): RemoteError {
  if (error instanceof RemoteError) return error;
  if (error instanceof FTPError) {
    const detail = redact(`${error.code}: ${error.message}`, ctx.secrets).slice(0, 500);
    // A full connection limit answers 530 (ProFTPD) or 421 (Pure-FTPd, vsftpd): not a wrong password, not a drop.
    const limit = connectionLimitNamed(error.message);
    if (limit) return tooManyConnections(limit, ctx, detail);
    if (error.code === 530) return toRemoteError(error, ctx);
    if (error.code === 552 || /quota|disk full|exceed/i.test(error.message)) {
      return quotaFull(detail);
    }
    if (error.code === 550 || error.code === 553 || error.code === 532) {
      return /no such|not found|cannot find|doesn.t exist/i.test(error.message)
        ? new RemoteError('not-found', `${ctx.path ?? 'That'} was not found on the registry server.`, detail)
        : new RemoteError('permission-denied', `The registry does not allow this account to do that${ctx.path ? ` in ${ctx.path}` : ''}.`, detail);
    }
    if (error.code === 421) return new RemoteError('unreachable', `The registry server at ${ctx.host} closed the connection (it may be busy). Try again later.`, detail);
  }
  const message = error instanceof Error ? error.message : String(error);
  // A data connection is the one that is not on the control port: name the ports the firewall must open.
  const data = /data connection|open data|Timeout when trying to open data|connect ECONNREFUSED [\d.]+:(\d+)/i.exec(message);
  if (data && (data[1] === undefined || Number(data[1]) !== ctx.port)) {
    const range = passivePorts ? `ports ${passivePorts.from}-${passivePorts.to}` : 'its passive data ports';
    return new RemoteError(
      'unreachable',
      `Signed in, but the file list could not be fetched: the data connection to ${ctx.host} was blocked. The clinic's firewall must allow outgoing connections to ${ctx.host} on ${range}.`,
      redact(message, ctx.secrets).slice(0, 500),
    );
  }
  // The server went away in the middle of the TLS handshake: closed, reset, or closed after a line
  // of plain text (vsftpd's parent writes "500 OOPS" when the session's process is killed), which
  // OpenSSL reads as a record of a "wrong version". Only an alert or a refused protocol is a real
  // disagreement on versions or ciphers.
  if (/Server sent FIN packet|disconnected before secure TLS connection|wrong version number|ssl3_get_record|packet length too long/i.test(message)) {
    const dropped = toRemoteError(Object.assign(new Error(message), { code: 'ECONNRESET' }), ctx);
    return new RemoteError(dropped.code, dropped.message, redact(message, ctx.secrets).slice(0, 500));
  }
  if (/unsupported protocol|no protocols available|protocol version|tlsv1 alert|handshake failure|no shared cipher|ERR_SSL/i.test(message)) {
    return new RemoteError(
      'tls-required',
      `The server at ${ctx.host} port ${ctx.port} could not agree on secure encryption (TLS 1.2 or newer). The app does not connect without it.`,
      redact(message, ctx.secrets).slice(0, 500),
    );
  }
  return toRemoteError(error, ctx);
}

/** OpenSSL's words for bytes that are no TLS record: plain text where the handshake should be. */
const PLAIN_TEXT_IN_HANDSHAKE = /wrong version number|ssl3_get_record|packet length too long/i;

/** The server wrote plain text where the TLS handshake should have been (see `handshake` in openFtps). */
function answeredInPlainText(options: Pick<FtpsConnectOptions, 'host' | 'port' | 'tls'>, detail: string): RemoteError {
  const forIt =
    options.tls === 'implicit'
      ? `port ${options.port} may not be an implicit FTPS port (one encrypted from the first byte)`
      : 'the server agreed to encrypt the connection (AUTH TLS) but did not';
  return new RemoteError(
    'unreachable',
    `The server at ${options.host} port ${options.port} answered in plain text where encryption (TLS) should have begun, so nothing was sent. Its session may have ended as it began: try again in a minute. If it keeps happening, show this message to your IT: ${forIt}.`,
    detail,
  );
}

/** The data connection showed a certificate other than the control connection's (the one the user trusted). */
export const dataIdentityChanged = (host: string, detail: string) =>
  new RemoteError(
    'identity-changed',
    `The data connection to ${host} showed a different certificate than the one trusted for this server, so the transfer was stopped: nothing was sent and nothing was saved. Someone may be intercepting the connection. Do not try again from this network; ask your IT to check it.`,
    detail,
  );

/** A listing passed LISTING_LIMITS while it was read or parsed. */
class ListingLimitPassed extends Error {}

/** Lines in a listing's text: one entry each, in LIST and MLSD alike. */
function lineCount(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count += 1;
  return count;
}

/** The port of a `229 Entering Extended Passive Mode (|||port|)` reply (any delimiter, as RFC 2428 allows). */
function epsvPort(message: string): number | undefined {
  const match = /\(([!-~])\1\1(\d{1,5})\1\)/.exec(message);
  const port = match ? Number(match[2]) : NaN;
  return port > 0 && port < 65536 ? port : undefined;
}

/** The port of a `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)` reply; the address in it is never used. */
function pasvPort(message: string): number {
  const match = /(?:^|[^\d])\d{1,3},\d{1,3},\d{1,3},\d{1,3},(\d{1,3}),(\d{1,3})(?!\d)/.exec(message.slice(4));
  const port = match ? (Number(match[1]) & 255) * 256 + (Number(match[2]) & 255) : 0;
  if (port === 0) throw new Error(`The server's answer to PASV named no data port: ${message.slice(0, 200)}`);
  return port;
}

/**
 * basic-ftp's `prepareTransfer`, done here so that every data connection is checked. Passive only:
 * EPSV, then PASV once a server refuses EPSV. The data connection always goes to the control
 * connection's address, whatever address a PASV reply names: a server behind NAT names its private
 * address (curl does the same), and never following the named address is the FTP-bounce protection.
 * TLS resumes the control connection's session (vsftpd and the registries' servers require it), and
 * the certificate the data connection shows is compared with the control connection's before
 * basic-ftp sees the TLS connection as ready: an upload only starts writing on 'secureConnect', so
 * a mismatch stops it there and not one byte of the file is sent. Some servers (vsftpd) only begin
 * the data connection's handshake after STOR/RETR/LIST, so the check runs after the command; a
 * download's bytes pass a gate that asks `unverified()`, so none is written before the check either.
 */
class CheckedDataChannel {
  private epsvRefused = false;
  /** The port the server named for the latest data connection (the connection check reports it). */
  lastPort: number | null = null;
  /** Whether the current data connection showed the control connection's certificate. */
  private verified = false;
  /** Why the current transfer was stopped, if the data connection showed another certificate. */
  failure: RemoteError | null = null;

  constructor(private readonly host: string) {}

  readonly prepare = async (ftp: FTPContext): Promise<FTPResponse> => {
    this.verified = false;
    this.failure = null;
    const address = ftp.socket.remoteAddress?.replace(/^::ffff:/i, '');
    if (address === undefined) throw new Error('Connection lost: the control connection closed before a data connection could be opened.');
    let reply: FTPResponse | undefined;
    let port: number | undefined;
    if (!this.epsvRefused) {
      try {
        reply = await ftp.request('EPSV');
        port = epsvPort(reply.message);
      } catch (error) {
        if (!(error instanceof FTPError)) throw error;
      }
      if (port === undefined) this.epsvRefused = true;
    }
    if (port === undefined) {
      reply = await ftp.request('PASV');
      port = pasvPort(reply.message);
    }
    this.lastPort = port;
    await this.open(ftp, address, port);
    return reply as FTPResponse;
  };

  /** Why bytes from the current data connection may not be used yet: null once its certificate matched. */
  unverified(): RemoteError | null {
    return this.verified ? null : (this.failure ?? dataIdentityChanged(this.host, 'data arrived before the data connection showed its certificate'));
  }

  private open(ftp: FTPContext, address: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const raw = connectTcp({ host: address, port });
      // Worded as basic-ftp words it, so a blocked data port is reported with the passive ports to open.
      const fail = (error: Error) => {
        raw.destroy();
        reject(Object.assign(new Error(`Can't open data connection in passive mode to ${address}:${port}: ${error.message}`), { code: (error as { code?: unknown }).code }));
      };
      raw.once('error', fail);
      raw.setTimeout(ftp.timeout, () => fail(new Error(`Timeout when trying to open data connection to ${address}:${port}`)));
      raw.once('connect', () => {
        raw.setTimeout(0);
        raw.removeListener('error', fail);
        const control = ftp.socket as TLSSocket;
        const data = connectTls({ ...ftp.tlsOptions, socket: raw, session: ftp.tlsSessionStore ?? control.getSession() });
        // TLS 1.3 tickets are single-use: the next data connection resumes with the newest one.
        data.on('session', (session: Buffer) => {
          ftp.tlsSessionStore = session;
        });
        // basic-ftp sees the data connection as ready only once its certificate matched.
        holdSecureConnect(data, () => this.matchesControl(data, ftp));
        ftp.dataSocket = data;
        resolve();
      });
    });
  }

  private matchesControl(data: TLSSocket, ftp: FTPContext): boolean {
    const trusted = (ftp.socket as TLSSocket).getPeerCertificate?.()?.fingerprint256;
    const shown = data.getPeerCertificate()?.fingerprint256;
    // A resumed session carries the control connection's certificate; only that server holds its keys.
    if (trusted && (shown ? shown === trusted : data.isSessionReused())) {
      this.verified = true;
      return true;
    }
    this.failure = dataIdentityChanged(this.host, `control connection certificate SHA-256 ${trusted ?? 'unknown'}; data connection certificate SHA-256 ${shown ?? 'none'}`);
    data.destroy();
    // Stops the transfer under way with this error and closes the connection: the server is not
    // the one the user trusted, so nothing more goes to it.
    ftp.closeWithError(this.failure);
    return false;
  }
}

/**
 * A basic-ftp client whose log, should verbose logging ever be switched on, never shows a password,
 * and whose listings are bounded: the text by basic-ftp's own limit, the entries before parsing.
 */
function newClient(timeoutSeconds: number): Client {
  const client = new Client(timeoutSeconds * 1000, { allowSeparateTransferHost: false, maxListingBytes: LISTING_LIMITS.bytes });
  client.ftp.verbose = false;
  logThrough(client, redactFtpCommand);
  const parse = client.parseList;
  client.parseList = (text: string) => {
    // One line per entry, plus a `total` line some servers send first.
    if (lineCount(text) > LISTING_LIMITS.entries + 1) throw new ListingLimitPassed();
    const entries = parse(text);
    if (entries.length > LISTING_LIMITS.entries) throw new ListingLimitPassed();
    return entries;
  };
  return client;
}

const CHANGE_REFUSED =
  'The registry did not accept the new password, so the password was not changed. Choose a different one (the registry may have rules of its own) and try again.';

export async function openFtps(options: FtpsConnectOptions): Promise<RemoteFs> {
  const ctx: ErrorContext = {
    host: options.host,
    port: options.port,
    timeoutSeconds: options.timeoutSeconds,
    ...options.errorContext,
    secrets: [options.password, ...(options.newPassword !== undefined ? [options.newPassword] : [])],
  };
  let step: PasswordChangeStep | null = null;
  const report = (next: PasswordChangeStep) => {
    step = next;
    options.onPasswordChange?.(next);
  };
  let client = newClient(options.timeoutSeconds);
  let features: ReadonlyMap<string, string> = new Map();
  const dataChannel = new CheckedDataChannel(options.host);
  const isName = /[A-Za-z]/.test(options.host) && !options.host.includes(':');
  const tlsOptions = {
    host: options.host,
    ...(isName ? { servername: options.host } : {}),
    minVersion: options.minVersion ?? 'TLSv1.2',
    // The chain is not judged by OpenSSL alone: the trust store decides from the fingerprint right
    // after the handshake and before USER/PASS (see verifyIdentity below). Registries use
    // certificates the system may not vouch for, and tell users to trust them on first sight.
    rejectUnauthorized: false,
  } as const;
  /**
   * The TLS handshake, where plain text from the server (OpenSSL reads it as a record of a "wrong
   * version") is said as it is: not a drop, not a version problem. vsftpd's parent writes "500 OOPS"
   * when the session it just started dies (worth a second try); a plain FTP server on a port named
   * as implicit FTPS greets in plain text and keeps the connection open (a retry will not help).
   */
  const handshake = async (step: () => Promise<unknown>) => {
    try {
      await step();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!(error instanceof FTPError) && PLAIN_TEXT_IN_HANDSHAKE.test(message)) throw answeredInPlainText(options, redact(message, ctx.secrets).slice(0, 500));
      throw error;
    }
  };
  /** Connect, agree TLS, and let the caller judge the certificate; nothing about the account is sent. */
  const connectTrusted = async (c: Client) => {
    if (options.tls === 'implicit') {
      await handshake(() => c.connectImplicitTLS(options.host, options.port, { ...tlsOptions }));
    } else {
      await c.connect(options.host, options.port);
      try {
        await handshake(() => c.useTLS({ ...tlsOptions }));
      } catch (error) {
        if (error instanceof FTPError) {
          throw new RemoteError(
            'tls-required',
            `The server at ${options.host} port ${options.port} does not offer encryption (AUTH TLS). The app never sends a password without it.`,
            `${error.code}: ${error.message}`,
          );
        }
        throw error;
      }
    }
    const socket = c.ftp.socket as TLSSocket;
    if (typeof socket.getPeerCertificate !== 'function' || !socket.encrypted) {
      throw new RemoteError('tls-required', `The connection to ${options.host} is not encrypted; nothing was sent.`);
    }
    const { fingerprint, details } = describeCertificate(socket, options.host);
    const accepted = options.verifyIdentity({
      host: options.host,
      port: options.port,
      kind: 'tls-certificate',
      fingerprint,
      description: details.subject,
      certificate: details,
    });
    if (!accepted) throw new RemoteError('identity-unknown', 'certificate not accepted');
  };
  try {
    await connectTrusted(client);
    try {
      await client.login(options.username, options.password);
    } catch (error) {
      if (!(error instanceof FTPError && error.code === FTP_PASSWORD_EXPIRED)) throw error;
      // The server took the password as the login and wants a new one before anything else.
      report('demanded');
      const newPassword = options.newPassword;
      if (newPassword === undefined) {
        throw new RemoteError('password-change-required', 'The registry asks you to choose a new password before you can sign in.');
      }
      const problem = ftpPasswordProblem('pass-old-new', false, [options.password, newPassword]);
      if (problem !== null) throw new RemoteError('invalid-input', `${problem} Nothing was sent.`);
      // WS_FTP wants the change on a login of its own: a new connection, its certificate judged again.
      client.close();
      client = newClient(options.timeoutSeconds);
      await connectTrusted(client);
      report('sent');
      try {
        await client.login(options.username, `${options.password} ${newPassword}`);
      } catch (changeError) {
        // A clear refusal (530, or 560 again) means the password was not changed; anything else
        // (a drop, a timeout, 421) leaves it unknown, and `sent` stands.
        if (changeError instanceof FTPError && changeError.code >= 500) {
          report('refused');
          throw new RemoteError('password-change-required', CHANGE_REFUSED, redact(`${changeError.code}: ${changeError.message}`, ctx.secrets).slice(0, 500));
        }
        throw changeError;
      }
      report('accepted');
    }
    client.prepareTransfer = dataChannel.prepare;
    // FEAT's answer is kept: it tells whether listings carry UTC times and whether MDTM can be asked.
    features = await useDefaultSettingsKeepingFeatures(client);
  } catch (error) {
    client.close();
    const failure = ftpFailure(error, ctx, options.passivePorts);
    // A library that does not know what to call a connection that simply ended says 'internal'.
    if (step === 'sent' && failure.code === 'internal') throw new RemoteError('unreachable', failure.message, failure.detail);
    throw failure;
  }
  return new FtpsFs(client, ctx, dataChannel, options.passivePorts, { clocks: options.clocks ?? new ServerClocks(), features });
}

/**
 * A listed file as the contract has it. MLSD times (`modifiedAt`) are exact UTC. A LIST line's time
 * is the server's clock, moved to UTC by the offset learned for the server (0, as for most Unix
 * servers, until one is learned); a date without a time stays that date. One offset for every file:
 * a server that keeps daylight saving lists files from the other season an hour off (vsftpd does
 * not: it fixes its offset when it starts).
 */
function toEntry(info: FileInfo, offsetMinutes: number, now: Date): RemoteEntry {
  const common = { name: info.name, kind: info.isDirectory ? 'folder' : info.isFile ? 'file' : 'other', size: info.size } as const;
  if (info.modifiedAt) return { ...common, modified: info.modifiedAt.getTime() };
  const listed = parseListTime(info.rawModifiedAt, now, offsetMinutes);
  if (!listed) return { ...common, modified: null };
  return { ...common, modified: listedMoment(listed, offsetMinutes), modifiedPrecision: listed.precision };
}

/** What an FtpsFs knows of its server beyond the connection: FEAT's answer, and the server's LIST clock. */
interface ServerFacts {
  clocks: ServerClocks;
  /** FEAT's answer: `MLST` means listings in UTC (MLSD), `MDTM` a modification time in UTC by RFC 3659. */
  features: ReadonlyMap<string, string>;
}

class FtpsFs implements RemoteFs {
  readonly protocol = 'ftps' as const;
  /** One control connection carries one data transfer at a time. */
  readonly parallelTransfers = 1;

  constructor(
    private readonly client: Client,
    private readonly ctx: ErrorContext,
    /** Opens and checks every data connection of `client`. */
    private readonly dataChannel: CheckedDataChannel,
    private readonly passivePorts: { from: number; to: number } | undefined,
    private readonly server: ServerFacts,
  ) {}

  readonly facts = (): ConnectionFacts => {
    const control = this.client.ftp.socket as TLSSocket;
    const cipher = typeof control.getCipher === 'function' ? control.getCipher() : null;
    const version = typeof control.getProtocol === 'function' ? control.getProtocol() : null;
    return { negotiated: version && cipher ? `${version}, ${cipher.standardName ?? cipher.name}` : null, lastDataPort: this.dataChannel.lastPort };
  };

  /** Whether this connection has already tried to learn the server's LIST clock (once is enough). */
  private clockChecked = { ownUpload: false, mdtm: false };

  get usable(): boolean {
    return !this.client.closed;
  }

  /** FTPS servers take `SITE PSWD` / `SITE CPWD` after login (whether this one does, its answer says). */
  readonly passwordCommands: PasswordCommands = {
    change: (command, oldPassword, newPassword) => this.changePassword(command, oldPassword, newPassword),
  };

  /**
   * Change the password of the signed-in account with `SITE PSWD` or `SITE CPWD`: sent once, never
   * repeated. A NOOP goes first, so a connection the server dropped while idle is found before the
   * command could vanish into it.
   */
  private async changePassword(command: SitePasswordCommand, oldPassword: string, newPassword: string): Promise<SiteChangeResult> {
    const secrets = [...(this.ctx.secrets ?? []), oldPassword, newPassword];
    const detailOf = (error: unknown) => redact(error instanceof FTPError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error), secrets).slice(0, 500);
    try {
      await this.client.send('NOOP');
    } catch (error) {
      this.client.close();
      return { outcome: 'not-sent', detail: detailOf(error) };
    }
    try {
      const reply = await this.client.send(sitePasswordCommandLine(command, oldPassword, newPassword));
      const detail = redact(`${reply.code}: ${reply.message}`, secrets).slice(0, 500);
      return reply.code >= 200 && reply.code < 300 ? { outcome: 'accepted', detail } : { outcome: 'unknown', detail };
    } catch (error) {
      if (error instanceof FTPError) {
        // 500-504: the server does not know the command, or not in this form (Titan wants quotes).
        if ([500, 501, 502, 504].includes(error.code)) return { outcome: 'unsupported', detail: detailOf(error) };
        if (error.code >= 500) return { outcome: 'refused', detail: detailOf(error) };
      }
      // A drop, a timeout or a 4xx: the server may have changed it before the answer was lost.
      this.client.close();
      return { outcome: 'unknown', detail: detailOf(error) };
    }
  }

  private fail(error: unknown, path: string): RemoteError {
    const ctx = { ...this.ctx, path };
    if (!(error instanceof RemoteError) && !(error instanceof FTPError)) {
      const message = error instanceof Error ? error.message : String(error);
      // Signed in already, so TLS was agreed: a record that cannot be read, or a stream that ends
      // early, means the server's side went away (vsftpd's parent writes a plain "500 OOPS" over the
      // encrypted connection when a session process dies). Not a TLS version problem.
      if ((error as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE' || /premature close|wrong version number|ssl3_get_record|bad record mac|decryption failed/i.test(message)) {
        const dropped = toRemoteError(Object.assign(new Error(message), { code: 'ECONNRESET' }), ctx);
        return new RemoteError(dropped.code, dropped.message, redact(message, ctx.secrets).slice(0, 500));
      }
    }
    return ftpFailure(error, ctx, this.passivePorts);
  }

  /** An FTP command ends at a line break, so a name holding one cannot be sent (basic-ftp refuses it). */
  private sendable(path: string): void {
    if (/[\r\n\0]/.test(path)) {
      const name = path.slice(path.lastIndexOf('/') + 1).replace(/[\r\n\0]/g, ' ');
      throw new RemoteError('invalid-input', `The file name "${name}" has a line break in it, which FTPS cannot send. Ask the registry to rename the file.`);
    }
  }

  async size(path: string): Promise<number | null> {
    this.sendable(path);
    try {
      return await this.client.size(path);
    } catch (error) {
      if (error instanceof FTPError && error.code === 550) return null;
      throw this.fail(error, path);
    }
  }

  /**
   * basic-ftp cannot abort one transfer and keep the control connection, so a cancel closes the
   * connection (`usable` turns false) and the caller reopens one to clean up.
   */
  private async transfer(run: () => Promise<unknown>, path: string, options: TransferOptions): Promise<void> {
    const abort = () => this.client.close();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      this.sendable(path);
      if (options.signal?.aborted) throw cancelled();
      await run();
    } catch (error) {
      if (options.signal?.aborted) throw cancelled();
      throw this.dataChannel.failure ?? this.fail(error, path);
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
  }

  async upload(from: string | Buffer, remotePath: string, options: TransferOptions = {}): Promise<number | null> {
    // Progress is counted as the data connection takes each block, not by basic-ftp's tracker: that
    // one reports every 500 ms only, so a file sent in less had no progress before its end (and a
    // cancel on the first report came too late on a fast machine). The file is opened and read
    // only once basic-ftp starts sending (after the server's 150), so nothing is counted early.
    const source = () => Readable.from(sentInBlocks(from, options.onProgress), { objectMode: false });
    await this.transfer(() => this.client.uploadFrom(source(), remotePath), remotePath, options);
    // The server closed the file before its 226, so this is (a moment after) its modification time.
    const writtenAt = Date.now();
    const size = await this.size(remotePath);
    await this.learnClockFromOwnFile(remotePath, writtenAt);
    return size;
  }

  /**
   * A server without MLSD lists times on its own clock, often its local time: the file just written
   * shows it, listed against this computer's clock when it was written. Once per connection (a
   * listing of that one file), so an offset that moved with daylight saving is learned again by the
   * next batch. Never fails the upload, except when its data connection showed another certificate.
   */
  private async learnClockFromOwnFile(remotePath: string, writtenAt: number): Promise<void> {
    if (this.server.features.has('MLST') || this.clockChecked.ownUpload) return;
    this.clockChecked.ownUpload = true;
    const name = remotePath.slice(remotePath.lastIndexOf('/') + 1);
    try {
      const listed = (await this.boundedList(remotePath)).find((info) => info.name === name && info.isFile);
      if (!listed || listed.modifiedAt) return;
      const time = parseListTime(listed.rawModifiedAt, new Date(writtenAt));
      const offset = time?.precision === 'minute' ? offsetFrom(time.wallMs, writtenAt) : null;
      if (offset !== null) this.server.clocks.learn(this.ctx.host, this.ctx.port, offset, 'own-upload');
    } catch (error) {
      if (this.dataChannel.failure) throw this.dataChannel.failure;
      if (error instanceof RemoteError && error.code === 'identity-changed') throw error;
    }
  }

  /**
   * Without a note for this server yet, ask MDTM (UTC by RFC 3659) for one listed file and compare it
   * with its listed time: the listing's offset, where the server follows the RFC. Once per connection.
   */
  private async learnClockFromMdtm(folder: string, infos: readonly FileInfo[]): Promise<void> {
    if (this.clockChecked.mdtm || !this.server.features.has('MDTM')) return;
    if (this.server.clocks.get(this.ctx.host, this.ctx.port)) return;
    const now = new Date();
    const sample = infos.find((info) => info.isFile && !info.modifiedAt && !/[\r\n\0]/.test(info.name) && parseListTime(info.rawModifiedAt, now)?.precision === 'minute');
    if (!sample) return;
    this.clockChecked.mdtm = true;
    try {
      const utc = await this.client.lastMod(`${folder.replace(/\/+$/, '')}/${sample.name}`);
      const listed = parseListTime(sample.rawModifiedAt, utc);
      const offset = listed && Number.isFinite(utc.getTime()) ? offsetFrom(listed.wallMs, utc.getTime()) : null;
      if (offset !== null) this.server.clocks.learn(this.ctx.host, this.ctx.port, offset, 'mdtm');
    } catch {
      // A server that will not say (550, 502) leaves the offset unknown; the listing stands.
    }
  }

  /**
   * Every byte passes a gate before the file: none before the data connection's certificate was
   * checked, and none past `options.maxBytes` (the gate's error stops the transfer and closes the
   * connection, as a cancel does; the caller removes the partial file).
   */
  async download(remotePath: string, localPath: string, options: TransferOptions = {}): Promise<void> {
    await this.fetchInto(remotePath, createWriteStream(localPath, { flags: 'wx', mode: 0o600 }), options);
  }

  async read(remotePath: string, options: TransferOptions & { maxBytes: number }): Promise<Buffer> {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    await this.fetchInto(remotePath, sink, options);
    return Buffer.concat(chunks);
  }

  private async fetchInto(remotePath: string, sink: Writable, options: TransferOptions): Promise<void> {
    this.sendable(remotePath);
    const name = remotePath.slice(remotePath.lastIndexOf('/') + 1);
    const channel = this.dataChannel;
    let arrived = 0;
    const gate = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        const unverified = channel.unverified();
        if (unverified) return done(unverified);
        arrived += chunk.length;
        if (options.maxBytes !== undefined && arrived > options.maxBytes) return done(overran(name, options.maxBytes));
        done(null, chunk);
        options.onProgress?.(arrived);
      },
    });
    const saved = pipeline(gate, sink);
    saved.catch(() => undefined);
    try {
      await this.transfer(() => this.client.downloadTo(gate, remotePath), remotePath, options);
    } catch (error) {
      gate.destroy();
      // The file (for a download) is closed before the caller removes it.
      await saved.catch(() => undefined);
      throw error;
    }
    await saved;
  }

  async rename(from: string, to: string): Promise<void> {
    this.sendable(from);
    this.sendable(to);
    try {
      await this.client.rename(from, to);
    } catch (error) {
      throw this.fail(error, from);
    }
  }

  async remove(path: string): Promise<void> {
    this.sendable(path);
    try {
      await this.client.remove(path);
    } catch (error) {
      // FTP answers 550 both for "no such file" and "not allowed"; ask which it was.
      if (error instanceof FTPError && error.code === 550 && (await this.size(path).catch(() => undefined)) === null) {
        throw new RemoteError('not-found', `${path} was not found on the registry server.`, `${error.code}: ${error.message}`);
      }
      throw this.fail(error, path);
    }
  }

  async home(): Promise<string> {
    try {
      return await this.client.pwd();
    } catch (error) {
      throw ftpFailure(error, this.ctx, this.passivePorts);
    }
  }

  async list(path: string): Promise<RemoteEntry[]> {
    try {
      const infos = await this.boundedList(path);
      if (infos.some((info) => !info.modifiedAt)) await this.learnClockFromMdtm(path, infos);
      const offset = this.server.clocks.get(this.ctx.host, this.ctx.port)?.offsetMinutes ?? 0;
      const now = new Date();
      return infos.map((info) => toEntry(info, offset, now));
    } catch (error) {
      throw ftpFailure(error, { ...this.ctx, path }, this.passivePorts);
    }
  }

  /**
   * basic-ftp's listing, held to LISTING_LIMITS: its text stops being read at the byte limit (the
   * client's `maxListingBytes`), its entries are counted before they are parsed. A listing cut off
   * mid-stream leaves the server's reply to it on its way, so the connection is closed.
   */
  private async boundedList(path: string): Promise<FileInfo[]> {
    try {
      return await this.client.list(path);
    } catch (error) {
      if (this.dataChannel.failure) throw this.dataChannel.failure;
      if (error instanceof ListingLimitPassed) throw listingTooLong(path);
      if (isListingByteLimit(error)) {
        this.client.close();
        throw listingTooLong(path);
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

/**
 * The file's blocks, read 1 MiB at a time (not the 64 KiB default: fewer reads, and the next block
 * is ready while TLS encrypts the last), each counted once the consumer asked for the next one.
 */
async function* sentInBlocks(from: string | Buffer, onProgress: ((bytes: number) => void) | undefined): AsyncGenerator<Buffer> {
  const blocks: AsyncIterable<Buffer> | Buffer[] = typeof from === 'string' ? createReadStream(from, { highWaterMark: 1024 * 1024 }) : [from];
  let sent = 0;
  for await (const block of blocks) {
    yield block;
    sent += block.length;
    onProgress?.(sent);
  }
}
