// Downloads from the registry's readable folders (accepted files, DQA reports, consent
// notifications): under a name that is safe on Windows, written to a temporary file first, then
// moved to a name no other file has — an existing file is never overwritten.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RoleFolder } from '../../../shared/contract';
import { joinRemote, RemoteError, type RemoteFs, type TransferOptions } from '../remote/remote-fs';
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

export async function fetchFile(fs: RemoteFs, folder: RoleFolder, remoteName: string, toDir: string, options: TransferOptions = {}): Promise<DownloadOutcome> {
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
  const name = safeLocalName(remoteName);
  const temp = join(toDir, `.${randomBytes(6).toString('hex')}.rt-download`);
  try {
    await fs.download(joinRemote(folder.path, remoteName), temp, options);
    const sha256 = await sha256Of(temp);
    const { size } = await stat(temp);
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
