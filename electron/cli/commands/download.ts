// `registry-transfer download FOLDER [NAME...] --to DIR`: fetch the registry's DQA reports, accepted
// files or consent notifications, as the desktop app does: under a name that is safe on Windows,
// through a temporary file, and never over an existing file (the second copy is "name (2).ext").
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ErrorCode, FolderRole, RemoteEntry, RoleFolder } from '../../../shared/contract';
import { resolveRoleFolders } from '../../engine/remote/folders';
import { RemoteError } from '../../engine/remote/remote-fs';
import { fetchFile } from '../../engine/transfers/download';
import { safeLocalName } from '../../engine/transfers/safe-names';
import { isTemporaryName } from '../../engine/transfers/upload';
import type { CommandOptions } from '../args';
import { CliError, toCliError, usageError } from '../errors';
import { EXIT, EXIT_CODE_FOR, fileExitCode, worstExitCode, type ExitCode } from '../exit-codes';
import { HistoryLog } from '../history-log';
import { watchInterrupt } from '../interrupt';
import { formatSize, type CliIo, type Output } from '../output';
import { ProgressLine } from '../progress';
import { checkedUsername, chooseRegistry, connectionFacts, Connector, prepareLogin, RunConnection, type Login } from '../session';
import { selectFolders } from './list';

export interface DownloadFileResult {
  name: string;
  outcome: 'saved' | 'failed';
  message: string;
  exitCode: ExitCode;
  code?: ErrorCode;
  savedTo?: string;
  /** Saved under another name than the server's (the name was taken, or not safe on this computer). */
  renamed?: boolean;
  size: number;
  sha256: string | null;
}

/** The server's file for a NAME the user typed: the exact name, else the only one that differs in case. */
export function findRemoteFile(files: readonly RemoteEntry[], wanted: string): RemoteEntry | null {
  const exact = files.find((f) => f.name === wanted);
  if (exact) return exact;
  const loose = files.filter((f) => f.name.toLowerCase() === wanted.toLowerCase());
  return loose.length === 1 ? (loose[0] as RemoteEntry) : null;
}

/** The files of a folder listing worth downloading: no folders, no upload still under its temporary name. */
export const downloadableFiles = (entries: readonly RemoteEntry[]) =>
  entries.filter((e) => e.kind === 'file' && !isTemporaryName(e.name)).sort((a, b) => a.name.localeCompare(b.name, 'en'));

async function existingFolder(path: string): Promise<string> {
  try {
    if ((await stat(path)).isDirectory()) return path;
  } catch {
    // Reported below in the same words whatever the reason.
  }
  throw usageError(`--to: the folder ${path} does not exist on this computer. Create it first, or choose another.`);
}

export async function downloadCommand(options: CommandOptions, positionals: string[], out: Output, io: CliIo, cwd: string = process.cwd()): Promise<ExitCode> {
  const registry = await chooseRegistry(options, io);
  const [folderArgument, ...nameArguments] = positionals;
  if (folderArgument === undefined) throw usageError('Say which folder to download from. See registry-transfer download --help.');
  const role = selectFolders(registry.profile, folderArgument)[0] as FolderRole;
  const username = checkedUsername(options.user, registry.profile);
  const toDir = await existingFolder(resolve(cwd, options.to ?? '.'));
  const names = [...new Set(nameArguments)];
  const history = new HistoryLog(registry.dataDir, out, { profileId: registry.profile.id, account: username });
  const progress = new ProgressLine(out, io.stdoutIsTTY === true && !out.json);

  let login: Login;
  let connection: RunConnection;
  let folder: RoleFolder;
  let files: RemoteEntry[];
  try {
    login = await prepareLogin(registry, options, io, out);
    const connector = new Connector(registry, login, options.trust);
    connection = new RunConnection(connector, await connector.open());
    try {
      const folders = await resolveRoleFolders(connection.opened.fs, registry.profile, username);
      const found = folders.find((f) => f.role === role);
      if (!found) throw new CliError('not-found', `${registry.profile.name} has no ${folderArgument} folder.`);
      folder = found;
      if (!folder.rights.includes('read')) throw new RemoteError('permission-denied', `The registry does not let this account read files in ${folder.name}.`);
      files = downloadableFiles(await connection.opened.fs.list(folder.path));
    } catch (error) {
      await connection.close();
      throw error;
    }
  } catch (error) {
    const failure = toCliError(error);
    if (EXIT_CODE_FOR[failure.code] !== EXIT.usage) {
      for (const name of names) {
        await history.record({ direction: 'download', localName: '', remoteName: name, folder: role, size: 0, sha256: null, result: 'failed', error: failure.message });
      }
    }
    return out.fail(failure);
  }

  const wanted = names.length > 0 ? names : files.map((f) => f.name);
  if (wanted.length === 0 && !out.json) out.out(`${folder.name} is empty: nothing to download.`);

  const results: DownloadFileResult[] = [];
  const interrupt = watchInterrupt();
  try {
    for (const name of wanted) {
      if (!out.json && results.length > 0) out.out('');
      const r = await downloadOne(connection, folder, files, name, toDir, out, progress, interrupt.signal);
      results.push(r);
      await history.record({
        direction: 'download',
        localName: r.savedTo ?? '',
        remoteName: name,
        folder: folder.role,
        size: r.size,
        sha256: r.sha256,
        result: r.outcome === 'saved' ? 'done' : r.code === 'cancelled' ? 'cancelled' : 'failed',
        ...(r.outcome === 'saved' ? {} : { error: r.message }),
      });
      if (r.outcome === 'failed') out.err(`registry-transfer: ${name}: ${r.message}`);
    }
  } finally {
    interrupt.dispose();
    await connection.close();
  }

  const saved = results.filter((r) => r.outcome === 'saved').length;
  const failed = results.length - saved;
  const exitCode = worstExitCode(results.map((r) => r.exitCode));
  if (out.json) {
    out.document({
      ok: failed === 0,
      exitCode,
      ...connectionFacts(registry, login, connection.opened),
      folder: { role: folder.role, name: folder.name, path: folder.path },
      to: toDir,
      files: results,
      saved,
      failed,
    });
  } else {
    out.out([...(results.length > 0 ? [''] : []), `${saved} saved, ${failed} failed.`]);
  }
  return exitCode;
}

async function downloadOne(
  connection: RunConnection,
  folder: RoleFolder,
  files: readonly RemoteEntry[],
  name: string,
  toDir: string,
  out: Output,
  progress: ProgressLine,
  signal: AbortSignal,
): Promise<DownloadFileResult> {
  const say = (text: string) => {
    if (!out.json) out.out(text);
  };
  say(name);
  const failed = (error: unknown, size = 0): DownloadFileResult => {
    const e = toCliError(error);
    say(`  Not saved: ${e.message}`);
    return { name, outcome: 'failed', message: `Not saved: ${e.message}`, exitCode: fileExitCode(e.code), code: e.code, size, sha256: null };
  };
  if (signal.aborted) return failed(new RemoteError('cancelled', 'the run was stopped before this file.'));
  const entry = findRemoteFile(files, name);
  if (!entry) return failed(new RemoteError('not-found', `there is no file named ${JSON.stringify(name)} in ${folder.name}.`));

  progress.start('downloading', entry.size);
  try {
    const saved = await fetchFile(await connection.fs(), folder, entry.name, toDir, { signal, onProgress: progress.update });
    progress.clear();
    const why = safeLocalName(entry.name) !== entry.name ? `the server's name ${JSON.stringify(entry.name)} is not safe on this computer` : `a file named ${entry.name} was already there`;
    const message = `Saved to ${saved.localPath} (${formatSize(saved.size)})${saved.renamed ? `: ${why}` : ''}.`;
    say(`  ${message}`);
    return { name: entry.name, outcome: 'saved', message, exitCode: EXIT.done, savedTo: saved.localPath, renamed: saved.renamed, size: saved.size, sha256: saved.sha256 };
  } catch (error) {
    progress.clear();
    if (error instanceof RemoteError && error.code === 'cancelled') {
      return failed(new RemoteError('cancelled', 'the run was stopped while it was being downloaded. No partial file was kept.'), entry.size);
    }
    return failed(error, entry.size);
  }
}
