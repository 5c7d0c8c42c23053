// The engine with a real system keychain: GNOME Keyring's Secret Service in a private D-Bus session
// (what keytar talks to on Linux), run as a separate process the way the app runs, so a test can
// also kill it half-way through. Three keychains a clinic's machine can have:
//   - `unlocked`: the keyring is there and open (a desktop session);
//   - `locked`: the keyring is there but locked, with nobody to type its password (keytar then reads
//     nothing and cannot write);
//   - `no-dbus`: no session bus at all (a service account, a remote shell).
// The engine runs as a bundled driver (`driverMain` below) that takes a job on stdin, makes contract
// calls through `dispatchCall` exactly as the window does, and prints one JSON line per result.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dispatchCall, type CallName, type RegistryEvent } from '../../shared/contract';
import { KeytarVault } from '../../electron/engine/credentials/keytar-vault';
import { KEYCHAIN_SERVICE, type CredentialVault } from '../../electron/engine/credentials/vault';
import { createRegistryService } from '../../electron/engine/registry-service';
import { JsonFileSettings } from '../../electron/engine/settings/settings-store';

const ROOT = new URL('../..', import.meta.url).pathname;

export type KeychainState = 'unlocked' | 'locked' | 'no-dbus';

export interface Keyring {
  /** HOME of every session: the keyring file lives under it, so what one session saves the next reads. */
  home: string;
  runtime: string;
  /** The bundled engine driver. */
  driver: string;
  /** Run `command` with the keychain in `state`. */
  run(state: KeychainState, command: string[], options?: RunOptions): Promise<ProcessResult>;
  /** A password as any Secret Service client finds it (null when none), read in an unlocked session. */
  lookup(account: string): Promise<string | null>;
  /** Run the engine driver with `job`. */
  engine(state: KeychainState, job: EngineJob): Promise<EngineRun>;
  dispose(): void;
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface EngineJob {
  /** The app's data folder (settings, trust decisions, history). */
  dataDir: string;
  /** Custom profiles to offer (a test server's). */
  profiles: unknown[];
  calls: { name: CallName; input: unknown }[];
  /** Passwords to put in the keychain before the calls, as an earlier run of the app would have. */
  seed?: { account: string; password: string }[];
  /** Die the way a killed app dies: just before, or just after, the keychain writes `account`. */
  crash?: { account: string; when: 'before-set' | 'after-set' };
  timeoutSeconds?: number;
  /**
   * What the user types, in order, each time the registry demands a new password at sign-in (the
   * window's change dialog answering the engine's new-password request); none left: the dialog is
   * closed ("deny").
   */
  newPasswordAnswers?: string[];
}

export interface EngineRun extends ProcessResult {
  results: Record<string, unknown>[];
  events: RegistryEvent[];
  /** Whether the driver died on purpose (`crash`). */
  crashed: boolean;
}

/** The exit code of a driver that died on purpose. */
export const CRASH_EXIT_CODE = 70;

const UNLOCK_PASSWORD = 'keyring-unlock-for-tests';
/**
 * The daemon's output goes nowhere (a daemon holding the test's pipes keeps them open after the run).
 * `--daemonize` can return before the daemon owns its bus name; a client asking in that gap would
 * have D-Bus start a second, locked daemon, so the command waits for the name first.
 */
const session = (start: string) => [
  'sh',
  '-c',
  `${start} --components=secrets --daemonize >/dev/null 2>&1 || exit 1
  tries=0
  until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; do
    tries=$((tries + 1)); [ $tries -gt 200 ] && exit 1; sleep 0.05
  done
  exec "$@"`,
  'sh',
];
const UNLOCKED = session('printf %s "$KEYRING_UNLOCK" | gnome-keyring-daemon --unlock');
const LOCKED = session('gnome-keyring-daemon');

function execute(command: string[], env: NodeJS.ProcessEnv, options: RunOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = command as [string, ...string[]];
    const child = spawn(file, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 50_000);
    child.on('error', reject);
    let settled = false;
    const settle = (code: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    };
    child.on('close', settle);
    // Whatever a session started and left behind may still hold the pipes: once the command itself
    // has exited, what it wrote is read within a moment, and the pipes are let go.
    child.on('exit', (code) => {
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        settle(code);
      }, 1_000);
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A private keyring folder and the engine driver, bundled into `.tmp/` beside node_modules. */
export async function createKeyring(scratch: string): Promise<Keyring> {
  const home = join(scratch, 'keyring-home');
  const runtime = join(scratch, 'keyring-run');
  mkdirSync(home, { recursive: true });
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  // A fresh clone has no .tmp yet: the driver is bundled beside node_modules so that keytar resolves.
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const driverDir = mkdtempSync(join(ROOT, '.tmp', 'keyring-driver-'));
  const driver = join(driverDir, 'engine-driver.mjs');
  const { build } = await import('esbuild');
  await build({
    stdin: { resolveDir: ROOT, loader: 'ts', contents: `import { driverMain } from './test/support/keyring';\nawait driverMain();\n` },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: driver,
    logLevel: 'silent',
  });

  const baseEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: runtime, KEYRING_UNLOCK: UNLOCK_PASSWORD });
  const run = async (state: KeychainState, command: string[], options: RunOptions = {}): Promise<ProcessResult> => {
    const env = { ...baseEnv(), ...options.env };
    if (state === 'no-dbus') {
      return execute(command, { ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(runtime, 'no-session-bus')}` }, options);
    }
    if (state === 'locked' && !existsSync(join(home, '.local/share/keyrings/login.keyring'))) {
      // A keyring that is locked must exist first: create it, unlocked, in a session of its own.
      await execute(['dbus-run-session', '--', ...UNLOCKED, 'true'], baseEnv());
    }
    return execute(['dbus-run-session', '--', ...(state === 'unlocked' ? UNLOCKED : LOCKED), ...command], env, options);
  };

  return {
    home,
    runtime,
    driver,
    run,
    async lookup(account) {
      const result = await run('unlocked', ['secret-tool', 'lookup', 'service', KEYCHAIN_SERVICE, 'account', account]);
      return result.code === 0 && result.stdout !== '' ? result.stdout : null;
    },
    async engine(state, job) {
      const result = await run(state, [process.execPath, driver], { input: JSON.stringify(job) });
      const lines = result.stdout.split('\n').filter((l) => l.startsWith('{'));
      const parsed = lines.map((l) => JSON.parse(l) as { result?: Record<string, unknown>; events?: RegistryEvent[] });
      return {
        ...result,
        results: parsed.flatMap((p) => (p.result ? [p.result] : [])),
        events: parsed.flatMap((p) => p.events ?? []),
        crashed: result.code === CRASH_EXIT_CODE,
      };
    },
    dispose() {
      rmSync(driverDir, { recursive: true, force: true });
    },
  };
}

/** A vault that dies, as a killed app would, around one keychain write. */
class CrashingVault implements CredentialVault {
  constructor(
    private readonly inner: CredentialVault,
    private readonly crash: NonNullable<EngineJob['crash']>,
  ) {}

  get(account: string) {
    return this.inner.get(account);
  }

  async set(account: string, password: string) {
    const here = account === this.crash.account;
    if (here && this.crash.when === 'before-set') process.exit(CRASH_EXIT_CODE);
    await this.inner.set(account, password);
    if (here && this.crash.when === 'after-set') process.exit(CRASH_EXIT_CODE);
  }

  delete(account: string) {
    return this.inner.delete(account);
  }
}

/** The driver's body: one job from stdin, one JSON line per call result, then every event. */
export async function driverMain(): Promise<void> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  const job = JSON.parse(text) as EngineJob;
  const settings = JsonFileSettings.inDataDir(job.dataDir);
  settings.set('customProfiles', job.profiles);
  const keytar = new KeytarVault(undefined, 10);
  for (const { account, password } of job.seed ?? []) await keytar.set(account, password);
  const events: RegistryEvent[] = [];
  const newPasswords = [...(job.newPasswordAnswers ?? [])];
  const service = createRegistryService({
    settings,
    emit: (event) => {
      events.push(event);
      // The user trusts the test server's host key when asked, and answers a demand for a new password
      // with the job's next one (none left: closes the dialog, "deny").
      if (event.type !== 'request') return;
      const { id, kind } = event.request;
      const answer = kind !== 'new-password' ? 'trust' : newPasswords.length > 0 ? { newPassword: newPasswords.shift() as string } : 'deny';
      setImmediate(() => void service.handlers.answerRequest({ id, answer }));
    },
    openExternal: async () => undefined,
    appInfo: { name: 'Registry Transfer', version: 'test' },
    dataDir: job.dataDir,
    timeoutSeconds: job.timeoutSeconds ?? 20,
    vault: job.crash ? new CrashingVault(keytar, job.crash) : keytar,
  });
  for (const call of job.calls) {
    const result = await dispatchCall(service.handlers, call.name, call.input);
    process.stdout.write(`${JSON.stringify({ call: call.name, result })}\n`);
  }
  await service.dispose();
  process.stdout.write(`${JSON.stringify({ events })}\n`);
  process.exit(0);
}
