// The desktop app keeps its settings and trust decisions in Electron's userData folder; the CLI
// reads and writes the same folder, so a server trusted in one is trusted in the other.
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

/** Electron names userData after package.json's productName. */
export const APP_DATA_FOLDER_NAME = 'Registry Transfer';

export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (platform === 'win32') {
    return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), APP_DATA_FOLDER_NAME);
  }
  if (platform === 'darwin') {
    return posix.join(home, 'Library', 'Application Support', APP_DATA_FOLDER_NAME);
  }
  // Electron follows the XDG base directory spec on Linux and the other Unix systems.
  return posix.join(env.XDG_CONFIG_HOME || posix.join(home, '.config'), APP_DATA_FOLDER_NAME);
}
