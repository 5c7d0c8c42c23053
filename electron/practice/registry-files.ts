// The practice registry's accounts and folders, on disk under its own folder of the app's data folder,
// with the rules the Texas specification states: the root list-only; Accepted, DQA-Report and Receive
// list and read; HL7-Dropoff list, read, write, rename, delete; 300 files per folder; files older than
// 180 days purged; a new account changes its password at first login. Every name a client sends is
// judged here, before any path on this computer is made from it: nothing outside the account's own
// folder is ever read or written, whatever the name (`..`, a drive, a device, a link).
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { chmodSync, constants, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { lstat, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { PasswordRules } from '../../shared/contract';
import { checkPasswordRules } from '../../shared/password-rules';
import {
  PracticeRefusal,
  type ChangeResult,
  type PracticeAccounts,
  type PracticeBackend,
  type PracticeEntry,
  type PracticeFileHandle,
  type PracticeFiles,
  type RandomAccessFiles,
  type SignInResult,
} from './backend';

export type FolderRight = 'list' | 'read' | 'write' | 'rename' | 'delete';

/** The account's folders and what it may do in each, as the Texas specification gives them. */
export const PRACTICE_FOLDERS: readonly { name: string; rights: readonly FolderRight[] }[] = [
  { name: 'HL7-Dropoff', rights: ['list', 'read', 'write', 'rename', 'delete'] },
  { name: 'Accepted', rights: ['list', 'read'] },
  { name: 'DQA-Report', rights: ['list', 'read'] },
  { name: 'Receive', rights: ['list', 'read'] },
];
export const DROPOFF_FOLDER = 'HL7-Dropoff';

export interface RegistryFilesOptions {
  /** The practice registry's folder (e.g. <data dir>/practice). */
  root: string;
  username: string;
  /** The account's first-login change is already done (for scripts and other clients). */
  ready?: boolean;
  rules: PasswordRules;
  quotaFiles?: number;
  retentionDays?: number;
  /** The registry's clock (tests move it to see the purge). */
  now?: () => Date;
  /** A file arrived in HL7-Dropoff under its final name (a write finished, or a rename into it). */
  onLanded?: (username: string, name: string) => void;
}

interface StoredAccount {
  username: string;
  /** scrypt of the password, with its salt; the password itself is never kept. */
  salt: string;
  hash: string;
  /** The password the registry issued, kept (and shown) only until the first-login change is made. */
  issuedPassword: string | null;
  mustChange: boolean;
}

const ACCOUNTS_FILE = 'accounts.json';

/**
 * open(2) flags that never follow a link at the last part of the path (O_NOFOLLOW: Linux and macOS;
 * Windows has none, and there a link in a folder of the practice registry would be a user's own doing).
 * The names are judged before any path is made, and a link found by lstat is refused: this closes the
 * moment between that look and the open.
 */
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const OPEN_FLAGS = {
  read: constants.O_RDONLY | NOFOLLOW,
  create: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | NOFOLLOW,
  update: constants.O_RDWR | NOFOLLOW,
  append: constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | NOFOLLOW,
} as const;
type OpenFlags = keyof typeof OPEN_FLAGS;

/** A name a client sends for a file: one path part, nothing the file system would read as more. */
function isAcceptableName(name: string): boolean {
  if (name === '' || name === '.' || name === '..' || name.length > 255) return false;
  // Control characters, path separators, and what Windows reads as a stream, a device or a wildcard.
  if (/[\u0000-\u001f\u007f/\\:*?"<>|]/.test(name)) return false;
  // Windows drops a trailing dot or space, which would make two names one file.
  if (/[. ]$/.test(name)) return false;
  if (/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i.test(name)) return false;
  return true;
}

/** A name that is a transfer on its way, not a file for the registry: left alone by processing. */
export function isTemporaryName(name: string): boolean {
  return name.startsWith('.') || /\.(partial|part|filepart|tmp)$/i.test(name) || /^upload-[0-9a-f]+\.rt-partial$/.test(name);
}

const hashOf = (password: string, salt: string) => scryptSync(password, Buffer.from(salt, 'hex'), 32).toString('hex');

function makeIssuedPassword(): string {
  // Readable aloud and typed by a trainee; meets the Texas rules (upper, lower, digit, symbol, 10+).
  const words = ['Maple', 'River', 'Cedar', 'Harbor', 'Meadow', 'Summit', 'Willow', 'Canyon'];
  const pick = randomBytes(3);
  return `${words[(pick[0] as number) % words.length]}-${words[(pick[1] as number) % words.length]}-${1000 + ((pick[2] as number) * 37) % 9000}!`;
}

export class PracticeRegistryFiles implements PracticeBackend {
  readonly accounts: PracticeAccounts;
  private account: StoredAccount;
  private readonly quota: number;
  private readonly retentionMs: number;
  private readonly now: () => Date;

  constructor(private readonly options: RegistryFilesOptions) {
    this.quota = options.quotaFiles ?? 300;
    this.retentionMs = (options.retentionDays ?? 180) * 24 * 3600 * 1000;
    this.now = options.now ?? (() => new Date());
    mkdirSync(options.root, { recursive: true, mode: 0o700 });
    this.account = this.loadOrMakeAccount();
    for (const folder of PRACTICE_FOLDERS) mkdirSync(join(this.accountDir, folder.name), { recursive: true, mode: 0o700 });
    // Owner-only, also where an earlier version made them readable by others (files a trainee sends may be real).
    for (const dir of [options.root, join(options.root, 'files'), this.accountDir, ...PRACTICE_FOLDERS.map((f) => join(this.accountDir, f.name))]) chmodSync(dir, 0o700);
    this.accounts = {
      signIn: (username, password) => this.signIn(username, password),
      changePassword: (username, oldPassword, newPassword) => this.changePassword(username, oldPassword, newPassword),
    };
  }

  get username(): string {
    return this.account.username;
  }

  /** Whether the account must still choose a new password at its next sign-in (RFC 4252 section 8, FTP's 560). */
  get mustChangePassword(): boolean {
    return this.account.mustChange;
  }

  /** The issued password until the first-login change is made; null after it. */
  get issuedPassword(): string | null {
    return this.account.issuedPassword;
  }

  get accountDir(): string {
    return join(this.options.root, 'files', this.account.username);
  }

  /** Where a folder's files are on this computer (for processing, which writes the registry's answers). */
  folderPath(folder: string): string {
    return join(this.accountDir, folder);
  }

  filesFor(username: string): AccountFiles {
    if (username !== this.account.username) throw new PracticeRefusal('permission', 'That account has no folders here.');
    return new AccountFiles(this);
  }

  /** Remove every file older than the retention period (the registry's nightly purge). */
  async purge(): Promise<string[]> {
    const removed: string[] = [];
    for (const folder of PRACTICE_FOLDERS) {
      const { purged } = await this.readFolder(folder.name);
      removed.push(...purged.map((name) => `${folder.name}/${name}`));
    }
    return removed;
  }

  /**
   * A folder's plain files with their details, read as the registry lists them, after the purge of
   * those older than the retention (removed from disk and left out). One look at each file, all asked
   * at once: a folder of 5,000 reports is listed in a fraction of the time one file after another took.
   * @internal for AccountFiles
   */
  async readFolder(folder: string): Promise<{ files: { name: string; size: number; modified: Date }[]; purged: string[] }> {
    const dir = this.folderPath(folder);
    const limit = this.now().getTime() - this.retentionMs;
    const names = await readdir(dir).catch(() => [] as string[]);
    const looked = await Promise.all(
      names.map(async (name) => {
        const path = join(dir, name);
        const info = await lstat(path).catch(() => null);
        if (!info?.isFile()) return null;
        if (info.mtimeMs >= limit) return { name, size: info.size, modified: info.mtime };
        await unlink(path).catch(() => undefined);
        return name;
      }),
    );
    const files: { name: string; size: number; modified: Date }[] = [];
    const purged: string[] = [];
    for (const one of looked) {
      if (typeof one === 'string') purged.push(one);
      else if (one) files.push(one);
    }
    return { files, purged };
  }

  /** @internal for AccountFiles */
  get limits() {
    return { quota: this.quota, onLanded: this.options.onLanded, username: this.account.username };
  }

  private loadOrMakeAccount(): StoredAccount {
    const file = join(this.options.root, ACCOUNTS_FILE);
    if (existsSync(file)) {
      try {
        const stored = JSON.parse(readFileSync(file, 'utf8')) as StoredAccount;
        if (stored.username === this.options.username && typeof stored.hash === 'string') {
          if (this.options.ready && stored.mustChange) {
            stored.mustChange = false;
            this.save(stored);
          }
          return stored;
        }
      } catch {
        // A damaged accounts file: the practice account is issued again (it holds nothing else).
      }
    }
    const issued = makeIssuedPassword();
    const salt = randomBytes(16).toString('hex');
    const account: StoredAccount = { username: this.options.username, salt, hash: hashOf(issued, salt), issuedPassword: issued, mustChange: this.options.ready !== true };
    this.save(account);
    return account;
  }

  private save(account: StoredAccount): void {
    const file = join(this.options.root, ACCOUNTS_FILE);
    writeFileSync(`${file}.partial`, `${JSON.stringify(account, null, 2)}\n`, { mode: 0o600 });
    renameSync(`${file}.partial`, file);
    this.account = account;
  }

  private passwordIs(password: string): boolean {
    const expected = Buffer.from(this.account.hash, 'hex');
    const given = Buffer.from(hashOf(password, this.account.salt), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private signIn(username: string, password: string): SignInResult {
    if (username !== this.account.username || !this.passwordIs(password)) return 'refused';
    return this.account.mustChange ? 'change-required' : 'ok';
  }

  private changePassword(username: string, oldPassword: string, newPassword: string): ChangeResult {
    if (username !== this.account.username || !this.passwordIs(oldPassword)) return 'refused';
    if (checkPasswordRules(this.options.rules, newPassword, oldPassword).length > 0) return 'rejected-new';
    const salt = randomBytes(16).toString('hex');
    this.save({ ...this.account, salt, hash: hashOf(newPassword, salt), issuedPassword: null, mustChange: false });
    return 'ok';
  }
}

/**
 * An open file that can also be let go without counting as arrived: a client that went away with the
 * file still open (an SFTP channel closed mid-upload) did not finish sending it, so it is not processed.
 */
export interface AbandonableFileHandle extends PracticeFileHandle {
  abandon(): Promise<void>;
}

/** A path of the account's view: the root, a folder, or a file in a folder. */
type Place = { kind: 'root' } | { kind: 'folder'; folder: (typeof PRACTICE_FOLDERS)[number] } | { kind: 'file'; folder: (typeof PRACTICE_FOLDERS)[number]; name: string };

export class AccountFiles implements PracticeFiles, RandomAccessFiles {
  constructor(private readonly registry: PracticeRegistryFiles) {}

  private place(path: string): Place {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.some((p) => !isAcceptableName(p))) throw new PracticeRefusal('bad-name', 'The registry does not take that name.');
    if (parts.length === 0) return { kind: 'root' };
    const folder = PRACTICE_FOLDERS.find((f) => f.name === parts[0]);
    if (!folder || parts.length > 2) throw new PracticeRefusal('not-found', `${path} does not exist.`);
    return parts.length === 1 ? { kind: 'folder', folder } : { kind: 'file', folder, name: parts[1] as string };
  }

  private local(place: Extract<Place, { kind: 'file' }>): string {
    return join(this.registry.folderPath(place.folder.name), place.name);
  }

  private may(folder: (typeof PRACTICE_FOLDERS)[number], right: FolderRight, what: string): void {
    if (folder.rights.includes(right)) return;
    throw new PracticeRefusal(
      'permission',
      folder.rights.includes('write') ? `The registry does not let you ${what} in ${folder.name}.` : `${folder.name} is read-only: only the registry puts files there.`,
    );
  }

  /** The file's own entry; a link or anything but a plain file is treated as not there. */
  private async fileEntry(place: Extract<Place, { kind: 'file' }>): Promise<PracticeEntry> {
    const info = await lstat(this.local(place)).catch(() => null);
    if (!info || !info.isFile()) throw new PracticeRefusal('not-found', `There is no file named ${place.name} in ${place.folder.name}.`);
    return { name: place.name, kind: 'file', size: info.size, modified: info.mtime };
  }

  /** A folder's entry, with the time its contents last changed on disk (as a real server lists it). */
  private async folderEntry(name: string, where: string): Promise<PracticeEntry> {
    const info = await lstat(where).catch(() => null);
    return { name, kind: 'folder', size: 0, modified: info ? info.mtime : new Date() };
  }

  async list(path: string): Promise<PracticeEntry[]> {
    const place = this.place(path);
    if (place.kind === 'root') return Promise.all(PRACTICE_FOLDERS.map((f) => this.folderEntry(f.name, this.registry.folderPath(f.name))));
    if (place.kind === 'file') throw new PracticeRefusal('not-found', `${path} is a file, not a folder.`);
    this.may(place.folder, 'list', 'list files');
    // The purge runs where a listing would show what it removes (the other folders are purged when
    // they are listed, and at the registry's start).
    const { files } = await this.registry.readFolder(place.folder.name);
    const entries: PracticeEntry[] = files.filter((file) => isAcceptableName(file.name)).map((file) => ({ ...file, kind: 'file' }));
    return entries.sort((a, b) => a.name.localeCompare(b.name));
  }

  async stat(path: string): Promise<PracticeEntry> {
    const place = this.place(path);
    if (place.kind === 'root') return this.folderEntry('/', this.registry.accountDir);
    if (place.kind === 'folder') return this.folderEntry(place.folder.name, this.registry.folderPath(place.folder.name));
    return this.fileEntry(place);
  }

  async read(path: string, start?: number): Promise<Readable> {
    const place = this.place(path);
    if (place.kind !== 'file') throw new PracticeRefusal('not-found', `${path} is a folder, not a file.`);
    this.may(place.folder, 'read', 'read files');
    await this.fileEntry(place);
    const file = await open(this.local(place), OPEN_FLAGS.read);
    return file.createReadStream(start !== undefined && start > 0 ? { start } : {});
  }

  /** A file may be written here: a writable folder, and room for it when it is new (the quota). */
  private async writable(path: string): Promise<{ place: Extract<Place, { kind: 'file' }>; exists: boolean }> {
    this.notATopLevelFile(path);
    const place = this.place(path);
    if (place.kind !== 'file') throw new PracticeRefusal('permission', 'Files go in HL7-Dropoff; the registry keeps its folders as they are.');
    if (!place.folder.rights.includes('write')) throw new PracticeRefusal('permission', `${place.folder.name} is read-only: only the registry puts files there. Send files to ${DROPOFF_FOLDER}.`);
    const info = await lstat(this.local(place)).catch(() => null);
    // A link or a folder under that name is never written through (nothing the account made: it cannot make either).
    if (info && !info.isFile()) throw new PracticeRefusal('bad-name', `The registry does not take the name ${place.name}.`);
    const exists = info !== null;
    if (!exists) {
      const held = (await this.list(`/${place.folder.name}`)).length;
      if (held >= this.registry.limits.quota) {
        throw new PracticeRefusal(
          'quota',
          `Quota exceeded: ${place.folder.name} already holds ${held} files, as many as the registry allows (${this.registry.limits.quota}). Nothing was written. Wait until the registry has processed some, or delete files you sent by mistake.`,
        );
      }
    }
    return { place, exists };
  }

  /** A file written to HL7-Dropoff under its final name has arrived: the registry will process it. */
  private landed(place: Extract<Place, { kind: 'file' }>): void {
    const { onLanded, username } = this.registry.limits;
    if (place.folder.name === DROPOFF_FOLDER && !isTemporaryName(place.name)) onLanded?.(username, place.name);
  }

  async write(path: string, options: { append?: boolean; start?: number } = {}): Promise<Writable> {
    const { place, exists } = await this.writable(path);
    const flags: OpenFlags = options.append ? 'append' : options.start !== undefined && options.start > 0 && exists ? 'update' : 'create';
    const file = await open(this.local(place), OPEN_FLAGS[flags], 0o600);
    const stream = file.createWriteStream(flags === 'update' ? { start: options.start } : {});
    // Only a write that finished has landed: a transfer cut off (its stream destroyed) is not processed.
    let finished = false;
    stream.on('finish', () => {
      finished = true;
    });
    stream.on('close', () => {
      if (finished) this.landed(place);
    });
    return stream;
  }

  async openFile(path: string, mode: 'read' | 'write', options: { truncate?: boolean; append?: boolean; exclusive?: boolean } = {}): Promise<AbandonableFileHandle> {
    let place: Extract<Place, { kind: 'file' }>;
    let flags: OpenFlags;
    if (mode === 'read') {
      const at = this.place(path);
      if (at.kind !== 'file') throw new PracticeRefusal('not-found', `${path} is a folder, not a file.`);
      this.may(at.folder, 'read', 'read files');
      await this.fileEntry(at);
      place = at;
      flags = 'read';
    } else {
      const { place: at, exists } = await this.writable(path);
      if (exists && options.exclusive) throw new PracticeRefusal('exists', `${at.name} already exists in ${at.folder.name}.`);
      place = at;
      flags = options.append ? 'append' : exists && !options.truncate ? 'update' : 'create';
    }
    const file = await open(this.local(place), OPEN_FLAGS[flags], 0o600);
    let closed = false;
    return {
      read: async (position, length) => {
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await file.read(buffer, 0, length, position);
        return buffer.subarray(0, bytesRead);
      },
      write: async (position, data) => {
        await file.write(data, 0, data.length, flags === 'append' ? null : position);
      },
      stat: async () => {
        const info = await file.stat();
        return { name: place.name, kind: 'file', size: info.size, modified: info.mtime };
      },
      close: async () => {
        if (closed) return;
        closed = true;
        await file.close();
        if (mode === 'write') this.landed(place);
      },
      abandon: async () => {
        if (closed) return;
        closed = true;
        await file.close();
      },
    };
  }

  /** The top folder holds only the registry's folders: a file named there is refused as its right (list-only), not as missing. */
  private notATopLevelFile(path: string): void {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.length === 1 && isAcceptableName(parts[0] as string) && !PRACTICE_FOLDERS.some((f) => f.name === parts[0])) {
      throw new PracticeRefusal('permission', `Files go in ${DROPOFF_FOLDER}: the top folder is list-only.`);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const a = this.place(from);
    if (a.kind !== 'file') throw new PracticeRefusal('permission', 'The registry keeps its folders as they are: only files can be renamed.');
    this.may(a.folder, 'rename', 'rename files');
    this.notATopLevelFile(to);
    const b = this.place(to);
    if (b.kind !== 'file') throw new PracticeRefusal('permission', 'The registry keeps its folders as they are: a file keeps a name of its own in a folder.');
    this.may(b.folder, 'rename', 'rename files');
    await this.fileEntry(a);
    if (await this.fileEntry(b).then(() => true, () => false)) throw new PracticeRefusal('exists', `${b.name} already exists in ${b.folder.name}.`);
    await rename(this.local(a), this.local(b));
    const { onLanded, username } = this.registry.limits;
    if (b.folder.name === DROPOFF_FOLDER && !isTemporaryName(b.name)) onLanded?.(username, b.name);
  }

  async remove(path: string): Promise<void> {
    const place = this.place(path);
    if (place.kind !== 'file') throw new PracticeRefusal('permission', 'The registry keeps its folders as they are.');
    this.may(place.folder, 'delete', 'delete files');
    await this.fileEntry(place);
    await unlink(this.local(place));
  }

  async makeFolder(path: string): Promise<void> {
    this.place(path);
    throw new PracticeRefusal('permission', 'The registry keeps its folders as they are: no new folders.');
  }
}
