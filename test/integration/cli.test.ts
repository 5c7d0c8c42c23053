// The built `registry-transfer` command, run as a scheduled job would run it (a child process, no
// terminal, nobody to answer), against a real OpenSSH sshd laid out as Texas ImmTrac2.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build as esbuild } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execCommand } from '../support/cli-runner';
import { freePort } from '../support/ports';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';

const ROOT = new URL('../..', import.meta.url).pathname;
const LAUNCHER = join(ROOT, 'electron/cli/registry-transfer.mjs');
const NO_PASSWORD = 'No password available: set --password-env VAR, or save the password in the desktop app';

let server: SshServer;
let scratch: string;
let profileFile: string;
let dirCount = 0;
/** Inside the project (git-ignored .tmp/) so that bundled test code finds node_modules. */
const driverDir = join(ROOT, '.tmp', `cli-test-${process.pid}`);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const WRONG_PASSWORD = 'Not-the-password-7!';
/** Every password the test server knows, and the wrong one tried: none may ever be printed. */
const secrets = (): string[] => [server.home.password, server.chroot.password, WRONG_PASSWORD];

/**
 * An environment with no keychain to reach (no session bus, no display), a private HOME and config
 * folder, and the password only in RT_PASSWORD.
 */
function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(scratch, 'home'),
    XDG_CONFIG_HOME: join(scratch, 'home', '.config'),
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(scratch, 'no-session-bus')}`,
    RT_PASSWORD: server.home.password,
    ...extra,
  };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return env;
}

const exec = (command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> => execCommand(command, args, env, 50_000);

/** The CLI as a scheduled job runs it; whatever happens, no password appears in what it printed. */
async function run(args: string[], env: NodeJS.ProcessEnv = cliEnv(), command: [string, string[]] = [process.execPath, [LAUNCHER]]): Promise<Run> {
  const result = await exec(command[0], [...command[1], ...args], env);
  for (const secret of secrets()) {
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  }
  return result;
}

const newDataDir = () => {
  dirCount += 1;
  return join(scratch, `data-${dirCount}`);
};

/** `list` against the test server as the home account, with the password from RT_PASSWORD. */
const listArgs = (dataDir: string, ...more: string[]) => [
  'list',
  ...more,
  '--profile',
  profileFile,
  '--user',
  server.home.username,
  '--password-env',
  'RT_PASSWORD',
  '--data-dir',
  dataDir,
  '--timeout',
  '20',
];

const trustedIn = (dataDir: string): { host: string; port: number; fingerprint: string }[] => {
  const file = join(dataDir, 'config.json');
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as { trustedIdentities?: { host: string; port: number; fingerprint: string }[] }).trustedIdentities ?? [];
};

/** The same SHA-256 as colon-separated hex, as OpenSSL and browsers print fingerprints. */
const colonHex = (fingerprint: string) =>
  Buffer.from(fingerprint.replace(/^SHA256:/, ''), 'base64')
    .toString('hex')
    .toUpperCase()
    .match(/../g)!
    .join(':');

beforeAll(async () => {
  server = await startSshd({ tag: 'CL' });
  scratch = mkdtempSync(join(tmpdir(), 'rt-cli-'));
  profileFile = join(scratch, 'texas-test.json');
  writeFileSync(profileFile, JSON.stringify(localTexasProfile(server.port)));
});

afterAll(async () => {
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  rmSync(driverDir, { recursive: true, force: true });
});

describe('registry-transfer profiles', () => {
  it('lists the built-in registries with the servers and ports their specifications give', async () => {
    const result = await run(['profiles', '--data-dir', newDataDir()]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('texas-immtrac2');
    expect(result.stdout).toContain('Texas ImmTrac2');
    expect(result.stdout).toContain('immtrac-ftp1.dshs.state.tx.us:22');
    expect(result.stdout).toContain('immtrac-ftp1.dshs.state.tx.us:990');
    expect(result.stdout).toContain('colorado-ciis');
    expect(result.stdout).toContain('sshftp.cohealthnet.com:22');
    expect(result.stdout).toContain('sslftp.cohealthnet.com:1971');
  });

  it('prints them as JSON, with the custom profiles saved in the data folder', async () => {
    const dataDir = newDataDir();
    execFileSync('mkdir', ['-p', dataDir]);
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ customProfiles: [localTexasProfile(server.port, 'clinic-test')] }));
    const result = await run(['profiles', '--json', '--data-dir', dataDir]);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { ok: boolean; profiles: { id: string; builtIn: boolean; endpoints: { protocol: string; host: string; port: number; tls?: string }[] }[] };
    expect(doc.ok).toBe(true);
    const byId = new Map(doc.profiles.map((p) => [p.id, p]));
    expect(byId.get('texas-immtrac2')?.builtIn).toBe(true);
    expect(byId.get('texas-immtrac2')?.endpoints).toEqual([
      { protocol: 'sftp', host: 'immtrac-ftp1.dshs.state.tx.us', port: 22 },
      { protocol: 'ftps', host: 'immtrac-ftp1.dshs.state.tx.us', port: 990, tls: 'implicit', passivePorts: { from: 5000, to: 5010 } },
    ]);
    expect(byId.get('colorado-ciis')?.endpoints).toEqual([
      { protocol: 'sftp', host: 'sshftp.cohealthnet.com', port: 22 },
      { protocol: 'ftps', host: 'sslftp.cohealthnet.com', port: 1971, tls: 'explicit', passivePorts: { from: 52000, to: 52040 } },
    ]);
    expect(byId.get('clinic-test')?.builtIn).toBe(false);
    expect(byId.get('clinic-test')?.endpoints).toEqual([{ protocol: 'sftp', host: '127.0.0.1', port: server.port }]);
  });
});

describe('registry-transfer list and the server identity', () => {
  /** The data folder where the first --trust pinned the server. */
  let pinned = '';

  it('stops with exit 3 on a server not trusted yet, printing the fingerprint it showed, and pins nothing', async () => {
    const fresh = newDataDir();
    const result = await run(listArgs(fresh));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(server.fingerprint);
    expect(result.stderr).toContain('not a trusted server yet');
    expect(result.stdout).toBe('');
    expect(trustedIn(fresh)).toEqual([]);

    const json = await run([...listArgs(fresh), '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, code: 'identity-unknown', exitCode: 3, fingerprint: server.fingerprint });
  });

  it('with --trust of that fingerprint lists all four folders and their files, and remembers the server', async () => {
    pinned = newDataDir();
    const result = await run(listArgs(pinned, '--trust', server.fingerprint));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const user = server.home.username;
    for (const folder of ['HL7-Dropoff', 'Accepted', 'DQA-Report', 'Receive']) expect(result.stdout).toContain(join(server.home.accountDir, folder));
    for (const file of [`${user}_20261114.HL7`, `${user}_20261114_DQA.txt`, `${user}_20261114.CNF`]) expect(result.stdout).toContain(file);
    expect(trustedIn(pinned)).toEqual([expect.objectContaining({ host: '127.0.0.1', port: server.port, fingerprint: server.fingerprint })]);

    const again = await run(listArgs(pinned));
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${user}_20261114_DQA.txt`);
  });

  it('lists one folder by its name in any case, as JSON, with the report file as the server has it', async () => {
    const user = server.home.username;
    const reportPath = join(server.home.accountDir, 'DQA-Report', `${user}_20261114_DQA.txt`);
    for (const folder of ['DQA-Report', 'dqa-report', 'reports']) {
      const result = await run([...listArgs(pinned, folder), '--json']);
      expect(result.code).toBe(0);
      const doc = JSON.parse(result.stdout) as { ok: boolean; fingerprint: string; folders: { role: string; name: string; path: string; entries: { name: string; kind: string; size: number; modified: string }[] }[] };
      expect(doc.ok).toBe(true);
      expect(doc.fingerprint).toBe(server.fingerprint);
      expect(doc.folders).toHaveLength(1);
      expect(doc.folders[0]).toMatchObject({ role: 'reports', name: 'DQA-Report', path: join(server.home.accountDir, 'DQA-Report') });
      expect(doc.folders[0]?.entries).toEqual([
        {
          name: `${user}_20261114_DQA.txt`,
          kind: 'file',
          size: statSync(reportPath).size,
          modified: new Date(Math.floor(statSync(reportPath).mtimeMs / 1000) * 1000).toISOString(),
        },
      ]);
    }
  });

  it('accepts --trust as colon-separated hex of the same fingerprint', async () => {
    const fresh = newDataDir();
    const result = await run(listArgs(fresh, 'Receive', '--trust', colonHex(server.fingerprint)));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${server.home.username}_20261114.CNF`);
    expect(trustedIn(fresh).map((t) => t.fingerprint)).toEqual([server.fingerprint]);
  });

  it('stops with exit 3 when --trust names another fingerprint, showing both, and pins nothing', async () => {
    const other = `SHA256:${Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '')}`;
    const fresh = newDataDir();
    const result = await run(listArgs(fresh, '--trust', other));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(other);
    expect(result.stderr).toContain(server.fingerprint);
    expect(trustedIn(fresh)).toEqual([]);

    // The same for a server trusted already: --trust is what the user expects to see.
    const onPinned = await run(listArgs(pinned, '--trust', other));
    expect(onPinned.code).toBe(3);
    expect(onPinned.stderr).toContain(other);
    expect(onPinned.stderr).toContain(server.fingerprint);
  });

  it('stops with exit 3 when the trusted host key has changed, printing the old and the new fingerprint', async () => {
    const before = server.fingerprint;
    const after = await server.changeHostKey();
    expect(after).not.toBe(before);
    const result = await run(listArgs(pinned));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('CHANGED');
    expect(result.stderr).toContain(before);
    expect(result.stderr).toContain(after);
    expect(result.stdout).toBe('');

    // A --trust cannot quietly replace a trusted key: the old one must be removed on purpose first.
    const json = await run([...listArgs(pinned, '--trust', after), '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, code: 'identity-changed', fingerprint: after, trustedFingerprint: before });
    expect(trustedIn(pinned).map((t) => t.fingerprint)).toEqual([before]);
  });
});

describe('registry-transfer list and the password', () => {
  it('exits 4 on a wrong password and does not print it', async () => {
    const dataDir = newDataDir();
    const result = await run(listArgs(dataDir, '--trust', server.fingerprint), cliEnv({ RT_PASSWORD: WRONG_PASSWORD }));
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('did not accept that import code and password');
  });

  it('exits 4 with a plain message when no password is available', async () => {
    const dataDir = newDataDir();
    const withoutEnv = listArgs(dataDir, '--trust', server.fingerprint);
    withoutEnv.splice(withoutEnv.indexOf('--password-env'), 2);
    const result = await run(withoutEnv);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(NO_PASSWORD);
    expect(result.stderr).toContain('system keychain is not available');

    const unset = await run(listArgs(dataDir, '--trust', server.fingerprint), cliEnv({ RT_PASSWORD: undefined }));
    expect(unset.code).toBe(4);
    expect(unset.stderr).toContain('RT_PASSWORD');
    expect(unset.stderr).toContain('not set');

    const json = await run([...withoutEnv, '--json']);
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, code: 'keychain-unavailable', exitCode: 4 });
  });
});

describe('registry-transfer usage', () => {
  it.each([
    ['an unknown command', ['upload-everything']],
    ['an unknown option', ['list', '--profile', 'texas-immtrac2', '--colour']],
    ['a password on the command line', ['list', '--profile', 'texas-immtrac2', '--password', WRONG_PASSWORD]],
    ['a port that is not a number', ['list', '--profile', 'texas-immtrac2', '--port', 'abc']],
    ['an option without its value', ['list', '--profile']],
    ['an unknown profile', ['list', '--profile', 'no-such-registry', '--user', 'ABC123', '--password-env', 'RT_PASSWORD']],
    ['an unknown folder', ['list', 'Outbox', '--profile', 'texas-immtrac2', '--user', 'ABC123', '--password-env', 'RT_PASSWORD']],
    ['a fingerprint in no known form', ['list', '--profile', 'texas-immtrac2', '--user', 'ABC123', '--trust', 'SHA256:short']],
    ['an option the command does not take', ['profiles', '--user', 'ABC123']],
  ])('exits 2 on %s, before connecting to anything', async (_what, args) => {
    const result = await run([...args, '--data-dir', newDataDir()]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^registry-transfer: \S/);
    expect(result.stderr).not.toContain('    at '); // no stack trace
  });

  it('names the folders the profile has when FOLDER is not one of them', async () => {
    const result = await run(['list', 'Outbox', '--profile', 'texas-immtrac2', '--user', 'ABC123', '--password-env', 'RT_PASSWORD', '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('HL7-Dropoff');
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, code: 'invalid-input', exitCode: 2 });
  });

  it('prints help with exit 0, for the tool and for each command', async () => {
    const general = await run(['--help']);
    expect(general.code).toBe(0);
    expect(general.stdout).toContain('registry-transfer list');
    expect(general.stdout).toContain('registry-transfer profiles');
    const list = await run(['list', '-h']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('--password-env VAR');
    expect(list.stdout).toContain('--trust FINGERPRINT');
    const version = await run(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(`registry-transfer ${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}`);
  });

  it('says how to build it when the bundle is missing', async () => {
    const bare = join(scratch, 'unbuilt', 'electron', 'cli');
    mkdirSync(bare, { recursive: true });
    copyFileSync(LAUNCHER, join(bare, 'registry-transfer.mjs'));
    const result = await exec(process.execPath, [join(bare, 'registry-transfer.mjs'), '--help'], cliEnv());
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('registry-transfer is not built yet: run npm install (or npm run build)\n');
  });

  it('runs as `npx registry-transfer` from the project folder', async () => {
    const result = await run(['--help'], { ...cliEnv(), npm_config_update_notifier: 'false' }, ['npx', ['--no-install', 'registry-transfer']]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('registry-transfer list [FOLDER]');
  });
});

describe('registry-transfer list when the registry is out of reach or says no', () => {
  it('exits 1 on a closed port, naming the host and port', async () => {
    const closed = await freePort();
    const result = await run(['list', '--profile', 'texas-immtrac2', '--host', '127.0.0.1', '--port', String(closed), '--user', 'ABC123', '--password-env', 'RT_PASSWORD', '--data-dir', newDataDir()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`127.0.0.1 port ${closed} refused the connection`);
  });

  it('exits 5 when the registry does not let the account list a folder', async () => {
    const receive = join(server.chroot.accountDir, 'Receive');
    chmodSync(receive, 0o700);
    try {
      const args = ['list', 'Receive', '--profile', 'texas-immtrac2', '--host', '127.0.0.1', '--port', String(server.port), '--user', server.chroot.username, '--password-env', 'RT_CHROOT', '--trust', server.fingerprint, '--data-dir', newDataDir(), '--json'];
      const result = await run(args, cliEnv({ RT_CHROOT: server.chroot.password }));
      expect(result.code).toBe(5);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, code: 'permission-denied', exitCode: 5 });
      expect(result.stderr).toContain('does not allow this account');
    } finally {
      chmodSync(receive, 0o755);
    }
  });
});

describe('registry-transfer and the system keychain', () => {
  // A real Secret Service: GNOME Keyring in a private D-Bus session, unlocked without a prompt. Its
  // keyring file lives in the session's HOME, so what one session saves the next one reads.
  const KEYRING_UNLOCK = 'keyring-unlock-2026';
  // gnome-keyring-daemon --daemonize can return before it owns org.freedesktop.secrets; a client that
  // asks in that gap makes D-Bus start a second, locked daemon. Wait until the name is owned.
  const UNLOCKED_SESSION = [
    '--',
    'sh',
    '-c',
    `printf %s "$KEYRING_UNLOCK" | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null 2>&1 || exit 1
    tries=0
    until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; do
      tries=$((tries + 1)); [ $tries -gt 200 ] && exit 1; sleep 0.05
    done
    exec "$@"`,
    'sh',
  ];
  let keyringEnv: NodeJS.ProcessEnv;
  let vaultDriver: string;

  beforeAll(async () => {
    const home = join(scratch, 'keyring-home');
    const runtime = join(scratch, 'keyring-run');
    mkdirSync(home, { recursive: true });
    mkdirSync(runtime, { recursive: true, mode: 0o700 });
    keyringEnv = { PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: runtime, KEYRING_UNLOCK };
    // The vault adapter, bundled as the app bundles it, beside node_modules so that keytar resolves.
    vaultDriver = join(driverDir, 'vault-driver.mjs');
    await esbuild({
      stdin: {
        resolveDir: ROOT,
        loader: 'ts',
        contents: `
          import { KeytarVault } from './electron/engine/credentials/keytar-vault';
          const vault = new KeytarVault(undefined, 10);
          const [op, account] = process.argv.slice(2);
          try {
            const value = op === 'set' ? await vault.set(account, process.env.VAULT_PASSWORD ?? '') : op === 'get' ? await vault.get(account) : await vault.delete(account);
            console.log(JSON.stringify({ ok: true, value: value ?? null }));
          } catch (error) {
            console.log(JSON.stringify({ ok: false, name: error.name, message: error.message }));
          }`,
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile: vaultDriver,
      logLevel: 'silent',
    });
  });

  /** `command` inside a private session bus with the unlocked keyring on it. */
  const inKeyringSession = (command: string[], env: NodeJS.ProcessEnv = {}) =>
    exec('dbus-run-session', [...UNLOCKED_SESSION, ...command], { ...keyringEnv, ...env });
  const vault = async (op: 'set' | 'get' | 'delete', account: string, env: NodeJS.ProcessEnv = {}) => {
    const result = await inKeyringSession([process.execPath, vaultDriver, op, account], env);
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as { ok: boolean; value?: unknown; name?: string; message?: string };
  };

  it('the vault keeps a password under the app\'s service name and <profile>:<username>, and deletes it', async () => {
    const account = `local-texas:${server.chroot.username}`;
    expect(await vault('set', account, { VAULT_PASSWORD: 'Saved-in-keyring-1!' })).toEqual({ ok: true, value: null });
    // What any other Secret Service client finds there: the desktop app and the CLI agree on this.
    const lookup = await inKeyringSession(['secret-tool', 'lookup', 'service', 'org.registrytransfer.app', 'account', account]);
    expect(lookup.stdout).toBe('Saved-in-keyring-1!');
    expect(await vault('get', account)).toEqual({ ok: true, value: 'Saved-in-keyring-1!' });
    expect(await vault('delete', account)).toEqual({ ok: true, value: true });
    expect(await vault('get', account)).toEqual({ ok: true, value: null });
    expect(await vault('delete', account)).toEqual({ ok: true, value: false });
  });

  it('the vault says in plain words that the keychain is not available when there is no session bus', async () => {
    const result = await exec(process.execPath, [vaultDriver, 'get', 'local-texas:ANYONE'], {
      PATH: process.env.PATH,
      HOME: join(scratch, 'home'),
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(scratch, 'no-session-bus')}`,
    });
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      name: 'VaultError',
      message: 'The system keychain is not available: this session has no connection to it (no D-Bus session bus).',
    });
  });

  it('list signs in with the password saved in the keychain when --password-env is not given', async () => {
    const user = server.home.username;
    expect(await vault('set', `local-texas:${user}`, { VAULT_PASSWORD: server.home.password })).toEqual({ ok: true, value: null });
    const args = ['list', 'Accepted', '--profile', profileFile, '--user', user, '--trust', server.fingerprint, '--data-dir', newDataDir()];
    const result = await run(args, { ...keyringEnv }, ['dbus-run-session', [...UNLOCKED_SESSION, process.execPath, LAUNCHER]]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${user}_20261114.HL7`);
  });

  it('list exits 4 naming the keychain entry when none is saved for that login', async () => {
    const args = ['list', '--profile', profileFile, '--user', 'TXNOPW', '--trust', server.fingerprint, '--data-dir', newDataDir()];
    const result = await run(args, { ...keyringEnv }, ['dbus-run-session', [...UNLOCKED_SESSION, process.execPath, LAUNCHER]]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(NO_PASSWORD);
    expect(result.stderr).toContain('local-texas:TXNOPW');
  });
});
