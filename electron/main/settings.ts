// The desktop app's settings port: electron-store, writing config.json in the app's data folder, the
// same file the CLI's JsonFileSettings reads and writes. The file holds the user's trust decisions and
// custom profiles, so a damaged file is never wiped: it is moved aside under a dated name, a log line
// says where, and the app starts with empty settings.
import { readFileSync, renameSync } from 'node:fs';
import { join, parse } from 'node:path';
import Store from 'electron-store';
import { SETTINGS_FILE_NAME, withoutByteOrderMark, type SettingsStore } from '../engine/settings/settings-store';

export type SettingsLog = (line: string) => void;

export interface OpenedSettings {
  settings: SettingsStore;
  /** Where a damaged settings file was moved at start-up, if it was. */
  setAside: string | null;
}

const { name: FILE_STEM, ext: FILE_EXTENSION } = parse(SETTINGS_FILE_NAME);

type FileState = 'missing' | 'valid' | 'damaged';

function fileState(file: string): FileState {
  let text: string;
  try {
    text = withoutByteOrderMark(readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw new Error(`The app cannot read its settings file ${file}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? 'valid' : 'damaged';
  } catch {
    return 'damaged';
  }
}

/** Move a damaged file to `config.damaged-<time>.json` beside it and return that path. */
function setAsideDamaged(file: string, now: Date, log: SettingsLog): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const target = join(parse(file).dir, `${FILE_STEM}.damaged-${stamp}${FILE_EXTENSION}`);
  try {
    renameSync(file, target);
  } catch (error) {
    throw new Error(
      `The settings file ${file} is damaged and could not be moved aside (${(error as Error).message}). ` +
        'Close any other copy of Registry Transfer and try again.',
    );
  }
  log(`[settings] ${file} was damaged (not a JSON object); moved it to ${target} and started with empty settings. Trusted servers and custom profiles in it were not loaded.`);
  return target;
}

export function openElectronSettings(dataDir: string, log: SettingsLog = (line) => console.warn(line), now: () => Date = () => new Date()): OpenedSettings {
  const file = join(dataDir, SETTINGS_FILE_NAME);
  const setAside = fileState(file) === 'damaged' ? setAsideDamaged(file, now(), log) : null;
  const store = new Store<Record<string, unknown>>({
    cwd: dataDir,
    name: FILE_STEM,
    fileExtension: FILE_EXTENSION.replace(/^\./, ''),
    // Keys are plain names (`trustedIdentities`), never paths into nested objects.
    accessPropertiesByDotNotation: false,
    clearInvalidConfig: false,
    configFileMode: 0o600,
    watch: false,
    // A file saved again by Notepad starts with a byte order mark, which JSON.parse refuses: it is
    // read, not set aside as damaged (the user's trust decisions and profiles are in it).
    deserialize: (text: string) => JSON.parse(withoutByteOrderMark(text)) as Record<string, unknown>,
  });

  /** If the file went bad while the app ran (edited by hand, a disk fault), set it aside and retry once. */
  const guarded = <T>(op: () => T): T => {
    try {
      return op();
    } catch (error) {
      if (fileState(file) !== 'damaged') throw error;
      setAsideDamaged(file, now(), log);
      return op();
    }
  };

  const settings: SettingsStore = {
    get: (key) => guarded(() => store.get(key)),
    set: (key, value) =>
      guarded(() => {
        if (value === undefined) store.delete(key);
        else store.set(key, value);
      }),
  };
  return { settings, setAside };
}
