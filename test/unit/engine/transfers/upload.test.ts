// The upload pipeline over the in-memory server (issue 12, item 8): what the real-server tests show
// (transfers-upload, uploads-whole-*), here with every way a server answers armed on cue. Each test
// reads what a user would check: what is in the dropoff, under which names, what the message says.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadCheck } from '../../../../shared/contract';
import { parseProfile } from '../../../../electron/engine/profiles';
import { RemoteError } from '../../../../electron/engine/remote/remote-fs';
import { checkUpload, lookAgain, sendFile, UploadBatch, UploadStopped, type UploadTarget } from '../../../../electron/engine/transfers/upload';
import { hl7Batch } from '../../../support/hl7-samples';
import { MemoryServer, type FolderRules, type MemoryRemoteFs, type ServerOptions } from '../../../support/memory-remote-fs';
import { localTexasProfile } from '../../../support/sshd';

const DROPOFF = '/HL7-Dropoff';
const SUPPORT = 'Texas Immunization Registry Interoperability Team';
const TEMPORARY = /^\.upload-[0-9a-f]{12}\.rt-partial$/;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rt-upload-unit-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

type Right = 'list' | 'read' | 'write' | 'rename' | 'delete';

/** The Texas test profile; `dropoffRights` as the profile states them, `quotaFiles` the registry's count. */
function targetWith(options: { dropoffRights?: Right[]; quotaFiles?: number } = {}): UploadTarget {
  const raw = localTexasProfile(22, 'upload-unit');
  const profile = parseProfile({
    ...raw,
    files: { extension: '.HL7', importCodeInName: true },
    ...(options.quotaFiles !== undefined ? { quotaFiles: options.quotaFiles } : {}),
    folders: raw.folders.map((f) => (f.role === 'dropoff' && options.dropoffRights ? { ...f, rights: options.dropoffRights } : f)),
  });
  return { profile, username: 'TX1234', folders: profile.folders.map((f) => ({ role: f.role, name: f.name, path: `/${f.path}`, rights: [...f.rights], description: f.description })) };
}

const fullTarget = targetWith();
const writeOnlyTarget = targetWith({ dropoffRights: ['write'] });

/** The registry's server with its four folders, the dropoff under `rules`, and one signed-in connection. */
async function registry(options: ServerOptions & { dropoff?: FolderRules } = {}): Promise<{ server: MemoryServer; fs: MemoryRemoteFs }> {
  const server = new MemoryServer(options).account('TX1234', { password: 'Secret-1!' }).folder(DROPOFF, options.dropoff ?? {}).folder('/Accepted').folder('/DQA-Report').folder('/Receive');
  return { server, fs: await server.connect({ username: 'TX1234', password: 'Secret-1!' }) };
}

let made = 0;
/** A valid HL7 batch on this computer, in a folder of its own (two files may share a name). */
function batchFile(name: string, messages = 3): { path: string; bytes: Buffer } {
  const folder = join(dir, String((made += 1)));
  mkdirSync(folder);
  const bytes = hl7Batch({ importCode: 'TX1234', messages, variant: `V${made}` });
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

/**
 * A check that passed, for a dropoff the check could not list (a write-only one): what the window
 * or the CLI hands to sendFile after the user said yes.
 */
const passed = (file: { path: string; bytes: Buffer }, warningIds: UploadCheck['warningIds'] = []): UploadCheck => ({
  localPath: file.path,
  fileName: basename(file.path),
  size: file.bytes.length,
  sha256: null,
  messageCount: 3,
  lines: [],
  canUpload: true,
  warningIds,
});

const failureOf = (promise: Promise<unknown>): Promise<RemoteError> =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => {
      if (!(error instanceof RemoteError)) throw error;
      return error;
    },
  );

const opsOf = (server: MemoryServer, ...ops: string[]) =>
  server.operations.filter((o) => ops.includes(o.op)).map((o) => `${o.op} ${o.path.replace(/\.(upload|replaced)-[0-9a-f]{12}/, '.$1-X')}${o.to ? ` -> ${o.to.replace(/\.(upload|replaced)-[0-9a-f]{12}/, '.$1-X')}` : ''}`);

describe('one file, where the dropoff allows renaming', () => {
  it('goes to a hidden temporary name, its size is checked, and only the complete file is renamed to its name', async () => {
    const { server, fs } = await registry();
    const file = batchFile('TX1234_20261201.HL7');
    const check = await checkUpload(fs, fullTarget, file.path);
    expect(check.canUpload).toBe(true);
    const rename = server.gate('rename');
    let verifying = 0;
    const sent = sendFile(fs, fullTarget, check, { onVerifying: () => (verifying += 1) });
    await rename.arrived();
    // At the moment of the rename: the whole file, under a name the registry does not take.
    const [temporary] = server.names(DROPOFF);
    expect(server.names(DROPOFF)).toEqual([expect.stringMatching(TEMPORARY)]);
    expect(server.read(`${DROPOFF}/${temporary}`)).toEqual(file.bytes);
    expect(verifying).toBe(1);
    rename.open();
    expect(await sent).toEqual({ remotePath: `${DROPOFF}/TX1234_20261201.HL7` });
    expect(server.names(DROPOFF)).toEqual(['TX1234_20261201.HL7']);
    expect(server.read(`${DROPOFF}/TX1234_20261201.HL7`)).toEqual(file.bytes);
    expect(opsOf(server, 'upload', 'rename', 'remove')).toEqual([`upload ${DROPOFF}/.upload-X.rt-partial`, `rename ${DROPOFF}/.upload-X.rt-partial -> ${DROPOFF}/TX1234_20261201.HL7`]);
  });

  it('a server that kept fewer bytes than were sent: not delivered, said in numbers, and the short copy removed', async () => {
    const { server, fs } = await registry();
    const file = batchFile('TX1234_20261202.HL7');
    const check = await checkUpload(fs, fullTarget, file.path);
    server.keepShort({ keep: 10 });
    const error = await failureOf(sendFile(fs, fullTarget, check));
    expect(error.message).toBe(`The registry received 10 of ${file.bytes.length} bytes of TX1234_20261202.HL7. It was not delivered; send it again.`);
    expect(server.names(DROPOFF)).toEqual([]);
    expect((error as UploadStopped).leftover).toBeNull();
  });

  it('a connection dropped mid-file: not delivered, and the part sent is the leftover under its temporary name', async () => {
    const { server, fs } = await registry({ chunkBytes: 100 });
    const file = batchFile('TX1234_20261203.HL7');
    const check = await checkUpload(fs, fullTarget, file.path);
    server.dropDuring('upload', { afterBytes: 200 });
    const error = await failureOf(sendFile(fs, fullTarget, check));
    expect(error).toBeInstanceOf(UploadStopped);
    expect(error.code).toBe('unreachable');
    expect(error.message).toBe('TX1234_20261203.HL7 was not delivered. The connection to 127.0.0.1 port 22 was dropped by the server or the network. Nothing was changed; try again.');
    const [temporary] = server.names(DROPOFF);
    expect(temporary).toMatch(TEMPORARY);
    expect(server.read(`${DROPOFF}/${temporary}`)?.length).toBe(200);
    // The connection is gone, so the part could not be removed: the caller writes it down.
    expect((error as UploadStopped).leftover).toBe(`${DROPOFF}/${temporary}`);
  });

  it('a cancel after the last byte and before the rename: the complete copy is removed, nothing reaches the registry', async () => {
    const { server, fs } = await registry();
    const file = batchFile('TX1234_20261204.HL7');
    const check = await checkUpload(fs, fullTarget, file.path);
    const stop = new AbortController();
    const error = await failureOf(sendFile(fs, fullTarget, check, { signal: stop.signal, onVerifying: () => stop.abort() }));
    expect(error.code).toBe('cancelled');
    expect(error.message).toBe('The transfer was cancelled. Nothing was left half-sent.');
    expect(server.names(DROPOFF)).toEqual([]);
    expect(opsOf(server, 'rename')).toEqual([]);
  });

  it('a file changed on this computer after its check is not sent', async () => {
    const { server, fs } = await registry();
    const file = batchFile('TX1234_20261205.HL7');
    const check = await checkUpload(fs, fullTarget, file.path);
    const asChecked = statSync(file.path);
    writeFileSync(file.path, Buffer.concat([file.bytes, Buffer.from('MSH|one more\r')]));
    const error = await failureOf(sendFile(fs, fullTarget, check, { checked: { size: asChecked.size, mtimeMs: asChecked.mtimeMs } }));
    expect(error.message).toBe('TX1234_20261205.HL7 changed on this computer after it was checked. It was not sent; send it again to have it checked anew.');
    expect(server.names(DROPOFF)).toEqual([]);
    expect(opsOf(server, 'upload')).toEqual([]);
  });

  it('a server that refuses names with a leading dot (Pure-FTPd -x) gets the undotted temporary name, asked once per connection', async () => {
    const { server, fs } = await registry({ protocol: 'ftps', dropoff: { refuseNames: /^\./ } });
    for (const name of ['TX1234_20261206.HL7', 'TX1234_20261207.HL7']) {
      const file = batchFile(name);
      await sendFile(fs, fullTarget, await checkUpload(fs, fullTarget, file.path));
    }
    expect(server.names(DROPOFF)).toEqual(['TX1234_20261206.HL7', 'TX1234_20261207.HL7']);
    expect(opsOf(server, 'upload')).toEqual([
      `upload ${DROPOFF}/.upload-X.rt-partial`,
      expect.stringMatching(/^upload \/HL7-Dropoff\/upload-[0-9a-f]{12}\.rt-partial$/),
      expect.stringMatching(/^upload \/HL7-Dropoff\/upload-[0-9a-f]{12}\.rt-partial$/),
    ]);
  });

  it('a full quota on the server is said as such, once: not taken for a refused name and tried again', async () => {
    const { server, fs } = await registry({ protocol: 'ftps', dropoff: { quota: { files: 1 } } });
    server.put(`${DROPOFF}/TX1234_20261101.HL7`, 'waiting');
    const file = batchFile('TX1234_20261208.HL7');
    const error = await failureOf(sendFile(fs, fullTarget, await checkUpload(fs, fullTarget, file.path)));
    expect(error.message).toBe('The registry refused the file: the account is over its storage quota.');
    expect(opsOf(server, 'upload')).toHaveLength(1);
    expect(server.names(DROPOFF)).toEqual(['TX1234_20261101.HL7']);
  });
});

describe('replacing a file already waiting under the same name', () => {
  const waiting = Buffer.from('MSH|the file already waiting\r');

  it('OpenSSH (posix-rename): the new copy replaces the waiting one in one step', async () => {
    const { server, fs } = await registry({ protocol: 'sftp' });
    server.put(`${DROPOFF}/TX1234_20261210.HL7`, waiting);
    const file = batchFile('TX1234_20261210.HL7');
    const check = await checkUpload(fs, fullTarget, file.path);
    expect(check.warningIds).toContain('replace');
    await sendFile(fs, fullTarget, check);
    expect(server.names(DROPOFF)).toEqual(['TX1234_20261210.HL7']);
    expect(server.read(`${DROPOFF}/TX1234_20261210.HL7`)).toEqual(file.bytes);
    expect(opsOf(server, 'rename', 'renameReplacing', 'remove')).toEqual([`renameReplacing ${DROPOFF}/.upload-X.rt-partial -> ${DROPOFF}/TX1234_20261210.HL7`]);
  });

  it.each([
    ['an SFTP server without posix-rename (rename never replaces)', { protocol: 'sftp', renameReplacing: false }],
    ['an FTPS server (rename may replace)', { protocol: 'ftps' }],
  ] as const)('%s: the waiting file is moved aside, the new one renamed in, then the old one removed', async (_name, options) => {
    const { server, fs } = await registry(options);
    server.put(`${DROPOFF}/TX1234_20261211.HL7`, waiting);
    const file = batchFile('TX1234_20261211.HL7');
    await sendFile(fs, fullTarget, await checkUpload(fs, fullTarget, file.path));
    expect(server.names(DROPOFF)).toEqual(['TX1234_20261211.HL7']);
    expect(server.read(`${DROPOFF}/TX1234_20261211.HL7`)).toEqual(file.bytes);
    expect(opsOf(server, 'rename', 'remove')).toEqual([
      `rename ${DROPOFF}/TX1234_20261211.HL7 -> ${DROPOFF}/.replaced-X.rt-partial`,
      `rename ${DROPOFF}/.upload-X.rt-partial -> ${DROPOFF}/TX1234_20261211.HL7`,
      `remove ${DROPOFF}/.replaced-X.rt-partial`,
    ]);
  });

  it('a waiting file that cannot be moved aside stays as it was, the new copy is removed, and the server\'s answer is quoted', async () => {
    const { server, fs } = await registry({ protocol: 'ftps' });
    server.put(`${DROPOFF}/TX1234_20261212.HL7`, waiting);
    const file = batchFile('TX1234_20261212.HL7');
    const check = await checkUpload(fs, fullTarget, file.path);
    server.refuse('rename', { path: `${DROPOFF}/TX1234_20261212.HL7` });
    const error = await failureOf(sendFile(fs, fullTarget, check));
    expect(error.message).toBe(
      'TX1234_20261212.HL7 was not delivered: the file with that name already waiting in HL7-Dropoff could not be moved aside to be replaced (it answered “550 TX1234_20261212.HL7: Permission denied”). The waiting file is unchanged.',
    );
    expect(server.names(DROPOFF)).toEqual(['TX1234_20261212.HL7']);
    expect(server.read(`${DROPOFF}/TX1234_20261212.HL7`)).toEqual(waiting);
  });

  it('a waiting file the registry took between the check and the send: the new one is simply renamed in', async () => {
    const { server, fs } = await registry({ protocol: 'ftps' });
    server.put(`${DROPOFF}/TX1234_20261213.HL7`, waiting);
    const file = batchFile('TX1234_20261213.HL7');
    const check = await checkUpload(fs, fullTarget, file.path);
    server.take(`${DROPOFF}/TX1234_20261213.HL7`);
    await sendFile(fs, fullTarget, check);
    expect(server.read(`${DROPOFF}/TX1234_20261213.HL7`)).toEqual(file.bytes);
    expect(opsOf(server, 'rename')).toEqual([`rename ${DROPOFF}/.upload-X.rt-partial -> ${DROPOFF}/TX1234_20261213.HL7`]);
  });
});

describe('a dropoff where renaming is refused', () => {
  it('the profile says write-only: the file goes straight to its name, never under a temporary one', async () => {
    const { server, fs } = await registry({ protocol: 'ftps', dropoff: { rename: false, delete: false, list: false } });
    const file = batchFile('TX1234_20261220.HL7');
    expect(await sendFile(fs, writeOnlyTarget, passed(file))).toEqual({ remotePath: `${DROPOFF}/TX1234_20261220.HL7` });
    expect(opsOf(server, 'upload', 'rename')).toEqual([`upload ${DROPOFF}/TX1234_20261220.HL7`]);
  });

  it('the server refuses to rename though the profile allows it: the temporary copy is removed and the file sent straight, and the next file goes straight at once', async () => {
    const { server, fs } = await registry({ protocol: 'ftps', dropoff: { rename: false } });
    for (const name of ['TX1234_20261221.HL7', 'TX1234_20261222.HL7']) {
      const file = batchFile(name);
      await sendFile(fs, fullTarget, await checkUpload(fs, fullTarget, file.path));
      expect(server.read(`${DROPOFF}/${name}`)).toEqual(file.bytes);
    }
    expect(server.names(DROPOFF)).toEqual(['TX1234_20261221.HL7', 'TX1234_20261222.HL7']);
    expect(opsOf(server, 'upload', 'rename', 'remove')).toEqual([
      `upload ${DROPOFF}/.upload-X.rt-partial`,
      `rename ${DROPOFF}/.upload-X.rt-partial -> ${DROPOFF}/TX1234_20261221.HL7`,
      `remove ${DROPOFF}/.upload-X.rt-partial`,
      `upload ${DROPOFF}/TX1234_20261221.HL7`,
      `upload ${DROPOFF}/TX1234_20261222.HL7`,
    ]);
  });

  it('neither renaming nor removing allowed: the whole copy stays under its temporary name, and the user is told not to send again', async () => {
    const { server, fs } = await registry({ protocol: 'ftps', dropoff: { rename: false, delete: false } });
    const file = batchFile('TX1234_20261223.HL7');
    const error = await failureOf(sendFile(fs, fullTarget, await checkUpload(fs, fullTarget, file.path)));
    const [temporary] = server.names(DROPOFF);
    expect(temporary).toMatch(TEMPORARY);
    expect(server.read(`${DROPOFF}/${temporary}`)).toEqual(file.bytes);
    expect(error.message).toBe(
      `TX1234_20261223.HL7 was sent whole, but the registry's server allowed neither renaming it from its temporary name ${temporary} in HL7-Dropoff nor removing it (The registry does not allow this account to do that in /HL7-Dropoff/${temporary}.). The registry may still process that copy: do not send TX1234_20261223.HL7 again before asking ${SUPPORT}.`,
    );
    expect((error as UploadStopped).remains).toBe(error.message);
    expect((error as UploadStopped).leftover).toBeNull();
  });

  it('straight to its name over a waiting file the server will not overwrite: the waiting file is said to be as it was', async () => {
    const { server, fs } = await registry({ protocol: 'ftps', dropoff: { rename: false, delete: false, overwrite: false } });
    server.put(`${DROPOFF}/TX1234_20261224.HL7`, 'MSH|waiting\r');
    const file = batchFile('TX1234_20261224.HL7');
    const error = await failureOf(sendFile(fs, writeOnlyTarget, passed(file, ['replace'])));
    expect(error.message).toBe('The registry does not allow this account to do that in /HL7-Dropoff/TX1234_20261224.HL7. The file already waiting in HL7-Dropoff under that name was left as it was.');
    expect(server.read(`${DROPOFF}/TX1234_20261224.HL7`)?.toString()).toBe('MSH|waiting\r');
  });

  it('straight to its name, dropped mid-file: what is under the name is looked at again over a new connection, and the part removed where allowed', async () => {
    const { server, fs } = await registry({ protocol: 'ftps', chunkBytes: 100, dropoff: { rename: false } });
    const file = batchFile('TX1234_20261225.HL7');
    server.dropDuring('upload', { afterBytes: 100 });
    const error = await failureOf(sendFile(fs, writeOnlyTarget, passed(file)));
    // The connection ended with the failure: the message says what may be there, and asks to look again.
    expect(error.message).toBe(
      `TX1234_20261225.HL7 was not delivered. The connection to 127.0.0.1 port 990 was dropped by the server or the network. This registry's HL7-Dropoff folder takes files under their own names, so part of TX1234_20261225.HL7 may be there now, and the registry may process it: tell the registry's support team (${SUPPORT}) before sending it again.`,
    );
    expect((error as UploadStopped).unsure).not.toBeNull();
    expect(server.read(`${DROPOFF}/TX1234_20261225.HL7`)?.length).toBe(100);

    const again = await server.connect({ username: 'TX1234', password: 'Secret-1!' });
    const looked = (await lookAgain(again, error)) as UploadStopped;
    expect(looked.message).toBe('TX1234_20261225.HL7 was not delivered. The connection to 127.0.0.1 port 990 was dropped by the server or the network. Nothing was changed; try again.');
    expect(looked.remains).toBeNull();
    expect(server.names(DROPOFF)).toEqual([]);
  });

  it('straight to its name, dropped mid-file where removing is refused: the part is named as staying, for the registry\'s support team', async () => {
    const { server, fs } = await registry({ protocol: 'ftps', chunkBytes: 100, dropoff: { rename: false, delete: false } });
    const file = batchFile('TX1234_20261226.HL7');
    server.dropDuring('upload', { afterBytes: 100 });
    const error = await failureOf(sendFile(fs, writeOnlyTarget, passed(file)));
    const looked = (await lookAgain(await server.connect({ username: 'TX1234', password: 'Secret-1!' }), error)) as UploadStopped;
    const remains = `This registry's HL7-Dropoff folder takes files under their own names, so part of TX1234_20261226.HL7 may be there now, and the registry may process it: tell the registry's support team (${SUPPORT}) before sending it again.`;
    expect(looked.remains).toBe(remains);
    expect(looked.message).toBe(`TX1234_20261226.HL7 was not delivered. The connection to 127.0.0.1 port 990 was dropped by the server or the network. ${remains}`);
    expect(looked.unsure).toBeNull();
    expect(server.read(`${DROPOFF}/TX1234_20261226.HL7`)?.length).toBe(100);
  });
});

describe('a batch of files (UploadBatch)', () => {
  it('checks files one at a time in the order their places were taken, whichever asks first, and lists each folder once', async () => {
    const { server, fs } = await registry();
    const batch = new UploadBatch();
    const files = ['TX1234_20261230.HL7', 'TX1234_20261231.HL7', 'TX1234_20270101.HL7'].map((name) => batchFile(name));
    const places = files.map(() => batch.placeInLine());
    const listing = server.gate('list', DROPOFF);
    const decided: string[] = [];
    const mayGo = (check: UploadCheck) => {
      decided.push(check.fileName);
      return true;
    };
    // The last file asks first; its check waits for the files ahead of it.
    const admissions = [2, 1, 0].map((i) => batch.admit(places[i]!, fs, fullTarget, files[i]!.path, mayGo));
    await listing.arrived();
    expect(decided).toEqual([]);
    listing.open();
    await Promise.all(admissions);
    expect(decided).toEqual(['TX1234_20261230.HL7', 'TX1234_20261231.HL7', 'TX1234_20270101.HL7']);
    expect(opsOf(server, 'list')).toEqual([`list ${DROPOFF}`, 'list /Accepted']);
    for (const admission of await Promise.all(admissions)) await batch.send(fs, fullTarget, admission.check);
    expect(server.names(DROPOFF)).toEqual(['TX1234_20261230.HL7', 'TX1234_20261231.HL7', 'TX1234_20270101.HL7']);
  });

  it('a file admitted holds its place in the quota until it lands or fails; a failed one frees it', async () => {
    const { server, fs } = await registry();
    server.put(`${DROPOFF}/TX1234_20261101.HL7`, 'MSH|waiting\r');
    const target = targetWith({ quotaFiles: 2 });
    const batch = new UploadBatch();
    const quotaLine = (check: UploadCheck) => check.lines.find((l) => l.id === 'quota');

    const first = await batch.admit(batch.placeInLine(), fs, target, batchFile('TX1234_20270102.HL7').path, () => true);
    expect(quotaLine(first.check)).toEqual({ id: 'quota', severity: 'ok', message: 'Room in HL7-Dropoff: 2 of 2 files after this one.' });
    const second = await batch.admit(batch.placeInLine(), fs, target, batchFile('TX1234_20270103.HL7').path, (c) => c.canUpload);
    expect(second.admitted).toBe(false);
    expect(quotaLine(second.check)).toEqual({
      id: 'quota',
      severity: 'error',
      message: 'HL7-Dropoff already holds 2 files, and the registry allows 2. Wait until the registry has processed some, or delete files you sent by mistake.',
    });

    server.refuse('upload');
    server.refuse('upload');
    await failureOf(batch.send(fs, target, first.check));
    const third = await batch.admit(batch.placeInLine(), fs, target, batchFile('TX1234_20270104.HL7').path, (c) => c.canUpload);
    expect(third.admitted).toBe(true);
    expect(quotaLine(third.check)?.severity).toBe('ok');
    await batch.send(fs, target, third.check);
    expect(server.names(DROPOFF)).toEqual(['TX1234_20261101.HL7', 'TX1234_20270104.HL7']);
  });

  it('the same name twice: the second is checked only after the first has landed, as a replacement of it', async () => {
    const { server, fs } = await registry();
    const batch = new UploadBatch();
    const one = batchFile('TX1234_20270105.HL7');
    const two = batchFile('TX1234_20270105.HL7');
    const first = await batch.admit(batch.placeInLine(), fs, fullTarget, one.path, () => true);
    expect(first.check.warningIds).toEqual([]);
    const upload = server.gate('upload');
    const sending = batch.send(fs, fullTarget, first.check);
    let secondChecked = false;
    const second = batch.admit(batch.placeInLine(), fs, fullTarget, two.path, () => (secondChecked = true));
    await upload.arrived();
    expect(secondChecked).toBe(false);
    upload.open();
    await sending;
    const { check } = await second;
    expect(check.warningIds).toEqual(['replace']);
    expect(check.lines.find((l) => l.id === 'replace')?.message).toMatch(/^A file named TX1234_20270105\.HL7 is already waiting in HL7-Dropoff \(\d{4}-\d{2}-\d{2}\)\. Sending replaces it\.$/);
    await batch.send(fs, fullTarget, check);
    expect(server.read(`${DROPOFF}/TX1234_20270105.HL7`)).toEqual(two.bytes);
  });

  it('a file not let go is not admitted, and the files behind it are still checked', async () => {
    const { server, fs } = await registry();
    server.folder('/Accepted').put('/Accepted/TX1234_20270106.HL7', 'MSH|accepted before\r');
    const batch = new UploadBatch();
    const duplicate = await batch.admit(batch.placeInLine(), fs, fullTarget, batchFile('TX1234_20270106.HL7').path, (c) => c.warningIds.length === 0);
    expect(duplicate.admitted).toBe(false);
    expect(duplicate.check.lines.find((l) => l.id === 'duplicate')?.message).toMatch(
      /^The registry already accepted a file named TX1234_20270106\.HL7 \(\d{4}-\d{2}-\d{2}\)\. Sending it again may report the same immunizations twice\.$/,
    );
    const next = await batch.admit(batch.placeInLine(), fs, fullTarget, batchFile('TX1234_20270107.HL7').path, () => true);
    expect(next.admitted).toBe(true);
  });
});
