// Turn what a network library throws into a message a clinic's staff can act on, plus the facts
// their IT needs. Server text can be included in `detail`, never a password.
import type { ErrorCode } from '../../../shared/contract';
import { RemoteError } from './remote-fs';

export interface ErrorContext {
  host: string;
  port: number;
  timeoutSeconds: number;
  /** "Import code" or "Username", as the profile calls it. */
  usernameLabel?: string;
  supportTeam?: string;
  /** The folder an operation was working in. */
  path?: string;
  /** Values that must never appear in a message or detail (the password being sent). */
  secrets?: string[];
}

/** Blank out every secret from text a server or library produced, before it is shown or kept. */
export function redact(text: string, secrets: readonly string[] | undefined): string {
  let out = text;
  for (const secret of secrets ?? []) if (secret) out = out.split(secret).join('[hidden]');
  return out;
}

export type ConnectionLimitScope = 'account' | 'address' | 'server';

/**
 * Whose connection limit a server's refusal names: `account` (this account's sessions), `address`
 * (connections from this computer's internet address, which other computers of the clinic may share
 * behind one router, whatever account they use), `server` (the server as a whole is full), or null
 * when it is not about a limit. In the words real servers use:
 * - ProFTPD: `530 Sorry, the maximum number of clients (1) for this user are already connected.`
 *   (MaxClientsPerUser; MaxHostsPerUser and MaxClientsPerHost say "hosts (1) for this user" and
 *   "clients (1) from your host"; MaxClients says "of allowed clients (N) are already connected");
 *   its mod_sftp disconnects with reason 12 (too many connections) "Maximum connections for host/user reached".
 * - Pure-FTPd: `421 I can't accept more than 1 connections as the same user`, `421 Too many
 *   connections (N) from this IP`, `421 N users (the maximum) are already logged in, sorry`.
 * - vsftpd: `421 There are too many connections from your internet address.`, `421 There are too
 *   many connected users, please try later.`
 * - FileZilla Server, Serv-U, WS_FTP and others: "Too many users logged in for this account",
 *   "Too many connections for this user", "Maximum number of connections ... exceeded".
 */
export function connectionLimitNamed(text: string): ConnectionLimitScope | null {
  const isLimit =
    /maximum number (?:of )?(?:allowed )?(?:clients|connections|users|hosts|sessions|logins)|too many (?:connections|connected users|users|clients|sessions|logins|simultaneous)|(?:can't|cannot) accept more than \d+ connections|maximum connections|(?:connection|session|login) limit|users \(the maximum\)/i.test(
      text,
    );
  if (!isLimit) return null;
  if (/(?:this|same|the) (?:user|account)|host\/user|per[- ]user/i.test(text)) return 'account';
  if (/this ip|your (?:host|internet address|ip|address)|from this (?:host|address|computer)|per[- ](?:ip|host|address)/i.test(text)) return 'address';
  if (/allowed clients|users \(the maximum\)|too many connected users|too many users are connected|server is full/i.test(text)) return 'server';
  return 'account';
}

/** The refusal for a full connection limit, in words that never suggest a wrong password. */
export function tooManyConnections(scope: ConnectionLimitScope, ctx: ErrorContext, detail: string): RemoteError {
  const label = (ctx.usernameLabel ?? 'username').toLowerCase();
  if (scope === 'address') {
    return new RemoteError(
      'too-many-connections',
      `The registry refused this connection because as many connections as it allows are already open from this computer's internet address (other computers in the clinic may share that address). Another copy of this app or another program connected to the registry (a scheduled upload, perhaps on another computer) is using them right now: close it, or wait for it to finish, then try again. The ${label} and password were not refused: there is nothing to reset.`,
      detail,
    );
  }
  if (scope === 'server') {
    return new RemoteError(
      'too-many-connections',
      `The registry server at ${ctx.host} is serving as many connections as it takes right now, so it did not let this one in. Try again in a few minutes. The ${label} and password were not refused: there is nothing to reset.`,
      detail,
    );
  }
  return new RemoteError(
    'too-many-connections',
    `The registry refused this connection because this account already has as many connections open as it allows. Another program or another copy of this app (the app left open on another computer, or a scheduled upload) is signed in to this account right now: close it, or wait for it to finish, then try again. The ${label} and password were not refused: there is nothing to reset.`,
    detail,
  );
}

interface ErrorLike {
  code?: unknown;
  errno?: unknown;
  level?: unknown;
  message?: unknown;
}

/** A write the registry refused because the account's space, or its drop folder, is full: another name will not help. */
export function quotaFull(detail: string): RemoteError {
  return new RemoteError('quota-full', 'The registry refused the file: the account is over its storage quota.', detail);
}

export function toRemoteError(error: unknown, ctx: ErrorContext): RemoteError {
  if (error instanceof RemoteError) return error;
  const e = (error ?? {}) as ErrorLike;
  const code = typeof e.code === 'string' ? e.code : typeof e.code === 'number' ? e.code : undefined;
  const raw = typeof e.message === 'string' ? e.message : String(error);
  const where = `${ctx.host} port ${ctx.port}`;
  const detail = redact(`${code !== undefined ? `${code}: ` : ''}${raw}`, ctx.secrets).slice(0, 500);
  const make = (c: ErrorCode, message: string) => new RemoteError(c, message, detail);
  const permissionDenied = () => make('permission-denied', `The registry does not allow this account to do that${ctx.path ? ` in ${ctx.path}` : ''}.`);
  const notFound = () => make('not-found', `${ctx.path ? `${ctx.path} was` : 'That was'} not found on the registry server.`);

  // SFTP status codes (ssh2): 2 = no such file, 3 = permission denied. They are the server's own
  // verdict, so they win over the text, which names the path ("/TX1234/Timeout-Reports").
  if (code === 3) return permissionDenied();
  if (code === 2) return notFound();
  // SFTP has no quota status before version 5 (14 no space, 15 quota exceeded): a server on version 3
  // answers FAILURE (4) and says why in words, as the practice registry does for its 300 files.
  if (code === 14 || code === 15 || (code === 4 && /quota|disk full|no space/i.test(raw))) return quotaFull(detail);

  // Before the sign-in checks: an FTP server says "530" for a full limit as for a wrong password.
  const limit = connectionLimitNamed(raw);
  if (limit) return tooManyConnections(limit, ctx, detail);

  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(raw)) {
    return make(
      'unreachable',
      `The registry server at ${where} refused the connection. The server may be down, or the address or port may be wrong.`,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(raw)) {
    return make(
      'unreachable',
      `The server name ${ctx.host} could not be found. Check that this computer is connected to the internet; your IT can check its name lookup (DNS).`,
    );
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || /EHOSTUNREACH|ENETUNREACH/.test(raw)) {
    return make('unreachable', `This computer has no network route to ${where}. Check the internet connection.`);
  }
  if (code === 'ETIMEDOUT' || /timed out|timeout/i.test(raw)) {
    return make(
      'timeout',
      `The registry server at ${where} did not answer within ${ctx.timeoutSeconds} seconds. A firewall may be blocking port ${ctx.port}, or the server may be busy or down.`,
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /ECONNRESET|EPIPE|socket hang up|Connection lost|closed unexpectedly|No response from server/i.test(raw)) {
    return make('unreachable', `The connection to ${where} was dropped by the server or the network. Nothing was changed; try again.`);
  }
  if (e.level === 'client-authentication' || /authentication methods failed|Login incorrect|530/i.test(raw)) {
    const label = ctx.usernameLabel ?? 'username';
    return make(
      'auth-failed',
      `The registry did not accept that ${label.toLowerCase()} and password. The app tried only once, so repeated attempts will not lock the account. If the password is forgotten, only the registry can reset it${ctx.supportTeam ? ` (${ctx.supportTeam})` : ''}.`,
    );
  }
  if (/permission denied/i.test(raw)) return permissionDenied();
  if (code === 'ENOENT' || /no such file/i.test(raw)) return notFound();
  return make('internal', `Something unexpected happened talking to ${where}. Nothing was changed; try again, and if it keeps happening, show this message to your IT.`);
}
