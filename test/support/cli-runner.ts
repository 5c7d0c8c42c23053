// The built `registry-transfer` command run as a scheduled job runs it: a child process with no
// terminal, a private HOME, no session bus (so no keychain), and the password only in RT_PASSWORD.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;
export const CLI_LAUNCHER = join(PROJECT_ROOT, 'electron/cli/registry-transfer.mjs');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An environment inside `scratch` with the password in RT_PASSWORD (unset by passing undefined). */
export function cliEnv(scratch: string, password: string | undefined, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(scratch, 'home'),
    XDG_CONFIG_HOME: join(scratch, 'home', '.config'),
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(scratch, 'no-session-bus')}`,
    RT_PASSWORD: password,
    ...extra,
  };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return env;
}

/** Run `command args` from the project's folder; resolves with the exit status and what it printed. */
export function execCommand(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliRun> {
  return new Promise<CliRun>((resolve) => {
    execFile(command, args, { cwd: PROJECT_ROOT, env, timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

/** `registry-transfer args` through the built CLI. */
export const runCli = (args: string[], env: NodeJS.ProcessEnv, timeoutMs?: number) => execCommand(process.execPath, [CLI_LAUNCHER, ...args], env, timeoutMs);
