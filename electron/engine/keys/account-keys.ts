// How each saved account signs in (issue 15, item 5): by password, by key, or by key and then
// password, and which key. The window and the command line share it: the choice is kept in the
// settings (no secret: a key's path and the method), a key's passphrase in the system keychain only.
// A key the app makes for an account lives in the app's data folder (keys/, owner-only), protected
// by a random passphrase nobody has to type: the keychain keeps it, so the file alone is useless.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ParsedKey } from 'ssh2';
import { SIGN_IN_METHODS, type SignInKey, type SignInMethod } from '../../../shared/contract';
import { keychainFailure } from '../credentials/keytar-vault';
import { VaultError, vaultAccount, type CredentialVault } from '../credentials/vault';
import { RemoteError } from '../remote/remote-fs';
import type { SettingsStore } from '../settings/settings-store';
import {
  convertPuttyKey,
  KeyFileExists,
  KeyProblem,
  makeKeyPair,
  needsPuttyConversion,
  openPrivateKey,
  passphraseVaultAccount,
  publicKeyFingerprint,
  writeKeyPair,
  type KeyPair,
  type KeyType,
} from './ssh-keys';

/** Settings key: each account's sign-in method and key path, by `profileId:username`. */
export const ACCOUNT_SIGN_IN_KEY = 'accountSignIn';
/** The folder of the data folder where the keys the app makes are kept. */
export const KEYS_FOLDER_NAME = 'keys';

export interface AccountSignInSetting {
  method: SignInMethod;
  /** The private key's full path, or null before one is made or chosen. */
  keyPath: string | null;
}

const DEFAULT_SETTING: AccountSignInSetting = { method: 'password', keyPath: null };

const NO_KEYCHAIN_FOR_KEY =
  "The system keychain is not available, so the app cannot keep the key's passphrase. Nothing was made or changed. Sign-in by password still works.";

/** Each saved account's way of signing in, read and written through the settings. */
export class AccountKeys {
  constructor(
    private readonly settings: SettingsStore,
    private readonly vault: CredentialVault | undefined,
    private readonly dataDir: string | undefined,
  ) {}

  private all(): Record<string, AccountSignInSetting> {
    const raw = this.settings.get(ACCOUNT_SIGN_IN_KEY);
    return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, AccountSignInSetting>) : {};
  }

  /** The account's setting; a damaged entry reads as password sign-in (the way every account starts). */
  get(profileId: string, username: string): AccountSignInSetting {
    const entry = this.all()[vaultAccount(profileId, username)];
    if (!entry || typeof entry !== 'object') return { ...DEFAULT_SETTING };
    const method = (SIGN_IN_METHODS as readonly string[]).includes(entry.method) ? entry.method : 'password';
    const keyPath = typeof entry.keyPath === 'string' && entry.keyPath !== '' ? entry.keyPath : null;
    return { method, keyPath };
  }

  set(profileId: string, username: string, change: Partial<AccountSignInSetting>): AccountSignInSetting {
    const next = { ...this.get(profileId, username), ...change };
    this.settings.set(ACCOUNT_SIGN_IN_KEY, { ...this.all(), [vaultAccount(profileId, username)]: next });
    return next;
  }

  /**
   * Make a key for the account in the app's data folder, its random passphrase in the keychain
   * (first: with no keychain, no key is made), and record it as the account's key. The method is
   * left as it is: the key is of no use until the registry has it on file.
   */
  async make(profileId: string, username: string, type: KeyType, comment: string): Promise<SignInKey> {
    this.requireKeysFolder();
    const passphrase = randomBytes(32).toString('base64url');
    const pair = makeKeyPair({ type, passphrase, comment });
    const path = await this.keep(`${profileId}-${username.replace(/[^A-Za-z0-9._-]/g, '_')}-${type}`, pair, passphrase);
    this.set(profileId, username, { keyPath: path });
    return describeKey(path, pair.publicKey, true);
  }

  private requireKeysFolder(): string {
    if (!this.dataDir) throw new RemoteError('internal', 'This window has no data folder to keep a key in.');
    if (!this.vault) throw new RemoteError('keychain-unavailable', NO_KEYCHAIN_FOR_KEY);
    return join(this.dataDir, KEYS_FOLDER_NAME);
  }

  /** Write a key pair into the keys folder under a free name, its passphrase in the keychain first. */
  private async keep(stem: string, pair: Pick<KeyPair, 'privateKey' | 'publicKey'>, passphrase: string): Promise<string> {
    const folder = this.requireKeysFolder();
    await mkdir(folder, { recursive: true, mode: 0o700 });
    for (let n = 1; n < 100; n += 1) {
      const path = join(folder, n === 1 ? stem : `${stem}-${n}`);
      try {
        await writeKeyPair(path, pair);
      } catch (error) {
        if (error instanceof KeyFileExists) continue;
        throw error;
      }
      // Saved only once the name is the new key's own: a key already at that name keeps its passphrase.
      try {
        await this.savePassphrase(path, passphrase);
      } catch (error) {
        await Promise.all([rm(path, { force: true }), rm(`${path}.pub`, { force: true })]);
        throw error;
      }
      return path;
    }
    throw new RemoteError('internal', `The folder ${folder} already holds 99 keys named ${stem}. Move old ones away first.`);
  }

  /**
   * Use a key file the user chose (OpenSSH, PEM, PuTTY version 2): opened here first, so a wrong
   * passphrase or a public key is said now; a passphrase that opens it is kept in the keychain.
   */
  async useFile(profileId: string, username: string, path: string, passphrase: string | null): Promise<SignInKey> {
    const text = await readKeyFile(path);
    if (needsPuttyConversion(text)) return this.useConverted(profileId, username, path, text, passphrase);
    const parsed = openOrSay(text, passphrase, path);
    if (passphrase !== null) {
      if (!this.vault) throw new RemoteError('keychain-unavailable', NO_KEYCHAIN_FOR_KEY);
      await this.savePassphrase(path, passphrase);
    }
    this.set(profileId, username, { keyPath: path });
    return describeParsed(path, parsed, this.madeHere(path));
  }

  /**
   * A PuTTY file ssh2 does not read (version 3, Ed25519, ECDSA): opened once, and kept as an OpenSSH
   * copy in the keys folder under a passphrase of its own in the keychain, so that Argon2 (seconds of
   * work) is not run again at every sign-in. The user's own file is left as it is.
   */
  private async useConverted(profileId: string, username: string, path: string, text: Buffer, passphrase: string | null): Promise<SignInKey> {
    this.requireKeysFolder();
    const copyPassphrase = randomBytes(32).toString('base64url');
    let converted: ReturnType<typeof convertPuttyKey>;
    try {
      converted = convertPuttyKey(text.toString('utf8'), passphrase, copyPassphrase, `The key file ${basename(path)}`);
    } catch (error) {
      if (error instanceof KeyProblem) throw new RemoteError('key-problem', /Nothing was sent/.test(error.message) ? error.message : `${error.message} Nothing was sent.`);
      throw error;
    }
    const { key, openSsh } = converted;
    const comment = key.comment.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
    const publicKey = `${key.type} ${key.getPublicSSH().toString('base64')}${comment ? ` ${comment}` : ''}`;
    const stem = `${basename(path).replace(/\.ppk$/i, '').replace(/[^A-Za-z0-9._-]/g, '_')}-from-putty`;
    const copy = await this.keep(stem, { privateKey: openSsh as string, publicKey }, copyPassphrase);
    this.set(profileId, username, { keyPath: copy });
    return describeKey(copy, publicKey, false);
  }

  /** Whether the file needs a passphrase to open (said before asking the user for one). */
  async needsPassphrase(path: string): Promise<boolean> {
    try {
      openPrivateKey(await readKeyFile(path), null);
      return false;
    } catch (error) {
      if (error instanceof KeyProblem && error.kind === 'passphrase-needed') return true;
      if (error instanceof KeyProblem) throw new RemoteError('key-problem', `${error.message.replace(/^The key file/, `The file ${basename(path)}`)}`);
      throw error;
    }
  }

  /**
   * The account's key opened for signing in (its passphrase from the keychain), or a RemoteError in
   * plain words: found before connecting, so nothing at all is sent when the key cannot be used.
   */
  async open(path: string): Promise<ParsedKey> {
    const text = await readKeyFile(path);
    try {
      return openPrivateKey(text, null, `The key file ${basename(path)}`);
    } catch (error) {
      if (!(error instanceof KeyProblem) || error.kind !== 'passphrase-needed') return openOrSay(text, null, path);
    }
    const passphrase = await this.passphrase(path);
    if (passphrase === null) {
      throw new RemoteError('key-problem', `The key ${basename(path)} is protected by a passphrase that the system keychain does not hold. Choose the key file again and give its passphrase. Nothing was sent.`);
    }
    return openOrSay(text, passphrase, path);
  }

  /** The key at `path` as the window shows it (opened, to show the public key that belongs to it). */
  async describe(path: string): Promise<SignInKey> {
    return describeParsed(path, await this.open(path), this.madeHere(path));
  }

  private madeHere(path: string): boolean {
    // The keys folder also holds copies of PuTTY files the user brought: those were not made here.
    return this.dataDir !== undefined && path.startsWith(join(this.dataDir, KEYS_FOLDER_NAME)) && !/-from-putty(-\d+)?$/.test(path);
  }

  private async passphrase(path: string): Promise<string | null> {
    if (!this.vault) throw new RemoteError('keychain-unavailable', "The system keychain is not available, so the key's passphrase cannot be read. Nothing was sent.");
    try {
      return await this.vault.get(passphraseVaultAccount(path));
    } catch (error) {
      const failed = error instanceof VaultError ? error : keychainFailure(error);
      throw new RemoteError('keychain-unavailable', `${failed.message} The key's passphrase is kept there. Nothing was sent.`, failed.detail);
    }
  }

  private async savePassphrase(path: string, passphrase: string): Promise<void> {
    if (!this.vault) throw new RemoteError('keychain-unavailable', NO_KEYCHAIN_FOR_KEY);
    try {
      await this.vault.set(passphraseVaultAccount(path), passphrase);
    } catch (error) {
      const failed = error instanceof VaultError ? error : keychainFailure(error);
      throw new RemoteError('keychain-unavailable', `${failed.message} The key's passphrase could not be kept, so nothing was made or changed.`, failed.detail);
    }
  }
}

async function readKeyFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch {
    throw new RemoteError('key-problem', `The key file ${basename(path)} could not be read (was it moved or deleted?). Choose it again, or make a new key. Nothing was sent.`);
  }
}

/** openPrivateKey with its KeyProblem said as the contract's failure. */
function openOrSay(text: Buffer, passphrase: string | null, path: string): ParsedKey {
  try {
    return openPrivateKey(text, passphrase, `The key file ${basename(path)}`);
  } catch (error) {
    if (error instanceof KeyProblem) {
      const message = /Nothing was sent/.test(error.message) ? error.message : `${error.message} Nothing was sent.`;
      throw new RemoteError('key-problem', message);
    }
    throw error;
  }
}

/** `publicKey`: the one-line form, comment included (it tells the registry's team whose key it is). */
function describeKey(path: string, publicKey: string, madeByApp: boolean): SignInKey {
  const line = publicKey.trim();
  return { fileName: basename(path), type: line.split(/\s+/)[0] ?? '', publicKey: line, fingerprint: publicKeyFingerprint(line), madeByApp };
}

function describeParsed(path: string, parsed: ParsedKey, madeByApp: boolean): SignInKey {
  const comment = parsed.comment.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return describeKey(path, `${parsed.type} ${parsed.getPublicSSH().toString('base64')}${comment ? ` ${comment}` : ''}`, madeByApp);
}
