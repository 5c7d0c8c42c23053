// What this computer has delivered from an export folder (issue 17): each file by its name and
// SHA-256, per account, written only once the registry has the whole file (the queue checked its size
// on the server and renamed it into place). A file that failed its checks is recorded too, so it is
// reported once and not tried again until it changes (a new SHA-256). Kept in the data folder, no
// contents: names, hashes, sizes and times.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { vaultAccount } from '../credentials/vault';
import { RemoteError } from '../remote/remote-fs';

export const SEND_LEDGER_FILE_NAME = 'send-ledger.json';

export interface LedgerEntry {
  sha256: string;
  size: number;
  /** `delivered`: the registry has it whole. `refused`: its checks stopped it (tried again once it changes). */
  outcome: 'delivered' | 'refused';
  at: string;
  /** Where it landed on the registry (delivered), or why it was stopped (refused). */
  remotePath?: string;
  message?: string;
}

type LedgerFile = { version: 1; accounts: Record<string, Record<string, LedgerEntry>> };

export class SendLedger {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, SEND_LEDGER_FILE_NAME);
  }

  private read(): LedgerFile {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8').replace(/^\uFEFF/, '');
    } catch {
      // Missing: nothing sent from here yet.
      return { version: 1, accounts: {} };
    }
    try {
      const parsed = JSON.parse(text) as LedgerFile;
      if (parsed && parsed.version === 1 && parsed.accounts && typeof parsed.accounts === 'object') return parsed;
    } catch {
      // Below: read as empty, it would send every file again.
    }
    throw new RemoteError(
      'internal',
      `The record of files already sent (${this.file}) is damaged, so nothing was sent: every file would go again. Move it aside to start over, knowing the folder's files will then all be sent.`,
    );
  }

  /** What the ledger says of `name` for the account, or null when it was never delivered nor refused. */
  entry(profileId: string, username: string, name: string): LedgerEntry | null {
    return this.read().accounts[vaultAccount(profileId, username)]?.[name] ?? null;
  }

  /** Every entry of the account, by name. */
  entries(profileId: string, username: string): Record<string, LedgerEntry> {
    return { ...(this.read().accounts[vaultAccount(profileId, username)] ?? {}) };
  }

  record(profileId: string, username: string, name: string, entry: LedgerEntry): void {
    const ledger = this.read();
    const account = vaultAccount(profileId, username);
    ledger.accounts[account] = { ...(ledger.accounts[account] ?? {}), [name]: entry };
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    // Written whole, then renamed: a crash leaves the old ledger or the new one, never half of one.
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(ledger, null, 2), { mode: 0o600 });
    renameSync(temp, this.file);
  }
}
