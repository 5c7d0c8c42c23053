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

interface ErrorLike {
  code?: unknown;
  errno?: unknown;
  level?: unknown;
  message?: unknown;
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
