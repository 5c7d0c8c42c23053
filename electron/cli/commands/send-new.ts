// `registry-transfer send-new DIR`: send what the EHR exported since last time (issue 17). Every file
// in DIR this computer has not delivered before (the send ledger, by name and SHA-256, written only
// once the registry has the whole file) goes through the same checks and pipeline as `upload`, in
// name order, over one connection. A file its checks stop is reported once and recorded, and not
// tried again until it changes; a file that failed to send for another reason (the network) is tried
// again on the next run, once, as the registries ask. Nothing new: no connection at all. With
// --move-to, a delivered file is moved there. One run per account at a time (a lock in the data
// folder that a crashed run cannot leave stuck).
import { copyFile, lstat, mkdir, readdir, rename, unlink } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { AccountBusy, lockAccount } from '../../engine/auto-send/account-lock';
import { exportFileFilter, sha256Of } from '../../engine/auto-send/export-files';
import { SendLedger, type LedgerEntry } from '../../engine/auto-send/send-ledger';
import { vaultAccount } from '../../engine/credentials/vault';
import type { CommandOptions } from '../args';
import { CliError, toCliError, usageError } from '../errors';
import { EXIT, worstExitCode, type ExitCode } from '../exit-codes';
import type { CliIo, Output } from '../output';
import { checkedUsername, chooseRegistry } from '../session';
import { sendFiles, type UploadFileResult } from './upload';

/** Move a delivered file into `folder`, never over another file: a clash gets " (2)", as downloads do. */
async function moveDelivered(file: string, folder: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  const ext = extname(file);
  const stem = basename(file, ext);
  for (let n = 1; n < 1000; n += 1) {
    const target = join(folder, n === 1 ? basename(file) : `${stem} (${n})${ext}`);
    try {
      await lstat(target);
      continue;
    } catch {
      // Free: take it.
    }
    try {
      await rename(file, target);
    } catch (error) {
      // Another drive: copied (never over a file), then the original removed.
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(file, target, 1 /* COPYFILE_EXCL */);
      await unlink(file);
    }
    return target;
  }
  throw new Error(`${folder} already holds many files named like ${basename(file)}.`);
}

interface Candidate {
  file: string;
  name: string;
  size: number;
  sha256: string;
  before: LedgerEntry | null;
}

export async function sendNewCommand(options: CommandOptions, positionals: string[], out: Output, io: CliIo, cwd: string = process.cwd()): Promise<ExitCode> {
  const dir = resolve(cwd, positionals[0] as string);
  try {
    if (!(await lstat(dir)).isDirectory()) throw usageError(`${dir} is not a folder. Give the folder the EHR exports its files to.`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw usageError(`The folder ${dir} could not be read. Give the folder the EHR exports its files to.`);
  }
  const registry = await chooseRegistry(options, io);
  const { profile } = registry;
  const username = checkedUsername(options.user, profile);
  const moveTo = options.moveTo !== undefined ? resolve(cwd, options.moveTo) : null;
  const matches = exportFileFilter(options.pattern);

  let lock;
  try {
    lock = await lockAccount(registry.dataDir, vaultAccount(profile.id, username), `send-new ${dir}`);
  } catch (error) {
    if (!(error instanceof AccountBusy)) throw error;
    // The other run sends these files: nothing is wrong, and nothing is done twice.
    if (out.json) out.document({ ok: true, busy: true, message: error.message, sent: 0, failed: 0, files: [] });
    else out.out(error.message);
    return EXIT.done;
  }
  try {
    const ledger = new SendLedger(registry.dataDir);
    const names = (await readdir(dir)).filter(matches).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const candidates: Candidate[] = [];
    for (const name of names) {
      const file = join(dir, name);
      const info = await lstat(file).catch(() => null);
      // Regular files only: a folder, a link or a device is not an export.
      if (!info || !info.isFile()) continue;
      candidates.push({ file, name, size: info.size, sha256: await sha256Of(file), before: ledger.entry(profile.id, username, name) });
    }
    const unchanged = (c: Candidate) => c.before !== null && c.before.sha256 === c.sha256;
    const alreadySent = candidates.filter((c) => unchanged(c) && c.before?.outcome === 'delivered');
    const stillRefused = candidates.filter((c) => unchanged(c) && c.before?.outcome === 'refused');
    const fresh = candidates.filter((c) => !unchanged(c));
    const waitingWords = stillRefused.map((c) => `${c.name} (stopped by its checks on ${c.before?.at.slice(0, 10)}: it is tried again once it changes)`);

    if (fresh.length === 0) {
      const message = `Nothing new to send in ${dir}${alreadySent.length > 0 ? ` (${alreadySent.length} already sent)` : ''}.`;
      if (out.json) {
        out.document({ ok: true, folder: dir, sent: 0, failed: 0, alreadySent: alreadySent.map((c) => c.name), waitingToBeFixed: stillRefused.map((c) => c.name), files: [] });
      } else {
        out.out([message, ...waitingWords.map((w) => `Not sent again: ${w}`)]);
      }
      return EXIT.done;
    }

    const flags = { replace: options.replace === true, acceptWarnings: options.acceptWarnings === true };
    const { results, facts, signInFailure } = await sendFiles(registry, username, options, io, out, fresh.map((c) => c.file), flags);
    if (signInFailure) {
      // Nothing was sent and nothing recorded: the next run tries these files again, once.
      if (!out.json) out.out(`0 sent, ${results.length} not sent.`);
      return out.fail(signInFailure, { folder: dir, files: results, sent: 0, failed: results.length });
    }
    const moved: Record<string, string> = {};
    for (const [index, result] of results.entries()) {
      const candidate = fresh[index] as Candidate;
      await recordOutcome(ledger, profile.id, username, candidate, result);
      if (result.outcome === 'sent' && moveTo !== null) {
        try {
          moved[candidate.name] = await moveDelivered(candidate.file, moveTo);
        } catch (error) {
          // Delivered all the same (the ledger says so): it is not sent again.
          out.err(`registry-transfer: ${candidate.name} was sent but could not be moved to ${moveTo}: ${toCliError(error).message}`);
        }
      }
    }
    const sent = results.filter((r) => r.outcome === 'sent').length;
    const failed = results.length - sent;
    const exitCode = worstExitCode(results.map((r) => r.exitCode));
    if (out.json) {
      out.document({
        ok: failed === 0,
        exitCode,
        folder: dir,
        ...(facts ? facts : {}),
        files: results.map((r) => ({ ...r, ...(moved[basename(r.file)] ? { movedTo: moved[basename(r.file)] } : {}) })),
        sent,
        failed,
        alreadySent: alreadySent.map((c) => c.name),
        waitingToBeFixed: stillRefused.map((c) => c.name),
      });
    } else {
      out.out([
        '',
        `${sent} sent, ${failed} failed${alreadySent.length > 0 ? `, ${alreadySent.length} already sent before` : ''}.`,
        ...Object.entries(moved).map(([name, to]) => `Moved ${name} to ${to}.`),
        ...waitingWords.map((w) => `Not sent again: ${w}`),
      ]);
    }
    return exitCode;
  } finally {
    await lock.release();
  }
}

/**
 * Stopped by its checks: recorded, so it is not tried again until it changes. (Delivered: the engine's
 * queue records it, as it does every file this computer delivers.) Otherwise: tried next run.
 */
async function recordOutcome(ledger: SendLedger, profileId: string, username: string, candidate: Candidate, result: UploadFileResult): Promise<void> {
  if (result.outcome === 'blocked') {
    ledger.record(profileId, username, candidate.name, { sha256: result.sha256 ?? candidate.sha256, size: result.size || candidate.size, outcome: 'refused', at: new Date().toISOString(), message: result.message });
  }
}
