// Downloads from the registry's readable folders (accepted files, DQA reports, consent
// notifications): under a name that is safe on Windows, written to a temporary file first, then
// moved to a name no other file has — an existing file is never overwritten. A download is held to
// the size the server stated for the file: one that runs past it (a server that never stops
// sending) or ends short of it is stopped or refused, and nothing is left in the folder.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, stat, statfs, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RoleFolder } from '../../../shared/contract';
import { joinRemote, overran, RemoteError, type RemoteFs, type TransferOptions } from '../remote/remote-fs';
import { safeLocalName, uniqueLocalPath } from './safe-names';

export interface DownloadOutcome {
  localPath: string;
  /** The name it was saved under, when that is not the server's name. */
  renamed: boolean;
  size: number;
  sha256: string;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface FetchOptions extends Omit<TransferOptions, 'maxBytes'> {
  /**
   * The size the server stated for the file (its listing, or a stat just before). Asked for with
   * `statedSizeOf` when not given.
   */
  statedSize?: number;
}

/** A download that ended before the size the server stated (a cut connection, a file cut short). */
export const endedShort = (name: string, arrived: number, stated: number) =>
  new RemoteError(
    'incomplete',
    `The download of ${name} ended early: only ${arrived.toLocaleString('en-US')} of ${stated.toLocaleString('en-US')} bytes arrived; nothing was saved. Try again; if it keeps happening, tell the registry's support team.`,
  );

/** A file the server states is larger than the room left on the disk it would be saved on. */
export const noRoomFor = (name: string, stated: number, free: number, toDir: string) =>
  new RemoteError(
    'internal',
    `The registry server says ${name} is ${stated.toLocaleString('en-US')} bytes, more than the ${free.toLocaleString('en-US')} bytes free on this computer's disk for ${toDir}, so it was not downloaded and nothing was saved. Free up space or choose a folder on another disk; if that size looks wrong for this file, tell the registry's support team.`,
  );

/** Bytes this user may still write on the disk of `dir`; null where the system will not say. */
async function freeBytesIn(dir: string): Promise<number | null> {
  try {
    const disk = await statfs(dir);
    return disk.bavail * disk.bsize;
  } catch {
    return null;
  }
}

const notThere = (folder: RoleFolder, remoteName: string) =>
  new RemoteError('not-found', `${remoteName} is not in ${folder.name} (any more). Refresh the list.`);

/**
 * The size the server states for a file in `folder`, asked right before it is downloaded: its stat
 * (SFTP) or SIZE (FTP), or, from a server that will not answer those (an FTP server without SIZE,
 * one that refuses it), its line in the folder's listing. A server that says there is no such file
 * is believed; a dropped connection or a name that cannot be sent is reported as it is.
 */
export async function statedSizeOf(fs: RemoteFs, folder: RoleFolder, remoteName: string): Promise<number> {
  let size: number | null;
  try {
    size = await fs.size(joinRemote(folder.path, remoteName));
  } catch (error) {
    if (!(error instanceof RemoteError) || !['internal', 'permission-denied'].includes(error.code)) throw error;
    const entry = (await fs.list(folder.path)).find((e) => e.name === remoteName && e.kind === 'file');
    size = entry?.size ?? null;
  }
  if (size === null || !Number.isSafeInteger(size) || size < 0) throw notThere(folder, remoteName);
  return size;
}

export async function fetchFile(fs: RemoteFs, folder: RoleFolder, remoteName: string, toDir: string, options: FetchOptions = {}): Promise<DownloadOutcome> {
  if (!folder.rights.includes('read')) {
    throw new RemoteError('permission-denied', `The registry does not let this account read files in ${folder.name}.`);
  }
  if (remoteName === '' || remoteName === '.' || remoteName === '..' || remoteName.includes('/')) {
    throw new RemoteError('invalid-input', `${JSON.stringify(remoteName)} is not a file in ${folder.name}.`);
  }
  try {
    if (!(await stat(toDir)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new RemoteError('not-found', `The folder ${toDir} does not exist on this computer. Choose another.`);
  }
  const { statedSize: given, ...transfer } = options;
  const statedSize = given ?? (await statedSizeOf(fs, folder, remoteName));
  // The stated size is the server's word: one that states more than the disk holds and then sends
  // for ever would fill the disk (and every program on it) before the limit stopped it. Such a file
  // could not be saved anyway, so it is refused before a byte is asked for.
  const free = await freeBytesIn(toDir);
  if (free !== null && statedSize > free) throw noRoomFor(remoteName, statedSize, free, toDir);
  const name = safeLocalName(remoteName);
  const temp = join(toDir, `.${randomBytes(6).toString('hex')}.rt-download`);
  try {
    // Not one byte past the stated size: the registry writes its reply files once and never
    // appends to them, so a file that grows while it is read is not one of theirs to expect, and
    // a server that keeps sending must be stopped before it fills the disk. The adapter stops
    // reading as soon as more has come.
    await fs.download(joinRemote(folder.path, remoteName), temp, { ...transfer, maxBytes: statedSize });
    const { size } = await stat(temp);
    // Checked here too, whatever the adapter did: a file is saved only when exactly the stated
    // size arrived.
    if (size > statedSize) throw overran(remoteName, statedSize);
    if (size < statedSize) throw endedShort(remoteName, size, statedSize);
    const sha256 = await sha256Of(temp);
    // link() never replaces an existing file: if another program took the name in the meantime,
    // try the next free one.
    for (let attempt = 0; ; attempt += 1) {
      const target = await uniqueLocalPath(toDir, name);
      try {
        await link(temp, target);
        return { localPath: target, renamed: target !== join(toDir, remoteName), size, sha256 };
      } catch (error) {
        if ((error as { code?: string }).code !== 'EEXIST' || attempt > 5) throw error;
      }
    }
  } catch (error) {
    if (error instanceof RemoteError) throw error;
    throw new RemoteError('internal', `${remoteName} could not be saved in ${toDir}. Check that the folder is writable and the disk has room.`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
