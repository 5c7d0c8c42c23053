// ProFTPD 1.3.8 (Debian's build, unpacked by install-ftp-servers.sh) as a registry server on 127.0.0.1:
// FTPS through mod_tls (implicit or explicit AUTH TLS, TLS required for login and data) and, when
// asked, SFTP through mod_sftp on a port of its own, both serving one Texas-shaped account with a
// password. A server product nobody here wrote, with its own replies and rules: MLSD/MLST, TLS
// session reuse required on data connections (mod_tls's default; basic-ftp reuses the session, so
// `NoSessionReuseRequired` is not needed), `MaxClientsPerUser`, and `<Limit>` on a folder.
// Foreground process, throwaway configuration and logs in a temporary folder. Needs root.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { productBinary, runInOwnGroup, FTP_PRODUCTS_DIR, type RunningProduct } from './ftp-server-products';
import { ensureUser, hostKey, layOutTexasAccount, localTexasProfile, TEST_SERVERS_DIR, type SshAccount } from './sshd';
import { freeRange, localTexasFtpsProfile, makeCertificate } from './vsftpd';
import { freePort, waitForPort } from './ports';

export interface ProftpdOptions {
  /** Up to three letters or digits, to keep accounts and folders of parallel tests apart. */
  tag: string;
  /** TLS on the FTP port: `implicit` (TLS from the first byte, mod_tls `UseImplicitSSL`) or `explicit` (AUTH TLS). Required either way. Default `explicit`. */
  tls?: 'implicit' | 'explicit';
  /** Also serve SFTP (mod_sftp, password login, an ed25519 host key) on a second port. */
  sftp?: boolean;
  /**
   * `MaxClientsPerUser N`: the N+1st session of the account is refused after its password.
   * FTP: `530 Sorry, the maximum number of clients (N) for this user are already connected.`
   * SFTP: the password is accepted (USERAUTH_SUCCESS), then SSH_MSG_DISCONNECT reason 12
   * (too many connections) "Maximum connections for host/user reached"; ssh2 emits an 'error' whose
   * `code` is 12 and whose message is that text.
   */
  maxClientsPerUser?: number;
  /**
   * A write-only dropoff, as Colorado's: `<Limit RNFR RNTO DELE> DenyAll` on HL7-Dropoff (list and
   * write stay allowed). A rename is refused at RNFR with `550 <name as sent>: Operation not permitted`;
   * a delete with the same reply to DELE. The profiles give the dropoff the rights `list, write`.
   */
  writeOnlyDropoff?: boolean;
  /** More directives, inside `<Global>` (they apply to FTPS and SFTP alike). */
  extraConfig?: string;
  /**
   * The server's time zone (its process's TZ), e.g. `Asia/Kathmandu`. MLSD and MDTM stay UTC; LIST
   * shows local times with `TimesGMT off` (and `FactsAdvertise off` hides MLST, so clients use LIST).
   */
  timeZone?: string;
}

export interface ProftpdServer {
  host: '127.0.0.1';
  /** The FTPS port. */
  port: number;
  tls: 'implicit' | 'explicit';
  passivePorts: { from: number; to: number };
  /** SHA-256 of the certificate, colon hex as Node's `fingerprint256` prints it. */
  fingerprint: string;
  certificatePem: string;
  /** The SFTP port (only with `sftp: true`). */
  sftpPort?: number;
  /** `SHA256:...` of the SFTP host key (only with `sftp: true`). */
  hostKeyFingerprint?: string;
  account: SshAccount;
  /** HL7-Dropoff on the server's disk. */
  dropoffDir: string;
  /** The configuration file (its path is on the server's command line). */
  configFile: string;
  /** A Texas-shaped FTPS custom profile pointed at this server. */
  ftpsProfile(id?: string): ReturnType<typeof localTexasFtpsProfile>;
  /** A Texas-shaped SFTP custom profile pointed at the SFTP port (only with `sftp: true`). */
  sftpProfile(id?: string): ReturnType<typeof localTexasProfile>;
  /** One line per command received, with ProFTPD's reply code: `... USER TXxxxPR -> 331`; passwords show as `PASS (hidden)`. */
  log(): string;
  /** mod_sftp's own log (key exchange, authentication, disconnect reasons). */
  sftpLog(): string;
  /** The listening process and its session processes (one per connection). */
  processes(): { listener: number; sessions: number[] };
  /** Resolves once every session has ended, so its log lines are all written. */
  sessionsEnded(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/** Gives a Texas profile the Colorado-style write-only dropoff (`list, write`). */
export function withWriteOnlyDropoff<P extends { folders: { role: string; rights: string[] }[] }>(profile: P): P {
  return { ...profile, folders: profile.folders.map((f) => (f.role === 'dropoff' ? { ...f, rights: ['list', 'write'] } : f)) };
}

export async function startProftpd(options: ProftpdOptions): Promise<ProftpdServer> {
  const proftpd = productBinary('usr/sbin/proftpd');
  const tls = options.tls ?? 'explicit';
  const tag = options.tag.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 3);
  mkdirSync(TEST_SERVERS_DIR, { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(TEST_SERVERS_DIR, 'proftpd-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'home'), { mode: 0o755 });
  const account: SshAccount = { username: `TX${tag}PR`, password: 'Proftpd-pass-2026!', accountDir: join(dir, 'home', `TX${tag}PR`) };
  ensureUser(account.username, account.accountDir, account.password, '/bin/bash');
  layOutTexasAccount(account.accountDir, account.username);
  const dropoffDir = join(account.accountDir, 'HL7-Dropoff');

  const port = await freePort();
  const sftpPort = options.sftp ? await freePort() : undefined;
  const passivePorts = await freeRange(10);
  const certificate = makeCertificate(dir, 'cert');
  const key = options.sftp ? hostKey(dir, 'host_ed25519') : undefined;
  const configFile = join(dir, 'proftpd.conf');
  const commandLog = join(dir, 'commands.log');
  const sftpLogFile = join(dir, 'sftp.log');

  writeFileSync(
    configFile,
    `ModulePath ${join(FTP_PRODUCTS_DIR, 'usr/lib/proftpd')}
LoadModule mod_tls.c
${options.sftp ? 'LoadModule mod_sftp.c' : ''}
ServerType standalone
ServerName "Registry test server (ProFTPD)"
DefaultAddress 127.0.0.1
SocketBindTight on
UseIPv6 off
Port ${port}
PidFile ${join(dir, 'proftpd.pid')}
ScoreboardFile ${join(dir, 'proftpd.scoreboard')}
DelayTable none
WtmpLog off
UseReverseDNS off
User nobody
Group nogroup
SystemLog ${join(dir, 'system.log')}
TransferLog ${join(dir, 'xfer.log')}
LogFormat commands "%t %m %r -> %s"

<Global>
  # The account's password from /etc/shadow, no PAM service of our own; the test user's shell does not matter.
  AuthOrder mod_auth_unix.c
  RequireValidShell off
  DefaultRoot ~
  Umask 022
  AllowOverwrite on
  PassivePorts ${passivePorts.from} ${passivePorts.to}
  ExtendedLog ${commandLog} ALL commands
${options.maxClientsPerUser !== undefined ? `  MaxClientsPerUser ${options.maxClientsPerUser}` : ''}
${
  options.writeOnlyDropoff
    ? `  # Paths in <Directory> are the real ones: ProFTPD maps them into the DefaultRoot jail itself.
  <Directory ${dropoffDir}>
    <Limit RNFR RNTO DELE>
      DenyAll
    </Limit>
  </Directory>`
    : ''
}
${options.extraConfig ?? ''}
</Global>

TLSEngine on
TLSLog ${join(dir, 'tls.log')}
TLSProtocol TLSv1.2 TLSv1.3
TLSRSACertificateFile ${certificate.cert}
TLSRSACertificateKeyFile ${certificate.key}
TLSVerifyClient off
# Login and every data connection encrypted; data connections must resume the control connection's
# TLS session (mod_tls's default, as registries configure it).
TLSRequired on
${tls === 'implicit' ? 'TLSOptions UseImplicitSSL' : ''}
${
  options.sftp && key
    ? `
<VirtualHost 127.0.0.1>
  Port ${sftpPort}
  SFTPEngine on
  SFTPLog ${sftpLogFile}
  SFTPHostKey ${key.path}
  SFTPAuthMethods password
</VirtualHost>`
    : ''
}
`,
  );
  let running: RunningProduct | undefined = runInOwnGroup(proftpd, ['-n', '-c', configFile], dir, {
    ...process.env,
    ...(options.timeZone ? { TZ: options.timeZone } : {}),
  });
  try {
    await waitForPort(port);
    if (sftpPort !== undefined) await waitForPort(sftpPort);
  } catch (error) {
    await running.stop();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`ProFTPD did not start: ${(error as Error).message}\n${read(join(dir, 'system.log'))}`);
  }

  return {
    host: '127.0.0.1',
    port,
    tls,
    passivePorts,
    fingerprint: certificate.fingerprint,
    certificatePem: readFileSync(certificate.cert, 'utf8'),
    ...(sftpPort !== undefined && key ? { sftpPort, hostKeyFingerprint: key.fingerprint } : {}),
    account,
    dropoffDir,
    configFile,
    ftpsProfile: (id = 'local-texas-proftpd') => {
      const profile = { ...localTexasFtpsProfile(port, tls, passivePorts, id), name: `Texas ImmTrac2 (ProFTPD test server, ${tls} TLS)` };
      return options.writeOnlyDropoff ? withWriteOnlyDropoff(profile) : profile;
    },
    sftpProfile: (id = 'local-texas-proftpd-sftp') => {
      if (sftpPort === undefined) throw new Error('this ProFTPD was started without sftp: true');
      const profile = { ...localTexasProfile(sftpPort, id), name: 'Texas ImmTrac2 (ProFTPD mod_sftp test server)' };
      return options.writeOnlyDropoff ? withWriteOnlyDropoff(profile) : profile;
    },
    log: () => read(commandLog),
    sftpLog: () => read(sftpLogFile),
    processes: () => running?.processes() ?? { listener: 0, sessions: [] },
    sessionsEnded: async (timeoutMs) => running?.sessionsEnded(timeoutMs),
    async stop() {
      await running?.stop();
      running = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
