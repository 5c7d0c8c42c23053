// SFTP sign-in with a key (issue 15, items 3, 4, 5) against Debian's OpenSSH, through the built
// command line as a clinic's scheduled job runs it: a key made with `registry-transfer keygen`, its
// public key put in the account's authorized_keys as the registry would once it is on file. A server
// that takes the key alone; one that wants the key and then the password (`AuthenticationMethods
// publickey,password`: one partial publickey then one accepted password in sshd's log, and a wrong
// password after the good key failing exactly once); an RSA key for a server that takes no Ed25519;
// a key the server does not know (one attempt, a plain message); a wrong passphrase and a public key
// given for a private one (found before connecting: sshd never hears from the app).
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_LAUNCHER, runCli } from '../support/cli-runner';
import { createKeyring, type Keyring } from '../support/keyring';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';

const PASSPHRASE = 'a key passphrase 2026';
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-sftp-keys-'));
  mkdirSync(join(scratch, 'home'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** No keychain to reach: the password only in RT_PASSWORD, the passphrase only in RT_PASSPHRASE. */
const env = (server: SshServer, password = server.home.password): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: join(scratch, 'home'),
  XDG_CONFIG_HOME: join(scratch, 'home', '.config'),
  DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(scratch, 'no-session-bus')}`,
  RT_PASSWORD: password,
  RT_PASSPHRASE: PASSPHRASE,
});

async function keygen(name: string, ...more: string[]): Promise<{ path: string; publicKey: string; fingerprint: string }> {
  const path = join(scratch, name);
  const made = await runCli(['keygen', '--out', path, '--json', ...more], { PATH: process.env.PATH, RT_PASSPHRASE: PASSPHRASE });
  expect(made.code, made.stderr).toBe(0);
  const doc = JSON.parse(made.stdout);
  return { path, publicKey: doc.publicKey, fingerprint: doc.fingerprint };
}

/** The registry has the key on file: the account's authorized_keys holds it. */
function putOnFile(server: SshServer, publicKey: string): void {
  const dir = join(server.home.accountDir, '.ssh');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  appendFileSync(join(dir, 'authorized_keys'), `${publicKey}\n`);
  chmodSync(join(dir, 'authorized_keys'), 0o644);
}

function profileFile(server: SshServer, name: string, extra: Record<string, unknown> = {}): string {
  const file = join(scratch, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...localTexasProfile(server.port, `keys-${name}`), ...extra }));
  return file;
}

/** Every file under `dir`, read whole (the data folders the runs used). */
function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, text: readFileSync(path, 'latin1') }));
}

const listWith = (server: SshServer, profile: string, ...more: string[]) =>
  runCli(['list', 'HL7-Dropoff', '--profile', profile, '--user', server.home.username, '--trust', server.fingerprint, '--data-dir', join(scratch, `data-${Math.random().toString(36).slice(2)}`), '--timeout', '30', ...more], env(server));

const logLines = (server: SshServer, pattern: RegExp) => server.log().split('\n').filter((line) => pattern.test(line));

describe('a server that takes the key alone', () => {
  let server: SshServer;
  beforeAll(async () => {
    server = await startSshd({ tag: 'KY', extraConfig: 'AuthenticationMethods publickey' });
  }, 60_000);
  afterAll(async () => server?.stop());

  it('signs in with a passphrase-protected key made by keygen, no password at all', async () => {
    const key = await keygen('only_ed25519', '--passphrase-env', 'RT_PASSPHRASE');
    putOnFile(server, key.publicKey);
    const run = await listWith(server, profileFile(server, 'only'), '--key', key.path, '--passphrase-env', 'RT_PASSPHRASE', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).ok).toBe(true);
    expect(logLines(server, new RegExp(`Accepted publickey for ${server.home.username} .* ED25519 ${key.fingerprint.replace(/[+/]/g, '\\$&')}`))).toHaveLength(1);
    expect(logLines(server, /Accepted password|Failed password/)).toEqual([]);
    expect(run.stdout + run.stderr).not.toContain(PASSPHRASE);
  }, 60_000);

  it('signs in with a PuTTYgen version 3 Ed25519 key (Argon2id passphrase), as PuTTYgen writes it by default', async () => {
    const source = join(scratch, 'putty_source_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', source]);
    const ppk = join(scratch, 'putty_v3.ppk');
    writeFileSync(join(scratch, 'putty.pass'), `${PASSPHRASE}\n`);
    execFileSync('puttygen', [source, '-O', 'private', '-o', ppk, '--new-passphrase', join(scratch, 'putty.pass')]);
    expect(readFileSync(ppk, 'utf8')).toMatch(/^PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: aes256-cbc\n[^]*Key-Derivation: Argon2id\n/);
    const publicKey = readFileSync(`${source}.pub`, 'utf8').trim();
    putOnFile(server, publicKey);
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${source}.pub`]).toString().split(' ')[1] as string;
    const run = await listWith(server, profileFile(server, 'putty'), '--key', ppk, '--passphrase-env', 'RT_PASSPHRASE');
    expect(run.code, run.stderr).toBe(0);
    expect(logLines(server, new RegExp(`Accepted publickey for ${server.home.username} .* ED25519 ${fingerprint.replace(/[+/]/g, '\\$&')}`))).toHaveLength(1);
  }, 60_000);

  it('without --key, signs in the way the account does in the app on the same data folder (its key)', async () => {
    const key = await keygen('saved_ed25519');
    putOnFile(server, key.publicKey);
    const dataDir = join(scratch, 'data-saved-method');
    mkdirSync(dataDir, { recursive: true });
    const profile = profileFile(server, 'saved');
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ accountSignIn: { [`keys-saved:${server.home.username}`]: { method: 'key', keyPath: key.path } } }));
    const run = await runCli(['list', '--profile', profile, '--user', server.home.username, '--trust', server.fingerprint, '--data-dir', dataDir, '--timeout', '30'], env(server));
    expect(run.code, run.stderr).toBe(0);
    expect(logLines(server, new RegExp(`Accepted publickey for ${server.home.username} .* ED25519 ${key.fingerprint.replace(/[+/]/g, '\\$&')}`))).toHaveLength(1);
  }, 60_000);

  it('says a key the server does not know is not accepted, after one attempt', async () => {
    const stranger = await keygen('stranger_ed25519');
    const accepted = logLines(server, /Accepted publickey/).length;
    const run = await listWith(server, profileFile(server, 'stranger'), '--key', stranger.path);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('The registry did not accept the key (ssh-ed25519): it may not be on file there yet');
    expect(logLines(server, /Accepted publickey/).length).toBe(accepted);
    // One key offered: OpenSSH logs no more than one failed attempt for it.
    expect(logLines(server, new RegExp(`Failed publickey for ${server.home.username}.*${stranger.fingerprint.replace(/[+/]/g, '\\$&')}`)).length).toBeLessThanOrEqual(1);
  }, 60_000);

  it('finds a wrong passphrase and a public key given for a private one before connecting', async () => {
    const key = await keygen('guarded_ed25519', '--passphrase-env', 'RT_PASSPHRASE');
    const connectionsBefore = logLines(server, /Connection from 127\.0\.0\.1/).length;
    // The tests before connected: sshd logs each connection, so a new one would show.
    expect(connectionsBefore).toBeGreaterThan(0);
    const wrong = await runCli(
      ['list', '--profile', profileFile(server, 'guarded'), '--user', server.home.username, '--key', key.path, '--passphrase-env', 'WRONG', '--data-dir', join(scratch, 'data-w')],
      { ...env(server), WRONG: 'not the passphrase' },
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`The passphrase does not open the key file ${key.path}. Nothing was sent to any server.`);
    const pub = await listWith(server, profileFile(server, 'pub'), '--key', `${key.path}.pub`);
    expect(pub.code).toBe(2);
    expect(pub.stderr).toContain('holds a public key. Sign-in needs the private key');
    const missing = await listWith(server, profileFile(server, 'missing'), '--key', key.path);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('is protected by a passphrase');
    expect(logLines(server, /Connection from 127\.0\.0\.1/).length).toBe(connectionsBefore);
  }, 60_000);
});

describe('a server that wants the key and then the password (AuthenticationMethods publickey,password)', () => {
  let server: SshServer;
  let key: { path: string; publicKey: string; fingerprint: string };
  beforeAll(async () => {
    server = await startSshd({ tag: 'KP', extraConfig: 'AuthenticationMethods publickey,password' });
    key = await keygen('both_ed25519');
    putOnFile(server, key.publicKey);
  }, 60_000);
  afterAll(async () => server?.stop());

  it('offers the key, follows its partial success to the password, and signs in: each once', async () => {
    const run = await listWith(server, profileFile(server, 'both'), '--key', key.path, '--password-env', 'RT_PASSWORD');
    expect(run.code, run.stderr).toBe(0);
    expect(logLines(server, new RegExp(`Partial publickey for ${server.home.username} `))).toHaveLength(1);
    expect(logLines(server, new RegExp(`Accepted password for ${server.home.username} `))).toHaveLength(1);
    expect(logLines(server, /Failed password/)).toEqual([]);
  }, 60_000);

  it('fails exactly once with a wrong password after the good key, and says so plainly', async () => {
    const run = await runCli(
      ['list', '--profile', profileFile(server, 'both-wrong'), '--user', server.home.username, '--trust', server.fingerprint, '--key', key.path, '--password-env', 'RT_PASSWORD', '--data-dir', join(scratch, 'data-bw')],
      env(server, 'Not-the-password-9!'),
    );
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('the key may not be on file yet, or the password is wrong. Each was tried once.');
    expect(logLines(server, new RegExp(`Failed password for ${server.home.username} `))).toHaveLength(1);
    expect(run.stdout + run.stderr).not.toContain('Not-the-password-9!');
  }, 60_000);

  it('without the password, says the server took the key and wants the password as well', async () => {
    const run = await listWith(server, profileFile(server, 'both-nopw'), '--key', key.path);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`The registry took the key, and wants the password of ${server.home.username} as well.`);
  }, 60_000);
});

describe('a server that takes no Ed25519 key', () => {
  let server: SshServer;
  beforeAll(async () => {
    server = await startSshd({ tag: 'KR', extraConfig: 'AuthenticationMethods publickey\nPubkeyAcceptedAlgorithms rsa-sha2-512,rsa-sha2-256' });
  }, 60_000);
  afterAll(async () => server?.stop());

  it('refuses the Ed25519 key and takes an RSA key made with keygen --type rsa', async () => {
    const ed = await keygen('refused_ed25519');
    const rsa = await keygen('accepted_rsa', '--type', 'rsa');
    putOnFile(server, ed.publicKey);
    putOnFile(server, rsa.publicKey);
    const refused = await listWith(server, profileFile(server, 'ed'), '--key', ed.path);
    expect(refused.code).toBe(4);
    const taken = await listWith(server, profileFile(server, 'rsa'), '--key', rsa.path);
    expect(taken.code, taken.stderr).toBe(0);
    expect(logLines(server, new RegExp(`Accepted publickey for ${server.home.username} .* RSA ${rsa.fingerprint.replace(/[+/]/g, '\\$&')}`))).toHaveLength(1);
    expect(readFileSync(rsa.path, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
  }, 90_000);
});

describe('a new account that signs in with a key and must change its password at first login', () => {
  let server: SshServer;
  const NEW_PASSWORD = 'New-Key-Pass-2026!';
  beforeAll(async () => {
    // OpenSSH with PAM asks for the change through keyboard-interactive, after the key.
    server = await startSshd({ tag: 'KC', extraConfig: 'AuthenticationMethods publickey,keyboard-interactive' });
    execFileSync('chpasswd', { input: `${server.home.username}:${server.home.password}\n` });
    execFileSync('chage', ['-d', '0', server.home.username]);
  }, 60_000);
  afterAll(async () => server?.stop());

  it('makes the change after the key, then signs in with the key and the new password', async () => {
    const key = await keygen('first_login_ed25519', '--passphrase-env', 'RT_PASSPHRASE');
    putOnFile(server, key.publicKey);
    const profile = profileFile(server, 'first-login', { passwordChange: { requiredAtFirstLogin: true } });
    const dataDir = join(scratch, 'data-first-login');
    const common = ['--profile', profile, '--user', server.home.username, '--trust', server.fingerprint, '--key', key.path, '--passphrase-env', 'RT_PASSPHRASE', '--data-dir', dataDir];
    const changed = await runCli(['change-password', ...common, '--password-env', 'RT_PASSWORD', '--new-password-env', 'RT_NEW'], { ...env(server), RT_NEW: NEW_PASSWORD });
    expect(changed.code, changed.stderr).toBe(0);
    expect(logLines(server, new RegExp(`Partial publickey for ${server.home.username} `)).length).toBeGreaterThanOrEqual(1);

    const after = await runCli(['list', ...common, '--password-env', 'RT_PASSWORD'], env(server, NEW_PASSWORD));
    expect(after.code, after.stderr).toBe(0);
    const old = await runCli(['list', ...common, '--password-env', 'RT_PASSWORD'], env(server));
    expect(old.code).toBe(4);

    // Nothing the runs left in their data folders holds the passphrase, a password or a private key.
    for (const { path, text } of filesUnder(dataDir)) {
      for (const secret of [PASSPHRASE, NEW_PASSWORD, server.home.password]) expect(text.includes(secret), path).toBe(false);
      expect(text.includes('PRIVATE KEY'), path).toBe(false);
    }
    expect(filesUnder(dataDir).length).toBeGreaterThan(0);
  }, 90_000);
});

describe('a passphrase kept in the system keychain (a real Secret Service)', () => {
  let server: SshServer;
  let keyring: Keyring;
  beforeAll(async () => {
    server = await startSshd({ tag: 'KK', extraConfig: 'AuthenticationMethods publickey' });
    keyring = await createKeyring(join(scratch, 'keyring'));
  }, 60_000);
  afterAll(async () => {
    keyring?.dispose();
    await server?.stop();
  });

  it('keygen --save-passphrase keeps it there, and --key then needs no --passphrase-env', async () => {
    const path = join(scratch, 'kept_ed25519');
    const made = await keyring.run('unlocked', [process.execPath, CLI_LAUNCHER, 'keygen', '--out', path, '--passphrase-env', 'RT_PASSPHRASE', '--save-passphrase', '--json'], { env: { RT_PASSPHRASE: PASSPHRASE } });
    expect(made.code, made.stderr).toBe(0);
    const doc = JSON.parse(made.stdout);
    expect(doc.passphraseInKeychain).toBe(true);
    expect(await keyring.lookup(`ssh-key-passphrase:${path}`)).toBe(PASSPHRASE);
    // Neither file holds it.
    for (const file of [path, `${path}.pub`]) expect(readFileSync(file, 'latin1')).not.toContain(PASSPHRASE);
    putOnFile(server, doc.publicKey);

    const profile = profileFile(server, 'kept');
    const args = ['list', '--profile', profile, '--user', server.home.username, '--trust', server.fingerprint, '--key', path, '--data-dir', join(scratch, 'data-kept'), '--timeout', '30'];
    const signedIn = await keyring.run('unlocked', [process.execPath, CLI_LAUNCHER, ...args], { env: { XDG_CONFIG_HOME: join(scratch, 'home', '.config') } });
    expect(signedIn.code, signedIn.stderr).toBe(0);
    expect(signedIn.stdout + signedIn.stderr).not.toContain(PASSPHRASE);
    expect(logLines(server, new RegExp(`Accepted publickey for ${server.home.username} `))).toHaveLength(1);

    // No keychain to ask: the key cannot be opened, and nothing is sent.
    const connections = logLines(server, /Connection from 127\.0\.0\.1/).length;
    const without = await keyring.run('no-dbus', [process.execPath, CLI_LAUNCHER, ...args], { env: { XDG_CONFIG_HOME: join(scratch, 'home', '.config') } });
    expect(without.code).toBe(2);
    expect(without.stderr).toContain(`The key file ${path} is protected by a passphrase: give it with --passphrase-env VAR (none is kept in the system keychain for this file). Nothing was sent.`);
    expect(logLines(server, /Connection from 127\.0\.0\.1/).length).toBe(connections);
  }, 90_000);
});
