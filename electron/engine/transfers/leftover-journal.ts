// Temporary upload files the app could not remove (the connection dropped, the server stopped
// answering), written down in the app's data folder so that the next connection to the same account
// removes them, whether it is the window's or the command line's, today or after a restart. Only
// the server, the account and the temporary file's path are kept: never a file's contents.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RemoteError, type RemoteFs } from '../remote/remote-fs';

export const LEFTOVER_JOURNAL_FILE_NAME = 'upload-leftovers.json';

/** The account a temporary file was left in. */
export interface LeftoverAccount {
  profileId: string;
  host: string;
  port: number;
  username: string;
}

export interface Leftover extends LeftoverAccount {
  path: string;
  /** When it was left, for IT reading the file. */
  since: string;
}

const sameAccount = (a: LeftoverAccount, b: LeftoverAccount) =>
  a.profileId === b.profileId && a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.username === b.username;

/**
 * What the user is told while a temporary file waits to be removed. A name without the leading dot
 * (a server that refuses dot names) is not hidden, so it is named.
 */
export function leftoverNote(folderName: string, path?: string): string {
  const name = path?.slice(path.lastIndexOf('/') + 1);
  const where = name && !name.startsWith('.') ? `the temporary name ${name}` : 'a hidden temporary name';
  return `A partial copy under ${where} may remain in ${folderName}; the registry does not process it, and the app removes it the next time it connects to this account.`;
}

export class LeftoverJournal {
  private entries: Leftover[];

  /** `file` null: kept in memory only (tests, or no data folder). */
  constructor(private readonly file: string | null) {
    this.entries = file ? LeftoverJournal.read(file) : [];
  }

  static inDataDir(dataDir: string): LeftoverJournal {
    return new LeftoverJournal(join(dataDir, LEFTOVER_JOURNAL_FILE_NAME));
  }

  private static read(file: string): Leftover[] {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (!Array.isArray(parsed)) return [];
      return parsed.filter(
        (e): e is Leftover =>
          typeof e === 'object' && e !== null && typeof e.profileId === 'string' && typeof e.host === 'string' && typeof e.port === 'number' && typeof e.username === 'string' && typeof e.path === 'string',
      );
    } catch {
      // Missing or damaged: nothing is known to remove (the worst case is a hidden file left over).
      return [];
    }
  }

  /** Another process (the CLI beside the window) may have written the file since: read it again first. */
  private reload(): void {
    if (this.file) this.entries = LeftoverJournal.read(this.file);
  }

  private save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(this.entries, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, this.file);
  }

  remember(account: LeftoverAccount, path: string, now = new Date()): void {
    this.reload();
    if (this.entries.some((e) => sameAccount(e, account) && e.path === path)) return;
    this.entries.push({ ...account, path, since: now.toISOString() });
    this.save();
  }

  pending(account: LeftoverAccount): string[] {
    this.reload();
    return this.entries.filter((e) => sameAccount(e, account)).map((e) => e.path);
  }

  private forget(account: LeftoverAccount, path: string): void {
    this.reload();
    this.entries = this.entries.filter((e) => !(sameAccount(e, account) && e.path === path));
    this.save();
  }

  /**
   * Remove this account's leftovers over `fs`; one already gone counts as removed. One the server
   * still refuses stays written down for the next connection. Never throws: a cleanup must not
   * stop the user's own work. Resolves with the paths removed.
   */
  async finish(fs: RemoteFs, account: LeftoverAccount): Promise<string[]> {
    const removed: string[] = [];
    for (const path of this.pending(account)) {
      if (!fs.usable) break;
      try {
        await fs.remove(path);
      } catch (error) {
        if (!(error instanceof RemoteError && error.code === 'not-found')) continue;
      }
      try {
        this.forget(account, path);
      } catch {
        // The data folder could not be written: the next connection tries again, finds it gone.
      }
      removed.push(path);
    }
    return removed;
  }
}
