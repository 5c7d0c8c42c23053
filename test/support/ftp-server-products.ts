// What the ProFTPD and Pure-FTPd helpers share: where install-ftp-servers.sh unpacked the two products,
// and how to run and stop a server whose session processes are its children.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where test/support/install-ftp-servers.sh unpacks the Debian packages (they conflict with vsftpd). */
export const FTP_PRODUCTS_DIR = process.env.REGISTRY_TRANSFER_FTP_SERVERS_DIR ?? '/opt/registry-transfer-test-servers';

export function productBinary(relativePath: string): string {
  const path = join(FTP_PRODUCTS_DIR, relativePath);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run "bash test/support/install-ftp-servers.sh" (as root) first; .ci/run does.`);
  }
  return path;
}

export interface RunningProduct {
  child: ChildProcess;
  /** The listener and the session processes under it (both products rename their processes, so they are found by parentage). */
  processes(): { listener: number; sessions: number[] };
  /** Resolves once no session process is left (each has written its log and exited). */
  sessionsEnded(timeoutMs?: number): Promise<void>;
  /** Ends the listener and every session process. */
  stop(): Promise<void>;
}

/** Every process below `pid`, from /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      parents.set(Number(name), Number(/\) \S+ (\d+)/.exec(stat)?.[1] ?? 0));
    } catch {
      // the process ended while we looked
    }
  }
  const below: number[] = [];
  for (const candidate of parents.keys()) {
    for (let p = parents.get(candidate); p !== undefined && p > 1; p = parents.get(p)) {
      if (p === pid) {
        below.push(candidate);
        break;
      }
    }
  }
  return below;
}

/**
 * Runs a server in the foreground in a process group of its own, so that stopping it also ends the
 * session processes it forked (a session whose client vanished would otherwise wait for its own
 * idle timeout).
 */
export function runInOwnGroup(binary: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): RunningProduct {
  const child = spawn(binary, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null) process.stderr.write(`${binary} exited with ${code}: ${stderr}\n`);
  });
  const group = child.pid;
  const processes = () => ({ listener: group ?? 0, sessions: group === undefined ? [] : descendants(group) });
  return {
    child,
    processes,
    async sessionsEnded(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (processes().sessions.length > 0) {
        if (Date.now() > deadline) throw new Error(`${binary}: sessions still running after ${timeoutMs} ms: ${processes().sessions.join(', ')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      if (group === undefined) return;
      const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
      try {
        process.kill(-group, 'SIGTERM');
      } catch {
        // the group is gone already
      }
      await exited;
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // no session outlived the listener
      }
    },
  };
}
