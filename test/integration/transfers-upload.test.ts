// Uploads to a Texas-shaped registry over SFTP (OpenSSH) and FTPS (vsftpd, implicit TLS as Texas):
// the checks made before a byte is sent, and a delivery that lands byte for byte in HL7-Dropoff under
// its own name, by way of a temporary name, with a history line that holds no contents or password.
import { appendFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TransferStatus, UploadCheck } from '../../shared/contract';
import { batchSegments, hl7Batch, pdfDocument, SAMPLE_PATIENT, sha256Of, writeLargeHl7Batch } from '../support/hl7-samples';
import { parseProfile } from '../../electron/engine/profiles';
import { resolveRoleFolders } from '../../electron/engine/remote/folders';
import { openVerified } from '../../electron/engine/session/open-verified';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { UploadBatch } from '../../electron/engine/transfers/upload';
import { TrustStore } from '../../electron/engine/trust/trust-store';
import { startDelayProxy } from '../support/delay-proxy';
import { openApp, startRegistry, until, type App, type Flavour, type TestRegistry } from '../support/transfer-harness';

const FLAVOURS: [Flavour, string][] = [
  [{ protocol: 'sftp' }, 'TU1'],
  [{ protocol: 'ftps', tls: 'implicit' }, 'TF1'],
];

for (const [flavour, tag] of FLAVOURS) {
  describe(`uploads over ${flavour.protocol.toUpperCase()}`, () => {
    let registry: TestRegistry;
    let localDir: string;
    const apps: App[] = [];
    const profileId = `upload-${tag.toLowerCase()}`;

    beforeAll(async () => {
      registry = await startRegistry(flavour, tag);
      localDir = mkdtempSync(join(tmpdir(), 'rt-upload-local-'));
    });
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.dispose()));
      for (const name of readdirSync(registry.dropoffDir)) rmSync(join(registry.dropoffDir, name), { force: true });
    });
    afterAll(async () => {
      await registry?.stop();
      if (localDir) rmSync(localDir, { recursive: true, force: true });
    });

    const importCode = () => registry.account.username;
    const dropoff = () => readdirSync(registry.dropoffDir).sort();
    const onServer = (name: string) => readFileSync(join(registry.dropoffDir, name));
    const connected = async (profile?: Record<string, unknown>, id = profileId) => {
      const app = openApp(registry, { profileId: id, ...(profile ? { profile } : {}) });
      apps.push(app);
      await app.connect();
      return app;
    };
    const local = (name: string, bytes: Buffer) => {
      const path = join(localDir, name);
      writeFileSync(path, bytes);
      return path;
    };
    const check = async (app: App, path: string): Promise<UploadCheck> => {
      const result = await app.call('checkUpload', { localPath: path });
      if (!result.ok) throw new Error(`checkUpload failed: ${result.message}`);
      return result.check;
    };
    const upload = async (app: App, path: string, acceptWarnings?: string[]): Promise<TransferStatus> => {
      const result = await app.call('upload', { localPath: path, ...(acceptWarnings ? { acceptWarnings } : {}) });
      if (!result.ok) throw new Error(`upload failed: ${result.message}`);
      return app.finished(result.transfer.id);
    };
    const history = async (app: App) => {
      const result = await app.call('listHistory', {});
      if (!result.ok) throw new Error(result.message);
      return result.entries;
    };

    it('delivers a valid batch named with the import code: progress, a checked size, the same bytes, no temporary file, one history line', async () => {
      const app = await connected();
      const name = `${importCode()}_20261121.HL7`;
      const bytes = hl7Batch({ importCode: importCode(), messages: 40 });
      const path = local(name, bytes);

      const checked = await check(app, path);
      expect(checked).toMatchObject({ fileName: name, size: bytes.length, sha256: sha256Of(bytes), messageCount: 40, canUpload: true, warningIds: [] });
      expect(checked.lines.filter((l) => l.severity !== 'ok')).toEqual([]);

      const started = await app.call('upload', { localPath: path });
      if (!started.ok) throw new Error(started.message);
      expect(started.transfer).toMatchObject({ direction: 'upload', name, folder: 'dropoff', state: 'queued' });
      const done = await app.finished(started.transfer.id);
      expect(done.state, done.message).toBe('done');
      expect(done).toMatchObject({ bytes: bytes.length, total: bytes.length });
      expect(done.message).toBe(`Delivered: ${name} is in the dropoff folder, ${bytes.length.toLocaleString('en-US')} bytes, checked.`);

      const updates = app.updates(started.transfer.id);
      const states = updates.map((u) => u.state).filter((s, i, all) => s !== all[i - 1]);
      expect(states).toEqual(['queued', 'sending', 'verifying', 'done']);
      const sending = updates.filter((u) => u.state === 'sending').map((u) => u.bytes);
      expect(sending.every((b, i) => i === 0 || b >= (sending[i - 1] as number))).toBe(true);
      expect(sending.at(-1)).toBe(bytes.length);
      expect(updates.every((u) => u.total === 0 || u.total === bytes.length)).toBe(true);

      expect(dropoff()).toEqual([name]);
      expect(onServer(name).equals(bytes)).toBe(true);
      expect(readFileSync(path).equals(bytes)).toBe(true);

      const entries = await history(app);
      expect(entries).toEqual([
        {
          time: expect.any(String),
          profileId,
          account: importCode(),
          direction: 'upload',
          localName: path,
          remoteName: name,
          folder: 'dropoff',
          size: bytes.length,
          sha256: sha256Of(bytes),
          result: 'done',
        },
      ]);
      expect(Math.abs(Date.parse(entries[0]?.time ?? '') - Date.now())).toBeLessThan(60_000);
      const historyText = readFileSync(app.historyFile, 'utf8');
      expect(historyText).not.toContain(registry.account.password);
      for (const segment of batchSegments({ importCode: importCode(), messages: 40 })) expect(historyText).not.toContain(segment);
      for (const detail of Object.values(SAMPLE_PATIENT)) expect(historyText).not.toContain(detail);
    });

    it('blocks a missing file, an empty file, a PDF and a name without the import code, before anything is sent', async () => {
      const app = await connected();
      const missing = await check(app, join(localDir, `${importCode()}_gone.HL7`));
      expect(missing).toMatchObject({ canUpload: false, sha256: null });
      expect(missing.lines).toEqual([{ id: 'file', severity: 'error', message: `${importCode()}_gone.HL7 could not be found or opened on this computer.` }]);

      const empty = await check(app, local(`${importCode()}_empty.HL7`, Buffer.alloc(0)));
      expect(empty).toMatchObject({ canUpload: false, size: 0 });
      expect(empty.lines).toContainEqual({ id: 'file', severity: 'error', message: `${importCode()}_empty.HL7 is empty. There is nothing to send.` });

      const pdfPath = local(`${importCode()}_report.HL7`, pdfDocument());
      const pdf = await check(app, pdfPath);
      expect(pdf.canUpload).toBe(false);
      expect(pdf.lines.filter((l) => l.severity === 'error').map((l) => l.message)).toEqual(['This looks like a PDF, not an HL7 file.']);

      const unnamed = await check(app, local('weekly_20261121.HL7', hl7Batch({ importCode: importCode() })));
      expect(unnamed.canUpload).toBe(false);
      expect(unnamed.lines.filter((l) => l.severity === 'error').map((l) => l.message)).toEqual([
        `The file name must contain your import code ${importCode()} (the registry uses it to know who sent the file).`,
      ]);

      // The window would not offer to send them; the engine refuses even when asked, errors cannot be accepted.
      const refused = await upload(app, pdfPath, pdf.lines.map((l) => l.id));
      expect(refused).toMatchObject({ state: 'failed', message: 'This looks like a PDF, not an HL7 file.' });
      const nameless = await upload(app, join(localDir, 'weekly_20261121.HL7'));
      expect(nameless.state).toBe('failed');
      expect(dropoff()).toEqual([]);
      expect((await history(app)).map((e) => [e.remoteName, e.result])).toEqual([
        ['weekly_20261121.HL7', 'failed'],
        [`${importCode()}_report.HL7`, 'failed'],
      ]);
    });

    it('sends a batch whose counts do not add up only once its warning is accepted', async () => {
      const app = await connected();
      const name = `${importCode()}_counts.HL7`;
      const bytes = hl7Batch({ importCode: importCode(), messages: 3, batchTrailerCount: 5 });
      const path = local(name, bytes);
      const checked = await check(app, path);
      expect(checked.canUpload).toBe(true);
      expect(checked.lines.filter((l) => l.severity === 'warning')).toEqual([
        { id: expect.stringMatching(/^hl7-bts-count-/), severity: 'warning', message: expect.stringMatching(/^The batch trailer \(BTS\) on line \d+ \(byte [\d,]+\) says 5 messages, but the batch holds 3\.$/) },
      ]);
      expect(checked.warningIds).toHaveLength(1);

      const unaccepted = await upload(app, path);
      expect(unaccepted.state).toBe('failed');
      expect(unaccepted.message).toMatch(/^Not sent: The batch trailer \(BTS\)/);
      expect(app.updates(unaccepted.id).map((u) => u.state)).not.toContain('sending');
      expect(dropoff()).toEqual([]);

      const otherWarning = await upload(app, path, ['replace']);
      expect(otherWarning.state).toBe('failed');
      expect(dropoff()).toEqual([]);

      const accepted = await upload(app, path, checked.warningIds);
      expect(accepted.state, accepted.message).toBe('done');
      expect(dropoff()).toEqual([name]);
      expect(onServer(name).equals(bytes)).toBe(true);
    });

    it('does not replace a file of the same name waiting in the dropoff unless the user says so', async () => {
      const app = await connected();
      const name = `${importCode()}_20261120.HL7`;
      const waiting = hl7Batch({ importCode: importCode(), messages: 2, variant: 'OLD' });
      writeFileSync(join(registry.dropoffDir, name), waiting);
      const newer = hl7Batch({ importCode: importCode(), messages: 5, variant: 'NEW' });
      const path = local(name, newer);

      const checked = await check(app, path);
      expect(checked.warningIds).toEqual(['replace']);
      expect(checked.lines.find((l) => l.id === 'replace')?.message).toMatch(
        new RegExp(`^A file named ${name.replace('.', '\\.')} is already waiting in HL7-Dropoff \\(\\d{4}-\\d\\d-\\d\\d\\)\\. Sending replaces it\\.$`),
      );

      const refused = await upload(app, path);
      expect(refused.state).toBe('failed');
      expect(refused.message).toMatch(/^Not sent: A file named .* is already waiting in HL7-Dropoff/);
      expect(dropoff()).toEqual([name]);
      expect(onServer(name).equals(waiting)).toBe(true);

      const replaced = await upload(app, path, ['replace']);
      expect(replaced.state, replaced.message).toBe('done');
      expect(dropoff()).toEqual([name]);
      expect(onServer(name).equals(newer)).toBe(true);
    });

    it('asks before sending a name the registry already accepted', async () => {
      const app = await connected();
      const name = `${importCode()}_20261114.HL7`; // in Accepted on the server
      const path = local(name, hl7Batch({ importCode: importCode() }));
      const checked = await check(app, path);
      expect(checked.warningIds).toEqual(['duplicate']);
      expect(checked.lines.find((l) => l.id === 'duplicate')?.message).toMatch(
        /^The registry already accepted a file named .*_20261114\.HL7 \(\d{4}-\d\d-\d\d\)\. Sending it again may report the same immunizations twice\.$/,
      );
      expect((await upload(app, path)).state).toBe('failed');
      expect(dropoff()).toEqual([]);
      expect((await upload(app, path, ['duplicate'])).state).toBe('done');
      expect(dropoff()).toEqual([name]);
    });

    it('refuses to go over the quota of files waiting in the dropoff', async () => {
      const quotaProfileId = `${profileId}-quota`;
      const app = await connected(registry.profile(quotaProfileId, { quotaFiles: 2 }), quotaProfileId);
      for (const day of ['18', '19']) writeFileSync(join(registry.dropoffDir, `${importCode()}_202611${day}.HL7`), hl7Batch({ importCode: importCode() }));
      const path = local(`${importCode()}_20261121.HL7`, hl7Batch({ importCode: importCode() }));
      const checked = await check(app, path);
      expect(checked.canUpload).toBe(false);
      expect(checked.lines.find((l) => l.id === 'quota')).toEqual({
        id: 'quota',
        severity: 'error',
        message: 'HL7-Dropoff already holds 2 files, and the registry allows 2. Wait until the registry has processed some, or delete files you sent by mistake.',
      });
      expect((await upload(app, path)).state).toBe('failed');
      expect(dropoff()).toEqual([`${importCode()}_20261118.HL7`, `${importCode()}_20261119.HL7`]);

      rmSync(join(registry.dropoffDir, `${importCode()}_20261118.HL7`));
      const room = await check(app, path);
      expect(room.lines.find((l) => l.id === 'quota')).toEqual({ id: 'quota', severity: 'ok', message: 'Room in HL7-Dropoff: 2 of 2 files after this one.' });
    });

    /**
     * From the order of the app's events: the most transfers being sent at the same moment, and how
     * many started while another was still on its way.
     */
    const overlap = (app: App) => {
      const busy = new Set<string>();
      let most = 0;
      let startedAlongside = 0;
      for (const event of app.events) {
        if (event.type !== 'transfer') continue;
        const { id, state } = event.transfer;
        if (state === 'sending' || state === 'verifying') {
          if (!busy.has(id) && busy.size > 0) startedAlongside += 1;
          busy.add(id);
        } else {
          busy.delete(id);
        }
        most = Math.max(most, busy.size);
      }
      return { most, startedAlongside };
    };
    const queue = async (app: App, path: string, acceptWarnings?: string[]) => {
      const result = await app.call('upload', { localPath: path, ...(acceptWarnings ? { acceptWarnings } : {}) });
      if (!result.ok) throw new Error(`upload refused: ${result.message}`);
      return result.transfer.id;
    };
    /** Queue one large batch under several names (hard links in a folder of their own); their transfer ids. */
    const queueLargeCopies = async (app: App, folder: string, names: string[], minBytes: number): Promise<string[]> => {
      const dir = mkdtempSync(join(localDir, `${folder}-`));
      await writeLargeHl7Batch(join(dir, names[0] as string), { importCode: importCode(), minBytes });
      for (const name of names.slice(1)) linkSync(join(dir, names[0] as string), join(dir, name));
      const ids: string[] = [];
      for (const name of names) ids.push(await queue(app, join(dir, name)));
      return ids;
    };

    it(
      flavour.protocol === 'sftp'
        ? 'sends a batch up to four files at a time over its one connection, each byte for byte, with a history line each'
        : 'sends a batch one file at a time (one FTPS connection carries one transfer), each byte for byte, with a history line each',
      async () => {
        const app = await connected();
        const files = Array.from({ length: 12 }, (_, i) => {
          const name = `${importCode()}_202612${String(i + 1).padStart(2, '0')}.HL7`;
          const bytes = hl7Batch({ importCode: importCode(), messages: 30 + i, variant: `B${i}` });
          return { name, bytes, path: local(name, bytes) };
        });
        const ids: string[] = [];
        for (const file of files) ids.push(await queue(app, file.path));
        const outcomes = await Promise.all(ids.map((id) => app.finished(id)));
        expect(outcomes.map((o) => [o.state, o.message])).toEqual(files.map((f) => ['done', `Delivered: ${f.name} is in the dropoff folder, ${f.bytes.length.toLocaleString('en-US')} bytes, checked.`]));
        expect(dropoff()).toEqual(files.map((f) => f.name));
        for (const file of files) expect(onServer(file.name).equals(file.bytes)).toBe(true);
        const entries = await history(app);
        expect(entries.map((e) => [e.remoteName, e.size, e.sha256, e.result]).sort()).toEqual(files.map((f) => [f.name, f.bytes.length, sha256Of(f.bytes), 'done']).sort());
        // How much they overlap here depends on how busy this machine is; over a slow link (below)
        // it does not. Never more than four at once, and over FTPS one.
        const { most } = overlap(app);
        expect(most).toBeLessThanOrEqual(flavour.protocol === 'sftp' ? 4 : 1);
      },
    );

    if (flavour.protocol === 'sftp') {
      it('keeps sending files together all through a batch over a slow link (10 ms each way), not one after the other', async () => {
        // Over a long link the server's answers arrive in bunches, so every file being sent can
        // finish at the same moment: the next ones must still go out together.
        const proxy = await startDelayProxy(registry.port, 10);
        try {
          const slowProfileId = `${profileId}-slow-link`;
          const app = await connected(registry.profile(slowProfileId, { endpoints: [{ protocol: 'sftp', host: '127.0.0.1', port: proxy.port }] }), slowProfileId);
          const dir = mkdtempSync(join(localDir, 'slow-link-'));
          const files = Array.from({ length: 40 }, (_, i) => {
            const name = `${importCode()}_2026120${String(i + 1).padStart(2, '0')}.HL7`;
            writeFileSync(join(dir, name), hl7Batch({ importCode: importCode(), variant: name }));
            return name;
          });
          const ids: string[] = [];
          for (const name of files) ids.push(await queue(app, join(dir, name)));
          expect((await Promise.all(ids.map((id) => app.finished(id, 60_000)))).map((o) => o.state)).toEqual(files.map(() => 'done'));
          expect(dropoff()).toEqual(files);
          const { most, startedAlongside } = overlap(app);
          expect(most).toBe(4);
          // Every file but the first of each group of four started while others were on their way.
          expect(startedAlongside).toBeGreaterThanOrEqual((files.length * 3) / 4);
        } finally {
          await Promise.all(apps.splice(0).map((app) => app.dispose()));
          await proxy.close();
        }
      });
    }

    it('checks many files before sending with one listing of the folders, and looks again after a refresh or a delete', async () => {
      const app = await connected();
      /**
       * Listings of HL7-Dropoff the server has answered so far: vsftpd logs every LIST; OpenSSH's
       * internal-sftp writes nothing to the test sshd's log file, so over SFTP only the outcome is
       * checked (the listings are the same code for both).
       */
      const dropoffListings = () => registry.log().split('\n').filter((line) => /"(LIST|MLSD)\b/.test(line) && line.includes('HL7-Dropoff')).length;
      const counted = flavour.protocol === 'ftps';
      const dir = mkdtempSync(join(localDir, 'precheck-'));
      const paths = Array.from({ length: 6 }, (_, i) => {
        const path = join(dir, `${importCode()}_2026121${i}.HL7`);
        writeFileSync(path, hl7Batch({ importCode: importCode(), variant: String(i) }));
        return path;
      });
      const before = dropoffListings();
      for (const path of paths) expect((await check(app, path)).canUpload).toBe(true);
      if (counted) expect(dropoffListings() - before).toBe(1);

      // A file that appeared meanwhile is seen once the user refreshes the folder.
      const waiting = `${importCode()}_20261210.HL7`;
      writeFileSync(join(registry.dropoffDir, waiting), hl7Batch({ importCode: importCode() }));
      expect(await app.call('listRemoteFolder', { role: 'dropoff' })).toMatchObject({ ok: true });
      expect((await check(app, paths[0] as string)).warningIds).toEqual(['replace']);
      // And one deleted in the window is gone from the next check.
      expect(await app.call('deleteRemoteFile', { name: waiting, confirmed: true })).toMatchObject({ ok: true });
      expect((await check(app, paths[0] as string)).warningIds).toEqual([]);
      // The refresh itself, the check after it, and the check after the delete.
      if (counted) expect(dropoffListings() - before).toBe(4);
    });

    it('sends a small file as it was checked, and does not send a larger one changed after its check', async () => {
      // The engine itself, to change the files between their check and their upload.
      const profile = parseProfile(registry.profile(`${profileId}-engine`));
      const { username, password } = registry.account;
      const opened = await openVerified(
        { profile, protocol: registry.protocol, username, password },
        { trust: new TrustStore(new MemorySettings()), allowedOnce: new Set(), ask: async () => 'allow-once' },
      );
      try {
        const target = { profile, username, folders: await resolveRoleFolders(opened.fs, profile, username) };
        const dir = mkdtempSync(join(localDir, 'changed-'));
        const batch = new UploadBatch();
        const admit = async (path: string) => {
          const admission = await batch.admit(batch.placeInLine(), opened.fs, target, path, (c) => c.canUpload);
          expect(admission.admitted).toBe(true);
          return admission.check;
        };

        const smallName = `${importCode()}_20261205.HL7`;
        const small = join(dir, smallName);
        const checkedBytes = hl7Batch({ importCode: importCode(), variant: 'as checked' });
        writeFileSync(small, checkedBytes);
        const smallCheck = await admit(small);
        writeFileSync(small, hl7Batch({ importCode: importCode(), messages: 7, variant: 'edited' }));
        await batch.send(opened.fs, target, smallCheck);
        expect(onServer(smallName).equals(checkedBytes)).toBe(true);
        expect(sha256Of(onServer(smallName))).toBe(smallCheck.sha256);

        const largeName = `${importCode()}_20261206.HL7`;
        const large = join(dir, largeName);
        await writeLargeHl7Batch(large, { importCode: importCode(), minBytes: 2 * 1024 * 1024 });
        const largeCheck = await admit(large);
        appendFileSync(large, 'MSH|^~\\&|EDITED\r');
        await expect(batch.send(opened.fs, target, largeCheck)).rejects.toMatchObject({
          message: `${largeName} changed on this computer after it was checked. It was not sent; send it again to have it checked anew.`,
        });
        expect(dropoff()).toEqual([smallName]);
        // Checked anew, it goes, with the checksum of what arrived.
        const again = await admit(large);
        await batch.send(opened.fs, target, again);
        expect(sha256Of(onServer(largeName))).toBe(again.sha256);
      } finally {
        await opened.fs.close();
      }
    });

    it('answers a folder listing asked for in the middle of a batch before the batch ends', async () => {
      const app = await connected();
      const names = Array.from({ length: 8 }, (_, i) => `${importCode()}_2026113${i}.HL7`);
      const ids = await queueLargeCopies(app, 'browse', names, 8 * 1024 * 1024);
      await app.waitFor(ids[0] as string, (t) => t.state === 'sending');
      const listing = await app.call('listRemoteFolder', { role: 'accepted' });
      expect(listing).toMatchObject({ ok: true, role: 'accepted' });
      // Answered while files of the batch were still waiting or on their way.
      const last = app.updates(ids.at(-1) as string).at(-1);
      expect(last?.state).not.toBe('done');
      expect((await Promise.all(ids.map((id) => app.finished(id, 60_000)))).map((o) => o.state)).toEqual(names.map(() => 'done'));
      expect(dropoff()).toEqual(names);
    });

    it('keeps to the quota when files go out together: the files queued first are sent, the rest are refused with the reason', async () => {
      const quotaProfileId = `${profileId}-quota-batch`;
      const app = await connected(registry.profile(quotaProfileId, { quotaFiles: 5 }), quotaProfileId);
      const waiting = [`${importCode()}_20261101.HL7`, `${importCode()}_20261102.HL7`];
      for (const name of waiting) writeFileSync(join(registry.dropoffDir, name), hl7Batch({ importCode: importCode() }));
      // Files large enough that some are still on their way while the next ones are checked.
      const names = Array.from({ length: 6 }, (_, i) => `${importCode()}_2026112${i}.HL7`);
      const ids = await queueLargeCopies(app, 'quota', names, 4 * 1024 * 1024);
      const outcomes = await Promise.all(ids.map((id) => app.finished(id)));
      expect(outcomes.map((o) => o.state)).toEqual(['done', 'done', 'done', 'failed', 'failed', 'failed']);
      for (const refused of outcomes.slice(3)) {
        expect(refused.message).toBe('HL7-Dropoff already holds 5 files, and the registry allows 5. Wait until the registry has processed some, or delete files you sent by mistake.');
      }
      expect(dropoff()).toEqual([...waiting, ...names.slice(0, 3)].sort());
    });

    it('sends two files of the same name in one batch one after the other: the second replaces the first only when the user said so', async () => {
      const app = await connected();
      const name = `${importCode()}_20261121.HL7`;
      // The first large enough to be still on its way when the second is checked.
      const dir = mkdtempSync(join(localDir, 'same-name-'));
      const first = join(dir, name);
      await writeLargeHl7Batch(first, { importCode: importCode(), minBytes: 4 * 1024 * 1024 });
      const firstBytes = readFileSync(first);
      const secondBytes = hl7Batch({ importCode: importCode(), messages: 9, variant: 'second' });
      mkdirSync(join(dir, 'corrected'));
      const second = join(dir, 'corrected', name);
      writeFileSync(second, secondBytes);

      const refused = [await queue(app, first), await queue(app, second)];
      const [sent, notReplaced] = await Promise.all(refused.map((id) => app.finished(id)));
      expect(sent?.state).toBe('done');
      expect(notReplaced).toMatchObject({ state: 'failed', message: expect.stringMatching(new RegExp(`^Not sent: A file named ${name} is already waiting in HL7-Dropoff`)) as string });
      expect(onServer(name).equals(firstBytes)).toBe(true);

      rmSync(join(registry.dropoffDir, name));
      const replaced = [await queue(app, first), await queue(app, second, ['replace'])];
      expect((await Promise.all(replaced.map((id) => app.finished(id)))).map((o) => o.state)).toEqual(['done', 'done']);
      expect(dropoff()).toEqual([name]);
      expect(onServer(name).equals(secondBytes)).toBe(true);
    });

    it(
      flavour.protocol === 'ftps'
        ? 'sends one file at a time: a queued upload can be cancelled before it starts, and tried again on demand'
        : 'a file queued behind four being sent can be cancelled before it starts, and tried again on demand',
      async () => {
        const app = await connected();
        // Files being sent ahead of it: as many as the connection carries at once, large enough to
        // still be on their way when the cancel comes.
        const aheadNames = (flavour.protocol === 'sftp' ? ['a', 'b', 'c', 'd'] : ['a']).map((x) => `${importCode()}_first_${x}.HL7`);
        const secondBytes = hl7Batch({ importCode: importCode(), variant: 'B' });
        const second = local(`${importCode()}_second.HL7`, secondBytes);
        const ahead = await queueLargeCopies(app, 'cancel', aheadNames, 16 * 1024 * 1024);
        const b = await queue(app, second);
        expect(await app.call('cancelTransfer', { transferId: b })).toEqual({ ok: true });
        expect(await app.finished(b)).toMatchObject({ state: 'cancelled', message: 'Cancelled before it started. Nothing was sent.' });
        expect((await Promise.all(ahead.map((id) => app.finished(id, 60_000)))).map((o) => o.state)).toEqual(aheadNames.map(() => 'done'));
        expect(dropoff()).toEqual(aheadNames);
        // Nothing retries by itself.
        await new Promise((r) => setTimeout(r, 300));
        expect(app.updates(b).at(-1)?.state).toBe('cancelled');

        const again = await app.call('retryTransfer', { transferId: b });
        expect(again).toMatchObject({ ok: true, transfer: { id: b, state: 'queued' } });
        await until('the retried upload to finish', () => app.updates(b).filter((u) => u.state === 'done').length > 0);
        expect(dropoff()).toEqual([...aheadNames, `${importCode()}_second.HL7`]);
        expect(onServer(`${importCode()}_second.HL7`).equals(secondBytes)).toBe(true);
        expect(await app.call('retryTransfer', { transferId: ahead[0] as string })).toMatchObject({ ok: false, code: 'not-found' });
        expect(await app.call('cancelTransfer', { transferId: ahead[0] as string })).toMatchObject({ ok: false, code: 'not-found' });
        const entries = (await history(app)).map((e) => [e.remoteName, e.result]);
        expect(entries.slice(0, 1)).toEqual([[`${importCode()}_second.HL7`, 'done']]);
        expect(entries.slice(1).sort()).toEqual([...aheadNames.map((n) => [n, 'done']), [`${importCode()}_second.HL7`, 'cancelled']].sort());
      },
    );

    if (flavour.protocol === 'sftp') {
      it('does not retry a transfer over another account\'s connection', async () => {
        const app = await connected();
        const other = registry.otherAccount;
        if (!other) throw new Error('the SFTP test server has a second account');
        const path = local(`${importCode()}_unaccepted.HL7`, hl7Batch({ importCode: importCode(), batchTrailerCount: 9 }));
        const failed = await upload(app, path);
        expect(failed.state).toBe('failed');
        await app.connect(other);
        expect(await app.call('retryTransfer', { transferId: failed.id })).toEqual({
          ok: false,
          code: 'invalid-input',
          message: 'That transfer was made with another registry account. Connect with that account to try it again.',
        });
        expect(readdirSync(join(other.accountDir, 'HL7-Dropoff'))).toEqual([]);
      });
    }
  });
}
