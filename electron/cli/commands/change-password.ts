// `registry-transfer change-password`: the desktop app's password change from the command line. The
// new password comes from --new-password-env VAR or a hidden prompt (asked twice), is checked against
// the registry's rules, and is kept in the keychain as pending before it leaves this computer. Then
// the same flow as the app: sign in (answering the registry's demand for a new password, if it makes
// one), or sign in and send the profile's change command; the keychain ends with the password the
// registry has. A registry that changes passwords only on its web page is pointed to.
import { checkPasswordRules } from '../../../shared/password-rules';
import { changeMethodFor, onlyWhenAskedFailure, siteCommandFor } from '../../engine/credentials/password-change';
import type { CommandOptions } from '../args';
import { CliError, usageError } from '../errors';
import { EXIT, EXIT_CODE_FOR, type ExitCode } from '../exit-codes';
import type { CliIo, Output } from '../output';
import { passwordFromEnv } from '../password';
import { checkedUsername, chooseRegistry, signInForRun, type Registry } from '../session';

/** The new password: from the variable --new-password-env names, or typed twice on a terminal. */
export async function readNewPassword(options: CommandOptions, io: CliIo, forWhom: string): Promise<string> {
  if (options.newPasswordEnv !== undefined) {
    const value = io.env[options.newPasswordEnv];
    if (value === undefined || value === '') {
      throw usageError(`The environment variable ${options.newPasswordEnv} named by --new-password-env is not set or is empty. Nothing was changed.`);
    }
    return value;
  }
  if (io.stdinIsTTY !== true || !io.readSecret) {
    throw usageError(
      'change-password needs the new password, and there is no terminal to ask for it (hidden) here. ' +
        'Put it in an environment variable and name the variable with --new-password-env VAR. Nothing was changed.',
    );
  }
  const first = await io.readSecret(`New password for ${forWhom}: `);
  if (first === '') throw usageError('No new password was entered. Nothing was changed.');
  const second = await io.readSecret('Type the new password again: ');
  if (second !== first) throw usageError('The two new passwords were not the same. Nothing was changed.');
  return first;
}

/** Nothing was changed because the registry changes passwords elsewhere: exit 1, with where. */
function changedElsewhere(out: Output, message: string, facts: Record<string, unknown>): ExitCode {
  out.err(`registry-transfer: ${message}`);
  if (out.json) out.document({ ok: false, changed: false, message, exitCode: EXIT.failed, ...facts });
  return EXIT.failed;
}

export async function changePasswordCommand(options: CommandOptions, out: Output, io: CliIo): Promise<ExitCode> {
  const registry: Registry = await chooseRegistry(options, io);
  const { profile, protocol } = registry;
  const username = checkedUsername(options.user, profile);
  const method = changeMethodFor(profile, protocol);
  const facts = { profile: { id: profile.id, name: profile.name }, protocol, username, method };

  if (method === 'web-page') {
    const url = profile.passwordChange.webPageUrl as string;
    return changedElsewhere(
      out,
      `${profile.name} changes ${protocol.toUpperCase()} passwords on its web page, which registry-transfer cannot do for you: open ${url} in a browser and change it there. Then save the new password in the desktop app (or give it to scheduled jobs with --password-env).`,
      { ...facts, url },
    );
  }

  const newPassword = await readNewPassword(options, io, `${username} at ${profile.name}`);
  out.hide(newPassword);
  const typed = passwordFromEnv(options.passwordEnv, io.env);
  if (typed !== undefined) out.hide(typed);
  const problems = checkPasswordRules(profile.passwordChange.rules, newPassword, typed);
  if (problems.length > 0) throw usageError(`The new password does not meet ${profile.name}'s rules. ${problems.join(' ')} Nothing was sent.`);

  // Only the methods where the server demands the change at sign-in take the new password there.
  const answeredAtSignIn = method === 'server-prompt' || method === 'pass-old-new';
  // Saved on confirmation: the new password when the registry takes it at sign-in (and the current
  // one with it, should no demand come); for a command sent after sign-in, only the new one.
  const run = await signInForRun(registry, options, io, out, answeredAtSignIn ? { newPassword, rememberPassword: true } : {});
  const { engine, session, opened } = run;
  const connection = { ...facts, host: opened.host, port: opened.port, fingerprint: opened.identity.fingerprint };
  const finish = async (message: string, notices: string[]): Promise<ExitCode> => {
    engine.firstLogin.markChanged(profile.id, username);
    const kept = await engine.keychain.use((k) => k.saved(engine.accountOf(session)));
    const saved = kept.ok && kept.value.current === newPassword;
    if (out.json) out.document({ ok: true, changed: true, message, notices, savedInKeychain: saved, exitCode: EXIT.done, ...connection });
    else out.out([message, ...notices]);
    return EXIT.done;
  };
  try {
    if (session.request.password === newPassword) {
      // The registry asked for a new password at sign-in and took this one (or had already taken it
      // in a change whose answer was lost, and the keychain found it).
      const notices = run.notices.filter((n) => !n.startsWith('The registry accepted'));
      const headline = run.notices.find((n) => n.startsWith('The registry accepted')) ?? 'The registry accepted your new password.';
      return await finish(headline, notices);
    }
    const command = siteCommandFor(profile, method);
    if (command === null) {
      const url = profile.passwordChange.webPageUrl;
      return changedElsewhere(out, onlyWhenAskedFailure(profile).message, { ...connection, ...(url ? { url } : {}) });
    }
    const done = await engine.changePasswordOn(session, command, newPassword, true);
    if (done.result.ok) return await finish(done.result.message, [...run.notices, ...done.result.notices]);
    const failure = done.result;
    const exitCode = EXIT_CODE_FOR[failure.code];
    out.fail(new CliError(failure.code, failure.message, failure.detail), connection);
    return exitCode;
  } finally {
    await engine.disconnect();
  }
}
