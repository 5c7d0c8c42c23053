// One sign-in, shared by the window and the CLI (issue 12, item 8), over the in-memory server and a
// keychain in memory: which passwords are tried and in what order (one attempt each, never more
// than two), which one the keychain keeps afterwards, and what the user reads, for typed and saved
// passwords and for a change the server demands at sign-in, whatever its end.
import { describe, expect, it } from 'vitest';
import { KeychainAccess, notSavedNotice } from '../../../../electron/engine/credentials/keychain';
import { NEW_PASSWORD_ACCEPTED, NEW_PASSWORD_SAVED, PENDING_PROMOTED, signIn, type SignInRequest } from '../../../../electron/engine/credentials/sign-in';
import { VaultError } from '../../../../electron/engine/credentials/vault';
import { parseProfile } from '../../../../electron/engine/profiles';
import { texasImmTrac2 } from '../../../../electron/engine/profiles/builtin';
import type { Protocol } from '../../../../shared/contract';
import { RemoteError } from '../../../../electron/engine/remote/remote-fs';
import { MemoryServer, type AccountOptions } from '../../../support/memory-remote-fs';
import { MemoryVault } from '../../../support/memory-vault';

const profile = parseProfile(texasImmTrac2);
const SUPPORT = profile.support.team;
const ACCOUNT = 'texas-immtrac2:TX1234';
const PENDING = `${ACCOUNT}#pending`;
const OLD = 'Old-Password-1!';
const NEW = 'New-Password-2@';
const TYPED = 'Typed-Password-3#';

interface Setup {
  /** The password the registry has, and what it does at sign-in. */
  server: Omit<AccountOptions, 'home'>;
  /** What the keychain holds before. */
  saved?: Record<string, string>;
  protocol?: Protocol;
}

function registry({ server: account, saved = {}, protocol = 'sftp' }: Setup) {
  const server = new MemoryServer({ protocol, usernameLabel: profile.username.label, supportTeam: SUPPORT }).account('TX1234', account);
  const vault = new MemoryVault(saved);
  const keychain = new KeychainAccess(vault);
  const attempt = (request: Partial<Pick<SignInRequest, 'typed' | 'rememberPassword' | 'newPassword'>> = {}) =>
    signIn({ profile, base: { profile, protocol, username: 'TX1234' }, typed: undefined, rememberPassword: false, newPassword: undefined, ...request }, { keychain, open: server.openVerified });
  /** The passwords the server was given, in order: one per attempt. */
  const tried = () => server.signIns.map((s) => s.password);
  return { server, vault, attempt, tried };
}

const failureOf = (promise: Promise<unknown>): Promise<RemoteError> =>
  promise.then(
    () => {
      throw new Error('expected the sign-in to fail');
    },
    (error: unknown) => {
      if (!(error instanceof RemoteError)) throw error;
      return error;
    },
  );

const REFUSED_LOGIN = `The registry did not accept that import code and password. The app tried only once, so repeated attempts will not lock the account. If the password is forgotten, only the registry can reset it (${SUPPORT}).`;

describe('saved passwords: current, then pending, one attempt each', () => {
  it('the current password works: one attempt, the keychain untouched, nothing to say', async () => {
    const { vault, attempt, tried } = registry({ server: { password: OLD }, saved: { [ACCOUNT]: OLD } });
    const signedIn = await attempt();
    expect(tried()).toEqual([OLD]);
    expect(vault.saved()).toEqual({ [ACCOUNT]: OLD });
    expect(vault.writes).toBe(0);
    expect(signedIn.notices).toEqual([]);
    expect(signedIn.changeConfirmed).toBe(false);
    expect(signedIn.request.password).toBe(OLD);
    expect(signedIn.opened.fs.usable).toBe(true);
  });

  it('a password changed on the web page (pending) after the current one failed: both tried in order, and the pending one kept as current', async () => {
    const { vault, attempt, tried } = registry({ server: { password: NEW }, saved: { [ACCOUNT]: OLD, [PENDING]: NEW } });
    const signedIn = await attempt();
    expect(tried()).toEqual([OLD, NEW]);
    expect(vault.saved()).toEqual({ [ACCOUNT]: NEW });
    expect(signedIn.notices).toEqual([PENDING_PROMOTED]);
    expect(signedIn.changeConfirmed).toBe(true);
    // What reopens the connection later is the password that worked.
    expect(signedIn.request.password).toBe(NEW);
    expect(signedIn.request.newPassword).toBeUndefined();
  });

  it('the current password still works though a change was pending: the change never reached the server, so pending goes', async () => {
    const { vault, attempt, tried } = registry({ server: { password: OLD }, saved: { [ACCOUNT]: OLD, [PENDING]: NEW } });
    await attempt();
    expect(tried()).toEqual([OLD]);
    expect(vault.saved()).toEqual({ [ACCOUNT]: OLD });
  });

  it('neither works: each tried once, both kept, and the user is told the account was not put at risk', async () => {
    const { vault, attempt, tried } = registry({ server: { password: 'Something-Else-9!' }, saved: { [ACCOUNT]: OLD, [PENDING]: NEW } });
    const error = await failureOf(attempt());
    expect(tried()).toEqual([OLD, NEW]);
    expect(error.code).toBe('auth-failed');
    expect(error.message).toBe(
      `The registry accepted neither the saved password nor the new password from the last password change. The app tried each once, so the account is not locked by repeated attempts. If the password is forgotten, only the registry can reset it (${SUPPORT}).`,
    );
    expect(vault.saved()).toEqual({ [ACCOUNT]: OLD, [PENDING]: NEW });
  });

  it('only a current password, refused: one attempt, the server\'s words, and it stays saved', async () => {
    const { vault, attempt, tried } = registry({ server: { password: NEW }, saved: { [ACCOUNT]: OLD } });
    const error = await failureOf(attempt());
    expect(tried()).toEqual([OLD]);
    expect(error.message).toBe(REFUSED_LOGIN);
    expect(vault.saved()).toEqual({ [ACCOUNT]: OLD });
  });

  it('nothing saved and nothing typed: no attempt, and the user is asked for the password', async () => {
    const { attempt, tried } = registry({ server: { password: OLD } });
    const error = await failureOf(attempt());
    expect(error.code).toBe('no-password');
    expect(error.message).toBe('No password is saved for TX1234 at Texas ImmTrac2. Enter the password to sign in. (A locked system keychain also shows none saved.)');
    expect(tried()).toEqual([]);
  });

  it('a keychain that cannot be used, and nothing typed: no attempt, and its reason said', async () => {
    const { vault, attempt, tried } = registry({ server: { password: OLD }, saved: { [ACCOUNT]: OLD } });
    vault.unavailable = 'it is locked.';
    const error = await failureOf(attempt());
    expect(error.code).toBe('keychain-unavailable');
    expect(error.message).toBe('The system keychain is not available: it is locked. Enter the password to sign in.');
    expect(tried()).toEqual([]);
  });
});

describe('a typed password', () => {
  it('is tried alone and saved only when the user asks', async () => {
    const once = registry({ server: { password: TYPED } });
    const notKept = await once.attempt({ typed: TYPED });
    expect(once.tried()).toEqual([TYPED]);
    expect(once.vault.saved()).toEqual({});
    expect(notKept.notices).toEqual([]);

    const remembered = registry({ server: { password: TYPED } });
    const kept = await remembered.attempt({ typed: TYPED, rememberPassword: true });
    expect(remembered.vault.saved()).toEqual({ [ACCOUNT]: TYPED });
    expect(kept.notices).toEqual(['The password is now saved in the system keychain.']);
  });

  it('stands in for the saved current one; a pending one is still tried after it, and kept when it works', async () => {
    const { vault, attempt, tried } = registry({ server: { password: NEW }, saved: { [ACCOUNT]: OLD, [PENDING]: NEW } });
    const signedIn = await attempt({ typed: TYPED });
    expect(tried()).toEqual([TYPED, NEW]);
    expect(vault.saved()).toEqual({ [ACCOUNT]: NEW });
    expect(signedIn.notices).toEqual([PENDING_PROMOTED]);
  });

  it('refused, with a pending one refused too: the message names the typed password, never a password itself', async () => {
    const { attempt, tried } = registry({ server: { password: 'Something-Else-9!' }, saved: { [ACCOUNT]: OLD, [PENDING]: NEW } });
    const error = await failureOf(attempt({ typed: TYPED }));
    expect(tried()).toEqual([TYPED, NEW]);
    expect(error.message).toMatch(/^The registry accepted neither the password you typed nor the new password from the last password change\./);
    for (const password of [TYPED, NEW, OLD]) expect(`${error.message} ${error.detail ?? ''}`).not.toContain(password);
  });

  it('the same as the pending one: tried once, not twice', async () => {
    const { attempt, tried } = registry({ server: { password: 'Something-Else-9!' }, saved: { [ACCOUNT]: OLD, [PENDING]: NEW } });
    const error = await failureOf(attempt({ typed: NEW }));
    expect(tried()).toEqual([NEW]);
    expect(error.message).toBe(REFUSED_LOGIN);
  });

  it('with a keychain that cannot be used: signed in all the same, and told the password was not saved', async () => {
    const { vault, attempt, tried } = registry({ server: { password: TYPED } });
    vault.unavailable = 'it is locked.';
    const signedIn = await attempt({ typed: TYPED, rememberPassword: true });
    expect(tried()).toEqual([TYPED]);
    expect(signedIn.notices).toEqual([notSavedNotice(new VaultError('The system keychain is not available: it is locked.'))]);
    expect(signedIn.notices[0]).toBe('The system keychain is not available, so the password was not saved. You will be asked for it each time. It is locked.');
  });
});

describe('a change the server demands at sign-in', () => {
  it('without a new password: one attempt, the user is asked for one, and the keychain is untouched', async () => {
    const { vault, attempt, tried } = registry({ server: { password: OLD, demandChange: 'accept' }, saved: { [ACCOUNT]: OLD } });
    const error = await failureOf(attempt());
    expect(tried()).toEqual([OLD]);
    expect(error.code).toBe('password-change-required');
    expect(error.message).toBe('The registry asks you to choose a new password before you can sign in.');
    expect(vault.saved()).toEqual({ [ACCOUNT]: OLD });
  });

  it('accepted: the server has the new password, the keychain keeps only it, and the user hears both', async () => {
    const { server, vault, attempt, tried } = registry({ server: { password: OLD, demandChange: 'accept' }, saved: { [ACCOUNT]: OLD } });
    const signedIn = await attempt({ newPassword: NEW });
    expect(tried()).toEqual([OLD]);
    expect(server.passwordOf('TX1234')).toBe(NEW);
    expect(vault.saved()).toEqual({ [ACCOUNT]: NEW });
    expect(signedIn.notices).toEqual([`${NEW_PASSWORD_ACCEPTED} ${NEW_PASSWORD_SAVED}`]);
    expect(signedIn.changeConfirmed).toBe(true);
    expect(signedIn.request.password).toBe(NEW);
    expect(signedIn.request.newPassword).toBeUndefined();
  });

  it('accepted for a typed password the user did not ask to save: nothing is left in the keychain', async () => {
    const { vault, attempt } = registry({ server: { password: TYPED, demandChange: 'accept' } });
    const signedIn = await attempt({ typed: TYPED, newPassword: NEW });
    expect(vault.saved()).toEqual({});
    expect(signedIn.notices).toEqual([NEW_PASSWORD_ACCEPTED]);
  });

  it('sent, then the connection dropped with the server holding the new one: both kept, the user told, and the next sign-in finds it in two attempts', async () => {
    const { server, vault, attempt, tried } = registry({ server: { password: OLD, demandChange: 'drop-after-change' }, saved: { [ACCOUNT]: OLD } });
    const error = await failureOf(attempt({ newPassword: NEW }));
    expect(error.code).toBe('unreachable');
    expect(error.message).toBe(
      'The connection to Texas ImmTrac2 ended before it confirmed the new password, so the password may or may not have been changed. The app keeps both the old and the new password, and next time tries each once.',
    );
    expect(vault.saved()).toEqual({ [ACCOUNT]: OLD, [PENDING]: NEW });
    expect(server.passwordOf('TX1234')).toBe(NEW);

    // The next sign-in (a scheduled upload, say): current, then pending, and the one that worked kept.
    const next = await attempt();
    expect(tried()).toEqual([OLD, OLD, NEW]);
    expect(vault.saved()).toEqual({ [ACCOUNT]: NEW });
    expect(next.notices).toEqual([PENDING_PROMOTED]);
  });

  it('sent, then the connection dropped before the server took it: the next sign-in keeps the old one and drops the pending one', async () => {
    const { vault, attempt, tried } = registry({ server: { password: OLD, demandChange: 'drop-before-change' }, saved: { [ACCOUNT]: OLD } });
    await failureOf(attempt({ newPassword: NEW }));
    expect(vault.saved()).toEqual({ [ACCOUNT]: OLD, [PENDING]: NEW });
    // The server still wants a change: the old password is taken as the login, and a new one asked for.
    const again = await failureOf(attempt());
    expect(again.code).toBe('password-change-required');
    expect(tried()).toEqual([OLD, OLD]);
    expect(vault.saved()).toEqual({ [ACCOUNT]: OLD });
  });

  it('refused by the server: the old password stands, the new one is dropped, and the user is asked for another', async () => {
    const { server, vault, attempt, tried } = registry({ server: { password: OLD, demandChange: 'refuse' }, saved: { [ACCOUNT]: OLD } });
    const error = await failureOf(attempt({ newPassword: NEW }));
    expect(tried()).toEqual([OLD]);
    expect(error.code).toBe('password-change-required');
    expect(error.message).toBe(
      'The registry did not accept the new password, so the password was not changed. Choose a different one (the registry may have rules of its own) and try again.',
    );
    expect(server.passwordOf('TX1234')).toBe(OLD);
    expect(vault.saved()).toEqual({ [ACCOUNT]: OLD });
  });

  it('a new password against the registry\'s rules is refused before anything is sent or kept', async () => {
    const { vault, attempt, tried } = registry({ server: { password: OLD, demandChange: 'accept' }, saved: { [ACCOUNT]: OLD } });
    const error = await failureOf(attempt({ newPassword: 'short' }));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toMatch(/^The new password does not meet Texas ImmTrac2's rules\. It needs at least 8 characters \(it has 5\)\. .* Nothing was sent\.$/);
    expect(tried()).toEqual([]);
    expect(vault.saved()).toEqual({ [ACCOUNT]: OLD });
  });

  it('over FTPS, where the change is sent as PASS old new, a password with a space cannot be carried: nothing sent or kept', async () => {
    const { vault, attempt, tried } = registry({ protocol: 'ftps', server: { password: OLD, demandChange: 'accept' }, saved: { [ACCOUNT]: OLD } });
    const error = await failureOf(attempt({ newPassword: 'New Password-2@' }));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toBe(
      "This registry's way of changing passwords sends the old and the new password on one line separated by a space, so neither may contain a space. Nothing was sent.",
    );
    expect(tried()).toEqual([]);
    expect(vault.saved()).toEqual({ [ACCOUNT]: OLD });
  });
});

// A typed password the user did not ask to save, a demanded change, and a drop after the new one was
// sent: the message must not say the app keeps the old password when it keeps only the new one.
it('says only what the keychain holds after an unconfirmed change with a typed, unsaved password', async () => {
  const profile = parseProfile(texasImmTrac2);
  const server = new MemoryServer().account('TX1234', { password: 'Old-Password-1!', demandChange: 'drop-after-change' });
  const vault = new MemoryVault();
  const error = await signIn(
    { profile, base: { profile, protocol: 'sftp', username: 'TX1234' }, typed: 'Old-Password-1!', rememberPassword: false, newPassword: 'New-Password-2@' },
    { keychain: new KeychainAccess(vault), open: server.openVerified },
  ).then(() => null, (e: RemoteError) => e);
  expect(vault.saved()).toEqual({ 'texas-immtrac2:TX1234#pending': 'New-Password-2@' });
  expect(error?.message).not.toContain('keeps both the old and the new password');
});
