// `registry-transfer submissions`: where each file this computer sent stands on the registry, from
// the transfer history and one listing of each folder, through the same engine operation the
// window's submissions view uses (listSubmissions). Names come from the server and are shown through
// Output, which escapes any control character in them.
import type { Submission } from '../../../shared/contract';
import { listSubmissions, submissionStateWords, type SubmissionsFound } from '../../engine/replies/submissions';
import type { CommandOptions } from '../args';
import { toCliError } from '../errors';
import { EXIT, EXIT_CODE_FOR, type ExitCode } from '../exit-codes';
import { formatModified, table, type CliIo, type Output } from '../output';
import { chooseRegistry, signInForRun } from '../session';

export async function submissionsCommand(options: CommandOptions, out: Output, io: CliIo): Promise<ExitCode> {
  const registry = await chooseRegistry(options, io);
  const run = await signInForRun(registry, options, io, out);
  let found: SubmissionsFound;
  try {
    found = await listSubmissions(run.session, registry.profile, run.engine.history, {
      ...(options.sentFrom !== undefined ? { from: options.sentFrom } : {}),
      ...(options.sentTo !== undefined ? { to: options.sentTo } : {}),
      ...(options.states !== undefined ? { states: options.states } : {}),
    });
  } catch (error) {
    const failure = toCliError(error);
    const exitCode = EXIT_CODE_FOR[failure.code];
    out.fail(failure, { exitCode });
    return exitCode;
  } finally {
    await run.engine.disconnect();
  }

  if (out.json) {
    out.document({
      ok: true,
      checkedAt: found.checkedAt,
      submissions: found.submissions.map(jsonRecord),
      unmatched: found.unmatched.map((u) => ({ ...u, modified: u.modified === null ? null : new Date(u.modified).toISOString() })),
      notes: found.notes,
    });
    return EXIT.done;
  }
  out.out(submissionLines(found, run.engine.history === null));
  return EXIT.done;
}

/** One submission as --json gives it: the names of its files only where there are some. */
function jsonRecord(s: Submission) {
  return {
    name: s.name,
    state: s.state,
    sentAt: s.sentAt,
    size: s.size,
    answeredAt: s.answeredAt === null ? null : new Date(s.answeredAt).toISOString(),
    ...(s.accepted !== null ? { accepted: s.accepted } : {}),
    ...(s.reports.length > 0 ? { reports: s.reports } : {}),
    ...(s.consent.length > 0 ? { consent: s.consent } : {}),
    ...(s.hint !== undefined ? { hint: s.hint } : {}),
  };
}

const sentWords = (iso: string) => formatModified(Date.parse(iso));

export function submissionLines(found: SubmissionsFound, noHistory: boolean): string[] {
  const lines: string[] = [];
  if (found.submissions.length === 0) {
    lines.push(noHistory ? 'No transfer history here, so nothing sent from this computer is known.' : 'Nothing sent from this computer matches.');
  } else {
    lines.push(
      ...table([
        ['Sent', 'File', 'Where it stands', 'Answered'],
        ...found.submissions.map((s) => [sentWords(s.sentAt), s.name, submissionStateWords(s.state), formatModified(s.answeredAt)]),
      ]),
    );
    const details = found.submissions.filter((s) => s.reports.length > 0 || s.consent.length > 0 || s.hint !== undefined);
    for (const s of details) {
      lines.push('', `${s.name}:`);
      if (s.hint !== undefined) lines.push(`  ${s.hint}`);
      for (const report of s.reports) lines.push(`  report   ${report}`);
      for (const consent of s.consent) lines.push(`  consent  ${consent}`);
    }
  }
  if (found.unmatched.length > 0) {
    lines.push('', 'On the registry, matching nothing sent from this computer:');
    lines.push(...table(found.unmatched.map((u) => [`  ${u.role}`, u.name, formatModified(u.modified)])));
  }
  for (const note of found.notes) lines.push('', note);
  return lines;
}
