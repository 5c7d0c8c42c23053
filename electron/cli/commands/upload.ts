// `registry-transfer upload FILE...`: the desktop app's upload pipeline, one file after another over
// one connection. Each file is checked first (HL7 batch, import code in the name, quota, a file of
// the same name waiting or accepted); an error stops that file, a warning stops it unless the user
// said in advance to go ahead. Then it goes to a temporary name, its size is checked on the server,
// and it is renamed. A failed file never stops the next one; the exit status is the worst outcome.
import { basename } from 'node:path';
import type { ErrorCode, UploadCheck, UploadCheckLine } from '../../../shared/contract';
import { resolveRoleFolders } from '../../engine/remote/folders';
import { RemoteError } from '../../engine/remote/remote-fs';
import { UploadBatch, UploadStopped, type UploadTarget } from '../../engine/transfers/upload';
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
  // One listing of the dropoff and Accepted folders for the whole run, updated as files land.
  const batch = new UploadBatch();
  try {
    for (const file of paths) {
      if (interrupt.signal.aborted) {
        const r = notStarted(file, 'Not sent: the run was stopped before this file.', EXIT.failed, 'cancelled');
        results.push(r);
        await record(r, 'cancelled');
        continue;
      }
      if (!out.json && results.length > 0) out.out('');
      const r = await uploadOne(connection, target, file, flags, out, progress, interrupt.signal, batch);
      results.push(r);
      await record(r, r.outcome === 'sent' ? 'done' : r.code === 'cancelled' ? 'cancelled' : 'failed');
      if (r.outcome === 'blocked') {
        // stderr may be the only log a scheduled job keeps: it gets the findings too, not just "see above".
        const findings = r.checks.filter((l) => l.severity !== 'ok').map((l) => l.message);
        out.err(`registry-transfer: ${r.name}: ${[r.message, ...findings].join(' ')}`);
      } else if (r.outcome === 'failed') {
        out.err(`registry-transfer: ${r.name}: ${r.message}`);
      }
    }
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
    out.out(`\n${sent} sent, ${failed} failed.`);
  }
  return exitCode;
}

async function uploadOne(
  connection: RunConnection,
  target: UploadTarget,
  file: string,
  flags: UploadFlags,
  out: Output,
  progress: ProgressLine,
  signal: AbortSignal,
  batch: UploadBatch,
): Promise<UploadFileResult> {
  const say = (text: string) => {
    if (!out.json) out.out(text);
  };
  say(file);
  const failedWith = (base: Omit<UploadFileResult, 'outcome' | 'message' | 'exitCode'>, error: unknown): UploadFileResult => {
    const e = toCliError(error);
    const message = `Not sent: ${e.message}`;
    say(`  ${message}`);
    return { ...base, outcome: 'failed', message, exitCode: fileExitCode(e.code), code: e.code };
  };
  const bare = { file, name: basename(file), size: 0, sha256: null, messageCount: 0, checks: [] };

  let check: UploadCheck;
  let admitted: boolean;
  const fs = await connection.fs().catch((error: unknown) => error as Error);
  if (fs instanceof Error) return failedWith(bare, fs);
  try {
    ({ check, admitted } = await batch.admit(batch.placeInLine(), fs, target, file, (c) => !signal.aborted && blockedBy(c, flags) === null));
  } catch (error) {
    return failedWith(bare, error);
  }
  const base = { file, name: check.fileName, size: check.size, sha256: check.sha256, messageCount: check.messageCount, checks: check.lines };
  for (const line of check.lines) say(checkLineText(line));

  const blocked = blockedBy(check, flags);
  if (blocked) {
    say(`  ${blocked.message}`);
    return { ...base, outcome: 'blocked', ...blocked };
  }
  if (!admitted) return failedWith(base, new RemoteError('cancelled', 'the run was stopped before this file was sent.'));

  progress.start('sending', check.size);
  try {
    const sent = await batch.send(fs, target, check, { signal, onProgress: progress.update, onVerifying: () => progress.clear() });
    progress.clear();
    const message = `Sent: ${sent.remotePath}, ${check.size.toLocaleString('en-US')} bytes (${formatSize(check.size)}), size checked on the server.`;
    say(`  ${message}`);
    return { ...base, outcome: 'sent', message, exitCode: EXIT.done, remotePath: sent.remotePath };
  } catch (error) {
    progress.clear();
    if (error instanceof UploadStopped && error.leftover) {
      // The connection ended with the transfer (an FTPS failure closes it): a new one tidies up.
      const leftover = error.leftover;
      await connection
        .fs()
        .then((fs) => fs.remove(leftover))
        .catch(() => undefined);
    }
    if (error instanceof RemoteError && error.code === 'cancelled') {
      return failedWith(base, new RemoteError('cancelled', 'the run was stopped while it was being sent. Nothing was delivered, and no partial file was left on the registry.'));
    }
    return failedWith(base, error);
  }
}
