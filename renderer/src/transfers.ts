// How transfers, upload checks and folder rights are put into words in the window. Plain functions,
// so the wording is tested without a browser.
import type { FolderRole, FolderSummary, TransferState, TransferStatus, UploadCheck, UploadCheckLine } from '../../shared/contract';
import { formatSize } from './format';

export const FINISHED_STATES: readonly TransferState[] = ['done', 'failed', 'cancelled'];
export const isFinished = (t: Pick<TransferStatus, 'state'>) => FINISHED_STATES.includes(t.state);
export const canCancel = (t: Pick<TransferStatus, 'state'>) => t.state === 'queued' || t.state === 'sending' || t.state === 'verifying';
export const canRetry = (t: Pick<TransferStatus, 'state'>) => t.state === 'failed' || t.state === 'cancelled';

/** One word for where a transfer is, as the transfer list shows it. */
export function stateWord(t: Pick<TransferStatus, 'state' | 'direction'>): string {
  switch (t.state) {
    case 'queued':
      return 'Waiting';
    case 'sending':
      return t.direction === 'upload' ? 'Sending' : 'Downloading';
    case 'verifying':
      return 'Checking';
    case 'done':
      return t.direction === 'upload' ? 'Delivered' : 'Saved';
    case 'failed':
      return 'Failed';
    case 'cancelled':
      return 'Cancelled';
  }
}

/** "about 20 s", "about 3 min": an estimate, so never more precise than it can be. */
export function timeLeftWords(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return null;
  if (seconds < 2) return 'almost done';
  if (seconds < 60) return `about ${Math.round(seconds)} s`;
  if (seconds < 3600) return `about ${Math.round(seconds / 60)} min`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.round((seconds % 3600) / 60);
  return minutes === 0 ? `about ${hours} h` : `about ${hours} h ${minutes} min`;
}

export const rateWords = (bytesPerSecond: number | null): string | null =>
  bytesPerSecond === null || bytesPerSecond <= 0 ? null : `${formatSize(bytesPerSecond)}/s`;

/** The size the window knows for a transfer: the engine's once it has one, else what the window saw. */
export const totalOf = (t: Pick<TransferStatus, 'total'>, expected?: number) => (t.total > 0 ? t.total : (expected ?? 0));

/** "12 MB of 256 MB" (or just "256 MB" before anything moved, "12 MB" when the size is unknown). */
export function bytesWords(bytes: number, total: number): string {
  if (total <= 0) return bytes > 0 ? formatSize(bytes) : '';
  if (bytes <= 0) return formatSize(total);
  return `${formatSize(Math.min(bytes, total))} of ${formatSize(total)}`;
}

/** The line under a transfer's bar: bytes, rate, time left — whatever is known. */
export function progressLine(t: TransferStatus, expected?: number): string {
  const total = totalOf(t, expected);
  const bytes = t.state === 'done' ? total : t.bytes;
  const parts = [bytesWords(bytes, total)];
  if (t.state === 'sending') {
    const rate = rateWords(t.bytesPerSecond);
    const left = timeLeftWords(t.secondsLeft);
    if (rate) parts.push(rate);
    if (left) parts.push(left === 'almost done' ? left : `${left} left`);
  }
  return parts.filter(Boolean).join(' · ');
}

export interface BatchSummary {
  count: number;
  finished: number;
  delivered: number;
  failed: number;
  cancelled: number;
  bytes: number;
  total: number;
}

/** What the overall bar shows for the transfers of one batch. Failed and cancelled files drop out of the bytes. */
export function summarize(transfers: readonly TransferStatus[], expected: Readonly<Record<string, number>> = {}): BatchSummary {
  const summary: BatchSummary = { count: transfers.length, finished: 0, delivered: 0, failed: 0, cancelled: 0, bytes: 0, total: 0 };
  for (const t of transfers) {
    if (isFinished(t)) summary.finished += 1;
    if (t.state === 'done') summary.delivered += 1;
    if (t.state === 'failed') summary.failed += 1;
    if (t.state === 'cancelled') summary.cancelled += 1;
    if (t.state === 'failed' || t.state === 'cancelled') continue;
    const total = totalOf(t, expected[t.id]);
    summary.total += total;
    summary.bytes += t.state === 'done' ? total : Math.min(t.bytes, total || t.bytes);
  }
  return summary;
}

export function summaryWords(s: BatchSummary): string {
  const files = s.count === 1 ? '1 file' : `${s.count} files`;
  const head = s.finished === s.count ? `${files} finished` : `${s.finished} of ${files} finished`;
  const problems = [s.failed ? `${s.failed} failed` : '', s.cancelled ? `${s.cancelled} cancelled` : ''].filter(Boolean).join(', ');
  const bytes = s.total > 0 ? bytesWords(s.bytes, s.total) : '';
  return [head + (problems ? ` (${problems})` : ''), bytes].filter(Boolean).join(' · ');
}

const WHAT_THE_REGISTRY_PUTS_THERE: Record<FolderRole, string> = {
  dropoff: 'the registry picks up files from there',
  accepted: 'the registry puts the files it has processed there',
  reports: 'the registry puts its reports there',
  receive: 'the registry puts consent notifications there',
};

export const canUploadTo = (folder: Pick<FolderSummary, 'rights'>) => folder.rights.includes('write');

/** Why a drop on a folder is refused, and where to drop instead. */
export function refusalWords(folder: Pick<FolderSummary, 'role' | 'name'>, uploadFolderName: string | null): string {
  const where = uploadFolderName ? ` Drop files on ${uploadFolderName}.` : ' This account has no folder it may upload to.';
  return `${folder.name} is read-only: ${WHAT_THE_REGISTRY_PUTS_THERE[folder.role]}.${where}`;
}

/** The tick-box wording for accepting one warning of the upload checks. */
export function acceptWords(warningId: UploadCheckLine['id']): string {
  if (warningId === 'replace') return 'Replace the file that is waiting';
  if (warningId === 'duplicate') return 'Send it again anyway';
  return 'Send it anyway';
}

/** What to do about a file that cannot be sent, when the check's own words do not already say. */
export function remedyWords(check: UploadCheck, importCode: string | null): string | null {
  const errors = check.lines.filter((l) => l.severity === 'error');
  if (errors.length === 0) return null;
  if (errors.some((l) => l.id.startsWith('hl7-import-code'))) {
    return `Rename the file on this computer so its name contains ${importCode ?? 'your import code'}, then send it again.`;
  }
  if (errors.some((l) => l.id.startsWith('hl7-'))) {
    return 'Correct the file in the program that made it (usually your health record system), then send it again.';
  }
  return null;
}

export type CheckVerdict = 'ready' | 'needs-choice' | 'blocked';

export function verdictOf(check: UploadCheck, accepted: ReadonlySet<UploadCheckLine['id']>): CheckVerdict {
  if (!check.canUpload) return 'blocked';
  return check.warningIds.every((id) => accepted.has(id)) ? 'ready' : 'needs-choice';
}
