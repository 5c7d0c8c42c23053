// The transfer queue over the in-memory server and a RegistrySession (issue 12, item 8): the result
// each transfer settles with (what the command line prints, in order), as many at once as the
// connection carries (SFTP several, FTPS one), cancel while waiting and while sending, retry, the
// drain the registries ask to disconnect on, and the history written one line per transfer, in the
// order they end, before the transfer counts as settled. Order and concurrency come from the
// server's gates and counters, never from durations.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { turns, until } from '../../../support/event-turns';
import type { RegistryEvent, TransferStatus } from '../../../../shared/contract';
import { KeychainAccess } from '../../../../electron/engine/credentials/keychain';
import { FirstLoginRecord } from '../../../../electron/engine/credentials/password-change';
import { parseProfile, type Profile } from '../../../../electron/engine/profiles';
import { RemoteError } from '../../../../electron/engine/remote/remote-fs';
import type { OpenRequest } from '../../../../electron/engine/session/open-verified';
import { RegistrySession } from '../../../../electron/engine/session/registry-session';
import { MemorySettings } from '../../../../electron/engine/settings/settings-store';
import { TransferHistory } from '../../../../electron/engine/transfers/history';
import { LeftoverJournal } from '../../../../electron/engine/transfers/leftover-journal';
import { TransferQueue, type QueueTarget, type TransferResult } from '../../../../electron/engine/transfers/transfer-queue';
import { hl7Batch } from '../../../support/hl7-samples';
import { MemoryServer, type FolderRules, type ServerOptions } from '../../../support/memory-remote-fs';
import { MemoryVault } from '../../../support/memory-vault';
import { localTexasProfile } from '../../../support/sshd';

const DROPOFF = '/HL7-Dropoff';
const PASSWORD = 'Secret-1!';
const SUPPORT = 'Texas Immunization Registry Interoperability Team';
const TEMPORARY = /^\.upload-[0-9a-f]{12}\.rt-partial$/;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rt-queue-unit-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

type Right = 'list' | 'read' | 'write' | 'rename' | 'delete';

function profileWith(dropoffRights?: Right[]): Profile {
  const raw = localTexasProfile(22, 'queue-unit');
  return parseProfile({
    ...raw,
    files: { extension: '.HL7', importCodeInName: true },
    folders: raw.folders.map((f) => (f.role === 'dropoff' && dropoffRights ? { ...f, rights: dropoffRights } : f)),
  });
}

const targetOf = (profile: Profile, username = 'TX1234'): QueueTarget => ({
  profile,
  profileId: profile.id,
  username,
  folders: profile.folders.map((f) => ({ role: f.role, name: f.name, path: `/${f.path}`, rights: [...f.rights], description: f.description })),
  server: { host: '127.0.0.1', port: 22 },
});

interface Setup {
  options?: ServerOptions;
  dropoff?: FolderRules;
  dropoffRights?: Right[];
  /** The history's data folder; a fresh one by default, null for none. */
  historyDir?: string | null;
}

const sessions: RegistrySession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.end().catch(() => undefined)));
});

let made = 0;
/** A folder of its own for each test's files and downloads. */
function scratch(): string {
  const folder = join(dir, String((made += 1)));
  mkdirSync(folder);
  return folder;
}

/** The registry's four folders, a session signed in on it, and a queue on that session, wired as the engine wires them. */
async function queueOn({ options = {}, dropoff = {}, dropoffRights, historyDir }: Setup = {}) {
  const server = new MemoryServer(options).account('TX1234', { password: PASSWORD }).folder(DROPOFF, dropoff).folder('/Accepted').folder('/DQA-Report').folder('/Receive');
  const profile = profileWith(dropoffRights);
  const request: OpenRequest = { profile, protocol: server.protocol, username: 'TX1234', password: PASSWORD };
  const opened = await server.openVerified(request);
  const target = targetOf(profile);
  const session = new RegistrySession(
    request,
    {
      profileId: profile.id,
      profileName: profile.name,
      protocol: server.protocol,
      host: opened.host,
      port: opened.port,
      username: 'TX1234',
      folders: target.folders,
      fingerprint: opened.identity.fingerprint,
      hasSavedPassword: false,
      passwordChangeDue: false,
      signInMethod: 'password',
    },
    opened.fs,
    { open: server.openVerified, keychain: new KeychainAccess(new MemoryVault()), firstLogin: new FirstLoginRecord(new MemorySettings()), idleCloseSeconds: 3600 },
  );
  sessions.push(session);
  const folder = scratch();
  const history = historyDir === null ? null : new TransferHistory(historyDir ?? join(folder, 'data'));
  const leftovers = new LeftoverJournal(join(folder, 'leftovers.json'));
  const events: RegistryEvent[] = [];
  const unwritable: unknown[] = [];
  let drained = 0;
  const queue = new TransferQueue({
    emit: (event) => events.push(event),
    history,
    historyUnwritable: (error) => unwritable.push(error),
    leftovers,
    leftoverAccount: (t) => ({ profileId: t.profileId, username: t.username, host: t.server?.host ?? '', port: t.server?.port ?? 0 }),
    withFs: (op) => session.withTransferLease(op),
    onDrained: async () => {
      drained += 1;
      await session.transfersDrained();
    },
  });
  /** A valid HL7 batch on this computer under `name`. */
  const file = (name: string, messages = 3): { path: string; bytes: Buffer } => {
    const bytes = hl7Batch({ importCode: 'TX1234', messages, variant: name.replace(/\W/g, '') });
    const path = join(folder, name);
    writeFileSync(path, bytes);
    return { path, bytes };
  };
  const upload = (path: string, accept: string[] = []) => queue.enqueueUpload(target, path, accept);
  /** Each status the queue said of a transfer, as its state. */
  const statesOf = (id: string) => events.flatMap((e) => (e.type === 'transfer' && e.transfer.id === id ? [e.transfer.state] : []));
  return { server, session, queue, target, history, leftovers, events, unwritable, drained: () => drained, file, upload, statesOf, folder };
}

const settledOf = (queue: TransferQueue, status: TransferStatus): Promise<TransferResult> => {
  const settled = queue.settled(status.id);
  if (!settled) throw new Error(`no transfer ${status.id}`);
  return settled;
};

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('what a transfer settles with', () => {
  it('a delivered upload: done, its checks, where it is on the server, its checksum, no failure; states in order', async () => {
    const { server, queue, upload, file, statesOf } = await queueOn();
    const sent = file('TX1234_20261201.HL7');
    const status = upload(sent.path);
    expect(status.state).toBe('queued');
    const result = await settledOf(queue, status);
    expect(result.status.state).toBe('done');
    expect(result.status.message).toBe(`Delivered: TX1234_20261201.HL7 is in the dropoff folder, ${sent.bytes.length.toLocaleString('en-US')} bytes, checked.`);
    expect(result.status.bytes).toBe(sent.bytes.length);
    expect(result.check).toMatchObject({ fileName: 'TX1234_20261201.HL7', size: sent.bytes.length, canUpload: true, messageCount: 3, warningIds: [] });
    expect(result.remotePath).toBe(`${DROPOFF}/TX1234_20261201.HL7`);
    expect(result.sha256).toBe(sha256(sent.bytes));
    expect(result.note).toBeNull();
    expect(result.renamed).toBe(false);
    expect(result.failure).toBeNull();
    expect(server.read(`${DROPOFF}/TX1234_20261201.HL7`)).toEqual(sent.bytes);
    expect([...new Set(statesOf(status.id))]).toEqual(['queued', 'sending', 'verifying', 'done']);
  });

  it('stopped by the checks (not HL7): failed, nothing sent, the history line says "Not sent"', async () => {
    const { server, queue, upload, folder, history } = await queueOn();
    const path = join(folder, 'TX1234_20261202.HL7');
    writeFileSync(path, 'this is not an HL7 batch\n');
    const result = await settledOf(queue, upload(path));
    expect(result.status.state).toBe('failed');
    expect(result.check?.canUpload).toBe(false);
    expect(result.remotePath).toBeNull();
    expect(result.failure).toMatchObject({ stoppedByChecks: true, cancelledBeforeStart: false, sendingStarted: false, leftBehind: false, remains: null });
    expect((result.failure?.error as RemoteError).code).toBe('invalid-input');
    expect(server.names(DROPOFF)).toEqual([]);
    expect(server.operations.filter((o) => o.op === 'upload')).toEqual([]);
    const [line] = (await history?.list()) ?? [];
    expect(line).toMatchObject({ result: 'failed', remoteName: 'TX1234_20261202.HL7', direction: 'upload' });
    expect(line?.error).toMatch(/^Not sent: /);
  });

  it('a warning not accepted in advance (a file waiting under that name) stops it; accepted, it replaces the waiting file', async () => {
    const { server, queue, upload, file } = await queueOn();
    server.put(`${DROPOFF}/TX1234_20261203.HL7`, 'the waiting one');
    const sent = file('TX1234_20261203.HL7');

    const stopped = await settledOf(queue, upload(sent.path));
    expect(stopped.status.state).toBe('failed');
    expect(stopped.status.message).toMatch(/^Not sent: A file named TX1234_20261203\.HL7 is already waiting in HL7-Dropoff.* Sending replaces it\.$/);
    expect(stopped.check?.warningIds).toEqual(['replace']);
    expect(stopped.failure).toMatchObject({ stoppedByChecks: true, sendingStarted: false });
    expect(server.read(`${DROPOFF}/TX1234_20261203.HL7`)?.toString()).toBe('the waiting one');

    const replaced = await settledOf(queue, upload(sent.path, ['replace']));
    expect(replaced.status.state).toBe('done');
    expect(replaced.failure).toBeNull();
    expect(server.read(`${DROPOFF}/TX1234_20261203.HL7`)).toEqual(sent.bytes);
  });

  it('a connection dropped mid-file: failed after sending started, the partial copy removed over a new connection, nothing left behind', async () => {
    const { server, queue, upload, file } = await queueOn({ options: { chunkBytes: 64 } });
    const sent = file('TX1234_20261204.HL7');
    server.dropDuring('upload', { afterBytes: 128 });
    const result = await settledOf(queue, upload(sent.path));
    expect(result.status.state).toBe('failed');
    expect(result.status.message).toMatch(/^TX1234_20261204\.HL7 was not delivered\. /);
    expect(result.failure).toMatchObject({ stoppedByChecks: false, cancelledBeforeStart: false, sendingStarted: true, leftBehind: false, remains: null });
    expect((result.failure?.error as RemoteError).code).toBe('unreachable');
    expect(server.names(DROPOFF)).toEqual([]);
    expect(server.connectionsOpened).toBe(2);
  });

  it('a partial copy that cannot be removed is left behind: said, and written down for the next connection', async () => {
    const { server, queue, upload, file, leftovers } = await queueOn({ options: { chunkBytes: 64 }, dropoff: { delete: false } });
    const sent = file('TX1234_20261205.HL7');
    server.dropDuring('upload', { afterBytes: 128 });
    const result = await settledOf(queue, upload(sent.path));
    expect(result.status.state).toBe('failed');
    expect(result.failure).toMatchObject({ sendingStarted: true, leftBehind: true, remains: null });
    expect(result.status.message).toContain('A partial copy under a hidden temporary name may remain in HL7-Dropoff; the registry does not process it, and the app removes it the next time it connects to this account.');
    const [left] = server.names(DROPOFF);
    expect(left).toMatch(TEMPORARY);
    expect(leftovers.pending({ profileId: 'queue-unit', username: 'TX1234', host: '127.0.0.1', port: 22 })).toEqual([`${DROPOFF}/${left}`]);
  });

  it('a dropoff that takes files under their own names (no rename), dropped mid-file and no delete: what remains is said', async () => {
    const { server, queue, upload, file } = await queueOn({ options: { chunkBytes: 64 }, dropoff: { rename: false, delete: false }, dropoffRights: ['list', 'write'] });
    const sent = file('TX1234_20261206.HL7');
    server.dropDuring('upload', { afterBytes: 128 });
    const result = await settledOf(queue, upload(sent.path));
    const remains = `This registry's HL7-Dropoff folder takes files under their own names, so part of TX1234_20261206.HL7 may be there now, and the registry may process it: tell the registry's support team (${SUPPORT}) before sending it again.`;
    expect(result.status.state).toBe('failed');
    expect(result.failure).toMatchObject({ sendingStarted: true, leftBehind: false, remains });
    expect(result.status.message).toContain(remains);
    expect(result.status.message).not.toContain('Nothing was changed');
    expect(server.read(`${DROPOFF}/TX1234_20261206.HL7`)?.length).toBe(128);
  });

  it('a download: done, saved where asked with its checksum; a second copy is saved under another name (renamed)', async () => {
    const { server, queue, target, folder } = await queueOn();
    server.put('/Receive/CNF_20261201.txt', 'consent notification');
    const receive = target.folders.find((f) => f.role === 'receive');
    if (!receive) throw new Error('no receive folder');
    const into = join(folder, 'downloads');
    mkdirSync(into);
    const first = await settledOf(queue, queue.enqueueDownload(target, receive, 'CNF_20261201.txt', into));
    expect(first.status).toMatchObject({ state: 'done', direction: 'download', savedTo: join(into, 'CNF_20261201.txt'), total: 20 });
    expect(first.renamed).toBe(false);
    expect(first.sha256).toBe(sha256(Buffer.from('consent notification')));
    expect(first.failure).toBeNull();
    expect(first.check).toBeNull();
    const second = await settledOf(queue, queue.enqueueDownload(target, receive, 'CNF_20261201.txt', into));
    expect(second.renamed).toBe(true);
    expect(second.status.savedTo).not.toBe(first.status.savedTo);
    expect(readdirSync(into).length).toBe(2);
    expect(readFileSync(second.status.savedTo as string, 'utf8')).toBe('consent notification');
  });
});

describe('lanes: as many at once as the connection carries', () => {
  it('SFTP: several at once, never more than the connection carries, all on the one connection', async () => {
    const { server, queue, upload, file } = await queueOn({ options: { protocol: 'sftp', parallelTransfers: 3 } });
    const uploads = server.gate('upload');
    const statuses = ['A', 'B', 'C', 'D', 'E'].map((x) => upload(file(`TX1234_20261210${x}.HL7`).path));
    await uploads.arrived(3);
    await turns();
    expect(uploads.reached.length).toBe(3);
    expect(server.mostTransfersAtOnce).toBe(3);
    uploads.open();
    const results = await Promise.all(statuses.map((s) => settledOf(queue, s)));
    expect(results.map((r) => r.status.state)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(server.mostTransfersAtOnce).toBe(3);
    expect(server.violations).toEqual([]);
    expect(server.connectionsOpened).toBe(1);
    expect(server.names(DROPOFF)).toHaveLength(5);
  });

  it('FTPS: one at a time, in the order queued', async () => {
    const { server, queue, upload, file, history } = await queueOn({ options: { protocol: 'ftps' } });
    const uploads = server.gate('upload');
    const names = ['A', 'B', 'C'].map((x) => `TX1234_20261211${x}.HL7`);
    const statuses = names.map((name) => upload(file(name).path));
    for (let i = 1; i <= 3; i++) {
      await uploads.arrived(i);
      await turns();
      expect(uploads.reached.length).toBe(i);
      uploads.releaseNext();
    }
    const results = await Promise.all(statuses.map((s) => settledOf(queue, s)));
    expect(results.map((r) => r.remotePath)).toEqual(names.map((n) => `${DROPOFF}/${n}`));
    expect(server.mostTransfersAtOnce).toBe(1);
    expect(server.mostAtOnce).toBe(1);
    expect(server.violations).toEqual([]);
    expect(((await history?.list()) ?? []).map((l) => l.remoteName).reverse()).toEqual(names);
  });
});

describe('cancel', () => {
  it('a transfer still waiting is cancelled before it starts: nothing sent; one being sent stops, and nothing is left', async () => {
    const { server, queue, upload, file } = await queueOn({ options: { protocol: 'ftps' } });
    const uploads = server.gate('upload');
    const running = upload(file('TX1234_20261220A.HL7').path);
    const waiting = upload(file('TX1234_20261220B.HL7').path);
    await uploads.arrived(1);

    expect(queue.cancel(waiting.id)).toBe(true);
    const notStarted = await settledOf(queue, waiting);
    expect(notStarted.status).toMatchObject({ state: 'cancelled', message: 'Cancelled before it started. Nothing was sent.' });
    expect(notStarted.failure).toMatchObject({ cancelledBeforeStart: true, sendingStarted: false, stoppedByChecks: false, leftBehind: false, remains: null });
    expect((notStarted.failure?.error as RemoteError).code).toBe('cancelled');

    expect(queue.cancel(running.id)).toBe(true);
    const stopped = await settledOf(queue, running);
    expect(stopped.status).toMatchObject({ state: 'cancelled', message: 'Cancelled. Nothing was delivered, and no partial file was left on the registry.' });
    expect(stopped.failure).toMatchObject({ cancelledBeforeStart: false, sendingStarted: true, leftBehind: false });
    expect(server.names(DROPOFF)).toEqual([]);
    expect(uploads.reached.length).toBe(1);
    // Over: a second cancel finds nothing to cancel.
    expect(queue.cancel(running.id)).toBe(false);
    expect(queue.cancel('no-such-transfer')).toBe(false);
  });

  it('cancelAll: every waiting transfer cancelled before it started, the running one stopped', async () => {
    const { server, queue, upload, file } = await queueOn({ options: { protocol: 'ftps' } });
    const uploads = server.gate('upload');
    const statuses = ['A', 'B', 'C'].map((x) => upload(file(`TX1234_20261221${x}.HL7`).path));
    await uploads.arrived(1);
    queue.cancelAll();
    const results = await Promise.all(statuses.map((s) => settledOf(queue, s)));
    expect(results.map((r) => r.status.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(results.map((r) => r.failure?.cancelledBeforeStart)).toEqual([false, true, true]);
    expect(server.names(DROPOFF)).toEqual([]);
  });
});

describe('retry', () => {
  it('a failed transfer queued again settles anew and is delivered; only failed or cancelled ones, and only for the same account', async () => {
    const { server, queue, upload, file, target, statesOf, history } = await queueOn({ options: { chunkBytes: 64 } });
    const sent = file('TX1234_20261230.HL7');
    server.dropDuring('upload', { afterBytes: 64 });
    const status = upload(sent.path);
    const failed = await settledOf(queue, status);
    expect(failed.status.state).toBe('failed');

    expect(queue.retry(status.id, targetOf(target.profile, 'TX9999'))).toBe('other-account');
    const again = queue.retry(status.id, target);
    expect(again).toMatchObject({ id: status.id, state: 'queued', message: 'Waiting to try again…', bytes: 0 });
    const done = await settledOf(queue, status);
    expect(done.status.state).toBe('done');
    expect(done.failure).toBeNull();
    expect(server.read(`${DROPOFF}/TX1234_20261230.HL7`)).toEqual(sent.bytes);
    expect(statesOf(status.id).at(-1)).toBe('done');
    // Done: nothing to retry.
    expect(queue.retry(status.id, target)).toBeNull();
    expect(queue.retry('no-such-transfer', target)).toBeNull();
    expect(((await history?.list()) ?? []).map((l) => l.result).reverse()).toEqual(['failed', 'done']);
  });
});

describe('drained', () => {
  it('onDrained once the queue is empty (the registry asks to disconnect: the connection closes), and again after the next batch', async () => {
    const { server, queue, upload, file, drained } = await queueOn();
    const first = ['A', 'B'].map((x) => upload(file(`TX1234_20261240${x}.HL7`).path));
    await Promise.all(first.map((s) => settledOf(queue, s)));
    await until(() => drained() === 1, 'the queue drained');
    await until(() => server.openConnections === 0, 'the connection closed');
    expect(server.connectionsClosed).toBe(1);

    const second = upload(file('TX1234_20261240C.HL7').path);
    expect((await settledOf(queue, second)).status.state).toBe('done');
    await until(() => drained() === 2, 'the queue drained again');
    expect(server.connectionsOpened).toBe(2);
    await until(() => server.openConnections === 0, 'the connection closed again');
  });
});

describe('history', () => {
  it('one line per transfer, in the order they end, each written before its transfer settles', async () => {
    const { server, queue, upload, file, folder, history } = await queueOn({ options: { parallelTransfers: 2 } });
    const uploads = server.gate('upload');
    const slow = upload(file('TX1234_20261250A.HL7').path);
    const badPath = join(folder, 'TX1234_20261250B.HL7');
    writeFileSync(badPath, 'not HL7');
    const quick = upload(badPath);
    const order: string[] = [];
    const lines: number[] = [];
    for (const [name, status] of [['A', slow], ['B', quick]] as const) {
      void settledOf(queue, status).then(async () => {
        order.push(name);
        lines.push(((await history?.list()) ?? []).length);
      });
    }
    // A is held while being sent; B, checked after it, fails its checks and ends first.
    await until(() => order.length === 1, 'B settled');
    expect(order).toEqual(['B']);
    uploads.open();
    await until(() => order.length === 2, 'A settled');
    expect(order).toEqual(['B', 'A']);
    // Oldest first: B's line, then A's; each was in the file when its transfer settled.
    const written = ((await history?.list()) ?? []).reverse();
    expect(written.map((l) => [l.remoteName, l.result])).toEqual([
      ['TX1234_20261250B.HL7', 'failed'],
      ['TX1234_20261250A.HL7', 'done'],
    ]);
    expect(lines[0]).toBeGreaterThanOrEqual(1);
    expect(lines[1]).toBeGreaterThanOrEqual(2);
    expect(written[1]).toMatchObject({ direction: 'upload', folder: 'dropoff', account: 'TX1234', profileId: 'queue-unit', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(written[1]?.error).toBeUndefined();
  });

  it('a history that cannot be written: historyUnwritable is told, and the transfer still settles as it ended', async () => {
    const blocker = join(scratch(), 'not-a-folder');
    writeFileSync(blocker, 'a file where the data folder should be');
    const { server, queue, upload, file, unwritable } = await queueOn({ historyDir: blocker });
    const sent = file('TX1234_20261251.HL7');
    const result = await settledOf(queue, upload(sent.path));
    expect(result.status.state).toBe('done');
    expect(unwritable.length).toBeGreaterThanOrEqual(1);
    expect(server.read(`${DROPOFF}/TX1234_20261251.HL7`)).toEqual(sent.bytes);
  });

  it('without a history the transfers settle all the same', async () => {
    const { queue, upload, file } = await queueOn({ historyDir: null });
    expect((await settledOf(queue, upload(file('TX1234_20261252.HL7').path))).status.state).toBe('done');
  });
});
