// Pure-FTPd 1.0.50 (Debian's build, unpacked by install-ftp-servers.sh) as a registry server on
// 127.0.0.1: explicit AUTH TLS required for login and data (`--tls=3`), a self-signed certificate,
// passive ports only, unix accounts (/etc/shadow) chrooted to their home, the Texas folder layout.
// A server product nobody here wrote, with its own rules: `-x` refuses names starting with a dot,
// `-y` limits sessions per user. It runs in the foreground and logs only to syslog (/dev/log), which
// these machines lack: it is started in a private mount namespace whose /dev holds a few device nodes
// and a /dev/log that is this helper's own socket, so its log (every command, with PASS masked) is the
// test's alone and nothing on the machine changes. Needs root.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { productBinary, runInOwnGroup, type RunningProduct } from './ftp-server-products';
import { ensureUser, layOutTexasAccount, TEST_SERVERS_DIR, type SshAccount } from './sshd';
import { freeRange, localTexasFtpsProfile, makeCertificate } from './vsftpd';
import { freePort, waitForPort } from './ports';

export interface PureFtpdOptions {
  /** Up to three letters or digits, to keep accounts and folders of parallel tests apart. */
  tag: string;
  /**
   * `--prohibitdotfileswrite` (`-x`): names starting with a dot cannot be written or renamed to.
   * STOR .name → `553 Prohibited file name: .name`; RNTO /path/.name → `553 Prohibited file name: /path/.name`
   * (the name as the client sent it).
   */
  prohibitDotFilesWrite?: boolean;
  /**
   * `--peruserlimits N:0` (`-y`): at most N sessions per account. The N+1st is refused in reply to
   * PASS (the password is not judged) with `421 I can't accept more than N connections as the same user`,
   * and the server closes the connection.
   */
  maxClientsPerUser?: number;
  /** More command-line options, as `pure-ftpd --help` lists them. */
  extraArgs?: string[];
}

export interface PureFtpdServer {
  host: '127.0.0.1';
  port: number;
  tls: 'explicit';
  passivePorts: { from: number; to: number };
  /** SHA-256 of the certificate, colon hex as Node's `fingerprint256` prints it. */
  fingerprint: string;
  certificatePem: string;
  account: SshAccount;
  /** HL7-Dropoff on the server's disk. */
  dropoffDir: string;
  /** The certificate file: a unique path on the server's command line, to find its processes. */
  certificateFile: string;
  /** A Texas-shaped FTPS custom profile pointed at this server. */
  profile(id?: string): ReturnType<typeof localTexasFtpsProfile>;
  /**
   * Pure-FTPd's verbose log, one line per message: `(?@127.0.0.1) [DEBUG] Command [user] [TXxxxPU]`,
   * `... Command [pass] [<*>]` (the password is masked), `[INFO] TXxxxPU is now logged in`.
   */
  log(): string;
  /** The listening process and its session processes (privilege-separated: two per connection). */
  processes(): { listener: number; sessions: number[] };
  /** Resolves once every session has ended and its last log lines have arrived. */
  sessionsEnded(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs "$@" with a private /dev: the usual device nodes bound from the real one, and /dev/log bound
 * to the socket given as $1. The mounts live only in the new mount namespace and end with it.
 */
const PRIVATE_DEV_SCRIPT = `set -e
dir="$1"; socket="$2"; shift 2
mkdir -p "$dir/dev"
mount -t tmpfs -o mode=755 tmpfs "$dir/dev"
for node in null zero full random urandom tty; do touch "$dir/dev/$node"; mount --bind "/dev/$node" "$dir/dev/$node"; done
touch "$dir/dev/log"; mount --bind "$socket" "$dir/dev/log"
mount --rbind "$dir/dev" /dev
exec "$@"`;

/** A syslog receiver on a unix stream socket (glibc falls back to a stream and ends each message with NUL). */
async function listenForSyslog(path: string): Promise<{ server: Server; text: () => string; openSenders: () => number }> {
  const lines: string[] = [];
  let senders = 0;
  const server = createServer((socket) => {
    senders += 1;
    socket.once('close', () => {
      senders -= 1;
    });
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      const parts = (pending + chunk.toString('utf8')).split('\0');
      pending = parts.pop() ?? '';
      // "<95>Dec  2 19:50:26 pure-ftpd: (?@127.0.0.1) [DEBUG] ..." → "(?@127.0.0.1) [DEBUG] ..."
      for (const part of parts) lines.push(part.replace(/^<\d+>.*?pure-ftpd(?:\[\d+\])?: /, ''));
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return { server, text: () => lines.join('\n'), openSenders: () => senders };
}

export async function startPureFtpd(options: PureFtpdOptions): Promise<PureFtpdServer> {
  const pureFtpd = productBinary('usr/sbin/pure-ftpd');
  const tag = options.tag.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 3);
  mkdirSync(TEST_SERVERS_DIR, { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(TEST_SERVERS_DIR, 'pure-ftpd-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'home'), { mode: 0o755 });
  const account: SshAccount = { username: `TX${tag}PU`, password: 'Pureftpd-pass-2026!', accountDir: join(dir, 'home', `TX${tag}PU`) };
  ensureUser(account.username, account.accountDir, account.password, '/bin/bash');
  layOutTexasAccount(account.accountDir, account.username);

  const port = await freePort();
  const passivePorts = await freeRange(10);
  const certificate = makeCertificate(dir, 'cert');
  // Pure-FTPd reads the private key and the certificate from one PEM file.
  const certificateFile = join(dir, 'pure-ftpd.pem');
  writeFileSync(certificateFile, readFileSync(certificate.key, 'utf8') + readFileSync(certificate.cert, 'utf8'), { mode: 0o600 });

  const syslog = await listenForSyslog(join(dir, 'syslog.sock'));
  const args = [
    '--verboselog',
    `--bind=127.0.0.1,${port}`,
    '--login=unix',
    '--noanonymous',
    '--chrooteveryone',
    '--dontresolve',
    `--passiveportrange=${passivePorts.from}:${passivePorts.to}`,
    // 3: TLS required on the control connection and on every data connection.
    '--tls=3',
    `--certfile=${certificateFile}`,
    ...(options.prohibitDotFilesWrite ? ['--prohibitdotfileswrite'] : []),
    ...(options.maxClientsPerUser !== undefined ? [`--peruserlimits=${options.maxClientsPerUser}:0`] : []),
    ...(options.extraArgs ?? []),
  ];
  let running: RunningProduct | undefined = runInOwnGroup(
    'unshare',
    ['--mount', '--propagation', 'private', '--', 'sh', '-c', PRIVATE_DEV_SCRIPT, 'private-dev', dir, join(dir, 'syslog.sock'), pureFtpd, ...args],
    dir,
  );
  try {
    await waitForPort(port);
  } catch (error) {
    await running.stop();
    syslog.server.close();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Pure-FTPd did not start: ${(error as Error).message}`);
  }

  return {
    host: '127.0.0.1',
    port,
    tls: 'explicit',
    passivePorts,
    fingerprint: certificate.fingerprint,
    certificatePem: readFileSync(certificate.cert, 'utf8'),
    account,
    dropoffDir: join(account.accountDir, 'HL7-Dropoff'),
    certificateFile,
    profile: (id = 'local-texas-pure-ftpd') => ({ ...localTexasFtpsProfile(port, 'explicit', passivePorts, id), name: 'Texas ImmTrac2 (Pure-FTPd test server, explicit TLS)' }),
    log: syslog.text,
    processes: () => running?.processes() ?? { listener: 0, sessions: [] },
    async sessionsEnded(timeoutMs = 30_000) {
      await running?.sessionsEnded(timeoutMs);
      // Each session process logs through a socket of its own; the listener keeps one open.
      const deadline = Date.now() + timeoutMs;
      while (syslog.openSenders() > 1) {
        if (Date.now() > deadline) throw new Error('Pure-FTPd sessions ended but their log connections stayed open');
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      await running?.stop();
      running = undefined;
      await new Promise((resolve) => syslog.server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
