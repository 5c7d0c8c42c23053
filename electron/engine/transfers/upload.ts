// The upload pipeline. Every check runs before a byte is sent; then, where the dropoff lets files be
// renamed, the file goes to a temporary name, its size on the server is compared with the local
// file, and only then is it renamed to its final name, so the registry never picks up half a file.
// A write-only dropoff gets the file under its final name, with the same size check after. A
// cancel or a failure removes what it left where the server lets us, and otherwise says what is
// there; the local file is only ever read.
import { randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { RemoteEntry, RoleFolder, UploadCheck, UploadCheckId, UploadCheckLine } from '../../../shared/contract';
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

/** Files up to this size are read once: the bytes checked and hashed are the very bytes sent. */
const READ_ONCE_BYTES = 1024 * 1024;

/** Look at the file and the registry's folders, and say in plain lines what would happen. */
export async function checkUpload(fs: RemoteFs, target: UploadTarget, localPath: string, batch?: UploadBatch): Promise<UploadCheck> {
  return (await examineUpload(fs, target, localPath, batch)).check;
}

/** The size and time of change of a local file when it was checked. */
export interface CheckedFile {
  size: number;
  mtimeMs: number;
}

/** What the checks found on this computer: the file, its name, its HL7 batch. */
interface LocalFindings {
  lines: UploadCheckLine[];
  size: number;
  sha256: string | null;
  messageCount: number;
  contents: Buffer | null;
  checked: CheckedFile | null;
  /** An error that leaves nothing for the registry's folders to add. */
  final: boolean;
}

/** What a path that is neither a file nor a folder is, in words a clinic's IT would use. */
function specialFileKind(s: Stats): string {
  if (s.isFIFO()) return 'a named pipe';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  return 'a special file';
}

/** The checks that need only this computer: they may run ahead of the file's turn. */
async function examineLocal(target: UploadTarget, localPath: string): Promise<LocalFindings> {
  const fileName = basename(localPath);
  const found: LocalFindings = { lines: [], size: 0, sha256: null, messageCount: 0, contents: null, checked: null, final: false };
  const stop = (message: string, id: UploadCheckId = 'file') => {
    found.lines.push({ id, severity: 'error', message });
    found.final = true;
    return found;
  };
  const dropoff = target.folders.find((f) => f.role === 'dropoff');
  if (!dropoff || !dropoff.rights.includes('write')) return stop('This registry account has no folder it may upload to.', 'folder');

  try {
    const s = await stat(localPath);
    if (s.isDirectory()) return stop(`${fileName} is a folder, not a file. Choose the HL7 file itself.`);
    // A named pipe, socket or device: stat does not open it, and reading one could wait for ever.
    if (!s.isFile()) return stop(`${fileName} is not a regular file (it is ${specialFileKind(s)}), so it cannot be sent. Choose the HL7 file itself.`);
    found.size = s.size;
    found.checked = { size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return stop(`${fileName} could not be found or opened on this computer.`);
  }
  if (found.size === 0) return stop(`${fileName} is empty. There is nothing to send.`);
  if (!isSafeRemoteName(fileName)) {
    found.lines.push({ id: 'name', severity: 'error', message: `The name ${JSON.stringify(fileName)} cannot be used on the registry's server. Rename the file (letters, digits, - _ . only is safest).` });
  }

  try {
    const inspection = await inspectHl7File(localPath, {
      fileName,
      importCode: target.profile.username.isImportCode ? target.username : undefined,
      importCodeInName: target.profile.files.importCodeInName,
      extension: target.profile.files.extension,
      registryName: target.profile.name,
    }, { expectedSize: found.size, keepUpTo: READ_ONCE_BYTES });
    found.sha256 = inspection.sha256;
    found.contents = inspection.contents ?? null;
    found.messageCount = inspection.messageCount;
    found.size = inspection.size;
    inspection.findings.forEach((f, i) => found.lines.push({ id: `hl7-${f.code}-${i}`, severity: f.severity, message: f.message }));
    if (inspection.findings.length === 0) {
      const count = inspection.messageCount;
      found.lines.push({ id: 'hl7', severity: 'ok', message: `A valid HL7 batch: ${count.toLocaleString('en-US')} message${count === 1 ? '' : 's'}.` });
    }
  } catch {
    found.sha256 = null;
    found.messageCount = 0;
    return stop(`${fileName} could not be read on this computer. Check that it is not open in another program.`);
  }
  return found;
}

/**
 * The check, a small file's bytes as they were checked (null for a larger file, or none), and the
 * file's size and time of change as the check found them.
 */
async function examineUpload(
  fs: RemoteFs,
  target: UploadTarget,
  localPath: string,
  batch?: UploadBatch,
  local?: LocalFindings,
): Promise<{ check: UploadCheck; contents: Buffer | null; checked: CheckedFile | null }> {
  const fileName = basename(localPath);
  const found = local ?? (await examineLocal(target, localPath));
  const lines = [...found.lines];
  const result = () => ({
    check: {
      localPath,
      fileName,
      size: found.size,
      sha256: found.sha256,
      messageCount: found.messageCount,
      lines,
      canUpload: !lines.some((l) => l.severity === 'error'),
      warningIds: lines.filter((l) => l.severity === 'warning').map((l) => l.id),
    },
    contents: found.contents,
    checked: found.checked,
  });
  const dropoff = target.folders.find((f) => f.role === 'dropoff');
  if (found.final || !dropoff) return result();

  const listing = batch ? await batch.dropoffListing(fs, dropoff.path) : await fs.list(dropoff.path);
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
    const acceptedListing = batch ? await batch.acceptedListing(fs, accepted.path) : await fs.list(accepted.path).catch((): RemoteEntry[] => []);
    const earlier = acceptedListing.find((e) => e.name.toLowerCase() === fileName.toLowerCase());
    if (earlier) {
      lines.push({
        id: 'duplicate',
        severity: 'warning',
        message: `The registry already accepted a file named ${earlier.name}${when(earlier.modified)}. Sending it again may report the same immunizations twice.`,
      });
    }
  }
  return result();
}

/**
 * Temporary upload names: hidden (a leading dot), and without the .HL7 ending the registry picks
 * files up by. A server that refuses names with a leading dot (Pure-FTPd -x) gets the same name
 * without it, which the registry still does not take for a batch. `replaced-` names hold a waiting
 * file moved aside while its replacement is renamed in.
 */
export const TEMPORARY_SUFFIX = '.rt-partial';
const UNDOTTED_TEMPORARY = /^(upload|replaced)-[0-9a-f]{12}\.rt-partial$/;
export const isTemporaryName = (name: string) => name.endsWith(TEMPORARY_SUFFIX) && (name.startsWith('.') || UNDOTTED_TEMPORARY.test(name));
// randomUUID draws from a cached pool; randomBytes asks the system for every name.
const temporaryName = (dotted: boolean, kind: 'upload' | 'replaced' = 'upload') =>
  `${dotted ? '.' : ''}${kind}-${randomUUID().replace(/-/g, '').slice(0, 12)}${TEMPORARY_SUFFIX}`;

/** What a server was found to refuse on this connection, so that later files do not ask again. */
interface ServerWays {
  dotNamesRefused: boolean;
  renameRefused: boolean;
}
const learned = new WeakMap<RemoteFs, ServerWays>();
const waysOf = (fs: RemoteFs): ServerWays => {
  let ways = learned.get(fs);
  if (!ways) learned.set(fs, (ways = { dotNamesRefused: false, renameRefused: false }));
  return ways;
};

export interface UploadOutcome {
  remotePath: string;
  /** Something the user must hear about the server beside the delivery (an old copy left for now). */
  note?: string;
}

/**
 * Thrown when an upload stopped; `leftover` is a temporary file still to remove, if any, and
 * `remains` what is on the server that no later step will change, in words for the user (a cancel's
 * message must keep it).
 */
export class UploadStopped extends RemoteError {
  constructor(
    cause: RemoteError,
    readonly leftover: string | null,
    readonly remains: string | null = null,
    /** Set when the connection ended before the final name could be looked at: look again with `lookAgain`. */
    readonly unsure: StoppedUnderFinalName | null = null,
  ) {
    super(cause.code, cause.message, cause.detail);
  }
}

/** An upload sent straight to its final name that stopped: what is needed to say what is there now. */
export interface StoppedUnderFinalName {
  final: string;
  fileName: string;
  folderName: string;
  support: string;
  /** The size of the file that was waiting under that name when the upload began; null: none. */
  waitingSize: number | null;
  /** Bytes of this file the server took; none means nothing of it reached the server. */
  bytesTaken: number;
  cause: RemoteError;
}

/**
 * Say what is under the final name of an upload that stopped, as it is: nothing, the waiting file as
 * it was, or part of this file, which is removed where the server lets us and otherwise named. It
 * is never written down for a later removal: by then it may be a good copy sent again. When `fs`
 * cannot be asked (the failure ended the connection), the message says what may be there and the
 * result is `unsure`, for the caller to look again over a new connection.
 */
async function judgeFinalName(fs: RemoteFs, stopped: StoppedUnderFinalName): Promise<UploadStopped> {
  const { final, fileName, folderName, support, waitingSize, bytesTaken, cause } = stopped;
  const said = (note: string, remains: string | null, unsure: StoppedUnderFinalName | null = null) =>
    new UploadStopped(new RemoteError(cause.code, `${remains ? withoutNothingChanged(cause.message) : cause.message} ${note}`, cause.detail), null, remains, unsure);
  const there = fs.usable ? await fs.size(final).catch(() => undefined) : undefined;
  // Not a byte of this file reached the server (it refused the file, or the connection failed
  // first): a file there now is the waiting one as it was, since one opened to be written over
  // would have been emptied.
  if (bytesTaken === 0 && there === null) {
    return waitingSize === null ? new UploadStopped(cause, null) : said(`The file that was waiting in ${folderName} under that name is no longer there (the registry may have taken it).`, null);
  }
  if (bytesTaken === 0 && waitingSize !== null && waitingSize > 0 && there === waitingSize) {
    return said(`The file already waiting in ${folderName} under that name was left as it was.`, null);
  }
  const removed = there === null || (there !== undefined && fs.usable && (await fs.remove(final).then(() => true, (e: unknown) => e instanceof RemoteError && e.code === 'not-found')));
  if (removed) {
    if (waitingSize === null) return new UploadStopped(cause, null);
    // Sending over it had already replaced the waiting file, and the part sent is gone too.
    const gone = `The file that was waiting in ${folderName} under that name had been overwritten by the part sent, and that part is gone too: no file named ${fileName} is there now. Send it again.`;
    return said(gone, gone);
  }
  const remains = `This registry's ${folderName} folder takes files under their own names, so part of ${fileName} may be there now${waitingSize === null ? '' : ', in place of the file that was waiting under that name'}, and the registry may process it: tell the registry's support team (${support}) before sending it again.`;
  return said(remains, remains, there === undefined ? stopped : null);
}

/**
 * An upload that stopped before its final name could be looked at (the failure ended the
 * connection): look over `fs`, a new connection, and say what is there. Anything else is returned
 * as it is.
 */
export async function lookAgain(fs: RemoteFs, error: unknown): Promise<unknown> {
  if (!(error instanceof UploadStopped) || !error.unsure) return error;
  return judgeFinalName(fs, error.unsure);
}

/** A dropped or silent connection says nothing about the file; the user needs to hear it was not delivered. */
function notDelivered(error: RemoteError, fileName: string): RemoteError {
  if (error.code !== 'timeout' && error.code !== 'unreachable') return error;
  return new RemoteError(error.code, `${fileName} was not delivered. ${error.message}`, error.detail);
}

/**
 * A dropped connection's words end "Nothing was changed; try again.", true of the server's folders
 * in general but not where a copy, or part of one, stays behind: the caller says what stays instead.
 */
export const withoutNothingChanged = (message: string): string => message.replace(/ ?Nothing was changed; try again\./, '').trim();

/** A refusal of the server's own (not a drop, not a full quota, which is 'quota-full'): another name or way may be allowed. */
const refused = (error: unknown): error is RemoteError => error instanceof RemoteError && error.code === 'permission-denied';

const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** Why a step failed, for the user: the server's own answer to a refusal, or what happened to the connection. */
const why = (error: unknown): string => {
  if (!(error instanceof RemoteError)) return 'the server gave no reason';
  if ((error.code === 'permission-denied' || error.code === 'quota-full' || error.code === 'not-found') && error.detail) return `it answered ${serverWords(error)}`;
  return error.message.replace(/\.$/, '');
};

/** "the hidden name .upload-….rt-partial", or without the dot, "the temporary name upload-…". */
export const theTemporaryName = (path: string) => {
  const name = nameOf(path);
  return `${name.startsWith('.') ? 'the hidden name' : 'the temporary name'} ${name}`;
};

/** A server's own reply, quoted for the user: control characters out, and not at any length. */
const serverWords = (error: RemoteError): string => {
  // An FTP reply's detail is "553: 553 Prohibited file name: …": its code once is enough.
  const words = (error.detail ?? error.message)
    .replace(/^(\d{3}): (?=\1 )/, '')
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .trim();
  return `“${words.length > 160 ? `${words.slice(0, 159)}…` : words}”`;
};

export interface SendOptions extends TransferOptions {
  onVerifying?: () => void;
  /** The file's bytes as they were checked: sent as they are, without reading the file again. */
  contents?: Buffer | null;
  /** The file as its check found it: a file changed since is not sent, its checksum would be wrong. */
  checked?: CheckedFile | null;
  /** A hidden copy the upload could not remove after it delivered the file (to be removed later). */
  onLeftover?: (path: string) => void;
}

/**
 * Send one checked file. The way is chosen from the dropoff's rights and what the server was seen
 * to allow: to a temporary name, then renamed, where renaming is allowed (so the registry never
 * picks up half a file); straight to the final name where it is not (a write-only dropoff, where a
 * file under a temporary name could never be renamed or removed), with the size checked after.
 */
export async function sendFile(fs: RemoteFs, target: UploadTarget, check: UploadCheck, options: SendOptions = {}): Promise<UploadOutcome> {
  const dropoff = target.folders.find((f) => f.role === 'dropoff');
  if (!dropoff) throw new RemoteError('permission-denied', 'This registry account has no folder it may upload to.');
  const contents = options.contents ?? null;
  // A file read again while it is sent must not change meanwhile; bytes in memory cannot.
  const before = contents ? null : await stat(check.localPath);
  const final = joinRemote(dropoff.path, check.fileName);
  const ways = waysOf(fs);
  const direct = !dropoff.rights.includes('rename') || ways.renameRefused;
  const support = target.profile.support.team;
  let leftover: string | null = null;
  /** Set when a copy is on the server that the user must hear about (and that is not removed). */
  let truth: RemoteError | null = null;
  /** What a delivered file's message must add about the server (an old copy not yet removed). */
  let note: string | undefined;

  /** Bytes the server has taken of the current try: none means it refused the file before storing any. */
  let bytesTaken = 0;
  const counted: TransferOptions = {
    ...options,
    onProgress: (bytes) => {
      bytesTaken = bytes;
      options.onProgress?.(bytes);
    },
  };

  /** Send to `path`; resolves with the size the server then has, once the local file is known unchanged. */
  const sendTo = async (path: string): Promise<void> => {
    bytesTaken = 0;
    // The adapter asks the server for the size as part of the upload (over SFTP in the same round
    // trip as the close).
    const arrived = await fs.upload(contents ?? check.localPath, path, counted);
    options.onVerifying?.();
    let size = contents?.length ?? 0;
    if (before) {
      const after = await stat(check.localPath);
      if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
        throw new RemoteError('internal', `${check.fileName} changed on this computer while it was being sent. It was not delivered; send it again.`);
      }
      size = after.size;
    }
    if (arrived !== size) {
      throw new RemoteError('internal', `The registry received ${arrived ?? 0} of ${size} bytes of ${check.fileName}. It was not delivered; send it again.`);
    }
  };

  /** Send to a temporary name: with a leading dot, or without one where the server refuses it. */
  const sendToTemporary = async (): Promise<string> => {
    const firstName = temporaryName(!ways.dotNamesRefused);
    leftover = joinRemote(dropoff.path, firstName);
    try {
      await sendTo(leftover);
      return leftover;
    } catch (error) {
      if (ways.dotNamesRefused || !refused(error)) throw error;
      // Refused before a byte was stored (Pure-FTPd -x: "553 Prohibited file name"): the same name
      // without its dot. Whatever the first try left is removed by the caller's tidy-up only if
      // this one fails too, so remove it now where the server lets us.
      await fs.remove(leftover).catch(() => undefined);
      const secondName = temporaryName(false);
      leftover = joinRemote(dropoff.path, secondName);
      try {
        await sendTo(leftover);
      } catch (second) {
        if (refused(second)) {
          throw new RemoteError(
            'permission-denied',
            `${second.message} ${check.fileName} was not delivered: the registry's server refused it under the temporary name ${firstName} (it answered ${serverWords(error)}), and again under ${secondName}, without the leading dot some servers refuse (it answered ${serverWords(second)}). The app sends every file under a temporary name first so that the registry never takes half a file. The registry's support team (${support}) can say what this account may do in ${dropoff.name}.`,
            `${firstName}: ${error.detail ?? error.message}; ${secondName}: ${second.detail ?? second.message}`,
          );
        }
        throw second;
      }
      ways.dotNamesRefused = true;
      return leftover;
    }
  };

  /**
   * Put the complete file at `temp` in the place of the file waiting under the final name, so that
   * at every moment one of the two is there under that name or the user is told where each is.
   */
  const replaceWaiting = async (temp: string): Promise<void> => {
    if (fs.renameReplacing) {
      await fs.renameReplacing(temp, final);
      return;
    }
    const aside = joinRemote(dropoff.path, temporaryName(!ways.dotNamesRefused, 'replaced'));
    const codeOf = (error: unknown) => (error instanceof RemoteError ? error.code : 'internal');
    try {
      await fs.rename(final, aside);
    } catch (error) {
      // Gone meanwhile (the registry took it): nothing to replace.
      if (error instanceof RemoteError && error.code === 'not-found') return fs.rename(temp, final);
      throw new RemoteError(
        codeOf(error),
        `${check.fileName} was not delivered: the file with that name already waiting in ${dropoff.name} could not be moved aside to be replaced (${why(error)}). The waiting file is unchanged.`,
        error instanceof RemoteError ? error.detail : undefined,
      );
    }
    try {
      await fs.rename(temp, final);
    } catch (error) {
      const refusal = `the new copy could not be renamed from ${nameOf(temp)} to ${check.fileName} (${why(error)})`;
      try {
        await fs.rename(aside, final);
      } catch (putBack) {
        // Neither is under the final name now: say exactly where each one is, and remove neither.
        leftover = null;
        truth = new RemoteError(
          codeOf(error),
          `${check.fileName} was not delivered: ${refusal}, and the file that was waiting could not be put back (${why(putBack)}). Both are in ${dropoff.name}: the file that was waiting under ${theTemporaryName(aside)}, the new copy under ${theTemporaryName(temp)}; none is under the name ${check.fileName} now, and the registry does not process either. Ask ${support} before sending again.`,
          error instanceof RemoteError ? error.detail : undefined,
        );
        throw truth;
      }
      throw new RemoteError(
        codeOf(error),
        `${check.fileName} was not delivered: ${refusal}. The file that was already waiting in ${dropoff.name} is back under its name, unchanged.`,
        error instanceof RemoteError ? error.detail : undefined,
      );
    }
    await fs.remove(aside).catch(() => {
      options.onLeftover?.(aside);
      note = `The file it replaced is still in ${dropoff.name} under ${theTemporaryName(aside)}; the registry does not process it, and the app removes it the next time it connects to this account.`;
    });
  };

  /** The size of the file waiting under the final name when it was sent over straight; null: none. */
  let waitingSize: number | null = null;

  try {
    if (options.signal?.aborted) throw cancelled();
    const checked = options.checked;
    if (before && checked && (before.size !== checked.size || before.mtimeMs !== checked.mtimeMs)) {
      throw new RemoteError('internal', `${check.fileName} changed on this computer after it was checked. It was not sent; send it again to have it checked anew.`);
    }
    if (direct) {
      // A half-sent file under its final name may be taken by the registry: the user hears of it.
      // Where a file of that name is waiting, its size tells later whether the server overwrote it.
      waitingSize = check.warningIds.includes('replace') ? await fs.size(final) : null;
      leftover = final;
      await sendTo(final);
      leftover = null;
      return { remotePath: final };
    }
    const temp = await sendToTemporary();
    // The last moment a cancel can still keep the file from the registry.
    if (options.signal?.aborted) throw cancelled();
    try {
      if (check.warningIds.includes('replace') && (await fs.size(final)) !== null) await replaceWaiting(temp);
      else await fs.rename(temp, final);
    } catch (error) {
      if (truth || !refused(error) || (check.warningIds.includes('replace') && !fs.renameReplacing)) throw error;
      // The server does not let this account rename in the dropoff, whatever the profile says: the
      // complete file is under a hidden name the registry may still process. Take it away, then
      // send straight to the final name, as to a write-only dropoff.
      try {
        await fs.remove(temp);
      } catch {
        leftover = null;
        // The next file of the batch goes straight to its name rather than leave another copy.
        ways.renameRefused = true;
        truth = new RemoteError(
          'permission-denied',
          `${check.fileName} was sent whole, but the registry's server allowed neither renaming it from its temporary name ${nameOf(temp)} in ${dropoff.name} nor removing it (${error.message}). The registry may still process that copy: do not send ${check.fileName} again before asking ${support}.`,
          error.detail,
        );
        throw truth;
      }
      ways.renameRefused = true;
      waitingSize = check.warningIds.includes('replace') ? await fs.size(final) : null;
      leftover = final;
      await sendTo(final);
      leftover = null;
    }
    leftover = null;
    return note ? { remotePath: final, note } : { remotePath: final };
  } catch (error) {
    if (truth) throw new UploadStopped(truth, null, (truth as RemoteError).message);
    const cause =
      error instanceof RemoteError
        ? notDelivered(error, check.fileName)
        : new RemoteError('internal', `Sending ${check.fileName} failed. It was not delivered.`);
    if (leftover === final) {
      throw await judgeFinalName(fs, { final, fileName: check.fileName, folderName: dropoff.name, support, waitingSize, bytesTaken, cause });
    }
    if (leftover && fs.usable) {
      const path = leftover;
      await fs.remove(path).then(
        () => (leftover = null),
        () => undefined,
      );
    }
    throw new UploadStopped(cause, leftover);
  }
}

/** A file admitted to a batch: its place in the dropoff is held until it lands or fails. */
interface InFlight {
  size: number;
  /** A small file's bytes as they were checked, until they are sent. */
  contents: Buffer | null;
  /** A larger file's size and time of change as they were checked. */
  checked: CheckedFile | null;
  /** Resolves when the file has landed or failed. */
  settled: Promise<void>;
  settle: () => void;
}

/** A file's place among a batch's checks, taken when the queue hands the file to a worker. */
export interface PlaceInLine {
  /** Resolves when every file ahead has been checked. */
  readonly ahead: Promise<void>;
  /** Let the files behind go on; called by `admit`, and by whoever gives up the place without it. */
  leave(): void;
}

/** What `UploadBatch.admit` found, and whether the file may now be sent. */
export interface Admission {
  check: UploadCheck;
  admitted: boolean;
}

/**
 * The uploads of one batch: one run of the app's queue until it drains, or one CLI run. The dropoff
 * and Accepted folders are listed once for the batch instead of once per file (a full dropoff is
 * 300 entries; per file, that made a 300-file batch quadratic). Files are checked one after another
 * but may then be sent at once over the connection; a file that passed its checks holds its place
 * (for the quota and for its name) from then until it has landed or failed, so files sent at once
 * are judged exactly as if they had been sent one by one. A listing that is a little stale only errs
 * on the safe side: SFTP's rename never replaces a file that appeared meanwhile.
 */
export class UploadBatch {
  private dropoff: RemoteEntry[] | undefined;
  private accepted: RemoteEntry[] | undefined;
  private readonly inFlight = new Map<string, InFlight>();
  /** Resolves when the last place taken has been left. */
  private lastInLine: Promise<void> = Promise.resolve();

  /** The dropoff as this batch knows it: the listing, the files it delivered and those on their way. */
  async dropoffListing(fs: RemoteFs, path: string): Promise<RemoteEntry[]> {
    this.dropoff ??= await fs.list(path);
    const now = Date.now();
    const onTheirWay = [...this.inFlight].map(([name, f]): RemoteEntry => ({ name, kind: 'file', size: f.size, modified: now }));
    return [...this.dropoff.filter((e) => !this.inFlight.has(e.name)), ...onTheirWay];
  }

  async acceptedListing(fs: RemoteFs, path: string): Promise<RemoteEntry[]> {
    this.accepted ??= await fs.list(path).catch((): RemoteEntry[] => []);
    return this.accepted;
  }

  /**
   * Take the next place in line: files are checked one at a time, in the order their places were
   * taken (the queue's order), whichever worker sends them and whenever it gets to them.
   */
  placeInLine(): PlaceInLine {
    const ahead = this.lastInLine;
    let leave = () => undefined as void;
    this.lastInLine = new Promise<void>((resolve) => (leave = resolve));
    return { ahead, leave };
  }

  /**
   * When the files ahead are checked, check this one and, when `mayGo` says so, hold its place in the
   * dropoff until `send` has landed or failed it. A file of the same name still on its way is waited
   * for first: the second is then checked (and asked about) as a replacement, as it would be one
   * after the other. The caller must `send` every admitted file.
   */
  async admit(place: PlaceInLine, fs: RemoteFs, target: UploadTarget, localPath: string, mayGo: (check: UploadCheck) => boolean): Promise<Admission> {
    // What needs only this computer (reading the file, its HL7, its checksum) starts at once; only
    // the look at the registry's folders and the decision wait for the files ahead.
    const local = examineLocal(target, localPath);
    local.catch(() => undefined);
    await place.ahead;
    try {
      await this.inFlight.get(basename(localPath))?.settled;
      const { check, contents, checked } = await examineUpload(fs, target, localPath, this, await local);
      if (!mayGo(check)) return { check, admitted: false };
      let settle = () => undefined as void;
      const settled = new Promise<void>((resolve) => (settle = resolve));
      this.inFlight.set(check.fileName, { size: check.size, contents, checked, settled, settle });
      return { check, admitted: true };
    } finally {
      place.leave();
    }
  }

  /** Send an admitted file (see `sendFile`); the batch then counts it as delivered, or frees its place. */
  async send(fs: RemoteFs, target: UploadTarget, check: UploadCheck, options: Omit<SendOptions, 'contents' | 'checked'> = {}): Promise<UploadOutcome> {
    try {
      const own = this.inFlight.get(check.fileName);
      const outcome = await sendFile(fs, target, check, { ...options, contents: own?.contents ?? null, checked: own?.checked ?? null });
      if (this.dropoff) {
        const landed: RemoteEntry = { name: check.fileName, kind: 'file', size: check.size, modified: Date.now() };
        this.dropoff = [...this.dropoff.filter((e) => e.name !== check.fileName), landed];
      }
      return outcome;
    } catch (error) {
      // A replacement that failed may have removed the old file already: list again to be sure.
      if (check.warningIds.includes('replace')) this.dropoff = undefined;
      throw error;
    } finally {
      const own = this.inFlight.get(check.fileName);
      this.inFlight.delete(check.fileName);
      own?.settle();
    }
  }
}
