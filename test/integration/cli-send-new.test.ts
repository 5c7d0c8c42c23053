// `registry-transfer send-new DIR` (issue 17, item 1) against Debian's OpenSSH and vsftpd, through the
// built CLI as a scheduled task runs it: three exported files, one the checks stop; a second run
// sends nothing new (and does not even connect); the stopped file is tried again once it changes;
// --move-to; two runs started together deliver each file once (each rename counted in the server's
// log); a run killed while it holds the account's lock leaves nothing stuck.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_LAUNCHER, cliEnv, runCli } from '../support/cli-runner';
import { writeHl7Batch } from '../support/hl7-samples';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';
import { startVsftpd, type FtpsServer } from '../support/vsftpd';

let scratch: string;
let counter = 0;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-send-new-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Target {
  profileFile: string;
  username: string;
  password: string;
  fingerprint: string;
  protocol: 'sftp' | 'ftps';
  dropoff: string;
  /** Lines of the server's log that show `name` put in place under its final name. */
  renamesOf(name: string): number;
  logins(): number;
}

/** How many runs recorded `name` as delivered, in every data folder of this file's runs. */
function deliveriesInHistory(name: string): number {
  let count = 0;
  for (const entry of readdirSync(scratch)) {
    const history = join(scratch, entry, 'transfers.jsonl');
    if (!entry.startsWith('data-') || !existsSync(history)) continue;
    for (const line of readFileSync(history, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const record = JSON.parse(line) as { remoteName: string; result: string; direction: string };
      if (record.direction === 'upload' && record.remoteName === name && record.result === 'done') count += 1;
    }
  }
  return count;
}

function exportFolder(): string {
  counter += 1;
  const dir = join(scratch, `EHR Export ${counter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function exportBatch(t: Target, dir: string, name: string, variant: string): Buffer {
  return writeHl7Batch(join(dir, name), { importCode: t.username, messages: 3, variant });
}

const args = (t: Target, dir: string, dataDir: string, ...more: string[]) => [
  'send-new', dir, '--profile', t.profileFile, '--protocol', t.protocol, '--user', t.username, '--password-env', 'RT_PASSWORD',
  '--trust', t.fingerprint, '--data-dir', dataDir, '--timeout', '20', ...more,
];
const sendNew = (t: Target, dir: string, dataDir: string, ...more: string[]) => runCli(args(t, dir, dataDir, ...more), cliEnv(scratch, t.password));

function sharedTests(target: () => Target) {
  it('sends the new files in name order, stops the bad one, then sends nothing new without connecting, and the fixed file once it changes', async () => {
    const t = target();
    const dir = exportFolder();
    const dataDir = join(scratch, `data-${counter}`);
    const first = `${t.username}_20261201_A${counter}.HL7`;
    const second = `${t.username}_20261201_B${counter}.HL7`;
    const bad = `weekly_${counter}.HL7`;
    exportBatch(t, dir, second, 'b');
    exportBatch(t, dir, first, 'a');
    writeFileSync(join(dir, bad), 'Patient list, not an HL7 batch\r\n');
    writeFileSync(join(dir, 'partial-export.tmp'), 'still being written');

    const run1 = await sendNew(t, dir, dataDir, '--json');
    expect(run1.code, run1.stderr).toBe(1);
    const doc1 = JSON.parse(run1.stdout) as { sent: number; failed: number; files: { name: string; outcome: string }[] };
    expect(doc1.files.map((f) => [f.name, f.outcome])).toEqual([
      [first, 'sent'],
      [second, 'sent'],
      [bad, 'blocked'],
    ]);
    expect(readdirSync(t.dropoff)).toEqual(expect.arrayContaining([first, second]));
    expect(readdirSync(t.dropoff)).not.toContain(bad);
    expect(readdirSync(t.dropoff)).not.toContain('partial-export.tmp');

    const loginsBefore = t.logins();
    const run2 = await sendNew(t, dir, dataDir);
    expect(run2.code, run2.stderr).toBe(0);
    expect(run2.stdout).toContain(`Nothing new to send in ${dir} (2 already sent).`);
    expect(run2.stdout).toContain(`Not sent again: ${bad} (stopped by its checks on`);
    expect(t.logins()).toBe(loginsBefore);

    // Fixed (exported again as a real batch): it changed, so it is sent, once.
    const fixed = bad;
    exportBatch(t, dir, fixed, 'c');
    const run3 = await sendNew(t, dir, dataDir, '--json');
    expect(run3.code, run3.stderr).toBe(0);
    expect((JSON.parse(run3.stdout) as { files: { name: string; outcome: string }[] }).files.map((f) => [f.name, f.outcome])).toEqual([[fixed, 'sent']]);
    for (const name of [first, second, fixed]) expect(t.renamesOf(name)).toBe(1);
  }, 120_000);

  it('moves each delivered file to --move-to (made when missing), and leaves a stopped one where it is', async () => {
    const t = target();
    const dir = exportFolder();
    const dataDir = join(scratch, `data-${counter}`);
    const good = `${t.username}_20261202_M${counter}.HL7`;
    const bad = `no-import-code-${counter}.HL7`;
    const bytes = exportBatch(t, dir, good, 'm');
    writeFileSync(join(dir, bad), 'Patient list, not an HL7 batch\r\n');
    const sentFolder = join(dir, 'Sent');
    const run = await sendNew(t, dir, dataDir, '--move-to', sentFolder);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain(`Moved ${good} to ${join(sentFolder, good)}.`);
    expect(readFileSync(join(sentFolder, good)).equals(bytes)).toBe(true);
    expect(existsSync(join(dir, good))).toBe(false);
    expect(existsSync(join(dir, bad))).toBe(true);
  }, 120_000);

  it('two runs started together deliver each file once', async () => {
    const t = target();
    const dir = exportFolder();
    const dataDir = join(scratch, `data-${counter}`);
    const names = [1, 2, 3, 4].map((i) => `${t.username}_20261203_T${counter}${i}.HL7`);
    for (const name of names) exportBatch(t, dir, name, name);
    const [a, b] = await Promise.all([sendNew(t, dir, dataDir, '--json'), sendNew(t, dir, dataDir, '--json')]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const sent = [a, b].map((r) => (JSON.parse(r.stdout) as { sent: number }).sent);
    expect(sent.reduce((x, y) => x + y, 0)).toBe(4);
    for (const name of names) expect(t.renamesOf(name)).toBe(1);
  }, 120_000);
}

describe('over SFTP (OpenSSH)', () => {
  let server: SshServer;
  beforeAll(async () => {
    server = await startSshd({ tag: 'SN' });
  }, 60_000);
  afterAll(async () => server?.stop());
  const target = (): Target => {
    const profileFile = join(scratch, 'sftp-profile.json');
    writeFileSync(profileFile, JSON.stringify(localTexasProfile(server.port, 'send-new-sftp')));
    const log = () => server.log().split('\n');
    return {
      profileFile,
      username: server.home.username,
      password: server.home.password,
      fingerprint: server.fingerprint,
      protocol: 'sftp',
      dropoff: join(server.home.accountDir, 'HL7-Dropoff'),
      // internal-sftp's own log does not reach sshd's -E file here: the deliveries are counted in
      // the history every run appends to (one data folder per test), and the file is on the server.
      renamesOf: (name) => deliveriesInHistory(name),
      logins: () => log().filter((l) => l.includes(`Accepted password for ${server.home.username}`)).length,
    };
  };
  sharedTests(target);

  it('a run killed while it holds the account’s lock leaves nothing stuck: the next run sends', async () => {
    const t = target();
    const dir = exportFolder();
    const dataDir = join(scratch, `data-${counter}`);
    const name = `${t.username}_20261204_K${counter}.HL7`;
    exportBatch(t, dir, name, 'k');
    // A server that takes the connection and never answers keeps the first run waiting, lock held.
    const held: Socket[] = [];
    const silent: Server = createServer((socket) => held.push(socket));
    const port = await new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)));
    try {
      const child = spawn(process.execPath, [CLI_LAUNCHER, ...args(t, dir, dataDir, '--port', String(port))], { env: cliEnv(scratch, t.password), stdio: 'ignore' });
      const locks = join(dataDir, 'locks');
      await expect.poll(() => (existsSync(locks) ? readdirSync(locks).length : 0), { timeout: 30_000, interval: 50 }).toBe(1);
      await expect.poll(() => held.length, { timeout: 30_000, interval: 50 }).toBeGreaterThan(0);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      expect(readdirSync(locks)).toHaveLength(1);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((r) => silent.close(r));
    }
    const run = await sendNew(t, dir, dataDir);
    expect(run.code, run.stderr).toBe(0);
    expect(t.renamesOf(name)).toBe(1);
    expect(readdirSync(join(dataDir, 'locks'))).toEqual([]);
  }, 120_000);
});

describe('over FTPS (vsftpd)', () => {
  let server: FtpsServer;
  beforeAll(async () => {
    server = await startVsftpd({ mode: 'explicit', tag: 'SF' });
  }, 60_000);
  afterAll(async () => server?.stop());
  sharedTests((): Target => {
    const profileFile = join(scratch, 'ftps-profile.json');
    writeFileSync(profileFile, JSON.stringify(server.profile('send-new-ftps')));
    const log = () => server.log().split('\n');
    return {
      profileFile,
      username: server.account.username,
      password: server.account.password,
      fingerprint: server.fingerprint,
      protocol: 'ftps',
      dropoff: join(server.account.accountDir, 'HL7-Dropoff'),
      renamesOf: (name) => log().filter((l) => l.includes('"RNTO ') && l.includes(`${name}"`)).length,
      logins: () => log().filter((l) => l.includes('OK LOGIN')).length,
    };
  });
});
