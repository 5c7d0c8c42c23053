// The practice registry (issue 13), as a trainee and the app meet it: started on a fresh data folder,
// reached by the app's own engine over SFTP and FTPS, trusted without a question (the app made its
// key), the issued password changed at first login through the new-password request, a sample file
// sent to HL7-Dropoff and answered a moment later (Accepted, DQA-Report, Receive), and each folder's
// rights, the quota and the purge as the Texas specification states them.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryEvent } from '../../shared/contract';
import { createRegistryService, type RegistryService } from '../../electron/engine/registry-service';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { LARGEST_PROCESSED_BYTES } from '../../electron/practice/dropoff-processor';
import { startPracticeRegistry, type RunningPracticeRegistry } from '../../electron/practice/practice-registry';

const SAMPLES = join(new URL('../..', import.meta.url).pathname, 'electron', 'practice', 'samples');
const CHOSEN = 'Chosen-By-Trainee-42!';


let scratch: string;
let practice: RunningPracticeRegistry;
let now = new Date();

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rt practice '));
  practice = await startPracticeRegistry({ dataDir: join(scratch, 'data'), processAfterSeconds: 0.2, now: () => now });
}, 60_000);

afterAll(async () => {
  await practice?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function appOn(registry: RunningPracticeRegistry, answers: string[] = []) {
  const events: RegistryEvent[] = [];
  const newPasswords = [...answers];
  const service: RegistryService = createRegistryService({
    settings: new MemorySettings(),
    emit: (event) => {
      events.push(event);
      if (event.type === 'request') {
        const { id, kind } = event.request;
        const answer = kind === 'new-password' ? (newPasswords.length > 0 ? { newPassword: newPasswords.shift() as string } : 'deny') : 'deny';
        setImmediate(() => void service.handlers.answerRequest({ id, answer }));
      }
    },
    openExternal: async () => undefined,
    appInfo: { name: 'Registry Transfer', version: 'test' },
    dataDir: join(scratch, `app-${Math.random().toString(36).slice(2)}`),
    localPlaces: () => [{ label: 'Samples', path: SAMPLES, kind: 'folder' }],
    practice: {
      profile: () => registry.profile,
      account: () => ({ username: registry.username, issuedPassword: registry.issuedPassword(), processAfterSeconds: registry.processAfterSeconds }),
      vouches: (seen) => seen.fingerprint === registry.sftp.fingerprint || seen.fingerprint === registry.ftpsImplicit.fingerprint,
      samplesFolder: () => SAMPLES,
    },
  });
  return { service, events };
}

async function until(condition: () => boolean, what: string, seconds = 30): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`This never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the practice registry with the app', () => {
  it('opens on it, trusts it without a question, and the first sign-in changes the issued password', async () => {
    const issued = practice.issuedPassword() as string;
    expect(issued).toMatch(/^[A-Za-z]+-[A-Za-z]+-\d{4}!$/);
    const { service, events } = appOn(practice, [CHOSEN]);
    const listed = await service.handlers.listProfiles({});
    expect(listed).toMatchObject({ ok: true, startWith: 'practice' });
    expect(listed.ok && listed.profiles[0]).toMatchObject({ id: 'practice', practice: { username: 'PRAC01', issuedPassword: issued } });

    const connected = await service.handlers.connect({ profileId: 'practice', protocol: 'sftp', username: 'PRAC01', password: issued });
    expect(connected).toMatchObject({ ok: true, connection: { profileId: 'practice', username: 'PRAC01' } });
    expect(events.filter((e) => e.type === 'request').map((e) => (e.type === 'request' ? e.request.kind : null))).toEqual(['new-password']);
    expect(practice.issuedPassword()).toBeNull();
    expect(JSON.stringify(events)).not.toContain(CHOSEN);
    await service.dispose();
  }, 60_000);

  it('answers a sample file a moment after it lands: the batch in Accepted, its ACK and report in DQA-Report, a consent file in Receive', async () => {
    const { service } = appOn(practice);
    expect(await service.handlers.connect({ profileId: 'practice', protocol: 'ftps', username: 'PRAC01', password: CHOSEN })).toMatchObject({ ok: true });
    const sample = join(SAMPLES, 'PRAC01_20261201_weekly.HL7');
    const queued = await service.handlers.upload({ localPath: sample, acceptWarnings: [] });
    expect(queued).toMatchObject({ ok: true });
    const accepted = join(practice.files.folderPath('Accepted'), 'PRAC01_20261201_weekly.HL7');
    await until(() => existsSync(accepted), 'the batch moved to Accepted');
    expect(readFileSync(accepted)).toEqual(readFileSync(sample));
    const reports = readdirSync(practice.files.folderPath('DQA-Report'));
    // The ACK, and the report in exactly the formats the practice profile names (text and HTML).
    expect(practice.profile.reportFormats).toEqual(['text', 'html']);
    expect(reports.sort()).toEqual(['PRAC01_20261201_weekly_ACK.hl7', 'PRAC01_20261201_weekly_DQA.html', 'PRAC01_20261201_weekly_DQA.txt']);
    expect(readdirSync(practice.files.folderPath('Receive')).length).toBeGreaterThan(0);
    const listed = await service.handlers.listRemoteFolder({ role: 'reports' });
    expect(listed.ok && listed.entries.map((e) => e.name).sort()).toEqual(reports.sort());
    await service.dispose();
  }, 60_000);

  it('keeps each folder to its rights, and never lets a name reach outside its own folder', async () => {
    const { service } = appOn(practice);
    expect(await service.handlers.connect({ profileId: 'practice', protocol: 'sftp', username: 'PRAC01', password: CHOSEN })).toMatchObject({ ok: true });
    const files = practice.files.filesFor('PRAC01');
    // The root lists the four folders with the time each last changed (a client shows it; not 1970).
    const year = new Date().getUTCFullYear();
    const root = await files.list('/');
    expect(root.map((entry) => [entry.name, entry.kind, entry.modified.getUTCFullYear() >= year - 1])).toEqual(
      ['HL7-Dropoff', 'Accepted', 'DQA-Report', 'Receive'].map((name) => [name, 'folder', true]),
    );
    await expect(files.write('/Accepted/x.HL7')).rejects.toMatchObject({ kind: 'permission' });
    await expect(files.remove('/DQA-Report/anything')).rejects.toMatchObject({ kind: 'permission' });
    await expect(files.write('/x.HL7')).rejects.toMatchObject({ kind: 'permission' });
    for (const hostile of ['/../../etc/passwd', '/HL7-Dropoff/../../keys/tls-key.pem', '/HL7-Dropoff/a\\..\\b', '/HL7-Dropoff/CON', '/HL7-Dropoff/x:stream', '/HL7-Dropoff/\u0000']) {
      await expect(files.read(hostile)).rejects.toMatchObject({ kind: expect.stringMatching(/^(bad-name|not-found)$/) });
    }
    await service.dispose();
  }, 60_000);

  it('purges files older than 180 days when its clock passes them', async () => {
    const old = join(practice.files.folderPath('Accepted'), 'PRAC01_20250101_old.HL7');
    writeFileSync(old, 'MSH|old\r');
    const sixMonthsAgo = new Date(now.getTime() - 179 * 24 * 3600 * 1000);
    utimesSync(old, sixMonthsAgo, sixMonthsAgo);
    await practice.files.purge();
    expect(existsSync(old)).toBe(true);
    now = new Date(now.getTime() + 2 * 24 * 3600 * 1000);
    expect(await practice.files.purge()).toContain('Accepted/PRAC01_20250101_old.HL7');
    expect(existsSync(old)).toBe(false);
  });

  it('answers a file too large to read whole with a report that says so, and keeps nothing of it', async () => {
    const name = 'PRAC01_20261203_huge.HL7';
    const path = join(practice.files.folderPath('HL7-Dropoff'), name);
    writeFileSync(path, Buffer.alloc(LARGEST_PROCESSED_BYTES + 1, 0x41));
    practice.processor.landed(name);
    const report = join(practice.files.folderPath('DQA-Report'), 'PRAC01_20261203_huge_DQA.txt');
    await until(() => existsSync(report), 'the report on the huge file');
    expect(readFileSync(report, 'utf8')).toContain('not processed. The practice registry reads files up to 64 MB');
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(practice.files.folderPath('Accepted'), name))).toBe(false);
  });
});

describe('the practice registry\'s host key', () => {
  it('is made again when the one kept cannot be read (ssh2 made one such key in 256 before it was mended), and then kept', async () => {
    // A data folder with a key as ssh2 1.17.0 wrote one time in 256: its public key lost its first byte.
    let broken: string;
    for (;;) {
      const made = ssh2.utils.generateKeyPairSync('ed25519');
      if (Buffer.from(made.public.split(' ')[1] ?? '', 'base64').length !== 51) {
        broken = made.private;
        break;
      }
    }
    const dataDir = join(scratch, 'data with a broken key');
    const keyFile = join(dataDir, 'practice', 'keys', 'ssh_host_ed25519_key');
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, broken, { mode: 0o600 });

    const started = await startPracticeRegistry({ dataDir });
    const fingerprint = started.sftp.fingerprint;
    await started.stop();
    expect(fingerprint).toMatch(/^SHA256:/);
    expect(readFileSync(keyFile, 'utf8')).not.toBe(broken);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    // The new one is kept: the next start shows the same key.
    const again = await startPracticeRegistry({ dataDir });
    await again.stop();
    expect(again.sftp.fingerprint).toBe(fingerprint);
  });
});
