// One control connection of the practice FTPS server, from the first byte to the last: TLS (implicit,
// or explicit after AUTH TLS), sign-in with WS_FTP's demanded change (reply 560, then `PASS old
// new`), the account's files through the practice backend, and passive TLS data connections.
//
// Paths: the client's path is joined to the working folder as the account sees it (`/`,
// `/HL7-Dropoff`), with `.` and `..` worked out inside that account view; the backend judges every
// name and is the only one that ever touches a disk. This file never builds a local path.
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { PracticeBackend, PracticeEntry, PracticeFiles } from '../backend';
import { CommandLineReader, type CommandLine } from './command-lines';
import { DataConnectionProblem, PassiveData, plainAddress } from './passive';
import {
  factsLine,
  failureReply,
  listableName,
  listLine,
  MLST_FACTS,
  mlstFeature,
  multiLineReply,
  oneLine,
  quotedPath,
  redactCommand,
  replyLine,
  timeVal,
  type MlstFact,
} from './replies';

export interface SessionLimits {
  /** Longest command line taken (bytes, without CR LF); a longer one closes the connection. */
  maxLineBytes: number;
  /** Commands sent ahead of their answers that are held; more closes the connection. */
  maxQueuedCommands: number;
  /** No command for this long (outside a transfer): 421 and closed. */
  idleMs: number;
  /** Not signed in this long after connecting: 421 and closed. */
  loginMs: number;
  /** The TLS handshake of the control connection. */
  handshakeMs: number;
  /** Waiting for a data connection or its handshake, and silence in the middle of a transfer. */
  dataMs: number;
  /** Wrong passwords on one connection before it is closed. */
  maxFailedLogins: number;
}

export const DEFAULT_LIMITS: SessionLimits = {
  // vsftpd's VSFTP_MAX_COMMAND_LINE
  maxLineBytes: 4096,
  maxQueuedCommands: 64,
  // vsftpd's idle_session_timeout, accept_timeout/data_connection_timeout, max_login_fails
  idleMs: 300_000,
  loginMs: 60_000,
  handshakeMs: 30_000,
  dataMs: 60_000,
  maxFailedLogins: 3,
};

/** One command as received, its secret (PASS, SITE PSWD/CPWD) masked: what a server log may keep. */
export interface FtpsLogEntry {
  session: number;
  address: string;
  encrypted: boolean;
  command: string;
}

export interface SessionSettings {
  id: number;
  implicitTls: boolean;
  secureContext: SecureContext;
  backend: PracticeBackend;
  limits: SessionLimits;
  passivePorts?: { from: number; to: number } | undefined;
  log?: ((entry: FtpsLogEntry) => void) | undefined;
  /** Called once, when the connection has closed. */
  onClose: () => void;
}

/** Commands taken before the connection is encrypted (explicit TLS, before AUTH TLS). */
const BEFORE_TLS = new Set(['AUTH', 'FEAT', 'SYST', 'NOOP', 'QUIT', 'HELP']);
/** Commands taken before sign-in. */
const BEFORE_SIGN_IN = new Set([...BEFORE_TLS, 'USER', 'PASS', 'PBSZ', 'PROT', 'OPTS', 'TYPE', 'MODE', 'STRU', 'CLNT']);
/** RFC 775's X-commands, still sent by a few clients. */
const ALIASES: Record<string, string> = { XPWD: 'PWD', XCWD: 'CWD', XCUP: 'CDUP', XMKD: 'MKD', XRMD: 'RMD' };
const HELP_COMMANDS = [
  'ABOR APPE AUTH CDUP CWD DELE EPSV FEAT HELP LIST MDTM MKD MLSD MLST MODE NLST NOOP OPTS PASS',
  'PASV PBSZ PROT PWD QUIT REST RETR RMD RNFR RNTO SITE SIZE STOR STRU SYST TYPE USER',
];
/** WS_FTP Server's words for an expired password (the app's FTPS client knows the code, 560). */
export const PASSWORD_EXPIRED_REPLY = "Password expired, use 'pass oldpassword newpassword'";
/** How long a refused command's data connection is left for the client to close. */
const RELEASE_GRACE_MS = 10_000;

interface Transfer {
  controller: AbortController;
  /** Set by ABOR or QUIT: the command's own final reply is then theirs to give. */
  aborted: boolean;
}

/** "1 second", "300 seconds". */
const seconds = (ms: number) => {
  const n = Math.max(1, Math.round(ms / 1000));
  return `${n} second${n === 1 ? '' : 's'}`;
};
const isDigits = (text: string) => /^\d{1,15}$/.test(text);
const isReply = (value: unknown): value is { code: number; text: string } =>
  typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'number' && typeof (value as { text?: unknown }).text === 'string';

/** The account view's path for `arg` from `cwd`: `.` and `..` worked out, never above `/`. */
export function accountPath(cwd: string, arg: string): string {
  const joined = arg.startsWith('/') ? arg : `${cwd}/${arg}`;
  const parts: string[] = [];
  for (const segment of joined.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') parts.pop();
    else parts.push(segment);
  }
  return `/${parts.join('/')}`;
}

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

export class FtpSession {
  private control: Socket | TLSSocket;
  private encrypted = false;
  private closing = false;
  private closed = false;
  private detachReader: (() => void) | null = null;
  /** Lines waiting their turn: a command, or a line that was not UTF-8 (answered 501 in its place). */
  private queue: Exclude<CommandLine, { kind: 'too-long' }>[] = [];
  private draining = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private loginTimer: NodeJS.Timeout | null = null;

  private user: string | null = null;
  private files: PracticeFiles | null = null;
  /** The password this connection signed in with (SITE CPWD changes it without asking again). */
  private password: string | null = null;
  private failedLogins = 0;
  private pbsz = false;
  private protectData = false;
  private epsvAll = false;
  private cwd = '/';
  private restartAt = 0;
  private renameFrom: string | null = null;
  private mlstFacts = new Set<MlstFact>(MLST_FACTS);
  private passive: PassiveData | null = null;
  /** Data connections left for the client to close (see PassiveData.release); ended with the session. */
  private released = new Set<PassiveData>();
  private transfer: Transfer | null = null;
  private readonly address: string;

  constructor(
    private readonly raw: Socket,
    private readonly settings: SessionSettings,
  ) {
    this.control = raw;
    this.address = plainAddress(raw.remoteAddress);
    raw.on('error', () => undefined);
    raw.once('close', () => this.cleanUp());
  }

  private get limits(): SessionLimits {
    return this.settings.limits;
  }

  /** Greet (after the TLS handshake for implicit TLS) and take commands. */
  start(): void {
    this.loginTimer = setTimeout(
      () => this.closeWith(421, `Not signed in within ${seconds(this.limits.loginMs)}: closing the connection.`),
      this.limits.loginMs,
    );
    const greeting = `Registry Transfer practice registry ready (FTPS, ${this.settings.implicitTls ? 'implicit TLS' : 'explicit TLS: send AUTH TLS before signing in'}).`;
    if (this.settings.implicitTls) {
      this.beginTls(() => {
        this.send(replyLine(220, greeting));
        this.armIdle();
      });
    } else {
      this.read(this.raw);
      this.send(replyLine(220, greeting));
      this.armIdle();
    }
  }

  /** Refuse the connection in its own protocol (over TLS when the port is implicit TLS) and close it. */
  refuse(code: number, text: string): void {
    if (this.settings.implicitTls) this.beginTls(() => this.closeWith(code, text));
    else this.closeWith(code, text);
  }

  /** End at once: the server is stopping. */
  destroy(): void {
    this.control.destroy();
    this.raw.destroy();
    this.cleanUp();
  }

  // ------------------------------------------------------------------------------------------
  // The control connection

  private beginTls(then: () => void): void {
    // The server side asks clients for no certificate (they sign in with a password), so there is
    // nothing of theirs to verify: rejectUnauthorized here concerns client certificates only.
    const secure = new TLSSocket(this.raw, { isServer: true, secureContext: this.settings.secureContext, requestCert: false, rejectUnauthorized: false });
    this.control = secure;
    // A client that never finishes the handshake (or sends plain text to an implicit port) is dropped.
    const timer = setTimeout(() => this.destroy(), this.limits.handshakeMs);
    secure.on('error', () => this.destroy());
    secure.once('close', () => this.cleanUp());
    secure.once('secure', () => {
      clearTimeout(timer);
      this.encrypted = true;
      this.read(secure);
      then();
    });
  }

  private read(stream: Socket): void {
    const reader = new CommandLineReader(this.limits.maxLineBytes);
    let detached = false;
    const onData = (chunk: Buffer) => {
      if (this.closing || detached) return;
      for (const line of reader.push(chunk)) {
        if (line.kind === 'too-long') {
          this.closeWith(500, `Command line too long (more than ${this.limits.maxLineBytes} bytes): closing the connection.`);
          return;
        }
        this.receive(line);
        // After AUTH TLS, the rest of this chunk was sent in plain text: never read as commands.
        if (this.closing || detached) return;
      }
    };
    stream.on('data', onData);
    this.detachReader = () => {
      detached = true;
      stream.removeListener('data', onData);
      reader.discard();
    };
  }

  private send(text: string): void {
    if (!this.closed && !this.control.destroyed && this.control.writable) this.control.write(text);
  }

  private reply(code: number, text: string): void {
    this.send(replyLine(code, text));
  }

  /** Say why, then close; whatever the client sends after is not read. */
  private closeWith(code: number, text: string): void {
    if (this.closing || this.closed) return;
    this.closing = true;
    this.abortTransfer();
    this.send(replyLine(code, text));
    this.control.end();
    // A client that never closes its side is not waited for.
    setTimeout(() => this.destroy(), 5000).unref();
  }

  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.closing || this.closed || this.transfer) return;
    this.idleTimer = setTimeout(
      () => this.closeWith(421, `No command for ${seconds(this.limits.idleMs)}: closing the connection.`),
      this.limits.idleMs,
    );
  }

  private cleanUp(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.abortTransfer();
    this.passive?.close();
    this.passive = null;
    for (const passive of this.released) passive.close();
    this.released.clear();
    this.control.destroy();
    this.raw.destroy();
    this.settings.onClose();
  }

  private abortTransfer(): void {
    if (!this.transfer) return;
    this.transfer.aborted = true;
    this.transfer.controller.abort();
  }

  /** A command line arrived: ABOR and QUIT act at once during a transfer, the rest wait their turn. */
  private receive(line: Exclude<CommandLine, { kind: 'too-long' }>): void {
    this.armIdle();
    if (line.kind === 'line' && this.transfer) {
      const verb = line.text.trim().split(' ', 1)[0]?.toUpperCase();
      if (verb === 'ABOR' || verb === 'QUIT') {
        this.logCommand(line.text);
        if (verb === 'QUIT') {
          this.closeWith(221, 'Goodbye.');
          return;
        }
        this.abortTransfer();
        this.reply(426, 'Transfer aborted: the data connection was closed.');
        this.reply(226, 'ABOR successful.');
        return;
      }
    }
    if (this.queue.length >= this.limits.maxQueuedCommands) {
      this.closeWith(421, 'Too many commands sent without waiting for their answers: closing the connection.');
      return;
    }
    this.queue.push(line);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0 && !this.closing) {
        // A client that does not read its replies is not answered further: its commands wait in
        // the queue (which is bounded) until it does, so its replies never pile up here.
        if (this.control.writableNeedDrain) {
          await this.drained();
          continue;
        }
        const line = this.queue.shift() as Exclude<CommandLine, { kind: 'too-long' }>;
        if (line.kind === 'not-utf8') {
          this.reply(501, 'The command is not valid UTF-8; names are sent in UTF-8 on this server.');
          continue;
        }
        try {
          await this.handle(line.text);
        } catch (error) {
          const { code, text } = failureReply(error);
          this.reply(code, text);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Resolves when the control connection took the replies written so far, or closed. */
  private drained(): Promise<void> {
    const control = this.control;
    return new Promise((resolve) => {
      const done = () => {
        control.removeListener('drain', done);
        control.removeListener('close', done);
        resolve();
      };
      control.once('drain', done);
      control.once('close', done);
    });
  }

  private logCommand(line: string): void {
    this.settings.log?.({ session: this.settings.id, address: this.address, encrypted: this.encrypted, command: redactCommand(line) });
  }

  // ------------------------------------------------------------------------------------------
  // Commands

  private async handle(line: string): Promise<void> {
    this.logCommand(line);
    const space = line.indexOf(' ');
    const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const arg = space < 0 ? '' : line.slice(space + 1);
    const command = ALIASES[verb] ?? verb;
    // REST holds for the next command only, RNFR until RNTO (RFC 959).
    const restartAt = this.restartAt;
    this.restartAt = 0;
    const renameFrom = this.renameFrom;
    this.renameFrom = null;

    if (!this.encrypted && !BEFORE_TLS.has(command)) {
      if (command === 'USER' || command === 'PASS') {
        // Never looked at: a username or password sent in the clear is refused, not checked.
        return this.reply(530, 'This server takes no username or password over an unencrypted connection: send AUTH TLS first. Nothing was checked.');
      }
      return this.reply(530, 'Secure the connection with AUTH TLS first.');
    }
    if (this.files === null && !BEFORE_SIGN_IN.has(command)) return this.reply(530, 'Sign in with USER and PASS first.');
    const files = this.files as PracticeFiles;

    switch (command) {
      case 'AUTH':
        return this.auth(arg);
      case 'USER':
        return this.userCommand(arg);
      case 'PASS':
        return this.pass(arg);
      case 'QUIT':
        return this.closeWith(221, 'Goodbye.');
      case 'NOOP':
        return this.reply(200, 'NOOP ok.');
      case 'SYST':
        return this.reply(215, 'UNIX Type: L8');
      case 'FEAT':
        return this.send(multiLineReply(211, 'Features:', this.features(), 'End'));
      case 'HELP':
        return this.send(multiLineReply(214, 'The following commands are recognized.', HELP_COMMANDS, 'Help OK.'));
      case 'CLNT':
        return this.reply(200, 'Noted.');
      case 'PBSZ':
        // RFC 4217: TLS has no buffer size of its own; 0 is the only answer.
        this.pbsz = true;
        return this.reply(200, 'PBSZ=0');
      case 'PROT':
        return this.prot(arg);
      case 'OPTS':
        return this.opts(arg);
      case 'TYPE': {
        const type = arg.trim().toUpperCase().replace(/\s+/g, ' ');
        if (type === 'I' || type === 'L 8') return this.reply(200, 'Switching to Binary mode.');
        // Files are sent as they are in both types (as vsftpd does by default): an HL7 file's CR
        // line ends must reach the registry unchanged.
        if (type === 'A' || type === 'A N') return this.reply(200, 'Switching to ASCII mode (files are sent unchanged).');
        return this.reply(504, `TYPE ${oneLine(arg)} is not offered: use TYPE I.`);
      }
      case 'MODE':
        return arg.trim().toUpperCase() === 'S' ? this.reply(200, 'Mode set to S.') : this.reply(504, 'Only stream mode (MODE S) is offered.');
      case 'STRU':
        return arg.trim().toUpperCase() === 'F' ? this.reply(200, 'Structure set to F.') : this.reply(504, 'Only file structure (STRU F) is offered.');
      case 'ALLO':
        return this.reply(202, 'ALLO is not needed on this server.');
      case 'PWD':
        return this.reply(257, `${quotedPath(this.cwd)} is the current folder.`);
      case 'CWD':
        return this.changeFolder(files, arg === '' ? '/' : arg);
      case 'CDUP':
        return this.changeFolder(files, '..');
      case 'PASV':
        return this.pasv();
      case 'EPSV':
        return this.epsv(arg);
      case 'PORT':
      case 'EPRT':
        return this.reply(502, 'Active mode (PORT, EPRT) is not offered: use passive mode (EPSV or PASV).');
      case 'LIST':
      case 'NLST':
        return this.list(files, command, arg);
      case 'MLSD':
        return this.mlsd(files, arg);
      case 'MLST':
        return this.mlst(files, arg);
      case 'SIZE': {
        const path = this.path(arg);
        const entry = await this.entryAt(files, path);
        if (entry.kind !== 'file') return this.reply(550, `${path} is not a plain file.`);
        return this.reply(213, String(entry.size));
      }
      case 'MDTM':
        return this.reply(213, timeVal((await this.entryAt(files, this.path(arg))).modified));
      case 'REST':
        if (!isDigits(arg.trim())) return this.reply(501, 'REST needs a byte offset (a whole number).');
        this.restartAt = Number(arg.trim());
        return this.reply(350, `Restarting at ${this.restartAt}. Send RETR or STOR next.`);
      case 'RETR':
        return this.retr(files, arg, restartAt);
      case 'STOR':
        return this.store(files, arg, restartAt > 0 ? { start: restartAt } : undefined);
      case 'APPE':
        return this.store(files, arg, { append: true });
      case 'DELE': {
        const path = this.path(arg);
        await files.remove(path);
        return this.reply(250, `Deleted ${path}.`);
      }
      case 'RNFR': {
        const path = this.path(arg);
        await this.entryAt(files, path);
        this.renameFrom = path;
        return this.reply(350, 'Ready for RNTO.');
      }
      case 'RNTO': {
        if (renameFrom === null) return this.reply(503, 'Send RNFR first.');
        await files.rename(renameFrom, this.path(arg));
        return this.reply(250, 'Rename successful.');
      }
      case 'MKD': {
        const path = this.path(arg);
        await files.makeFolder(path);
        return this.reply(257, `${quotedPath(path)} created.`);
      }
      case 'RMD':
        return this.reply(550, "Permission denied. The registry's folders are fixed: none can be removed.");
      case 'SITE':
        return this.site(arg);
      case 'ABOR':
        return this.reply(225, 'No transfer to abort.');
      default:
        return this.reply(502, `${oneLine(verb).slice(0, 20)} is not implemented.`);
    }
  }

  private path(arg: string): string {
    return accountPath(this.cwd, arg);
  }

  /** The entry at `path`; the account's root is a folder without asking. */
  private async entryAt(files: PracticeFiles, path: string): Promise<PracticeEntry> {
    if (path === '/') return { name: '/', kind: 'folder', size: 0, modified: new Date() };
    return files.stat(path);
  }

  private features(): string[] {
    return [
      ...(this.settings.implicitTls ? [] : ['AUTH TLS']),
      'EPSV',
      'MDTM',
      mlstFeature(this.mlstFacts),
      'PASV',
      'PBSZ',
      'PROT',
      'REST STREAM',
      'SIZE',
      'UTF8',
    ];
  }

  private auth(arg: string): void {
    const mechanism = arg.trim().toUpperCase();
    if (this.encrypted) return this.reply(503, 'The connection is already encrypted (TLS).');
    // AUTH SSL is what some clients (CuteFTP's "AUTH SSL Explicit") send for the same thing.
    if (!['TLS', 'SSL', 'TLS-C', 'TLS-P'].includes(mechanism)) return this.reply(504, `AUTH ${oneLine(arg).slice(0, 20)} is not offered: use AUTH TLS.`);
    this.reply(234, `AUTH ${mechanism} OK: begin the TLS handshake.`);
    // Anything sent in plain text after AUTH is dropped unread (it could be a command slipped in by
    // someone on the path, RFC 4217 section 4).
    this.detachReader?.();
    this.queue.length = 0;
    this.beginTls(() => undefined);
  }

  private userCommand(arg: string): void {
    if (this.files !== null) return this.reply(530, 'Already signed in. To use another account, open a new connection.');
    if (arg === '') return this.reply(501, 'USER needs a username.');
    this.user = arg;
    return this.reply(331, `Password required for ${arg}.`);
  }

  private signedIn(user: string, password: string): void {
    this.files = this.settings.backend.filesFor(user);
    this.user = user;
    this.password = password;
    this.cwd = '/';
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.loginTimer = null;
  }

  /**
   * PASS as WS_FTP Server takes it: the password signs in, or (its change being due) is answered
   * 560; a refused password with a space in it is `old new`, the change asked for in one login.
   */
  private pass(given: string): void {
    if (this.files !== null) return this.reply(230, 'Already signed in.');
    const user = this.user;
    if (user === null) return this.reply(503, 'Send USER first.');
    const { accounts } = this.settings.backend;
    const result = accounts.signIn(user, given);
    if (result === 'ok') {
      this.signedIn(user, given);
      return this.reply(230, `Signed in as ${user}.`);
    }
    if (result === 'change-required') return this.reply(560, PASSWORD_EXPIRED_REPLY);
    const space = given.indexOf(' ');
    if (space > 0) {
      const oldPassword = given.slice(0, space);
      const newPassword = given.slice(space + 1);
      const changed = accounts.changePassword(user, oldPassword, newPassword);
      if (changed === 'ok') {
        this.signedIn(user, newPassword);
        return this.reply(230, `Password changed; signed in as ${user}.`);
      }
      if (changed === 'rejected-new') {
        return this.reply(530, "New password not accepted: it does not meet the registry's password rules. The password was not changed.");
      }
    }
    this.failedLogins += 1;
    if (this.failedLogins >= this.limits.maxFailedLogins) return this.closeWith(530, 'Login incorrect. Too many failed sign-ins: closing the connection.');
    return this.reply(530, 'Login incorrect.');
  }

  private prot(arg: string): void {
    if (!this.encrypted) return this.reply(503, 'Send AUTH TLS first.');
    if (!this.pbsz) return this.reply(503, 'Send PBSZ 0 first.');
    const level = arg.trim().toUpperCase();
    if (level === 'P') {
      this.protectData = true;
      return this.reply(200, 'Data connections will be encrypted (PROT P).');
    }
    // RFC 4217: 534 "Request denied for policy reasons", 536 "level not supported".
    if (level === 'C') return this.reply(534, 'Data connections must be encrypted on this registry: use PROT P.');
    if (level === 'S' || level === 'E') return this.reply(536, `PROT ${level} is not offered: use PROT P.`);
    return this.reply(504, 'PROT takes P.');
  }

  private opts(arg: string): void {
    const space = arg.indexOf(' ');
    const name = (space < 0 ? arg : arg.slice(0, space)).toUpperCase();
    const value = space < 0 ? '' : arg.slice(space + 1).trim();
    if (name === 'UTF8' || name === 'UTF-8') {
      return value.toUpperCase() === 'ON' || value === '' ? this.reply(200, 'Always in UTF8 mode.') : this.reply(504, 'Names are always UTF-8 here.');
    }
    if (name === 'MLST') {
      const asked = value.toLowerCase().split(';').filter(Boolean);
      this.mlstFacts = new Set(MLST_FACTS.filter((fact) => asked.includes(fact)));
      return this.reply(200, `MLST OPTS ${[...this.mlstFacts].map((fact) => `${fact};`).join('')}`);
    }
    return this.reply(501, `OPTS ${oneLine(name).slice(0, 20)} is not understood.`);
  }

  private async changeFolder(files: PracticeFiles, arg: string): Promise<void> {
    const path = this.path(arg);
    const entry = await this.entryAt(files, path);
    if (entry.kind !== 'folder') return this.reply(550, `${path} is not a folder.`);
    this.cwd = path;
    return this.reply(250, `Folder changed to ${path}.`);
  }

  private async site(arg: string): Promise<void> {
    const space = arg.indexOf(' ');
    const name = (space < 0 ? arg : arg.slice(0, space)).toUpperCase();
    const rest = space < 0 ? '' : arg.slice(space + 1);
    if (name === 'HELP') return this.send(multiLineReply(214, 'SITE commands:', ['PSWD old new (or "old" "new")', 'CPWD new'], 'Help OK.'));
    if (name !== 'PSWD' && name !== 'CPWD') return this.reply(500, `SITE ${oneLine(name).slice(0, 20)}: command not understood.`);
    const user = this.user as string;
    let oldPassword: string;
    let newPassword: string;
    if (name === 'PSWD') {
      // Serv-U's bare `old new`, or Titan's quoted `"old" "new"`.
      const parsed = /^"([^"]*)" "([^"]*)"$/.exec(rest) ?? /^(\S+) (.+)$/.exec(rest);
      if (!parsed) return this.reply(501, 'SITE PSWD needs the old and the new password.');
      oldPassword = parsed[1] as string;
      newPassword = parsed[2] as string;
    } else {
      // Older WS_FTP: the new password only; the old one is the one this connection signed in with.
      if (rest === '') return this.reply(501, 'SITE CPWD needs the new password.');
      oldPassword = this.password as string;
      newPassword = rest;
    }
    const changed = this.settings.backend.accounts.changePassword(user, oldPassword, newPassword);
    if (changed === 'refused') return this.reply(530, 'The old password is not correct. The password was not changed.');
    if (changed === 'rejected-new') return this.reply(550, "New password not accepted: it does not meet the registry's password rules. The password was not changed.");
    this.password = newPassword;
    return this.reply(200, 'Password changed.');
  }

  // ------------------------------------------------------------------------------------------
  // Passive data connections

  private async openPassive(): Promise<PassiveData | null> {
    this.passive?.close();
    this.passive = null;
    if (!this.protectData) {
      // RFC 4217 section 9: 521, the data connection cannot be opened with this PROT setting.
      this.reply(521, 'Data connections must be encrypted: send PBSZ 0 and PROT P first.');
      return null;
    }
    const passive = await PassiveData.open({
      localAddress: plainAddress(this.control.localAddress ?? this.raw.localAddress),
      peerAddress: this.address,
      secureContext: this.settings.secureContext,
      ports: this.settings.passivePorts,
    });
    if (passive === null) {
      this.reply(425, 'No passive port is free right now: try again in a moment.');
      return null;
    }
    if (this.closed) {
      passive.close();
      return null;
    }
    this.passive = passive;
    return passive;
  }

  private async pasv(): Promise<void> {
    if (this.epsvAll) return this.reply(503, 'EPSV ALL was sent: use EPSV.');
    const local = plainAddress(this.control.localAddress ?? this.raw.localAddress);
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(local)) return this.reply(425, 'PASV cannot name an IPv6 address: use EPSV.');
    const passive = await this.openPassive();
    if (!passive) return;
    const port = passive.port;
    return this.reply(227, `Entering Passive Mode (${local.replace(/\./g, ',')},${port >> 8},${port & 255}).`);
  }

  private async epsv(arg: string): Promise<void> {
    const asked = arg.trim().toUpperCase();
    if (asked === 'ALL') {
      this.epsvAll = true;
      return this.reply(200, 'EPSV ALL ok.');
    }
    const family = /^\d+\.\d+\.\d+\.\d+$/.test(plainAddress(this.control.localAddress ?? this.raw.localAddress)) ? '1' : '2';
    if (asked !== '' && asked !== family) return this.reply(522, `Network protocol not supported, use (${family})`);
    const passive = await this.openPassive();
    if (!passive) return;
    return this.reply(229, `Entering Extended Passive Mode (|||${passive.port}|)`);
  }

  /**
   * One transfer on the passive data connection, once the command's own checks passed: 150, the
   * connection's TLS checked (a resumed session), `move` run, then 226 — or the reason it did not
   * happen, in the reply the client waits for.
   */
  private async overData(opening: string, move: (data: TLSSocket, signal: AbortSignal) => Promise<void>): Promise<void> {
    const passive = this.passive;
    this.passive = null;
    if (!passive) return this.reply(425, 'Use EPSV or PASV first.');
    const transfer: Transfer = { controller: new AbortController(), aborted: false };
    const { signal } = transfer.controller;
    this.transfer = transfer;
    this.armIdle();
    let complete = false;
    try {
      await passive.connection(this.limits.dataMs, signal);
      this.reply(150, opening);
      const data = await passive.secure(this.limits.dataMs, signal);
      // Silence in the middle of a transfer ends it (the client or the network went away).
      data.setTimeout(this.limits.dataMs, () => data.destroy(new Error(`no data for ${seconds(this.limits.dataMs)}`)));
      await move(data, signal);
      if (transfer.aborted) return;
      complete = true;
      this.reply(226, 'Transfer complete.');
    } catch (error) {
      if (transfer.aborted || this.closing) return;
      if (error instanceof DataConnectionProblem) {
        // vsftpd's code for a data connection whose TLS is not what it requires.
        const code = error.reason === 'not-resumed' || error.reason === 'tls-failed' ? 522 : 425;
        return this.reply(code, `${error.message} Nothing was transferred.`);
      }
      const refused = failureReply(error);
      if (refused.code !== 451) return this.reply(refused.code, refused.text);
      return this.reply(426, 'The data connection closed before the transfer was complete: the transfer was stopped.');
    } finally {
      // A complete transfer's connection is left to close as the client closes it (ending it under
      // the client's last TLS record could reset it); a failed one is ended now.
      if (complete) this.release(passive);
      else passive.close();
      if (this.transfer === transfer) this.transfer = null;
      this.armIdle();
    }
  }

  /** A command refused before its transfer: said first, the data connection left for the client to close. */
  private refuseTransfer(error: unknown): void {
    const passive = this.passive;
    this.passive = null;
    const { code, text } = error instanceof Error || !isReply(error) ? failureReply(error) : error;
    this.reply(code, text);
    if (passive) this.release(passive);
  }

  private release(passive: PassiveData): void {
    this.released.add(passive);
    passive.release(RELEASE_GRACE_MS, () => this.released.delete(passive));
  }

  private async listing(files: PracticeFiles, path: string): Promise<PracticeEntry[]> {
    const entry = await this.entryAt(files, path);
    if (entry.kind !== 'folder') return [{ ...entry, name: baseName(path) }];
    return files.list(path);
  }

  private async list(files: PracticeFiles, command: 'LIST' | 'NLST', arg: string): Promise<void> {
    // `ls` options (`LIST -la`, `LIST -a /HL7-Dropoff`) are dropped, as vsftpd does.
    const target = this.path(arg.replace(/^(?:-[A-Za-z]+\s*)+/, '').trim());
    let entries: PracticeEntry[];
    try {
      entries = (await this.listing(files, target)).filter((entry) => listableName(entry.name));
    } catch (error) {
      return this.refuseTransfer(error);
    }
    const now = new Date();
    const text = entries.map((entry) => (command === 'LIST' ? listLine(entry, now) : `${entry.name}\r\n`)).join('');
    return this.overData('Here comes the folder listing.', (data) => sendAll(data, Buffer.from(text, 'utf8')));
  }

  private async mlsd(files: PracticeFiles, arg: string): Promise<void> {
    const target = this.path(arg);
    let entries: PracticeEntry[];
    try {
      const entry = await this.entryAt(files, target);
      if (entry.kind !== 'folder') return this.refuseTransfer({ code: 501, text: `${target} is not a folder.` });
      entries = (await files.list(target)).filter((e) => listableName(e.name));
    } catch (error) {
      return this.refuseTransfer(error);
    }
    const text = entries.map((entry) => `${factsLine(entry, this.mlstFacts, entry.name)}\r\n`).join('');
    return this.overData('Here comes the folder listing (MLSD).', (data) => sendAll(data, Buffer.from(text, 'utf8')));
  }

  private async mlst(files: PracticeFiles, arg: string): Promise<void> {
    const target = this.path(arg);
    const entry = await this.entryAt(files, target);
    return this.send(multiLineReply(250, `Listing ${target}`, [factsLine(entry, this.mlstFacts, target)], 'End'));
  }

  private async retr(files: PracticeFiles, arg: string, start: number): Promise<void> {
    const path = this.path(arg);
    let source: Readable;
    let size: number;
    try {
      const entry = await this.entryAt(files, path);
      if (entry.kind !== 'file') return this.refuseTransfer({ code: 550, text: `${path} is not a plain file.` });
      size = entry.size;
      source = await files.read(path, start > 0 ? start : undefined);
    } catch (error) {
      return this.refuseTransfer(error);
    }
    source.on('error', () => undefined);
    const opening = `Opening BINARY mode data connection for ${baseName(path)} (${size} bytes${start > 0 ? `, from byte ${start}` : ''}).`;
    try {
      await this.overData(opening, (data, signal) => pipeline(source, data, { signal }));
    } finally {
      source.destroy();
    }
  }

  private async store(files: PracticeFiles, arg: string, options: { start: number } | { append: true } | undefined): Promise<void> {
    const path = this.path(arg);
    let target: Writable;
    try {
      target = await files.write(path, options);
    } catch (error) {
      return this.refuseTransfer(error);
    }
    target.on('error', () => undefined);
    let done = false;
    try {
      await this.overData(`Ok to send data for ${baseName(path)}.`, async (data, signal) => {
        await pipeline(data, target, { signal });
        done = true;
      });
    } finally {
      // A transfer that did not complete leaves its writer destroyed, never finished as if whole.
      if (!done) target.destroy();
    }
  }
}

/** Write `bytes` and end the data connection (its last byte handed to the network). */
function sendAll(data: TLSSocket, bytes: Buffer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    data.once('error', reject);
    data.end(bytes, () => {
      data.removeListener('error', reject);
      resolve();
    });
  });
}
