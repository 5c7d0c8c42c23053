// Where each sent file stands (issue 14, item 1), over the in-memory server: the history says what
// this computer sent, one listing per folder says where it is. Real registries' naming (the batch's
// name first, last, or inside their own words), names that only look alike, every state, the hint
// for a late file, the filters, and a folder the account may not list.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionInfo, FolderRole, Submission } from '../../../../shared/contract';
import { parseProfile, type Profile } from '../../../../electron/engine/profiles';
import { texasImmTrac2 } from '../../../../electron/engine/profiles/builtin';
import type { RemoteFs } from '../../../../electron/engine/remote/remote-fs';
import { listSubmissions, namesBatch, type SubmissionFilter } from '../../../../electron/engine/replies/submissions';
import type { RegistrySession } from '../../../../electron/engine/session/registry-session';
import { TransferHistory, type TransferRecord } from '../../../../electron/engine/transfers/history';
import { MemoryServer, type FolderRules } from '../../../support/memory-remote-fs';

const texas = parseProfile(texasImmTrac2);
const USER = 'TX1234';
const NOW = new Date('2026-12-03T15:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (msBeforeNow: number) => new Date(NOW.getTime() - msBeforeNow).toISOString();

let dir: string;
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rt-submissions-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sent = (remoteName: string, msBeforeNow: number, extra: Partial<TransferRecord> = {}): TransferRecord => ({
  time: at(msBeforeNow),
  profileId: texas.id,
  account: USER,
  direction: 'upload',
  localName: `C:\\batches\\${remoteName}`,
  remoteName,
  folder: 'dropoff',
  size: 1234,
  sha256: null,
  result: 'done',
  ...extra,
});

interface Setup {
  records: TransferRecord[];
  files?: Partial<Record<FolderRole, (string | [name: string, modified: number])[]>>;
  rules?: Partial<Record<FolderRole, FolderRules>>;
  profile?: Profile;
  filter?: SubmissionFilter;
}

const FOLDER_PATHS: Record<FolderRole, string> = { dropoff: '/HL7-Dropoff', accepted: '/Accepted', reports: '/DQA-Report', receive: '/Receive' };

async function find({ records, files = {}, rules = {}, profile = texas, filter = {} }: Setup) {
  const history = new TransferHistory(join(dir, `h${(n += 1)}`));
  // The history is read newest first, as written in the order transfers ended.
  for (const record of [...records].sort((a, b) => a.time.localeCompare(b.time))) await history.append(record);
  const server = new MemoryServer({ protocol: 'sftp' }).account(USER, { password: 'pw', home: '/' });
  for (const [role, path] of Object.entries(FOLDER_PATHS) as [FolderRole, string][]) {
    server.folder(path, rules[role] ?? {});
    for (const file of files[role] ?? []) {
      const [name, modified] = typeof file === 'string' ? [file, NOW.getTime() - HOUR] : file;
      server.put(`${path}/${name}`, 'x', modified);
    }
  }
  const fs: RemoteFs = await server.connect({ username: USER, password: 'pw' });
  const info: ConnectionInfo = {
    profileId: profile.id,
    profileName: profile.name,
    protocol: 'sftp',
    host: 'example.test',
    port: 22,
    username: USER,
    folders: profile.folders.map((f) => ({ role: f.role, name: f.name, path: FOLDER_PATHS[f.role], rights: [...f.rights], description: f.description })),
    fingerprint: 'SHA256:x',
    hasSavedPassword: false,
    passwordChangeDue: false,
    signInMethod: 'password',
  };
  // Only what listSubmissions uses of a session: its connection's facts and its one-at-a-time queue.
  const session = { info, exclusive: <T>(op: (f: RemoteFs) => Promise<T>) => op(fs) } as unknown as RegistrySession;
  return listSubmissions(session, profile, history, filter, NOW);
}

const byName = (list: Submission[]) => Object.fromEntries(list.map((s) => [s.name, s]));

describe('a batch name standing in a registry file name', () => {
  it('is found as a whole word, first, last or in the middle, in any letter case', () => {
    for (const name of ['tx1234_20261201_ack.hl7', 'ack_tx1234_20261201.txt', 'dqa report - tx1234_20261201 (2).pdf', 'tx1234_20261201.cnf']) {
      expect(namesBatch(name, 'tx1234_20261201'), name).toBe(true);
    }
  });
  it('is not found inside a longer name', () => {
    for (const name of ['tx1234_202612010_ack.hl7', 'xtx1234_20261201_ack.hl7', 'tx1234_20261201a.cnf']) {
      expect(namesBatch(name, 'tx1234_20261201'), name).toBe(false);
    }
    expect(namesBatch('anything', '')).toBe(false);
  });
});

describe('where each sent file stands', () => {
  it('follows each file through every state, matching the registry files named after it', async () => {
    const found = await find({
      records: [
        sent('TX1234_waiting.HL7', 2 * HOUR),
        sent('TX1234_pickedup.HL7', 2 * HOUR),
        sent('TX1234_accepted.HL7', 3 * HOUR),
        sent('TX1234_report.HL7', 4 * HOUR),
        sent('TX1234_consent.HL7', 5 * HOUR),
        sent('TX1234_bad.HL7', 6 * HOUR),
        sent('TX1234_old.HL7', 200 * DAY),
      ],
      files: {
        dropoff: ['TX1234_waiting.HL7'],
        accepted: ['TX1234_accepted.HL7', 'TX1234_report.HL7', ['TX1234_consent.HL7', NOW.getTime() - 4 * HOUR]],
        reports: ['TX1234_report_ACK.hl7', 'TX1234_report_DQA.txt', 'TX1234_consent_ACK.hl7', 'TX1234_bad_DQA.txt'],
        receive: [['TX1234_consent.CNF', NOW.getTime() - 3 * HOUR]],
      },
    });
    const s = byName(found.submissions);
    expect(Object.fromEntries(found.submissions.map((x) => [x.name, x.state]))).toEqual({
      'TX1234_waiting.HL7': 'waiting',
      'TX1234_pickedup.HL7': 'picked-up',
      'TX1234_accepted.HL7': 'accepted',
      'TX1234_report.HL7': 'report-ready',
      'TX1234_consent.HL7': 'consent-received',
      'TX1234_bad.HL7': 'rejected',
      'TX1234_old.HL7': 'gone',
    });
    // Newest sent first.
    expect(found.submissions.map((x) => x.name)[0]).toMatch(/waiting|pickedup/);
    expect(found.submissions.at(-1)?.name).toBe('TX1234_old.HL7');
    expect(s['TX1234_report.HL7']).toMatchObject({ accepted: 'TX1234_report.HL7', reports: ['TX1234_report_ACK.hl7', 'TX1234_report_DQA.txt'], consent: [] });
    expect(s['TX1234_consent.HL7']).toMatchObject({ consent: ['TX1234_consent.CNF'], answeredAt: NOW.getTime() - 4 * HOUR, size: 1234, sentAt: at(5 * HOUR) });
    expect(s['TX1234_bad.HL7']?.hint).toBe('The registry did not accept it: open its report to see why.');
    expect(s['TX1234_pickedup.HL7']?.answeredAt).toBeNull();
    expect(found.unmatched).toEqual([]);
    expect(found.notes).toEqual([]);
    expect(found.checkedAt).toBe(NOW.toISOString());
  });

  it('gives a late file a plain hint with the registry\'s usual time and whom to call, and a fresh one none', async () => {
    const found = await find({
      records: [sent('TX1234_fresh.HL7', 2 * HOUR), sent('TX1234_late.HL7', 30 * HOUR), sent('TX1234_lost.HL7', 3 * DAY)],
      files: { dropoff: ['TX1234_fresh.HL7', 'TX1234_late.HL7'] },
    });
    const s = byName(found.submissions);
    expect(s['TX1234_fresh.HL7']?.hint).toBeUndefined();
    expect(s['TX1234_late.HL7']?.hint).toBe(
      'Still waiting in HL7-Dropoff 30 hours after it was sent; Texas Immunization Registry (ImmTrac2) usually answers within 24 hours. Leave it there: if it is still there tomorrow, call Texas Immunization Registry Interoperability Team, (800) 348-9158, option 3.'.replace(
        'Texas Immunization Registry (ImmTrac2)',
        texas.name,
      ),
    );
    expect(s['TX1234_lost.HL7']?.state).toBe('picked-up');
    expect(s['TX1234_lost.HL7']?.hint).toMatch(/^Picked up, but nothing has come back 3 days after it was sent; .* If nothing comes by tomorrow, call /);
  });

  it('gives each registry file to the longest batch name in it, and lists files of nobody\'s batch apart', async () => {
    const found = await find({
      records: [sent('TX1234_week1.HL7', 2 * HOUR), sent('TX1234_week1_b.HL7', 2 * HOUR), sent('TX1234_week10.HL7', 2 * HOUR)],
      files: {
        dropoff: ['someone-else.HL7', '.TX1234_week1.HL7.part'],
        accepted: ['TX1234_week1.HL7', 'TX1234_week1_b.HL7'],
        reports: ['TX1234_week1_b_ACK.hl7', 'TX1234_week1_ACK.hl7', 'TX1234_week100_ACK.hl7', 'ACK_TX1234_week10.txt'],
        receive: ['unrelated.CNF'],
      },
    });
    const s = byName(found.submissions);
    expect(s['TX1234_week1.HL7']?.reports).toEqual(['TX1234_week1_ACK.hl7']);
    expect(s['TX1234_week1_b.HL7']?.reports).toEqual(['TX1234_week1_b_ACK.hl7']);
    // A registry that puts its own word first still names the batch.
    expect(s['TX1234_week10.HL7']).toMatchObject({ state: 'rejected', reports: ['ACK_TX1234_week10.txt'] });
    // The temporary name of an upload under way is nobody's file and not listed.
    expect(found.unmatched.map((u) => `${u.role}/${u.name}`)).toEqual(['dropoff/someone-else.HL7', 'reports/TX1234_week100_ACK.hl7', 'receive/unrelated.CNF']);
  });

  it('counts only finished uploads to this account, once per name (the latest sending), and one deleted from the dropoff as gone', async () => {
    const found = await find({
      records: [
        sent('TX1234_twice.HL7', 30 * HOUR),
        sent('TX1234_twice.HL7', 1 * HOUR, { size: 99 }),
        sent('TX1234_failed.HL7', 1 * HOUR, { result: 'failed', error: 'cut off' }),
        sent('TX1234_other.HL7', 1 * HOUR, { account: 'TX9999' }),
        sent('TX1234_colorado.HL7', 1 * HOUR, { profileId: 'colorado-ciis' }),
        sent('TX1234_taken.HL7', 3 * HOUR),
        sent('TX1234_taken.HL7', 2 * HOUR, { direction: 'delete', localName: '' }),
        sent('TX1234_down.HL7', 1 * HOUR, { direction: 'download', folder: 'accepted' }),
      ],
      files: { dropoff: ['TX1234_twice.HL7'] },
    });
    expect(found.submissions.map((s) => [s.name, s.state, s.size])).toEqual([
      ['TX1234_twice.HL7', 'waiting', 99],
      ['TX1234_taken.HL7', 'gone', 1234],
    ]);
    expect(found.submissions[1]?.hint).toBe('Deleted from HL7-Dropoff on this computer after it was sent.');
    // The latest sending is an hour old: no hint yet.
    expect(found.submissions[0]?.hint).toBeUndefined();
  });

  it('filters by the day sent (both days included) and by state', async () => {
    const records = [sent('TX1234_a.HL7', 1 * HOUR), sent('TX1234_b.HL7', 3 * DAY), sent('TX1234_c.HL7', 10 * DAY)];
    const files = { accepted: ['TX1234_a.HL7', 'TX1234_b.HL7'] };
    const day = (ms: number) => {
      const d = new Date(NOW.getTime() - ms);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    };
    const names = async (filter: SubmissionFilter) => (await find({ records, files, filter })).submissions.map((s) => s.name);
    expect(await names({ from: day(3 * DAY), to: day(3 * DAY) })).toEqual(['TX1234_b.HL7']);
    expect(await names({ from: day(3 * DAY) })).toEqual(['TX1234_a.HL7', 'TX1234_b.HL7']);
    expect(await names({ to: day(3 * DAY) })).toEqual(['TX1234_b.HL7', 'TX1234_c.HL7']);
    expect(await names({ states: ['picked-up'] })).toEqual(['TX1234_c.HL7']);
    expect(await names({ states: ['accepted', 'picked-up'], from: day(3 * DAY) })).toEqual(['TX1234_b.HL7', 'TX1234_a.HL7'].reverse());
  });

  it('says which folder it could not look at and still follows the rest', async () => {
    const found = await find({
      records: [sent('TX1234_a.HL7', 1 * HOUR)],
      files: { accepted: ['TX1234_a.HL7'], reports: ['TX1234_a_ACK.hl7'] },
      rules: { reports: { list: false } },
    });
    expect(found.submissions.map((s) => s.state)).toEqual(['accepted']);
    expect(found.notes).toHaveLength(1);
    expect(found.notes[0]).toMatch(/^DQA-Report could not be listed \(.+\) What is there is not shown\.$/);
  });

  it('gives no hint where the registry\'s usual time is not known, and nothing when nothing was sent', async () => {
    const quiet = parseProfile({ ...texasImmTrac2, answerWithinMinutes: null });
    const found = await find({ records: [sent('TX1234_a.HL7', 10 * DAY)], files: { dropoff: ['TX1234_a.HL7'] }, profile: quiet });
    expect(found.submissions[0]).toMatchObject({ state: 'waiting' });
    expect(found.submissions[0]?.hint).toBeUndefined();
    const none = await find({ records: [], files: { reports: ['TX1234_x_ACK.hl7'] } });
    expect(none.submissions).toEqual([]);
    expect(none.unmatched.map((u) => u.name)).toEqual(['TX1234_x_ACK.hl7']);
  });
});
