// Files that must arrive whole, and the truth about what is left on the server (issue 11, items 6-9),
// against the server products that behave that way: ProFTPD with a write-only dropoff (Colorado's
// rights, `list, write`), Pure-FTPd refusing names that start with a dot (`-x`), OpenSSH replacing a
// waiting file with posix-rename@openssh.com, vsftpd replacing one with plain FTP renames, and a
// temporary file left by an earlier run removed on the next connection by the command line.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeftoverJournal } from '../../electron/engine/transfers/leftover-journal';
import { cliEnv, runCli } from '../support/cli-runner';
import { hl7Batch } from '../support/hl7-samples';
import { startProftpd, type ProftpdServer } from '../support/proftpd';
import { startPureFtpd, type PureFtpdServer } from '../support/pure-ftpd';
import { openApp, proftpdFtpsRegistry, pureFtpdRegistry, startRegistry, type App, type TestRegistry } from '../support/transfer-harness';


let localDir: string;
const apps: App[] = [];
beforeAll(() => {
  localDir = mkdtempSync(join(tmpdir(), 'rt-whole-'));
});
afterAll(async () => {
  await Promise.all(apps.splice(0).map((app) => app.dispose()));
  if (localDir) rmSync(localDir, { recursive: true, force: true });
});

/** A batch named as the registry wants it (import code first), written on this computer. */
function batch(importCode: string, name: string, variant = 'A'): { path: string; bytes: Buffer } {
  const bytes = hl7Batch({ importCode, messages: 4, variant });
  const path = join(localDir, `${importCode}_${name}.HL7`);
  writeFileSync(path, bytes);
  return { path, bytes };
}

async function connected(registry: TestRegistry, profile: Record<string, unknown>): Promise<App> {
  const app = openApp(registry, { profileId: String(profile.id), profile });
  apps.push(app);
  await app.connect();
  return app;
}

async function upload(app: App, localPath: string, acceptWarnings: string[] = []) {
  const started = await app.call('upload', { localPath, acceptWarnings });
  if (!started.ok) throw new Error(started.message);
  return app.finished(started.transfer.id, 60_000);
}

/** The profile's folders with the dropoff given `rights`. */
function withDropoffRights(profile: Record<string, unknown>, rights: string[]): Record<string, unknown> {
  const folders = (profile.folders as { role: string }[]).map((f) => (f.role === 'dropoff' ? { ...f, rights } : f));
  return { ...profile, folders };
}

describe('a write-only dropoff (ProFTPD: rename and delete denied, as Colorado gives list, write)', () => {
  let server: ProftpdServer;
  let registry: TestRegistry;
  beforeAll(async () => {
    server = await startProftpd({ tag: 'WO', writeOnlyDropoff: true });
    registry = proftpdFtpsRegistry(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('with the rights list, write: sends straight to the final name, checks the size, and leaves no other copy', async () => {
    const app = await connected(registry, withDropoffRights(registry.profile('whole-wo-colorado'), ['list', 'write']));
    const file = batch(registry.account.username, '20261203_colorado');
    const final = await upload(app, file.path);
    expect(final.state).toBe('done');
    expect(readdirSync(server.dropoffDir)).toEqual([`${registry.account.username}_20261203_colorado.HL7`]);
    expect(readFileSync(join(server.dropoffDir, `${registry.account.username}_20261203_colorado.HL7`))).toEqual(file.bytes);
    expect(server.log()).not.toMatch(/RNFR|DELE/);
    rmSync(join(server.dropoffDir, `${registry.account.username}_20261203_colorado.HL7`));
  });

  it('with a profile that claims rename: the refused rename is met by removing the copy and sending straight; where even that is refused, the message names the copy left', async () => {
    // ProFTPD denies both RNFR and DELE here, so the whole file stays under its temporary name:
    // the user must hear exactly that, not "Not sent".
    const app = await connected(registry, withDropoffRights(registry.profile('whole-wo-texas'), ['list', 'read', 'write', 'rename', 'delete']));
    const file = batch(registry.account.username, '20261203_claims_rename');
    const final = await upload(app, file.path);
    expect(final.state).toBe('failed');
    const onServer = readdirSync(server.dropoffDir);
    expect(onServer).toHaveLength(1);
    const [left] = onServer as [string];
    expect(left).toMatch(/^\.upload-[0-9a-f]{12}\.rt-partial$/);
    expect(readFileSync(join(server.dropoffDir, left))).toEqual(file.bytes);
    expect(final.message).toContain(`was sent whole, but the registry's server allowed neither renaming it from its temporary name ${left} in HL7-Dropoff nor removing it`);
    expect(final.message).toContain(`do not send ${registry.account.username}_20261203_claims_rename.HL7 again before asking`);
    expect(final.message).not.toMatch(/Nothing was (changed|delivered)|no partial file/);
    const history = await app.call('listHistory', { limit: 1 });
    expect(history.ok && history.entries[0]).toMatchObject({ result: 'failed', error: final.message });
    rmSync(join(server.dropoffDir, left));
  });
});

describe('a server that refuses renames in the dropoff but allows deletes (ProFTPD), whatever the profile says', () => {
  let server: ProftpdServer;
  let registry: TestRegistry;
  beforeAll(async () => {
    server = await startProftpd({
      tag: 'WN',
      extraConfig: ['  <Directory /srv/registry-transfer-tests/proftpd-*/home/TXWNPR/HL7-Dropoff>', '    <Limit RNFR RNTO>', '      DenyAll', '    </Limit>', '  </Directory>'].join('\n'),
    });
    registry = proftpdFtpsRegistry(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('removes the refused temporary copy and sends straight to the final name; the next file goes straight away', async () => {
    const app = await connected(registry, withDropoffRights(registry.profile('whole-norename'), ['list', 'read', 'write', 'rename', 'delete']));
    const first = batch(registry.account.username, '20261203_norename_1', 'A');
    const second = batch(registry.account.username, '20261203_norename_2', 'B');
    // Queued together, as a clinic drops a batch: they share one connection.
    const started = [await app.call('upload', { localPath: first.path, acceptWarnings: [] }), await app.call('upload', { localPath: second.path, acceptWarnings: [] })];
    for (const s of started) {
      if (!s.ok) throw new Error(s.message);
      expect(await app.finished(s.transfer.id, 60_000)).toMatchObject({ state: 'done' });
    }
    expect(readdirSync(server.dropoffDir).sort()).toEqual([`${registry.account.username}_20261203_norename_1.HL7`, `${registry.account.username}_20261203_norename_2.HL7`]);
    expect(readFileSync(join(server.dropoffDir, `${registry.account.username}_20261203_norename_1.HL7`))).toEqual(first.bytes);
    await server.sessionsEnded().catch(() => undefined);
    // One refused rename taught the app this server's way: the second file was not tried under a
    // temporary name on the same connection.
    const log = server.log();
    expect(log.match(/\] RNFR /g) ?? []).toHaveLength(1);
    expect(log).toMatch(/\] DELE \S+ \/HL7-Dropoff\/\.upload-[0-9a-f]{12}\.rt-partial -> 250/);
  });
});

describe('a replacement the server does not allow (ProFTPD PathDenyFilter on the waiting file\'s name)', () => {
  let server: ProftpdServer;
  let registry: TestRegistry;
  beforeAll(async () => {
    server = await startProftpd({ tag: 'WP', extraConfig: '  PathDenyFilter "_stuck\\.HL7$"' });
    registry = proftpdFtpsRegistry(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('keeps the waiting file as it was, removes the new copy, and says so (never "deleted and nothing delivered")', async () => {
    const name = `${registry.account.username}_20261203_stuck.HL7`;
    const old = hl7Batch({ importCode: registry.account.username, messages: 2, variant: 'OLD' });
    writeFileSync(join(server.dropoffDir, name), old);
    const app = await connected(registry, registry.profile('whole-stuck'));
    const file = batch(registry.account.username, '20261203_stuck', 'NEW');
    const final = await upload(app, file.path, ['replace']);
    expect(final.state).toBe('failed');
    expect(readdirSync(server.dropoffDir)).toEqual([name]);
    expect(readFileSync(join(server.dropoffDir, name))).toEqual(old);
    expect(final.message).toMatch(new RegExp(`^${name.replace(/\./g, '\\.')} was not delivered: the file with that name already waiting in HL7-Dropoff could not be moved aside to be replaced \\(.*\\)\\. The waiting file is unchanged\\.$`));
  });
});

describe('a server that refuses names starting with a dot (Pure-FTPd -x)', () => {
  let server: PureFtpdServer;
  let registry: TestRegistry;
  beforeAll(async () => {
    server = await startPureFtpd({ tag: 'WX', prohibitDotFilesWrite: true });
    registry = pureFtpdRegistry(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('sends under a temporary name without the dot, renames it, and asks only once per connection', async () => {
    const app = await connected(registry, registry.profile('whole-dot'));
    const first = batch(registry.account.username, '20261203_first', 'A');
    const second = batch(registry.account.username, '20261203_second', 'B');
    const started = [await app.call('upload', { localPath: first.path, acceptWarnings: [] }), await app.call('upload', { localPath: second.path, acceptWarnings: [] })];
    for (const s of started) {
      if (!s.ok) throw new Error(s.message);
      expect(await app.finished(s.transfer.id, 60_000)).toMatchObject({ state: 'done' });
    }
    expect(readdirSync(server.dropoffDir).sort()).toEqual([`${registry.account.username}_20261203_first.HL7`, `${registry.account.username}_20261203_second.HL7`]);
    expect(readFileSync(join(server.dropoffDir, `${registry.account.username}_20261203_second.HL7`))).toEqual(second.bytes);
    await server.sessionsEnded().catch(() => undefined);
    const log = server.log();
    // The undotted temporary name went up, never a name that ends as the registry's batches do.
    expect(log).toMatch(/\[stor\] \[\/?[^\]]*upload-[0-9a-f]{12}\.rt-partial\]/i);
    // One dotted name was tried (and refused), then the server's way was kept for the second file.
    expect(log.match(/Command \[stor\] \[[^\]]*\/\.upload-/g) ?? []).toHaveLength(1);
    expect(log.match(/Command \[stor\] \[[^\]]*\/upload-/g) ?? []).toHaveLength(2);
  });
});

for (const [flavour, tag] of [
  [{ protocol: 'sftp' as const }, 'WR1'],
  [{ protocol: 'ftps' as const, tls: 'explicit' as const }, 'WR2'],
] as const) {
  describe(`replacing a file waiting in the dropoff over ${flavour.protocol.toUpperCase()}`, () => {
    let registry: TestRegistry;
    beforeAll(async () => {
      registry = await startRegistry(flavour, tag);
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it('puts the new file in the old one\'s place and leaves nothing else', async () => {
      const name = `${registry.account.username}_20261203_replace.HL7`;
      writeFileSync(join(registry.dropoffDir, name), hl7Batch({ importCode: registry.account.username, messages: 2, variant: 'OLD' }));
      const app = await connected(registry, registry.profile(`whole-replace-${tag.toLowerCase()}`));
      const file = batch(registry.account.username, '20261203_replace', 'NEW');
      const check = await app.call('checkUpload', { localPath: file.path });
      expect(check.ok && check.check.warningIds).toContain('replace');
      const final = await upload(app, file.path, ['replace']);
      expect(final.state).toBe('done');
      expect(readdirSync(registry.dropoffDir)).toEqual([name]);
      expect(readFileSync(join(registry.dropoffDir, name))).toEqual(file.bytes);
      rmSync(join(registry.dropoffDir, name));
    });
  });
}

describe('a temporary file left by an earlier run', () => {
  let registry: TestRegistry;
  let scratch: string;
  beforeAll(async () => {
    registry = await startRegistry({ protocol: 'sftp' }, 'WJ');
    scratch = mkdtempSync(join(tmpdir(), 'rt-whole-cli-'));
  });
  afterAll(async () => {
    await registry?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('is removed by the command line on its next connection to that account, and crossed off the data folder\'s list', async () => {
    const profile = registry.profile('whole-journal');
    const profileFile = join(scratch, 'profile.json');
    writeFileSync(profileFile, JSON.stringify(profile));
    const dataDir = join(scratch, 'data');
    const leftName = '.upload-0123456789ab.rt-partial';
    writeFileSync(join(registry.dropoffDir, leftName), 'MSH|part of a batch');
    const run = (...more: string[]) =>
      runCli(
        ['list', 'HL7-Dropoff', '--profile', profileFile, '--user', registry.account.username, '--password-env', 'RT_PASSWORD', '--data-dir', dataDir, '--timeout', '30', ...more],
        cliEnv(scratch, registry.account.password),
      );

    // Not trusted yet: nothing is touched on a server the user has not accepted.
    const journal = LeftoverJournal.inDataDir(dataDir);
    const account = { profileId: 'whole-journal', host: '127.0.0.1', port: registry.port, username: registry.account.username };
    journal.remember(account, '/an/earlier/path/.upload-aaaaaaaaaaaa.rt-partial');
    const untrusted = await run();
    expect(untrusted.stderr).toContain('not a trusted server yet');
    expect(readdirSync(registry.dropoffDir)).toContain(leftName);
    const fingerprint = /SHA256:[A-Za-z0-9+/]{43}/.exec(untrusted.stderr)?.[0];
    expect(fingerprint).toBeDefined();

    // Trusted, the first run lists the folder (and crosses off the file that is not there any more).
    const first = await run('--trust', fingerprint as string, '--json');
    expect(first.code).toBe(0);
    expect(journal.pending(account)).toEqual([]);
    const dropoffPath = (JSON.parse(first.stdout) as { folders: { role: string; path: string }[] }).folders.find((f) => f.role === 'dropoff')?.path;
    expect(dropoffPath).toBeDefined();
    const remotePath = `${dropoffPath}/${leftName}`;
    journal.remember(account, remotePath);
    // Another account's leftover is not this connection's to touch.
    journal.remember({ ...account, username: 'SOMEONEELSE' }, remotePath);

    const next = await run();
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    expect(readdirSync(registry.dropoffDir)).not.toContain(leftName);
    expect(next.stdout).not.toContain('rt-partial');
    expect(journal.pending(account)).toEqual([]);
    expect(journal.pending({ ...account, username: 'SOMEONEELSE' })).toEqual([remotePath]);
  });
});
