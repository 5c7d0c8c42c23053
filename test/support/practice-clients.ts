// Clients nobody here wrote, pointed at a practice registry started by a test: OpenSSH's `sftp` (its
// password typed by `sshpass`, or every prompt answered through SSH_ASKPASS for the first-login
// change), `curl` over SFTP (libssh2) and `curl` over FTPS, implicit and explicit. Each is run as a
// person or a script would run it, with the registry's identity checked the strict way: the host key
// pinned in a known_hosts file or by its SHA-256, the certificate verified against the registry's own
// certificate file (never StrictHostKeyChecking=no, never -k).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningPracticeRegistry } from '../../electron/practice/practice-registry';

export interface Run {
  /** The exit code; null when the tool was killed (the run's own timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a tool with a clean environment (HOME in the test's scratch folder: no user's ssh or curl configuration). */
export function runTool(command: string, args: string[], home: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...env }, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

/** Wait until `condition` holds, looking every 50 ms; a generous bound, never an assertion about time. */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`This never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A practice registry as the clients reach it: where it listens, its files, and the password in use now. */
export interface ClientTarget {
  registry: RunningPracticeRegistry;
  /** The data folder the registry was started on (its keys are in practice/keys). */
  dataDir: string;
  /** Where known_hosts, batch files and HOME go. */
  scratch: string;
  /** The known_hosts file that pins this registry's host key (pinHostKey). */
  knownHosts: string;
  password(): string;
}

export const keysDir = (dataDir: string) => join(dataDir, 'practice', 'keys');

/**
 * A known_hosts line for the registry's SFTP port, with the public key as OpenSSH's own ssh-keygen
 * reads it from the registry's private key file: StrictHostKeyChecking=yes then signs in only there.
 */
export async function pinHostKey(dataDir: string, port: number, knownHosts: string, home: string): Promise<void> {
  const publicKey = await runTool('ssh-keygen', ['-y', '-f', join(keysDir(dataDir), 'ssh_host_ed25519_key')], home);
  if (publicKey.code !== 0) throw new Error(`ssh-keygen could not read the registry's host key: ${publicKey.stderr}`);
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${publicKey.stdout.trim()}\n`);
}

let batchNumber = 0;

/** OpenSSH's sftp, in batch mode, the host key checked strictly, password sign-in only. */
function opensshArgs(target: ClientTarget, batch: string[]): string[] {
  const batchFile = join(target.scratch, `sftp-batch-${(batchNumber += 1)}`);
  writeFileSync(batchFile, `${batch.join('\n')}\n`);
  return [
    '-F', '/dev/null',
    // sftp -b turns BatchMode on, which forbids asking for a password; given first, this wins.
    '-o', 'BatchMode=no',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${target.knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'PreferredAuthentications=password',
    '-o', 'PubkeyAuthentication=no',
    '-o', 'NumberOfPasswordPrompts=1',
    '-P', String(target.registry.sftp.port),
    '-b', batchFile,
    `${target.registry.username}@127.0.0.1`,
  ];
}

/** OpenSSH's sftp with the password typed by sshpass (what a script does). */
export function opensshSftp(target: ClientTarget, batch: string[], password = target.password()): Promise<Run> {
  return runTool('sshpass', ['-e', 'sftp', ...opensshArgs(target, batch)], join(target.scratch, 'home'), { SSHPASS: password });
}

/**
 * OpenSSH's sftp with every prompt answered by an SSH_ASKPASS program (SSH_ASKPASS_REQUIRE=force,
 * OpenSSH 8.4 and later): the way to answer the prompts OpenSSH shows when the server asks for a new
 * password (RFC 4252 section 8: "Enter ...'s old password:", "... new password:", "Retype ..."),
 * which sshpass cannot (it takes a second password prompt for a wrong password and gives up).
 * The program answers by the prompt's words and writes each prompt to `prompts`; given several new
 * passwords, each round of "new" and "Retype new" prompts gets the next one (the last one repeated).
 */
export function opensshSftpAskpass(target: ClientTarget, batch: string[], answers: { old: string; new: string | string[] }, prompts: string): Promise<Run> {
  const askpass = join(target.scratch, 'askpass.sh');
  writeFileSync(
    askpass,
    [
      '#!/bin/sh',
      'printf "%s\\n" "$1" >> "$RT_ASKPASS_PROMPTS"',
      'case "$1" in',
      '  *"new password"*)',
      '    asked=$(grep -c "new password" "$RT_ASKPASS_PROMPTS")',
      '    round=$(( (asked + 1) / 2 ))',
      '    count=$(printf "%s\\n" "$RT_ASKPASS_NEW" | wc -l)',
      '    [ "$round" -gt "$count" ] && round=$count',
      '    printf "%s\\n" "$RT_ASKPASS_NEW" | sed -n "${round}p" ;;',
      '  *) printf "%s\\n" "$RT_ASKPASS_OLD" ;;',
      'esac',
      '',
    ].join('\n'),
    { mode: 0o700 },
  );
  return runTool('sftp', opensshArgs(target, batch), join(target.scratch, 'home'), {
    SSH_ASKPASS: askpass,
    SSH_ASKPASS_REQUIRE: 'force',
    RT_ASKPASS_PROMPTS: prompts,
    RT_ASKPASS_OLD: answers.old,
    RT_ASKPASS_NEW: Array.isArray(answers.new) ? answers.new.join('\n') : answers.new,
  });
}

/** What OpenSSH's sftp printed for `command` in a batch (its lines up to the next echoed command). */
export function batchOutput(stdout: string, command: string): string[] {
  const lines = stdout.split('\n');
  const at = lines.indexOf(`sftp> ${command}`);
  if (at < 0) return [];
  const rest = lines.slice(at + 1);
  const end = rest.findIndex((line) => line.startsWith('sftp> '));
  return (end < 0 ? rest : rest.slice(0, end)).map((line) => line.trim()).filter(Boolean);
}

/** curl over SFTP (libssh2), the host key pinned by the SHA-256 the registry prints (base64, without "SHA256:"). */
export function curlSftp(target: ClientTarget, path: string, args: string[] = [], password = target.password()): Promise<Run> {
  const pin = target.registry.sftp.fingerprint.replace(/^SHA256:/, '');
  return runTool(
    'curl',
    ['-sS', '--max-time', '60', '--hostpubsha256', pin, '--user', `${target.registry.username}:${password}`, ...args, `sftp://127.0.0.1:${target.registry.sftp.port}${path}`],
    join(target.scratch, 'home'),
  );
}

export type FtpsMode = 'implicit' | 'explicit';

/**
 * curl over FTPS, the certificate verified against the registry's own certificate file; -v, so the
 * server's replies (`< 550 ...`) are in stderr, as a person reads them when curl says only a code.
 */
export function curlFtps(target: ClientTarget, mode: FtpsMode, path: string, args: string[] = [], password = target.password()): Promise<Run> {
  const port = mode === 'implicit' ? target.registry.ftpsImplicit.port : target.registry.ftpsExplicit.port;
  const url = `${mode === 'implicit' ? 'ftps' : 'ftp'}://127.0.0.1:${port}${path}`;
  const cert = join(keysDir(target.dataDir), 'tls-cert.pem');
  return runTool(
    'curl',
    ['-sS', '-v', '--max-time', '60', '--cacert', cert, ...(mode === 'explicit' ? ['--ssl-reqd'] : []), '--user', `${target.registry.username}:${password}`, ...args, url],
    join(target.scratch, 'home'),
  );
}

/** The reply lines the FTP server sent, as curl -v shows them (`< 550 Permission denied. ...`). */
export const serverReplies = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => /^< \d{3}[ -]/.test(line))
    .map((line) => line.slice(2).trimEnd());

/** One client, as the matrix of tests drives it: paths are the account's (`/HL7-Dropoff/x.HL7`). */
export interface PracticeClient {
  /** What the tests call it. */
  name: string;
  /** A word for the files it sends (distinct per client). */
  tag: string;
  list(folder: string): Promise<{ run: Run; names: string[] }>;
  upload(local: string, remote: string): Promise<Run>;
  download(remote: string, local: string): Promise<Run>;
  rename(from: string, to: string): Promise<Run>;
  remove(path: string): Promise<Run>;
  /** What it shows a person when a write breaks a folder's rights. */
  saysPermission: RegExp;
  /** What it shows when the 301st file is refused. */
  saysQuota: RegExp;
  /** What it shows for a name the registry does not take (a backslash, a device name). */
  saysBadName: RegExp;
  /** What it shows when asked for a file that is not there. */
  saysNotFound: RegExp;
}

export function opensshClient(target: ClientTarget): PracticeClient {
  return {
    name: "OpenSSH's sftp (sshpass)",
    tag: 'openssh',
    list: async (folder) => {
      const run = await opensshSftp(target, [`cd ${folder}`, 'ls -1']);
      return { run, names: batchOutput(run.stdout, 'ls -1') };
    },
    upload: (local, remote) => opensshSftp(target, [`put ${local} ${remote}`]),
    download: (remote, local) => opensshSftp(target, [`get ${remote} ${local}`]),
    rename: (from, to) => opensshSftp(target, [`rename ${from} ${to}`]),
    remove: (path) => opensshSftp(target, [`rm ${path}`]),
    // OpenSSH prints SFTP's status code in words and leaves out the server's message.
    saysPermission: /Permission denied/,
    saysQuota: /dest open ".*": Failure/,
    saysBadName: /Permission denied/,
    saysNotFound: /not found|No such file/,
  };
}

export function curlSftpClient(target: ClientTarget): PracticeClient {
  const folderUrl = (path: string) => `${path.slice(0, path.lastIndexOf('/') + 1)}`;
  return {
    name: 'curl over SFTP (libssh2)',
    tag: 'curlsftp',
    list: async (folder) => {
      const run = await curlSftp(target, folder.endsWith('/') ? folder : `${folder}/`, ['--list-only']);
      return { run, names: run.stdout.split('\n').filter((name) => name !== '' && name !== '.' && name !== '..') };
    },
    upload: (local, remote) => curlSftp(target, remote, ['--path-as-is', '-T', local]),
    download: (remote, local) => curlSftp(target, remote, ['--path-as-is', '-o', local]),
    rename: (from, to) => curlSftp(target, folderUrl(from), ['--list-only', '-Q', `rename "${from}" "${to}"`]),
    remove: (path) => curlSftp(target, folderUrl(path), ['--list-only', '-Q', `rm "${path}"`]),
    // libssh2 names SFTP's status code; the server's message is not shown.
    saysPermission: /Upload failed: Permission denied \(3\/-31\)/,
    saysQuota: /Upload failed: Operation failed \(4\/-31\)/,
    saysBadName: /Upload failed: Permission denied \(3\/-31\)/,
    saysNotFound: /No such file/,
  };
}

export function curlFtpsClient(target: ClientTarget, mode: FtpsMode): PracticeClient {
  const folderUrl = (path: string) => `${path.slice(0, path.lastIndexOf('/') + 1)}`;
  return {
    name: `curl over FTPS (${mode} TLS)`,
    tag: mode === 'implicit' ? 'curlftps' : 'curlftpes',
    list: async (folder) => {
      const run = await curlFtps(target, mode, folder.endsWith('/') ? folder : `${folder}/`, ['--list-only']);
      return { run, names: run.stdout.split('\n').map((name) => name.trim()).filter(Boolean) };
    },
    // The whole path in one STOR/RETR (no CWD on the way), as it is written: the server judges it.
    upload: (local, remote) => curlFtps(target, mode, remote, ['--path-as-is', '--ftp-method', 'nocwd', '-T', local]),
    download: (remote, local) => curlFtps(target, mode, remote, ['--path-as-is', '--ftp-method', 'nocwd', '-o', local]),
    rename: (from, to) => curlFtps(target, mode, folderUrl(from), ['--list-only', '-Q', `RNFR ${from}`, '-Q', `RNTO ${to}`]),
    remove: (path) => curlFtps(target, mode, folderUrl(path), ['--list-only', '-Q', `DELE ${path}`]),
    // curl says only the code ("Failed FTP upload: 550"); -v shows the registry's reply in full.
    saysPermission: /^< 550 Permission denied\. /m,
    saysQuota: /^< 552 Quota exceeded: HL7-Dropoff already holds 300 files, as many as the registry allows \(300\)\. Nothing was written\./m,
    saysBadName: /^< 553 File name not allowed\. The registry does not take that name\./m,
    saysNotFound: /^< 550 No such file or folder\. /m,
  };
}

export function practiceClients(target: ClientTarget): PracticeClient[] {
  return [opensshClient(target), curlSftpClient(target), curlFtpsClient(target, 'implicit'), curlFtpsClient(target, 'explicit')];
}
