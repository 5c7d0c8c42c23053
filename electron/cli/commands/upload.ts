// `registry-transfer upload FILE...`: the desktop app's upload pipeline over one connection, as many
// files at once as it carries (several over SFTP, one over FTPS), reported in the order given. Each
// file is checked first (HL7 batch, import code in the name, quota, a file of the same name waiting
// or accepted); an error stops that file, a warning stops it unless the user said in advance to go
// ahead. Then it goes to a temporary name, its size is checked on the server,
// and it is renamed. A failed file never stops the next one; the exit status is the worst outcome.
import { basename } from 'node:path';
import type { ErrorCode, UploadCheck, UploadCheckLine } from '../../../shared/contract';
import { resolveRoleFolders } from '../../engine/remote/folders';
import { RemoteError } from '../../engine/remote/remote-fs';
import { leftoverNote } from '../../engine/transfers/leftover-journal';
import { lookAgain, UploadBatch, UploadStopped, withoutNothingChanged, type PlaceInLine, type UploadTarget } from '../../engine/transfers/upload';
import type { CommandOptions } from '../args';
import { toCliError } from '../errors';
import { EXIT, EXIT_CODE_FOR, fileExitCode, worstExitCode, type ExitCode } from '../exit-codes';
import { expandFileArguments } from '../file-args';
import { HistoryLog } from '../history-log';
import { watchInterrupt } from '../interrupt';
import { formatSize, type CliIo, type Output } from '../output';
import { ProgressLine } from '../progress';
import { checkedUsername, chooseRegistry, connectionFacts, Connector, prepareLogin, RunConnection, type Login } from '../session';

export interface UploadFlags {
  replace: boolean;
  acceptWarnings: boolean;
}

/** The option that lets a warning through: replacing a waiting file is its own decision. */
export const optionFor = (warningId: string): '--replace' | '--accept-warnings' => (warningId === 'replace' ? '--replace' : '--accept-warnings');

/** The warnings the flags given do not cover, each with the option that would. */
export function unacceptedWarnings(check: UploadCheck, flags: UploadFlags): { line: UploadCheckLine; option: '--replace' | '--accept-warnings' }[] {
  return check.lines
    .filter((line) => line.severity === 'warning')
    .map((line) => ({ line, option: optionFor(line.id) }))
    .filter(({ option }) => (option === '--replace' ? !flags.replace : !flags.acceptWarnings));
}

export type UploadOutcome = 'sent' | 'blocked' | 'failed';

export interface UploadFileResult {
  file: string;
  name: string;
  size: number;
  sha256: string | null;
  messageCount: number;
  checks: UploadCheckLine[];
  outcome: UploadOutcome;
  message: string;
  exitCode: ExitCode;
  /** The engine's error code, when sending (not the checks) failed. */
  code?: ErrorCode;
  remotePath?: string;
}

const SEVERITY_WORD: Record<UploadCheckLine['severity'], string> = { ok: 'OK', warning: 'WARNING', error: 'ERROR' };
export const checkLineText = (line: UploadCheckLine) => `  ${SEVERITY_WORD[line.severity].padEnd(8)} ${line.message}`;

/** Why the checks stop a file, and what the exit status says about it; null when it may go. */
export function blockedBy(check: UploadCheck, flags: UploadFlags): { message: string; exitCode: ExitCode } | null {
  if (!check.canUpload) {
    // A full dropoff folder is the registry's rule refusing the file, like a permission.
    const quotaFull = check.lines.some((l) => l.severity === 'error' && l.id === 'quota');
    return quotaFull
      ? { message: 'Not sent: the dropoff folder is full; the registry takes no more files until it has processed some.', exitCode: EXIT.refused }
      : { message: 'Not sent: fix what the checks found, then send it again.', exitCode: EXIT.failed };
  }
  const unaccepted = unacceptedWarnings(check, flags);
  if (unaccepted.length === 0) return null;
  const needs = (option: string) => unaccepted.some((u) => u.option === option);
  const options = ['--accept-warnings', '--replace'].filter(needs).join(' ');
  const message = needs('--accept-warnings')
    ? `Not sent: check the warnings above. To send it anyway, run again with ${options}.`
    : `Not sent: a file of the same name is already waiting in the dropoff folder. To replace it, run again with ${options}.`;
  return { message, exitCode: EXIT.failed };
}

export async function uploadCommand(options: CommandOptions, positionals: string[], out: Output, io: CliIo, cwd: string = process.cwd()): Promise<ExitCode> {
  const registry = await chooseRegistry(options, io);
  const username = checkedUsername(options.user, registry.profile);
  const paths = await expandFileArguments(positionals, cwd);
  const flags: UploadFlags = { replace: options.replace === true, acceptWarnings: options.acceptWarnings === true };
  const history = new HistoryLog(registry.dataDir, out, { profileId: registry.profile.id, account: username });
  const progress = new ProgressLine(out, io.stdoutIsTTY === true && !out.json);

  const record = (r: UploadFileResult, result: 'done' | 'failed' | 'cancelled') =>
    history.record({
      direction: 'upload',
      localName: r.file,
      remoteName: r.name,
      folder: 'dropoff',
      size: r.size,
      sha256: r.sha256,
      result,
      ...(result === 'done' ? {} : { error: r.message }),
    });
  const notStarted = (file: string, message: string, exitCode: ExitCode, code?: ErrorCode): UploadFileResult => ({
    file,
    name: basename(file),
    size: 0,
    sha256: null,
    messageCount: 0,
    checks: [],
    outcome: 'failed',
    message,
    exitCode,
    ...(code ? { code } : {}),
  });

  let login: Login;
  let connection: RunConnection;
  let target: UploadTarget;
  try {
    login = await prepareLogin(registry, options, io, out);
    const connector = new Connector(registry, login, options.trust);
    connection = new RunConnection(connector, await connector.open());
    try {
      target = { profile: registry.profile, username, folders: await resolveRoleFolders(connection.opened.fs, registry.profile, username) };
    } catch (error) {
      await connection.close();
      throw error;
    }
  } catch (error) {
    const failure = toCliError(error);
    const exitCode = EXIT_CODE_FOR[failure.code];
    if (exitCode === EXIT.usage) throw failure;
    // The scheduled job ran and sent nothing: the history shows it, file by file.
    const results = paths.map((file) => notStarted(file, `Not sent: ${failure.message}`, exitCode, failure.code));
    for (const r of results) await record(r, 'failed');
    if (!out.json) out.out(`0 sent, ${results.length} failed.`);
    return out.fail(failure, { files: results, sent: 0, failed: results.length });
  }

  // Only now: until something is being sent, Ctrl+C simply ends the process.
  const interrupt = watchInterrupt();
  const results: UploadFileResult[] = [];
  /** Each file's report, printed in the order the files were given whichever finishes first. */
  const reports: { lines: string[]; errors: string[] }[] = [];
  let printed = 0;
  let anyLines = false;
  const printInOrder = () => {
    for (let report = reports[printed]; report; report = reports[printed]) {
      if (!out.json && report.lines.length > 0) {
        if (anyLines) out.out('');
        for (const line of report.lines) out.out(line);
        anyLines = true;
      }
      for (const error of report.errors) out.err(error);
      printed += 1;
    }
  };
  // One listing of the dropoff and Accepted folders for the whole run, updated as files land.
  const batch = new UploadBatch();
  const sending = new SendingProgress(progress);
  // As many files at once as the connection carries (several over SFTP, one over FTPS), as the
  // desktop app sends them; each is checked in the order given.
  const lanes = Math.max(1, Math.min(paths.length, connection.opened.fs.parallelTransfers));
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < paths.length; index = next++) {
      const file = paths[index] as string;
      const place = batch.placeInLine();
      let r: UploadFileResult;
      let lines: string[] = [];
      if (interrupt.signal.aborted) {
        place.leave();
        r = notStarted(file, 'Not sent: the run was stopped before this file.', EXIT.failed, 'cancelled');
      } else {
        ({ result: r, lines } = await uploadOne(connection, target, file, flags, sending.for(index), interrupt.signal, batch, place));
      }
      results[index] = r;
      await record(r, r.outcome === 'sent' ? 'done' : r.code === 'cancelled' ? 'cancelled' : 'failed');
      const errors: string[] = [];
      if (r.outcome === 'blocked') {
        // stderr may be the only log a scheduled job keeps: it gets the findings too, not just "see above".
        const findings = r.checks.filter((l) => l.severity !== 'ok').map((l) => l.message);
        errors.push(`registry-transfer: ${r.name}: ${[r.message, ...findings].join(' ')}`);
      } else if (r.outcome === 'failed' && lines.length > 0) {
        errors.push(`registry-transfer: ${r.name}: ${r.message}`);
      }
      reports[index] = { lines, errors };
      printInOrder();
    }
  };
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
  } finally {
    interrupt.dispose();
    await connection.close();
  }

  const sent = results.filter((r) => r.outcome === 'sent').length;
  const failed = results.length - sent;
  const exitCode = worstExitCode(results.map((r) => r.exitCode));
  if (out.json) {
    out.document({ ok: failed === 0, exitCode, ...connectionFacts(registry, login, connection.opened), files: results, sent, failed });
  } else {
    out.out(['', `${sent} sent, ${failed} failed.`]);
  }
  return exitCode;
}

/** The progress line's part for one file: its bytes as they go, and its end. */
interface FileProgress {
  start(total: number): void;
  update(bytes: number): void;
  stop(): void;
}

/** One progress line for the files being sent at once: their bytes together, until all are done. */
export class SendingProgress {
  private readonly files = new Map<number, { bytes: number; total: number; active: boolean }>();

  constructor(private readonly line: ProgressLine) {}

  for(key: number): FileProgress {
    return {
      start: (total) => {
        if (![...this.files.values()].some((f) => f.active)) {
          this.files.clear();
          this.line.start('sending', 0);
        }
        this.files.set(key, { bytes: 0, total, active: true });
        this.line.setTotal(this.sum('total'));
      },
      update: (bytes) => {
        const file = this.files.get(key);
        if (!file) return;
        file.bytes = bytes;
        this.line.update(this.sum('bytes'));
      },
      stop: () => {
        const file = this.files.get(key);
        if (file) file.active = false;
        if (![...this.files.values()].some((f) => f.active)) this.line.clear();
      },
    };
  }

  private sum(field: 'bytes' | 'total'): number {
    let total = 0;
    for (const file of this.files.values()) total += file[field];
    return total;
  }
}

/** Check and send one file; its report's lines come back with the result, to be printed in order. */
async function uploadOne(
  connection: RunConnection,
  target: UploadTarget,
  file: string,
  flags: UploadFlags,
  progress: FileProgress,
  signal: AbortSignal,
  batch: UploadBatch,
  place: PlaceInLine,
): Promise<{ result: UploadFileResult; lines: string[] }> {
  const lines: string[] = [file];
  const done = (result: UploadFileResult) => ({ result, lines });
  /** `somethingRemains`: a copy, or part of one, is on the server (the message says which), so not "Not sent". */
  const failedWith = (base: Omit<UploadFileResult, 'outcome' | 'message' | 'exitCode'>, error: unknown, somethingRemains = false) => {
    const e = toCliError(error);
    const message = `${somethingRemains ? 'Failed' : 'Not sent'}: ${e.message}`;
    lines.push(`  ${message}`);
    return done({ ...base, outcome: 'failed', message, exitCode: fileExitCode(e.code), code: e.code });
  };
  const bare = { file, name: basename(file), size: 0, sha256: null, messageCount: 0, checks: [] };

  let check: UploadCheck;
  let admitted: boolean;
  try {
    const fs = await connection.fs();
    ({ check, admitted } = await batch.admit(place, fs, target, file, (c) => !signal.aborted && blockedBy(c, flags) === null));
  } catch (error) {
    return failedWith(bare, error);
  } finally {
    place.leave();
  }
  const base = { file, name: check.fileName, size: check.size, sha256: check.sha256, messageCount: check.messageCount, checks: check.lines };
  for (const line of check.lines) lines.push(checkLineText(line));

  const blocked = blockedBy(check, flags);
  if (blocked) {
    lines.push(`  ${blocked.message}`);
    return done({ ...base, outcome: 'blocked', ...blocked });
  }
  if (!admitted) return failedWith(base, new RemoteError('cancelled', 'the run was stopped before this file was sent.'));

  progress.start(check.size);
  try {
    const fs = await connection.fs();
    const sent = await batch.send(fs, target, check, { signal, onProgress: progress.update, onLeftover: (path) => connection.rememberLeftover(path) });
    const message = `Sent: ${sent.remotePath}, ${check.size.toLocaleString('en-US')} bytes (${formatSize(check.size)}), size checked on the server.${sent.note ? ` ${sent.note}` : ''}`;
    lines.push(`  ${message}`);
    return done({ ...base, outcome: 'sent', message, exitCode: EXIT.done, remotePath: sent.remotePath });
  } catch (thrown) {
    // The connection often ended with the transfer (an FTPS failure closes it): a new one tidies up,
    // and looks at what a file sent straight to its name left there (not after a timeout).
    const error =
      thrown instanceof UploadStopped && thrown.unsure && thrown.code !== 'timeout'
        ? await connection.fs().then((fs) => lookAgain(fs, thrown), () => thrown)
        : thrown;
    const leftBehind = error instanceof UploadStopped && error.leftover !== null && !(await connection.removeLeftover(error.leftover));
    const folderName = target.folders.find((f) => f.role === 'dropoff')?.name ?? 'the dropoff folder';
    const leftNote = leftoverNote(folderName, error instanceof UploadStopped ? (error.leftover ?? undefined) : undefined);
    const remains = error instanceof UploadStopped ? error.remains : null;
    if (error instanceof RemoteError && error.code === 'cancelled') {
      return failedWith(
        base,
        new RemoteError(
          'cancelled',
          remains
            ? `the run was stopped while it was being sent. ${remains}`
            : leftBehind
            ? `the run was stopped while it was being sent. Nothing was delivered. ${leftNote}`
            : 'the run was stopped while it was being sent. Nothing was delivered, and no partial file was left on the registry.',
        ),
        remains !== null,
      );
    }
    if (leftBehind && error instanceof RemoteError) return failedWith(base, new RemoteError(error.code, `${withoutNothingChanged(error.message)} ${leftNote}`, error.detail));
    return failedWith(base, error, remains !== null);
  } finally {
    progress.stop();
  }
}
