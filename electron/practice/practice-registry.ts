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
import { practiceProfile, PRACTICE_USERNAME } from './practice-profile';
import type { ReportFormat } from './processing';
import { PracticeRegistryFiles } from './registry-files';
import { startSftpServer } from './sftp-server';

export const PRACTICE_FOLDER = 'practice';
export const RUNNING_FILE = 'running.json';
export const DEFAULT_PROCESS_AFTER_SECONDS = 5;

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

/** Where a practice registry started with `dataDir` listens, if one is running (for `--profile practice`). */
export function readRunningPractice(dataDir: string): PracticeListening | null {
  const file = join(dataDir, PRACTICE_FOLDER, RUNNING_FILE);
  if (!existsSync(file)) return null;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as PracticeListening;
    return typeof parsed.sftp?.port === 'number' && typeof parsed.ftpsImplicit?.port === 'number' ? parsed : null;
  } catch {
    return null;
  }
}

export async function startPracticeRegistry(options: PracticeRegistryOptions): Promise<RunningPracticeRegistry> {
  const host = options.host ?? '127.0.0.1';
  const root = join(options.dataDir, PRACTICE_FOLDER);
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
  processor = new DropoffProcessor({ files, processAfterSeconds, ...(options.formats ? { formats: options.formats } : {}), ...(options.now ? { now: options.now } : {}) });
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
    writeFileSync(`${runningFile}.partial`, `${JSON.stringify(listening, null, 2)}\n`, { mode: 0o600 });
    renameSync(`${runningFile}.partial`, runningFile);

    const stopProcessor = processor;
    return {
      ...listening,
      issuedPassword: () => files.issuedPassword,
      profile: practiceProfile({ host, sftpPort: sftp.port, ftpsImplicitPort: implicit.port }),
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
