// One sign-in to a registry, shared by the window's Connect and the CLI: the typed password or the
// saved ones (current, then pending: never more than two attempts), a change the server demands
// answered when a new password is given, and the keychain left holding the password the registry
// now has. A crash or a drop at any point leaves one of the saved passwords working.
import { checkPasswordRules } from '../../../shared/password-rules';
import type { Profile } from '../profiles';
import { RemoteError, type PasswordChangeStep } from '../remote/remote-fs';
import type { OpenedConnection, OpenRequest } from '../session/open-verified';
import { KEYCHAIN_UNAVAILABLE, newPasswordNotKeptNotice, notSavedNotice, type Keychain, type KeychainAccess } from './keychain';
import { demandedChangeProblem } from './password-change';
import type { PasswordKeeper } from './password-keeper';
import { vaultAccount } from './vault';

export const PENDING_PROMOTED = 'The registry accepted the new password you set last time; it is now the saved password.';
export const NEW_PASSWORD_ACCEPTED = 'The registry accepted your new password.';
export const NEW_PASSWORD_SAVED = 'It is saved in the system keychain.';

export interface SignInRequest {
  profile: Profile;
  /** Everything about the connection but the passwords (protocol, endpoint override, timeout). */
  base: Omit<OpenRequest, 'password' | 'newPassword' | 'onPasswordChange'>;
  typed: string | undefined;
  rememberPassword: boolean;
  newPassword: string | undefined;
}

export interface SignInDeps {
  keychain: KeychainAccess;
  /** Open one verified connection (the caller serialises them). */
  open: (request: OpenRequest) => Promise<OpenedConnection>;
}

export interface SignedIn {
  opened: OpenedConnection;
  /** What reopens this connection later: the password that works, and no new password. */
  request: OpenRequest;
  notices: string[];
  account: string;
  /** The registry took a new password: just now, or (a pending one that worked) after an earlier change. */
  changeConfirmed: boolean;
}

export async function signIn({ profile, base, typed, rememberPassword, newPassword }: SignInRequest, { keychain, open }: SignInDeps): Promise<SignedIn> {
  const { username } = base;
  const account = vaultAccount(profile.id, username);
  const notices: string[] = [];
  const saved = await keychain.use((k) => k.loginCandidates(account));
  if (typed === undefined) {
    if (!saved.ok) throw new RemoteError('keychain-unavailable', `${saved.error.message} Enter the password to sign in.`, saved.error.detail);
    if (saved.value.length === 0) {
      throw new RemoteError(
        'no-password',
        `No password is saved for ${username} at ${profile.name}. Enter the password to sign in. (A locked system keychain also shows none saved.)`,
      );
    }
  }
  const savedCandidates = saved.ok ? saved.value : [];
  const current = savedCandidates.find((c) => c.source === 'current')?.password ?? null;
  // A typed password stands in for the saved current one; a pending one is still tried after it.
  const candidates =
    typed === undefined
      ? savedCandidates.map((c) => c.password)
      : [typed, ...savedCandidates.filter((c) => c.source === 'pending' && c.password !== typed).map((c) => c.password)];
  // A password from the keychain stays there; a typed one is saved only when the user asks.
  const remember = typed === undefined || rememberPassword;

  let changeKept = false;
  if (newPassword !== undefined) {
    const problems = checkPasswordRules(profile.passwordChange.rules, newPassword, candidates[0]);
    if (problems.length > 0) {
      throw new RemoteError('invalid-input', `The new password does not meet ${profile.name}'s rules. ${problems.join(' ')} Nothing was sent.`);
    }
    const unsendable = demandedChangeProblem(profile, base.protocol, candidates, newPassword);
    if (unsendable !== null) throw new RemoteError('invalid-input', `${unsendable} Nothing was sent.`);
    // Pending before anything is sent: whatever happens next, the new password is not lost.
    const kept = await keychain.use((k) => k.beginChange(account, newPassword));
    changeKept = kept.ok;
    if (!kept.ok) notices.push(newPasswordNotKeptNotice(kept.error));
  }

  let opened: OpenedConnection | null = null;
  let accepted: string | null = null;
  let step: PasswordChangeStep | null = null;
  let failed: unknown = null;
  for (let i = 0; i < candidates.length; i++) {
    const password = candidates[i] as string;
    const progress: { step: PasswordChangeStep | null } = { step: null };
    try {
      opened = await open({
        ...base,
        password,
        ...(newPassword !== undefined ? { newPassword } : {}),
        onPasswordChange: (s) => {
          progress.step = s;
        },
      });
      accepted = password;
      step = progress.step;
      failed = null;
      break;
    } catch (error) {
      step = progress.step;
      // Any change prompt means the server took this password as the login.
      if (step !== null) accepted = password;
      failed = error;
      const refusedLogin = error instanceof RemoteError && error.code === 'auth-failed' && step === null;
      if (!(refusedLogin && i + 1 < candidates.length)) break;
    }
  }

  const save = async <T>(op: (k: PasswordKeeper) => Promise<T>): Promise<Keychain<T>> => {
    const done = await keychain.use(op);
    // One sentence about a missing keychain is enough, whichever came first.
    if (!done.ok && remember && !notices.some((n) => n.startsWith(KEYCHAIN_UNAVAILABLE))) notices.push(notSavedNotice(done.error));
    return done;
  };
  let workingPassword = accepted;
  let changeConfirmed = false;
  if (newPassword !== undefined && step === 'accepted') {
    // The server has the new password now: it is the one to keep (a saved old one is stale).
    workingPassword = newPassword;
    changeConfirmed = true;
    const settled = await save((k) => k.settle(account, newPassword, remember || current !== null));
    const savedNow = settled.ok && settled.value.saved;
    notices.unshift(`${NEW_PASSWORD_ACCEPTED}${savedNow ? ` ${NEW_PASSWORD_SAVED}` : ''}`);
  } else if (newPassword !== undefined && step === 'sent') {
    // No answer after the new password left: the server may or may not have it. Keep both.
    if (accepted !== null && remember && accepted !== current) await save((k) => k.keepCurrent(account, accepted as string));
  } else {
    // Refused, or never asked for: the new password did not change anything on the server.
    if (newPassword !== undefined && changeKept) await keychain.use((k) => k.abandonChange(account));
    if (accepted !== null) {
      const settled = await save((k) => k.settle(account, accepted as string, remember));
      if (settled.ok && settled.value.source === 'pending') {
        changeConfirmed = true;
        notices.push(settled.value.saved ? PENDING_PROMOTED : 'The registry accepted the new password you set last time.');
      } else if (settled.ok && settled.value.source === 'typed' && settled.value.saved) {
        notices.push('The password is now saved in the system keychain.');
      }
    }
  }

  if (failed !== null || opened === null) {
    let error = failed;
    if (newPassword !== undefined && step === 'sent' && error instanceof RemoteError) {
      // Say only what the keychain holds: the old password is kept only when it was saved (or asked to be).
      const oldKept = accepted !== null && (remember || accepted === current);
      const kept = !changeKept
        ? 'If the old password is refused next time, sign in with the new one.'
        : oldKept
          ? 'The app keeps both the old and the new password, and next time tries each once.'
          : 'The app keeps the new password, and next time tries it if the one you sign in with is refused.';
      error = new RemoteError(
        // The library may not know what to call a connection that simply ended: it is a drop.
        error.code === 'internal' ? 'unreachable' : error.code,
        `The connection to ${profile.name} ended before it confirmed the new password, so the password may or may not have been changed. ${kept}`,
        error.detail,
      );
    } else if (error instanceof RemoteError && error.code === 'auth-failed' && candidates.length === 2 && step === null) {
      error = new RemoteError(
        'auth-failed',
        `The registry accepted neither the ${typed === undefined ? 'saved password' : 'password you typed'} nor the new password from the last password change. The app tried each once, so the account is not locked by repeated attempts. If the password is forgotten, only the registry can reset it (${profile.support.team}).`,
        error.detail,
      );
    }
    throw error ?? new RemoteError('internal', 'Something went wrong inside the app. Nothing was changed. Please try again.');
  }
  const request: OpenRequest = { ...base, password: workingPassword as string };
  return { opened, request, notices, account, changeConfirmed };
}
