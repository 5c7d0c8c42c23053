// `list` turns FOLDER, --protocol and the password options into what to open, before connecting.
import { describe, expect, it } from 'vitest';
import { chooseProtocol, selectFolders } from '../../../electron/cli/commands/list';
import { CliError } from '../../../electron/cli/errors';
import { resolvePassword } from '../../../electron/cli/password';
import { KeytarVault } from '../../../electron/engine/credentials/keytar-vault';
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

describe('resolvePassword', () => {
  // Any use of the keychain in these cases would be a bug: a vault at an unknown service name.
  const noKeychain = () => new KeytarVault('org.registrytransfer.unused-in-this-test', 1);

  it('reads the variable --password-env names', async () => {
    await expect(resolvePassword({ passwordEnv: 'RT_PW', profileId: 'texas-immtrac2', username: 'ABC123' }, { RT_PW: 'Winter-Clinic-2026!' }, noKeychain)).resolves.toBe('Winter-Clinic-2026!');
  });

  it.each([
    ['not set', {}],
    ['empty', { RT_PW: '' }],
  ])('exits 4 naming the variable when it is %s', async (_what, env) => {
    const error = await resolvePassword({ passwordEnv: 'RT_PW', profileId: 'texas-immtrac2', username: 'ABC123' }, env, noKeychain).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe('no-password');
    expect((error as CliError).message).toContain('RT_PW');
  });
});
