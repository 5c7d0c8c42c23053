// An in-memory registry server and its connections, following the RemoteFs port honestly, for unit
// tests of what sits above the port (the upload pipeline, sign-in, the session, the transfer queue)
// without a real server. One `MemoryServer` holds folders, files, accounts and the faults a test
// arms; each sign-in opens a `MemoryRemoteFs`, a connection to it, and several may be open at once.
//
// What a test can ask of it, and why each is here:
// - per-folder rights (no list, no write, no overwrite, no rename, no delete) and a quota: what
//   registries and their FTP servers refuse (ProFTPD <Limit>, Pure-FTPd -x, write-only dropoffs);
// - faults: a refusal, a drop after N bytes (the connection is then unusable, as a dropped socket
//   is, and the operation rejects with 'unreachable' in the adapters' own words), a server that
//   keeps fewer bytes than were sent;
// - accounts with passwords, a demanded change at sign-in and the server's answer to it, a server
//   that cannot be reached, a connection limit;
// - gates that hold an operation until the test lets it go, so that order and concurrency are
//   observed without waiting on time;
// - counters: every operation in the order it arrived, connections opened and closed, sign-in
//   attempts, the most operations and transfers that ran at once.
// Errors are made with the same mapping the adapters use (`toRemoteError` with the shape the
// libraries throw), so the messages are the ones a user would read.
import { readFile, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Protocol, RemoteEntry } from '../../shared/contract';
import { toRemoteError, tooManyConnections, type ErrorContext } from '../../electron/engine/remote/errors';
import {
  cancelled,
  overran,
  RemoteError,
  type PasswordChangeStep,
  type PasswordCommands,
  type RemoteFs,
  type SiteChangeOutcome,
  type SiteChangeResult,
  type SitePasswordCommand,
  type TransferOptions,
} from '../../electron/engine/remote/remote-fs';
import type { OpenedConnection, OpenRequest } from '../../electron/engine/session/open-verified';

/** The operations a connection carries, as counted and as faults and gates name them. */
export type Operation = 'connect' | 'home' | 'list' | 'size' | 'upload' | 'download' | 'rename' | 'renameReplacing' | 'remove' | 'passwordCommand' | 'close';

const TRANSFERS: ReadonlySet<Operation> = new Set(['upload', 'download']);

/** What a folder lets the account do; everything is allowed unless a test says otherwise. */
export interface FolderRules {
  list?: boolean;
  /** Download files from it. */
  read?: boolean;
  /** Store a new file. */
  write?: boolean;
  /** Store over an existing file (an upload to its name, or a rename onto it). ProFTPD's AllowOverwrite off. */
  overwrite?: boolean;
  /** Rename a file from or into this folder (ProFTPD <Limit RNFR RNTO>). */
  rename?: boolean;
  delete?: boolean;
  /** Names the server refuses to store under (Pure-FTPd -x refuses dot names: /^\./). */
  refuseNames?: RegExp;
  /** The most files and bytes the folder may hold; an upload past either is refused before a byte is kept. */
  quota?: { files?: number; bytes?: number };
}

/** Who may sign in, and what the server does at sign-in. */
export interface AccountOptions {
  password: string;
  /** The folder the account lands in (`home()`); '/' when absent. */
  home?: string;
  /**
   * The server demands a new password at sign-in (an SFTP server's prompt, WS_FTP's 560), and what
   * it does with the one it is given: `accept` it, `refuse` it, or `drop` the connection after it
   * was sent having taken it (`drop-after-change`) or not (`drop-before-change`).
   */
  demandChange?: 'accept' | 'refuse' | 'drop-after-change' | 'drop-before-change';
  /** How a voluntary change (`passwordCommands`) is answered when the old password is right; `accepted` when absent. */
  siteChange?: Exclude<SiteChangeOutcome, 'not-sent'>;
}

export interface ServerOptions {
  protocol?: Protocol;
  host?: string;
  port?: number;
  /** Transfers one connection carries at once: 1 as over FTPS (the default there), 4 as over SFTP. */
  parallelTransfers?: number;
  /** Offer `renameReplacing` (OpenSSH's posix-rename); by default only over SFTP. */
  renameReplacing?: boolean;
  /**
   * What a plain rename onto an existing file does: `refuse` (OpenSSH's SFTP rename) or `replace`
   * (most FTP servers); by default as the protocol's usual server does.
   */
  renameOntoExisting?: 'refuse' | 'replace';
  /** Offer `passwordCommands` (SITE PSWD); by default only over FTPS. */
  passwordCommands?: boolean;
  /** Whether an upload resolves with the size the server then has (false: null, as a server without SIZE). */
  reportsSize?: boolean;
  /** The most connections one account may have open at once; refused past it in ProFTPD's words. */
  connectionsPerAccount?: number;
  /** Bytes per progress step of a transfer (each step yields to the event loop). */
  chunkBytes?: number;
  /** What the profile calls the username and who its support team is, for the adapters' messages. */
  usernameLabel?: string;
  supportTeam?: string;
}

/** A fault armed for matching operations; `times` matching operations meet it (1 when absent). */
interface Fault {
  op: Operation;
  path?: string | RegExp;
  times: number;
  what:
    | { kind: 'refuse'; error: RemoteError | undefined }
    | { kind: 'drop'; afterBytes: number }
    | { kind: 'keep-short'; keep: number };
}

/** One operation as the server saw it arrive. */
export interface SeenOperation {
  connection: number;
  op: Operation;
  path: string;
  to?: string;
}

/** A sign-in attempt as the server saw it (a test fake may keep the password it was given). */
export interface SignInAttempt {
  username: string;
  password: string;
  accepted: boolean;
}

interface HeldOperation {
  seen: SeenOperation;
  go: () => void;
}

/**
 * Holds every matching operation at its start until the test lets it go: `arrived(n)` waits until
 * n operations have reached the gate, `releaseNext()` lets the earliest held one go, `open()` lets
 * all of them go and every later one pass. A held transfer whose signal aborts stops at once.
 */
export class Gate {
  readonly held: HeldOperation[] = [];
  /** Every operation that reached the gate, in order. */
  readonly reached: SeenOperation[] = [];
  private opened = false;
  private waiters: { n: number; resolve: () => void }[] = [];

  constructor(
    readonly op: Operation,
    readonly path: string | RegExp | undefined,
  ) {}

  matches(op: Operation, path: string): boolean {
    return op === this.op && matchesPath(this.path, path);
  }

  /** Resolves once `n` operations in all have reached the gate. */
  arrived(n = 1): Promise<void> {
    if (this.reached.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  releaseNext(): void {
    const next = this.held.shift();
    if (!next) throw new Error(`No ${this.op} is held at this gate.`);
    next.go();
  }

  open(): void {
    this.opened = true;
    for (const held of this.held.splice(0)) held.go();
  }

  /** @internal Called by the server when a matching operation starts. */
  pass(seen: SeenOperation, signal: AbortSignal | undefined): Promise<void> {
    this.reached.push(seen);
    for (const w of this.waiters.filter((w) => this.reached.length >= w.n)) w.resolve();
    this.waiters = this.waiters.filter((w) => this.reached.length < w.n);
    if (this.opened) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const held: HeldOperation = {
        seen,
        go: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const at = this.held.indexOf(held);
        if (at >= 0) this.held.splice(at, 1);
        reject(cancelled());
      };
      if (signal?.aborted) return reject(cancelled());
      signal?.addEventListener('abort', onAbort, { once: true });
      this.held.push(held);
    });
  }
}

const matchesPath = (pattern: string | RegExp | undefined, path: string): boolean =>
  pattern === undefined || (typeof pattern === 'string' ? pattern === path : pattern.test(path));

interface StoredFile {
  bytes: Buffer;
  modified: number;
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

export class MemoryServer {
  readonly protocol: Protocol;
  readonly host: string;
  readonly port: number;
  readonly parallelTransfers: number;
  readonly offersRenameReplacing: boolean;
  readonly renameOntoExisting: 'refuse' | 'replace';
  readonly offersPasswordCommands: boolean;
  readonly reportsSize: boolean;
  readonly connectionsPerAccount: number | undefined;
  readonly chunkBytes: number;
  readonly ctx: ErrorContext;

  /** Whether the server answers at all; false: every sign-in is refused as a server that is down. */
  reachable = true;
  /** Every operation in the order it arrived, over every connection. */
  readonly operations: SeenOperation[] = [];
  readonly signIns: SignInAttempt[] = [];
  connectionsOpened = 0;
  /** Connections the app closed (said goodbye), and connections that ended by a drop. */
  connectionsClosed = 0;
  connectionsDropped = 0;
  /** The most operations that ran at once on one connection, and the most transfers. */
  mostAtOnce = 0;
  mostTransfersAtOnce = 0;
  /** What a real server or library would not have let happen (FTPS: two commands at once on one connection). */
  readonly violations: string[] = [];

  private readonly files = new Map<string, StoredFile>();
  private readonly folders = new Map<string, FolderRules>([['/', {}]]);
  private readonly accounts = new Map<string, AccountOptions>();
  private readonly faults: Fault[] = [];
  private readonly gates: Gate[] = [];
  private readonly open = new Set<MemoryRemoteFs>();
  private clock = Date.UTC(2026, 10, 21, 9, 30);

  constructor(options: ServerOptions = {}) {
    this.protocol = options.protocol ?? 'sftp';
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? (this.protocol === 'sftp' ? 22 : 990);
    this.parallelTransfers = options.parallelTransfers ?? (this.protocol === 'sftp' ? 4 : 1);
    this.offersRenameReplacing = options.renameReplacing ?? this.protocol === 'sftp';
    this.renameOntoExisting = options.renameOntoExisting ?? (this.protocol === 'sftp' ? 'refuse' : 'replace');
    this.offersPasswordCommands = options.passwordCommands ?? this.protocol === 'ftps';
    this.reportsSize = options.reportsSize ?? true;
    this.connectionsPerAccount = options.connectionsPerAccount;
    this.chunkBytes = options.chunkBytes ?? 64 * 1024;
    this.ctx = {
      host: this.host,
      port: this.port,
      timeoutSeconds: 65,
      ...(options.usernameLabel ? { usernameLabel: options.usernameLabel } : {}),
      ...(options.supportTeam ? { supportTeam: options.supportTeam } : {}),
    };
  }

  // ---------------------------------------------------------------------------------------------
  // What is on the server
  // ---------------------------------------------------------------------------------------------

  /** Make a folder (and its parents) with these rules; a folder made again takes the new rules. */
  folder(path: string, rules: FolderRules = {}): this {
    const at = absolute(path);
    const parent = posix.dirname(at);
    if (parent !== at && !this.folders.has(parent)) this.folder(parent);
    this.folders.set(at, { ...rules });
    return this;
  }

  /** Put a file on the server as if someone else had (no rights checked, nothing counted). */
  put(path: string, contents: string | Buffer, modified?: number): this {
    const at = absolute(path);
    if (!this.folders.has(posix.dirname(at))) this.folder(posix.dirname(at));
    this.files.set(at, { bytes: Buffer.from(contents), modified: modified ?? this.tick() });
    return this;
  }

  /** A file's bytes, or undefined when there is none by that name. */
  read(path: string): Buffer | undefined {
    return this.files.get(absolute(path))?.bytes;
  }

  /** The names of the files directly in a folder, sorted. */
  names(folder: string): string[] {
    const at = absolute(folder);
    return [...this.files.keys()].filter((p) => posix.dirname(p) === at).map((p) => posix.basename(p)).sort();
  }

  /** Remove a file as the registry does when it picks one up (no rights checked). */
  take(path: string): boolean {
    return this.files.delete(absolute(path));
  }

  // ---------------------------------------------------------------------------------------------
  // Accounts and connections
  // ---------------------------------------------------------------------------------------------

  account(username: string, options: AccountOptions): this {
    this.accounts.set(username, { ...options });
    if (options.home) this.folder(options.home, this.folders.get(absolute(options.home)) ?? {});
    return this;
  }

  /** The password the server now has for an account. */
  passwordOf(username: string): string | undefined {
    return this.accounts.get(username)?.password;
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.open.size;
  }

  /** Sign in, as an adapter's `open` would: one attempt with one password. */
  async connect(request: {
    username: string;
    password: string;
    newPassword?: string;
    onPasswordChange?: (step: PasswordChangeStep) => void;
  }): Promise<MemoryRemoteFs> {
    // No connection yet: sign-ins are counted as connection 0, by username.
    await this.arrive({ connection: 0, op: 'connect', path: request.username }, undefined);
    if (!this.reachable) {
      throw toRemoteError(Object.assign(new Error(`connect ECONNREFUSED ${this.host}:${this.port}`), { code: 'ECONNREFUSED' }), this.ctx);
    }
    const dropped = () => toRemoteError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), this.ctx);
    const fault = this.faultFor('connect', request.username);
    if (fault?.what.kind === 'refuse') throw fault.what.error ?? toRemoteError(Object.assign(new Error('530 Login incorrect.'), { code: 530 }), this.ctx);
    if (fault?.what.kind === 'drop') throw dropped();

    const account = this.accounts.get(request.username);
    const accepted = account !== undefined && account.password === request.password;
    this.signIns.push({ username: request.username, password: request.password, accepted });
    const ctx = { ...this.ctx, secrets: [request.password, ...(request.newPassword !== undefined ? [request.newPassword] : [])] };
    if (!accepted || !account) {
      throw toRemoteError(Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' }), ctx);
    }
    const mine = [...this.open].filter((c) => c.username === request.username).length;
    if (this.connectionsPerAccount !== undefined && mine >= this.connectionsPerAccount) {
      throw tooManyConnections('account', ctx, `530 Sorry, the maximum number of clients (${this.connectionsPerAccount}) for this user are already connected.`);
    }
    if (account.demandChange) {
      // As sftp.ts's login conversation reports it: demanded, then sent, then the server's answer.
      request.onPasswordChange?.('demanded');
      if (request.newPassword === undefined) {
        throw new RemoteError('password-change-required', 'The registry asks you to choose a new password before you can sign in.');
      }
      request.onPasswordChange?.('sent');
      switch (account.demandChange) {
        case 'refuse':
          request.onPasswordChange?.('refused');
          throw new RemoteError(
            'password-change-required',
            'The registry did not accept the new password, so the password was not changed. Choose a different one (the registry may have rules of its own) and try again.',
          );
        case 'drop-after-change':
          account.password = request.newPassword;
          delete account.demandChange;
          throw dropped();
        case 'drop-before-change':
          throw dropped();
        case 'accept':
          account.password = request.newPassword;
          delete account.demandChange;
          request.onPasswordChange?.('accepted');
      }
    }
    this.connectionsOpened += 1;
    const fs = new MemoryRemoteFs(this, this.connectionsOpened, request.username, account.home ? absolute(account.home) : '/');
    this.open.add(fs);
    return fs;
  }

  /**
   * The `open` sign-in and the session take (`OpenRequest` to `OpenedConnection`): the identity is
   * taken as already trusted, since trust is tested elsewhere.
   */
  readonly openVerified = async (request: OpenRequest): Promise<OpenedConnection> => {
    const fs = await this.connect({
      username: request.username,
      password: request.password,
      ...(request.newPassword !== undefined ? { newPassword: request.newPassword } : {}),
      ...(request.onPasswordChange ? { onPasswordChange: request.onPasswordChange } : {}),
    });
    return {
      fs,
      host: this.host,
      port: this.port,
      identity: { host: this.host, port: this.port, kind: this.protocol === 'sftp' ? 'ssh-host-key' : 'tls-certificate', fingerprint: 'SHA256:memory', description: 'in-memory test server' },
    };
  };

  /** Every open connection ends, as when the network drops: each becomes unusable. */
  dropAll(): void {
    for (const fs of [...this.open]) fs.drop();
  }

  // ---------------------------------------------------------------------------------------------
  // Faults and gates
  // ---------------------------------------------------------------------------------------------

  /** The next `times` matching operations are refused with `error` (by default the server's "Permission denied"). */
  refuse(op: Operation, options: { path?: string | RegExp; times?: number; error?: RemoteError } = {}): this {
    this.faults.push({ op, ...(options.path !== undefined ? { path: options.path } : {}), times: options.times ?? 1, what: { kind: 'refuse', error: options.error } });
    return this;
  }

  /**
   * The next matching operation ends with the connection dropped: a transfer after `afterBytes`
   * bytes moved (what it wrote stays, as on a real server), any other before it is carried out.
   */
  dropDuring(op: Operation, options: { path?: string | RegExp; afterBytes?: number } = {}): this {
    this.faults.push({ op, ...(options.path !== undefined ? { path: options.path } : {}), times: 1, what: { kind: 'drop', afterBytes: options.afterBytes ?? 0 } });
    return this;
  }

  /** The next matching upload keeps only its first `keep` bytes and says it went well (a faulty disk or server). */
  keepShort(options: { path?: string | RegExp; keep: number }): this {
    this.faults.push({ op: 'upload', ...(options.path !== undefined ? { path: options.path } : {}), times: 1, what: { kind: 'keep-short', keep: options.keep } });
    return this;
  }

  /** Hold matching operations at their start until the test lets them go (see Gate). */
  gate(op: Operation, path?: string | RegExp): Gate {
    const gate = new Gate(op, path);
    this.gates.push(gate);
    return gate;
  }

  // ---------------------------------------------------------------------------------------------
  // For the connections
  // ---------------------------------------------------------------------------------------------

  /** @internal */
  tick(): number {
    this.clock += 1000;
    return this.clock;
  }

  /** @internal Count an operation and pass it through every gate that matches it. */
  async arrive(seen: SeenOperation, signal: AbortSignal | undefined): Promise<void> {
    this.operations.push(seen);
    for (const gate of this.gates) if (gate.matches(seen.op, seen.path)) await gate.pass(seen, signal);
  }

  /** @internal The fault armed for this operation, used up once. */
  faultFor(op: Operation, path: string): Fault | undefined {
    const fault = this.faults.find((f) => f.op === op && f.times > 0 && matchesPath(f.path, path));
    if (fault) fault.times -= 1;
    return fault;
  }

  /** @internal */
  rulesOf(folder: string): FolderRules | undefined {
    return this.folders.get(folder);
  }

  /** @internal */
  hasFolder(path: string): boolean {
    return this.folders.has(path);
  }

  /** @internal */
  fileAt(path: string): StoredFile | undefined {
    return this.files.get(path);
  }

  /** @internal */
  store(path: string, file: StoredFile): void {
    this.files.set(path, file);
  }

  /** @internal */
  unlink(path: string): boolean {
    return this.files.delete(path);
  }

  /** @internal Everything directly in a folder. */
  entriesOf(folder: string): RemoteEntry[] {
    const files = [...this.files].filter(([p]) => posix.dirname(p) === folder).map(([p, f]): RemoteEntry => ({ name: posix.basename(p), kind: 'file', size: f.bytes.length, modified: f.modified }));
    const folders = [...this.folders.keys()].filter((p) => p !== folder && posix.dirname(p) === folder).map((p): RemoteEntry => ({ name: posix.basename(p), kind: 'folder', size: 0, modified: null }));
    return [...folders, ...files];
  }

  /** @internal */
  ended(fs: MemoryRemoteFs, how: 'closed' | 'dropped'): void {
    if (!this.open.delete(fs)) return;
    if (how === 'closed') this.connectionsClosed += 1;
    else this.connectionsDropped += 1;
  }

  /** @internal */
  accountOptions(username: string): AccountOptions | undefined {
    return this.accounts.get(username);
  }
}

const absolute = (path: string): string => {
  const normal = posix.normalize(path.startsWith('/') ? path : `/${path}`);
  return normal.length > 1 ? normal.replace(/\/+$/, '') : normal;
};

/** One signed-in connection to a MemoryServer. */
export class MemoryRemoteFs implements RemoteFs {
  readonly protocol: Protocol;
  readonly parallelTransfers: number;
  readonly renameReplacing?: (from: string, to: string) => Promise<void>;
  readonly passwordCommands?: PasswordCommands;
  private closed = false;
  private dropped = false;
  private running = 0;
  private transfers = 0;

  constructor(
    private readonly server: MemoryServer,
    readonly id: number,
    readonly username: string,
    private readonly homePath: string,
  ) {
    this.protocol = server.protocol;
    this.parallelTransfers = server.parallelTransfers;
    if (server.offersRenameReplacing) {
      this.renameReplacing = (from, to) => this.run('renameReplacing', from, undefined, async () => this.move(from, to, 'replace'), to);
    }
    if (server.offersPasswordCommands) {
      this.passwordCommands = { change: (command, oldPassword, newPassword) => this.changePassword(command, oldPassword, newPassword) };
    }
  }

  get usable(): boolean {
    return !this.closed && !this.dropped;
  }

  /** The connection ends as a dropped socket does: every later operation fails, `usable` is false. */
  drop(): void {
    if (this.dropped || this.closed) return;
    this.dropped = true;
    this.server.ended(this, 'dropped');
  }

  private get ctx(): ErrorContext {
    return this.server.ctx;
  }

  private lost(): RemoteError {
    return toRemoteError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), this.ctx);
  }

  /**
   * The server's refusal, as the adapters word it: SFTP status 3 through toRemoteError; an FTP reply
   * as ftps.ts's ftpFailure reads basic-ftp's FTPError (its detail is "<code>: <the reply line>").
   */
  private denied(path: string, words = 'Permission denied', ftpCode = 550): RemoteError {
    if (this.protocol === 'sftp') return toRemoteError(Object.assign(new Error(words), { code: 3 }), { ...this.ctx, path });
    return new RemoteError('permission-denied', `The registry does not allow this account to do that in ${path}.`, `${ftpCode}: ${ftpCode} ${posix.basename(path)}: ${words}`);
  }

  private missing(path: string): RemoteError {
    if (this.protocol === 'sftp') return toRemoteError(Object.assign(new Error('No such file'), { code: 2 }), { ...this.ctx, path });
    return new RemoteError('not-found', `${path} was not found on the registry server.`, `550: 550 ${posix.basename(path)}: No such file or directory`);
  }

  /** As ftps.ts says a full quota (552). */
  private overQuota(): RemoteError {
    return new RemoteError('quota-full', 'The registry refused the file: the account is over its storage quota.', '552: Disk quota exceeded');
  }

  private resolve(path: string): string {
    return absolute(path.startsWith('/') ? path : posix.join(this.homePath, path));
  }

  private rules(path: string): FolderRules {
    return this.server.rulesOf(posix.dirname(path)) ?? {};
  }

  /**
   * Every operation: counted, held at its gates, then checked against the connection's state and
   * the faults armed for it, then run; overlapping operations are counted (and, over FTPS, where one
   * control connection carries one command at a time, written down as a violation and refused as
   * basic-ftp refuses them).
   */
  private async run<T>(op: Operation, path: string, signal: AbortSignal | undefined, body: (fault: Fault | undefined) => Promise<T>, to?: string): Promise<T> {
    if (!this.usable) throw this.lost();
    const at = this.resolve(path);
    const transfer = TRANSFERS.has(op);
    if (this.protocol === 'ftps' && this.running > 0) {
      this.server.operations.push({ connection: this.id, op, path: at, ...(to !== undefined ? { to: this.resolve(to) } : {}) });
      this.server.violations.push(`connection ${this.id}: ${op} ${at} while another command was running`);
      throw toRemoteError(new Error('User launched a task while another one is still running. Forgot to use await or handle error?'), this.ctx);
    }
    // Counted as running from the moment it is asked: one held at a gate is on the wire already.
    this.running += 1;
    if (transfer) this.transfers += 1;
    this.server.mostAtOnce = Math.max(this.server.mostAtOnce, this.running);
    this.server.mostTransfersAtOnce = Math.max(this.server.mostTransfersAtOnce, this.transfers);
    if (transfer && this.transfers > this.parallelTransfers) {
      this.server.violations.push(`connection ${this.id}: ${this.transfers} transfers at once, more than ${this.parallelTransfers}`);
    }
    try {
      await this.server.arrive({ connection: this.id, op, path: at, ...(to !== undefined ? { to: this.resolve(to) } : {}) }, signal).catch((error: unknown) => {
        throw signal?.aborted ? this.cancel() : error;
      });
      if (!this.usable) throw this.lost();
      if (signal?.aborted) throw this.cancel();
      const fault = this.server.faultFor(op, at);
      if (fault?.what.kind === 'refuse') throw fault.what.error ?? this.denied(at);
      if (fault?.what.kind === 'drop' && !transfer) {
        this.drop();
        throw this.lost();
      }
      // One step to the event loop, so that operations started together interleave as on a network.
      await nextTick();
      if (!this.usable) throw this.lost();
      return await body(fault);
    } finally {
      this.running -= 1;
      if (transfer) this.transfers -= 1;
    }
  }

  /** A cancel, as the adapters answer it; basic-ftp cannot abort a transfer without closing the connection. */
  private cancel(): RemoteError {
    if (this.protocol === 'ftps') this.drop();
    return cancelled();
  }

  async home(): Promise<string> {
    return this.run('home', this.homePath, undefined, async () => this.homePath);
  }

  async list(path: string): Promise<RemoteEntry[]> {
    return this.run('list', path, undefined, async () => {
      const at = this.resolve(path);
      if (!this.server.hasFolder(at)) throw this.missing(at);
      if (this.server.rulesOf(at)?.list === false) throw this.denied(at);
      return this.server.entriesOf(at);
    });
  }

  async size(path: string): Promise<number | null> {
    return this.run('size', path, undefined, async () => this.server.fileAt(this.resolve(path))?.bytes.length ?? null);
  }

  async upload(from: string | Buffer, remotePath: string, options: TransferOptions = {}): Promise<number | null> {
    return this.run('upload', remotePath, options.signal, async (fault) => {
      const at = this.resolve(remotePath);
      const folder = posix.dirname(at);
      if (!this.server.hasFolder(folder)) throw this.missing(at);
      const rules = this.rules(at);
      const existing = this.server.fileAt(at);
      if (rules.write === false) throw this.denied(at);
      if (existing && rules.overwrite === false) throw this.denied(at, 'Overwrite permission denied');
      if (rules.refuseNames?.test(posix.basename(at))) throw this.denied(at, 'Prohibited file name', 553);
      const bytes = typeof from === 'string' ? await readFile(from) : from;
      if (rules.quota) {
        const others = this.server.entriesOf(folder).filter((e) => e.kind === 'file' && e.name !== posix.basename(at));
        const files = others.length + 1;
        const total = others.reduce((sum, e) => sum + e.size, 0) + bytes.length;
        if ((rules.quota.files !== undefined && files > rules.quota.files) || (rules.quota.bytes !== undefined && total > rules.quota.bytes)) throw this.overQuota();
      }
      // Opening a file to write empties it, as on every real server.
      const stored: StoredFile = { bytes: Buffer.alloc(0), modified: this.server.tick() };
      this.server.store(at, stored);
      const dropAt = fault?.what.kind === 'drop' ? fault.what.afterBytes : undefined;
      const keep = fault?.what.kind === 'keep-short' ? fault.what.keep : bytes.length;
      const moved = Math.min(bytes.length, dropAt ?? Infinity);
      let sent = 0;
      while (sent < moved) {
        if (options.signal?.aborted) throw this.cancel();
        const end = Math.min(moved, sent + this.server.chunkBytes);
        stored.bytes = Buffer.from(bytes.subarray(0, Math.min(end, keep)));
        sent = end;
        options.onProgress?.(sent);
        await nextTick();
        if (!this.usable) throw this.lost();
      }
      if (dropAt !== undefined) {
        // What arrived stays, as on a real server; the answer never comes.
        this.drop();
        throw this.lost();
      }
      stored.modified = this.server.tick();
      return this.server.reportsSize ? stored.bytes.length : null;
    });
  }

  async download(remotePath: string, localPath: string, options: TransferOptions = {}): Promise<void> {
    return this.run('download', remotePath, options.signal, async (fault) => {
      const at = this.resolve(remotePath);
      const file = this.server.fileAt(at);
      if (!file) throw this.missing(at);
      if (this.rules(at).read === false) throw this.denied(at);
      const dropAt = fault?.what.kind === 'drop' ? fault.what.afterBytes : undefined;
      const bytes = file.bytes;
      const moved = Math.min(bytes.length, dropAt ?? Infinity);
      // The local file is made as the adapters make it: new only, readable by this user only.
      await writeFile(localPath, Buffer.alloc(0), { flag: 'wx', mode: 0o600 });
      let received = 0;
      while (received < moved) {
        if (options.signal?.aborted) throw this.cancel();
        const end = Math.min(moved, received + this.server.chunkBytes);
        if (options.maxBytes !== undefined && end > options.maxBytes) {
          // The adapters stop at the first block past the most allowed and keep nothing past it.
          await writeFile(localPath, bytes.subarray(received, Math.max(received, options.maxBytes)), { flag: 'a' });
          throw overran(posix.basename(at), options.maxBytes);
        }
        await writeFile(localPath, bytes.subarray(received, end), { flag: 'a' });
        received = end;
        options.onProgress?.(received);
        await nextTick();
        if (!this.usable) throw this.lost();
      }
      if (dropAt !== undefined) {
        this.drop();
        throw this.lost();
      }
    });
  }

  async read(remotePath: string, options: TransferOptions & { maxBytes: number }): Promise<Buffer> {
    return this.run('download', remotePath, options.signal, async () => {
      const at = this.resolve(remotePath);
      const file = this.server.fileAt(at);
      if (!file) throw this.missing(at);
      if (this.rules(at).read === false) throw this.denied(at);
      // As the adapters do: nothing past the most allowed is kept.
      if (file.bytes.length > options.maxBytes) throw overran(posix.basename(at), options.maxBytes);
      options.onProgress?.(file.bytes.length);
      return Buffer.from(file.bytes);
    });
  }

  async rename(from: string, to: string): Promise<void> {
    return this.run('rename', from, undefined, async () => this.move(from, to, this.server.renameOntoExisting), to);
  }

  private move(from: string, to: string, ontoExisting: 'refuse' | 'replace'): void {
    const source = this.resolve(from);
    const target = this.resolve(to);
    const file = this.server.fileAt(source);
    if (!file) throw this.missing(source);
    if (this.rules(source).rename === false) throw this.denied(source);
    if (!this.server.hasFolder(posix.dirname(target))) throw this.missing(target);
    const targetRules = this.rules(target);
    if (targetRules.rename === false) throw this.denied(target);
    if (targetRules.refuseNames?.test(posix.basename(target))) throw this.denied(target, 'Prohibited file name', 553);
    if (this.server.fileAt(target) && source !== target) {
      if (targetRules.overwrite === false) throw this.denied(target, 'Overwrite permission denied');
      // OpenSSH's SFTP rename will not replace a file: SSH_FX_FAILURE, which says nothing more.
      if (ontoExisting === 'refuse') throw toRemoteError(Object.assign(new Error('Failure'), { code: 4 }), { ...this.ctx, path: source });
    }
    this.server.unlink(source);
    this.server.store(target, file);
  }

  async remove(path: string): Promise<void> {
    return this.run('remove', path, undefined, async () => {
      const at = this.resolve(path);
      if (!this.server.fileAt(at)) throw this.missing(at);
      if (this.rules(at).delete === false) throw this.denied(at);
      this.server.unlink(at);
    });
  }

  /** A voluntary change (SITE PSWD): sent once; a connection found dead first says `not-sent`, a drop after it left `unknown`. */
  private async changePassword(_command: SitePasswordCommand, oldPassword: string, newPassword: string): Promise<SiteChangeResult> {
    if (!this.usable) return { outcome: 'not-sent', detail: 'the connection had ended' };
    try {
      return await this.run('passwordCommand', this.homePath, undefined, async (): Promise<SiteChangeResult> => {
        const account = this.server.accountOptions(this.username);
        if (!account || account.password !== oldPassword) return { outcome: 'refused', detail: '530: Old password is not correct' };
        const answer = account.siteChange ?? 'accepted';
        if (answer === 'accepted') account.password = newPassword;
        return { outcome: answer, detail: answer === 'accepted' ? '200: Password changed' : `server answered: ${answer}` };
      });
    } catch {
      return { outcome: 'unknown', detail: 'the connection ended before the server answered' };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.dropped) return;
    this.server.operations.push({ connection: this.id, op: 'close', path: this.homePath });
    this.server.ended(this, 'closed');
  }
}
