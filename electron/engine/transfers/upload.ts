// The upload pipeline. Every check runs before a byte is sent; then the file goes to a temporary
// name in the dropoff folder, its size on the server is compared with the local file, and only then
// is it renamed to its final name — so the registry never picks up half a file. A cancel or a failure
// removes the temporary file where the server lets us; the local file is only ever read.
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { RemoteEntry, RoleFolder, UploadCheck, UploadCheckLine } from '../../../shared/contract';
import { inspectHl7File } from '../hl7/batch-check';
import type { Profile } from '../profiles';
import { cancelled, joinRemote, RemoteError, type RemoteFs, type TransferOptions } from '../remote/remote-fs';
import { isSafeRemoteName } from './safe-names';

export interface UploadTarget {
  profile: Profile;
  username: string;
  folders: RoleFolder[];
}

const when = (ms: number | null) => (ms === null ? '' : ` (${new Date(ms).toISOString().slice(0, 10)})`);

/**
 * The dropoff and Accepted listings, read once for a batch of uploads instead of once per file (a
 * listing of a full dropoff is 300 entries; per file, that made a 300-file batch quadratic). Files
 * this batch delivers are added as they land. A listing that is a little stale only errs on the
 * safe side: SFTP's rename never replaces a file that appeared meanwhile.
 */
export interface BatchListings {
  dropoff?: RemoteEntry[];
  accepted?: RemoteEntry[];
}

/** Note a delivered file in the batch's dropoff listing. */
export function recordDelivered(listings: BatchListings | undefined, fileName: string, size: number): void {
  if (!listings?.dropoff) return;
  listings.dropoff = [...listings.dropoff.filter((e) => e.name !== fileName), { name: fileName, kind: 'file', size, modified: Date.now() }];
}

/** Look at the file and the registry's folders, and say in plain lines what would happen. */
export async function checkUpload(fs: RemoteFs, target: UploadTarget, localPath: string, listings?: BatchListings): Promise<UploadCheck> {
  const fileName = basename(localPath);
  const lines: UploadCheckLine[] = [];
  const result = (size: number, sha256: string | null, messageCount: number): UploadCheck => ({
    localPath,
    fileName,
    size,
    sha256,
    messageCount,
    lines,
    canUpload: !lines.some((l) => l.severity === 'error'),
    warningIds: lines.filter((l) => l.severity === 'warning').map((l) => l.id),
  });

  const dropoff = target.folders.find((f) => f.role === 'dropoff');
  if (!dropoff || !dropoff.rights.includes('write')) {
    lines.push({ id: 'folder', severity: 'error', message: 'This registry account has no folder it may upload to.' });
    return result(0, null, 0);
  }

  let size: number;
  try {
    const s = await stat(localPath);
    if (!s.isFile()) {
      lines.push({ id: 'file', severity: 'error', message: `${fileName} is a folder, not a file. Choose the HL7 file itself.` });
      return result(0, null, 0);
    }
    size = s.size;
  } catch {
    lines.push({ id: 'file', severity: 'error', message: `${fileName} could not be found or opened on this computer.` });
    return result(0, null, 0);
  }
  if (size === 0) {
    lines.push({ id: 'file', severity: 'error', message: `${fileName} is empty. There is nothing to send.` });
    return result(0, null, 0);
  }
  if (!isSafeRemoteName(fileName)) {
    lines.push({ id: 'name', severity: 'error', message: `The name ${JSON.stringify(fileName)} cannot be used on the registry's server. Rename the file (letters, digits, - _ . only is safest).` });
  }

  let sha256: string | null = null;
  let messageCount = 0;
  try {
    const inspection = await inspectHl7File(localPath, {
      fileName,
      importCode: target.profile.username.isImportCode ? target.username : undefined,
      importCodeInName: target.profile.files.importCodeInName,
      extension: target.profile.files.extension,
      registryName: target.profile.name,
    });
    sha256 = inspection.sha256;
    messageCount = inspection.messageCount;
    if (inspection.size !== size) size = inspection.size;
    inspection.findings.forEach((f, i) => lines.push({ id: `hl7-${f.code}-${i}`, severity: f.severity, message: f.message }));
    if (inspection.findings.length === 0) {
      lines.push({ id: 'hl7', severity: 'ok', message: `A valid HL7 batch: ${messageCount.toLocaleString('en-US')} message${messageCount === 1 ? '' : 's'}.` });
    }
  } catch {
    lines.push({ id: 'file', severity: 'error', message: `${fileName} could not be read on this computer. Check that it is not open in another program.` });
    return result(size, null, 0);
  }

  const listing = listings?.dropoff ?? (await fs.list(dropoff.path));
  if (listings) listings.dropoff = listing;
  const waiting = listing.filter((e) => e.kind === 'file' && !isTemporaryName(e.name));
  const quota = target.profile.quotaFiles;
  const existing = waiting.find((e) => e.name === fileName);
  if (quota !== null && !existing && waiting.length + 1 > quota) {
    lines.push({
      id: 'quota',
      severity: 'error',
      message: `${dropoff.name} already holds ${waiting.length} files, and the registry allows ${quota}. Wait until the registry has processed some, or delete files you sent by mistake.`,
    });
  } else if (quota !== null) {
    lines.push({ id: 'quota', severity: 'ok', message: `Room in ${dropoff.name}: ${waiting.length + (existing ? 0 : 1)} of ${quota} files after this one.` });
  }
  if (existing) {
    lines.push({
      id: 'replace',
      severity: 'warning',
      message: `A file named ${fileName} is already waiting in ${dropoff.name}${when(existing.modified)}. Sending replaces it.`,
    });
  }

  const accepted = target.folders.find((f) => f.role === 'accepted');
  if (accepted) {
    const acceptedListing = listings?.accepted ?? (await fs.list(accepted.path).catch((): RemoteEntry[] => []));
    if (listings) listings.accepted = acceptedListing;
    const earlier = acceptedListing.find((e) => e.name.toLowerCase() === fileName.toLowerCase());
    if (earlier) {
      lines.push({
        id: 'duplicate',
        severity: 'warning',
        message: `The registry already accepted a file named ${earlier.name}${when(earlier.modified)}. Sending it again may report the same immunizations twice.`,
      });
    }
  }
  return result(size, sha256, messageCount);
}

/** Temporary upload names: hidden, and without the .HL7 ending the registry picks files up by. */
export const TEMPORARY_SUFFIX = '.rt-partial';
export const isTemporaryName = (name: string) => name.startsWith('.') && name.endsWith(TEMPORARY_SUFFIX);
const temporaryName = () => `.upload-${randomBytes(6).toString('hex')}${TEMPORARY_SUFFIX}`;

export interface UploadOutcome {
  remotePath: string;
}

/** Thrown when an upload stopped; `leftover` is a temporary file still to remove, if any. */
export class UploadStopped extends RemoteError {
  constructor(
    cause: RemoteError,
    readonly leftover: string | null,
  ) {
    super(cause.code, cause.message, cause.detail);
  }
}

/** A dropped or silent connection says nothing about the file; the user needs to hear it was not delivered. */
function notDelivered(error: RemoteError, fileName: string): RemoteError {
  if (error.code !== 'timeout' && error.code !== 'unreachable') return error;
  return new RemoteError(error.code, `${fileName} was not delivered. ${error.message}`, error.detail);
}

export async function sendFile(fs: RemoteFs, target: UploadTarget, check: UploadCheck, options: TransferOptions & { onVerifying?: () => void } = {}): Promise<UploadOutcome> {
  const dropoff = target.folders.find((f) => f.role === 'dropoff');
  if (!dropoff) throw new RemoteError('permission-denied', 'This registry account has no folder it may upload to.');
  const before = await stat(check.localPath);
  const temp = joinRemote(dropoff.path, temporaryName());
  const final = joinRemote(dropoff.path, check.fileName);
  let leftover: string | null = null;
  try {
    leftover = temp;
    await fs.upload(check.localPath, temp, options);
    options.onVerifying?.();
    const after = await stat(check.localPath);
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
      throw new RemoteError('internal', `${check.fileName} changed on this computer while it was being sent. It was not delivered; send it again.`);
    }
    const arrived = await fs.size(temp);
    if (arrived !== after.size) {
      throw new RemoteError(
        'internal',
        `The registry received ${arrived ?? 0} of ${after.size} bytes of ${check.fileName}. It was not delivered; send it again.`,
      );
    }
    if (check.warningIds.some((id) => id === 'replace')) {
      // SFTP's rename does not replace a file; remove the old one only now that the new one is whole.
      if ((await fs.size(final)) !== null) await fs.remove(final);
    }
    // The last moment a cancel can still keep the file from the registry.
    if (options.signal?.aborted) throw cancelled();
    await fs.rename(temp, final);
    leftover = null;
    return { remotePath: final };
  } catch (error) {
    const cause =
      error instanceof RemoteError
        ? notDelivered(error, check.fileName)
        : new RemoteError('internal', `Sending ${check.fileName} failed. It was not delivered.`);
    if (leftover && fs.usable) {
      await fs.remove(leftover).then(
        () => (leftover = null),
        () => undefined,
      );
    }
    throw new UploadStopped(cause, leftover);
  }
}
