// The local paths the window may name (issue 11, item 3): only what the user picked, dropped, or can
// reach from the My Computer pane's starting places; never a Windows share nobody chose.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryService, type RegistryService } from '../../../../electron/engine/registry-service';
import { LocalPathGrants } from '../../../../electron/engine/local/path-grants';
import { MemorySettings } from '../../../../electron/engine/settings/settings-store';

describe('on Windows', () => {
  const grants = () => {
    const g = new LocalPathGrants('win32');
    g.grant('C:\\', 'folder');
    g.grant('D:\\', 'folder');
    return g;
  };

  it('lets the window use what is below a starting drive, in any case of letters', () => {
    expect(grants().allows('C:\\Users\\clinic\\Desktop\\TX1234_20261203.HL7')).toBe(true);
    expect(grants().allows('c:\\users\\CLINIC\\Desktop')).toBe(true);
  });

  it('never a network share nobody chose, in any spelling', () => {
    for (const path of ['\\\\attacker.example\\share\\x.HL7', '//attacker.example/share/x.HL7', '\\\\?\\UNC\\attacker\\share\\x', '\\\\.\\pipe\\x', '\\\\attacker\\share']) {
      expect(grants().allows(path), path).toBe(false);
      expect(grants().refusal(path, 'file')?.message, path).toContain('it was not chosen in this window');
    }
  });

  it('a share the user picked or dropped: that file, or what is below that folder, and nothing else there', () => {
    const g = grants();
    g.grant('\\\\fileserver\\clinic\\Exports', 'folder');
    g.grant('\\\\fileserver\\clinic\\one.HL7', 'file');
    expect(g.allows('\\\\fileserver\\clinic\\Exports\\TX1234_20261203.HL7')).toBe(true);
    expect(g.allows('\\\\fileserver\\clinic\\one.HL7')).toBe(true);
    expect(g.allows('\\\\fileserver\\clinic\\other.HL7')).toBe(false);
    expect(g.allows('\\\\fileserver\\clinic\\Exports\\..\\other.HL7')).toBe(false);
    expect(g.allows('\\\\fileserver\\clinic\\Exports-old\\x.HL7')).toBe(false);
  });

  it('a relative path, or one on a drive nobody started from, is refused', () => {
    expect(grants().allows('TX1234.HL7')).toBe(false);
    expect(grants().allows('E:\\x.HL7')).toBe(false);
    expect(grants().allows('C:\\Users\\..\\..\\..\\E:\\x')).toBe(true);
  });
});

describe('on this computer (links resolved)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rt-grants-'));
    mkdirSync(join(dir, 'picked'));
    mkdirSync(join(dir, 'secret'));
    writeFileSync(join(dir, 'secret', 'notes.txt'), 'x');
    symlinkSync(join(dir, 'secret'), join(dir, 'picked', 'way-out'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a granted folder covers what is below it, but not a link that leads out of it, nor a `..` that climbs out', () => {
    const g = new LocalPathGrants();
    g.grant(join(dir, 'picked'), 'folder');
    expect(g.allows(join(dir, 'picked', 'a.HL7'))).toBe(true);
    expect(g.allows(join(dir, 'picked', 'way-out', 'notes.txt'))).toBe(false);
    expect(g.allows(`${join(dir, 'picked')}/../secret/notes.txt`)).toBe(false);
    expect(g.allows(join(dir, 'pickedsibling'))).toBe(false);
  });

  it('reads `//x` here as the `/x` it is, and still follows its links out', () => {
    const g = new LocalPathGrants();
    g.grant(join(dir, 'picked'), 'folder');
    expect(g.allows(`/${join(dir, 'picked', 'a.HL7')}`)).toBe(true);
    expect(g.allows(`/${join(dir, 'picked', 'way-out', 'notes.txt')}`)).toBe(false);
  });
});

describe('the window\'s calls', () => {
  let dir: string;
  let service: RegistryService;
  let picked: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rt-grants-service-'));
    for (const name of ['home', 'elsewhere', 'downloads']) mkdirSync(join(dir, name));
    for (const name of ['elsewhere/picked.HL7', 'elsewhere/dropped.HL7', 'elsewhere/other.HL7']) writeFileSync(join(dir, name), 'MSH|');
    service = createRegistryService({
      settings: new MemorySettings(),
      emit: () => undefined,
      openExternal: async () => undefined,
      appInfo: { name: 'Registry Transfer', version: 'test' },
      localPlaces: () => [{ label: 'Home', path: join(dir, 'home'), kind: 'home' }],
      chooseFiles: async () => picked,
      chooseFolder: async () => join(dir, 'downloads'),
    });
  });
  afterAll(async () => {
    await service.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a file or folder the window was not given, before anything else, in plain words', async () => {
    const other = join(dir, 'elsewhere', 'other.HL7');
    for (const result of [
      await service.handlers.checkUpload({ localPath: other }),
      await service.handlers.upload({ localPath: other, acceptWarnings: [] }),
      await service.handlers.listLocalFolder({ path: join(dir, 'elsewhere') }),
      await service.handlers.download({ role: 'accepted', names: ['x.HL7'], toFolder: join(dir, 'elsewhere') }),
      await service.handlers.listLocalFolder({ path: '\\\\attacker.example\\share' }),
    ]) {
      expect(result).toMatchObject({ ok: false, code: 'permission-denied' });
      expect(!result.ok && result.message).toMatch(/it was not chosen in this window/);
    }
  });

  it('takes what the user picked, dropped, or reached from a starting place', async () => {
    expect(await service.handlers.listLocalFolder({ path: join(dir, 'home') })).toMatchObject({ ok: true });
    picked = [join(dir, 'elsewhere', 'picked.HL7')];
    await service.handlers.chooseFilesToUpload({});
    // Past the grant, the next thing the call needs is a connection.
    expect(await service.handlers.checkUpload({ localPath: picked[0] as string })).toMatchObject({ ok: false, code: 'not-connected' });
    service.grantDropped([join(dir, 'elsewhere', 'dropped.HL7')]);
    expect(await service.handlers.upload({ localPath: join(dir, 'elsewhere', 'dropped.HL7'), acceptWarnings: [] })).toMatchObject({ ok: false, code: 'not-connected' });
    await service.handlers.chooseDownloadFolder({});
    expect(await service.handlers.listLocalFolder({ path: join(dir, 'downloads') })).toMatchObject({ ok: true });
    // The sibling the user did not pick is still refused.
    expect(await service.handlers.checkUpload({ localPath: join(dir, 'elsewhere', 'other.HL7') })).toMatchObject({ ok: false, code: 'permission-denied' });
  });

  it('saves downloads only in a folder picked in the save dialog, not in one the pane can merely reach', async () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, 'autostart'), { recursive: true });
    for (const toFolder of [home, join(home, 'autostart')]) {
      expect(await service.handlers.listLocalFolder({ path: toFolder })).toMatchObject({ ok: true });
      const refused = await service.handlers.download({ role: 'reports', names: ['TX1234_20261203_DQA.txt'], toFolder });
      expect(refused).toEqual({
        ok: false,
        code: 'permission-denied',
        message: 'The app did not save anything in that folder: it was not chosen in this window as the place for downloads. Nothing was downloaded; download again and choose the folder when asked.',
        detail: 'Refused a local path the window was not given (outside the granted folders).',
      });
    }
    await service.handlers.chooseDownloadFolder({});
    mkdirSync(join(dir, 'downloads', 'Reports'), { recursive: true });
    symlinkSync(join(home, 'autostart'), join(dir, 'downloads', 'to-autostart'));
    // Past the grant, the next thing a download needs is a connection.
    for (const toFolder of [join(dir, 'downloads'), join(dir, 'downloads', 'Reports')]) {
      expect(await service.handlers.download({ role: 'reports', names: ['TX1234_20261203_DQA.txt'], toFolder })).toMatchObject({ ok: false, code: 'not-connected' });
    }
    for (const toFolder of [join(dir, 'downloads', 'to-autostart'), `${join(dir, 'downloads')}/../home`]) {
      expect(await service.handlers.download({ role: 'reports', names: ['TX1234_20261203_DQA.txt'], toFolder }), toFolder).toMatchObject({ ok: false, code: 'permission-denied' });
    }
  });

  it('opens in the browser only a registry profile\'s own https pages', () => {
    expect(service.mayOpenExternally('https://immtrac-ftp1.dshs.state.tx.us/ThinClient')).toBe(true);
    for (const url of ['https://attacker.example/', 'http://immtrac-ftp1.dshs.state.tx.us/ThinClient', 'https://user:pw@immtrac-ftp1.dshs.state.tx.us/ThinClient', 'javascript:alert(1)']) {
      expect(service.mayOpenExternally(url), url).toBe(false);
    }
  });
});
