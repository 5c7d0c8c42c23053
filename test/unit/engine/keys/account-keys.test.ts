// The contract's calls about how an account signs in (issue 15, items 1, 2, 5), through the same
// handlers and dispatch the window uses, with the keychain in memory and the key files on disk: a
// key made in the app's data folder (owner-only, its passphrase only in the keychain), a key file
// the user picked (and no other path), the public key saved in a chosen folder never over a file,
// and each refusal in plain words before anything is sent.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatchCall, type AccountSignIn, type CallName } from '../../../../shared/contract';
import { makeKeyPair, passphraseVaultAccount } from '../../../../electron/engine/keys/ssh-keys';
import { createRegistryService, type RegistryService } from '../../../../electron/engine/registry-service';
import { MemorySettings } from '../../../../electron/engine/settings/settings-store';
import { MemoryVault } from '../../../support/memory-vault';

const SFTP_PROFILE = {
  id: 'sftp-registry',
  name: 'Test Registry',
  endpoints: [{ protocol: 'sftp', host: '127.0.0.1', port: 1 }],
  username: { label: 'Username', hint: '' },
  folders: [{ role: 'dropoff', name: 'Dropoff', path: 'Dropoff', rights: ['list', 'write'], description: 'Files to send.' }],
  support: { team: 'Registry help desk', email: 'help@example.org' },
};
const FTPS_PROFILE = { ...SFTP_PROFILE, id: 'ftps-registry', name: 'FTPS Registry', endpoints: [{ protocol: 'ftps', host: '127.0.0.1', port: 2, tls: 'implicit' }] };

let dir: string;
let vault: MemoryVault;
let settings: MemorySettings;
let service: RegistryService;
let pickedKey: string | null;
let saveFolder: string | null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rt-account-keys-'));
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'save'));
  vault = new MemoryVault();
  settings = new MemorySettings();
  settings.set('customProfiles', [SFTP_PROFILE, FTPS_PROFILE]);
  pickedKey = null;
  saveFolder = join(dir, 'save');
  service = makeService(vault);
});

afterEach(async () => {
  await service.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function makeService(withVault: MemoryVault | undefined): RegistryService {
  return createRegistryService({
    settings,
    emit: () => undefined,
    openExternal: async () => undefined,
    appInfo: { name: 'Registry Transfer', version: 'test' },
    dataDir: join(dir, 'data'),
    ...(withVault ? { vault: withVault } : {}),
    timeoutSeconds: 5,
    chooseKeyFile: async () => pickedKey,
    chooseFolder: async () => saveFolder,
  });
}

const call = (name: CallName, input: unknown) => dispatchCall(service.handlers, name, input) as Promise<{ ok: boolean; code?: string; message?: string } & Record<string, unknown>>;
const account = (result: Record<string, unknown>) => result.account as AccountSignIn;
const login = { profileId: 'sftp-registry', username: 'clinic01' };

describe('an account’s sign-in method and key', () => {
  it('starts as password sign-in with no key', async () => {
    const got = await call('getAccountSignIn', login);
    expect(got.ok).toBe(true);
    expect(account(got)).toEqual({ ...login, method: 'password', key: null, keyProblem: null, hasSavedPassword: false });
  });

  it('refuses a key method until the account has a key', async () => {
    const refused = await call('setAccountSignIn', { ...login, method: 'key' });
    expect(refused).toMatchObject({ ok: false, code: 'key-problem' });
    expect(refused.message).toContain('This account has no key yet');
  });

  it('makes an Ed25519 key in the data folder, owner-only, its random passphrase in the keychain only', async () => {
    const made = await call('makeSignInKey', login);
    expect(made.ok).toBe(true);
    const key = account(made).key;
    expect(key).toMatchObject({ fileName: 'sftp-registry-clinic01-ed25519', type: 'ssh-ed25519', madeByApp: true });
    expect(key?.publicKey).toMatch(/^ssh-ed25519 AAAA\S+ clinic01 Test Registry \d{4}-\d{2}-\d{2}$/);
    expect(key?.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const path = join(dir, 'data', 'keys', 'sftp-registry-clinic01-ed25519');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const passphrase = vault.entries.get(passphraseVaultAccount(path));
    expect(passphrase).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The key file is protected; nothing the window got holds the passphrase or the private key.
    expect(readFileSync(path, 'utf8')).not.toContain(passphrase);
    expect(JSON.stringify(made)).not.toContain(passphrase);
    expect(JSON.stringify(made)).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(made)).not.toContain(join(dir, 'data'));
    // The method is the user's to choose, and is kept.
    expect(account(made).method).toBe('password');
    expect(account(await call('setAccountSignIn', { ...login, method: 'key+password' })).method).toBe('key+password');
    expect(account(await call('getAccountSignIn', login)).method).toBe('key+password');
  });

  it('makes an RSA key when asked, and a second key beside the first rather than over it', async () => {
    await call('makeSignInKey', login);
    const firstPath = join(dir, 'data', 'keys', 'sftp-registry-clinic01-ed25519');
    const firstPassphrase = vault.entries.get(passphraseVaultAccount(firstPath));
    const rsa = await call('makeSignInKey', { ...login, type: 'rsa' });
    expect(account(rsa).key?.type).toBe('ssh-rsa');
    const again = await call('makeSignInKey', login);
    expect(account(again).key?.fileName).toBe('sftp-registry-clinic01-ed25519-2');
    expect(readdirSync(join(dir, 'data', 'keys')).sort()).toEqual([
      'sftp-registry-clinic01-ed25519',
      'sftp-registry-clinic01-ed25519-2',
      'sftp-registry-clinic01-ed25519-2.pub',
      'sftp-registry-clinic01-ed25519.pub',
      'sftp-registry-clinic01-rsa',
      'sftp-registry-clinic01-rsa.pub',
    ]);
    // The first key still opens with the passphrase it was made with.
    expect(vault.entries.get(passphraseVaultAccount(firstPath))).toBe(firstPassphrase);
  });

  it('makes no key without a keychain to keep its passphrase', async () => {
    await service.dispose();
    service = makeService(undefined);
    const refused = await call('makeSignInKey', login);
    expect(refused).toMatchObject({ ok: false, code: 'keychain-unavailable' });
    expect(existsSync(join(dir, 'data', 'keys'))).toBe(false);
    vault.unavailable = 'no D-Bus session bus';
    await service.dispose();
    service = makeService(vault);
    expect(await call('makeSignInKey', login)).toMatchObject({ ok: false, code: 'keychain-unavailable' });
    expect(existsSync(join(dir, 'data', 'keys')) ? readdirSync(join(dir, 'data', 'keys')) : []).toEqual([]);
  });

  it('refuses keys for a registry reached over FTPS only', async () => {
    const refused = await call('makeSignInKey', { profileId: 'ftps-registry', username: 'clinic01' });
    expect(refused).toMatchObject({ ok: false, code: 'invalid-input' });
    expect(refused.message).toContain('FTPS only');
  });
});

describe('a key file the user already has', () => {
  it('uses only the file picked in the system dialog; a protected one with its passphrase, then kept in the keychain', async () => {
    const pair = makeKeyPair({ type: 'ed25519', passphrase: 'front desk passphrase', comment: 'front-desk' });
    const path = join(dir, 'front_desk');
    writeFileSync(path, pair.privateKey, { mode: 0o600 });
    expect(await call('useKeyFile', { ...login, path })).toMatchObject({ ok: false, code: 'invalid-input' });

    pickedKey = path;
    const chosen = await call('chooseKeyFile', {});
    expect(chosen).toMatchObject({ ok: true, path, fileName: 'front_desk', needsPassphrase: true });
    const wrong = await call('useKeyFile', { ...login, path, passphrase: 'not it' });
    expect(wrong).toMatchObject({ ok: false, code: 'key-problem' });
    expect(wrong.message).toContain('The passphrase does not open the key file front_desk.');
    expect(vault.entries.has(passphraseVaultAccount(path))).toBe(false);

    const used = await call('useKeyFile', { ...login, path, passphrase: 'front desk passphrase' });
    expect(account(used).key).toMatchObject({ fileName: 'front_desk', publicKey: pair.publicKey, fingerprint: pair.fingerprint, madeByApp: false });
    expect(vault.entries.get(passphraseVaultAccount(path))).toBe('front desk passphrase');
    // Read again later (the passphrase from the keychain).
    expect(account(await call('getAccountSignIn', login)).key?.fingerprint).toBe(pair.fingerprint);
  });

  it('says a public key file is not the private key, when it is picked', async () => {
    const pair = makeKeyPair({ type: 'ed25519', passphrase: null, comment: 'x' });
    pickedKey = join(dir, 'id.pub');
    writeFileSync(pickedKey, `${pair.publicKey}\n`);
    const chosen = await call('chooseKeyFile', {});
    expect(chosen).toMatchObject({ ok: false, code: 'key-problem' });
    expect(chosen.message).toContain('holds a public key');
  });

  it('says, before connecting, that the account’s key file is gone', async () => {
    const pair = makeKeyPair({ type: 'ed25519', passphrase: null, comment: 'x' });
    pickedKey = join(dir, 'moved_key');
    writeFileSync(pickedKey, pair.privateKey, { mode: 0o600 });
    await call('chooseKeyFile', {});
    await call('useKeyFile', { ...login, path: pickedKey });
    rmSync(pickedKey);
    const described = account(await call('getAccountSignIn', login));
    expect(described.key).toBeNull();
    expect(described.keyProblem).toContain('The key file moved_key could not be read');
    const connect = await call('connect', { ...login, protocol: 'sftp', signInMethod: 'key' });
    expect(connect).toMatchObject({ ok: false, code: 'key-problem' });
    expect(connect.message).toContain('Nothing was sent');
  });
});

describe('saving the public key for the registry', () => {
  it('writes NAME.pub in the folder the user picks, never over a file, and nothing when the user cancels', async () => {
    const made = account(await call('makeSignInKey', login));
    const first = await call('savePublicKey', login);
    expect(first).toMatchObject({ ok: true, savedAs: join(dir, 'save', 'sftp-registry-clinic01-ed25519.pub') });
    expect(readFileSync(first.savedAs as string, 'utf8')).toBe(`${made.key?.publicKey}\n`);
    const second = await call('savePublicKey', login);
    expect(second.savedAs).toBe(join(dir, 'save', 'sftp-registry-clinic01-ed25519 (2).pub'));
    saveFolder = null;
    expect(await call('savePublicKey', login)).toMatchObject({ ok: true, savedAs: null });
    expect(readdirSync(join(dir, 'save'))).toHaveLength(2);
  });
});

describe('connecting with a key method', () => {
  it('refuses a key over FTPS, and a key method for an account without a key, before anything is sent', async () => {
    const ftps = await call('connect', { profileId: 'ftps-registry', protocol: 'ftps', username: 'clinic01', password: 'pw', signInMethod: 'key' });
    expect(ftps).toMatchObject({ ok: false, code: 'invalid-input' });
    expect(ftps.message).toContain('A key signs in over SFTP only');
    const noKey = await call('connect', { ...login, protocol: 'sftp', signInMethod: 'key+password', password: 'pw' });
    expect(noKey).toMatchObject({ ok: false, code: 'key-problem' });
    expect(noKey.message).toContain('This account has no key yet');
  });
});
