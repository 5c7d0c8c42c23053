// The engine pieces a CLI run needs, over the same data folder as the desktop app.
import { isAbsolute, resolve } from 'node:path';
import { customProfiles } from '../engine/engine';
import { loadProfileFile, ProfileCatalog, type Profile } from '../engine/profiles';
import { JsonFileSettings } from '../engine/settings/settings-store';
import { practiceProfile, PRACTICE_PROFILE_ID } from '../practice/practice-profile';
import { readRunningPractice } from '../practice/practice-registry';
import { defaultDataDir } from './data-dir';
import { CliError, usageError } from './errors';

/** The folder the run reads and writes: --data-dir, or the desktop app's own. */
export const resolveDataDir = (dataDir: string | undefined, env: NodeJS.ProcessEnv): string =>
  dataDir === undefined ? defaultDataDir(process.platform, env) : resolve(dataDir);

export function openSettings(dataDir: string | undefined, env: NodeJS.ProcessEnv): JsonFileSettings {
  const dir = resolveDataDir(dataDir, env);
  try {
    return JsonFileSettings.inDataDir(dir);
  } catch (error) {
    // The only thing reading can throw is a damaged file, and its message already says what to do.
    throw new CliError('internal', error instanceof Error ? error.message : `The settings in ${dir} could not be read.`);
  }
}

/**
 * The practice registry that `registry-transfer practice` (or the desktop app) runs on this data
 * folder, as its running.json says: where it listens, and the key and certificate it shows.
 */
export const runningPractice = (dataDir: string): ReturnType<typeof readRunningPractice> => readRunningPractice(dataDir);

/** The profiles of this data folder: the practice registry running on it (first), the built-ins, the custom ones. */
export const catalogFor = (settings: JsonFileSettings, dataDir: string) =>
  new ProfileCatalog(
    () => customProfiles(settings),
    () => {
      const practice = runningPractice(dataDir);
      return practice ? [practiceProfile({ host: practice.host, sftpPort: practice.sftp.port, ftpsImplicitPort: practice.ftpsImplicit.port, processAfterSeconds: practice.processAfterSeconds })] : [];
    },
  );

/** `--profile`: an id from the catalog, or a profile file a clinic's IT wrote (`*.json`). */
export async function resolveProfile(wanted: string | undefined, catalog: ProfileCatalog, dataDir?: string): Promise<Profile> {
  if (wanted === undefined) {
    throw usageError(`Say which registry with --profile ID or --profile FILE.json. Known profiles: ${catalog.all().map((e) => e.profile.id).join(', ')}.`);
  }
  if (/\.json$/i.test(wanted)) return loadProfileFile(isAbsolute(wanted) ? wanted : resolve(wanted));
  const profile = catalog.get(wanted);
  if (!profile && wanted === PRACTICE_PROFILE_ID) {
    const where = dataDir ?? 'this data folder';
    throw new CliError(
      'unreachable',
      `The practice registry is not running on the data folder ${where}. Start it in another terminal with registry-transfer practice${dataDir !== undefined ? ` --data-dir "${dataDir}"` : ''} (or open the desktop app, which runs one on its own data folder), then run this again with the same --data-dir.`,
    );
  }
  if (!profile) {
    throw new CliError(
      'unknown-profile',
      `There is no profile "${wanted}". Known profiles: ${catalog.all().map((e) => e.profile.id).join(', ')} (see registry-transfer profiles), or give a profile file ending in .json.`,
    );
  }
  return profile;
}
