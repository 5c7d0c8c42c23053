// How each registry has its users change a password (the profile's `passwordChange.methods`), the
// voluntary change after a normal login (FTPS `SITE PSWD` / `SITE CPWD`), the change made on the
// registry's web page, whether an account has made its first-login change yet, and what to do about
// a forgotten password. The change a server demands at sign-in is answered in sign-in.ts.
import { failure, type CallResults, type Failure, type PasswordChangeMethod, type Protocol, type SupportContact } from '../../../shared/contract';
import { checkPasswordRules } from '../../../shared/password-rules';
import type { Profile } from '../profiles';
import { ftpPasswordProblem, type SiteChangeResult, type SitePasswordCommand } from '../remote/remote-fs';
import type { SettingsStore } from '../settings/settings-store';
import { newPasswordNotKeptNotice, notSavedNotice, type KeychainAccess } from './keychain';
import { vaultAccount } from './vault';

export function changeMethodFor(profile: Profile, protocol: Protocol): PasswordChangeMethod {
  return profile.passwordChange.methods[protocol];
}

/** The voluntary command a method stands for, or null when the app cannot send one. */
export function siteCommandFor(profile: Profile, method: PasswordChangeMethod): SitePasswordCommand | null {
  if (method === 'site-pswd') return { method, quoted: profile.passwordChange.sitePswd.quoted };
  if (method === 'site-cpwd') return { method };
  return null;
}

const COMMAND_NAME: Record<SitePasswordCommand['method'], string> = { 'site-pswd': 'SITE PSWD', 'site-cpwd': 'SITE CPWD' };

const webPage = (profile: Profile) => profile.passwordChange.webPageUrl;

/**
 * Why a new password given at sign-in cannot answer a demand for this registry and protocol; null
 * when it can. SFTP servers ask in the protocol itself; over FTPS only WS_FTP's `PASS old new` is
 * an answer at sign-in, and it carries both passwords on one line.
 */
export function demandedChangeProblem(profile: Profile, protocol: Protocol, loginPasswords: readonly string[], newPassword: string): string | null {
  if (protocol === 'sftp') return null;
  const method = changeMethodFor(profile, protocol);
  if (method === 'pass-old-new') return ftpPasswordProblem('pass-old-new', false, [...loginPasswords, newPassword]);
  if (method === 'web-page') {
    return `${profile.name} does not change passwords at sign-in over FTPS. Change it on its web page (${webPage(profile)}), then sign in with the new one.`;
  }
  return `${profile.name} does not change passwords at sign-in over FTPS. Sign in with the current password first, then change it.`;
}

// ---------------------------------------------------------------------------------------------
// First-login bookkeeping
// ---------------------------------------------------------------------------------------------

/** Settings key: `{ '<profile>:<user>': ISO date }`, when the app saw each account change its password. */
export const PASSWORD_CHANGED_AT_KEY = 'passwordChangedAt';

export class FirstLoginRecord {
  constructor(private readonly settings: SettingsStore) {}

  private all(): Record<string, string> {
    const raw = this.settings.get(PASSWORD_CHANGED_AT_KEY);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
    return Object.fromEntries(Object.entries(raw as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
  }

  changedAt(profileId: string, username: string): string | null {
    return this.all()[vaultAccount(profileId, username)] ?? null;
  }

  /** A change was confirmed by the registry, or made on its web page. */
  markChanged(profileId: string, username: string, when: Date = new Date()): void {
    this.settings.set(PASSWORD_CHANGED_AT_KEY, { ...this.all(), [vaultAccount(profileId, username)]: when.toISOString() });
  }

  /** The profile says new accounts must change their password, and this one has not been seen to. */
  isDue(profile: Profile, username: string): boolean {
    return profile.passwordChange.requiredAtFirstLogin && this.changedAt(profile.id, username) === null;
  }
}

// ---------------------------------------------------------------------------------------------
// What the app cannot do itself
// ---------------------------------------------------------------------------------------------

/** The registry changes passwords only at its own demand (SFTP prompt, WS_FTP's 560): say so. */
export function onlyWhenAskedFailure(profile: Profile): Failure {
  const page = webPage(profile);
  return failure(
    'permission-denied',
    page
      ? `This registry changes passwords only when it asks at sign-in, or on its web page (${page}). Nothing was changed.`
      : `This registry changes passwords only when it asks at sign-in. Nothing was changed; ${profile.support.team} can help.`,
  );
}

export const webPageChangeMessage = (profile: Profile, url: string) =>
  `The app cannot change this password itself: ${profile.name} changes it on its web page, now opened in your browser (${url}). ` +
  'Change it there, then enter the new password in the app. The app keeps it and, at the next sign-in, tries the old password once and then the new one once, and keeps the one the registry accepts.';

/**
 * The registry changes passwords when it asks at sign-in, and it did not ask on this connection: its
 * web page is the way left, now opened.
 */
export const notAskedWebPageMessage = (profile: Profile, url: string) =>
  `${profile.name} changes passwords when it asks for a new one at sign-in, and it did not ask this time, so the app cannot change it on this connection. ` +
  `The registry's web page for it is now open in your browser (${url}). Change it there, then enter the new password in the app. ` +
  'The app keeps it and, at the next sign-in, tries the old password once and then the new one once, and keeps the one the registry accepts.';

export const markedChangedMessage = (profile: Profile, username: string) =>
  `Noted: the password for ${username} at ${profile.name} was already changed, so the app will not ask you to change it again. ` +
  'Nothing was changed on the registry or in the keychain. If the app cannot sign in next time, type the new password.';

export function storedChangeMessage(profile: Profile, saved: boolean): string {
  return saved
    ? `The new password is saved in the system keychain. At the next sign-in to ${profile.name} the app tries the old password once and then the new one once, and keeps the one the registry accepts.`
    : `The system keychain is not available, so the new password was not saved. The next time you sign in to ${profile.name}, type the new password.`;
}

export function forgotPasswordAdvice(profile: Profile): CallResults['forgotPassword'] {
  const support: SupportContact = { ...profile.support };
  // Whom to contact is in `support` only: the window lists it beside this message.
  const message = [
    `${profile.name} does not keep passwords where anyone can read them back, so a forgotten password cannot be recovered, only reset by the registry.`,
    profile.passwordChange.resetBy ?? `Ask ${support.team} to reset it.`,
    'After a reset, sign in with the password the registry gives you; it will ask you to choose a new one.',
  ].join(' ');
  return { ok: true, message, support, webPageUrl: webPage(profile) };
}

// ---------------------------------------------------------------------------------------------
// A voluntary change over FTPS (SITE PSWD / SITE CPWD)
// ---------------------------------------------------------------------------------------------

export interface SiteChangeRequest {
  profile: Profile;
  account: string;
  command: SitePasswordCommand;
  oldPassword: string;
  newPassword: string;
  /** Keep the new password saved once confirmed (the old one was saved, or the user asked). */
  remember: boolean;
  keychain: KeychainAccess;
  /** Send the command on a live connection of the account (never twice once it has left). */
  send: (command: SitePasswordCommand, oldPassword: string, newPassword: string) => Promise<SiteChangeResult>;
}

export interface SiteChangeDone {
  outcome: SiteChangeResult['outcome'] | 'not-attempted';
  result: CallResults['changePassword'];
}

/** Check, keep the new password as pending, send once, then confirm, abandon or keep both. */
export async function changeOnConnection(request: SiteChangeRequest): Promise<SiteChangeDone> {
  const { profile, account, command, oldPassword, newPassword, remember, keychain } = request;
  const notAttempted = (result: CallResults['changePassword']): SiteChangeDone => ({ outcome: 'not-attempted', result });
  const problems = checkPasswordRules(profile.passwordChange.rules, newPassword, oldPassword);
  if (problems.length > 0) {
    return notAttempted(failure('invalid-input', `The new password does not meet ${profile.name}'s rules. ${problems.join(' ')} Nothing was sent.`));
  }
  const quoted = command.method === 'site-pswd' && command.quoted;
  const unsendable = ftpPasswordProblem(command.method, quoted, command.method === 'site-cpwd' ? [newPassword] : [oldPassword, newPassword]);
  if (unsendable !== null) return notAttempted(failure('invalid-input', `${unsendable} Nothing was sent.`));

  const notices: string[] = [];
  // Pending before anything is sent: whatever happens next, the new password is not lost.
  const kept = await keychain.use((k) => k.beginChange(account, newPassword));
  if (!kept.ok) notices.push(newPasswordNotKeptNotice(kept.error));

  const sent = await request.send(command, oldPassword, newPassword);
  const page = webPage(profile);
  switch (sent.outcome) {
    case 'accepted': {
      const settled = await keychain.use((k) => k.settle(account, newPassword, remember));
      if (!settled.ok && remember && kept.ok) notices.push(notSavedNotice(settled.error));
      const saved = settled.ok && settled.value.saved;
      return {
        outcome: 'accepted',
        result: {
          ok: true,
          method: command.method,
          changed: true,
          message: `The registry accepted your new password.${saved ? ' It is saved in the system keychain.' : ''}`,
          notices,
        },
      };
    }
    case 'refused':
      await keychain.use((k) => k.abandonChange(account));
      return {
        outcome: 'refused',
        result: failure(
          'password-change-required',
          'The registry did not accept the new password, so the password was not changed. Choose a different one (the registry may have rules of its own) and try again.',
          sent.detail,
        ),
      };
    case 'unsupported':
      await keychain.use((k) => k.abandonChange(account));
      return {
        outcome: 'unsupported',
        result: failure(
          'permission-denied',
          `The registry's server does not take ${COMMAND_NAME[command.method]}, the way ${profile.name}'s profile says passwords are changed, so nothing was changed.${page ? ` Change it on the registry's web page (${page}).` : ` Ask ${profile.support.team} how to change it.`}`,
          sent.detail,
        ),
      };
    case 'not-sent':
      await keychain.use((k) => k.abandonChange(account));
      return {
        outcome: 'not-sent',
        result: failure('unreachable', `The connection to ${profile.name} was lost before the new password was sent, so nothing was changed. Try again.`, sent.detail),
      };
    case 'unknown':
      return {
        outcome: 'unknown',
        result: failure(
          'unreachable',
          `The connection to ${profile.name} ended before it confirmed the new password, so the password may or may not have been changed. ${
            kept.ok ? 'The app keeps both the old and the new password, and next time tries each once.' : 'If the old password is refused next time, sign in with the new one.'
          }`,
          sent.detail,
        ),
      };
  }
}
