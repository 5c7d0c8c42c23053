// The transfer queue: over the one connection, as many files at once as it carries (SFTP several,
// FTPS one), with progress (bytes, rate, time left), cancel, retry on demand, and a history line for
// every outcome. Automatic retries: none — both registries ask for 0, and a retried upload could
// deliver a file twice.
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { FolderRole, RegistryEvent, RoleFolder, TransferStatus, UploadCheck } from '../../../shared/contract';
import { RemoteError, type RemoteFs } from '../remote/remote-fs';
import { fetchFile, statedSizeOf } from './download';
import type { TransferHistory } from './history';
import { leftoverNote, type LeftoverAccount, type LeftoverJournal } from './leftover-journal';
import { lookAgain, UploadBatch, UploadStopped, withoutNothingChanged, type PlaceInLine, type UploadTarget } from './upload';

/** Which warnings of the checks the user accepted in advance (by id), letting the file go anyway. */
export type AcceptedWarnings = readonly string[] | ((id: string) => boolean);

type Job =
  | { kind: 'upload'; localPath: string; accepts: (id: string) => boolean }
  | { kind: 'download'; folder: RoleFolder; remoteName: string; toFolder: string };

interface Item {
  status: TransferStatus;
  job: Job;
  abort: AbortController;
  target: QueueTarget;
  sha256: string | null;
  /** The upload's checks, once made. */
  check: UploadCheck | null;
  /** Where the file ended up on the server (an upload that was delivered). */
  remotePath: string | null;
  note: string | null;
  sendingStarted: boolean;
  renamed: boolean;
  settled: Deferred<TransferResult>;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve = (_value: T) => undefined as void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

/**
 * How a transfer ended, for a face that words it its own way (the command line prints each file's
 * report in the order given). `status.message` is the window's wording of the same outcome.
 */
export interface TransferResult {
  status: TransferStatus;
  /** The upload's checks (null when it never got that far, and for downloads). */
  check: UploadCheck | null;
  remotePath: string | null;
  /** A sentence about how the file was delivered (e.g. the replaced copy), when there is one. */
  note: string | null;
  /** The SHA-256 of the file's bytes, once read (an upload's checks, or a finished download). */
  sha256: string | null;
  /** A download saved under another name than the server's (taken, or not safe on this computer). */
  renamed: boolean;
  /** Why it did not finish; null when done. */
  failure: TransferFailure | null;
}

export interface TransferFailure {
  /** The error as the engine has it (a RemoteError, or an UploadStopped with what remains). */
  error: unknown;
  /** The checks stopped the upload (an error, or a warning the user had not accepted). */
  stoppedByChecks: boolean;
  /** Cancelled while still waiting in the queue: nothing was attempted. */
  cancelledBeforeStart: boolean;
  /** Bytes had begun to move (not stopped by the checks, or before them). */
  sendingStarted: boolean;
  /** A temporary file stayed on the server (written down for the next connection). */
  leftBehind: boolean;
  /** What a failed upload left under its final name, in plain words; null when nothing. */
  remains: string | null;
}

/** The checks stopped this upload; nothing was sent. */
class StoppedByChecks extends RemoteError {}

/**
 * `server`: the host and port the session reached when the transfer was queued, so that a temporary
 * file left behind is written down for that account even when the session has ended meanwhile.
 */
export type QueueTarget = UploadTarget & { profileId: string; server?: { host: string; port: number } };

export interface QueueDeps {
  emit: (event: RegistryEvent) => void;
  history: TransferHistory | null;
  /** Run an operation on the session's connection (reopened if it was closed). */
  withFs: <T>(op: (fs: RemoteFs) => Promise<T>) => Promise<T>;
  /** Close the connection when the queue drains (the registries ask for it). */
  onDrained: () => Promise<void>;
  /** A file the registry now has whole (size checked, under its final name). */
  onDelivered?: (target: QueueTarget, file: { name: string; sha256: string; size: number; remotePath?: string }) => void;
  /** The history could not be written (the transfer itself is not affected); say so, once. */
  historyUnwritable?: (error: unknown) => void;
  /** How often progress events go out at most. */
  progressIntervalMs?: number;
  /** Temporary files of stopped uploads that could not be removed yet, kept in the data folder. */
  leftovers: LeftoverJournal;
  /** The server and account a target's files go to, as the journal names them. */
  leftoverAccount: (target: QueueTarget) => LeftoverAccount;
}

const PROGRESS_INTERVAL_MS = 250;

export class TransferQueue {
  private readonly items = new Map<string, Item>();
  private readonly waiting: string[] = [];
  private running = false;
  /** The uploads of one run of the queue until it drains: folder listings and places held. */
  private batch = new UploadBatch();
  /** Workers taking files off `waiting`; more start once the connection says it carries more. */
  private lanes = 0;
  /** How many transfers the connection carries at once, as it last said. */
  private laneLimit = 1;
  private lanesDone: (() => void) | undefined;
  /** The history lines being written, one after another. */
  private historyWrites: Promise<void> = Promise.resolve();

  constructor(private readonly deps: QueueDeps) {}

  status(id: string): TransferStatus | undefined {
    return this.items.get(id)?.status;
  }

  /** How a transfer ends (again, after a retry): resolved when it is done, failed or cancelled. */
  settled(id: string): Promise<TransferResult> | undefined {
    return this.items.get(id)?.settled.promise;
  }

  enqueueUpload(target: QueueTarget, localPath: string, acceptWarnings: AcceptedWarnings): TransferStatus {
    const dropoff = target.folders.find((f) => f.role === 'dropoff');
    const accepts = typeof acceptWarnings === 'function' ? acceptWarnings : (id: string) => acceptWarnings.includes(id);
    return this.enqueue({ kind: 'upload', localPath, accepts }, basename(localPath), dropoff?.role ?? 'dropoff', target, 'Waiting to send…');
  }

  enqueueDownload(target: QueueTarget, folder: RoleFolder, remoteName: string, toFolder: string): TransferStatus {
    return this.enqueue({ kind: 'download', folder, remoteName, toFolder }, remoteName, folder.role, target, 'Waiting to download…');
  }

  private enqueue(job: Job, name: string, folder: FolderRole, target: QueueTarget, message: string): TransferStatus {
    const status: TransferStatus = {
      id: randomUUID(),
      direction: job.kind,
      name,
      folder,
      state: 'queued',
      bytes: 0,
      total: 0,
      bytesPerSecond: null,
      secondsLeft: null,
      message,
    };
    const item: Item = { status, job, abort: new AbortController(), target, sha256: null, check: null, remotePath: null, note: null, sendingStarted: false, renamed: false, settled: deferred() };
    this.items.set(status.id, item);
    this.waiting.push(status.id);
    this.publish(item);
    this.wake();
    return { ...status };
  }

  cancel(id: string): boolean {
    const item = this.items.get(id);
    if (!item || !['queued', 'sending', 'verifying'].includes(item.status.state)) return false;
    const waitingAt = this.waiting.indexOf(id);
    if (waitingAt >= 0) {
      this.waiting.splice(waitingAt, 1);
      this.finish(item, 'cancelled', 'Cancelled before it started. Nothing was sent.', {
        error: new RemoteError('cancelled', 'Cancelled before it started. Nothing was sent.'),
        stoppedByChecks: false,
        cancelledBeforeStart: true,
        sendingStarted: false,
        leftBehind: false,
        remains: null,
      });
    } else {
      // Taken off the queue already (perhaps still waiting for the connection): it stops itself.
      item.abort.abort();
    }
    return true;
  }

  /**
   * Queue a failed or cancelled transfer again, over the current connection. Null when there is no
   * such transfer to retry; 'other-account' when it belonged to another registry account, whose
   * folders this connection must not write to.
   */
  retry(id: string, current: QueueTarget): TransferStatus | null | 'other-account' {
    const item = this.items.get(id);
    if (!item || !['failed', 'cancelled'].includes(item.status.state)) return null;
    if (item.target.profileId !== current.profileId || item.target.username !== current.username) return 'other-account';
    item.target = current;
    item.abort = new AbortController();
    item.settled = deferred();
    Object.assign(item, { check: null, remotePath: null, note: null, sendingStarted: false, renamed: false });
    Object.assign(item.status, { state: 'queued', bytes: 0, bytesPerSecond: null, secondsLeft: null, message: 'Waiting to try again…' });
    delete item.status.savedTo;
    this.waiting.push(id);
    this.publish(item);
    this.wake();
    return { ...item.status };
  }

  /** Cancel everything (the user disconnected or the app is closing). */
  cancelAll(): void {
    for (const id of [...this.waiting]) this.cancel(id);
    for (const item of this.items.values()) if (item.status.state === 'sending' || item.status.state === 'verifying') item.abort.abort();
  }

  private publish(item: Item): void {
    this.deps.emit({ type: 'transfer', transfer: { ...item.status } });
  }

  /** A transfer was queued: start the queue, or give it a worker of its own if the connection has room. */
  private wake(): void {
    if (this.lanes > 0) this.openLanes(this.laneLimit);
    else void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      // A file queued while the connection is being closed finds `running` still set and leaves the
      // work to this loop, so look at the queue again after every drain.
      while (this.waiting.length > 0) {
        this.batch = new UploadBatch();
        await new Promise<void>((resolve) => {
          this.lanesDone = resolve;
          this.openLanes(1);
        });
        await this.deps.onDrained().catch(() => undefined);
      }
    } finally {
      this.running = false;
    }
  }

  /** Start workers up to `count`, no more than there are transfers waiting (each takes one at once). */
  private openLanes(count: number): void {
    this.laneLimit = count;
    while (this.lanes < count && this.waiting.length > 0) {
      this.lanes += 1;
      void this.lane();
    }
  }

  private async lane(): Promise<void> {
    try {
      for (let id = this.waiting.shift(); id !== undefined; id = this.waiting.shift()) {
        const item = this.items.get(id);
        if (item) await this.run(item);
      }
    } finally {
      this.lanes -= 1;
      if (this.lanes === 0) this.lanesDone?.();
    }
  }

  private progress(item: Item, started: number): (bytes: number) => void {
    let lastSent = 0;
    return (bytes) => {
      item.status.bytes = bytes;
      const seconds = (Date.now() - started) / 1000;
      if (seconds > 0.2) {
        item.status.bytesPerSecond = Math.round(bytes / seconds);
        item.status.secondsLeft = item.status.bytesPerSecond > 0 ? Math.ceil((item.status.total - bytes) / item.status.bytesPerSecond) : null;
      }
      const now = Date.now();
      if (now - lastSent >= (this.deps.progressIntervalMs ?? PROGRESS_INTERVAL_MS) || bytes === item.status.total) {
        lastSent = now;
        this.publish(item);
      }
    };
  }

  private async run(item: Item): Promise<void> {
    const { job } = item;
    try {
      if (job.kind === 'upload') await this.runUpload(item, item.target, job);
      else await this.runDownload(item, job);
    } catch (thrown) {
      const cancelledNow = item.abort.signal.aborted;
      const error = await this.lookAgain(thrown);
      let message = error instanceof RemoteError ? error.message : 'The transfer failed. Nothing was changed.';
      let leftBehind = false;
      if (error instanceof UploadStopped && error.leftover) {
        leftBehind = !(await this.tidyUp(item.target, error.leftover, error.code === 'timeout'));
      }
      const folderName = item.target.folders.find((f) => f.role === 'dropoff')?.name ?? 'the dropoff folder';
      const leftNote = leftoverNote(folderName, error instanceof UploadStopped ? (error.leftover ?? undefined) : undefined);
      const remains = error instanceof UploadStopped ? error.remains : null;
      if (cancelledNow) {
        message =
          item.status.direction === 'download'
            ? 'Cancelled. No partial file was kept.'
            : remains
              ? `Cancelled. ${remains}`
              : leftBehind
              ? `Cancelled. Nothing was delivered. ${leftNote}`
              : 'Cancelled. Nothing was delivered, and no partial file was left on the registry.';
      } else if (leftBehind) {
        message = `${withoutNothingChanged(message)} ${leftNote}`;
      }
      this.finish(item, cancelledNow ? 'cancelled' : 'failed', message, {
        error,
        stoppedByChecks: error instanceof StoppedByChecks,
        cancelledBeforeStart: false,
        sendingStarted: item.sendingStarted,
        leftBehind,
        remains,
      });
    }
  }

  /**
   * An upload sent straight to its final name whose failure ended the connection: look at that name
   * over a new one, so that the message says what is there (as `tidyUp` does, not after a timeout).
   */
  private async lookAgain(error: unknown): Promise<unknown> {
    if (!(error instanceof UploadStopped) || !error.unsure || error.code === 'timeout') return error;
    return this.deps.withFs((fs) => lookAgain(fs, error)).catch(() => error);
  }

  /**
   * Remove the temporary file of an upload that stopped. The connection often ended with the transfer
   * (an FTPS cancel, a drop), so a new one is opened — except after a timeout, when the server has just
   * kept the user waiting for a whole timeout and would likely do it again: then, and whenever removing
   * fails, the file is written down in the data folder and removed on the next connection to the
   * account (or before the next transfer). True when it is gone.
   */
  private async tidyUp(target: QueueTarget, path: string, later: boolean): Promise<boolean> {
    if (!later) {
      try {
        await this.deps.withFs((fs) => fs.remove(path));
        return true;
      } catch (error) {
        if (error instanceof RemoteError && error.code === 'not-found') return true;
      }
    }
    this.remember(target, path);
    return false;
  }

  private remember(target: QueueTarget, path: string): void {
    try {
      this.deps.leftovers.remember(this.deps.leftoverAccount(target), path);
    } catch {
      // The data folder cannot be written: the file stays until someone removes it.
    }
  }

  private async removeLeftovers(fs: RemoteFs, target: QueueTarget): Promise<void> {
    await this.deps.leftovers.finish(fs, this.deps.leftoverAccount(target));
  }

  private async runUpload(item: Item, target: UploadTarget, job: Extract<Job, { kind: 'upload' }>): Promise<void> {
    const batch = this.batch;
    // Taken before anything is awaited, so in the queue's order: uploads are checked in that order,
    // whichever worker is quicker. Left by the checks, or here if they never ran.
    const place = batch.placeInLine();
    try {
      await this.uploadWithPlace(item, target, job, batch, place);
    } finally {
      place.leave();
    }
  }

  private async uploadWithPlace(item: Item, target: UploadTarget, job: Extract<Job, { kind: 'upload' }>, batch: UploadBatch, place: PlaceInLine): Promise<void> {
    await this.deps.withFs(async (fs) => {
      this.openLanes(fs.parallelTransfers);
      await this.removeLeftovers(fs, item.target);
      const unacceptedIn = (check: UploadCheck) => check.lines.filter((l) => l.severity === 'warning' && !job.accepts(l.id));
      const { check, admitted } = await batch.admit(place, fs, target, job.localPath, (c) => !item.abort.signal.aborted && c.canUpload && unacceptedIn(c).length === 0);
      item.status.total = check.size;
      item.sha256 = check.sha256;
      item.check = check;
      if (!check.canUpload) {
        const stopping = check.lines.find((l) => l.severity === 'error');
        // A full dropoff folder is the registry's rule refusing the file, not a fault in it.
        throw new StoppedByChecks(stopping?.id === 'quota' ? 'quota-full' : 'invalid-input', stopping?.message ?? 'This file cannot be sent.');
      }
      if (!admitted) {
        // Not admitted without an unaccepted warning: the transfer was cancelled while it was checked.
        if (unacceptedIn(check).length === 0) throw new RemoteError('cancelled', 'Cancelled before it was sent. Nothing was sent.');
        throw new StoppedByChecks('invalid-input', `Not sent: ${unacceptedIn(check).map((l) => l.message).join(' ')}`);
      }
      item.status.state = 'sending';
      item.status.message = 'Sending…';
      item.sendingStarted = true;
      this.publish(item);
      const started = Date.now();
      const outcome = await batch.send(fs, target, check, {
        signal: item.abort.signal,
        onProgress: this.progress(item, started),
        onLeftover: (path) => this.remember(item.target, path),
        onVerifying: () => {
          item.status.state = 'verifying';
          item.status.message = 'Checking that the registry received all of it…';
          this.publish(item);
        },
      });
      item.remotePath = outcome.remotePath;
      item.note = outcome.note ?? null;
      if (check.sha256) {
        try {
          this.deps.onDelivered?.(item.target, { name: check.fileName, sha256: check.sha256, size: check.size, ...(outcome.remotePath ? { remotePath: outcome.remotePath } : {}) });
        } catch {
          // The record of what was sent could not be written: the delivery itself stands.
        }
      }
      const delivered = `Delivered: ${check.fileName} is in the dropoff folder, ${check.size.toLocaleString('en-US')} bytes, checked.`;
      this.finish(item, 'done', outcome.note ? `${delivered} ${outcome.note}` : delivered);
    });
  }

  private async runDownload(item: Item, job: Extract<Job, { kind: 'download' }>): Promise<void> {
    await this.deps.withFs(async (fs) => {
      this.openLanes(fs.parallelTransfers);
      await this.removeLeftovers(fs, item.target);
      // The size the server states now is the most the download may bring, and what it must bring.
      const statedSize = await statedSizeOf(fs, job.folder, job.remoteName);
      item.status.total = statedSize;
      item.status.state = 'sending';
      item.status.message = 'Downloading…';
      item.sendingStarted = true;
      this.publish(item);
      const outcome = await fetchFile(fs, job.folder, job.remoteName, job.toFolder, {
        statedSize,
        signal: item.abort.signal,
        onProgress: this.progress(item, Date.now()),
      });
      item.status.savedTo = outcome.localPath;
      item.renamed = outcome.renamed;
      item.status.total = outcome.size;
      item.sha256 = outcome.sha256;
      this.finish(
        item,
        'done',
        outcome.renamed ? `Saved as ${basename(outcome.localPath)} (a file named ${job.remoteName} was already there, or the name was not safe).` : `Saved to ${outcome.localPath}.`,
      );
    });
  }

  /** Once every transfer that has ended so far has its history line written (the History reads after it). */
  historyWritten(): Promise<void> {
    return this.historyWrites;
  }

  private finish(item: Item, state: 'done' | 'failed' | 'cancelled', message: string, failure: TransferFailure | null = null): void {
    Object.assign(item.status, { state, message, secondsLeft: null });
    if (state === 'done') item.status.bytes = item.status.total;
    this.publish(item);
    const result: TransferResult = {
      status: { ...item.status },
      check: item.check,
      remotePath: item.remotePath,
      note: item.note,
      sha256: item.sha256,
      renamed: item.renamed,
      failure,
    };
    const { job } = item;
    const entry = {
      time: new Date().toISOString(),
      profileId: item.target.profileId,
      account: item.target.username,
      direction: job.kind,
      localName: job.kind === 'upload' ? job.localPath : (item.status.savedTo ?? ''),
      remoteName: item.status.name,
      folder: job.kind === 'upload' ? 'dropoff' : job.folder.role,
      size: item.status.total,
      sha256: item.sha256,
      result: state,
      // A history line is read on its own, long after: one the checks stopped says it was not sent.
      ...(state === 'done' ? {} : { error: (failure?.stoppedByChecks && !message.startsWith('Not sent') ? `Not sent: ${message}` : message).slice(0, 1000) }),
    };
    // One line at a time, in the order transfers end; the transfer counts as settled once its line is
    // written, so a command line run that ends after its last file leaves the whole history behind.
    const history = this.deps.history;
    this.historyWrites = this.historyWrites
      .then(() => history?.append(entry))
      .catch((error: unknown) => this.deps.historyUnwritable?.(error))
      .then(() => item.settled.resolve(result));
  }
}
