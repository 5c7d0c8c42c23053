// A real system keychain for the engine inside a test process: GNOME Keyring's Secret Service on a
// private D-Bus session bus. The bus address is set in this process's environment before any keychain
// use (keytar, through libsecret, reads it when it first connects); vitest runs each test file in a
// process of its own, so it reaches that file's engine and nothing else.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { KEYCHAIN_SERVICE } from '../../electron/engine/credentials/vault';

export class SessionKeyring {
  private bus: { address: string; pid: number } | null = null;

  /** `scratch`: a folder of the test's own; the keyring's HOME and runtime folder go under it. */
  constructor(private readonly scratch: string) {}

  /** The keyring's environment: its own HOME and runtime folder, and the private session bus. */
  env(): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: join(this.scratch, 'home'),
      XDG_RUNTIME_DIR: join(this.scratch, 'run'),
      DBUS_SESSION_BUS_ADDRESS: this.bus?.address ?? '',
    };
  }

  private secretsOwner(): number | null {
    try {
      const reply = execFileSync(
        'dbus-send',
        ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/', 'org.freedesktop.DBus.GetConnectionUnixProcessID', 'string:org.freedesktop.secrets'],
        { env: this.env(), stdio: ['ignore', 'pipe', 'ignore'] },
      ).toString();
      const pid = /uint32 (\d+)/.exec(reply)?.[1];
      return pid ? Number(pid) : null;
    } catch {
      return null;
    }
  }

  async start(): Promise<void> {
    mkdirSync(join(this.scratch, 'home'), { recursive: true });
    mkdirSync(join(this.scratch, 'run'), { recursive: true, mode: 0o700 });
    const printed = execFileSync('dbus-daemon', ['--session', '--fork', '--print-address=1', '--print-pid=1', '--nopidfile'], {
      env: this.env(),
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    })
      .toString()
      .trim()
      .split('\n');
    this.bus = { address: printed[0] as string, pid: Number(printed[1]) };
    process.env.DBUS_SESSION_BUS_ADDRESS = this.bus.address;
    // The daemon's output goes nowhere: a daemon holding this process's pipes would keep them open.
    execFileSync('sh', ['-c', 'printf %s "$KEYRING_UNLOCK" | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null 2>&1'], {
      env: { ...this.env(), KEYRING_UNLOCK: 'keyring-unlock-for-e2e' },
      timeout: 10_000,
    });
    // `--daemonize` may return before the daemon owns its name; a client asking in that gap would have
    // D-Bus start a second, locked daemon.
    const deadline = Date.now() + 10_000;
    while (this.secretsOwner() === null) {
      if (Date.now() > deadline) throw new Error('GNOME Keyring did not take org.freedesktop.secrets on the private bus');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  stop(): void {
    const keyring = this.bus ? this.secretsOwner() : null;
    for (const pid of [keyring, this.bus?.pid]) {
      if (!pid) continue;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone (the keyring leaves when its bus does).
      }
    }
    this.bus = null;
  }

  /** What any Secret Service client finds for `account` in the app's service (null when nothing). */
  lookup(account: string): string | null {
    try {
      const found = execFileSync('secret-tool', ['lookup', 'service', KEYCHAIN_SERVICE, 'account', account], { env: this.env(), stdio: ['ignore', 'pipe', 'ignore'] }).toString();
      return found === '' ? null : found;
    } catch {
      return null;
    }
  }
}
