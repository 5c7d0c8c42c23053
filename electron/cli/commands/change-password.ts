// `registry-transfer change-password`: the desktop app's password change from the command line. The
// new password comes from --new-password-env VAR or a hidden prompt (asked twice), is checked against
// the registry's rules, and is kept in the keychain as pending before it leaves this computer. Then
// the same flow as the app: sign in (answering the registry's demand for a new password, if it makes
// one), or sign in and send the profile's change command; the keychain ends with the password the
// registry has. A registry that changes passwords only on its web page is pointed to.
import { checkPasswordRules } from '../../../shared/password-rules';
import { KeytarVault } from '../../engine/credentials/keytar-vault';
import { KeychainAccess } from '../../engine/credentials/keychain';
import { changeMethodFor, changeOnConnection, FirstLoginRecord, onlyWhenAskedFailure, siteCommandFor } from '../../engine/credentials/password-change';
import { signIn, type SignedIn } from '../../engine/credentials/sign-in';
import { isFtpsFs, type SiteChangeResult, type SitePasswordCommand } from '../../engine/remote/ftps';
import { RemoteError, type RemoteFs } from '../../engine/remote/remote-fs';
import { openVerified, type OpenDeps, type OpenedConnection, type OpenRequest } from '../../engine/session/open-verified';
import { sameFingerprint } from '../../engine/trust/fingerprint';
import { TrustStore } from '../../engine/trust/trust-store';
import type { CommandOptions } from '../args';
import { CliError, toCliError, usageError } from '../errors';
import { EXIT, EXIT_CODE_FOR, type ExitCode } from '../exit-codes';
import type { CliIo, Output } from '../output';
import { NO_PASSWORD } from '../password';
import { checkedUsername, chooseRegistry, type Registry } from '../session';
import { commandLineAsker, notTheGivenIdentity } from '../trust';

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

/** The current password from --password-env, or undefined for the keychain's. */
function currentFromEnv(options: CommandOptions, io: CliIo): string | undefined {
  if (options.passwordEnv === undefined) return undefined;
  const value = io.env[options.passwordEnv];
  if (value === undefined || value === '') {
    throw new CliError('no-password', `No password available: the environment variable ${options.passwordEnv} named by --password-env is not set or is empty.`);
  }
  return value;
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
  const typed = currentFromEnv(options, io);
  if (typed !== undefined) out.hide(typed);
  const problems = checkPasswordRules(profile.passwordChange.rules, newPassword, typed);
  if (problems.length > 0) throw usageError(`The new password does not meet ${profile.name}'s rules. ${problems.join(' ')} Nothing was sent.`);

  const keychain = new KeychainAccess(new KeytarVault());
  const deps: OpenDeps = {
    trust: new TrustStore(registry.settings),
    allowedOnce: new Set(),
    ask: commandLineAsker(options.trust, profile, registry.settings.file),
  };
  const base: Omit<OpenRequest, 'password'> = {
    profile,
    protocol,
    username,
    ...(options.host !== undefined || options.port !== undefined
      ? { endpointOverride: { ...(options.host !== undefined ? { host: options.host } : {}), ...(options.port !== undefined ? { port: options.port } : {}) } }
      : {}),
    ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}),
  };
  const open = async (request: OpenRequest): Promise<OpenedConnection> => {
    const opened = await openVerified(request, deps);
    if (options.trust !== undefined && !sameFingerprint(options.trust, opened.identity.fingerprint)) {
      await opened.fs.close();
      throw notTheGivenIdentity(opened.identity, options.trust);
    }
    return opened;
  };
  // Only the methods where the server demands the change at sign-in take the new password there.
  const answeredAtSignIn = method === 'server-prompt' || method === 'pass-old-new';

  let signedIn: SignedIn;
  try {
    // Saved on confirmation: the new password when the registry takes it at sign-in (and the current
    // one with it, should no demand come); for a command sent after sign-in, only the new one.
    signedIn = await signIn(
      { profile, base, typed, rememberPassword: answeredAtSignIn, newPassword: answeredAtSignIn ? newPassword : undefined },
      { keychain, open },
    );
  } catch (error) {
    if (error instanceof RemoteError && (error.code === 'no-password' || error.code === 'keychain-unavailable')) {
      throw new CliError(error.code, `${NO_PASSWORD} ${error.message.replace(/ Enter the password to sign in\..*$/, '')}`, error.detail);
    }
    throw toCliError(error);
  }

  const { opened, account } = signedIn;
  const connection = { ...facts, host: opened.host, port: opened.port, fingerprint: opened.identity.fingerprint };
  const firstLogin = new FirstLoginRecord(registry.settings);
  const finish = async (message: string, notices: string[]): Promise<ExitCode> => {
    firstLogin.markChanged(profile.id, username);
    const kept = await keychain.use((k) => k.saved(account));
    const saved = kept.ok && kept.value.current === newPassword;
    if (out.json) out.document({ ok: true, changed: true, message, notices, savedInKeychain: saved, exitCode: EXIT.done, ...connection });
    else out.out([message, ...notices]);
    return EXIT.done;
  };
  let fs: RemoteFs = opened.fs;
  try {
    if (signedIn.request.password === newPassword) {
      // The registry asked for a new password at sign-in and took this one (or had already taken it
      // in a change whose answer was lost, and the keychain found it).
      const notices = signedIn.notices.filter((n) => !n.startsWith('The registry accepted'));
      const headline = signedIn.notices.find((n) => n.startsWith('The registry accepted')) ?? 'The registry accepted your new password.';
      return await finish(headline, notices);
    }
    const command = siteCommandFor(profile, method);
    if (command === null) {
      const url = profile.passwordChange.webPageUrl;
      return changedElsewhere(out, onlyWhenAskedFailure(profile).message, { ...connection, ...(url ? { url } : {}) });
    }
    const send = async (c: SitePasswordCommand, o: string, n: string): Promise<SiteChangeResult> => {
      const sendOn = (on: RemoteFs) => (isFtpsFs(on) ? on.changePassword(c, o, n) : Promise.resolve<SiteChangeResult>({ outcome: 'unsupported' }));
      let result = await sendOn(fs);
      if (result.outcome === 'not-sent') {
        await fs.close();
        try {
          fs = (await open(signedIn.request)).fs;
        } catch {
          return result;
        }
        result = await sendOn(fs);
      }
      return result;
    };
    const done = await changeOnConnection({
      profile,
      account,
      command,
      oldPassword: signedIn.request.password,
      newPassword,
      remember: true,
      keychain,
      send,
    });
    if (done.result.ok) return await finish(done.result.message, [...signedIn.notices, ...done.result.notices]);
    const failure = done.result;
    const exitCode = EXIT_CODE_FOR[failure.code];
    out.fail(new CliError(failure.code, failure.message, failure.detail), connection);
    return exitCode;
  } finally {
    await fs.close();
  }
}
