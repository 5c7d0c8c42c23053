// Downloads, deletes and the connection's life around transfers, over SFTP (OpenSSH) and FTPS
// (vsftpd, implicit TLS as Texas): a report lands in the chosen folder and never over another file;
// names the server chose are made safe for Windows and cannot climb out of the folder; only files in
// the dropoff folder can be deleted, and only when the user confirmed; the connection is closed once
// the queue is empty, and the next action opens a new one without asking anything.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TransferStatus } from '../../shared/contract';
import { hl7Batch, sha256Of } from '../support/hl7-samples';
import { connectionsTo, openApp, startRegistry, until, type App, type Flavour, type TestRegistry } from '../support/transfer-harness';

const FLAVOURS: [Flavour, string][] = [
  [{ protocol: 'sftp' }, 'TU3'],
  [{ protocol: 'ftps', tls: 'implicit' }, 'TF3'],
];

for (const [flavour, tag] of FLAVOURS) {
  describe(`downloads, deletes and the connection over ${flavour.protocol.toUpperCase()}`, () => {
    let registry: TestRegistry;
    let scratch: string;
    const apps: App[] = [];
    const planted: string[] = [];
    const profileId = `download-${tag.toLowerCase()}`;

    beforeAll(async () => {
      registry = await startRegistry(flavour, tag);
      scratch = mkdtempSync(join(tmpdir(), 'rt-download-'));
    });
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.dispose()));
      for (const path of planted.splice(0)) rmSync(path, { force: true });
      for (const name of readdirSync(registry.dropoffDir)) rmSync(join(registry.dropoffDir, name), { force: true });
    });
    afterAll(async () => {
      await registry?.stop();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    const importCode = () => registry.account.username;
    const reportName = () => `${importCode()}_20261114_DQA.txt`;
    const reportsDir = () => join(registry.account.accountDir, 'DQA-Report');
    const connected = async (idleCloseSeconds?: number) => {
      const app = openApp(registry, { profileId, ...(idleCloseSeconds ? { idleCloseSeconds } : {}) });
      apps.push(app);
      await app.connect();
      return app;
    };
    const freshFolder = (name: string) => {
      const dir = mkdtempSync(join(scratch, `${name}-`));
      return dir;
    };
    const download = async (app: App, names: string[], toFolder: string, role: 'reports' | 'accepted' | 'receive' | 'dropoff' = 'reports') => {
      const result = await app.call('download', { role, names, toFolder });
      if (!result.ok) throw new Error(`download refused: ${result.message}`);
      const finals: TransferStatus[] = [];
      for (const t of result.transfers) finals.push(await app.finished(t.id));
      return finals;
    };
    const history = async (app: App) => {
      const result = await app.call('listHistory', {});
      if (!result.ok) throw new Error(result.message);
      return result.entries;
    };

    it('saves a DQA report in the chosen folder, and a second copy beside it as "name (2)" without touching the first', async () => {
      const app = await connected();
      const target = freshFolder('reports');
      const onServer = readFileSync(join(reportsDir(), reportName()));

      const [first] = await download(app, [reportName()], target);
      expect(first).toMatchObject({ state: 'done', direction: 'download', folder: 'reports', name: reportName(), savedTo: join(target, reportName()), bytes: onServer.length, total: onServer.length });
      expect(first?.message).toBe(`Saved to ${join(target, reportName())}.`);
      expect(app.updates(first?.id ?? '').map((u) => u.state).filter((s, i, all) => s !== all[i - 1])).toEqual(['queued', 'sending', 'done']);
      expect(readFileSync(join(target, reportName())).equals(onServer)).toBe(true);
      const firstMtime = statSync(join(target, reportName())).mtimeMs;

      const copyName = reportName().replace('.txt', ' (2).txt');
      const [second] = await download(app, [reportName()], target);
      expect(second).toMatchObject({ state: 'done', savedTo: join(target, copyName) });
      expect(second?.message).toBe(`Saved as ${copyName} (a file named ${reportName()} was already there, or the name was not safe).`);
      expect(readdirSync(target).sort()).toEqual([copyName, reportName()].sort());
      expect(readFileSync(join(target, copyName)).equals(onServer)).toBe(true);
      expect(statSync(join(target, reportName())).mtimeMs).toBe(firstMtime);

      const [missing] = await download(app, ['no-such-report.txt'], target);
      expect(missing?.state).toBe('failed');
      expect(missing?.message).toBe('no-such-report.txt is not in DQA-Report (any more). Refresh the list.');
      expect(readdirSync(target).sort()).toEqual([copyName, reportName()].sort());

      const [nowhere] = await download(app, [reportName()], join(target, 'not-there'));
      expect(nowhere).toMatchObject({ state: 'failed', message: `The folder ${join(target, 'not-there')} does not exist on this computer. Choose another.` });

      expect((await history(app)).map((e) => [e.direction, e.remoteName, e.folder, e.localName, e.size, e.sha256, e.result])).toEqual([
        ['download', reportName(), 'reports', '', onServer.length, null, 'failed'],
        ['download', 'no-such-report.txt', 'reports', '', 0, null, 'failed'],
        ['download', reportName(), 'reports', join(target, copyName), onServer.length, sha256Of(onServer), 'done'],
        ['download', reportName(), 'reports', join(target, reportName()), onServer.length, sha256Of(onServer), 'done'],
      ]);
    });

    it('gives names the server chose a safe name inside the chosen folder, and writes nothing outside it', async () => {
      const app = await connected();
      const long = `${'Q'.repeat(246)}.txt`;
      const hostile: [string, string][] = [
        ['CON', '_CON'],
        ['con.txt', '_con.txt'],
        ['bell\u0007ring.txt', 'bellring.txt'],
        ['name. ', 'name'],
        ['report\u202Etxt.exe', 'reporttxt.exe'],
        [long, `${'Q'.repeat(196)}.txt`],
      ];
      const twoLines = 'two\nlines.txt';
      // An FTP command ends at a line break, so such a name cannot even be asked for over FTPS.
      if (registry.protocol === 'sftp') hostile.push([twoLines, 'twolines.txt']);
      hostile.forEach(([name], i) => {
        const path = join(reportsDir(), name);
        writeFileSync(path, `hostile ${i}\n`);
        planted.push(path);
      });
      if (registry.protocol === 'ftps') {
        writeFileSync(join(reportsDir(), twoLines), 'two lines\n');
        planted.push(join(reportsDir(), twoLines));
      }
      const outer = freshFolder('hostile');
      const target = join(outer, 'chosen');
      mkdirSync(target);

      const finals = await download(app, hostile.map(([name]) => name), target);

      expect(finals.map((t) => [t.state, t.savedTo])).toEqual(hostile.map(([, safe]) => ['done', join(target, safe)]));
      expect(readdirSync(outer)).toEqual(['chosen']);
      expect(readdirSync(target).sort()).toEqual(hostile.map(([, safe]) => safe).sort());
      hostile.forEach(([, safe], i) => expect(readFileSync(join(target, safe), 'utf8')).toBe(`hostile ${i}\n`));

      if (registry.protocol === 'ftps') {
        const [refused] = await download(app, [twoLines], target);
        expect(refused).toMatchObject({
          state: 'failed',
          message: 'The file name "two lines.txt" has a line break in it, which FTPS cannot send. Ask the registry to rename the file.',
        });
        expect(readdirSync(target)).toHaveLength(hostile.length);
      }
    });

    it('refuses names that are paths, before anything is fetched', async () => {
      const app = await connected();
      const target = freshFolder('paths');
      for (const name of ['../Accepted/' + `${importCode()}_20261114.HL7`, 'sub/report.txt', '..', '.']) {
        const eventsBefore = app.events.length;
        const result = await app.call('download', { role: 'reports', names: [reportName(), name], toFolder: target });
        expect(result, name).toMatchObject({ ok: false, code: 'invalid-input' });
        expect(app.events.slice(eventsBefore).filter((e) => e.type === 'transfer')).toEqual([]);
      }
      expect(readdirSync(target)).toEqual([]);
    });

    it('deletes a file from the dropoff folder only, and only once the user confirmed', async () => {
      const app = await connected(1);
      const name = `${importCode()}_mistake.HL7`;
      writeFileSync(join(registry.dropoffDir, name), hl7Batch({ importCode: importCode() }));
      const acceptedFile = join(registry.account.accountDir, 'Accepted', `${importCode()}_20261114.HL7`);

      expect(await app.call('deleteRemoteFile', { name } as never)).toMatchObject({ ok: false, code: 'invalid-input' });
      expect(await app.call('deleteRemoteFile', { name, confirmed: false } as never)).toMatchObject({ ok: false, code: 'invalid-input' });
      expect(readdirSync(registry.dropoffDir)).toEqual([name]);

      for (const sneaky of [`../Accepted/${importCode()}_20261114.HL7`, `/${importCode()}/Accepted/${importCode()}_20261114.HL7`, '..']) {
        expect(await app.call('deleteRemoteFile', { name: sneaky, confirmed: true }), sneaky).toMatchObject({ ok: false, code: 'invalid-input' });
      }
      expect(statSync(acceptedFile).isFile()).toBe(true);

      expect(await app.call('deleteRemoteFile', { name, confirmed: true })).toEqual({ ok: true });
      expect(readdirSync(registry.dropoffDir)).toEqual([]);
      expect(await app.call('deleteRemoteFile', { name, confirmed: true })).toMatchObject({ ok: false, code: 'not-found' });

      expect((await history(app)).map((e) => [e.direction, e.remoteName, e.folder, e.result])).toEqual([['delete', name, 'dropoff', 'done']]);
      expect(readFileSync(app.historyFile, 'utf8')).not.toContain(registry.account.password);
      // Even after a delete that failed, an idle connection is closed.
      await until('the idle connection to close', () => connectionsTo(registry.port) === 0, 5_000);
    });

    it('closes the connection once the queue is empty, and the next listing opens a new one without asking', async () => {
      const app = await connected();
      expect(connectionsTo(registry.port)).toBe(1);
      const name = `${importCode()}_20261121.HL7`;
      const local = join(freshFolder('send'), name);
      writeFileSync(local, hl7Batch({ importCode: importCode() }));
      const logBefore = registry.log().length;
      const prompts = () => app.events.filter((e) => e.type === 'request').length;
      const promptsBefore = prompts();

      const started = await app.call('upload', { localPath: local });
      if (!started.ok) throw new Error(started.message);
      expect((await app.finished(started.transfer.id)).state).toBe('done');
      await until('the connection to close', () => connectionsTo(registry.port) === 0);
      if (registry.protocol === 'sftp') {
        await until('sshd to log the disconnect', () => new RegExp(`Received disconnect from 127\\.0\\.0\\.1 port \\d+:11:[\\s\\S]*Disconnected from user ${importCode()} `).test(registry.log().slice(logBefore)));
      }

      const listing = await app.call('listRemoteFolder', { role: 'dropoff' });
      expect(listing.ok && listing.entries.map((e) => e.name)).toEqual([name]);
      expect(connectionsTo(registry.port)).toBe(1);
      expect(prompts()).toBe(promptsBefore);

      // The same after downloads.
      await download(app, [reportName()], freshFolder('after'));
      await until('the connection to close after the download', () => connectionsTo(registry.port) === 0);
    });
  });
}
