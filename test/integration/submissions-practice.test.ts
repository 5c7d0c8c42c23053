// Following each sent file (issue 14, item 1) against the real practice registry, whose processing
// drives the states: a good batch from waiting to consent received, a batch of messages it does not
// import answered with an ACK and a report and never accepted, a file the registry takes long to
// pick up (a late hint once the clock has moved past its usual time), the 180-day purge with the
// registry's movable clock, and the registry's files that match nothing sent from here. Sent through
// the app's own upload, over SFTP.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallResults, Submission } from '../../shared/contract';
import { practicePort } from '../../electron/engine/practice-port';
import { createRegistryService, type RegistryService } from '../../electron/engine/registry-service';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { startPracticeRegistry, type RunningPracticeRegistry } from '../../electron/practice/practice-registry';

const SAMPLES = join(new URL('../..', import.meta.url).pathname, 'electron', 'practice', 'samples');
const GOOD = 'PRAC01_20261201_weekly.HL7';
/** Well formed, so the app sends it, but of messages a registry does not import (admissions, not vaccinations). */
const NOT_VACCINATIONS = 'PRAC01_20261204_admissions.HL7';
const DAY = 86_400_000;

let scratch: string;
let mine: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-submissions-practice-'));
  mine = join(scratch, 'my files');
  mkdirSync(mine);
  copyFileSync(join(SAMPLES, GOOD), join(mine, GOOD));
  writeFileSync(join(mine, NOT_VACCINATIONS), readFileSync(join(SAMPLES, GOOD), 'latin1').replaceAll('VXU^V04^VXU_V04', 'ADT^A04^ADT_A01'), 'latin1');
  copyFileSync(join(SAMPLES, GOOD), join(mine, 'PRAC01_20261206_late.HL7'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function until(condition: () => boolean | Promise<boolean>, what: string, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`This never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The app beside one practice registry, sharing its clock: both move together. */
function appFor(practice: RunningPracticeRegistry, clock: { offsetMs: number }): RegistryService {
  return createRegistryService({
    settings: new MemorySettings(),
    emit: () => undefined,
    openExternal: async () => undefined,
    appInfo: { name: 'Registry Transfer', version: 'test' },
    dataDir: join(scratch, `app-${Math.random().toString(36).slice(2)}`),
    localPlaces: () => [{ label: 'Mine', path: mine, kind: 'folder' }],
    practice: practicePort({ listening: practice, profile: practice.profile, issuedPassword: () => practice.issuedPassword(), processAfterSeconds: practice.processAfterSeconds, samplesFolder: null }),
    now: () => new Date(Date.now() + clock.offsetMs),
  });
}

async function signIn(service: RegistryService, practice: RunningPracticeRegistry) {
  const result = await service.handlers.connect({ profileId: practice.profile.id, protocol: 'sftp', username: practice.username, password: practice.issuedPassword() as string, rememberPassword: false });
  expect(result).toMatchObject({ ok: true });
}

async function send(service: RegistryService, name: string) {
  const sent = await service.handlers.upload({ localPath: join(mine, name), acceptWarnings: ['hl7'] });
  expect(sent, name).toMatchObject({ ok: true });
}

type Found = Extract<CallResults['listSubmissions'], { ok: true }>;
async function follow(service: RegistryService, filter: Parameters<RegistryService['handlers']['listSubmissions']>[0] = {}): Promise<Found> {
  const found = await service.handlers.listSubmissions(filter);
  if (!found.ok) throw new Error(found.message);
  return found;
}
const named = (found: Found, name: string): Submission | undefined => found.submissions.find((s) => s.name === name);

/**
 * A practice registry and the app signed in to it, for one describe block: started before its tests,
 * stopped after them. They share one clock (`clock.offsetMs` moves both).
 */
function practiceWithApp(folder: string, processAfterSeconds: number) {
  const held = { practice: undefined as unknown as RunningPracticeRegistry, service: undefined as unknown as RegistryService, clock: { offsetMs: 0 } };
  beforeAll(async () => {
    held.practice = await startPracticeRegistry({ dataDir: join(scratch, folder), ready: true, processAfterSeconds, now: () => new Date(Date.now() + held.clock.offsetMs) });
    held.service = appFor(held.practice, held.clock);
    await signIn(held.service, held.practice);
  }, 60_000);
  afterAll(async () => {
    await held.service?.dispose();
    await held.practice?.stop();
  });
  return held;
}

describe('following sent files on the practice registry', () => {
  const app = practiceWithApp('data', 1.5);

  it('before anything is sent, lists nothing as sent', async () => {
    const found = await follow(app.service);
    expect(found.submissions).toEqual([]);
    expect(found.notes).toEqual([]);
  });

  it('follows a good batch from the dropoff to Accepted, its ACK and reports, and its consent file', async () => {
    await send(app.service, GOOD);
    // Waiting: the registry has not picked it up yet (it waits 1.5 s), unless this machine was slow.
    const first = named(await follow(app.service), GOOD);
    expect(['waiting', 'consent-received']).toContain(first?.state);
    await until(async () => named(await follow(app.service), GOOD)?.state === 'consent-received', 'the batch answered');
    const done = named(await follow(app.service), GOOD)!;
    expect(done).toMatchObject({
      accepted: GOOD,
      reports: ['PRAC01_20261201_weekly_ACK.hl7', 'PRAC01_20261201_weekly_DQA.html', 'PRAC01_20261201_weekly_DQA.txt'],
      consent: ['PRAC01_20261201_weekly.CNF'],
    });
    expect(done.hint).toBeUndefined();
    expect(done.answeredAt).toEqual(expect.any(Number));
    expect(Date.parse(done.sentAt)).toBeGreaterThan(Date.now() - 10 * 60_000);
    // Each file named there opens in the viewer.
    const ack = await app.service.handlers.openReport({ role: 'reports', name: done.reports[0]! });
    expect(ack).toMatchObject({ ok: true, report: { view: { kind: 'ack' } } });
  }, 90_000);

  it('shows a batch the registry could not import as not accepted, with its report and no consent file', async () => {
    await send(app.service, NOT_VACCINATIONS);
    await until(async () => named(await follow(app.service), NOT_VACCINATIONS)?.state === 'rejected', 'the admissions batch answered');
    const rejected = named(await follow(app.service), NOT_VACCINATIONS)!;
    expect(rejected).toMatchObject({ accepted: null, consent: [], hint: 'The registry did not accept it: open its report to see why.' });
    expect(rejected.reports.length).toBeGreaterThan(0);
    expect(existsSync(join(app.practice.files.folderPath('Accepted'), NOT_VACCINATIONS))).toBe(false);
    // Filtering by state.
    expect((await follow(app.service, { states: ['rejected'] })).submissions.map((s) => s.name)).toEqual([NOT_VACCINATIONS]);
    expect((await follow(app.service, { states: ['consent-received', 'rejected'] })).submissions.map((s) => s.name).sort()).toEqual([GOOD, NOT_VACCINATIONS].sort());
  }, 90_000);

  it('lists the registry files that match nothing sent from here apart', async () => {
    writeFileSync(join(app.practice.files.folderPath('DQA-Report'), 'PRAC01_20260101_other_DQA.txt'), 'someone else\r\n', { mode: 0o600 });
    const found = await follow(app.service);
    expect(found.unmatched).toEqual([expect.objectContaining({ role: 'reports', name: 'PRAC01_20260101_other_DQA.txt' })]);
    expect(found.submissions.map((s) => s.name).sort()).toEqual([GOOD, NOT_VACCINATIONS].sort());
  });

  it('filters by the day sent', async () => {
    const today = new Date(Date.now() + app.clock.offsetMs);
    const day = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    expect((await follow(app.service, { from: day(today), to: day(today) })).submissions).toHaveLength(2);
    expect((await follow(app.service, { from: day(new Date(today.getTime() + DAY)) })).submissions).toEqual([]);
    expect((await follow(app.service, { to: day(new Date(today.getTime() - DAY)) })).submissions).toEqual([]);
  });

  it('after the registry\'s 180-day purge, says the files are no longer on the server', async () => {
    app.clock.offsetMs = 181 * DAY;
    const found = await follow(app.service);
    expect(found.submissions.map((s) => [s.name, s.state]).sort()).toEqual([
      [GOOD, 'gone'],
      [NOT_VACCINATIONS, 'gone'],
    ]);
    expect(found.unmatched).toEqual([]);
    expect(existsSync(join(app.practice.files.folderPath('Accepted'), GOOD))).toBe(false);
  }, 60_000);
});

describe('a registry that takes long to pick files up', () => {
  // It waits an hour before it processes a file; its usual time is its wait and a minute more.
  const app = practiceWithApp('slow', 3600);

  it('shows the file waiting without a hint at first, then with a plain hint once past the usual time', async () => {
    await send(app.service, 'PRAC01_20261206_late.HL7');
    const fresh = named(await follow(app.service), 'PRAC01_20261206_late.HL7')!;
    expect(fresh).toMatchObject({ state: 'waiting', accepted: null, reports: [], consent: [], answeredAt: null });
    expect(fresh.hint).toBeUndefined();

    app.clock.offsetMs = 2 * 3_600_000;
    const late = named(await follow(app.service), 'PRAC01_20261206_late.HL7')!;
    expect(late.state).toBe('waiting');
    expect(late.hint).toMatch(/^Still waiting in HL7-Dropoff 2 hours after it was sent; Practice registry \(on this computer\) usually answers within 61 minutes\. Leave it there: if it is still there tomorrow, call the practice registry/);
    expect((await follow(app.service, { states: ['waiting'] })).submissions).toHaveLength(1);
  }, 60_000);
});
