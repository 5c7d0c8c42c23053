// `registry-transfer download FOLDER [NAME...] --to DIR`: fetch the registry's DQA reports, accepted
// files or consent notifications, as the desktop app does: under a name that is safe on Windows,
// through a temporary file, and never over an existing file (the second copy is "name (2).ext").
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ErrorCode, FolderRole, RemoteEntry, RoleFolder } from '../../../shared/contract';
import { RemoteError } from '../../engine/remote/remote-fs';
import type { TransferResult } from '../../engine/transfers/transfer-queue';
import { safeLocalName } from '../../engine/transfers/safe-names';
import { isTemporaryName } from '../../engine/transfers/upload';
import type { CommandOptions } from '../args';
import { CliError, toCliError, usageError } from '../errors';
import { EXIT, EXIT_CODE_FOR, fileExitCode, worstExitCode, type ExitCode } from '../exit-codes';
import { HistoryLog } from '../history-log';
import { watchInterrupt } from '../interrupt';
import { formatSize, type CliIo, type Output } from '../output';
import { followTransfers, ProgressLine, SendingProgress } from '../progress';
import { checkedUsername, chooseRegistry, connectionFacts, signInForRun, type SignedInRun } from '../session';
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

  let run: SignedInRun;
  let folder: RoleFolder;
  let files: RemoteEntry[];
  try {
    run = await signInForRun(registry, options, io, out);
    try {
      const found = run.session.info.folders.find((f) => f.role === role);
      if (!found) throw new CliError('not-found', `${registry.profile.name} has no ${folderArgument} folder.`);
      folder = found;
      if (!folder.rights.includes('read')) throw new RemoteError('permission-denied', `The registry does not let this account read files in ${folder.name}.`);
      const listed = folder;
      files = downloadableFiles(await run.session.exclusive((fs) => fs.list(listed.path)));
    } catch (error) {
      await run.engine.disconnect();
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

  // The engine's transfer queue fetches them (as many at once as the connection carries) and writes
  // each to the history; each file's report is printed in the order asked.
  const { engine, session } = run;
  const target = engine.transferTarget(session);
  const following = followTransfers(run, new SendingProgress(progress, 'downloading'));
  const interrupt = watchInterrupt();
  interrupt.signal.addEventListener('abort', () => engine.transfers.cancelAll());
  const results: DownloadFileResult[] = [];
  try {
    const queued = wanted.map((name, index) => {
      const entry = findRemoteFile(files, name);
      if (!entry) return { name, entry: null, id: null };
      const { id } = engine.transfers.enqueueDownload(target, folder, entry.name, toDir);
      following.track(id, index);
      return { name, entry, id };
    });
    for (const { name, entry, id } of queued) {
      if (!out.json && results.length > 0) out.out('');
      const r = entry && id ? downloadReport(name, entry, await (engine.transfers.settled(id) as Promise<TransferResult>)) : notFound(name, folder);
      if (!out.json) out.out(r.lines);
      results.push(r.result);
      if (!entry) {
        // Never queued, so the queue wrote nothing: the history still shows it was asked for.
        await history.record({ direction: 'download', localName: '', remoteName: name, folder: folder.role, size: 0, sha256: null, result: 'failed', error: r.result.message });
      }
      if (r.result.outcome === 'failed') out.err(`registry-transfer: ${name}: ${r.result.message}`);
    }
  } finally {
    following.stop();
    interrupt.dispose();
    await engine.disconnect();
  }

  const saved = results.filter((r) => r.outcome === 'saved').length;
  const failed = results.length - saved;
  const exitCode = worstExitCode(results.map((r) => r.exitCode));
  if (out.json) {
    out.document({
      ok: failed === 0,
      exitCode,
      ...connectionFacts(registry, run),
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

interface DownloadReport {
  result: DownloadFileResult;
  lines: string[];
}

function failedReport(name: string, error: unknown, size = 0): DownloadReport {
  const e = toCliError(error);
  return {
    result: { name, outcome: 'failed', message: `Not saved: ${e.message}`, exitCode: fileExitCode(e.code), code: e.code, size, sha256: null },
    lines: [name, `  Not saved: ${e.message}`],
  };
}

const notFound = (name: string, folder: RoleFolder) => failedReport(name, new RemoteError('not-found', `there is no file named ${JSON.stringify(name)} in ${folder.name}.`));

/** One file's report, from how the queue says its download ended, in the command line's words. */
function downloadReport(name: string, entry: RemoteEntry, ended: TransferResult): DownloadReport {
  const { failure, status } = ended;
  if (failure) {
    if (failure.cancelledBeforeStart) return failedReport(name, new RemoteError('cancelled', 'the run was stopped before this file.'), entry.size);
    if (status.state === 'cancelled') {
      return failedReport(name, new RemoteError('cancelled', 'the run was stopped while it was being downloaded. No partial file was kept.'), entry.size);
    }
    return failedReport(name, failure.error, entry.size);
  }
  const savedTo = status.savedTo as string;
  const why = safeLocalName(entry.name) !== entry.name ? `the server's name ${JSON.stringify(entry.name)} is not safe on this computer` : `a file named ${entry.name} was already there`;
  const message = `Saved to ${savedTo} (${formatSize(status.total)})${ended.renamed ? `: ${why}` : ''}.`;
  return {
    result: { name: entry.name, outcome: 'saved', message, exitCode: EXIT.done, savedTo, renamed: ended.renamed, size: status.total, sha256: ended.sha256 },
    lines: [name, `  ${message}`],
  };
}
