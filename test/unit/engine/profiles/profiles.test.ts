// The built-in profiles carry the registries' own published facts (shared/seeds), and a custom
// profile written by a clinic's IT goes through the same checks, with a plain reason when it is wrong.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builtInProfiles,
  endpointFor,
  loadProfileFile,
  parseProfile,
  ProfileCatalog,
  ProfileError,
  summarizeProfile,
  type Profile,
} from '../../../../electron/engine/profiles';

const byId = (id: string): Profile => {
  const profile = builtInProfiles.find((p) => p.id === id);
  if (!profile) throw new Error(`no built-in profile ${id}`);
  return profile;
};

describe('Texas ImmTrac2 built-in profile', () => {
  const texas = byId('texas-immtrac2');

  it('reaches immtrac-ftp1.dshs.state.tx.us by host name: SFTP on 22, implicit FTPS on 990 with passive 5000-5010', () => {
    expect(endpointFor(texas, 'sftp')).toEqual({ protocol: 'sftp', host: 'immtrac-ftp1.dshs.state.tx.us', port: 22 });
    expect(endpointFor(texas, 'ftps')).toEqual({
      protocol: 'ftps',
      host: 'immtrac-ftp1.dshs.state.tx.us',
      port: 990,
      tls: 'implicit',
      passivePorts: { from: 5000, to: 5010 },
    });
    expect(texas.tlsMinVersion).toBe('TLSv1.2');
  });

  it('has the four folders with the rights the specification lists', () => {
    expect(texas.folders.map((f) => [f.role, f.path, [...f.rights].sort()])).toEqual([
      ['dropoff', 'HL7-Dropoff', ['delete', 'list', 'read', 'rename', 'write']],
      ['accepted', 'Accepted', ['list', 'read']],
      ['reports', 'DQA-Report', ['list', 'read']],
      ['receive', 'Receive', ['list', 'read']],
    ]);
  });

  it('keeps quota 300 files, retention 180 days, timeout 65 s, no retries, no keep-alive, disconnect after transfers', () => {
    expect(texas.quotaFiles).toBe(300);
    expect(texas.retentionDays).toBe(180);
    expect(texas.network).toEqual({ timeoutSeconds: 65, retries: 0, retryDelaySeconds: 30, keepAlive: false, disconnectAfterTransfers: true });
  });

  it('expects data quality reports as text and HTML unless a profile names its formats; a format nobody reads is refused', () => {
    expect(texas.reportFormats).toEqual(['text', 'html']);
    const { id: _id, ...rest } = texas;
    expect(parseProfile({ ...rest, id: 'pdf-registry', reportFormats: ['pdf', 'csv'] }).reportFormats).toEqual(['pdf', 'csv']);
    expect(() => parseProfile({ ...rest, id: 'doc-registry', reportFormats: ['doc'] })).toThrow(/reportFormats/);
    expect(() => parseProfile({ ...rest, id: 'no-reports', reportFormats: [] })).toThrow(/reportFormats/);
  });

  it('treats the username as the import code, which must be in an .HL7 file name', () => {
    expect(texas.username.isImportCode).toBe(true);
    expect(texas.username.label).toBe('Import code');
    expect(texas.files).toEqual({ extension: '.HL7', importCodeInName: true });
    expect(texas.passwordChange.requiredAtFirstLogin).toBe(true);
  });

  it('points at the ThinClient web page and the Interoperability Team', () => {
    expect(texas.webClientUrl).toBe('https://immtrac-ftp1.dshs.state.tx.us/ThinClient');
    expect(texas.support.phone).toBe('(800) 348-9158, option 3');
    expect(texas.support.email).toBe('ImmTracMU@dshs.texas.gov');
    expect(texas.support.team).toMatch(/Interoperability Team/);
  });
});

describe('Colorado CIIS built-in profile', () => {
  const colorado = byId('colorado-ciis');

  it('has SFTP at sshftp.cohealthnet.com:22 and explicit FTPS at sslftp.cohealthnet.com:1971 with passive 52000-52040', () => {
    expect(endpointFor(colorado, 'sftp')).toEqual({ protocol: 'sftp', host: 'sshftp.cohealthnet.com', port: 22 });
    expect(endpointFor(colorado, 'ftps')).toEqual({
      protocol: 'ftps',
      host: 'sslftp.cohealthnet.com',
      port: 1971,
      tls: 'explicit',
      passivePorts: { from: 52000, to: 52040 },
    });
  });

  it('drops files in the folder the account logs in to, and names its web client and support line', () => {
    expect(colorado.folders).toHaveLength(1);
    expect(colorado.folders[0]).toMatchObject({ role: 'dropoff', path: '.' });
    expect(colorado.username.isImportCode).toBe(false);
    expect(colorado.webClientUrl).toBe('https://cohealthnet.com:447');
    expect(colorado.support.phone).toBe('(888) 611-9918');
    expect(colorado.network.retries).toBe(0);
    expect(colorado.network.keepAlive).toBe(false);
  });

  it('summarises for the window without losing the facts', () => {
    const summary = summarizeProfile(colorado, true);
    expect(summary).toMatchObject({
      id: 'colorado-ciis',
      builtIn: true,
      usernameLabel: 'Username',
      webClientUrl: 'https://cohealthnet.com:447',
      support: { phone: '(888) 611-9918' },
    });
    expect(summary.endpoints.map((e) => `${e.host}:${e.port}`)).toEqual(['sshftp.cohealthnet.com:22', 'sslftp.cohealthnet.com:1971']);
  });
});

describe('custom profiles', () => {
  let dir: string;
  const valid = {
    id: 'example-registry',
    name: 'Example State Registry',
    endpoints: [{ protocol: 'sftp', host: 'sftp.registry.example.org', port: 2222 }],
    folders: [
      { role: 'dropoff', name: 'Inbox', path: 'inbox', rights: ['list', 'write'] },
      { role: 'reports', name: 'Reports', path: 'out/reports', rights: ['list', 'read'] },
    ],
    webClientUrl: 'https://registry.example.org/files',
    support: { team: 'Example registry help desk', email: 'help@registry.example.org' },
  };
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const refusal = async (path: string): Promise<string> => {
    const error: unknown = await loadProfileFile(path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProfileError);
    return (error as Error).message;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rt-profiles-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads a valid profile file and fills in the careful defaults', async () => {
    const profile = await loadProfileFile(write('valid.json', JSON.stringify(valid)));
    expect(profile.id).toBe('example-registry');
    expect(endpointFor(profile, 'sftp')?.port).toBe(2222);
    expect(profile.folders.map((f) => f.path)).toEqual(['inbox', 'out/reports']);
    expect(profile.network).toEqual({ timeoutSeconds: 65, retries: 0, retryDelaySeconds: 30, keepAlive: false, disconnectAfterTransfers: true });
    expect(profile.username.label).toBe('Username');
  });

  it.each([
    [
      'an FTPS endpoint without implicit/explicit TLS',
      { ...valid, endpoints: [{ protocol: 'ftps', host: 'ftps.registry.example.org', port: 990 }] },
      /implicit or explicit/,
    ],
    [
      'the same folder role twice',
      { ...valid, folders: [valid.folders[0], { ...valid.folders[0], name: 'Inbox 2', path: 'inbox2' }] },
      /each folder role may appear once/,
    ],
    ['no dropoff folder', { ...valid, folders: [valid.folders[1]] }, /needs a dropoff folder/],
    [
      'a folder path that climbs out with ..',
      { ...valid, folders: [{ ...valid.folders[0], path: 'inbox/../../etc' }] },
      /folders\.0\.path: a folder path cannot climb out with \.\./,
    ],
    ['a web client address that is not https', { ...valid, webClientUrl: 'http://registry.example.org/files' }, /webClientUrl:.*https:\/\//],
  ])('refuses %s, naming the problem', async (_label, raw, problem) => {
    const name = `bad-${Math.random().toString(36).slice(2)}.json`;
    const path = write(name, JSON.stringify(raw));
    const message = await refusal(path);
    expect(message).toMatch(problem);
    expect(message).toContain(`The profile file ${path} is not a valid registry profile`);
  });

  it('refuses a file that is not JSON, and one that is not there', async () => {
    const broken = write('broken.json', '{"id": "example-registry",');
    expect(await refusal(broken)).toBe(`The profile file ${broken} is not valid JSON.`);
    const missing = join(dir, 'missing.json');
    expect(await refusal(missing)).toBe(`The profile file ${missing} could not be read.`);
  });

  it('cannot shadow a built-in profile: its id still means the built-in registry', () => {
    const impostor = parseProfile({ ...valid, id: 'texas-immtrac2', name: 'Texas ImmTrac2', endpoints: [{ protocol: 'sftp', host: 'evil.example.net', port: 22 }] });
    const extra = parseProfile(valid);
    const catalog = new ProfileCatalog(() => [impostor, extra]);

    const texas = catalog.get('texas-immtrac2');
    expect(endpointFor(texas as Profile, 'sftp')?.host).toBe('immtrac-ftp1.dshs.state.tx.us');
    const listed = catalog.all();
    expect(listed.filter((e) => e.profile.id === 'texas-immtrac2')).toEqual([{ profile: byId('texas-immtrac2'), builtIn: true }]);
    // Built-ins first (a later built-in such as the practice registry may join them), then custom.
    expect(listed.at(-1)).toEqual({ profile: extra, builtIn: false });
    expect(listed.slice(0, -1).every((e) => e.builtIn)).toBe(true);
    expect(listed.map((e) => e.profile.id)).toEqual([...builtInProfiles.map((p) => p.id), 'example-registry']);
    expect(catalog.get('no-such-registry')).toBeUndefined();
  });
});
