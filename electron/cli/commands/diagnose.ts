// `registry-transfer diagnose`: the connection check (issue 16) from the command line, the engine's
// diagnose() as the window runs it. Each step is printed as it ends; the last line names the step
// that failed, or says every step passed. Exit 0 when every step that ran passed (warnings
// included); otherwise the usual codes: 3 the server's identity, 4 sign-in, 1 the network.
import type { DiagnosisStep } from '../../../shared/contract';
import { diagnose } from '../../engine/diagnose/diagnose';
import type { CommandOptions } from '../args';
import { EXIT, EXIT_CODE_FOR, type ExitCode } from '../exit-codes';
import type { CliIo, Output } from '../output';
import { PRACTICE_PROFILE_ID } from '../../practice/practice-profile';
import { checkedUsername, chooseRegistry, credentialsForRun, engineForRun } from '../session';

const MARK: Record<DiagnosisStep['status'], string> = { passed: 'passed', warning: 'warning', failed: 'FAILED', skipped: 'skipped' };

export async function diagnoseCommand(options: CommandOptions, out: Output, io: CliIo): Promise<ExitCode> {
  const registry = await chooseRegistry(options, io);
  const { profile, protocol } = registry;
  // Without --user the check stops before signing in (the practice registry has one account).
  const username = options.user !== undefined || profile.id === PRACTICE_PROFILE_ID ? checkedUsername(options.user, profile) : null;
  const run = engineForRun(registry, options, out);
  const { key, typed } = username !== null ? await credentialsForRun(registry, username, run.engine, options, io, out) : { key: undefined, typed: undefined };
  let index = 0;
  if (!out.json) out.out(`Checking the connection to ${profile.name} over ${protocol.toUpperCase()}…`);
  try {
    const diagnosis = await diagnose(run.engine, {
      profile,
      protocol,
      username,
      ...(typed !== undefined ? { typed } : {}),
      ...(key ? { key } : {}),
      ...(options.host !== undefined || options.port !== undefined
        ? { endpointOverride: { ...(options.host !== undefined ? { host: options.host } : {}), ...(options.port !== undefined ? { port: options.port } : {}) } }
        : {}),
      ...(options.trust !== undefined ? { expectedFingerprint: options.trust } : {}),
      ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}),
      app: run.engine.ports.appInfo,
      onStep: (step) => {
        if (out.json) return;
        index += 1;
        const lines = [`${index}. ${step.title}: ${MARK[step.status]}${step.milliseconds !== null ? ` (${step.milliseconds} ms)` : ''}`, `   ${step.message}`];
        for (const detail of step.details) lines.push(`   - ${detail}`);
        if (step.askIt) lines.push(`   What to do: ${step.askIt}`);
        out.out(lines);
      },
    });
    const exit = diagnosis.passed ? EXIT.done : EXIT_CODE_FOR[diagnosis.code ?? 'internal'];
    if (out.json) {
      out.document({ ok: diagnosis.passed, ...diagnosis });
    } else {
      const failed = diagnosis.steps.find((s) => s.id === diagnosis.failedStep);
      out.out(['', failed ? `Failed at: ${failed.title}.${failed.askIt ? ` ${failed.askIt}` : ''}` : 'Every step that ran passed.']);
    }
    return exit;
  } finally {
    await run.engine.disconnect();
  }
}
