// The practice registry: a registry of Texas ImmTrac2's shape on this computer (127.0.0.1 only), for
// a new user, a trainer or a vendor scripting uploads. SFTP and FTPS (implicit and explicit TLS)
// over the same account and folders, its own host key and certificate kept in its folder of the
// app's data folder, and a registry's answers to each file a few seconds after it lands. The window
// starts it beside the app; `registry-transfer practice` runs it on its own.
import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from '../engine/profiles';
import { DropoffProcessor } from './dropoff-processor';
import { startFtpsServer } from './ftps-server';
import { practiceKeys } from './keys';
import { DEFAULT_PROCESS_AFTER_SECONDS, practiceProfile, PRACTICE_USERNAME } from './practice-profile';
import type { ReportFormat } from './processing';
import { PracticeRegistryFiles } from './registry-files';
import { startSftpServer } from './sftp-server';

export const PRACTICE_FOLDER = 'practice';
export const RUNNING_FILE = 'running.json';
export { DEFAULT_PROCESS_AFTER_SECONDS };

export interface PracticeRegistryOptions {
  /** The app's data folder: the practice registry keeps everything in its `practice` folder. */
  dataDir: string;
  host?: string;
  /** 0 or absent: a free port. */
  sftpPort?: number;
  ftpsImplicitPort?: number;
  ftpsExplicitPort?: number;
  processAfterSeconds?: number;
  /** An account whose first-login change is already done (for scripts and other clients). */
  ready?: boolean;
  formats?: readonly ReportFormat[];
  /** The registry's clock (tests move it to see the purge). */
  now?: () => Date;
}

/** Where the practice registry listens, as `registry-transfer practice --json` prints it. */
export interface PracticeListening {
  host: string;
  sftp: { port: number; fingerprint: string };
  ftpsImplicit: { port: number; fingerprint: string };
  ftpsExplicit: { port: number; fingerprint: string };
  username: string;
}

export interface RunningPracticeRegistry extends PracticeListening {
  /** The password the registry issued, until the first-login change is made; null after it. */
  issuedPassword(): string | null;
  profile: Profile;
  processAfterSeconds: number;
  /** The registry's own folders on this computer (tests look at them). */
  files: PracticeRegistryFiles;
  processor: DropoffProcessor;
  stop(): Promise<void>;
}

/** running.json: where it listens, and which process runs it (never the password: that is in accounts.json). */
export interface RunningFile extends PracticeListening {
  /** How long it waits before processing a file (absent in files written before it was recorded). */
  processAfterSeconds?: number;
  pid: number;
  startedAt: string;
}

/** A practice registry already runs on this data folder: two would share one account's files. */
export class PracticeAlreadyRunning extends Error {
  constructor(
    readonly running: RunningFile,
    dataDir: string,
  ) {
    super(
      `A practice registry is already running on the data folder ${dataDir} (process ${running.pid}; SFTP on ${running.host} port ${running.sftp.port}). ` +
        'Use that one, or stop it first (the desktop app runs one while it is open). If no such process runs, delete ' +
        `${join(dataDir, PRACTICE_FOLDER, RUNNING_FILE)} and start again.`,
    );
    this.name = 'PracticeAlreadyRunning';
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, and belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const isPort = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 65536;

/** running.json as written, or null when there is none or it is not whole. */
function readRunningFile(dataDir: string): RunningFile | null {
  const file = join(dataDir, PRACTICE_FOLDER, RUNNING_FILE);
  if (!existsSync(file)) return null;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunningFile>;
    const whole =
      typeof parsed.host === 'string' &&
      typeof parsed.username === 'string' &&
      [parsed.sftp, parsed.ftpsImplicit, parsed.ftpsExplicit].every((door) => isPort(door?.port) && typeof door?.fingerprint === 'string');
    return whole ? (parsed as RunningFile) : null;
  } catch {
    return null;
  }
}

/**
 * Where a practice registry started with `dataDir` listens, if one is running (for `--profile
 * practice`): null when none was started there, or the process that wrote running.json has ended
 * (a registry killed before it could remove the file).
 */
export function readRunningPractice(dataDir: string): (PracticeListening & { processAfterSeconds: number }) | null {
  const running = readRunningFile(dataDir);
  if (!running || (typeof running.pid === 'number' && !processIsAlive(running.pid))) return null;
  const { host, sftp, ftpsImplicit, ftpsExplicit, username } = running;
  const processAfterSeconds = typeof running.processAfterSeconds === 'number' && running.processAfterSeconds >= 0 ? running.processAfterSeconds : DEFAULT_PROCESS_AFTER_SECONDS;
  return { host, sftp, ftpsImplicit, ftpsExplicit, username, processAfterSeconds };
}

export async function startPracticeRegistry(options: PracticeRegistryOptions): Promise<RunningPracticeRegistry> {
  const host = options.host ?? '127.0.0.1';
  const root = join(options.dataDir, PRACTICE_FOLDER);
  const already = readRunningFile(options.dataDir);
  if (already && typeof already.pid === 'number' && processIsAlive(already.pid)) throw new PracticeAlreadyRunning(already, options.dataDir);
  const keys = await practiceKeys(join(root, 'keys'));
  let processor: DropoffProcessor | null = null;
  const rulesProfile = practiceProfile({ host, sftpPort: 1, ftpsImplicitPort: 1 });
  const files = new PracticeRegistryFiles({
    root,
    username: PRACTICE_USERNAME,
    ready: options.ready === true,
    rules: rulesProfile.passwordChange.rules,
    ...(options.now ? { now: options.now } : {}),
    onLanded: (_username, name) => processor?.landed(name),
  });
  const processAfterSeconds = options.processAfterSeconds ?? DEFAULT_PROCESS_AFTER_SECONDS;
  // The report formats are the practice profile's, unless a test asks for others.
  const formats = options.formats ?? rulesProfile.reportFormats;
  processor = new DropoffProcessor({ files, processAfterSeconds, formats, ...(options.now ? { now: options.now } : {}) });
  await files.purge();

  const stops: (() => Promise<void>)[] = [];
  try {
    const sftp = await startSftpServer({ host, port: options.sftpPort ?? 0, hostKey: keys.hostKey, backend: files });
    stops.push(sftp.stop);
    const implicit = await startFtpsServer({ host, port: options.ftpsImplicitPort ?? 0, implicitTls: true, tls: keys.tls, backend: files });
    stops.push(implicit.stop);
    const explicit = await startFtpsServer({ host, port: options.ftpsExplicitPort ?? 0, implicitTls: false, tls: keys.tls, backend: files });
    stops.push(explicit.stop);

    const listening: PracticeListening = {
      host,
      sftp: { port: sftp.port, fingerprint: keys.hostKeyFingerprint },
      ftpsImplicit: { port: implicit.port, fingerprint: keys.certificateFingerprint },
      ftpsExplicit: { port: explicit.port, fingerprint: keys.certificateFingerprint },
      username: files.username,
    };
    // Where it listens, for other commands given the same data folder (`--profile practice`).
    const runningFile = join(root, RUNNING_FILE);
    const running: RunningFile = { ...listening, processAfterSeconds, pid: process.pid, startedAt: new Date().toISOString() };
    writeFileSync(`${runningFile}.partial`, `${JSON.stringify(running, null, 2)}\n`, { mode: 0o600 });
    renameSync(`${runningFile}.partial`, runningFile);

    const stopProcessor = processor;
    return {
      ...listening,
      issuedPassword: () => files.issuedPassword,
      profile: practiceProfile({ host, sftpPort: sftp.port, ftpsImplicitPort: implicit.port, processAfterSeconds }),
      processAfterSeconds,
      files,
      processor: stopProcessor,
      stop: async () => {
        await stopProcessor.stop();
        await Promise.all(stops.map((stop) => stop().catch(() => undefined)));
        try {
          unlinkSync(runningFile);
        } catch {
          // Already gone.
        }
      },
    };
  } catch (error) {
    await Promise.all(stops.map((stop) => stop().catch(() => undefined)));
    throw error;
  }
}
