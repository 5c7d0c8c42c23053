// The built `registry-transfer change-password` command against the password-changing FTPS test
// server: the new password from --new-password-env (or typed twice at a real terminal, unseen), the
// registry's rules checked first, the server's 560 demand answered or SITE PSWD sent, and the exit
// status as the CLI's table says. Without a keychain it says the password was not saved; with one,
// the keychain ends with the new password alone.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFtpPasswordServer, type FtpPasswordServer } from '../support/ftp-password-server';
import { createKeyring, type Keyring } from '../support/keyring';
import { filesUnder } from '../support/files';

const ROOT = new URL('../..', import.meta.url).pathname;
const LAUNCHER = join(ROOT, 'electron/cli/registry-transfer.mjs');
const USER = 'TX5310';
const ISSUED = 'Issued-By-Registry-77!';
const NEW = ['Quartz-Harbor-6612%', 'Linden-Rocket-2947#', 'Falcon-Prism-8035@', 'Nimbus-Garnet-1178&', 'Sable-Orchid-4620*'] as const;
const REFUSED_NEW = 'Not-Taken-Here-5150!';
const WEB_PAGE = 'https://registry.example.test/manageaccount';

let implicitServer: FtpPasswordServer;
let explicitServer: FtpPasswordServer;
let scratch: string;
let keyring: Keyring;
const outputs: string[] = [];
let dirs = 0;
const files: Record<string, string> = {};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

beforeAll(async () => {
  implicitServer = await startFtpPasswordServer({ mode: 'implicit', username: USER, password: ISSUED });
  explicitServer = await startFtpPasswordServer({ mode: 'explicit', username: USER, password: ISSUED });
  scratch = mkdtempSync(join(tmpdir(), 'rt-cli-change-password-'));
  keyring = await createKeyring(scratch);
  const profiles: Record<string, Record<string, unknown>> = {
    ws: implicitServer.profile('cli-ws-ftp', { requiredAtFirstLogin: true, methods: { ftps: 'pass-old-new' } }),
    servu: explicitServer.profile('cli-serv-u', { requiredAtFirstLogin: true, methods: { ftps: 'site-pswd' } }),
    web: explicitServer.profile('cli-eft', { requiredAtFirstLogin: true, webPageUrl: WEB_PAGE, methods: { ftps: 'web-page' } }),
  };
  for (const [name, profile] of Object.entries(profiles)) {
    files[name] = join(scratch, `${name}.json`);
    writeFileSync(files[name] as string, JSON.stringify(profile));
  }
});

afterAll(async () => {
  await implicitServer?.stop();
  await explicitServer?.stop();
  keyring?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const newDataDir = () => join(scratch, `data-${++dirs}`);

/** No keychain to reach (no session bus), a private HOME, the passwords only in the environment. */
function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: join(scratch, 'home'),
    XDG_CONFIG_HOME: join(scratch, 'home', '.config'),
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(scratch, 'no-session-bus')}`,
    RT_PASSWORD: ISSUED,
    ...extra,
  };
}

function run(args: string[], env: NodeJS.ProcessEnv = cliEnv()): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [LAUNCHER, ...args], { cwd: ROOT, env, timeout: 50_000 }, (error, stdout, stderr) => {
      outputs.push(stdout, stderr);
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

const changeArgs = (profile: string, server: FtpPasswordServer, dataDir: string, ...more: string[]) => [
  'change-password',
  '--profile',
  files[profile] as string,
  '--protocol',
  'ftps',
  '--user',
  USER,
  '--trust',
  server.fingerprint,
  '--data-dir',
  dataDir,
  '--timeout',
  '20',
  ...more,
];
/** The current password in RT_PASSWORD, the new one in RT_NEW. */
const withPasswords = ['--password-env', 'RT_PASSWORD', '--new-password-env', 'RT_NEW'] as const;
const lines = (server: FtpPasswordServer, text: string) => server.commands.filter((c) => c.line.includes(text)).map((c) => c.line);

describe('registry-transfer change-password', () => {
  it("answers WS_FTP's 560 with PASS old new: exit 0, the registry has the new password, and the user is told it was not saved", async () => {
    implicitServer.reset({ password: ISSUED, expired: true });
    const dataDir = newDataDir();
    const result = await run([...changeArgs('ws', implicitServer, dataDir), ...withPasswords], cliEnv({ RT_NEW: NEW[0] }));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      'The registry accepted your new password.\nThe system keychain is not available, so the new password is not saved by the app: remember it. This session has no connection to it (no D-Bus session bus).\n',
    );
    expect(implicitServer.account).toMatchObject({ password: NEW[0], expired: false });
    expect(lines(implicitServer, ISSUED)).toEqual([`PASS ${ISSUED}`, `PASS ${ISSUED} ${NEW[0]}`]);
    expect(lines(implicitServer, NEW[0])).toEqual([`PASS ${ISSUED} ${NEW[0]}`]);
    const config = JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')) as { passwordChangedAt?: Record<string, string> };
    expect(Object.keys(config.passwordChangedAt ?? {})).toEqual([`cli-ws-ftp:${USER}`]);
  });

  it('sends SITE PSWD after signing in (explicit TLS), with a JSON document', async () => {
    explicitServer.reset({ password: ISSUED, expired: false });
    const result = await run([...changeArgs('servu', explicitServer, newDataDir(), '--json'), ...withPasswords], cliEnv({ RT_NEW: NEW[1] }));
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: true,
      changed: true,
      method: 'site-pswd',
      message: 'The registry accepted your new password.',
      savedInKeychain: false,
      exitCode: 0,
      username: USER,
      fingerprint: explicitServer.fingerprint,
    });
    expect(explicitServer.account.password).toBe(NEW[1]);
    expect(lines(explicitServer, ISSUED)).toEqual([`PASS ${ISSUED}`, `SITE PSWD ${ISSUED} ${NEW[1]}`]);
  });

  it('a new password the registry refuses: exit 4, and nothing changed', async () => {
    explicitServer.reset({ password: ISSUED, expired: false }, { refuseNewPassword: true });
    const result = await run([...changeArgs('servu', explicitServer, newDataDir()), ...withPasswords], cliEnv({ RT_NEW: REFUSED_NEW }));
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('registry-transfer: The registry did not accept the new password, so the password was not changed.');
    expect(explicitServer.account.password).toBe(ISSUED);
  });

  it('refuses, before connecting, without a terminal and without --new-password-env (exit 2); and a weak or empty new password', async () => {
    implicitServer.reset({ password: ISSUED, expired: true });
    const before = implicitServer.connections();
    const noTty = await run([...changeArgs('ws', implicitServer, newDataDir()), '--password-env', 'RT_PASSWORD']);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toBe(
      'registry-transfer: change-password needs the new password, and there is no terminal to ask for it (hidden) here. Put it in an environment variable and name the variable with --new-password-env VAR. Nothing was changed.\n',
    );
    const weak = await run([...changeArgs('ws', implicitServer, newDataDir()), ...withPasswords], cliEnv({ RT_NEW: 'weak' }));
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/^registry-transfer: The new password does not meet .*'s rules\. It needs at least 8 characters \(it has 4\)\..* Nothing was sent\.\n$/);
    const empty = await run([...changeArgs('ws', implicitServer, newDataDir()), ...withPasswords], cliEnv({ RT_NEW: '' }));
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('The environment variable RT_NEW named by --new-password-env is not set or is empty.');
    const asArgument = await run([...changeArgs('ws', implicitServer, newDataDir()), NEW[2]]);
    expect(asArgument.code).toBe(2);
    expect(implicitServer.connections()).toBe(before);
    expect(implicitServer.account).toMatchObject({ password: ISSUED, expired: true });
  });

  it('an untrusted server: exit 3, and no username or password is sent', async () => {
    implicitServer.reset({ password: ISSUED, expired: true });
    const args = changeArgs('ws', implicitServer, newDataDir()).filter((a, i, all) => a !== '--trust' && all[i - 1] !== '--trust');
    const result = await run([...args, ...withPasswords], cliEnv({ RT_NEW: NEW[2] }));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(implicitServer.fingerprint);
    expect(implicitServer.commands.filter((c) => /^(USER|PASS)/.test(c.line))).toEqual([]);
  });

  it('a registry that changes passwords on its web page: exit 1 with the page, and nothing is sent', async () => {
    explicitServer.reset({ password: ISSUED, expired: false });
    const before = explicitServer.connections();
    const result = await run([...changeArgs('web', explicitServer, newDataDir()), ...withPasswords], cliEnv({ RT_NEW: NEW[2] }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`changes FTPS passwords on its web page, which registry-transfer cannot do for you: open ${WEB_PAGE} in a browser`);
    expect(explicitServer.connections()).toBe(before);
  });

  it('with a keychain: the new password is saved, and the old one is gone', async () => {
    implicitServer.reset({ password: ISSUED, expired: true });
    const dataDir = newDataDir();
    const result = await keyring.run('unlocked', [process.execPath, LAUNCHER, ...changeArgs('ws', implicitServer, dataDir), ...withPasswords], {
      env: { RT_PASSWORD: ISSUED, RT_NEW: NEW[3], XDG_CONFIG_HOME: join(scratch, 'home', '.config') },
    });
    outputs.push(result.stdout, result.stderr);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('The registry accepted your new password. It is saved in the system keychain.\n');
    expect(await keyring.lookup(`cli-ws-ftp:${USER}`)).toBe(NEW[3]);
    expect(await keyring.lookup(`cli-ws-ftp:${USER}#pending`)).toBeNull();
  });

  it('at a terminal: asks twice, shows nothing typed, and changes the password', async () => {
    explicitServer.reset({ password: ISSUED, expired: false });
    const command = [process.execPath, LAUNCHER, ...changeArgs('servu', explicitServer, newDataDir()), '--password-env', 'RT_PASSWORD'].map((a) => `'${a}'`).join(' ');
    // `script` gives the command a real pseudo-terminal, as a person's shell would.
    const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: ROOT, env: cliEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    const waitFor = async (text: string) => {
      const deadline = Date.now() + 20_000;
      while (!screen.includes(text)) {
        if (Date.now() > deadline) throw new Error(`the terminal never showed "${text}": ${screen}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor('New password for');
    child.stdin.write(`${NEW[4]}\r`);
    await waitFor('Type the new password again: ');
    child.stdin.write(`${NEW[4]}\r`);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.end();
    outputs.push(screen);
    expect(code, screen).toBe(0);
    expect(screen).toContain('The registry accepted your new password.');
    expect(screen).not.toContain(NEW[4]);
    expect(explicitServer.account.password).toBe(NEW[4]);
  });

  it('says what it does in --help', async () => {
    const result = await run(['change-password', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--new-password-env VAR   read the new password from the environment variable VAR');
    const general = await run(['--help']);
    expect(general.stdout).toContain('registry-transfer change-password --profile ID|FILE.json --user NAME [--new-password-env VAR] [options]');
  });
});

describe('after every run', () => {
  it('no password is in any output or data folder (the test server keeps its own record)', () => {
    const found = filesUnder(scratch);
    expect(found.some((f) => f.endsWith('config.json'))).toBe(true);
    const texts = [...outputs, ...found.map((f) => readFileSync(f, 'latin1'))];
    for (const secret of [ISSUED, ...NEW, REFUSED_NEW]) {
      for (const text of texts) expect(text.includes(secret), secret).toBe(false);
    }
  });
});
