// What the transfer tests share: one shape for an SFTP (sshd) and an FTPS (vsftpd) test registry,
// the app driven through the contract exactly as the window drives it (dispatchCall, so inputs are
// validated and defaults applied), a record of its 'transfer' events, and ways to upset the server
// (kill or freeze its processes) and to see the app's connections to it.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  dispatchCall,
  type CallInput,
  type CallName,
  type CallResults,
  type RegistryEvent,
  type TransferState,
  type TransferStatus,
} from '../../shared/contract';
import type { CredentialVault } from '../../electron/engine/credentials/vault';
import { createRegistryService, type RegistryService } from '../../electron/engine/registry-service';
import { MemorySettings, type SettingsStore } from '../../electron/engine/settings/settings-store';
import { TRANSFER_HISTORY_FILE_NAME } from '../../electron/engine/transfers/history';
import { localTexasProfile, startSshd, type SshAccount } from './sshd';
import type { ProftpdServer } from './proftpd';
import type { PureFtpdServer } from './pure-ftpd';
import { startVsftpd, type TlsMode } from './vsftpd';

export type Flavour = { protocol: 'sftp' } | { protocol: 'ftps'; tls: Exclude<TlsMode, 'none'> };

export interface TestRegistry {
  protocol: 'sftp' | 'ftps';
  /** e.g. "SFTP" or "FTPS (implicit TLS)", for test names. */
  label: string;
  port: number;
  account: SshAccount;
  /** SFTP only: a second account on the same server (the root-login layout). */
  otherAccount?: SshAccount;
  /** The dropoff folder on the server's disk. */
  dropoffDir: string;
  /** A Texas custom profile for this server: import code required in names, 300 files quota. */
  profile(id: string, overrides?: Record<string, unknown>): Record<string, unknown>;
  log(): string;
  /** The server's listening process and every session process under it. */
  processes(): { listener: number; sessions: number[] };
  stop(): Promise<void>;
}

const TEXAS_FILE_RULES = { extension: '.HL7', importCodeInName: true };

/** A running ProFTPD's FTPS port as a test registry (Texas file rules). */
export function proftpdFtpsRegistry(server: ProftpdServer): TestRegistry {
  return {
    protocol: 'ftps',
    label: `ProFTPD FTPS (${server.tls} TLS)`,
    port: server.port,
    account: server.account,
    dropoffDir: server.dropoffDir,
    profile: (id, overrides = {}) => ({ ...server.ftpsProfile(id), files: TEXAS_FILE_RULES, ...overrides }),
    log: () => server.log(),
    processes: () => server.processes(),
    stop: () => server.stop(),
  };
}

/** A running ProFTPD's mod_sftp port as a test registry (Texas file rules). */
export function proftpdSftpRegistry(server: ProftpdServer): TestRegistry {
  if (server.sftpPort === undefined) throw new Error('ProFTPD was started without mod_sftp');
  return {
    protocol: 'sftp',
    label: 'ProFTPD SFTP',
    port: server.sftpPort,
    account: server.account,
    dropoffDir: server.dropoffDir,
    profile: (id, overrides = {}) => ({ ...server.sftpProfile(id), files: TEXAS_FILE_RULES, ...overrides }),
    log: () => server.sftpLog(),
    processes: () => server.processes(),
    stop: () => server.stop(),
  };
}

/** A running Pure-FTPd as a test registry (Texas file rules). */
export function pureFtpdRegistry(server: PureFtpdServer): TestRegistry {
  return {
    protocol: 'ftps',
    label: 'Pure-FTPd FTPS (explicit TLS)',
    port: server.port,
    account: server.account,
    dropoffDir: server.dropoffDir,
    profile: (id, overrides = {}) => ({ ...server.profile(id), files: TEXAS_FILE_RULES, ...overrides }),
    log: () => server.log(),
    processes: () => server.processes(),
    stop: () => server.stop(),
  };
}

export async function startRegistry(flavour: Flavour, tag: string): Promise<TestRegistry> {
  if (flavour.protocol === 'sftp') {
    const server = await startSshd({ tag });
    return {
      protocol: 'sftp',
      label: 'SFTP',
      port: server.port,
      account: server.home,
      otherAccount: server.chroot,
      dropoffDir: join(server.home.accountDir, 'HL7-Dropoff'),
      profile: (id, overrides = {}) => ({ ...localTexasProfile(server.port, id), files: TEXAS_FILE_RULES, ...overrides }),
      log: () => server.log(),
      processes: () => serverProcesses(join(server.dir, 'sshd_config')),
      stop: () => stopWithSessions(join(server.dir, 'sshd_config'), () => server.stop()),
    };
  }
  const server = await startVsftpd({ mode: flavour.tls, tag });
  const dir = dirname(dirname(server.account.accountDir));
  return {
    protocol: 'ftps',
    label: `FTPS (${flavour.tls} TLS)`,
    port: server.port,
    account: server.account,
    dropoffDir: join(server.account.accountDir, 'HL7-Dropoff'),
    profile: (id, overrides = {}) => ({ ...server.profile(id), files: TEXAS_FILE_RULES, ...overrides }),
    log: () => server.log(),
    processes: () => serverProcesses(join(dir, 'vsftpd.conf')),
    stop: () => stopWithSessions(join(dir, 'vsftpd.conf'), () => server.stop()),
  };
}

/**
 * Stopping the listener leaves its session processes running; one that was frozen and thawed, or
 * whose client vanished mid-command, can wait minutes for its own timeout. End them first.
 */
async function stopWithSessions(configFile: string, stop: () => Promise<void>): Promise<void> {
  try {
    signal(serverProcesses(configFile).sessions, 'SIGKILL');
  } catch {
    // the listener is gone already
  }
  await stop();
}

function readProc(pid: string, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return '';
  }
}

/**
 * The test server started with `configFile` (found by its command line) and all its descendants:
 * the processes a test may signal, because the test started them.
 */
export function serverProcesses(configFile: string): { listener: number; sessions: number[] } {
  const parents = new Map<number, number>();
  let listener = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProc(name, 'stat');
    const ppid = Number(/\) \S+ (\d+)/.exec(stat)?.[1] ?? 0);
    parents.set(Number(name), ppid);
    // sshd rewrites its command line ("sshd: /usr/sbin/sshd -D -f <config> [listener] ..."), so match
    // the path anywhere in it; its session processes start with the same line, under the listener.
    if (readProc(name, 'cmdline').includes(configFile) && !readProc(String(ppid), 'cmdline').includes(configFile)) {
      listener = Number(name);
    }
  }
  if (!listener) throw new Error(`no server process runs with ${configFile}`);
  const sessions: number[] = [];
  const isUnder = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === listener) return true;
    return false;
  };
  for (const pid of parents.keys()) if (isUnder(pid)) sessions.push(pid);
  return { listener, sessions };
}

export function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/** Established TCP connections from this machine to `port` on loopback (the app's control connections). */
export function connectionsTo(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 4) continue;
      if (fields[2]?.endsWith(`:${hexPort}`) && fields[3] === '01') count += 1;
    }
  }
  return count;
}

export async function until<T>(what: string | (() => string), probe: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const FINAL_STATES: readonly TransferState[] = ['done', 'failed', 'cancelled'];

export interface App {
  service: RegistryService;
  dataDir: string;
  historyFile: string;
  events: RegistryEvent[];
  /** A call as the window makes it: validated against the contract first. */
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallResults[N]>;
  connect(account?: SshAccount): Promise<void>;
  /** Every 'transfer' event of one transfer, in order. */
  updates(transferId: string): TransferStatus[];
  /** Resolves with the first update of the transfer that passes `test`. */
  waitFor(transferId: string, test: (t: TransferStatus) => boolean, timeoutMs?: number): Promise<TransferStatus>;
  finished(transferId: string, timeoutMs?: number): Promise<TransferStatus>;
  /** Calls `hook` (once) with the first update that passes `test`, as the event arrives. */
  onUpdate(test: (t: TransferStatus) => boolean, hook: (t: TransferStatus) => void): void;
  dispose(): Promise<void>;
}

export function openApp(
  registry: TestRegistry,
  options: {
    profileId: string;
    profile?: Record<string, unknown>;
    timeoutSeconds?: number;
    idleCloseSeconds?: number;
    /** The settings the app keeps (a JSON file in a data folder, to share with a CLI run); in memory when absent. */
    settings?: SettingsStore;
    /** The keychain; none when absent (nothing is saved). */
    vault?: CredentialVault;
  },
): App {
  const settings = options.settings ?? new MemorySettings();
  settings.set('customProfiles', [options.profile ?? registry.profile(options.profileId)]);
  const dataDir = mkdtempSync(join(tmpdir(), 'rt-transfers-data-'));
  const events: RegistryEvent[] = [];
  const hookErrors: unknown[] = [];
  const hooks: { test: (t: TransferStatus) => boolean; hook: (t: TransferStatus) => void }[] = [];
  /** What the save dialog answers: the folder of the download being asked for (see `call`). */
  let folderToSaveIn: string | null = null;
  const service: RegistryService = createRegistryService({
    settings,
    appInfo: { name: 'Registry Transfer', version: 'test' },
    openExternal: async () => undefined,
    chooseFolder: async () => folderToSaveIn,
    dataDir,
    ...(options.vault ? { vault: options.vault } : {}),
    ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}),
    ...(options.idleCloseSeconds !== undefined ? { idleCloseSeconds: options.idleCloseSeconds } : {}),
    emit: (event) => {
      events.push(event);
      if (event.type === 'request') setImmediate(() => void service.handlers.answerRequest({ id: event.request.id, answer: 'trust' }));
      if (event.type === 'transfer') {
        for (const entry of [...hooks]) {
          if (entry.test(event.transfer)) {
            hooks.splice(hooks.indexOf(entry), 1);
            // A test's mistake must not look like the engine's: it is reported by dispose().
            try {
              entry.hook(event.transfer);
            } catch (error) {
              hookErrors.push(error);
            }
          }
        }
      }
    },
  });
  const call = async <N extends CallName>(name: N, input: CallInput<N>) => {
    // As the window does it: a download goes to the folder the user has just picked in the save
    // dialog (the engine saves only in such a folder).
    if (name === 'download') {
      folderToSaveIn = (input as CallInput<'download'>).toFolder;
      await dispatchCall(service.handlers, 'chooseDownloadFolder', {});
    }
    return (await dispatchCall(service.handlers, name, input)) as CallResults[N];
  };
  const updates = (id: string) => events.flatMap((e) => (e.type === 'transfer' && e.transfer.id === id ? [e.transfer] : []));
  const waitFor = (id: string, test: (t: TransferStatus) => boolean, timeoutMs = 30_000) =>
    until(() => `transfer ${id} to reach the expected state (last: ${JSON.stringify(updates(id).at(-1))})`, () => updates(id).find(test), timeoutMs);
  return {
    service,
    dataDir,
    historyFile: join(dataDir, TRANSFER_HISTORY_FILE_NAME),
    events,
    call,
    async connect(account = registry.account) {
      const result = await call('connect', { profileId: options.profileId, protocol: registry.protocol, username: account.username, password: account.password });
      if (!result.ok) throw new Error(`connect failed: ${result.code} ${result.message}`);
    },
    updates,
    waitFor,
    finished: (id, timeoutMs) => waitFor(id, (t) => FINAL_STATES.includes(t.state), timeoutMs),
    onUpdate: (test, hook) => void hooks.push({ test, hook }),
    async dispose() {
      await service.dispose();
      rmSync(dataDir, { recursive: true, force: true });
      if (hookErrors.length > 0) throw hookErrors[0];
    },
  };
}
