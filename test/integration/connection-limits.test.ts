// "Too many connections" is not a wrong password (issue 11, item 12). A registry account limited to
// one session: the desktop app is open and signed in while the scheduled job (the command line) or
// a second copy of the app signs in with the same account. Real servers refuse the second session
// after its password in their own ways: ProFTPD `530 Sorry, the maximum number of clients (1) for
// this user are already connected.`, Pure-FTPd `421 I can't accept more than 1 connections as the
// same user`, ProFTPD's mod_sftp an SSH disconnect with reason 12 "Maximum connections for
// host/user reached". The user is told another program holds the account and what to do, never that
// the password was refused; the saved password stays saved and works once the first session ends.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialVault } from '../../electron/engine/credentials/vault';
import { startProftpd } from '../support/proftpd';
import { startPureFtpd } from '../support/pure-ftpd';
import { openApp, type App, type TestRegistry } from '../support/transfer-harness';
import { startVsftpd, type FtpsServer } from '../support/vsftpd';
import { JsonFileSettings } from '../../electron/engine/settings/settings-store';
import { TrustStore } from '../../electron/engine/trust/trust-store';

const ROOT = new URL('../..', import.meta.url).pathname;
const LAUNCHER = join(ROOT, 'electron/cli/registry-transfer.mjs');
const TOLD = 'Another program or another copy of this app (the app left open on another computer, or a scheduled upload) is signed in to this account right now: close it, or wait for it to finish, then try again.';

/** A keychain in memory, as the OS keychain behaves for these calls. */
class MapVault implements CredentialVault {
  readonly entries = new Map<string, string>();
  async get(account: string) {
    return this.entries.get(account) ?? null;
  }
  async set(account: string, password: string) {
    this.entries.set(account, password);
  }
  async delete(account: string) {
    return this.entries.delete(account);
  }
}

interface LimitedServer {
  registry: TestRegistry;
  /** What the server says to the second session, as its helper documents it. */
  serverSays: string;
  /** The fingerprint the command line is told to trust. */
  fingerprint: string;
  sessionsEnded(): Promise<void>;
  stop(): Promise<void>;
}

const TEXAS_FILE_RULES = { extension: '.HL7', importCodeInName: true };

const SERVERS: [string, () => Promise<LimitedServer>][] = [
  [
    'ProFTPD FTPS with MaxClientsPerUser 1',
    async () => {
      const server = await startProftpd({ tag: 'ZQ', maxClientsPerUser: 1 });
      return {
        registry: limitedRegistry('ftps', server.port, server.account, (id) => server.ftpsProfile(id), () => server.stop()),
        serverSays: '530 Sorry, the maximum number of clients (1) for this user are already connected.',
        fingerprint: server.fingerprint,
        sessionsEnded: () => server.sessionsEnded(),
        stop: () => server.stop(),
      };
    },
  ],
  [
    'Pure-FTPd with -y 1',
    async () => {
      const server = await startPureFtpd({ tag: 'ZR', maxClientsPerUser: 1 });
      return {
        registry: limitedRegistry('ftps', server.port, server.account, (id) => server.profile(id), () => server.stop()),
        serverSays: "421 I can't accept more than 1 connections as the same user",
        fingerprint: server.fingerprint,
        sessionsEnded: () => server.sessionsEnded(),
        stop: () => server.stop(),
      };
    },
  ],
  [
    'ProFTPD mod_sftp with MaxClientsPerUser 1',
    async () => {
      const server = await startProftpd({ tag: 'ZS', sftp: true, maxClientsPerUser: 1 });
      return {
        registry: limitedRegistry('sftp', server.sftpPort as number, server.account, (id) => server.sftpProfile(id), () => server.stop()),
        serverSays: 'SSH disconnect 12: Maximum connections for host/user reached',
        fingerprint: server.hostKeyFingerprint as string,
        sessionsEnded: () => server.sessionsEnded(),
        stop: () => server.stop(),
      };
    },
  ],
];

function limitedRegistry(protocol: 'sftp' | 'ftps', port: number, account: TestRegistry['account'], profile: (id: string) => Record<string, unknown>, stop: () => Promise<void>): TestRegistry {
  return {
    protocol,
    label: protocol.toUpperCase(),
    port,
    account,
    dropoffDir: join(account.accountDir, 'HL7-Dropoff'),
    profile: (id, overrides = {}) => ({ ...profile(id), files: TEXAS_FILE_RULES, ...overrides }),
    log: () => '',
    processes: () => ({ listener: 0, sessions: [] }),
    stop,
  };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built command line, as a scheduled job runs it: no terminal, the password in RT_PASSWORD. */
function runCli(args: string[], password: string): Promise<Run> {
  const scratch = mkdtempSync(join(tmpdir(), 'rt-limits-cli-'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: scratch,
    XDG_CONFIG_HOME: join(scratch, '.config'),
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(scratch, 'no-session-bus')}`,
    RT_PASSWORD: password,
  };
  return new Promise<Run>((resolve) => {
    execFile(process.execPath, [LAUNCHER, ...args], { cwd: ROOT, env, timeout: 50_000 }, (error, stdout, stderr) => {
      rmSync(scratch, { recursive: true, force: true });
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

for (const [title, start] of SERVERS) {
  describe(`an account limited to one session on ${title}`, () => {
    let server: LimitedServer;
    let scratch: string;
    const apps: App[] = [];
    const profileId = `limits-${title.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
    const username = () => server.registry.account.username;
    const password = () => server.registry.account.password;
    const open = (vault?: CredentialVault) => {
      const app = openApp(server.registry, { profileId, ...(vault ? { vault } : {}) });
      apps.push(app);
      return app;
    };
    const close = async (app: App) => {
      apps.splice(apps.indexOf(app), 1);
      await app.dispose();
      // The server counts a session until its process has ended.
      await server.sessionsEnded();
    };

    beforeAll(async () => {
      server = await start();
      scratch = mkdtempSync(join(tmpdir(), 'rt-limits-'));
    }, 60_000);
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((a) => a.dispose()));
      await server.sessionsEnded();
    });
    afterAll(async () => {
      await server?.stop();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    it('a second copy of the app is told another program is signed in, not that the password is wrong, and its saved password stays saved', async () => {
      const vault = new MapVault();
      const second = open(vault);
      const saved = await second.call('connect', { profileId, protocol: server.registry.protocol, username: username(), password: password(), rememberPassword: true });
      expect(saved, saved.ok ? '' : saved.message).toMatchObject({ ok: true });
      await second.call('disconnect', {});
      await server.sessionsEnded();
      const keychainBefore = new Map(vault.entries);
      expect([...keychainBefore.values()]).toContain(password());

      const first = open();
      await first.connect();

      const refused = await second.call('connect', { profileId, protocol: server.registry.protocol, username: username() });
      expect(refused.ok).toBe(false);
      if (refused.ok) return;
      expect(refused.code).toBe('too-many-connections');
      expect(refused.message).toContain('The registry refused this connection because this account already has as many connections open as it allows.');
      expect(refused.message).toContain(TOLD);
      expect(refused.message).toContain('The import code and password were not refused: there is nothing to reset.');
      expect(refused.message).not.toMatch(/did not accept|wrong password|incorrect/i);
      expect(refused.detail).toContain(server.serverSays);
      // Nothing about the saved password changed.
      expect(vault.entries).toEqual(keychainBefore);
      expect(await second.call('getSavedPassword', { profileId, username: username() })).toEqual({ ok: true, hasSavedPassword: true });

      // Once the first session has ended, the saved password signs in as before.
      await close(first);
      const again = await second.call('connect', { profileId, protocol: server.registry.protocol, username: username() });
      expect(again, again.ok ? '' : again.message).toMatchObject({ ok: true });
    });

    it('the scheduled job (the command line) run while the app is signed in ends with the same words and exit status 1, not the failed-login status', async () => {
      const first = open();
      await first.connect();
      const profileFile = join(scratch, `${profileId}.json`);
      writeFileSync(profileFile, JSON.stringify(server.registry.profile(profileId)));
      const args = ['list', '--profile', profileFile, '--user', username(), '--password-env', 'RT_PASSWORD', '--data-dir', join(scratch, 'data'), '--trust', server.fingerprint, '--timeout', '20'];
      const text = await runCli(args, password());
      expect(text.code).toBe(1);
      expect(text.stderr).toContain(TOLD);
      expect(text.stderr).not.toMatch(/did not accept/i);
      const json = await runCli([...args, '--json'], password());
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, code: 'too-many-connections', exitCode: 1 });
    });
  });
}

// A limit on connections from one internet address (vsftpd max_per_ip, Pure-FTPd -C, ProFTPD
// MaxClientsPerHost) is not this account's: every computer of a clinic behind one router shares the
// address, whatever account it uses. The user is told that, not that this account is signed in elsewhere.
describe("vsftpd with max_per_ip 1: this computer's address already has its connection", () => {
  let server: FtpsServer;
  let registry: TestRegistry;
  let settingsDir: string;
  let settings: JsonFileSettings;
  const apps: App[] = [];
  const profileId = 'limits-per-address';
  const open = () => {
    const app = openApp(registry, { profileId, settings });
    apps.push(app);
    return app;
  };
  beforeAll(async () => {
    server = await startVsftpd({ mode: 'explicit', tag: 'RV', extraConfig: 'max_per_ip=1' });
    registry = limitedRegistry('ftps', server.port, server.account, (id) => server.profile(id), () => server.stop());
    // The certificate trusted beforehand: a first sight closes the connection that showed it and opens
    // another at once, which a limit of one connection per address would refuse (vsftpd counts the
    // first until its session process has ended).
    settingsDir = mkdtempSync(join(tmpdir(), 'rt-limits-address-'));
    settings = new JsonFileSettings(join(settingsDir, 'config.json'));
    new TrustStore(settings).trust({ host: '127.0.0.1', port: server.port, kind: 'tls-certificate', fingerprint: server.fingerprint, description: 'vsftpd test certificate' });
  }, 60_000);
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.dispose()));
  });
  afterAll(async () => {
    await server?.stop();
    if (settingsDir) rmSync(settingsDir, { recursive: true, force: true });
  });

  const connect = (app: App) => app.call('connect', { profileId, protocol: 'ftps', username: server.account.username, password: server.account.password });
  /**
   * Connect once the address has a free connection: vsftpd counts a connection until its session
   * process has ended (the probe that saw the server listen, the first copy once disposed).
   */
  const connectWhenFree = async (app: App) => {
    const deadline = Date.now() + 30_000;
    let result = await connect(app);
    while (!result.ok && result.code === 'too-many-connections' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      result = await connect(app);
    }
    return result;
  };

  it('a second copy of the app is told the address holds its connections, not the account and not the password, and signs in once the first has gone', async () => {
    const first = open();
    const signedIn = await connectWhenFree(first);
    expect(signedIn, signedIn.ok ? '' : signedIn.message).toMatchObject({ ok: true });
    const second = open();
    const connectSecond = () => connect(second);

    const refused = await connectSecond();
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.code).toBe('too-many-connections');
    expect(refused.message).toBe(
      "The registry refused this connection because as many connections as it allows are already open from this computer's internet address (other computers in the clinic may share that address). Another copy of this app or another program connected to the registry (a scheduled upload, perhaps on another computer) is using them right now: close it, or wait for it to finish, then try again. The import code and password were not refused: there is nothing to reset.",
    );
    expect(refused.detail).toContain('421 There are too many connections from your internet address.');
    // vsftpd refused it before USER: the only sign-in in its log is the first copy's.
    expect(server.log().match(/"USER /g)).toHaveLength(1);

    await first.dispose();
    apps.splice(apps.indexOf(first), 1);
    const again = await connectWhenFree(second);
    expect(again, again.ok ? '' : again.message).toMatchObject({ ok: true });
  });
});
