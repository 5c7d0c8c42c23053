// Temporary files left by a dropped connection (issue 11, item 9), on OpenSSH and on vsftpd (explicit
// FTPS): the server stops answering in the middle of a file, so the app cannot remove its temporary
// copy. The message says a partial hidden copy may remain and will be removed; the app writes the
// copy down in its data folder (where, never what it holds); the next connection to that account
// removes it and crosses it off, whether that connection is the window's or the built command
// line's, whichever face left it. And a disconnect while an FTPS file is on its way (the session is
// gone before the copy can be removed) is written down for the same account and removed on the
// next connection.
import { spawn } from 'node:child_process';
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI_LAUNCHER, cliEnv, PROJECT_ROOT, runCli } from '../support/cli-runner';
import { writeLargeHl7Batch } from '../support/hl7-samples';
import { localTexasProfile, startSshd } from '../support/sshd';
import { openApp, serverProcesses, signal, until, type App, type TestRegistry } from '../support/transfer-harness';
import { startVsftpd } from '../support/vsftpd';

const TEXAS_FILE_RULES = { extension: '.HL7', importCodeInName: true };
const JOURNAL = 'upload-leftovers.json';
const HIDDEN_TEMPORARY = /^\.upload-[0-9a-f]{12}\.rt-partial$/;
const NOTE =
  'A partial copy under a hidden temporary name may remain in HL7-Dropoff; the registry does not process it, and the app removes it the next time it connects to this account.';
/** Large enough that no upload is over before the test has stopped the server (it is stopped at the first sign of the file). */
const LARGE_BYTES = 200 * 1024 * 1024;

/** A test registry and what the command line needs beside it: the server's identity, to pass --trust. */
type Registry = TestRegistry & { fingerprint: string; configFile: string };

async function startSftp(tag: string): Promise<Registry> {
  const server = await startSshd({ tag });
  const configFile = join(server.dir, 'sshd_config');
  return {
    protocol: 'sftp',
    label: 'SFTP (OpenSSH)',
    port: server.port,
    account: server.home,
    dropoffDir: join(server.home.accountDir, 'HL7-Dropoff'),
    profile: (id, overrides = {}) => ({ ...localTexasProfile(server.port, id), files: TEXAS_FILE_RULES, ...overrides }),
    log: () => server.log(),
    processes: () => serverProcesses(configFile),
    stop: () => server.stop(),
    fingerprint: server.fingerprint,
    configFile,
  };
}

async function startFtps(tag: string): Promise<Registry> {
  const server = await startVsftpd({ mode: 'explicit', tag });
  const configFile = join(dirname(dirname(server.account.accountDir)), 'vsftpd.conf');
  return {
    protocol: 'ftps',
    label: 'FTPS (vsftpd, explicit TLS)',
    port: server.port,
    account: server.account,
    dropoffDir: join(server.account.accountDir, 'HL7-Dropoff'),
    profile: (id, overrides = {}) => ({ ...server.profile(id), files: TEXAS_FILE_RULES, ...overrides }),
    log: () => server.log(),
    processes: () => serverProcesses(configFile),
    stop: () => server.stop(),
    fingerprint: server.fingerprint,
    configFile,
  };
}

let scratch: string;
let large: Promise<string> | undefined;
/** The large batch under a name with `importCode` (hard links to one file written once). */
async function largeBatch(importCode: string, name: string): Promise<{ path: string; name: string }> {
  large ??= writeLargeHl7Batch(join(scratch, 'large.HL7'), { importCode: 'CLINIC', minBytes: LARGE_BYTES }).then(() => join(scratch, 'large.HL7'));
  const fileName = `${importCode}_${name}.HL7`;
  const path = join(scratch, fileName);
  if (!existsSync(path)) linkSync(await large, path);
  return { path, name: fileName };
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-whole-leftovers-'));
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

interface Journal {
  entries: Record<string, unknown>[];
}
const journalOf = (dataDir: string): Journal => {
  const file = join(dataDir, JOURNAL);
  return { entries: existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[]) : [] };
};

for (const [start, tag] of [
  [startSftp, 'WL1'],
  [startFtps, 'WL2'],
] as const) {
  describe(`a temporary file the app could not remove (${tag === 'WL1' ? 'OpenSSH' : 'vsftpd'})`, () => {
    let registry: Registry;
    const apps: App[] = [];
    let frozen: number[] = [];
    const profileId = `whole-leftovers-${tag.toLowerCase()}`;
    let profileFile: string;

    beforeAll(async () => {
      registry = await start(tag);
      profileFile = join(scratch, `${profileId}.json`);
      writeFileSync(profileFile, JSON.stringify(registry.profile(profileId)));
    });
    afterEach(async () => {
      signal(frozen.splice(0), 'SIGCONT');
      await Promise.all(apps.splice(0).map((app) => app.dispose()));
      for (const name of readdirSync(registry.dropoffDir)) rmSync(join(registry.dropoffDir, name), { force: true });
    });
    afterAll(async () => {
      signal(frozen.splice(0), 'SIGCONT');
      try {
        signal(registry.processes().sessions, 'SIGKILL');
      } catch {
        // the listener is gone already
      }
      await registry?.stop();
    });

    const dropoff = () => readdirSync(registry.dropoffDir);
    /** Stop the server and every session it has: nothing more is stored, renamed or removed. */
    const freeze = () => {
      const { listener, sessions } = registry.processes();
      frozen = [listener, ...sessions];
      signal(frozen, 'SIGSTOP');
    };
    /** The sessions that were stopped die (the copy stays on disk as they left it); the server answers again. */
    const thaw = () => {
      const { listener } = registry.processes();
      signal(
        frozen.filter((pid) => pid !== listener),
        'SIGKILL',
      );
      signal([listener], 'SIGCONT');
      frozen = [];
    };
    const connection = (dataDir: string) => ['--profile', profileFile, '--user', registry.account.username, '--password-env', 'RT_PASSWORD', '--trust', registry.fingerprint, '--data-dir', dataDir];
    const cli = (args: string[], dataDir: string) => runCli([...args, ...connection(dataDir)], cliEnv(scratch, registry.account.password), 90_000);
    const newApp = (timeoutSeconds?: number) => {
      const app = openApp(registry, { profileId, ...(timeoutSeconds ? { timeoutSeconds } : {}) });
      apps.push(app);
      return app;
    };
    /** The journal holds where the copy is and whose account it is in: never a byte of the file. */
    const expectWrittenDown = (dataDir: string, leftName: string) => {
      const { entries } = journalOf(dataDir);
      expect(entries).toHaveLength(1);
      const [entry] = entries as [Record<string, unknown>];
      expect(Object.keys(entry).sort()).toEqual(['host', 'path', 'port', 'profileId', 'since', 'username']);
      expect(entry).toMatchObject({ profileId, host: '127.0.0.1', port: registry.port, username: registry.account.username });
      expect(String(entry.path)).toMatch(new RegExp(`/HL7-Dropoff/${leftName.replace(/\./g, '\\.')}$`));
      const text = readFileSync(join(dataDir, JOURNAL), 'utf8');
      expect(text).not.toMatch(/MSH|FHS|BHS|PID/);
      expect(text).not.toContain(registry.account.password);
    };

    it('left by the window: the message says so, the data folder remembers it, and the command line\'s next connection removes it', async () => {
      const file = await largeBatch(registry.account.username, '20261203_window');
      const app = newApp(3);
      await app.connect();
      app.onUpdate((t) => t.direction === 'upload' && t.state === 'sending' && t.bytes > 0, freeze);
      const started = await app.call('upload', { localPath: file.path });
      if (!started.ok) throw new Error(started.message);
      const final = await app.finished(started.transfer.id, 60_000);

      expect(final.state).toBe('failed');
      expect(final.message.startsWith(`${file.name} was not delivered. `)).toBe(true);
      expect(final.message.endsWith(` ${NOTE}`)).toBe(true);
      expect(final.message).not.toMatch(/Nothing was changed|no partial file/);
      const history = await app.call('listHistory', { limit: 1 });
      expect(history.ok && history.entries[0]).toMatchObject({ remoteName: file.name, result: 'failed', error: final.message });

      const left = dropoff();
      expect(left).toHaveLength(1);
      expect(left[0]).toMatch(HIDDEN_TEMPORARY);
      expectWrittenDown(app.dataDir, left[0] as string);

      thaw();
      // Still there: nothing removes it until a connection to the account is made.
      expect(dropoff()).toEqual(left);
      const listed = await cli(['list', 'HL7-Dropoff', '--timeout', '30'], app.dataDir);
      expect(listed.stderr).toBe('');
      expect(listed.code).toBe(0);
      expect(dropoff()).toEqual([]);
      expect(journalOf(app.dataDir).entries).toEqual([]);
    });

    it('left by the command line: it prints so, the data folder remembers it, and the window\'s next connection removes it', async () => {
      const file = await largeBatch(registry.account.username, '20261203_cli');
      // The window's data folder, shared with the command line as on a clinic's computer; not connected yet.
      const app = newApp();
      const args = [CLI_LAUNCHER, 'upload', file.path, ...connection(app.dataDir), '--timeout', '3'];
      const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: cliEnv(scratch, registry.account.password) });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', () => undefined);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // Stop the server as soon as the temporary copy exists on its disk.
      await until('the temporary copy to appear on the server', () => dropoff().some((n) => HIDDEN_TEMPORARY.test(n)) || child.exitCode !== null, 60_000);
      freeze();
      const left = dropoff();
      expect(left).toHaveLength(1);
      expect(left[0]).toMatch(HIDDEN_TEMPORARY);

      expect(await exited).not.toBe(0);
      expect(stdout).toContain(`Not sent: ${file.name} was not delivered. `);
      expect(stdout).toContain(` ${NOTE}`);
      expect(stdout).not.toMatch(/Nothing was changed|no partial file/);
      expect(stdout.trimEnd().split('\n').at(-1)).toBe('0 sent, 1 failed.');
      expectWrittenDown(app.dataDir, left[0] as string);

      thaw();
      expect(dropoff()).toEqual(left);
      await app.connect();
      expect(dropoff()).toEqual([]);
      expect(journalOf(app.dataDir).entries).toEqual([]);
    });

    if (tag === 'WL2') {
      it('left by a disconnect while an FTPS file is on its way: written down for that account, removed on the next connection', async () => {
        const file = await largeBatch(registry.account.username, '20261203_disconnect');
        const app = newApp();
        await app.connect();
        app.onUpdate((t) => t.direction === 'upload' && t.state === 'sending' && t.bytes > 0, () => void app.call('disconnect', {}));
        const started = await app.call('upload', { localPath: file.path });
        if (!started.ok) throw new Error(started.message);
        const final = await app.finished(started.transfer.id, 60_000);

        // basic-ftp ends the connection to stop a transfer, and the session is gone: the copy stays for now.
        expect(final).toMatchObject({ state: 'cancelled', message: `Cancelled. Nothing was delivered. ${NOTE}` });
        const left = dropoff();
        expect(left).toHaveLength(1);
        expect(left[0]).toMatch(HIDDEN_TEMPORARY);
        expectWrittenDown(app.dataDir, left[0] as string);

        await app.connect();
        expect(dropoff()).toEqual([]);
        expect(journalOf(app.dataDir).entries).toEqual([]);
      });
    }
  });
}
