// `list` turns FOLDER, --protocol and the password options into what to open, before connecting.
import { describe, expect, it } from 'vitest';
import { chooseProtocol, selectFolders } from '../../../electron/cli/commands/list';
import { CliError } from '../../../electron/cli/errors';
import { passwordFromEnv } from '../../../electron/cli/password';
import { builtInProfiles, parseProfile } from '../../../electron/engine/profiles';

const texas = builtInProfiles.find((p) => p.id === 'texas-immtrac2')!;
const colorado = builtInProfiles.find((p) => p.id === 'colorado-ciis')!;

describe('selectFolders', () => {
  it('finds a folder by the name the profile gives it, in any case, or by its role', () => {
    expect(selectFolders(texas, 'DQA-Report')).toEqual(['reports']);
    expect(selectFolders(texas, 'hl7-dropoff')).toEqual(['dropoff']);
    expect(selectFolders(texas, 'receive')).toEqual(['receive']);
    expect(selectFolders(colorado, 'inbound')).toEqual(['dropoff']);
    expect(selectFolders(texas, undefined)).toEqual(['dropoff', 'accepted', 'reports', 'receive']);
  });

  it('names the folders there are when FOLDER is none of them', () => {
    expect(() => selectFolders(colorado, 'DQA-Report')).toThrow(/Colorado CIIS has no folder "DQA-Report"\. Its folders: Inbound \(dropoff\)/);
  });
});

describe('chooseProtocol', () => {
  it('prefers SFTP, takes the only protocol a profile offers, and refuses one it does not offer', () => {
    expect(chooseProtocol(texas, undefined)).toBe('sftp');
    expect(chooseProtocol(texas, 'ftps')).toBe('ftps');
    const ftpsOnly = parseProfile({ ...texas, endpoints: texas.endpoints.filter((e) => e.protocol === 'ftps') });
    expect(chooseProtocol(ftpsOnly, undefined)).toBe('ftps');
    expect(() => chooseProtocol(ftpsOnly, 'sftp')).toThrow(CliError);
  });
});

describe('passwordFromEnv', () => {
  it('reads the variable --password-env names, and leaves the keychain to sign-in without it', () => {
    expect(passwordFromEnv('RT_PW', { RT_PW: 'Winter-Clinic-2026!' })).toBe('Winter-Clinic-2026!');
    expect(passwordFromEnv(undefined, { RT_PW: 'Winter-Clinic-2026!' })).toBeUndefined();
  });

  it.each([
    ['not set', {}],
    ['empty', { RT_PW: '' }],
  ])('exits 4 naming the variable when it is %s', (_what, env) => {
    let error: unknown;
    try {
      passwordFromEnv('RT_PW', env);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe('no-password');
    expect((error as CliError).message).toContain('RT_PW');
  });
});
