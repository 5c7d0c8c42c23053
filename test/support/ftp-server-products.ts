// What the ProFTPD and Pure-FTPd helpers share: where install-ftp-servers.sh unpacked the two products,
// and how to run and stop a server whose session processes are its children.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
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
  /** Every process of the server: the listener and its session processes. */
  stop(): Promise<void>;
}

/**
 * Runs a server in the foreground in a process group of its own, so that stopping it also ends the
 * session processes it forked (a session whose client vanished would otherwise wait for its own
 * idle timeout).
 */
export function runInOwnGroup(binary: string, args: string[], cwd: string): RunningProduct {
  const child = spawn(binary, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null) process.stderr.write(`${binary} exited with ${code}: ${stderr}\n`);
  });
  const group = child.pid;
  return {
    child,
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
