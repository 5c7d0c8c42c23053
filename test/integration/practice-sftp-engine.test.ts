// The practice registry's SFTP door (issue 13, items 1, 2) met by the app's own engine as it meets
// any registry: a profile pointing at the practice ports (a custom one, so nothing is vouched for: the
// trust question shows the fingerprint `registry-transfer practice` prints), the first-login change as
// RFC 4252 section 8 asks for it, each right in each folder as the Texas specification gives them
// (the app's SFTP adapter trying what the profile would never let the window try), the 300-file quota
// refused before a byte is written, the 180-day purge on a clock the test moves, and hostile names
// that never reach outside the account's folder.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryEvent, TransferStatus } from '../../shared/contract';
import ssh2, { type SFTPWrapper } from 'ssh2';
import { createRegistryService, type RegistryService } from '../../electron/engine/registry-service';
import { openSftp } from '../../electron/engine/remote/sftp';
import type { RemoteFs } from '../../electron/engine/remote/remote-fs';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { startPracticeRegistry, type RunningPracticeRegistry } from '../../electron/practice/practice-registry';
import { MAX_OPEN_HANDLES, MAX_SESSIONS_PER_CONNECTION } from '../../electron/practice/sftp-server';

const ROOT = new URL('../..', import.meta.url).pathname;
const SAMPLES = join(ROOT, 'electron', 'practice', 'samples');
const PROFILE_ID = 'practice-sftp-engine';
const CHOSEN = 'Heron-Lantern-5521!';
const DAY = 24 * 3600 * 1000;

let scratch: string;
let localFolder: string;
let practice: RunningPracticeRegistry;
let now = new Date();
const services: RegistryService[] = [];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-practice-sftp-engine-'));
  localFolder = join(scratch, 'clinic exports');
  mkdirSync(localFolder);
  // Files land and stay: processing (another part of the registry) is not what these tests look at.
  practice = await startPracticeRegistry({ dataDir: join(scratch, 'data'), processAfterSeconds: 3600, now: () => now });
}, 60_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.dispose()));
  await practice?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const folder = (name: string) => practice.files.folderPath(name);
const onDisk = (name: string) => readdirSync(folder(name)).sort();

/** The practice registry as a clinic's IT would type it in: its ports, the Texas folders and rules. */
function customProfile() {
  const { id: _id, name: _name, ...rest } = practice.profile;
  return { ...rest, id: PROFILE_ID, name: 'Practice registry (typed in)' };
}

/** The app's engine with the window's handlers; trust and new-password requests answered as given. */
function app(answers: { trust?: 'trust' | 'deny'; newPasswords?: string[] } = {}) {
  const events: RegistryEvent[] = [];
  const newPasswords = [...(answers.newPasswords ?? [])];
  const settings = new MemorySettings();
  settings.set('customProfiles', [customProfile()]);
  const service: RegistryService = createRegistryService({
    settings,
    emit: (event) => {
      events.push(event);
      if (event.type !== 'request') return;
      const { id, kind } = event.request;
      const answer = kind === 'new-password' ? (newPasswords.length > 0 ? { newPassword: newPasswords.shift() as string } : 'deny') : (answers.trust ?? 'deny');
      setImmediate(() => void service.handlers.answerRequest({ id, answer }));
    },
    openExternal: async () => undefined,
    appInfo: { name: 'Registry Transfer', version: 'test' },
    dataDir: join(scratch, `app-${services.length + 1}`),
    localPlaces: () => [{ label: 'Clinic exports', path: localFolder, kind: 'folder' }],
  });
  services.push(service);
  const requests = () => events.flatMap((e) => (e.type === 'request' ? [e.request] : []));
  const transfer = (id: string): TransferStatus | undefined =>
    events.flatMap((e) => (e.type === 'transfer' && e.transfer.id === id ? [e.transfer] : [])).at(-1);
  return { service, handlers: service.handlers, events, requests, transfer };
}

async function until(condition: () => boolean, what: string, seconds = 30): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`This never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The app's own SFTP adapter, signed in with the chosen password, the practice key checked. */
const adapter = (password = CHOSEN): Promise<RemoteFs> =>
  openSftp({
    host: practice.host,
    port: practice.sftp.port,
    username: practice.username,
    password,
    timeoutSeconds: 30,
    verifyIdentity: (seen) => seen.fingerprint === practice.sftp.fingerprint,
  });

describe('the first sign-in over SFTP', () => {
  it('shows the fingerprint the practice registry printed, and answers the issued password with a change request (RFC 4252 section 8)', async () => {
    const issued = practice.issuedPassword() as string;
    expect(practice.files.mustChangePassword).toBe(true);

    // Not trusted: nothing is sent, and the issued password still needs its change.
    const untrusted = app({ trust: 'deny', newPasswords: [CHOSEN] });
    const refused = await untrusted.handlers.connect({ profileId: PROFILE_ID, protocol: 'sftp', username: practice.username, password: issued });
    expect(refused).toMatchObject({ ok: false });
    expect(untrusted.requests().map((r) => r.kind)).toEqual(['host-key']);
    expect(untrusted.requests()[0]).toMatchObject({ kind: 'host-key', fingerprint: practice.sftp.fingerprint, host: '127.0.0.1', port: practice.sftp.port });
    expect(practice.issuedPassword()).toBe(issued);

    // A new password that breaks the Texas rules, sent as the answer to the change request, is refused
    // by the registry itself (not only by the app's own check), and the issued one stays.
    const steps: string[] = [];
    await expect(
      openSftp({
        host: practice.host,
        port: practice.sftp.port,
        username: practice.username,
        password: issued,
        timeoutSeconds: 30,
        verifyIdentity: (seen) => seen.fingerprint === practice.sftp.fingerprint,
        mayChangePassword: true,
        newPassword: 'short',
        onPasswordChange: (step) => steps.push(step),
      }),
    ).rejects.toBeTruthy();
    expect(steps.slice(0, 2)).toEqual(['demanded', 'sent']);
    expect(practice.files.mustChangePassword).toBe(true);

    // The app's check stops such a password before it is sent, and the issued one still works.
    const weak = app({ trust: 'trust', newPasswords: ['short'] });
    expect(await weak.handlers.connect({ profileId: PROFILE_ID, protocol: 'sftp', username: practice.username, password: issued })).toMatchObject({ ok: false });
    expect(practice.issuedPassword()).toBe(issued);
    expect(practice.files.mustChangePassword).toBe(true);

    const { handlers, requests, events } = app({ trust: 'trust', newPasswords: [CHOSEN] });
    const connected = await handlers.connect({ profileId: PROFILE_ID, protocol: 'sftp', username: practice.username, password: issued });
    expect(connected).toMatchObject({ ok: true, connection: { profileId: PROFILE_ID, username: practice.username } });
    expect(requests().map((r) => r.kind)).toEqual(['host-key', 'new-password']);
    expect(practice.files.mustChangePassword).toBe(false);
    expect(practice.issuedPassword()).toBeNull();
    expect(JSON.stringify(events)).not.toContain(CHOSEN);

    // The account file keeps neither password, only a salted hash of the new one.
    const accounts = readFileSync(join(scratch, 'data', 'practice', 'accounts.json'), 'utf8');
    expect(accounts).not.toContain(CHOSEN);
    expect(accounts).not.toContain(issued);

    // The issued password no longer signs in; the chosen one does, without a change.
    await expect(adapter(issued)).rejects.toMatchObject({ code: 'auth-failed' });
    const fs = await adapter();
    expect((await fs.list('/')).map((e) => e.name).sort()).toEqual(['Accepted', 'DQA-Report', 'HL7-Dropoff', 'Receive']);
    await fs.close();
  });
});

describe('the app sending, listing and deleting', () => {
  it('sends a batch to HL7-Dropoff, lists it there, and deletes it when asked', async () => {
    const name = 'PRAC01_20261201_weekly.HL7';
    writeFileSync(join(localFolder, name), readFileSync(join(SAMPLES, name)));
    const { handlers, transfer } = app({ trust: 'trust' });
    expect(await handlers.connect({ profileId: PROFILE_ID, protocol: 'sftp', username: practice.username, password: CHOSEN })).toMatchObject({ ok: true });
    const queued = await handlers.upload({ localPath: join(localFolder, name), acceptWarnings: [] });
    if (!queued.ok) throw new Error(queued.message);
    await until(() => ['done', 'failed'].includes(transfer(queued.transfer.id)?.state ?? ''), 'the upload to finish');
    expect(transfer(queued.transfer.id)).toMatchObject({ state: 'done' });
    expect(readFileSync(join(folder('HL7-Dropoff'), name))).toEqual(readFileSync(join(SAMPLES, name)));

    const listed = await handlers.listRemoteFolder({ role: 'dropoff' });
    expect(listed.ok && listed.entries.map((e) => [e.name, e.size])).toEqual([[name, readFileSync(join(SAMPLES, name)).length]]);

    expect(await handlers.deleteRemoteFile({ name, confirmed: true })).toMatchObject({ ok: true });
    expect(onDisk('HL7-Dropoff')).toEqual([]);
  });

  it('stops a file at its own check when HL7-Dropoff holds 300 files, before a byte is sent', async () => {
    for (let i = 0; i < 300; i++) writeFileSync(join(folder('HL7-Dropoff'), `PRAC01_sent_earlier_${i}.HL7`), 'MSH|^~\\&|\r');
    try {
      const name = 'PRAC01_20261202_data_quality_problems.HL7';
      writeFileSync(join(localFolder, name), readFileSync(join(SAMPLES, name)));
      const { handlers, transfer } = app({ trust: 'trust' });
      expect(await handlers.connect({ profileId: PROFILE_ID, protocol: 'sftp', username: practice.username, password: CHOSEN })).toMatchObject({ ok: true });
      const queued = await handlers.upload({ localPath: join(localFolder, name), acceptWarnings: [] });
      if (queued.ok) await until(() => ['done', 'failed'].includes(transfer(queued.transfer.id)?.state ?? ''), 'the upload to end');
      const outcome = queued.ok ? transfer(queued.transfer.id) : queued;
      expect(outcome).toMatchObject(queued.ok ? { state: 'failed' } : { ok: false });
      expect(JSON.stringify(outcome)).toMatch(/300/);
      expect(onDisk('HL7-Dropoff')).not.toContain(name);
      expect(onDisk('HL7-Dropoff')).toHaveLength(300);
    } finally {
      for (const file of onDisk('HL7-Dropoff')) rmSync(join(folder('HL7-Dropoff'), file));
    }
  });

  it('purges a file older than 180 days once its clock passes them: the app no longer lists it, and it is gone', async () => {
    const name = 'PRAC01_20260601_old.HL7';
    const path = join(folder('Accepted'), name);
    writeFileSync(path, 'MSH|^~\\&|old\r');
    const almostSixMonths = new Date(now.getTime() - 179 * DAY);
    utimesSync(path, almostSixMonths, almostSixMonths);
    const { handlers } = app({ trust: 'trust' });
    expect(await handlers.connect({ profileId: PROFILE_ID, protocol: 'sftp', username: practice.username, password: CHOSEN })).toMatchObject({ ok: true });
    const before = await handlers.listRemoteFolder({ role: 'accepted' });
    expect(before.ok && before.entries.map((e) => e.name)).toEqual([name]);

    now = new Date(now.getTime() + 2 * DAY);
    const after = await handlers.listRemoteFolder({ role: 'accepted' });
    expect(after.ok && after.entries.map((e) => e.name)).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });
});

describe('each right in each folder, as the registry itself enforces it (the app adapter trying what the profile forbids)', () => {
  const READ_ONLY = ['Accepted', 'DQA-Report', 'Receive'] as const;
  let fs: RemoteFs;

  beforeAll(async () => {
    fs = await adapter();
  });
  afterAll(async () => {
    await fs?.close();
  });

  it('lets the root be listed, and nothing be written, renamed or deleted there', async () => {
    expect((await fs.list('/')).map((e) => [e.name, e.kind])).toEqual(
      expect.arrayContaining([
        ['HL7-Dropoff', 'folder'],
        ['Accepted', 'folder'],
        ['DQA-Report', 'folder'],
        ['Receive', 'folder'],
      ]),
    );
    await expect(fs.upload(Buffer.from('MSH|'), '/PRAC01_top.HL7')).rejects.toMatchObject({ code: 'permission-denied' });
    await expect(fs.rename('/Accepted', '/Taken')).rejects.toMatchObject({ code: 'permission-denied' });
    await expect(fs.rename('/Accepted', '/HL7-Dropoff/Accepted')).rejects.toMatchObject({ code: 'permission-denied' });
    await expect(fs.remove('/Receive')).rejects.toMatchObject({ code: 'permission-denied' });
    expect(readdirSync(join(scratch, 'data', 'practice', 'files', practice.username)).sort()).toEqual(['Accepted', 'DQA-Report', 'HL7-Dropoff', 'Receive']);
  });

  it.each(READ_ONLY)('lets %s be listed and read, and refuses a write, a rename and a delete there, changing nothing', async (name) => {
    const file = `PRAC01_in_${name}.txt`;
    const content = `what the registry put in ${name}\r\n`;
    writeFileSync(join(folder(name), file), content);
    try {
      expect((await fs.list(`/${name}`)).map((e) => [e.name, e.size])).toEqual([[file, content.length]]);
      const saved = join(scratch, `read-from-${name}.txt`);
      await fs.download(`/${name}/${file}`, saved);
      expect(readFileSync(saved, 'utf8')).toBe(content);

      await expect(fs.upload(Buffer.from('MSH|'), `/${name}/PRAC01_new.HL7`)).rejects.toMatchObject({ code: 'permission-denied' });
      await expect(fs.upload(Buffer.from('overwritten'), `/${name}/${file}`)).rejects.toMatchObject({ code: 'permission-denied' });
      await expect(fs.rename(`/${name}/${file}`, `/${name}/renamed.txt`)).rejects.toMatchObject({ code: 'permission-denied' });
      await expect(fs.rename(`/${name}/${file}`, `/HL7-Dropoff/${file}`)).rejects.toMatchObject({ code: 'permission-denied' });
      await expect(fs.remove(`/${name}/${file}`)).rejects.toMatchObject({ code: 'permission-denied' });
      expect(onDisk(name)).toEqual([file]);
      expect(readFileSync(join(folder(name), file), 'utf8')).toBe(content);
      expect(onDisk('HL7-Dropoff')).toEqual([]);
    } finally {
      rmSync(join(folder(name), file), { force: true });
    }
  });

  it('lets HL7-Dropoff be listed, read, written, renamed in and deleted from', async () => {
    const bytes = readFileSync(join(SAMPLES, 'PRAC01_20261201_weekly.HL7'));
    expect(await fs.upload(bytes, '/HL7-Dropoff/upload.partial')).toBe(bytes.length);
    await fs.rename('/HL7-Dropoff/upload.partial', '/HL7-Dropoff/PRAC01_20261201_weekly.HL7');
    expect((await fs.list('/HL7-Dropoff')).map((e) => [e.name, e.size])).toEqual([['PRAC01_20261201_weekly.HL7', bytes.length]]);
    const saved = join(scratch, 'read-back.HL7');
    await fs.download('/HL7-Dropoff/PRAC01_20261201_weekly.HL7', saved);
    expect(createHash('sha256').update(readFileSync(saved)).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    // A rename onto a name that is taken is refused (as OpenSSH's SFTP refuses it), and both stay.
    await fs.upload(Buffer.from('MSH|second'), '/HL7-Dropoff/second.partial');
    await expect(fs.rename('/HL7-Dropoff/second.partial', '/HL7-Dropoff/PRAC01_20261201_weekly.HL7')).rejects.toBeTruthy();
    expect(readFileSync(join(folder('HL7-Dropoff'), 'PRAC01_20261201_weekly.HL7'))).toEqual(bytes);
    await fs.remove('/HL7-Dropoff/second.partial');
    await fs.remove('/HL7-Dropoff/PRAC01_20261201_weekly.HL7');
    expect(onDisk('HL7-Dropoff')).toEqual([]);
  });

  it('refuses the 301st file in HL7-Dropoff with the quota in its words, before a byte is written', async () => {
    for (let i = 0; i < 300; i++) writeFileSync(join(folder('HL7-Dropoff'), `PRAC01_full_${i}.HL7`), 'MSH|');
    try {
      const refusal = await fs.upload(Buffer.alloc(4096, 0x41), '/HL7-Dropoff/PRAC01_one_too_many.HL7').then(
        () => null,
        (error: unknown) => error as { code: string; message: string; detail?: string },
      );
      expect(refusal).not.toBeNull();
      expect(refusal?.code).toBe('quota-full');
      expect(refusal?.detail).toMatch(/Quota exceeded: HL7-Dropoff already holds 300 files/);
      expect(onDisk('HL7-Dropoff')).toHaveLength(300);
      expect(existsSync(join(folder('HL7-Dropoff'), 'PRAC01_one_too_many.HL7'))).toBe(false);
      // A file already there may still be replaced: the quota counts files, not writes.
      await fs.upload(Buffer.from('MSH|again'), '/HL7-Dropoff/PRAC01_full_0.HL7');
      expect(readFileSync(join(folder('HL7-Dropoff'), 'PRAC01_full_0.HL7'), 'utf8')).toBe('MSH|again');
    } finally {
      for (const file of onDisk('HL7-Dropoff')) rmSync(join(folder('HL7-Dropoff'), file));
    }
  });

  it('never reaches outside the account: climbing names stay inside it, and odd names and links are refused', async () => {
    const practiceRoot = join(scratch, 'data', 'practice');
    const keyBefore = readFileSync(join(practiceRoot, 'keys', 'tls-key.pem'));
    const outside = join(scratch, 'outside.txt');
    writeFileSync(outside, 'not the registry\'s');

    // Each download to a file of its own: the adapter makes it before asking (its caller removes it).
    let attempt = 0;
    const saveTo = () => join(scratch, `never-${++attempt}.txt`);
    // `..` is worked out inside the account's view, never above its root (as a chroot does).
    for (const climbing of ['/HL7-Dropoff/../../keys/tls-key.pem', '/../../../accounts.json', '../keys/ssh_host_ed25519_key', `/../../../../..${outside}`]) {
      await expect(fs.download(climbing, saveTo())).rejects.toMatchObject({ code: expect.stringMatching(/^(not-found|permission-denied)$/) });
      await expect(fs.upload(Buffer.from('x'), climbing)).rejects.toMatchObject({ code: expect.stringMatching(/^(not-found|permission-denied)$/) });
    }
    expect((await fs.list('/HL7-Dropoff/../..')).map((e) => e.name).sort()).toEqual(['Accepted', 'DQA-Report', 'HL7-Dropoff', 'Receive']);

    // Backslashes, control characters, Windows devices and streams are names the registry does not take.
    for (const odd of ['/HL7-Dropoff/..\\..\\accounts.json', '/HL7-Dropoff/a\u0001b.HL7', '/HL7-Dropoff/CON', '/HL7-Dropoff/x.HL7:stream', '/HL7-Dropoff/trailing.']) {
      await expect(fs.upload(Buffer.from('x'), odd)).rejects.toMatchObject({ code: 'permission-denied' });
    }
    await expect(fs.upload(Buffer.from('x'), '/HL7-Dropoff/a\u0000b.HL7')).rejects.toBeTruthy();

    // A link someone left in a folder is neither listed, nor read, nor written through.
    symlinkSync(outside, join(folder('HL7-Dropoff'), 'PRAC01_link.HL7'));
    symlinkSync(join(practiceRoot, 'keys'), join(folder('Accepted'), 'keys'));
    try {
      expect((await fs.list('/HL7-Dropoff')).map((e) => e.name)).toEqual([]);
      expect((await fs.list('/Accepted')).map((e) => e.name)).toEqual([]);
      await expect(fs.download('/HL7-Dropoff/PRAC01_link.HL7', saveTo())).rejects.toMatchObject({ code: 'not-found' });
      await expect(fs.download('/Accepted/keys/tls-key.pem', saveTo())).rejects.toMatchObject({ code: 'not-found' });
      await expect(fs.upload(Buffer.from('overwritten'), '/HL7-Dropoff/PRAC01_link.HL7')).rejects.toMatchObject({ code: 'permission-denied' });
      await expect(fs.remove('/HL7-Dropoff/PRAC01_link.HL7')).rejects.toMatchObject({ code: 'not-found' });
    } finally {
      rmSync(join(folder('HL7-Dropoff'), 'PRAC01_link.HL7'));
      rmSync(join(folder('Accepted'), 'keys'));
    }
    expect(readFileSync(outside, 'utf8')).toBe('not the registry\'s');
    expect(readFileSync(join(practiceRoot, 'keys', 'tls-key.pem'))).toEqual(keyBefore);
    // Nothing came back from any of them.
    for (let n = 1; n <= attempt; n++) expect(existsSync(join(scratch, `never-${n}.txt`)) ? readFileSync(join(scratch, `never-${n}.txt`)).length : 0).toBe(0);
    expect(readdirSync(practiceRoot).sort()).toEqual(['accounts.json', 'files', 'keys', 'running.json']);
  });
});

describe('a file that never finished arriving', () => {
  it('is left in HL7-Dropoff, unprocessed, when the client goes away with it open; a whole one sent after it is answered', async () => {
    const quick = await startPracticeRegistry({ dataDir: join(scratch, 'quick data'), ready: true, processAfterSeconds: 0.2 });
    try {
      const dropoff = quick.files.folderPath('HL7-Dropoff');
      const reports = quick.files.folderPath('DQA-Report');
      // ssh2's own client: open, write half a batch, and go away without closing the file.
      const client = new ssh2.Client();
      await new Promise<void>((resolve, reject) => {
        client.once('ready', () => resolve());
        client.once('error', reject);
        client.connect({ host: quick.host, port: quick.sftp.port, username: quick.username, password: quick.issuedPassword() as string, hostVerifier: () => true });
      });
      await new Promise<void>((resolve, reject) =>
        client.sftp((error, sftp) => {
          if (error) return reject(error);
          sftp.open('/HL7-Dropoff/PRAC01_20261205_cut_off.HL7', 'w', (openError, handle) => {
            if (openError) return reject(openError);
            const half = Buffer.from('FHS|^~\\&|half a batch');
            sftp.write(handle, half, 0, half.length, 0, (writeError) => (writeError ? reject(writeError) : resolve()));
          });
        }),
      );
      await new Promise<void>((resolve) => {
        client.once('close', () => resolve());
        client.end();
      });

      const fs = await openSftp({
        host: quick.host,
        port: quick.sftp.port,
        username: quick.username,
        password: quick.issuedPassword() as string,
        timeoutSeconds: 30,
        verifyIdentity: (seen) => seen.fingerprint === quick.sftp.fingerprint,
      });
      await fs.upload(readFileSync(join(SAMPLES, 'PRAC01_20261201_weekly.HL7')), '/HL7-Dropoff/PRAC01_20261201_weekly.HL7');
      await fs.close();
      await until(() => readdirSync(reports).some((name) => name.startsWith('PRAC01_20261201_weekly_')), 'the whole batch answered');
      expect(readdirSync(dropoff)).toEqual(['PRAC01_20261205_cut_off.HL7']);
      expect(readdirSync(reports).filter((name) => name.includes('cut_off'))).toEqual([]);
    } finally {
      await quick.stop();
    }
  });
});

describe('a script that opens too much on one connection', () => {
  it('is refused the file past the open-file limit and the session past the session limit, in words, and goes on once it closes some', async () => {
    const client = new ssh2.Client();
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', reject);
      client.connect({ host: practice.host, port: practice.sftp.port, username: practice.username, password: CHOSEN, hostVerifier: () => true });
    });
    const openSession = () => new Promise<SFTPWrapper>((resolve, reject) => client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp))));
    try {
      // Sessions opened and closed one after another are never counted twice.
      for (let i = 0; i < MAX_SESSIONS_PER_CONNECTION + 2; i++) {
        const sftp = await openSession();
        await new Promise<void>((resolve) => (sftp.once('close', () => resolve()), sftp.end()));
      }
      const sessions = await Promise.all(Array.from({ length: MAX_SESSIONS_PER_CONNECTION }, openSession));
      await expect(openSession()).rejects.toBeTruthy();

      const sftp = sessions[0] as SFTPWrapper;
      const open = (path: string) => new Promise<Buffer>((resolve, reject) => sftp.opendir(path, (error, handle) => (error ? reject(error) : resolve(handle))));
      const handles = await Promise.all(Array.from({ length: MAX_OPEN_HANDLES }, () => open('/Accepted')));
      await expect(open('/Accepted')).rejects.toThrow(`Too many files open at once on this connection (the practice registry allows ${MAX_OPEN_HANDLES}): close some first.`);
      await new Promise<void>((resolve, reject) => sftp.close(handles[0] as Buffer, (error) => (error ? reject(error) : resolve())));
      await expect(open('/Accepted')).resolves.toBeInstanceOf(Buffer);
    } finally {
      await new Promise<void>((resolve) => (client.once('close', () => resolve()), client.end()));
    }
  });
});

describe('requests sent without waiting for answers', () => {
  it('are carried out in the order they came: an FSTAT and a CLOSE right behind 64 writes see the whole file', async () => {
    const client = new ssh2.Client();
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', reject);
      client.connect({ host: practice.host, port: practice.sftp.port, username: practice.username, password: CHOSEN, hostVerifier: () => true });
    });
    try {
      const sftp = await new Promise<SFTPWrapper>((resolve, reject) => client.sftp((error, s) => (error ? reject(error) : resolve(s))));
      const handle = await new Promise<Buffer>((resolve, reject) => sftp.open('/HL7-Dropoff/pipelined.partial', 'w', (error, h) => (error ? reject(error) : resolve(h))));
      const chunk = 16 * 1024;
      const block = (n: number) => Buffer.alloc(chunk, 0x41 + (n % 26));
      // All sent at once, as the app's adapter and OpenSSH's sftp send an upload.
      const writes = Array.from({ length: 64 }, (_, n) => new Promise<void>((resolve, reject) => sftp.write(handle, block(n), 0, chunk, n * chunk, (error) => (error ? reject(error) : resolve()))));
      const size = new Promise<number>((resolve, reject) => sftp.fstat(handle, (error, stats) => (error ? reject(error) : resolve(stats.size))));
      const closed = new Promise<void>((resolve, reject) => sftp.close(handle, (error) => (error ? reject(error) : resolve())));
      await Promise.all(writes);
      expect(await size).toBe(64 * chunk);
      await closed;
      expect(readFileSync(join(folder('HL7-Dropoff'), 'pipelined.partial'))).toEqual(Buffer.concat(Array.from({ length: 64 }, (_, n) => block(n))));
    } finally {
      await new Promise<void>((resolve) => (client.once('close', () => resolve()), client.end()));
      rmSync(join(folder('HL7-Dropoff'), 'pipelined.partial'), { force: true });
    }
  });
});
