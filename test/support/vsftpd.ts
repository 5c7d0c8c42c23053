// Debian's vsftpd as the registry's FTPS server, on 127.0.0.1: one process with implicit TLS (as
// Texas, port 990) and one with explicit AUTH TLS (as Colorado, port 1971) — one vsftpd process
// serves one TLS mode. Self-signed certificate, TLS session reuse required on data connections,
// passive ports only, the Texas folder layout and rights, and a protocol log that shows every
// command the server received. Needs root.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ensureUser, layOutTexasAccount, localTexasProfile, TEST_SERVERS_DIR, type SshAccount } from './sshd';
import type { Netns } from './netns';
import { freePort, waitForPort } from './ports';

export type TlsMode = 'implicit' | 'explicit' | 'none';

export interface FtpsServer {
  host: '127.0.0.1';
  port: number;
  mode: TlsMode;
  passivePorts: { from: number; to: number };
  /** SHA-256 of the certificate, colon hex as Node's `fingerprint256` and OpenSSL print it. */
  fingerprint: string;
  certificatePem: string;
  account: SshAccount;
  /** A Texas-shaped custom profile pointed at this server. */
  profile(id?: string): ReturnType<typeof localTexasFtpsProfile>;
  /** vsftpd's protocol log: every command received (PASS values are masked by vsftpd). */
  log(): string;
  /** Restart with a new certificate (the registry renewed its keys). */
  changeCertificate(): Promise<string>;
  stop(): Promise<void>;
}

export function makeCertificate(dir: string, name: string): { cert: string; key: string; fingerprint: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=127.0.0.1/O=Registry Test Server',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  chmodSync(key, 0o600);
  const printed = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256']).toString();
  const fingerprint = printed.split('=')[1]?.trim();
  if (!fingerprint) throw new Error(`openssl printed no fingerprint: ${printed}`);
  return { cert, key, fingerprint };
}

/** `count` consecutive free ports for a passive range. */
export async function freeRange(count: number): Promise<{ from: number; to: number }> {
  const isFree = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const from = 20000 + Math.floor(Math.random() * 30000);
    let ok = true;
    for (let p = from; p < from + count && ok; p += 1) ok = await isFree(p);
    if (ok) return { from, to: from + count - 1 };
  }
  throw new Error('no free passive port range');
}

export interface VsftpdOptions {
  mode: TlsMode;
  tag: string;
  /** Limit the server to an old TLS version (an outdated server the app must refuse). */
  maxTls?: 'TLSv1' | 'TLSv1.1';
  extraConfig?: string;
  /**
   * The server's time zone (its process's TZ), e.g. `Asia/Kathmandu`: with `use_localtime=YES` in
   * `extraConfig`, LIST and MDTM show times on that clock (vsftpd fixes the offset when it starts).
   */
  timeZone?: string;
  /** Run inside this network namespace (see netns.ts) instead of this machine's loopback. */
  netns?: Netns;
}

/** An OpenSSL configuration for vsftpd's process that caps its TLS version. */
function oldTlsConfig(dir: string, maxTls: string): string {
  const file = join(dir, 'openssl.cnf');
  writeFileSync(
    file,
    `openssl_conf = conf\n[conf]\nssl_conf = ssl\n[ssl]\nsystem_default = tls\n[tls]\nMinProtocol = TLSv1\nMaxProtocol = ${maxTls}\nCipherString = DEFAULT@SECLEVEL=0\n`,
  );
  return file;
}

export async function startVsftpd(options: VsftpdOptions): Promise<FtpsServer> {
  const tag = options.tag.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 3);
  mkdirSync(TEST_SERVERS_DIR, { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(TEST_SERVERS_DIR, 'vsftpd-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'empty'), { mode: 0o755 });
  mkdirSync(join(dir, 'home'), { mode: 0o755 });
  const account: SshAccount = { username: `TX${tag}FT`, password: 'Ftps-pass-2026!', accountDir: join(dir, 'home', `TX${tag}FT`) };
  // vsftpd's PAM service wants a shell listed in /etc/shells.
  ensureUser(account.username, account.accountDir, account.password, '/bin/bash');
  layOutTexasAccount(account.accountDir, account.username);
  const port = await freePort();
  const passivePorts = await freeRange(10);
  let certificate = makeCertificate(dir, 'cert');
  const logFile = join(dir, 'vsftpd.log');
  const configFile = join(dir, 'vsftpd.conf');
  const config = () => `listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=${port}
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=022
chroot_local_user=YES
secure_chroot_dir=${join(dir, 'empty')}
pam_service_name=vsftpd
userlist_enable=YES
userlist_deny=NO
userlist_file=${join(dir, 'users')}
pasv_enable=YES
port_enable=NO
pasv_address=127.0.0.1
pasv_min_port=${passivePorts.from}
pasv_max_port=${passivePorts.to}
seccomp_sandbox=NO
vsftpd_log_file=${logFile}
log_ftp_protocol=YES
xferlog_enable=YES
${options.mode === 'none' ? 'ssl_enable=NO' : `ssl_enable=YES
rsa_cert_file=${certificate.cert}
rsa_private_key_file=${certificate.key}
force_local_logins_ssl=YES
force_local_data_ssl=YES
require_ssl_reuse=YES
ssl_ciphers=HIGH
${options.mode === 'implicit' ? 'implicit_ssl=YES' : ''}`}
${options.extraConfig ?? ''}
`;
  writeFileSync(join(dir, 'users'), `${account.username}\n`);
  let child: ChildProcess | undefined;
  const launch = async () => {
    writeFileSync(configFile, config());
    const env = {
      ...process.env,
      ...(options.maxTls ? { OPENSSL_CONF: oldTlsConfig(dir, options.maxTls) } : {}),
      ...(options.timeZone ? { TZ: options.timeZone } : {}),
    };
    if (options.netns) {
      child = spawn('ip', ['netns', 'exec', options.netns.name, '/usr/sbin/vsftpd', configFile], { stdio: 'ignore', env });
      const waited = options.netns.run('bash', ['-c', `for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && exit 0; sleep 0.1; done; exit 1`]);
      if (waited.status !== 0) throw new Error(`vsftpd did not listen on port ${port} in ${options.netns.name}`);
    } else {
      child = spawn('/usr/sbin/vsftpd', [configFile], { stdio: 'ignore', env });
      await waitForPort(port);
    }
  };
  const halt = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  await launch();
  return {
    host: '127.0.0.1',
    port,
    mode: options.mode,
    passivePorts,
    get fingerprint() {
      return certificate.fingerprint;
    },
    get certificatePem() {
      return readFileSync(certificate.cert, 'utf8');
    },
    account,
    profile: (id = 'local-texas-ftps') => localTexasFtpsProfile(port, options.mode === 'implicit' ? 'implicit' : 'explicit', passivePorts, id),
    log: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    async changeCertificate() {
      await halt();
      certificate = makeCertificate(dir, `cert-${Date.now()}`);
      await launch();
      return certificate.fingerprint;
    },
    async stop() {
      await halt();
      // vsftpd's session processes outlive the listener for a moment; they hold nothing we need.
      rmSync(dir, { recursive: true, force: true });
    },
  } as FtpsServer;
}

/** The Texas folders and rules, reached over FTPS at a local vsftpd. */
export function localTexasFtpsProfile(port: number, tls: 'implicit' | 'explicit', passivePorts: { from: number; to: number }, id = 'local-texas-ftps') {
  return {
    ...localTexasProfile(port, id),
    name: `Texas ImmTrac2 (test server, ${tls} TLS)`,
    endpoints: [{ protocol: 'ftps' as const, host: '127.0.0.1', port, tls, passivePorts }],
  };
}
