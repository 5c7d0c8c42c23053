// `registry-transfer practice` (issue 13, item 5) as a script and a trainer run it: the built command
// in a child process, stopped by SIGTERM or Ctrl+C (SIGINT). With --json exactly one line of JSON once
// it listens; without, how to connect in words. Other commands reach it with --profile practice and
// the same --data-dir (no --trust needed: the data folder vouches for its own key, as the window does;
// a --trust given must match), and say plainly when it is not running; a second one on the same
// folder, a busy port (a usage error, exit 2) and bad options are refused plainly.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintBytes } from '../../electron/engine/trust/fingerprint';
import { CLI_LAUNCHER, cliEnv, PROJECT_ROOT, runCli, type CliRun } from '../support/cli-runner';

const SAMPLE = join(PROJECT_ROOT, 'electron', 'practice', 'samples', 'PRAC01_20261201_weekly.HL7');
const CHOSEN = 'Kestrel-Harbor-6619!';

let scratch: string;
const running = new Set<ChildProcess>();

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-practice-cli-'));
  mkdirSync(join(scratch, 'home'));
});

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

interface Practice {
  child: ChildProcess;
  /** What it printed on stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit status once it has ended. */
  exited: Promise<number | null>;
}

/** `registry-transfer practice ARGS` left running; resolves once it has printed `until` on stdout. */
async function startPractice(args: string[], until: RegExp): Promise<Practice> {
  const child = spawn(process.execPath, [CLI_LAUNCHER, 'practice', ...args], { cwd: PROJECT_ROOT, env: cliEnv(scratch, undefined), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (data) => (out += String(data)));
  child.stderr?.on('data', (data) => (err += String(data)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (running.delete(child), resolve(code))));
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`practice did not print ${until} within 60 s: ${out} ${err}`)), 60_000);
    const check = () => {
      if (until.test(out)) {
        clearTimeout(deadline);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    void exited.then(() => (clearTimeout(deadline), reject(new Error(`practice ended: ${out} ${err}`))));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

const env = (password: string | undefined, extra: Record<string, string> = {}) => cliEnv(scratch, password, extra);
const practiceArgs = (dataDir: string) => ['--profile', 'practice', '--user', 'PRAC01', '--password-env', 'RT_PASSWORD', '--data-dir', dataDir];

async function until(condition: () => Promise<boolean>, what: string, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`This never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('registry-transfer practice --json', () => {
  const dataDir = () => join(scratch, 'json data');
  let practice: Practice;
  let listening: Record<string, unknown> & { sftp: { port: number; fingerprint: string }; ftpsImplicit: { port: number; fingerprint: string }; ftpsExplicit: { port: number; fingerprint: string }; password: string };

  beforeAll(async () => {
    practice = await startPractice(['--json', '--ready', '--process-after', '0.2', '--data-dir', dataDir()], /\n/);
    listening = JSON.parse(practice.stdout());
  }, 90_000);
  afterAll(async () => {
    if (practice.child.exitCode === null) {
      practice.child.kill('SIGTERM');
      await practice.exited;
    }
  });

  it('prints exactly one line of JSON once it listens: host, the three doors with their fingerprints, the account', () => {
    expect(practice.stdout().split('\n')).toEqual([expect.stringMatching(/^\{.*\}$/), '']);
    expect(Object.keys(listening)).toEqual(['host', 'sftp', 'ftpsImplicit', 'ftpsExplicit', 'username', 'password']);
    expect(listening).toMatchObject({ host: '127.0.0.1', username: 'PRAC01', password: expect.stringMatching(/^[A-Za-z]+-[A-Za-z]+-\d{4}!$/) });
    expect(listening.sftp.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(listening.ftpsImplicit.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(listening.ftpsExplicit.fingerprint).toBe(listening.ftpsImplicit.fingerprint);
    // In the forms --trust takes.
    expect(fingerprintBytes(listening.sftp.fingerprint)).not.toBeNull();
    expect(fingerprintBytes(listening.ftpsImplicit.fingerprint)).not.toBeNull();
    expect(new Set([listening.sftp.port, listening.ftpsImplicit.port, listening.ftpsExplicit.port]).size).toBe(3);
    // running.json, for --profile practice, has where it listens and never the password.
    const runningFile = readFileSync(join(dataDir(), 'practice', 'running.json'), 'utf8');
    expect(JSON.parse(runningFile)).toMatchObject({ sftp: listening.sftp, ftpsImplicit: listening.ftpsImplicit, ftpsExplicit: listening.ftpsExplicit, username: 'PRAC01' });
    expect(runningFile).not.toContain(listening.password);
  });

  it('is reached by list --profile practice with the same --data-dir, over SFTP and FTPS, without --trust (and without --user)', async () => {
    const sftp = await runCli(['list', ...practiceArgs(dataDir()), '--json'], env(listening.password));
    expect(sftp.code, sftp.stderr).toBe(0);
    const listed = JSON.parse(sftp.stdout);
    expect(listed).toMatchObject({ ok: true, profile: { id: 'practice' }, protocol: 'sftp', port: listening.sftp.port, fingerprint: listening.sftp.fingerprint });
    expect(listed.folders.map((f: { name: string }) => f.name)).toEqual(['HL7-Dropoff', 'Accepted', 'DQA-Report', 'Receive']);

    const ftps = await runCli(['list', 'HL7-Dropoff', ...practiceArgs(dataDir()), '--protocol', 'ftps', '--json'], env(listening.password));
    expect(ftps.code, ftps.stderr).toBe(0);
    expect(JSON.parse(ftps.stdout)).toMatchObject({ ok: true, protocol: 'ftps', port: listening.ftpsImplicit.port });

    // The practice registry has one account: --user may be left out there (and only there).
    const withoutUser = await runCli(['list', '--profile', 'practice', '--password-env', 'RT_PASSWORD', '--data-dir', dataDir(), '--json'], env(listening.password));
    expect(withoutUser.code, withoutUser.stderr).toBe(0);
    expect(JSON.parse(withoutUser.stdout)).toMatchObject({ ok: true, username: 'PRAC01' });
    const texasWithoutUser = await runCli(['list', '--profile', 'texas-immtrac2', '--password-env', 'RT_PASSWORD', '--data-dir', dataDir(), '--json'], env(listening.password));
    expect(texasWithoutUser.code).toBe(2);
    expect(texasWithoutUser.stdout).toContain('--user');

    const profiles = await runCli(['profiles', '--data-dir', dataDir(), '--json'], env(undefined));
    expect(JSON.parse(profiles.stdout).profiles[0]).toMatchObject({ id: 'practice', endpoints: [{ protocol: 'sftp', port: listening.sftp.port }, { protocol: 'ftps', port: listening.ftpsImplicit.port }] });
  });

  it('takes --trust with the fingerprint it printed, and refuses another (exit 3), as for any server', async () => {
    const trusted = await runCli(['list', ...practiceArgs(dataDir()), '--trust', listening.sftp.fingerprint], env(listening.password));
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(trusted.stdout).toContain('HL7-Dropoff');
    const other = `SHA256:${'A'.repeat(43)}`;
    const refused = await runCli(['list', ...practiceArgs(dataDir()), '--trust', other], env(listening.password));
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(listening.sftp.fingerprint);
  });

  it('takes a batch from upload --profile practice and answers it, as a script would see', async () => {
    const sent = await runCli(['upload', SAMPLE, ...practiceArgs(dataDir()), '--trust', listening.sftp.fingerprint], env(listening.password));
    expect(sent.code, sent.stderr).toBe(0);
    await until(async () => {
      const accepted = await runCli(['list', 'Accepted', ...practiceArgs(dataDir()), '--trust', listening.sftp.fingerprint], env(listening.password));
      return accepted.code === 0 && accepted.stdout.includes('PRAC01_20261201_weekly.HL7');
    }, 'the batch in Accepted');
    let reports: CliRun = { code: null, stdout: '', stderr: '' };
    await until(async () => {
      reports = await runCli(['list', 'DQA-Report', ...practiceArgs(dataDir()), '--json'], env(listening.password));
      return reports.code === 0 && JSON.parse(reports.stdout).folders[0].entries.length > 0;
    }, 'the ACK and DQA report in DQA-Report');
    const names = JSON.parse(reports.stdout).folders[0].entries.map((e: { name: string }) => e.name);
    expect(names).toEqual(expect.arrayContaining(['PRAC01_20261201_weekly_ACK.hl7', 'PRAC01_20261201_weekly_DQA.txt']));
  });

  it('refuses a second practice registry on the same data folder while it runs', async () => {
    const second = await runCli(['practice', '--json', '--data-dir', dataDir()], env(undefined));
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`A practice registry is already running on the data folder ${dataDir()} (process ${practice.child.pid}`);
    expect(JSON.parse(second.stdout)).toMatchObject({ ok: false, code: 'busy' });
    expect(second.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('stops on SIGTERM: exit 0, still one line on stdout, its running.json gone, and --profile practice then says it is not running', async () => {
    practice.child.kill('SIGTERM');
    expect(await practice.exited).toBe(0);
    expect(practice.stdout().split('\n')).toHaveLength(2);
    expect(practice.stderr()).toContain('the practice registry stopped');
    expect(existsSync(join(dataDir(), 'practice', 'running.json'))).toBe(false);

    const after = await runCli(['list', ...practiceArgs(dataDir())], env(listening.password));
    expect(after.code).toBe(1);
    expect(after.stderr).toContain(`The practice registry is not running on the data folder ${dataDir()}. Start it in another terminal with registry-transfer practice --data-dir "${dataDir()}"`);
  });
});

describe('registry-transfer practice, as a trainer runs it', () => {
  it('says how to connect, takes the first-login change from change-password, and keeps its identity across starts', async () => {
    const dataDir = join(scratch, 'trainer');
    const first = await startPractice(['--data-dir', dataDir], /Ctrl\+C stops it\./);
    const text = first.stdout();
    const password = /Password: +(\S+) +\(issued: you will be asked to choose a new one at the first sign-in\)/.exec(text)?.[1] as string;
    expect(password).toMatch(/^[A-Za-z]+-[A-Za-z]+-\d{4}!$/);
    const hostKey = /host key (SHA256:\S+)/.exec(text)?.[1];
    const certificate = /certificate ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})/.exec(text)?.[1];
    expect(hostKey).toMatch(/^SHA256:/);
    expect(certificate).toBeTruthy();
    expect(text).toContain('Username:     PRAC01');
    expect(text).toMatch(/SFTP: +port \d+/);
    expect(text).toContain(`registry-transfer list --profile practice --user PRAC01 --password-env RT_PASSWORD --data-dir ${dataDir}`);

    // A script cannot choose a password: the registry's demand stops it (exit 4) until someone does.
    const demanded = await runCli(['list', ...practiceArgs(dataDir)], env(password));
    expect(demanded.code).toBe(4);
    const changed = await runCli(['change-password', ...practiceArgs(dataDir), '--new-password-env', 'RT_NEW_PASSWORD'], env(password, { RT_NEW_PASSWORD: CHOSEN }));
    expect(changed.code, changed.stderr).toBe(0);
    const listed = await runCli(['list', ...practiceArgs(dataDir)], env(CHOSEN));
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('HL7-Dropoff');

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);

    // Started again: the same key and certificate; the issued password is gone, the chosen one kept.
    const again = await startPractice(['--json', '--data-dir', dataDir], /\n/);
    const listening = JSON.parse(again.stdout());
    expect(listening).toMatchObject({ sftp: { fingerprint: hostKey }, ftpsImplicit: { fingerprint: certificate }, password: null });
    const stillListed = await runCli(['list', ...practiceArgs(dataDir), '--protocol', 'ftps'], env(CHOSEN));
    expect(stillListed.code, stillListed.stderr).toBe(0);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });
});

describe('registry-transfer practice under npm', () => {
  it('stops when npm is told to stop, though npm only ends the shell it ran it through', async () => {
    const dataDir = join(scratch, 'under npm');
    // As `npm run practice` and `npx` run it: a shell in between (one that cannot exec it, as dash
    // does not), npm's variables set; SIGTERM reaches the shell, never the registry.
    const shell = spawn('sh', ['-c', '"$0" "$@"; exit $?', process.execPath, CLI_LAUNCHER, 'practice', '--json', '--ready', '--data-dir', dataDir], {
      cwd: PROJECT_ROOT,
      env: { ...cliEnv(scratch, undefined), npm_command: 'run-script' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(shell);
    let out = '';
    let err = '';
    shell.stdout?.on('data', (data) => (out += String(data)));
    shell.stderr?.on('data', (data) => (err += String(data)));
    const runningFile = join(dataDir, 'practice', 'running.json');
    await until(async () => out.includes('\n'), 'the JSON line');
    expect(JSON.parse(out), `what it printed: ${out}${err}`).toMatchObject({ sftp: { port: expect.any(Number) } });
    expect(existsSync(runningFile), `running.json once it listens; what it printed: ${out}${err}`).toBe(true);
    const { pid } = JSON.parse(readFileSync(runningFile, 'utf8')) as { pid: number };
    expect(pid).not.toBe(shell.pid);
    shell.kill('SIGTERM');
    await until(async () => !existsSync(runningFile), 'the practice registry to stop and remove its running.json');
    await until(async () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 'the practice registry process to end');
    running.delete(shell);
  });
});

describe('registry-transfer practice refuses plainly', () => {
  it('a port another program holds', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const result = await runCli(['practice', '--sftp-port', String(port), '--data-dir', join(scratch, 'busy port')], env(undefined));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is already used by another program.`);
      const json = await runCli(['practice', '--json', '--ftps-explicit-port', String(port), '--data-dir', join(scratch, 'busy port')], env(undefined));
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, code: 'invalid-input', message: expect.stringContaining(`Port ${port} on 127.0.0.1`) });
      expect(existsSync(join(scratch, 'busy port', 'practice', 'running.json'))).toBe(false);
    } finally {
      holder.close();
    }
  });

  it.each([
    [['--sftp-port', '70000'], '--sftp-port must be a whole number from 1 to 65535.'],
    [['--sftp-port', '4100', '--ftps-explicit-port', '4100'], 'must be three different ports'],
    [['--process-after', 'soon'], '--process-after must be a number of seconds from 0 to 3600.'],
    [['extra'], 'practice takes no arguments besides its options.'],
    [['--profile', 'practice'], 'practice does not take --profile.'],
  ])('bad options %j (exit 2, nothing started)', async (args, words) => {
    const dataDir = join(scratch, `usage-${args.join('-')}`);
    const result = await runCli(['practice', ...args, '--data-dir', dataDir], env(undefined));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(words);
    expect(existsSync(join(dataDir, 'practice'))).toBe(false);
  });

  it('--help names every option', async () => {
    const help = await runCli(['practice', '--help'], env(undefined));
    expect(help.code).toBe(0);
    for (const option of ['--data-dir', '--sftp-port', '--ftps-implicit-port', '--ftps-explicit-port', '--process-after', '--ready', '--json']) expect(help.stdout).toContain(option);
  });
});
