// Replacing a file still waiting in the dropoff (issue 11, item 8; the window's "Send and replace",
// the command line's --replace). Where the server can, in one step: OpenSSH's
// posix-rename@openssh.com puts the new file over the old one, so there is never a moment without
// one of them under the name. Elsewhere in an order that never leaves neither: the new file is sent
// whole under a temporary name, the waiting file is moved aside, the new one renamed in, and only
// then the old one removed (vsftpd). Where the server refuses the rename in (ProFTPD told to deny
// it), the old file is put back and the message says so; where it refuses putting it back too, the
// message names where each file is, and the app removes neither.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../support/cli-runner';
import { hl7Batch } from '../support/hl7-samples';
import { startProftpd, type ProftpdServer } from '../support/proftpd';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';
import { openApp, proftpdFtpsRegistry, until, type App, type TestRegistry } from '../support/transfer-harness';
import { startVsftpd, type FtpsServer } from '../support/vsftpd';

const TEXAS_FILE_RULES = { extension: '.HL7', importCodeInName: true };
const TEAM = 'Texas Immunization Registry Interoperability Team';

let scratch: string;
const apps: App[] = [];
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-whole-replace-'));
});
afterAll(async () => {
  await Promise.all(apps.splice(0).map((app) => app.dispose()));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A file already waiting in the dropoff, and the new one of the same name on this computer. */
function waitingAndNew(importCode: string, dropoffDir: string, label: string): { name: string; path: string; old: Buffer; fresh: Buffer } {
  const name = `${importCode}_20261203_${label}.HL7`;
  const old = hl7Batch({ importCode, messages: 2, variant: 'OLD' });
  const fresh = hl7Batch({ importCode, messages: 5, variant: 'NEW' });
  writeFileSync(join(dropoffDir, name), old);
  const dir = mkdtempSync(join(scratch, 'local-'));
  const path = join(dir, name);
  writeFileSync(path, fresh);
  return { name, path, old, fresh };
}

const cli = (args: string[], password: string) => runCli(args, cliEnv(scratch, password));

describe('over OpenSSH: one posix-rename, from the command line with --replace', () => {
  let sshd: SshServer;
  beforeAll(async () => {
    sshd = await startSshd({ tag: 'WK1' });
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('puts the new file over the waiting one in one step: the waiting file is never removed or moved aside', async () => {
    const dropoffDir = join(sshd.home.accountDir, 'HL7-Dropoff');
    const file = waitingAndNew(sshd.home.username, dropoffDir, 'atomic');
    const profileFile = join(scratch, 'openssh.json');
    writeFileSync(profileFile, JSON.stringify({ ...localTexasProfile(sshd.port, 'whole-replace-openssh'), files: TEXAS_FILE_RULES }));
    const connection = ['--profile', profileFile, '--user', sshd.home.username, '--password-env', 'RT_PASSWORD', '--trust', sshd.fingerprint, '--data-dir', join(scratch, 'data-openssh')];

    // Without --replace nothing is touched.
    const refused = await cli(['upload', file.path, ...connection], sshd.home.password);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain('To replace it, run again with --replace.');
    expect(readFileSync(join(dropoffDir, file.name))).toEqual(file.old);

    // What happens to names in the dropoff, as the kernel reports it (inotify): sshd's internal-sftp
    // logs to syslog, which this machine does not have, so its own log cannot show the requests.
    const seen: [string, string][] = [];
    const watcher = watch(dropoffDir, (event, name) => seen.push([event, String(name)]));
    let run: Awaited<ReturnType<typeof cli>>;
    try {
      run = await cli(['upload', file.path, ...connection, '--replace'], sshd.home.password);
      // The temporary copy's second name event (created, then renamed away) comes after any other.
      await until('the temporary copy to be renamed away', () => {
        const temp = seen.find(([, n]) => /^\.upload-[0-9a-f]{12}\.rt-partial$/.test(n))?.[1];
        return temp !== undefined && seen.filter(([e, n]) => e === 'rename' && n === temp).length >= 2;
      }, 30_000);
    } finally {
      watcher.close();
    }
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`Sent: \\S*/HL7-Dropoff/${escaped(file.name)}, ${file.fresh.length.toLocaleString("en-US")} bytes`));
    expect(readdirSync(dropoffDir)).toEqual([file.name]);
    expect(readFileSync(join(dropoffDir, file.name))).toEqual(file.fresh);

    // One event for the name: the new file arriving over the old one. Never a second (the old one
    // removed or moved away first), never a name the old one was moved aside to.
    expect(seen.filter(([, n]) => n === file.name)).toEqual([['rename', file.name]]);
    expect(seen.filter(([, n]) => n.startsWith('.replaced-'))).toEqual([]);
  });
});

describe('over vsftpd (FTPS): moved aside, renamed in, the old one removed last', () => {
  let vsftpd: FtpsServer;
  beforeAll(async () => {
    vsftpd = await startVsftpd({ mode: 'explicit', tag: 'WK2' });
  });
  afterAll(async () => {
    await vsftpd?.stop();
  });

  it('replaces the waiting file in an order that always leaves one of the two, and leaves nothing else', async () => {
    const dropoffDir = join(vsftpd.account.accountDir, 'HL7-Dropoff');
    const file = waitingAndNew(vsftpd.account.username, dropoffDir, 'ordered');
    const registry: TestRegistry = {
      protocol: 'ftps',
      label: 'vsftpd',
      port: vsftpd.port,
      account: vsftpd.account,
      dropoffDir,
      profile: (id, overrides = {}) => ({ ...vsftpd.profile(id), files: TEXAS_FILE_RULES, ...overrides }),
      log: () => vsftpd.log(),
      processes: () => ({ listener: 0, sessions: [] }),
      stop: () => vsftpd.stop(),
    };
    const app = openApp(registry, { profileId: 'whole-replace-vsftpd' });
    apps.push(app);
    await app.connect();
    const logBefore = vsftpd.log().length;
    const started = await app.call('upload', { localPath: file.path, acceptWarnings: ['replace'] });
    if (!started.ok) throw new Error(started.message);
    const final = await app.finished(started.transfer.id, 60_000);

    expect(final).toMatchObject({ state: 'done', message: `Delivered: ${file.name} is in the dropoff folder, ${file.fresh.length.toLocaleString('en-US')} bytes, checked.` });
    expect(readdirSync(dropoffDir)).toEqual([file.name]);
    expect(readFileSync(join(dropoffDir, file.name))).toEqual(file.fresh);

    const commands = [...vsftpd.log().slice(logBefore).matchAll(/"((?:STOR|RNFR|RNTO|DELE) [^"]*)"/g)].map((m) => m[1] as string);
    const temp = /^STOR (\/HL7-Dropoff\/\.upload-[0-9a-f]{12}\.rt-partial)$/.exec(commands[0] ?? '')?.[1];
    const aside = /^RNTO (\/HL7-Dropoff\/\.replaced-[0-9a-f]{12}\.rt-partial)$/.exec(commands[2] ?? '')?.[1];
    expect(temp).toBeDefined();
    expect(aside).toBeDefined();
    expect(commands).toEqual([`STOR ${temp}`, `RNFR /HL7-Dropoff/${file.name}`, `RNTO ${aside}`, `RNFR ${temp}`, `RNTO /HL7-Dropoff/${file.name}`, `DELE ${aside}`]);
  });
});

describe('over ProFTPD when the server refuses the rename in', () => {
  let server: ProftpdServer;
  let registry: TestRegistry;
  beforeAll(async () => {
    // mod_core's DenyFilter inside <Limit RNFR>: a RNFR whose argument matches is refused
    // ("550 Forbidden filename"); the waiting file may still be moved aside and back.
    server = await startProftpd({ tag: 'WK3', extraConfig: '  <Limit RNFR>\n    DenyFilter "/\\.upload-"\n  </Limit>' });
    registry = proftpdFtpsRegistry(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('puts the waiting file back under its name, removes the new copy, and says exactly that', async () => {
    const file = waitingAndNew(server.account.username, server.dropoffDir, 'putback');
    const app = openApp(registry, { profileId: 'whole-replace-putback' });
    apps.push(app);
    await app.connect();
    const started = await app.call('upload', { localPath: file.path, acceptWarnings: ['replace'] });
    if (!started.ok) throw new Error(started.message);
    const final = await app.finished(started.transfer.id, 60_000);

    expect(final.state).toBe('failed');
    expect(readdirSync(server.dropoffDir)).toEqual([file.name]);
    expect(readFileSync(join(server.dropoffDir, file.name))).toEqual(file.old);
    expect(final.message).toMatch(
      new RegExp(
        `^${escaped(file.name)} was not delivered: the new copy could not be renamed from \\.upload-[0-9a-f]{12}\\.rt-partial to ${escaped(file.name)} ` +
          `\\(it answered “550 [^”]*”\\)\\. The file that was already waiting in HL7-Dropoff is back under its name, unchanged\\.$`,
      ),
    );
    const history = await app.call('listHistory', { limit: 1 });
    expect(history.ok && history.entries[0]).toMatchObject({ remoteName: file.name, result: 'failed', error: final.message });
    rmSync(join(server.dropoffDir, file.name));
  });
});

describe('over ProFTPD when the server refuses both the rename in and putting the waiting file back', () => {
  let server: ProftpdServer;
  beforeAll(async () => {
    server = await startProftpd({ tag: 'WK4', extraConfig: '  <Limit RNFR>\n    DenyFilter "/\\.(upload|replaced)-"\n  </Limit>' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('from the command line: names where each file is, removes neither, and does not say "Not sent"', async () => {
    const file = waitingAndNew(server.account.username, server.dropoffDir, 'neither');
    const profileFile = join(scratch, 'proftpd-neither.json');
    writeFileSync(profileFile, JSON.stringify({ ...server.ftpsProfile('whole-replace-neither'), files: TEXAS_FILE_RULES }));
    const dataDir = join(scratch, 'data-neither');
    const fingerprint = server.fingerprint;
    const run = await cli(
      ['upload', file.path, '--replace', '--profile', profileFile, '--user', server.account.username, '--password-env', 'RT_PASSWORD', '--trust', fingerprint, '--data-dir', dataDir],
      server.account.password,
    );
    expect(run.code).not.toBe(0);

    const onServer = readdirSync(server.dropoffDir).sort();
    expect(onServer).toHaveLength(2);
    const aside = onServer.find((n) => /^\.replaced-[0-9a-f]{12}\.rt-partial$/.test(n)) as string;
    const temp = onServer.find((n) => /^\.upload-[0-9a-f]{12}\.rt-partial$/.test(n)) as string;
    expect(aside).toBeDefined();
    expect(temp).toBeDefined();
    expect(readFileSync(join(server.dropoffDir, aside))).toEqual(file.old);
    expect(readFileSync(join(server.dropoffDir, temp))).toEqual(file.fresh);

    const line = run.stdout.split('\n').find((l) => l.includes(`${file.name} was not delivered`)) ?? '';
    expect(line).toMatch(
      new RegExp(
        `^ {2}Failed: ${escaped(file.name)} was not delivered: the new copy could not be renamed from ${escaped(temp)} to ${escaped(file.name)} \\(it answered “550 [^”]*”\\), ` +
          `and the file that was waiting could not be put back \\(it answered “550 [^”]*”\\)\\. Both are in HL7-Dropoff: the file that was waiting under the hidden name ${escaped(aside)}, ` +
          `the new copy under the hidden name ${escaped(temp)}; none is under the name ${escaped(file.name)} now, and the registry does not process either\\. Ask ${TEAM} before sending again\\.$`,
      ),
    );
    // Neither copy is written down for removal: each is the only copy of its file on the registry.
    const journal = join(dataDir, 'upload-leftovers.json');
    expect(existsSync(journal) ? JSON.parse(readFileSync(journal, 'utf8')) : []).toEqual([]);
  });
});
