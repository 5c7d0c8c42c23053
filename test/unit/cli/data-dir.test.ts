// The CLI shares the desktop app's data folder (Electron's userData for "Registry Transfer"), so a
// server trusted in one is trusted in the other.
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../../electron/cli/data-dir';

describe('defaultDataDir', () => {
  it('is under %APPDATA% on Windows', () => {
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\nurse\\AppData\\Roaming' }, 'C:\\Users\\nurse')).toBe(
      'C:\\Users\\nurse\\AppData\\Roaming\\Registry Transfer',
    );
    expect(defaultDataDir('win32', {}, 'C:\\Users\\nurse')).toBe('C:\\Users\\nurse\\AppData\\Roaming\\Registry Transfer');
  });

  it('is under Application Support on macOS', () => {
    expect(defaultDataDir('darwin', {}, '/Users/nurse')).toBe('/Users/nurse/Library/Application Support/Registry Transfer');
  });

  it('follows XDG_CONFIG_HOME on Linux, or ~/.config without it', () => {
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/home/it/.cfg' }, '/home/it')).toBe('/home/it/.cfg/Registry Transfer');
    expect(defaultDataDir('linux', {}, '/home/it')).toBe('/home/it/.config/Registry Transfer');
  });
});
