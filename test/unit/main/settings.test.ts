// The desktop app's settings adapter on the real electron-store, in a temporary data folder.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JsonFileSettings, SETTINGS_FILE_NAME } from '../../../electron/engine/settings/settings-store';
import { routeNativeElectronImportsToStub } from '../../support/electron-stub-loader';

type SettingsModule = typeof import('../../../electron/main/settings');
let openElectronSettings: SettingsModule['openElectronSettings'];

beforeAll(async () => {
  routeNativeElectronImportsToStub();
  ({ openElectronSettings } = await import('../../../electron/main/settings'));
});

let dataDir: string;
let logLines: string[];
const log = (line: string) => logLines.push(line);
const fixedNow = () => new Date('2025-03-04T05:06:07.089Z');

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'rt-settings-'));
  logLines = [];
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const trusted = [{ id: 'a1', host: 'sftp.example.org', port: 22, kind: 'ssh-host-key', fingerprint: 'SHA256:abc', description: 'ED25519', firstTrusted: '2025-01-01' }];

describe('electron-store settings', () => {
  it('writes config.json in the data folder, the same file the CLI reads and writes', () => {
    expect(SETTINGS_FILE_NAME).toBe('config.json');
    const { settings, setAside } = openElectronSettings(dataDir, log);
    expect(setAside).toBeNull();
    settings.set('trustedIdentities', trusted);

    const file = join(dataDir, SETTINGS_FILE_NAME);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ trustedIdentities: trusted });
    expect(JsonFileSettings.inDataDir(dataDir).get('trustedIdentities')).toEqual(trusted);

    // What the CLI writes while the app runs is what the app reads next.
    JsonFileSettings.inDataDir(dataDir).set('customProfiles', [{ id: 'p' }]);
    expect(settings.get('customProfiles')).toEqual([{ id: 'p' }]);
    expect(settings.get('trustedIdentities')).toEqual(trusted);
    expect(logLines).toEqual([]);
  });

  it('treats a key with dots as one name, as the JSON file settings do', () => {
    const { settings } = openElectronSettings(dataDir, log);
    settings.set('host.example.org', 1);
    expect(JSON.parse(readFileSync(join(dataDir, SETTINGS_FILE_NAME), 'utf8'))).toEqual({ 'host.example.org': 1 });
    expect(settings.get('host.example.org')).toBe(1);
    expect(settings.get('host')).toBeUndefined();
  });

  it('removes a key set to undefined', () => {
    const { settings } = openElectronSettings(dataDir, log);
    settings.set('customProfiles', []);
    settings.set('customProfiles', undefined);
    expect(settings.get('customProfiles')).toBeUndefined();
    expect(JSON.parse(readFileSync(join(dataDir, SETTINGS_FILE_NAME), 'utf8'))).toEqual({});
  });

  it('keeps the file readable by its owner only', () => {
    const { settings } = openElectronSettings(dataDir, log);
    settings.set('trustedIdentities', trusted);
    expect(statSync(join(dataDir, SETTINGS_FILE_NAME)).mode & 0o777).toBe(0o600);
  });

  it('reads a settings file saved again by Notepad (UTF-8 with a byte order mark) in the app and the CLI, and keeps what is in it', () => {
    const file = join(dataDir, SETTINGS_FILE_NAME);
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ trustedIdentities: trusted }, null, 2))]));

    const { settings, setAside } = openElectronSettings(dataDir, log);
    expect(setAside).toBeNull();
    expect(settings.get('trustedIdentities')).toEqual(trusted);
    expect(JsonFileSettings.inDataDir(dataDir).get('trustedIdentities')).toEqual(trusted);
    settings.set('customProfiles', [{ id: 'p' }]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ trustedIdentities: trusted, customProfiles: [{ id: 'p' }] });
    expect(readdirSync(dataDir)).toEqual([SETTINGS_FILE_NAME]);
    expect(logLines).toEqual([]);
  });

  it('moves a damaged file aside instead of wiping it, says so, and starts empty', () => {
    const file = join(dataDir, SETTINGS_FILE_NAME);
    const damaged = '{"trustedIdentities": [{"id": "a1", "host": "sftp.exam';
    writeFileSync(file, damaged);

    const { settings, setAside } = openElectronSettings(dataDir, log, fixedNow);

    expect(setAside).toBe(join(dataDir, 'config.damaged-2025-03-04T05-06-07-089Z.json'));
    expect(readFileSync(setAside!, 'utf8')).toBe(damaged);
    expect(settings.get('trustedIdentities')).toBeUndefined();
    expect(logLines).toHaveLength(1);
    expect(logLines[0]).toContain(file);
    expect(logLines[0]).toContain(setAside!);
    settings.set('trustedIdentities', trusted);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ trustedIdentities: trusted });
  });

  it('counts a file that is JSON but not an object as damaged', () => {
    writeFileSync(join(dataDir, SETTINGS_FILE_NAME), '[1, 2, 3]');
    const { setAside } = openElectronSettings(dataDir, log, fixedNow);
    expect(setAside).not.toBeNull();
    expect(readFileSync(setAside!, 'utf8')).toBe('[1, 2, 3]');
  });

  it('sets aside a file damaged while the app runs, then carries on', () => {
    const { settings } = openElectronSettings(dataDir, log, fixedNow);
    settings.set('trustedIdentities', trusted);
    writeFileSync(join(dataDir, SETTINGS_FILE_NAME), 'garbage');

    expect(settings.get('trustedIdentities')).toBeUndefined();
    const asideFiles = readdirSync(dataDir).filter((name) => name.startsWith('config.damaged-'));
    expect(asideFiles).toHaveLength(1);
    expect(readFileSync(join(dataDir, asideFiles[0]!), 'utf8')).toBe('garbage');
    expect(logLines).toHaveLength(1);
    settings.set('customProfiles', []);
    expect(JSON.parse(readFileSync(join(dataDir, SETTINGS_FILE_NAME), 'utf8'))).toEqual({ customProfiles: [] });
  });

  it('refuses to start on a settings file it cannot read, with a message that names it, and leaves it alone', () => {
    // A folder where the file should be: unreadable as a file even for root.
    const file = join(dataDir, SETTINGS_FILE_NAME);
    mkdirSync(file);
    expect(() => openElectronSettings(dataDir, log)).toThrow(file);
    expect(statSync(file).isDirectory()).toBe(true);
    expect(readdirSync(dataDir)).toEqual([SETTINGS_FILE_NAME]);
  });
});
