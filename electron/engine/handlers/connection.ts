// The calls that sign in and out, and say what the app is and which registries it knows.
import { failure, type CallHandlers, type Protocol } from '../../../shared/contract';
import type { Engine } from '../engine';
import { demandedChangeProblem } from '../credentials/password-change';
import { summarizeProfile } from '../profiles';
import { answering } from './call-failure';

type ConnectionCalls = Pick<CallHandlers, 'getAppInfo' | 'listProfiles' | 'connect' | 'disconnect' | 'openWebClient'>;

export function connectionHandlers(engine: Engine): ConnectionCalls {
  const { ports, catalog } = engine;
  return {
    async getAppInfo() {
      return { ok: true, name: ports.appInfo.name, version: ports.appInfo.version, platform: process.platform };
    },

    async listProfiles() {
      const practiceId = ports.practice?.profile().id;
      const profiles = catalog.all().map((e) => {
        const summary = summarizeProfile(e.profile, e.builtIn);
        return e.profile.id === practiceId && ports.practice
          ? { ...summary, practice: { ...ports.practice.account(), samplesFolder: ports.practice.samplesFolder() } }
          : summary;
      });
      return { ok: true, profiles, startWith: engine.startWith() };
    },

    connect: ({ profileId, protocol, username, password: typed, rememberPassword = false, newPassword, signInMethod }) =>
      answering(async () => {
        const profile = engine.requireProfile(profileId);
        if (!profile.endpoints.some((e) => e.protocol === protocol)) {
          return failure('invalid-input', `${profile.name} does not offer ${protocol.toUpperCase()}.`);
        }
        if (newPassword !== undefined) {
          // Checked again with the saved passwords in sign-in; this is what needs no keychain.
          const problem = demandedChangeProblem(profile, protocol as Protocol, typed === undefined ? [] : [typed], newPassword);
          if (problem !== null) return failure('invalid-input', `${problem} Nothing was sent.`);
        }
        // The account's key, opened before anything is sent: a key that cannot be used stops here.
        const setting = engine.accountKeys.get(profileId, username);
        const method = protocol === 'ftps' ? 'password' : (signInMethod ?? setting.method);
        if (signInMethod !== undefined && signInMethod !== 'password' && protocol !== 'sftp') {
          return failure('invalid-input', 'A key signs in over SFTP only. Choose SFTP, or sign in over FTPS with the password alone. Nothing was sent.');
        }
        let key;
        if (method !== 'password') {
          if (setting.keyPath === null) return failure('key-problem', 'This account has no key yet. Make a key, or choose a key file you already have. Nothing was sent.');
          key = await engine.accountKeys.open(setting.keyPath);
        }
        const { session, notices } = await engine.signIn({
          profile,
          protocol: protocol as Protocol,
          username,
          // Key alone: no password goes to the server, saved or typed.
          typed: method === 'key' ? '' : typed,
          ...(key ? { key } : {}),
          rememberPassword: method === 'key' ? false : rememberPassword,
          ...(newPassword !== undefined ? { newPassword } : {}),
          askForNewPassword: true,
        });
        if (protocol === 'sftp' && method !== setting.method) engine.accountKeys.set(profileId, username, { method });
        return { ok: true, connection: session.info, notices };
      }),

    async disconnect() {
      const was = await engine.disconnect();
      if (was) engine.emitState('disconnected', `Disconnected from ${was.info.profileName}.`);
      return { ok: true };
    },

    openWebClient: ({ profileId }) =>
      answering(async () => {
        const profile = engine.requireProfile(profileId);
        if (!profile.webClientUrl) return failure('not-found', `${profile.name} has no web page for file transfer.`);
        await ports.openExternal(profile.webClientUrl);
        return { ok: true, url: profile.webClientUrl };
      }),
  };
}
