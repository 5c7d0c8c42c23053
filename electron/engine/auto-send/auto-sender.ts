// "Send automatically from this folder" (issue 17, item 3): while the app is signed in to an account
// that has an export folder, the folder is watched (chokidar), a new file is taken once it has stopped
// growing, and it goes through the same checks and transfer queue as a file the user drops, with a
// system notification for each delivery and each failure. What was delivered is the same send ledger
// the command line's send-new keeps, under the same account lock, so a scheduled run and the window
// never send one file twice. A failure is not tried again by itself: the file waits until it changes,
// the user resumes, or the app starts again (one attempt, as the registries ask).
import { watch, type FSWatcher } from 'chokidar';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { AutoSendState, RegistryEvent } from '../../../shared/contract';
import { vaultAccount } from '../credentials/vault';
import type { SettingsStore } from '../settings/settings-store';
import type { TransferQueue, QueueTarget, TransferResult } from '../transfers/transfer-queue';
import { AccountBusy, lockAccount } from './account-lock';
import { exportFileFilter, sha256Of } from './export-files';
import { SendLedger } from './send-ledger';

/** Settings key: each account's export folder, and whether its sending is paused. */
export const AUTO_SEND_KEY = 'autoSend';

interface AutoSendSetting {
  folder: string;
  paused: boolean;
}

/** How long a new file must keep its size before it is taken (an EHR writing it slowly). */
const STABLE_MS = 2_000;
/** A busy account (a scheduled run sending) is looked at again after this long. */
const BUSY_RETRY_MS = 60_000;

export interface AutoSenderDeps {
  settings: SettingsStore;
  dataDir: string | undefined;
  emit: (event: RegistryEvent) => void;
  notify?: (note: { title: string; body: string }) => void;
  transfers: TransferQueue;
  /** The signed-in account's target for the queue, or null when not signed in. */
  signedIn: () => (QueueTarget & { profileName: string }) | null;
  /** Tests: a shorter wait for a file to stop growing. */
  stableMs?: number;
}

export class AutoSender {
  private watcher: FSWatcher | null = null;
  private watching: string | null = null;
  private readonly pending = new Set<string>();
  /** Files that failed to send during this run of the app: not tried again until resumed or restarted. */
  private readonly failedThisRun = new Set<string>();
  private working = false;
  private retry: NodeJS.Timeout | null = null;
  private readonly ledger: SendLedger | null;

  constructor(private readonly deps: AutoSenderDeps) {
    this.ledger = deps.dataDir ? new SendLedger(deps.dataDir) : null;
  }

  private all(): Record<string, AutoSendSetting> {
    const raw = this.deps.settings.get(AUTO_SEND_KEY);
    return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, AutoSendSetting>) : {};
  }

  /** Whether a folder is being watched now. */
  get watchingNow(): boolean {
    return this.watching !== null;
  }

  setting(profileId: string, username: string): AutoSendSetting | null {
    const entry = this.all()[vaultAccount(profileId, username)];
    return entry && typeof entry.folder === 'string' && entry.folder !== '' ? { folder: entry.folder, paused: entry.paused === true } : null;
  }

  private save(profileId: string, username: string, value: AutoSendSetting | null): void {
    const next = { ...this.all() };
    if (value === null) delete next[vaultAccount(profileId, username)];
    else next[vaultAccount(profileId, username)] = value;
    this.deps.settings.set(AUTO_SEND_KEY, next);
  }

  async use(profileId: string, username: string, folder: string | null): Promise<void> {
    this.save(profileId, username, folder === null ? null : { folder, paused: false });
    this.failedThisRun.clear();
    await this.refresh();
  }

  async pause(profileId: string, username: string, paused: boolean): Promise<void> {
    const current = this.setting(profileId, username);
    if (!current) return;
    this.save(profileId, username, { ...current, paused });
    // Resuming is the user's say-so to try again what failed.
    if (!paused) this.failedThisRun.clear();
    await this.refresh();
  }

  /** What the window shows: the folder, what waits in it, what was sent and what its checks stopped. */
  async state(profileId: string, username: string): Promise<AutoSendState> {
    const setting = this.setting(profileId, username);
    const target = this.deps.signedIn();
    const active = setting !== null && !setting.paused && target !== null && target.profileId === profileId && target.username === username;
    const entries = this.ledger?.entries(profileId, username) ?? {};
    const sent = Object.entries(entries)
      .filter(([, e]) => e.outcome === 'delivered')
      .map(([name, e]) => ({ name, at: e.at }))
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, 50);
    const refused = Object.entries(entries)
      .filter(([, e]) => e.outcome === 'refused')
      .map(([name, e]) => ({ name, at: e.at, message: e.message ?? '' }));
    const waiting: AutoSendState['waiting'] = [];
    if (setting) {
      const matches = exportFileFilter(null);
      for (const name of (await readdir(setting.folder).catch(() => [] as string[])).filter(matches).sort()) {
        const info = await stat(join(setting.folder, name)).catch(() => null);
        if (!info?.isFile()) continue;
        const known = entries[name];
        // Sent or stopped already, and unchanged (same size and not newer): not waiting.
        if (known && known.size === info.size && Date.parse(known.at) >= info.mtimeMs) continue;
        waiting.push({ name, size: info.size });
      }
    }
    return { profileId, username, folder: setting?.folder ?? null, paused: setting?.paused ?? false, active, waiting, sent, refused };
  }

  /** Watch the signed-in account's folder, or nothing: called on every sign-in, sign-out and change. */
  async refresh(): Promise<void> {
    const target = this.deps.signedIn();
    const setting = target ? this.setting(target.profileId, target.username) : null;
    const want = target && setting && !setting.paused ? `${vaultAccount(target.profileId, target.username)}|${setting.folder}` : null;
    if (want === this.watching) return;
    await this.stop();
    if (!want || !setting || !target) return;
    this.watching = want;
    const matches = exportFileFilter(null);
    const stableMs = this.deps.stableMs ?? STABLE_MS;
    this.watcher = watch(setting.folder, {
      depth: 0,
      ignoreInitial: false,
      // A file is taken only once its size has held still: an export still being written is not sent half.
      awaitWriteFinish: { stabilityThreshold: stableMs, pollInterval: Math.max(50, Math.floor(stableMs / 10)) },
      ignored: (path, stats) => stats?.isFile() === true && !matches(basename(path)),
    });
    const take = (path: string) => {
      if (!matches(basename(path))) return;
      this.pending.add(path);
      void this.work();
    };
    this.watcher.on('add', take);
    this.watcher.on('change', (path) => {
      // Changed after a failure: the user (or the EHR) did something; it may go again.
      this.failedThisRun.delete(path);
      take(path);
    });
    this.watcher.on('error', () => undefined);
  }

  async stop(): Promise<void> {
    this.watching = null;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.pending.clear();
    const watcher = this.watcher;
    this.watcher = null;
    await watcher?.close();
  }

  /** Sends what is pending, one file after another, under the account's lock. */
  private async work(): Promise<void> {
    if (this.working) return;
    const target = this.deps.signedIn();
    if (!target || !this.ledger || !this.deps.dataDir) return;
    this.working = true;
    const account = vaultAccount(target.profileId, target.username);
    try {
      while (this.pending.size > 0 && this.watching?.startsWith(`${account}|`)) {
        let lock;
        try {
          lock = await lockAccount(this.deps.dataDir, account, 'the Registry Transfer window');
        } catch (error) {
          if (!(error instanceof AccountBusy)) throw error;
          // A scheduled run is sending for this account: it will have sent these, or they go later.
          this.retry ??= setTimeout(() => {
            this.retry = null;
            void this.work();
          }, BUSY_RETRY_MS);
          return;
        }
        try {
          const [path] = this.pending;
          if (path === undefined) break;
          this.pending.delete(path);
          await this.sendOne(target, path);
        } finally {
          await lock.release();
        }
      }
    } finally {
      this.working = false;
    }
  }

  private async sendOne(target: QueueTarget & { profileName: string }, path: string): Promise<void> {
    const ledger = this.ledger as SendLedger;
    const name = basename(path);
    if (this.failedThisRun.has(path)) return;
    const sha256 = await sha256Of(path).catch(() => null);
    if (sha256 === null) return;
    const known = ledger.entry(target.profileId, target.username, name);
    if (known && known.sha256 === sha256) return;
    const { id } = this.deps.transfers.enqueueUpload(target, path, () => false);
    const result = (await this.deps.transfers.settled(id)) as TransferResult;
    const at = new Date().toISOString();
    const size = result.check?.size ?? 0;
    if (!result.failure) {
      // The queue has written it to the send ledger, as every delivery.
      this.deps.notify?.({ title: `Sent to ${target.profileName}`, body: `${name} is in the dropoff folder, checked.` });
    } else if (result.failure.stoppedByChecks) {
      ledger.record(target.profileId, target.username, name, { sha256: result.sha256 ?? sha256, size, outcome: 'refused', at, message: result.status.message });
      this.deps.notify?.({ title: `Not sent: ${name}`, body: `${result.status.message} It is sent once the file is fixed.` });
    } else {
      this.failedThisRun.add(path);
      this.deps.notify?.({ title: `Not sent: ${name}`, body: `${result.status.message} It is tried again when you resume sending or the app starts again.` });
    }
    this.deps.emit({ type: 'auto-send', profileId: target.profileId, username: target.username });
  }
}
