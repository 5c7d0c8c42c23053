// The engine pieces a CLI run needs, over the same data folder as the desktop app.
import { isAbsolute, resolve } from 'node:path';
import { customProfiles } from '../engine/engine';
import { loadProfileFile, ProfileCatalog, type Profile } from '../engine/profiles';
import { JsonFileSettings } from '../engine/settings/settings-store';
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

export const catalogFor = (settings: JsonFileSettings) => new ProfileCatalog(() => customProfiles(settings));

/** `--profile`: an id from the catalog, or a profile file a clinic's IT wrote (`*.json`). */
export async function resolveProfile(wanted: string | undefined, catalog: ProfileCatalog): Promise<Profile> {
  if (wanted === undefined) {
    throw usageError(`Say which registry with --profile ID or --profile FILE.json. Known profiles: ${catalog.all().map((e) => e.profile.id).join(', ')}.`);
  }
  if (/\.json$/i.test(wanted)) return loadProfileFile(isAbsolute(wanted) ? wanted : resolve(wanted));
  const profile = catalog.get(wanted);
  if (!profile) {
    throw new CliError(
      'unknown-profile',
      `There is no profile "${wanted}". Known profiles: ${catalog.all().map((e) => e.profile.id).join(', ')} (see registry-transfer profiles), or give a profile file ending in .json.`,
    );
  }
  return profile;
}
