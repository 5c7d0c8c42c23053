// The calls about how an account signs in (issue 15): its method, a key made by the app or chosen
// from a file, and the public key saved for the registry. The private key and its passphrase never
// cross to the window; the window sees the public key, its fingerprint and the file's name.
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { failure, type AccountSignIn, type CallHandlers } from '../../../shared/contract';
import type { Engine } from '../engine';
import { vaultAccount } from '../credentials/vault';
import { RemoteError } from '../remote/remote-fs';
import { answering } from './call-failure';

type KeyCalls = Pick<CallHandlers, 'getAccountSignIn' | 'setAccountSignIn' | 'makeSignInKey' | 'chooseKeyFile' | 'useKeyFile' | 'savePublicKey'>;

export function keyHandlers(engine: Engine): KeyCalls {
  const { accountKeys, keychain, ports } = engine;

  /** The account as the window shows it; a key that cannot be opened now is said, not thrown. */
  const describe = async (profileId: string, username: string): Promise<AccountSignIn> => {
    const setting = accountKeys.get(profileId, username);
    let key: AccountSignIn['key'] = null;
    let keyProblem: string | null = null;
    if (setting.keyPath !== null) {
      try {
        key = await accountKeys.describe(setting.keyPath);
      } catch (error) {
        keyProblem = error instanceof RemoteError ? error.message : 'The key could not be opened.';
      }
    }
    const saved = await keychain.hasSaved(vaultAccount(profileId, username));
    return { profileId, username, method: setting.method, key, keyProblem, hasSavedPassword: saved.ok && saved.value };
  };

  const sftpOnly = (profileId: string) => {
    const profile = engine.requireProfile(profileId);
    if (!profile.endpoints.some((e) => e.protocol === 'sftp')) {
      throw new RemoteError('invalid-input', `${profile.name} is reached over FTPS only, where sign-in is by password alone.`);
    }
    return profile;
  };

  return {
    getAccountSignIn: ({ profileId, username }) =>
      answering(async () => {
        engine.requireProfile(profileId);
        return { ok: true, account: await describe(profileId, username) };
      }),

    setAccountSignIn: ({ profileId, username, method }) =>
      answering(async () => {
        if (method !== 'password') {
          sftpOnly(profileId);
          if (accountKeys.get(profileId, username).keyPath === null) {
            return failure('key-problem', 'This account has no key yet. Make a key, or choose a key file you already have, first.');
          }
        } else {
          engine.requireProfile(profileId);
        }
        accountKeys.set(profileId, username, { method });
        return { ok: true, account: await describe(profileId, username) };
      }),

    makeSignInKey: ({ profileId, username, type }) =>
      answering(async () => {
        const profile = sftpOnly(profileId);
        const today = (ports.now?.() ?? new Date()).toISOString().slice(0, 10);
        // The comment travels with the public key: the registry's team sees whose key it is.
        await accountKeys.make(profileId, username, type, `${username} ${profile.name} ${today}`.replace(/[^\x20-\x7e]/g, '?'));
        return { ok: true, account: await describe(profileId, username) };
      }),

    chooseKeyFile: () =>
      answering(async () => {
        if (!ports.chooseKeyFile) return failure('internal', 'This window cannot open the file picker.');
        const path = await ports.chooseKeyFile();
        if (path === null) return { ok: true, path: null, fileName: null, needsPassphrase: false };
        const needsPassphrase = await accountKeys.needsPassphrase(path);
        engine.keyFileChoices.add(path);
        return { ok: true, path, fileName: basename(path), needsPassphrase };
      }),

    useKeyFile: ({ profileId, username, path, passphrase }) =>
      answering(async () => {
        sftpOnly(profileId);
        if (!engine.keyFileChoices.has(path)) {
          return failure('invalid-input', 'Choose the key file with "Use a key file…" first: the app opens only files you picked.');
        }
        await accountKeys.useFile(profileId, username, path, passphrase ?? null);
        return { ok: true, account: await describe(profileId, username) };
      }),

    savePublicKey: ({ profileId, username }) =>
      answering(async () => {
        engine.requireProfile(profileId);
        const { keyPath } = accountKeys.get(profileId, username);
        if (keyPath === null) return failure('key-problem', 'This account has no key yet. Make a key first.');
        const key = await accountKeys.describe(keyPath);
        if (!ports.chooseFolder) return failure('internal', 'This window cannot open the folder picker.');
        const folder = await ports.chooseFolder('Choose where to save the public key');
        if (folder === null) return { ok: true, savedAs: null };
        // Never over another file: a second copy gets a number, as a browser's downloads do.
        for (let n = 1; n < 100; n += 1) {
          const target = join(folder, n === 1 ? `${key.fileName}.pub` : `${key.fileName} (${n}).pub`);
          try {
            await writeFile(target, `${key.publicKey}\n`, { flag: 'wx', mode: 0o644 });
            return { ok: true, savedAs: target };
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
            return failure('permission-denied', `The public key could not be saved in ${folder}. Choose another folder.`);
          }
        }
        return failure('permission-denied', `${folder} already holds many copies of this public key. Choose another folder.`);
      }),
  };
}
