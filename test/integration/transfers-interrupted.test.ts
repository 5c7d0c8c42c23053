// Uploads that do not finish, over SFTP (OpenSSH) and FTPS (vsftpd, explicit TLS as Colorado): the
// user cancels half way, the server's session dies, the server stops answering. Whatever happens, no
// file appears under its final name (so the registry never picks up half a file), the local file is
// untouched, the temporary file is removed where the server allows it, and the history says so.
// And a download from a server that stops answering ends at the timeout with nothing half-saved.
import { copyFileSync, existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TransferStatus } from '../../shared/contract';
import { sha256OfFile, writeLargeHl7Batch } from '../support/hl7-samples';
import { openApp, signal, startRegistry, until, type App, type Flavour, type TestRegistry } from '../support/transfer-harness';

const FLAVOURS: [Flavour, string][] = [
  [{ protocol: 'sftp' }, 'TU2'],
  [{ protocol: 'ftps', tls: 'explicit' }, 'TF2'],
];
const TEMPORARY_NAME = /^\.upload-[0-9a-f]{12}\.rt-partial$/;
const LARGE_BYTES = 200 * 1024 * 1024;

let localDir: string;
beforeAll(() => {
  localDir = mkdtempSync(join(tmpdir(), 'rt-interrupted-'));
});
afterAll(() => {
  if (localDir) rmSync(localDir, { recursive: true, force: true });
});

type LargeFile = { path: string; name: string; size: number; sha256: string };
let written: Promise<LargeFile> | undefined;
/**
 * The 200 MB batch, named with `importCode`. It is written once; each other name is a hard link to
 * the same bytes (the registry's checks look for the import code in the file name only).
 */
async function largeFile(importCode: string): Promise<LargeFile> {
  const name = `${importCode}_20261121_full.HL7`;
  const path = join(localDir, name);
  if (!written) written = writeLargeHl7Batch(path, { importCode: 'CLINIC', minBytes: LARGE_BYTES }).then(({ size, sha256 }) => ({ path, name, size, sha256 }));
  const first = await written;
  if (!existsSync(path)) linkSync(first.path, path);
  return { ...first, path, name };
}

for (const [flavour, tag] of FLAVOURS) {
  describe(`interrupted uploads over ${flavour.protocol.toUpperCase()}`, () => {
    let registry: TestRegistry;
    const apps: App[] = [];
    let frozen: number[] = [];
    const profileId = `interrupted-${tag.toLowerCase()}`;

    beforeAll(async () => {
      registry = await startRegistry(flavour, tag);
      await largeFile(registry.account.username);
    });
    afterEach(async () => {
      signal(frozen.splice(0), 'SIGCONT');
      await Promise.all(apps.splice(0).map((app) => app.dispose()));
      for (const name of readdirSync(registry.dropoffDir)) rmSync(join(registry.dropoffDir, name), { force: true });
    });
    afterAll(async () => {
      signal(frozen.splice(0), 'SIGCONT');
      await registry?.stop();
    });

    const connected = async (timeoutSeconds?: number) => {
      const app = openApp(registry, { profileId, ...(timeoutSeconds ? { timeoutSeconds } : {}) });
      apps.push(app);
      await app.connect();
      return app;
    };
    const dropoff = () => readdirSync(registry.dropoffDir);
    /**
     * Start the upload and do `interrupt` as the first progress event with bytes arrives (or, with
     * `whenRated`, the first that also gives a rate).
     */
    const uploadAndInterrupt = async (app: App, path: string, interrupt: (t: TransferStatus) => void, whenRated = false) => {
      let seen: TransferStatus | undefined;
      app.onUpdate(
        (t) => t.direction === 'upload' && t.state === 'sending' && t.bytes > 0 && (!whenRated || t.bytesPerSecond !== null),
        (t) => {
          seen = t;
          interrupt(t);
        },
      );
      const started = await app.call('upload', { localPath: path });
      if (!started.ok) throw new Error(started.message);
      const final = await app.finished(started.transfer.id, 40_000);
      if (!seen) throw new Error(`the upload ended (${final.state}) before it could be interrupted`);
      return { final, seen };
    };
    const lastHistory = async (app: App) => {
      const result = await app.call('listHistory', { limit: 1 });
      if (!result.ok) throw new Error(result.message);
      return result.entries[0];
    };

    it('a cancel half way leaves nothing on the registry and the local file as it was', async () => {
      const file = await largeFile(registry.account.username);
      const mtimeBefore = statSync(file.path).mtimeMs;
      const app = await connected();
      const logBefore = registry.log().length;

      const { final, seen } = await uploadAndInterrupt(app, file.path, (t) => void app.call('cancelTransfer', { transferId: t.id }));

      expect(final).toMatchObject({ state: 'cancelled', message: 'Cancelled. Nothing was delivered, and no partial file was left on the registry.' });
      expect(seen).toMatchObject({ state: 'sending', total: file.size, message: 'Sending…' });
      expect(seen.bytes).toBeLessThan(file.size);
      expect(dropoff()).toEqual([]);
      expect(statSync(file.path).mtimeMs).toBe(mtimeBefore);
      expect(await sha256OfFile(file.path)).toBe(file.sha256);
      expect(await lastHistory(app)).toMatchObject({
        direction: 'upload',
        remoteName: file.name,
        size: file.size,
        sha256: file.sha256,
        result: 'cancelled',
        error: final.message,
      });

      const log = registry.log().slice(logBefore);
      if (registry.protocol === 'ftps') {
        // basic-ftp cannot abort a transfer and keep its connection: the cancel closed it, and the
        // temporary file was removed over a new one.
        const stored = /"STOR (\/HL7-Dropoff\/\.upload-[0-9a-f]{12}\.rt-partial)"/.exec(log)?.[1];
        expect(stored).toBeDefined();
        const afterStore = log.slice(log.indexOf(`"STOR ${stored}"`));
        expect(afterStore).toMatch(/CONNECT: Client "127\.0\.0\.1"/);
        expect(afterStore.slice(afterStore.search(/CONNECT: Client/))).toContain(`"DELE ${stored}"`);
      }
    });

    it('a server that drops the connection mid-file: failed in plain words, nothing under the final name', async () => {
      const file = await largeFile(registry.account.username);
      const app = await connected();

      const { final } = await uploadAndInterrupt(app, file.path, () => signal(registry.processes().sessions, 'SIGKILL'));

      expect(final.state).toBe('failed');
      expect(final.message).toBe(
        `${file.name} was not delivered. The connection to 127.0.0.1 port ${registry.port} was dropped by the server or the network. Nothing was changed; try again.`,
      );
      expect(dropoff()).not.toContain(file.name);
      // The server is back for a new connection, so the temporary file was removed through it.
      expect(dropoff()).toEqual([]);
      expect(await lastHistory(app)).toMatchObject({ remoteName: file.name, result: 'failed', error: final.message, sha256: file.sha256 });
    });

    it('a server that drops the connection in the middle of a batch: each file fails in plain words or arrives whole, no temporary file left', async () => {
      const file = await largeFile(registry.account.username);
      const app = await connected();
      const names = [1, 2, 3, 4, 5].map((i) => `${registry.account.username}_batch_${i}.HL7`);
      for (const name of names) if (!existsSync(join(localDir, name))) linkSync(file.path, join(localDir, name));
      app.onUpdate(
        (t) => t.direction === 'upload' && t.state === 'sending' && t.bytes > 0,
        () => signal(registry.processes().sessions, 'SIGKILL'),
      );
      const ids: string[] = [];
      for (const name of names) {
        const started = await app.call('upload', { localPath: join(localDir, name) });
        if (!started.ok) throw new Error(started.message);
        ids.push(started.transfer.id);
      }
      const finals = await Promise.all(ids.map((id) => app.finished(id, 60_000)));

      const dropped = `was not delivered. The connection to 127.0.0.1 port ${registry.port} was dropped by the server or the network. Nothing was changed; try again.`;
      // The file on its way when the server went (with any sent alongside it) says so in plain words.
      expect(finals.some((f) => f.state === 'failed' && f.message === `${f.name} ${dropped}`)).toBe(true);
      for (const [i, final] of finals.entries()) {
        const name = names[i] as string;
        expect(['done', 'failed']).toContain(final.state);
        // Files queued behind the drop go out over a new connection, whole; none arrives in part.
        if (final.state === 'done') expect(statSync(join(registry.dropoffDir, name)).size).toBe(file.size);
        else expect(dropoff()).not.toContain(name);
      }
      // The server is back for new connections, so every temporary file was removed through one.
      expect(dropoff().filter((n) => n.startsWith('.'))).toEqual([]);
      const history = await app.call('listHistory', {});
      if (!history.ok) throw new Error(history.message);
      expect(history.entries.filter((e) => names.includes(e.remoteName))).toHaveLength(names.length);
    });

    it('a server that stops answering mid-file fails at the timeout, and the app recovers once it answers again', async () => {
      const timeoutSeconds = 3;
      const file = await largeFile(registry.account.username);
      const app = await connected(timeoutSeconds);

      const { final, seen } = await uploadAndInterrupt(
        app,
        file.path,
        () => {
          const { listener, sessions } = registry.processes();
          frozen = [listener, ...sessions];
          signal(frozen, 'SIGSTOP');
        },
        true,
      );

      // What the progress bar showed when the server went quiet: a rate, and the time left at that rate.
      expect(seen.bytesPerSecond).toBeGreaterThan(0);
      expect(seen.secondsLeft).toBe(Math.ceil((file.size - seen.bytes) / (seen.bytesPerSecond as number)));

      expect(final.state).toBe('failed');
      expect(final.message).toBe(
        `${file.name} was not delivered. The registry server at 127.0.0.1 port ${registry.port} did not answer within ${timeoutSeconds} seconds. ` +
          `A firewall may be blocking port ${registry.port}, or the server may be busy or down. ` +
          'A partial copy under a hidden temporary name may remain in HL7-Dropoff; the registry does not process it, and the app removes it the next time it connects to this account.',
      );
      expect(dropoff()).not.toContain(file.name);
      expect(await lastHistory(app)).toMatchObject({ remoteName: file.name, result: 'failed', error: final.message });

      // The app wrote the temporary file down in its data folder (no contents, only where it is).
      const leftover = dropoff().filter((n) => TEMPORARY_NAME.test(n));
      expect(leftover).toHaveLength(1);
      const journal = join(app.dataDir, 'upload-leftovers.json');
      expect(readFileSync(journal, 'utf8')).toContain(`/HL7-Dropoff/${leftover[0]}`);

      // The next connection to the account removes it, before the user asks for anything else.
      signal(frozen.splice(0), 'SIGCONT');
      const listing = await app.call('listRemoteFolder', { role: 'dropoff' });
      expect(listing.ok).toBe(true);
      expect(dropoff()).toEqual([]);
      expect(JSON.parse(readFileSync(journal, 'utf8'))).toEqual([]);
      if (listing.ok) expect(listing.entries.map((e) => e.name)).not.toContain(leftover[0]);
    });

    it('a download from a server that stops answering fails at the timeout and leaves nothing in the chosen folder', async () => {
      const timeoutSeconds = 3;
      const file = await largeFile(registry.account.username);
      const onServer = join(registry.account.accountDir, 'DQA-Report', file.name);
      copyFileSync(file.path, onServer);
      const target = mkdtempSync(join(localDir, 'saved-'));
      try {
        const app = await connected(timeoutSeconds);
        let interruptedAt = 0;
        app.onUpdate(
          (t) => t.direction === 'download' && t.state === 'sending' && t.bytes > 0,
          () => {
            interruptedAt = Date.now();
            const { listener, sessions } = registry.processes();
            frozen = [listener, ...sessions];
            signal(frozen, 'SIGSTOP');
          },
        );
        const started = await app.call('download', { role: 'reports', names: [file.name], toFolder: target });
        if (!started.ok) throw new Error(started.message);
        const final = await app.finished(started.transfers[0]!.id, 40_000);
        if (interruptedAt === 0) throw new Error(`the download ended (${final.state}) before it could be interrupted`);
  
        expect(final.state).toBe('failed');
        expect(final.message).toContain(`The registry server at 127.0.0.1 port ${registry.port} did not answer within ${timeoutSeconds} seconds.`);
        expect(readdirSync(target)).toEqual([]);
      } finally {
        signal(frozen.splice(0), 'SIGCONT');
        rmSync(onServer, { force: true });
        rmSync(target, { recursive: true, force: true });
      }
    });

    it('the checks before an upload fail at the timeout when the server stops answering, instead of waiting for ever', async () => {
      const timeoutSeconds = 3;
      const app = await connected(timeoutSeconds);
      const { listener, sessions } = registry.processes();
      frozen = [listener, ...sessions];
      signal(frozen, 'SIGSTOP');
      const started = Date.now();
      const result = await app.call('checkUpload', { localPath: (await largeFile(registry.account.username)).path });
      const tookMs = Date.now() - started;
      expect(result).toMatchObject({
        ok: false,
        code: 'timeout',
        message: `The registry server at 127.0.0.1 port ${registry.port} did not answer within ${timeoutSeconds} seconds. A firewall may be blocking port ${registry.port}, or the server may be busy or down.`,
      });
      // Not before the timeout: the checks waited on the server, and gave up because it was silent.
      expect(tookMs).toBeGreaterThanOrEqual(timeoutSeconds * 1000 - 50);
      signal(frozen.splice(0), 'SIGCONT');
      expect((await app.call('listRemoteFolder', { role: 'dropoff' })).ok).toBe(true);
    });
  });
}
