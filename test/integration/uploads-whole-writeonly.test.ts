// A write-only dropoff (issue 11, item 6), as Colorado gives its inbound folder (`list, write`):
// ProFTPD denies RNFR, RNTO and DELE there, so a file sent under a temporary name could never be
// renamed or removed. The app sends straight to the final name and checks the size after, from the
// window and from the command line alike; and where such a file does not arrive whole (the
// server's session is killed in the middle of it), the message says that part of it may be there
// under its own name instead of "Not sent" or "Nothing was changed". A waiting file is replaced by
// writing over it; where the server refuses that, the waiting file is said to be as it was, and
// where the writing over it breaks off (a dropoff that allows deleting), the part is removed and
// the message says that no file of that name is there now.
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../support/cli-runner';
import { hl7Batch, writeLargeHl7Batch } from '../support/hl7-samples';
import { startProftpd, type ProftpdServer } from '../support/proftpd';
import { openApp, proftpdFtpsRegistry, signal, type App, type TestRegistry } from '../support/transfer-harness';

const TEXAS_FILE_RULES = { extension: '.HL7', importCodeInName: true };
const TEAM = 'Texas Immunization Registry Interoperability Team';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-whole-writeonly-'));
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A file already waiting in the dropoff, as the account itself sent it earlier (its owner is the account). */
function waitingFile(server: ProftpdServer, name: string, bytes: Buffer): void {
  const path = join(server.dropoffDir, name);
  writeFileSync(path, bytes);
  execFileSync('chown', [server.account.username, path]);
}

let large: Promise<string> | undefined;
/** A batch large enough that it is still on its way when the first bytes are reported. */
async function largeBatch(importCode: string, label: string): Promise<{ path: string; name: string; size: number }> {
  large ??= writeLargeHl7Batch(join(scratch, 'large.HL7'), { importCode: 'CLINIC', minBytes: 64 * 1024 * 1024 }).then(() => join(scratch, 'large.HL7'));
  const name = `${importCode}_20261203_${label}.HL7`;
  const path = join(scratch, name);
  if (!existsSync(path)) linkSync(await large, path);
  return { path, name, size: statSync(path).size };
}

describe('a write-only dropoff (ProFTPD: RNFR, RNTO and DELE denied)', () => {
  let server: ProftpdServer;
  let registry: TestRegistry;
  const apps: App[] = [];
  beforeAll(async () => {
    server = await startProftpd({ tag: 'WW1', writeOnlyDropoff: true });
    // Started write-only, its profile gives the dropoff list, write: Colorado's rights.
    registry = proftpdFtpsRegistry(server);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.dispose()));
    for (const name of readdirSync(server.dropoffDir)) rmSync(join(server.dropoffDir, name), { force: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const connected = async (profileId: string) => {
    const app = openApp(registry, { profileId });
    apps.push(app);
    await app.connect();
    return app;
  };
  /** Kill the server's session at the first bytes of the upload; the listener stays for new connections. */
  const killSessionAtFirstBytes = (app: App) =>
    app.onUpdate(
      (t) => t.direction === 'upload' && t.state === 'sending' && t.bytes > 0,
      () => signal(server.processes().sessions, 'SIGKILL'),
    );

  it('from the command line: sent straight to its name, the size checked, no rename or delete tried', async () => {
    const name = `${server.account.username}_20261203_cli.HL7`;
    const path = join(mkdtempSync(join(scratch, 'cli-')), name);
    const bytes = hl7Batch({ importCode: server.account.username, messages: 3, variant: 'CLI' });
    writeFileSync(path, bytes);
    const profileFile = join(scratch, 'colorado-shaped.json');
    writeFileSync(profileFile, JSON.stringify(registry.profile('whole-writeonly-cli')));
    const logBefore = server.log().length;
    const args = ['upload', path, '--profile', profileFile, '--user', server.account.username, '--password-env', 'RT_PASSWORD', '--trust', server.fingerprint, '--data-dir', join(scratch, 'data-cli')];
    const run = await runCli(args, cliEnv(scratch, server.account.password));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Sent: /HL7-Dropoff/${name}, ${bytes.length.toLocaleString('en-US')} bytes`);
    expect(readdirSync(server.dropoffDir)).toEqual([name]);
    expect(readFileSync(join(server.dropoffDir, name))).toEqual(bytes);
    await server.sessionsEnded().catch(() => undefined);
    const log = server.log().slice(logBefore);
    expect(log).toMatch(new RegExp(`STOR /HL7-Dropoff/${escaped(name)} -> 226`));
    expect(log).not.toMatch(/RNFR|RNTO|DELE|rt-partial/);
  });

  it('a session killed in the middle of the file: part of it may be there under its own name, and the message says so', async () => {
    const file = await largeBatch(server.account.username, 'killed');
    const app = await connected('whole-writeonly-killed');
    killSessionAtFirstBytes(app);
    const started = await app.call('upload', { localPath: file.path, acceptWarnings: [] });
    if (!started.ok) throw new Error(started.message);
    const final = await app.finished(started.transfer.id, 60_000);

    expect(final.state).toBe('failed');
    expect(final.message).toBe(
      `${file.name} was not delivered. The connection to 127.0.0.1 port ${server.port} was dropped by the server or the network. ` +
        `This registry's HL7-Dropoff folder takes files under their own names, so part of ${file.name} may be there now, and the registry may process it: ` +
        `tell the registry's support team (${TEAM}) before sending it again.`,
    );
    // What the message warns of is what is there: the file under its own name, short.
    expect(readdirSync(server.dropoffDir)).toEqual([file.name]);
    expect(statSync(join(server.dropoffDir, file.name)).size).toBeLessThan(file.size);
    const history = await app.call('listHistory', { limit: 1 });
    expect(history.ok && history.entries[0]).toMatchObject({ remoteName: file.name, result: 'failed', error: final.message });
  });

  it('replacing a waiting file: written over in place, straight to its name, and the size checked', async () => {
    const name = `${server.account.username}_20261203_replaced.HL7`;
    waitingFile(server, name, hl7Batch({ importCode: server.account.username, messages: 2, variant: 'OLD' }));
    const path = join(mkdtempSync(join(scratch, 'replaced-')), name);
    const fresh = hl7Batch({ importCode: server.account.username, messages: 4, variant: 'NEW' });
    writeFileSync(path, fresh);
    const app = await connected('whole-writeonly-replaced');
    const logBefore = server.log().length;
    const started = await app.call('upload', { localPath: path, acceptWarnings: ['replace'] });
    if (!started.ok) throw new Error(started.message);
    expect(await app.finished(started.transfer.id, 60_000)).toMatchObject({ state: 'done' });
    expect(readdirSync(server.dropoffDir)).toEqual([name]);
    expect(readFileSync(join(server.dropoffDir, name))).toEqual(fresh);
    expect(server.log().slice(logBefore)).not.toMatch(/RNFR|RNTO|DELE|rt-partial/);
  });

  it('replacing a waiting file the server will not let the account write over: the message says it was left as it was', async () => {
    const name = `${server.account.username}_20261203_kept.HL7`;
    const old = hl7Batch({ importCode: server.account.username, messages: 2, variant: 'OLD' });
    // Owned by another user (as a registry's own processing may hold a file): the account cannot write it.
    writeFileSync(join(server.dropoffDir, name), old);
    const path = join(mkdtempSync(join(scratch, 'kept-')), name);
    writeFileSync(path, hl7Batch({ importCode: server.account.username, messages: 4, variant: 'NEW' }));
    const app = await connected('whole-writeonly-kept');
    const started = await app.call('upload', { localPath: path, acceptWarnings: ['replace'] });
    if (!started.ok) throw new Error(started.message);
    const final = await app.finished(started.transfer.id, 60_000);

    expect(final.state).toBe('failed');
    // ProFTPD answers 550 and resets the data connection it had opened; basic-ftp reports the reset
    // first, so the reason may read as a dropped connection. What is on the server is told exactly,
    // looked at over a new connection.
    expect(final.message.startsWith(`${name} was not delivered. `)).toBe(true);
    expect(final.message.endsWith(' The file already waiting in HL7-Dropoff under that name was left as it was.')).toBe(true);
    expect(final.message).not.toMatch(/may be there|in place of/);
    expect(readdirSync(server.dropoffDir)).toEqual([name]);
    expect(readFileSync(join(server.dropoffDir, name))).toEqual(old);
  });
});

describe('a dropoff without rename, with delete (ProFTPD: RNFR and RNTO denied; the profile gives list, write, delete)', () => {
  let server: ProftpdServer;
  let registry: TestRegistry;
  let app: App | undefined;
  beforeAll(async () => {
    server = await startProftpd({
      tag: 'WW2',
      extraConfig: ['  <Directory /srv/registry-transfer-tests/proftpd-*/home/TXWW2PR/HL7-Dropoff>', '    <Limit RNFR RNTO>', '      DenyAll', '    </Limit>', '  </Directory>'].join('\n'),
    });
    registry = {
      ...proftpdFtpsRegistry(server),
      profile: (id, overrides = {}) => {
        const profile = server.ftpsProfile(id);
        const folders = profile.folders.map((f) => (f.role === 'dropoff' ? { ...f, rights: ['list', 'write', 'delete'] } : f));
        return { ...profile, folders, files: TEXAS_FILE_RULES, ...overrides };
      },
    };
  });
  afterAll(async () => {
    await app?.dispose();
    await server?.stop();
  });

  it('replacing a waiting file, killed half way: the part written over it is removed, and the message says no file of that name is there now', async () => {
    const file = await largeBatch(server.account.username, 'overwritten');
    const old = hl7Batch({ importCode: server.account.username, messages: 2, variant: 'OLD' });
    waitingFile(server, file.name, old);
    app = openApp(registry, { profileId: 'whole-norename-overwritten' });
    await app.connect();
    app.onUpdate(
      (t) => t.direction === 'upload' && t.state === 'sending' && t.bytes > 0,
      () => signal(server.processes().sessions, 'SIGKILL'),
    );
    const started = await app.call('upload', { localPath: file.path, acceptWarnings: ['replace'] });
    if (!started.ok) throw new Error(started.message);
    const final = await app.finished(started.transfer.id, 60_000);

    expect(final.state).toBe('failed');
    expect(final.message).toBe(
      `${file.name} was not delivered. The connection to 127.0.0.1 port ${server.port} was dropped by the server or the network. ` +
        `The file that was waiting in HL7-Dropoff under that name had been overwritten by the part sent, and that part is gone too: no file named ${file.name} is there now. Send it again.`,
    );
    expect(readdirSync(server.dropoffDir)).toEqual([]);
    const history = await app.call('listHistory', { limit: 1 });
    expect(history.ok && history.entries[0]).toMatchObject({ remoteName: file.name, result: 'failed', error: final.message });
  });
});
