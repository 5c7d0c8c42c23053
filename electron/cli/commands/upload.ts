// `registry-transfer upload FILE...`: the desktop app's upload pipeline over one connection, as many
// files at once as it carries (several over SFTP, one over FTPS), reported in the order given. Each
// file is checked first (HL7 batch, import code in the name, quota, a file of the same name waiting
// or accepted); an error stops that file, a warning stops it unless the user said in advance to go
// ahead. Then it goes to a temporary name, its size is checked on the server,
// and it is renamed. A failed file never stops the next one; the exit status is the worst outcome.
import { basename } from 'node:path';
import type { ErrorCode, RoleFolder, UploadCheck, UploadCheckLine } from '../../../shared/contract';
import { RemoteError } from '../../engine/remote/remote-fs';
import { leftoverNote } from '../../engine/transfers/leftover-journal';
import type { TransferResult } from '../../engine/transfers/transfer-queue';
import { UploadStopped, withoutNothingChanged } from '../../engine/transfers/upload';
import type { CommandOptions } from '../args';
import { toCliError, type CliError } from '../errors';
import { EXIT, EXIT_CODE_FOR, fileExitCode, worstExitCode, type ExitCode } from '../exit-codes';
import { expandFileArguments } from '../file-args';
import { HistoryLog } from '../history-log';
import { watchInterrupt } from '../interrupt';
import { formatSize, type CliIo, type Output } from '../output';
import { followTransfers, ProgressLine, SendingProgress } from '../progress';

export { SendingProgress } from '../progress';
import { checkedUsername, chooseRegistry, connectionFacts, signInForRun, type Registry, type SignedInRun } from '../session';

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
  const { results, facts, signInFailure } = await sendFiles(registry, username, options, io, out, paths, flags);
  const sent = results.filter((r) => r.outcome === 'sent').length;
  const failed = results.length - sent;
  if (signInFailure) {
    if (!out.json) out.out(`0 sent, ${results.length} failed.`);
    return out.fail(signInFailure, { files: results, sent: 0, failed: results.length });
  }
  const exitCode = worstExitCode(results.map((r) => r.exitCode));
  if (out.json) {
    out.document({ ok: failed === 0, exitCode, ...facts, files: results, sent, failed });
  } else {
    out.out(['', `${sent} sent, ${failed} failed.`]);
  }
  return exitCode;
}

/**
 * Sign in and send `paths` through the engine's transfer queue (as many at once as the connection
 * carries, checked in the order given), each written to the history; each file's report printed in
 * that order. A sign-in that fails is every file's failure (in the history too), and `signInFailure`;
 * a usage error is thrown. `upload` and `send-new` both send this way.
 */
export async function sendFiles(
  registry: Registry,
  username: string,
  options: CommandOptions,
  io: CliIo,
  out: Output,
  paths: readonly string[],
  flags: UploadFlags,
): Promise<{ results: UploadFileResult[]; facts: ReturnType<typeof connectionFacts> | null; signInFailure: CliError | null }> {
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

  let run: SignedInRun;
  try {
    run = await signInForRun(registry, options, io, out);
  } catch (error) {
    const failure = toCliError(error);
    const exitCode = EXIT_CODE_FOR[failure.code];
    if (exitCode === EXIT.usage) throw failure;
    // The scheduled job ran and sent nothing: the history shows it, file by file.
    const results = paths.map((file) => notStarted(file, `Not sent: ${failure.message}`, exitCode, failure.code));
    for (const r of results) await record(r, 'failed');
    return { results, facts: null, signInFailure: failure };
  }

  // The engine's transfer queue sends them (as many at once as the connection carries, checked in
  // the order given) and writes each to the history; the reports are printed in that order too.
  const { engine, session } = run;
  const target = engine.transferTarget(session);
  const accepts = (id: string) => (id === 'replace' ? flags.replace : flags.acceptWarnings);
  const following = followTransfers(run, new SendingProgress(progress));
  // Only now: until something is being sent, Ctrl+C simply ends the process.
  const interrupt = watchInterrupt();
  interrupt.signal.addEventListener('abort', () => engine.transfers.cancelAll());
  const results: UploadFileResult[] = [];
  let anyLines = false;
  try {
    const ids = paths.map((file, index) => {
      const { id } = engine.transfers.enqueueUpload(target, file, accepts);
      following.track(id, index);
      return id;
    });
    for (const [index, id] of ids.entries()) {
      const file = paths[index] as string;
      const { result: r, lines } = reportOf(file, await (engine.transfers.settled(id) as Promise<TransferResult>), flags, target.folders);
      results.push(r);
      if (!out.json && lines.length > 0) {
        if (anyLines) out.out('');
        for (const line of lines) out.out(line);
        anyLines = true;
      }
      if (r.outcome === 'blocked') {
        // stderr may be the only log a scheduled job keeps: it gets the findings too, not just "see above".
        const findings = r.checks.filter((l) => l.severity !== 'ok').map((l) => l.message);
        out.err(`registry-transfer: ${r.name}: ${[r.message, ...findings].join(' ')}`);
      } else if (r.outcome === 'failed' && lines.length > 0) {
        out.err(`registry-transfer: ${r.name}: ${r.message}`);
      }
    }
  } finally {
    following.stop();
    interrupt.dispose();
    await engine.disconnect();
  }
  return { results, facts: connectionFacts(registry, run), signInFailure: null };
}

/** One file's report, from how the queue says its transfer ended, in the command line's words. */
function reportOf(file: string, ended: TransferResult, flags: UploadFlags, folders: readonly RoleFolder[]): { result: UploadFileResult; lines: string[] } {
  const { check, failure } = ended;
  const lines: string[] = [file];
  const done = (result: UploadFileResult) => ({ result, lines });
  const base = check
    ? { file, name: check.fileName, size: check.size, sha256: check.sha256, messageCount: check.messageCount, checks: check.lines }
    : { file, name: basename(file), size: 0, sha256: null, messageCount: 0, checks: [] };
  /** `somethingRemains`: a copy, or part of one, is on the server (the message says which), so not "Not sent". */
  const failedWith = (error: unknown, somethingRemains = false) => {
    const e = toCliError(error);
    const message = `${somethingRemains ? 'Failed' : 'Not sent'}: ${e.message}`;
    lines.push(`  ${message}`);
    return done({ ...base, outcome: 'failed', message, exitCode: fileExitCode(e.code), code: e.code });
  };
  if (failure?.cancelledBeforeStart) {
    return { result: { ...base, outcome: 'failed', message: 'Not sent: the run was stopped before this file.', exitCode: EXIT.failed, code: 'cancelled' }, lines: [] };
  }
  if (check) for (const line of check.lines) lines.push(checkLineText(line));
  if (!failure) {
    const message = `Sent: ${ended.remotePath}, ${base.size.toLocaleString('en-US')} bytes (${formatSize(base.size)}), size checked on the server.${ended.note ? ` ${ended.note}` : ''}`;
    lines.push(`  ${message}`);
    return done({ ...base, outcome: 'sent', message, exitCode: EXIT.done, ...(ended.remotePath ? { remotePath: ended.remotePath } : {}) });
  }
  const blocked = failure.stoppedByChecks && check ? blockedBy(check, flags) : null;
  if (blocked) {
    lines.push(`  ${blocked.message}`);
    return done({ ...base, outcome: 'blocked', ...blocked });
  }
  const { error, leftBehind, remains } = failure;
  const folderName = folders.find((f) => f.role === 'dropoff')?.name ?? 'the dropoff folder';
  const leftNote = leftoverNote(folderName, error instanceof UploadStopped ? (error.leftover ?? undefined) : undefined);
  if (ended.status.state === 'cancelled') {
    if (!failure.sendingStarted) return failedWith(new RemoteError('cancelled', 'the run was stopped before this file was sent.'));
    return failedWith(
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
  if (leftBehind && error instanceof RemoteError) return failedWith(new RemoteError(error.code, `${withoutNothingChanged(error.message)} ${leftNote}`, error.detail));
  return failedWith(error, remains !== null);
}
