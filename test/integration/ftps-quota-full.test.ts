// A registry account whose storage quota is full (issue 12, item 6): Pure-FTPd with `--quota`
// refuses the file after STOR with 552 and deletes it. The app says so in plain words, as its own
// error code `quota-full` (not a permission: another name would not help, so the file is not tried
// again under the undotted temporary name), leaves nothing in the dropoff, and the command line
// exits 5 (refused by the registry), as it did when the code was `permission-denied`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../support/cli-runner';
import { hl7Batch } from '../support/hl7-samples';
import { startPureFtpd, type PureFtpdServer } from '../support/pure-ftpd';
import { openApp, pureFtpdRegistry, type App, type TestRegistry } from '../support/transfer-harness';

const QUOTA_FULL = 'The registry refused the file: the account is over its storage quota.';
/** At most this many files in the account (its whole home, the three Texas sample files included). */
const QUOTA_FILES = 5;

describe('a full storage quota (Pure-FTPd --quota)', () => {
  let server: PureFtpdServer;
  let registry: TestRegistry;
  let scratch: string;
  const apps: App[] = [];

  /**
   * Pure-FTPd keeps the account's count in `.ftpquota` at the top of its home, which is root's
   * here (the account may only list it): the count of what is there is written for it, as the
   * account's own file, so the server can keep it up to date.
   */
  function countExistingFiles(): void {
    const home = server.account.accountDir;
    const files = ['Accepted', 'DQA-Report', 'Receive', 'HL7-Dropoff'].flatMap((folder) => readdirSync(join(home, folder)).map((name) => join(home, folder, name)));
    const bytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
    writeFileSync(join(home, '.ftpquota'), `${files.length} ${bytes}\n`);
    execFileSync('chown', [server.account.username, join(home, '.ftpquota')]);
  }

  /** Fill the dropoff up to the quota, as files the account sent earlier. */
  function fillDropoff(): string[] {
    rmSync(join(server.account.accountDir, '.ftpquota'), { force: true });
    for (const name of readdirSync(server.dropoffDir)) rmSync(join(server.dropoffDir, name));
    const waiting: string[] = [];
    for (let day = 1; waiting.length + 3 < QUOTA_FILES; day++) {
      const name = `${server.account.username}_2026110${day}.HL7`;
      writeFileSync(join(server.dropoffDir, name), hl7Batch({ importCode: server.account.username }));
      execFileSync('chown', [server.account.username, join(server.dropoffDir, name)]);
      waiting.push(name);
    }
    countExistingFiles();
    return waiting;
  }

  const batchFile = (label: string) => {
    const name = `${server.account.username}_20261209_${label}.HL7`;
    const path = join(mkdtempSync(join(scratch, `${label}-`)), name);
    writeFileSync(path, hl7Batch({ importCode: server.account.username, messages: 2, variant: label }));
    return { name, path };
  };

  beforeAll(async () => {
    server = await startPureFtpd({ tag: 'QF', extraArgs: [`--quota=${QUOTA_FILES}:100`] });
    registry = pureFtpdRegistry(server);
    scratch = mkdtempSync(join(tmpdir(), 'rt-quota-full-'));
  }, 60_000);
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.dispose()));
  });
  afterAll(async () => {
    await server?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('from the window: said in plain words, tried once, nothing left in the dropoff, and written in the history', async () => {
    const waiting = fillDropoff();
    const app = openApp(registry, { profileId: 'quota-full-window' });
    apps.push(app);
    await app.connect();
    const file = batchFile('window');
    const logBefore = server.log().length;
    const started = await app.call('upload', { localPath: file.path, acceptWarnings: [] });
    if (!started.ok) throw new Error(started.message);
    const final = await app.finished(started.transfer.id, 60_000);

    expect(final.state).toBe('failed');
    expect(final.message).toBe(QUOTA_FULL);
    expect(readdirSync(server.dropoffDir).sort()).toEqual(waiting);
    // Not taken for a refused name: one STOR, not a second under the undotted temporary name.
    await server.sessionsEnded().catch(() => undefined);
    const stored = server.log().slice(logBefore).split('\n').filter((line) => /Command \[stor\]/.test(line));
    expect(stored).toHaveLength(1);
    const history = await app.call('listHistory', { limit: 1 });
    expect(history.ok && history.entries[0]).toMatchObject({ remoteName: file.name, result: 'failed', error: QUOTA_FULL });
  });

  it('from the command line: exit status 5 (refused by the registry), the code quota-full, nothing left in the dropoff', async () => {
    const waiting = fillDropoff();
    const file = batchFile('cli');
    const profileFile = join(scratch, 'texas-pure-ftpd.json');
    writeFileSync(profileFile, JSON.stringify(registry.profile('quota-full-cli')));
    const args = ['upload', file.path, '--json', '--profile', profileFile, '--user', server.account.username, '--password-env', 'RT_PASSWORD', '--trust', server.fingerprint, '--data-dir', join(scratch, 'data-cli')];
    const run = await runCli(args, cliEnv(scratch, server.account.password));

    expect(run.code).toBe(5);
    const doc = JSON.parse(run.stdout) as { ok: boolean; exitCode: number; sent: number; failed: number; files: { name: string; code?: string; message: string }[] };
    expect(doc).toMatchObject({ ok: false, exitCode: 5, sent: 0, failed: 1 });
    expect(doc.files[0]).toMatchObject({ name: file.name, code: 'quota-full', message: expect.stringContaining(QUOTA_FULL) as string });
    expect(readdirSync(server.dropoffDir).sort()).toEqual(waiting);
  });
});
