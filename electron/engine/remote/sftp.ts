// SFTP adapter on ssh2-sftp-client. The host key is checked against the caller's decision before
// any credential leaves this computer; a login is attempted exactly once (registries lock accounts
// after failed logins); no keep-alive, as the registries ask. A server that demands a new password
// is answered in the same single attempt, both ways servers ask: OpenSSH with PAM through
// keyboard-interactive prompts, and RFC 4252 section 8 (SSH_MSG_USERAUTH_PASSWD_CHANGEREQ).
import { createWriteStream } from 'node:fs';
import { open as openLocal } from 'node:fs/promises';
import { posix } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuthenticationType, AuthHandlerMiddleware, Client as SshClient, FileEntry, KeyboardInteractiveCallback, ParsedKey, Prompt, SFTPWrapper } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import type { RemoteEntry } from '../../../shared/contract';
import { sshFingerprint, sshKeyAlgorithm } from '../trust/fingerprint';
import type { SeenIdentity } from '../trust/trust-store';
import { redact, tooManyConnections, toRemoteError, type ErrorContext } from './errors';
import { corked, destroySocket, serverExtensions, stopChannelDebug, stopProtocolDebug, writeLimits } from './ssh2-internals';
import { sshClientOf, stopWrapperDebug } from './ssh2-sftp-client-internals';
import { cancelled, LISTING_LIMITS, listingTooLong, overran, RemoteError, type ConnectionFacts, type PasswordChangeStep, type RemoteFs, type TransferOptions } from './remote-fs';

export interface SftpConnectOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  timeoutSeconds: number;
  /** Decide on the server's host key before anything else is sent. Return true to go on. */
  verifyIdentity: (seen: SeenIdentity) => boolean;
  errorContext?: Partial<ErrorContext>;
  /**
   * The server may demand a new password (the profile says so, or a new one is given). OpenSSH with
   * PAM asks for the change only through keyboard-interactive, and lets a plain password login in
   * only to fail the SFTP channel afterwards, so keyboard-interactive is offered first.
   */
  mayChangePassword?: boolean;
  /** The new password, sent only if the server demands a change. */
  newPassword?: string;
  /** Where a demanded change stands, step by step, so the caller keeps its keychain in step. */
  onPasswordChange?: (step: PasswordChangeStep) => void;
  /**
   * A private key, already opened (its passphrase checked) before connecting: offered once, first.
   * With a password too, a server that answers the key with "partial success" (OpenSSH's
   * `AuthenticationMethods publickey,password`) gets the password next; with an empty password the
   * key is the only way in.
   */
  key?: ParsedKey;
}

export const HOST_KEY_REJECTED = 'host key not accepted';

/** What a keyboard-interactive prompt asks for, read from its last line ("Retype new password: "). */
export type LoginPromptKind = 'password' | 'current' | 'new' | 'retype' | 'other';

export function classifyLoginPrompt(prompt: string): LoginPromptKind {
  const lines = prompt.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const last = lines[lines.length - 1] ?? '';
  if (/\bnew\b/i.test(last)) return /retype|re-?enter|again|confirm|verify|repeat/i.test(last) ? 'retype' : 'new';
  if (/current|\bold\b|existing/i.test(last)) return 'current';
  if (/password|passcode|pass ?phrase/i.test(last)) return 'password';
  return 'other';
}

/** Why a login was stopped on this side before the server had its answer. */
type LoginStop =
  | { reason: 'change-required' }
  | { reason: 'change-refused' }
  | { reason: 'asked-again' }
  | { reason: 'unknown-question'; question: string };

function stoppedLogin(stop: LoginStop, ctx: ErrorContext): RemoteError {
  switch (stop.reason) {
    case 'change-required':
      return new RemoteError('password-change-required', 'The registry asks you to choose a new password before you can sign in.');
    case 'change-refused':
      return new RemoteError(
        'password-change-required',
        'The registry did not accept the new password, so the password was not changed. Choose a different one (the registry may have rules of its own) and try again.',
      );
    case 'asked-again':
      // The server asked for the password a second time: the first was refused, and a second try
      // is exactly what locks registry accounts.
      return toRemoteError(Object.assign(new Error('the server asked for the password again'), { level: 'client-authentication' }), ctx);
    case 'unknown-question': {
      const question = redact(stop.question, ctx.secrets).replace(/\s+/g, ' ').trim().slice(0, 120);
      return new RemoteError(
        'auth-failed',
        `The registry asked a sign-in question the app cannot answer ("${question}"). Sign in on the registry's web page, or ask ${ctx.supportTeam ?? 'the registry'} for help.`,
      );
    }
  }
}

/**
 * One login, one password: keyboard-interactive first when a change may be demanded (its first
 * password prompt is the login attempt), password otherwise, never both with the same password. The
 * change prompts that follow an accepted login are answered once each; a prompt asked twice means the
 * server refused the answer, and the login stops there.
 */
class LoginConversation {
  stop: LoginStop | null = null;
  keyOffered = false;
  /** The server took the key with "partial success": it wants another method (a password) as well. */
  keyTookPartly = false;
  private passwordOffered = false;
  private keyboardOffered = false;
  private changeBy: 'keyboard' | 'password' | null = null;
  private step: PasswordChangeStep | null = null;
  private readonly answered = new Set<LoginPromptKind>();

  constructor(
    private readonly options: SftpConnectOptions,
    private readonly end: () => void,
  ) {}

  private report(step: PasswordChangeStep): void {
    if (this.step === step) return;
    this.step = step;
    this.options.onPasswordChange?.(step);
  }

  private halt(stop: LoginStop): void {
    this.stop ??= stop;
    if (stop.reason === 'change-refused') this.report('refused');
    this.end();
  }

  readonly authHandler: AuthHandlerMiddleware = (methodsLeft, partialSuccess, next) => {
    if (this.stop) return next(false as never);
    if (this.changeBy === 'password' && this.step === 'sent') {
      // RFC 4252 section 8: a failure after the change request means the password was not changed,
      // unless the server says "partial success" (changed, but it wants another method too).
      if (!partialSuccess) {
        this.report('refused');
        this.stop ??= { reason: 'change-refused' };
        return next(false as never);
      }
      this.report('accepted');
    }
    const offers = (method: AuthenticationType) => methodsLeft === null || methodsLeft === undefined || methodsLeft.includes(method);
    // The key first, once: ssh2's own order would not follow a partial success to the password.
    if (this.options.key && !this.keyOffered && offers('publickey')) {
      this.keyOffered = true;
      return next({ type: 'publickey', username: this.options.username, key: this.options.key });
    }
    if (this.keyOffered && partialSuccess && !this.passwordOffered && !this.keyboardOffered) this.keyTookPartly = true;
    // No password given: the key was the only way in.
    if (this.options.password === '') return next(false as never);
    const preferKeyboard = this.options.mayChangePassword === true || this.options.newPassword !== undefined;
    if (preferKeyboard && !this.keyboardOffered && !this.passwordOffered && offers('keyboard-interactive')) {
      this.keyboardOffered = true;
      return next({ type: 'keyboard-interactive', username: this.options.username, prompt: this.onPrompts });
    }
    if (!this.passwordOffered && offers('password')) {
      this.passwordOffered = true;
      return next({ type: 'password', username: this.options.username, password: this.options.password });
    }
    return next(false as never);
  };

  private readonly onPrompts = (_name: string, _instructions: string, _lang: string, prompts: Prompt[], finish: KeyboardInteractiveCallback): void => {
    const answers: string[] = [];
    for (const { prompt } of prompts) {
      const kind = classifyLoginPrompt(prompt);
      if (kind === 'other') return this.halt({ reason: 'unknown-question', question: prompt });
      if (kind === 'password') {
        if (this.passwordOffered) return this.halt({ reason: 'asked-again' });
        this.passwordOffered = true;
        answers.push(this.options.password);
        continue;
      }
      // A change prompt: the login itself was accepted, and the server wants a new password.
      this.report('demanded');
      const newPassword = this.options.newPassword;
      if (newPassword === undefined) return this.halt({ reason: 'change-required' });
      if (this.answered.has(kind)) return this.halt({ reason: 'change-refused' });
      this.answered.add(kind);
      this.changeBy = 'keyboard';
      this.passwordOffered = true;
      answers.push(kind === 'current' ? this.options.password : newPassword);
    }
    finish(answers);
    if (this.answered.has('new') || this.answered.has('retype')) this.report('sent');
  };

  /** RFC 4252 section 8: the server answered the password with a change request. */
  readonly onChangeRequest = (_message: string, done: (newPassword: string) => void): void => {
    this.report('demanded');
    const newPassword = this.options.newPassword;
    if (newPassword === undefined) return this.halt({ reason: 'change-required' });
    // Asked again after a new password was sent: the server did not find it acceptable.
    if (this.changeBy === 'password') return this.halt({ reason: 'change-refused' });
    this.changeBy = 'password';
    done(newPassword);
    this.report('sent');
  };

  readonly onReady = (): void => {
    if (this.step === 'sent') this.report('accepted');
  };
}

/** SSH_DISCONNECT_TOO_MANY_CONNECTIONS (RFC 4253 section 11.1), as ProFTPD's mod_sftp sends for MaxClientsPerUser. */
const DISCONNECT_TOO_MANY_CONNECTIONS = 12;

/** What ssh2's debug lines call each list of a KEXINIT, and how IT would name it. */
const ALGORITHM_KINDS: Record<string, string> = {
  'KEX method': 'key exchange method',
  'Host key format': 'host key type',
  'C->S cipher': 'encryption cipher',
  'S->C cipher': 'encryption cipher',
  'C->S MAC': 'message authentication code (MAC)',
  'S->C MAC': 'message authentication code (MAC)',
  'C->S compression': 'compression method',
  'S->C compression': 'compression method',
};
/** ssh2's "Handshake failed: no matching ..." names the list that found no match; these are its words for each. */
const FAILED_LIST: Record<string, string> = {
  'key exchange algorithm': 'KEX method',
  'host key format': 'Host key format',
};

/** Names in the key exchange list that announce protocol extensions, not algorithms (RFC 8308, OpenSSH's strict KEX). */
const PROTOCOL_SIGNALS = new Set(['ext-info-c', 'ext-info-s', 'kex-strict-c-v00@openssh.com', 'kex-strict-s-v00@openssh.com']);

/**
 * What the server and this app offered in the SSH handshake, list by list. ssh2's error on a
 * failed handshake names only the list that found no match, and its 'handshake' event comes only
 * after a success, so the offers are read from its debug lines ("Handshake: (remote) KEX method:
 * a,b"), which it writes as it compares the two KEXINITs. Only those lines are kept; the hook is
 * taken off once the handshake is over, so transfers pay nothing for it.
 */
export class HandshakeOffers {
  private readonly lists = new Map<string, { local?: string[]; remote?: string[] }>();
  private listening = true;

  readonly debug = (line: string): void => {
    if (!this.listening) return;
    const match = /^Handshake: \((local|remote)\) (.+?): (.*)$/.exec(line);
    if (!match) return;
    const side = match[1] === 'local' ? 'local' : 'remote';
    const list = match[2] ?? '';
    const entry = this.lists.get(list) ?? {};
    entry[side] = (match[3] ?? '').split(',').filter((n) => n !== '' && !PROTOCOL_SIGNALS.has(n));
    this.lists.set(list, entry);
  };

  stop(): void {
    this.listening = false;
  }

  /**
   * The plain-words error for a handshake that found no algorithm in common, naming both sides'
   * lists for IT; null when `error` is something else.
   */
  mismatch(error: unknown, ctx: ErrorContext): RemoteError | null {
    const message = error instanceof Error ? error.message : String(error);
    const failed = /Handshake failed: no matching (.+)$/i.exec(message)?.[1]?.trim();
    if (!failed) return null;
    const list = FAILED_LIST[failed] ?? failed;
    const what = ALGORITHM_KINDS[list] ?? `${failed.replace(/^[CS]->[CS] /, '')} algorithm`;
    const offered = this.lists.get(list);
    const names = (side: string[] | undefined) => (side && side.length > 0 ? side.join(', ') : 'not known');
    return new RemoteError(
      'algorithm-mismatch',
      `The registry server at ${ctx.host} port ${ctx.port} and this app have no ${what} in common, so no secure connection could be made and nothing was sent. Show this to your IT: the server offers ${names(offered?.remote)}; this app supports ${names(offered?.local)}.`,
      redact(message, ctx.secrets).slice(0, 500),
    );
  }
}

export async function openSftp(options: SftpConnectOptions): Promise<RemoteFs> {
  const ctx: ErrorContext = {
    host: options.host,
    port: options.port,
    timeoutSeconds: options.timeoutSeconds,
    ...options.errorContext,
    secrets: [options.password, ...(options.newPassword !== undefined ? [options.newPassword] : [])],
  };
  const client = new SftpClient('registry-transfer', {
    // After connect, ssh2-sftp-client reports late errors here; the operation that is waiting gets
    // the error itself, so nothing is needed but to keep them from being thrown as unhandled.
    error: () => undefined,
  });
  const ssh = sshClientOf(client);
  const login = new LoginConversation(options, () => ssh.end());
  ssh.on('change password', login.onChangeRequest);
  ssh.on('ready', login.onReady);
  const offers = new HandshakeOffers();
  let negotiated: string | null = null;
  ssh.on('handshake', (chosen: { kex?: string; serverHostKey?: string; cs?: { cipher?: string; mac?: string } }) => {
    negotiated = [chosen.kex, chosen.serverHostKey, chosen.cs?.cipher, chosen.cs?.mac && chosen.cs.mac !== '' ? chosen.cs.mac : null].filter(Boolean).join(', ') || null;
    offers.stop();
    // ssh2 checks its debug hook before every packet it logs; none is wanted past the handshake.
    stopProtocolDebug(ssh);
  });
  /**
   * The connection's own first error, as ssh2 made it: ssh2-sftp-client passes on only its text and
   * code. A numeric code on a connection error is the reason of the server's SSH_MSG_DISCONNECT.
   */
  let connectionError: (Error & { code?: unknown; level?: unknown }) | undefined;
  ssh.on('error', (error: Error) => {
    connectionError ??= error;
  });
  let identityRejected = false;
  let sftp: SFTPWrapper;
  try {
    sftp = await client.connect({
      host: options.host,
      port: options.port,
      username: options.username,
      // Never offered by itself (authHandler decides); ssh2 reads it from here to answer an RFC 4252
      // change request with the old and the new password.
      password: options.password,
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
      // One attempt per method: the key given (if any), then the password; no agent, no other keys.
      authHandler: login.authHandler,
      debug: offers.debug,
    });
  } catch (error) {
    await client.end().catch(() => undefined);
    if (identityRejected) throw new RemoteError('identity-unknown', HOST_KEY_REJECTED);
    if (login.stop) throw stoppedLogin(login.stop, ctx);
    const refused = toRemoteError(error, ctx);
    if (refused.code === 'auth-failed' && options.key && options.password === '' && login.keyTookPartly) {
      throw new RemoteError(
        'auth-failed',
        `The registry took the key, and wants the password of ${options.username} as well. Sign in with the key and password. Nothing else was tried.`,
      );
    }
    if (refused.code === 'auth-failed' && options.key && login.keyOffered) {
      throw new RemoteError(
        'auth-failed',
        options.password === ''
          ? `The registry did not accept the key (${options.key.type}): it may not be on file there yet, or it was given for another ${(ctx.usernameLabel ?? 'username').toLowerCase()}. It was tried once.`
          : `The registry did not accept the key and password for ${options.username}: the key may not be on file yet, or the password is wrong. Each was tried once.`,
      );
    }
    const mismatch = offers.mismatch(connectionError ?? error, ctx);
    if (mismatch) throw mismatch;
    if (connectionError?.code === DISCONNECT_TOO_MANY_CONNECTIONS) {
      // ProFTPD's mod_sftp takes the password, then disconnects: the password was right.
      throw tooManyConnections('account', ctx, redact(`SSH disconnect ${DISCONNECT_TOO_MANY_CONNECTIONS}: ${connectionError.message}`, ctx.secrets).slice(0, 500));
    }
    throw toRemoteError(error, ctx);
  }
  offers.stop();
  // The SFTP channel and ssh2-sftp-client took the debug hook too; their requests need none.
  stopChannelDebug(sftp);
  stopWrapperDebug(client);
  // SFTP is request and reply: without TCP_NODELAY each small request waits for the peer's delayed
  // ACK (40 ms on Linux, 200 ms on Windows), which made a folder listing take a fifth of a second.
  ssh.setNoDelay(true);
  const fs = new SftpFs(client, sftp, ctx, () => ({ negotiated, lastDataPort: null }));
  // A server that closes an idle connection: the next transfer must open a new one, not fail.
  client.on('close', () => fs.markClosed());
  client.on('end', () => fs.markClosed());
  return fs;
}

/**
 * How an upload is cut into write requests. OpenSSH's sftp keeps 64 requests of 32 KiB in flight,
 * which fills the server's 2 MiB channel window; this keeps as many bytes in flight. ssh2 sends a
 * request longer than the channel's packet size (32 KiB at OpenSSH) as two packets, the second a few
 * dozen bytes, and 32 KiB of data plus the request's header is just too long; so a write carries
 * whole packets, never a stub of one: up to four, as far as the server's largest write allows
 * (OpenSSH allows 255 KiB through limits@openssh.com). Fewer requests cost less CPU at both ends;
 * measured against OpenSSH on loopback, two to four packets a write went fastest, seven came in
 * bursts (the server handles a request only once all of it has arrived).
 */
export function writePlan(packetSize: number, maxWriteLength: number, handleLength: number): { writeSize: number; inFlight: number; readSize: number } {
  // uint32 length, byte type, uint32 id, string handle, uint64 offset, uint32 data length.
  const header = 4 + 1 + 4 + (4 + handleLength) + 8 + 4;
  const packets = Math.max(1, Math.min(MAX_PACKETS_PER_WRITE, Math.floor((maxWriteLength + header) / packetSize)));
  const writeSize = Math.max(1024, Math.min(maxWriteLength, packets * packetSize - header));
  const inFlight = Math.min(64, Math.max(4, Math.ceil(BYTES_IN_FLIGHT / writeSize)));
  // Read the local file in blocks of whole writes, about 1 MiB or one write if that is larger: each
  // read costs the event loop a round trip through libuv's thread pool (256 KiB blocks spent 40-50
  // ms of a 256 MiB upload's main thread on it, 1 MiB blocks 17-22 ms).
  const readSize = writeSize * Math.max(1, Math.floor(READ_BYTES / writeSize));
  return { writeSize, inFlight, readSize };
}
const MAX_PACKETS_PER_WRITE = 4;
const BYTES_IN_FLIGHT = 64 * 32 * 1024;
const READ_BYTES = 1024 * 1024;

function planFor(sftp: SFTPWrapper, handle: Buffer): ReturnType<typeof writePlan> {
  // The channel's packet size, and the write length the server allows (ssh2's own guess when the
  // server does not say).
  const limits = writeLimits(sftp);
  const packetSize = limits.packetSize ?? 32 * 1024;
  return writePlan(packetSize, limits.maxWriteLength ?? packetSize, handle.length);
}

/**
 * Files sent at once over one connection. SFTP answers every request on its own, so while one file
 * waits for the server (open, close, rename) another is being written: for a batch of small files
 * that is most of the time. Four, like the parallel transfers of common desktop clients.
 */
const PARALLEL_TRANSFERS = 4;
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
  /** Run `send`, whose packets then leave in one system call instead of one each. */
  together<T>(send: () => T): T;
  /**
   * One timer and one drop listener for a wait on the server, however many requests it covers (a
   * reply, an upload's writes in flight, a download's reads): `onFailure` is called once, when the
   * connection drops or when `busy()` has been true for `timeoutSeconds` without an `answered()`.
   */
  watch(busy: () => boolean, onFailure: (error: unknown) => void): StallWatch;
}

interface StallWatch {
  /** The server answered a request: the silence starts again. */
  answered(): void;
  /** False once the connection dropped or stalled: nothing in flight will be answered then. */
  readonly live: boolean;
  stop(): void;
}

/** What an upload reads from: a local file, or the bytes of a small one already read. */
interface UploadSource {
  size(): Promise<number>;
  /** Up to `length` bytes at `position`; valid until the next read. */
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

async function localFile(path: string): Promise<UploadSource> {
  const file = await openLocal(path, 'r');
  let block: Buffer | undefined;
  return {
    size: async () => (await file.stat()).size,
    async read(position, length) {
      // ssh2 copies each write into its packet at once, so one block is reused for the whole file.
      if (!block || block.length < length) block = Buffer.allocUnsafe(length);
      const { bytesRead } = await file.read(block, 0, Math.min(length, block.length), position);
      return block.subarray(0, bytesRead);
    },
    close: () => file.close(),
  };
}

function bytesInMemory(bytes: Buffer): UploadSource {
  return {
    size: async () => bytes.length,
    read: async (position, length) => bytes.subarray(position, position + length),
    close: async () => undefined,
  };
}

/**
 * Write a local file with many requests in flight (as `sftp` and ssh2's fastPut do), reading it once
 * in order with bounded memory, checking the abort signal between blocks. The server must finish at
 * least one write in every `timeoutSeconds`, or the upload fails as stalled. Resolves with the size
 * the server reports for the written file.
 */
async function pipelinedUpload(sftp: SFTPWrapper, guard: ReplyGuard, from: string | Buffer, remotePath: string, options: TransferOptions): Promise<number> {
  const local = typeof from === 'string' ? await localFile(from) : bytesInMemory(from);
  let handle: Buffer | undefined;
  let watch: StallWatch | undefined;
  // Writes sent that the server has not answered yet. A counter and one callback per write, not a
  // promise each: a 256 MiB file is thousands of writes, and garbage made per write shows up as
  // the garbage collector's time next to the transfer's.
  let outstanding = 0;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const settle = () => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  const nextAnswer = () => new Promise<void>((resolve) => (wake = resolve));
  try {
    const size = await local.size();
    handle = await guard.reply(() => call<Buffer>((cb) => sftp.open(remotePath, 'w', cb)));
    const remote = handle;
    const live = guard.watch(
      () => outstanding > 0,
      (error) => {
        failure ??= error;
        settle();
      },
    );
    watch = live;
    const { writeSize: chunk, inFlight, readSize } = planFor(sftp, remote);
    let written = 0;
    const writeFor = (length: number) => (error: unknown) => {
      outstanding -= 1;
      if (error) failure ??= error;
      else {
        written += length;
        options.onProgress?.(written);
      }
      live.answered();
      settle();
    };
    let offset = 0;
    while (offset < size && failure === undefined && !options.signal?.aborted) {
      const block = await local.read(offset, Math.min(readSize, size - offset));
      const bytesRead = block.length;
      // A file that shrank meanwhile: the size check after the upload says so.
      if (bytesRead === 0) break;
      for (let at = 0; at < bytesRead && failure === undefined; at += chunk) {
        while (outstanding >= inFlight && failure === undefined) await nextAnswer();
        if (failure !== undefined) break;
        const length = Math.min(chunk, bytesRead - at);
        outstanding += 1;
        guard.together(() => sftp.write(remote, block, at, length, offset + at, writeFor(length) as never));
      }
      offset += bytesRead;
    }
    if (failure === undefined && !options.signal?.aborted) {
      // Every write is sent. The size and the close go right behind them: a server answers the
      // requests on one handle in order, so they cost one round trip, not two.
      const [stats, closed] = guard.together(() => [
        call<{ size: number }>((cb) => sftp.fstat(remote, cb as never)),
        call<void>((cb) => sftp.close(remote, cb as never)),
      ] as const);
      const answers = Promise.all([stats, closed]);
      answers.catch(() => undefined); // awaited below, after the writes; until then not "unhandled"
      handle = undefined;
      while (outstanding > 0 && failure === undefined) await nextAnswer();
      const [remoteStats] = await guard.reply(() => answers);
      if (failure !== undefined) throw failure;
      return remoteStats.size;
    }
    while (outstanding > 0 && failure === undefined) await nextAnswer();
    if (failure !== undefined) throw failure;
    throw cancelled();
  } finally {
    // On a live connection the writes already sent are let finish and the handle is closed cleanly;
    // on a dead one nothing would ever answer, and the guard says so at once.
    while (outstanding > 0 && watch?.live) await nextAnswer();
    watch?.stop();
    if (handle) {
      const open = handle;
      await guard.reply(() => call<void>((cb) => sftp.close(open, cb as never))).catch(() => undefined);
    }
    await local.close();
  }
}

/** SSH_FX_EOF: the status that ends a folder listing. */
const SFTP_EOF = 1;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

/**
 * One READDIR name as the app shows it (as ssh2-sftp-client's list did). The kind comes from the
 * mode's file type bits; a server that sends none is read from the `ls -l` line's first letter.
 */
function remoteEntry(item: FileEntry): RemoteEntry {
  const type = (item.attrs.mode ?? 0) & S_IFMT;
  const letter = item.longname.slice(0, 1);
  const kind = type !== 0 ? (type === S_IFDIR ? 'folder' : type === S_IFREG ? 'file' : 'other') : letter === 'd' ? 'folder' : letter === '-' ? 'file' : 'other';
  const modified = item.attrs.mtime * 1000;
  return { name: item.filename, kind, size: item.attrs.size ?? 0, modified: Number.isFinite(modified) ? modified : null };
}

class SftpFs implements RemoteFs, ReplyGuard {
  readonly protocol = 'sftp' as const;
  readonly parallelTransfers = PARALLEL_TRANSFERS;
  private closed = false;
  private ended = false;
  /** Aborted when the connection closes, for whoever is waiting on the server. */
  private readonly dropped = new AbortController();

  readonly renameReplacing?: (from: string, to: string) => Promise<void>;

  constructor(
    private readonly client: SftpClient,
    private readonly sftp: SFTPWrapper,
    private readonly ctx: ErrorContext,
    readonly facts: () => ConnectionFacts = () => ({ negotiated: null, lastDataPort: null }),
  ) {
    // ssh2's ext_openssh_rename throws unless the server announced version "1" of the extension.
    if (serverExtensions(sftp)['posix-rename@openssh.com'] === '1') {
      this.renameReplacing = async (from, to) => {
        try {
          await this.reply(() => call<void>((cb) => this.sftp.ext_openssh_rename(from, to, cb as never)));
        } catch (error) {
          throw this.fail(error, from);
        }
      };
    }
  }

  get usable(): boolean {
    return !this.closed;
  }

  markClosed(): void {
    this.closed = true;
    this.dropped.abort();
  }

  private get ssh(): SshClient {
    return sshClientOf(this.client);
  }

  /** Close the socket at once: used when the server stopped answering, as a goodbye would wait too. */
  private drop(): void {
    this.markClosed();
    this.ssh.destroy();
    // ssh2's destroy() does nothing once a goodbye half-closed the socket; close it all the same.
    destroySocket(this.ssh);
  }

  together<T>(send: () => T): T {
    return corked(this.ssh, send);
  }

  watch(busy: () => boolean, onFailure: (error: unknown) => void): StallWatch {
    const seconds = this.ctx.timeoutSeconds;
    let live = true;
    const fail = (error: unknown) => {
      if (!live) return;
      live = false;
      stop();
      onFailure(error);
    };
    const onDrop = () => fail(connectionLost());
    // Silence while nothing is asked of the server (the next block still being read from a slow
    // disk) is not a stall: the timer starts over then.
    const timer = setTimeout(() => {
      if (!busy()) {
        timer.refresh();
        return;
      }
      fail(stalled(seconds));
      this.drop();
    }, seconds * 1000);
    const stop = () => {
      clearTimeout(timer);
      this.dropped.signal.removeEventListener('abort', onDrop);
    };
    this.dropped.signal.addEventListener('abort', onDrop, { once: true });
    if (this.closed) queueMicrotask(onDrop);
    return {
      answered: () => void (live && timer.refresh()),
      get live() {
        return live;
      },
      stop,
    };
  }

  reply<T>(request: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(connectionLost());
    return new Promise<T>((resolve, reject) => {
      // One request: the silence counts from when it was sent, and the first of answer, drop or
      // timeout decides.
      const watch = this.watch(() => true, reject);
      request()
        .then(resolve, reject)
        .finally(() => watch.stop());
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

  async upload(from: string | Buffer, remotePath: string, options: TransferOptions = {}): Promise<number> {
    try {
      return await pipelinedUpload(this.sftp, this, from, remotePath, options);
    } catch (error) {
      throw this.fail(error, remotePath);
    }
  }

  async download(remotePath: string, localPath: string, options: TransferOptions = {}): Promise<void> {
    const sink = createWriteStream(localPath, { flags: 'wx', mode: 0o600 });
    try {
      await this.fetchInto(remotePath, sink, options);
    } finally {
      // The caller removes the file next: not before it is closed (Windows cannot remove an open
      // file, and a write still queued could otherwise land after the removal).
      if (!sink.closed) await new Promise<void>((resolve) => sink.once('close', () => resolve()));
    }
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

  /** A download's bytes into `sink`, counted, watched and held to `options.maxBytes`. */
  private async fetchInto(remotePath: string, sink: Writable, options: TransferOptions): Promise<void> {
    if (this.closed) throw this.fail(connectionLost(), remotePath);
    const { maxBytes } = options;
    let moved = 0;
    // Reads ask for no byte past one more than allowed (ssh2's `end` is the last offset read), so a
    // server that never stops sending is not even asked for more; the count below stops the rest.
    const source = this.sftp.createReadStream(remotePath, maxBytes !== undefined ? { end: maxBytes } : {});
    // A read the server never answers would leave the stream waiting for ever: no data for
    // `timeoutSeconds`, or a dropped connection, ends it.
    // Why the watch ended the stream, if it did: ssh2 then closes the file handle on the dead
    // connection and reports that close's failure instead ("dropped" for what was a timeout).
    let ended: unknown;
    const watch = this.watch(
      () => true,
      (error) => {
        ended = error;
        source.destroy(error as Error);
      },
    );
    // Counts what arrives and fails the pipeline the moment more than `maxBytes` has come: the
    // pipeline then destroys the read stream, which closes the file handle on the server.
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        watch.answered();
        moved += chunk.length;
        if (maxBytes !== undefined && moved > maxBytes) return done(overran(posix.basename(remotePath), maxBytes));
        options.onProgress?.(moved);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, counted, sink, options.signal ? { signal: options.signal } : {});
    } catch (error) {
      if (options.signal?.aborted) throw cancelled();
      throw this.fail(ended ?? error, remotePath);
    } finally {
      watch.stop();
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
      return await this.readFolder(path);
    } catch (error) {
      throw toRemoteError(error, { ...this.ctx, path });
    }
  }

  /**
   * A folder's entries, read one READDIR answer at a time (OpenSSH sends 100 names an answer). Each
   * answer is waited for on its own, so the timeout is about the server's silence, not about how
   * long a live listing takes; and the listing is cut off past LISTING_LIMITS, as a server that
   * never stops listing would otherwise fill the memory.
   */
  private async readFolder(path: string): Promise<RemoteEntry[]> {
    const handle = await this.reply(() => call<Buffer>((cb) => this.sftp.opendir(path, cb as never)));
    const entries: RemoteEntry[] = [];
    let bytes = 0;
    try {
      for (let answers = 1; ; answers += 1) {
        const names = await this.reply(
          () =>
            new Promise<FileEntry[] | null>((resolve, reject) =>
              // ssh2 leaves out "." and ".."; the end of the folder comes as an EOF status.
              this.sftp.readdir(handle, (error, list) => (error ? ((error as { code?: unknown }).code === SFTP_EOF ? resolve(null) : reject(error)) : resolve(list))),
            ),
        );
        if (names === null) return entries;
        for (const item of names) {
          // Characters of the name and its `ls -l` line: what the listing holds in memory, near enough.
          bytes += item.filename.length + item.longname.length;
          entries.push(remoteEntry(item));
        }
        // Answers are counted too: answers with no names in them would loop for ever without
        // growing the list.
        if (entries.length > LISTING_LIMITS.entries || bytes > LISTING_LIMITS.bytes || answers > LISTING_LIMITS.entries) throw listingTooLong(path);
      }
    } finally {
      await this.reply(() => call<void>((cb) => this.sftp.close(handle, cb as never))).catch(() => undefined);
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
