// The calls about passwords: saved or not, forgotten, changed (the registry's command, or its web
// page), a change made elsewhere noted, and what to do about a forgotten one.
import { checkPasswordRules } from '../../../shared/password-rules';
import { failure, type CallHandlers, type Protocol } from '../../../shared/contract';
import type { Engine } from '../engine';
import {
  changeMethodFor,
  forgotPasswordAdvice,
  markedChangedMessage,
  notAskedWebPageMessage,
  onlyWhenAskedFailure,
  siteCommandFor,
  storedChangeMessage,
  webPageChangeMessage,
} from '../credentials/password-change';
import { vaultAccount } from '../credentials/vault';
import { answering } from './call-failure';

type PasswordCalls = Pick<
  CallHandlers,
  'getSavedPassword' | 'forgetPassword' | 'changePassword' | 'storeChangedPassword' | 'markPasswordChanged' | 'forgotPassword'
>;

/** The signed-in account; not connected is the precondition's failure. */
function signedInAccount(engine: Engine): { profileId: string; username: string; protocol: Protocol } {
  const { info } = engine.session();
  return { profileId: info.profileId, username: info.username, protocol: info.protocol };
}

export function passwordHandlers(engine: Engine): PasswordCalls {
  const { keychain, firstLogin, ports } = engine;
  return {
    getSavedPassword: ({ profileId, username }) =>
      answering(async () => {
        engine.requireProfile(profileId);
        const saved = await keychain.hasSaved(vaultAccount(profileId, username));
        return saved.ok ? { ok: true, hasSavedPassword: saved.value } : failure('keychain-unavailable', saved.error.message, saved.error.detail);
      }),

    async forgetPassword({ profileId, username }) {
      const forgotten = await keychain.use((k) => k.forget(vaultAccount(profileId, username)));
      if (!forgotten.ok) return failure('keychain-unavailable', forgotten.error.message, forgotten.error.detail);
      const s = engine.currentSession();
      if (s && s.info.profileId === profileId && s.info.username === username) s.update({ hasSavedPassword: false });
      return { ok: true, forgotten: forgotten.value };
    },

    changePassword: ({ newPassword, account: named }) =>
      answering(async () => {
        const s = engine.currentSession();
        // Another login named (a web page needs no connection), or the signed-in one.
        const { profileId, username, protocol } = named ?? signedInAccount(engine);
        const profile = engine.requireProfile(profileId);
        if (!profile.endpoints.some((e) => e.protocol === protocol)) return failure('invalid-input', `${profile.name} does not offer ${protocol.toUpperCase()}.`);

        const method = changeMethodFor(profile, protocol as Protocol);
        if (method === 'web-page') {
          // The schema makes a web-page method come with its page.
          const url = profile.passwordChange.webPageUrl as string;
          await ports.openExternal(url);
          return { ok: true, method, changed: false, url, message: webPageChangeMessage(profile, url), notices: [] };
        }
        const command = siteCommandFor(profile, method);
        if (command === null) {
          // A change the server demands is answered at sign-in (a new-password request); without a
          // demand the registry's web page is the way left, when it has one.
          const url = profile.passwordChange.webPageUrl;
          if (url === null) return onlyWhenAskedFailure(profile);
          await ports.openExternal(url);
          return { ok: true, method: 'web-page', changed: false, url, message: notAskedWebPageMessage(profile, url), notices: [] };
        }
        const connected = s && s.info.profileId === profile.id && s.info.username === username && s.info.protocol === protocol ? s : null;
        if (!connected) return failure('not-connected', `Sign in to ${profile.name} as ${username} first: the registry changes the password of a signed-in account.`);
        if (newPassword === undefined) return failure('invalid-input', 'Enter the new password (twice), then try again.');
        return (await engine.changePasswordOn(connected, command, newPassword, connected.info.hasSavedPassword)).result;
      }),

    storeChangedPassword: ({ newPassword, profileId, username }) =>
      answering(async () => {
        const s = engine.currentSession();
        const target = profileId !== undefined && username !== undefined ? { profileId, username } : signedInAccount(engine);
        const profile = engine.requireProfile(target.profileId);
        const connected = s && s.info.profileId === profile.id && s.info.username === target.username ? s : null;
        const problems = checkPasswordRules(profile.passwordChange.rules, newPassword, connected?.request.password);
        if (problems.length > 0) {
          return failure('invalid-input', `That is not a password ${profile.name} would have taken. ${problems.join(' ')} Nothing was saved.`);
        }
        // Pending, not current: the app has not seen the registry take it. The next sign-in proves it.
        const kept = await keychain.use((k) => k.beginChange(vaultAccount(profile.id, target.username), newPassword));
        firstLogin.markChanged(profile.id, target.username);
        if (connected) {
          connected.update({ passwordChangeDue: false });
          connected.passwordInDoubt(connected.request.password, newPassword, true);
        }
        return { ok: true, saved: kept.ok, message: storedChangeMessage(profile, kept.ok) };
      }),

    markPasswordChanged: () =>
      answering(async () => {
        const s = engine.session();
        const profile = engine.requireProfile(s.info.profileId);
        firstLogin.markChanged(profile.id, s.info.username);
        const connection = s.update({ passwordChangeDue: false });
        return { ok: true, connection, message: markedChangedMessage(profile, s.info.username) };
      }),

    forgotPassword: ({ profileId }) => answering(async () => forgotPasswordAdvice(engine.requireProfile(profileId))),
  };
}
