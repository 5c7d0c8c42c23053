// A throwaway OpenSSH sshd (Debian's) on 127.0.0.1, laid out as the Texas registry: the account
// folder holds HL7-Dropoff (writable), Accepted, DQA-Report and Receive (read-only), and is itself
// list-only. Two accounts cover both layouts a registry server can have:
//   - `home` account: logs in to its import-code folder;
//   - `chroot` account: logs in to a root that holds `/<import code>/`.
// Needs root (sshd, useradd). Each instance has its own folder, port, host key and log.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports';

export const TEST_SERVERS_DIR = '/srv/registry-transfer-tests';
export const TEXAS_FOLDERS = ['HL7-Dropoff', 'Accepted', 'DQA-Report', 'Receive'] as const;

export interface SshAccount {
  username: string;
  password: string;
  /** The import-code folder on disk (holds the four role folders). */
  accountDir: string;
}

export interface SshServer {
  host: '127.0.0.1';
  port: number;
  /** `SHA256:...` of the current host key, as `ssh-keygen -l` prints it. */
  fingerprint: string;
  home: SshAccount;
  chroot: SshAccount;
  dir: string;
  log(): string;
  /** Restart the server with a new host key (the registry "updated its security keys"). */
  changeHostKey(): Promise<string>;
  stop(): Promise<void>;
}

export function ensureUser(username: string, home: string, password: string, shell = '/usr/sbin/nologin'): void {
  try {
    execFileSync('id', [username], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['-M', '-d', home, '-s', shell, username]);
  }
  execFileSync('usermod', ['-d', home, '-s', shell, username]);
  execFileSync('chpasswd', { input: `${username}:${password}\n` });
  execFileSync('chage', ['-d', String(Math.floor(Date.now() / 86_400_000)), '-M', '99999', username]);
}

const uid = (username: string) => Number(execFileSync('id', ['-u', username]).toString().trim());
const gid = (username: string) => Number(execFileSync('id', ['-g', username]).toString().trim());

/** The Texas folders inside `accountDir`, with a few files the registry would have put there. */
export function layOutTexasAccount(accountDir: string, username: string): void {
  mkdirSync(accountDir, { recursive: true });
  chmodSync(accountDir, 0o755); // root-owned: list-only for the account
  for (const name of TEXAS_FOLDERS) {
    const folder = join(accountDir, name);
    mkdirSync(folder, { recursive: true });
    chmodSync(folder, 0o755);
  }
  writeFileSync(join(accountDir, 'Accepted', `${username}_20261114.HL7`), 'MSH|^~\\&|accepted\r');
  writeFileSync(join(accountDir, 'DQA-Report', `${username}_20261114_DQA.txt`), 'Completeness 96\nQuality 92\nTimeliness 88\n');
  writeFileSync(join(accountDir, 'Receive', `${username}_20261114.CNF`), 'consent notification\n');
  chownSync(join(accountDir, 'HL7-Dropoff'), uid(username), gid(username));
}

export function hostKey(dir: string, name: string): { path: string; fingerprint: string } {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path]);
  const printed = execFileSync('ssh-keygen', ['-l', '-f', `${path}.pub`]).toString();
  const fingerprint = /(SHA256:[A-Za-z0-9+/]+)/.exec(printed)?.[1];
  if (!fingerprint) throw new Error(`ssh-keygen printed no fingerprint: ${printed}`);
  return { path, fingerprint };
}

export interface SshdOptions {
  tag?: string;
  /**
   * More global directives, before the Match blocks: e.g. `KexAlgorithms sntrup761x25519-sha512@openssh.com`
   * (a key exchange ssh2 does not have), to meet a server whose algorithms the app does not share.
   */
  extraConfig?: string;
  /**
   * Give the host key a certificate signed by a throwaway CA (`HostCertificate`), so that
   * `HostKeyAlgorithms ssh-ed25519-cert-v01@openssh.com` offers host key certificates only (ssh2 has none).
   */
  hostCertificate?: boolean;
}

export async function startSshd(options: SshdOptions = {}): Promise<SshServer> {
  const tag = (options.tag ?? 'T').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 3) || 'T';
  // sshd's ChrootDirectory wants every folder above the root owned by root and not world-writable,
  // which rules out /tmp.
  mkdirSync(TEST_SERVERS_DIR, { recursive: true, mode: 0o755 });
  chmodSync(TEST_SERVERS_DIR, 0o755);
  const dir = mkdtempSync(join(TEST_SERVERS_DIR, 'sshd-'));
  chmodSync(dir, 0o755);
  mkdirSync('/run/sshd', { recursive: true });
  const port = await freePort();

  const home: SshAccount = { username: `TX${tag}HM`, password: 'Home-pass-2026!', accountDir: join(dir, 'home', `TX${tag}HM`) };
  const chrootRoot = join(dir, 'chroot');
  const chroot: SshAccount = { username: `TX${tag}CR`, password: 'Chroot-pass-2026!', accountDir: join(chrootRoot, `TX${tag}CR`) };
  mkdirSync(join(dir, 'home'), { mode: 0o755 });
  mkdirSync(chrootRoot, { mode: 0o755 });
  ensureUser(home.username, home.accountDir, home.password);
  ensureUser(chroot.username, '/', chroot.password);
  layOutTexasAccount(home.accountDir, home.username);
  layOutTexasAccount(chroot.accountDir, chroot.username);

  let key = hostKey(dir, 'host_ed25519');
  const logFile = join(dir, 'sshd.log');
  const certificateFor = (keyPath: string) => {
    const ca = join(dir, 'host_ca');
    if (!existsSync(ca)) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', ca]);
    execFileSync('ssh-keygen', ['-q', '-s', ca, '-h', '-I', 'registry-test-host', '-n', '127.0.0.1', `${keyPath}.pub`]);
    return `${keyPath}-cert.pub`;
  };
  const config = (keyPath: string) => `Port ${port}
ListenAddress 127.0.0.1
HostKey ${keyPath}
${options.hostCertificate ? `HostCertificate ${certificateFor(keyPath)}` : ''}
${options.extraConfig ?? ''}
PidFile none
LogLevel VERBOSE
UsePAM yes
PasswordAuthentication yes
KbdInteractiveAuthentication yes
PubkeyAuthentication yes
PermitRootLogin no
AllowUsers ${home.username} ${chroot.username}
StrictModes no
MaxAuthTries 6
Subsystem sftp internal-sftp -l INFO
Match User ${home.username}
  ForceCommand internal-sftp -l INFO
  AllowTcpForwarding no
  X11Forwarding no
Match User ${chroot.username}
  ChrootDirectory ${chrootRoot}
  ForceCommand internal-sftp -l INFO
  AllowTcpForwarding no
  X11Forwarding no
`;
  const configFile = join(dir, 'sshd_config');
  let child: ChildProcess;
  const launch = async (keyPath: string) => {
    writeFileSync(configFile, config(keyPath));
    execFileSync('/usr/sbin/sshd', ['-t', '-f', configFile]);
    child = spawn('/usr/sbin/sshd', ['-D', '-f', configFile, '-E', logFile], { stdio: 'ignore' });
    await waitForPort(port);
  };
  const halt = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  await launch(key.path);

  return {
    host: '127.0.0.1',
    port,
    get fingerprint() {
      return key.fingerprint;
    },
    home,
    chroot,
    dir,
    log: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    async changeHostKey() {
      await halt();
      key = hostKey(dir, `host_ed25519_${Date.now()}`);
      await launch(key.path);
      return key.fingerprint;
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  } as SshServer;
}

/** A Texas-shaped profile pointed at a local server (what a clinic's IT would write for a test). */
export function localTexasProfile(port: number, id = 'local-texas') {
  return {
    id,
    name: 'Texas ImmTrac2 (test server)',
    endpoints: [{ protocol: 'sftp' as const, host: '127.0.0.1', port }],
    username: { label: 'Import code', hint: 'Your six-character import code.', isImportCode: true },
    folders: [
      { role: 'dropoff' as const, name: 'HL7-Dropoff', path: 'HL7-Dropoff', rights: ['list', 'read', 'write', 'rename', 'delete'] as ('list' | 'read' | 'write' | 'rename' | 'delete')[], description: 'Inbound HL7 files, for processing.' },
      { role: 'accepted' as const, name: 'Accepted', path: 'Accepted', rights: ['list', 'read'] as ('list' | 'read')[], description: 'The original HL7 files you submitted.' },
      { role: 'reports' as const, name: 'DQA-Report', path: 'DQA-Report', rights: ['list', 'read'] as ('list' | 'read')[], description: 'A data quality report for each HL7 file processed.' },
      { role: 'receive' as const, name: 'Receive', path: 'Receive', rights: ['list', 'read'] as ('list' | 'read')[], description: 'Consent notification files.' },
    ],
    quotaFiles: 300,
    retentionDays: 180,
    support: { team: 'Texas Immunization Registry Interoperability Team', phone: '(800) 348-9158' },
  };
}
