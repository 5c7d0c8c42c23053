// `registry-transfer upload` and `download`, built, run as a scheduled job runs them (a child
// process, no terminal, nobody to answer, paths with spaces), against Debian's OpenSSH sshd and
// vsftpd (implicit FTPS) laid out as Texas ImmTrac2. What is checked is what a clinic would check:
// the exit status, the words printed, the bytes on the registry's disk, the files saved, the history.
import { execFile, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_LAUNCHER, cliEnv as sharedCliEnv, PROJECT_ROOT, runCli } from '../support/cli-runner';
import { SAMPLE_PATIENT, sha256Of, writeHl7Batch, writeLargeHl7Batch } from '../support/hl7-samples';
import { localTexasProfile, startSshd, type SshAccount, type SshServer } from '../support/sshd';
import { startVsftpd, type FtpsServer } from '../support/vsftpd';

const ROOT = PROJECT_ROOT;
const LAUNCHER = CLI_LAUNCHER;
const TEXAS_FILE_RULES = { extension: '.HL7', importCodeInName: true };
const WRONG_PASSWORD = 'Not-the-password-9!';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One test registry as the CLI sees it: a profile file, a login, and the account's folders on disk. */
interface Registry {
  label: string;
  profileFile: string;
  account: SshAccount;
  fingerprint: string;
  dataDir: string;
  dropoff: string;
}

let sshd: SshServer;
let vsftpd: FtpsServer;
let scratch: string;
const registries = new Map<'sftp' | 'ftps', Registry>();
let fileCount = 0;

const secrets = () => [sshd.home.password, sshd.chroot.password, vsftpd.account.password, WRONG_PASSWORD];

const cliEnv = (password: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => sharedCliEnv(scratch, password, extra);

/** The CLI as a scheduled job runs it; whatever happens, no password appears in what it printed. */
async function run(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const result = await runCli(args, env, 55_000);
  for (const secret of secrets()) {
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  }
  return result;
}

const connection = (r: Registry) => ['--profile', r.profileFile, '--user', r.account.username, '--password-env', 'RT_PASSWORD', '--trust', r.fingerprint, '--data-dir', r.dataDir, '--timeout', '20'];
const upload = (r: Registry, files: string[], ...more: string[]) => run(['upload', ...files, ...connection(r), ...more], cliEnv(r.account.password));
const download = (r: Registry, folder: string, to: string, ...more: string[]) => run(['download', folder, '--to', to, ...connection(r), ...more], cliEnv(r.account.password));

/** A new local folder whose path has spaces, as "My Documents" and "Clinic Exports" do. */
function localFolder(name: string): string {
  fileCount += 1;
  const dir = join(scratch, `${name} ${fileCount}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A valid batch file named as Texas requires (import code in the name, .HL7), unique per call. */
function batchFile(r: Registry, options: { name?: string; batchTrailerCount?: number; variant?: string } = {}): { path: string; name: string; bytes: Buffer } {
  fileCount += 1;
  const name = options.name ?? `${r.account.username}_2026112${fileCount % 10}_${fileCount}.HL7`;
  const path = join(localFolder('Clinic Exports'), name);
  const bytes = writeHl7Batch(path, {
    importCode: r.account.username,
    messages: 3,
    variant: options.variant ?? `V${fileCount}`,
    ...(options.batchTrailerCount !== undefined ? { batchTrailerCount: options.batchTrailerCount } : {}),
  });
  return { path, name, bytes };
}

const onServer = (r: Registry) => readdirSync(r.dropoff).sort();
const temporaryFiles = (r: Registry) => onServer(r).filter((name) => name.endsWith('.rt-partial') || name.startsWith('.upload-'));

interface HistoryLine {
  time: string;
  profileId: string;
  account: string;
  direction: string;
  localName: string;
  remoteName: string;
  folder: string;
  size: number;
  sha256: string | null;
  result: string;
  error?: string;
}
const historyText = (r: Registry) => {
  const file = join(r.dataDir, 'transfers.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
};
const history = (r: Registry): HistoryLine[] =>
  historyText(r)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as HistoryLine);

beforeAll(async () => {
  [sshd, vsftpd] = await Promise.all([startSshd({ tag: 'CU' }), startVsftpd({ mode: 'implicit', tag: 'CV' })]);
  scratch = mkdtempSync(join(tmpdir(), 'rt cli transfers '));
  const sftpProfile = join(scratch, 'texas sftp.json');
  writeFileSync(sftpProfile, JSON.stringify({ ...localTexasProfile(sshd.port, 'cli-sftp'), files: TEXAS_FILE_RULES }));
  const ftpsProfile = join(scratch, 'texas ftps.json');
  writeFileSync(ftpsProfile, JSON.stringify({ ...vsftpd.profile('cli-ftps'), files: TEXAS_FILE_RULES }));
  registries.set('sftp', {
    label: 'SFTP',
    profileFile: sftpProfile,
    account: sshd.home,
    fingerprint: sshd.fingerprint,
    dataDir: join(scratch, 'data sftp'),
    dropoff: join(sshd.home.accountDir, 'HL7-Dropoff'),
  });
  registries.set('ftps', {
    label: 'FTPS (implicit TLS)',
    profileFile: ftpsProfile,
    account: vsftpd.account,
    fingerprint: vsftpd.fingerprint,
    dataDir: join(scratch, 'data ftps'),
    dropoff: join(vsftpd.account.accountDir, 'HL7-Dropoff'),
  });
});

afterAll(async () => {
  await Promise.all([sshd?.stop(), vsftpd?.stop()]);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe.each(['sftp', 'ftps'] as const)('registry-transfer upload over %s', (protocol) => {
  const reg = () => registries.get(protocol) as Registry;

  it('sends a valid batch named with the import code: exit 0, the same bytes in HL7-Dropoff, no temporary file left', async () => {
    const r = reg();
    const file = batchFile(r);
    const result = await run(['upload', file.path, ...connection(r)], cliEnv(r.account.password));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(file.path);
    expect(result.stdout).toContain('OK       A valid HL7 batch: 3 messages.');
    expect(result.stdout).toMatch(/OK {7}Room in HL7-Dropoff: \d+ of 300 files after this one\./);
    // The path as the server names it (FTPS logs in chrooted to the account folder).
    expect(result.stdout).toMatch(new RegExp(`\\n {2}Sent: \\S*/HL7-Dropoff/${file.name.replace(/\./g, '\\.')}, ${file.bytes.length.toLocaleString('en-US')} bytes \\(1\\.\\d KB\\), size checked on the server\\.\\n`));
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('1 sent, 0 failed.');
    // Not a terminal: no progress line redrawn with carriage returns in the job's log.
    expect(result.stdout).not.toContain('\r');
    expect(readFileSync(join(r.dropoff, file.name))).toEqual(file.bytes);
    expect(temporaryFiles(r)).toEqual([]);
  });

  it('shows a progress line, redrawn in place, only when its output is a terminal', async () => {
    const r = reg();
    const file = batchFile(r);
    const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, LAUNCHER, 'upload', file.path, ...connection(r)].map(quote).join(' ');
    // util-linux's script runs the command on a pseudo-terminal, as a person at a console would.
    const result = await new Promise<Run>((resolve) => {
      execFile('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: cliEnv(r.account.password), timeout: 55_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
      );
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\r {2}sending {2}100% {2}1\.\d KB of 1\.\d KB\x1b\[K/);
    expect(result.stdout).toContain('1 sent, 0 failed.');
    expect(readFileSync(join(r.dropoff, file.name))).toEqual(file.bytes);
  });

  it('does not send a file without the import code in its name (exit 1, the reason in plain words), and goes on with the next file', async () => {
    const r = reg();
    const unnamed = batchFile(r, { name: 'weekly-immunizations.HL7' });
    const good = batchFile(r);
    const before = onServer(r);
    const result = await upload(r, [unnamed.path, good.path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`ERROR    The file name must contain your import code ${r.account.username} (the registry uses it to know who sent the file).`);
    expect(result.stdout).toContain('Not sent: fix what the checks found, then send it again.');
    // stderr alone (what some schedulers keep) says why, too.
    expect(result.stderr).toContain(
      `registry-transfer: weekly-immunizations.HL7: Not sent: fix what the checks found, then send it again. The file name must contain your import code ${r.account.username}`,
    );
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('1 sent, 1 failed.');
    expect(onServer(r)).toEqual([...before, good.name].sort());
    expect(existsSync(join(r.dropoff, unnamed.name))).toBe(false);
  });

  it('stops a file whose checks warn unless --accept-warnings is given, then sends it', async () => {
    const r = reg();
    const file = batchFile(r, { batchTrailerCount: 5 });
    const refused = await upload(r, [file.path]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('WARNING  The batch trailer (BTS) on line 15 (byte');
    expect(refused.stdout).toContain('says 5 messages, but the batch holds 3.');
    expect(refused.stdout).toContain('Not sent: check the warnings above. To send it anyway, run again with --accept-warnings.');
    expect(existsSync(join(r.dropoff, file.name))).toBe(false);

    const accepted = await upload(r, [file.path], '--accept-warnings', '--json');
    expect(accepted.code).toBe(0);
    const doc = JSON.parse(accepted.stdout) as {
      ok: boolean;
      exitCode: number;
      sent: number;
      failed: number;
      files: { name: string; outcome: string; size: number; sha256: string; checks: { id: string; severity: string; message: string }[] }[];
    };
    expect(doc).toMatchObject({ ok: true, exitCode: 0, sent: 1, failed: 0 });
    expect(doc.files).toHaveLength(1);
    expect(doc.files[0]).toMatchObject({ name: file.name, outcome: 'sent', size: file.bytes.length, sha256: sha256Of(file.bytes) });
    expect(doc.files[0]?.checks).toContainEqual(expect.objectContaining({ severity: 'warning', message: expect.stringContaining('says 5 messages') }));
    expect(readFileSync(join(r.dropoff, file.name))).toEqual(file.bytes);
  });

  it('does not replace a file of the same name still waiting unless --replace is given', async () => {
    const r = reg();
    const first = batchFile(r);
    expect((await upload(r, [first.path])).code).toBe(0);
    const second = batchFile(r, { name: first.name, variant: 'NEW' });
    expect(second.bytes).not.toEqual(first.bytes);

    const refused = await upload(r, [second.path]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`WARNING  A file named ${first.name} is already waiting in HL7-Dropoff`);
    expect(refused.stdout).toContain('To replace it, run again with --replace.');
    expect(readFileSync(join(r.dropoff, first.name))).toEqual(first.bytes);

    // --accept-warnings is not enough: replacing a waiting file is its own decision.
    expect((await upload(r, [second.path], '--accept-warnings')).code).toBe(1);
    const replaced = await upload(r, [second.path], '--replace');
    expect(replaced.code).toBe(0);
    expect(readFileSync(join(r.dropoff, first.name))).toEqual(second.bytes);
    expect(temporaryFiles(r)).toEqual([]);
  });

  it('expands a * in the file name itself, as Task Scheduler passes it unexpanded', async () => {
    const r = reg();
    const folder = localFolder('Weekly Export');
    const names = [`${r.account.username}_week_A.HL7`, `${r.account.username}_week_B.HL7`];
    const bytes = names.map((name, i) => writeHl7Batch(join(folder, name), { importCode: r.account.username, variant: `W${i}${protocol}` }));
    writeFileSync(join(folder, 'notes.txt'), 'not for the registry');
    const result = await upload(r, [join(folder, `${r.account.username}_week_*.HL7`)]);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('2 sent, 0 failed.');
    names.forEach((name, i) => expect(readFileSync(join(r.dropoff, name))).toEqual(bytes[i]));
    expect(existsSync(join(r.dropoff, 'notes.txt'))).toBe(false);
  });

  it('exits 5 when the registry does not let the account write to its dropoff folder, and leaves nothing there', async () => {
    const r = reg();
    const file = batchFile(r);
    const { uid, gid, mode } = statSync(r.dropoff);
    chownSync(r.dropoff, 0, 0);
    chmodSync(r.dropoff, 0o555);
    try {
      const before = onServer(r);
      const result = await upload(r, [file.path], '--json');
      expect(result.code).toBe(5);
      const doc = JSON.parse(result.stdout) as { ok: boolean; exitCode: number; files: { outcome: string; code: string; exitCode: number; message: string }[] };
      expect(doc).toMatchObject({ ok: false, exitCode: 5 });
      expect(doc.files[0]).toMatchObject({ outcome: 'failed', code: 'permission-denied', exitCode: 5 });
      expect(result.stderr).toContain('does not allow this account');
      expect(onServer(r)).toEqual(before);
    } finally {
      chownSync(r.dropoff, uid, gid);
      chmodSync(r.dropoff, mode & 0o7777);
    }
  });

  it('exits 5 when the dropoff folder already holds the registry\'s 300 files', async () => {
    const r = reg();
    const file = batchFile(r);
    const { uid, gid } = statSync(r.dropoff);
    const waiting = 300 - onServer(r).length;
    const fillers = Array.from({ length: waiting }, (_, i) => join(r.dropoff, `${r.account.username}_waiting_${i}.HL7`));
    for (const filler of fillers) {
      writeFileSync(filler, 'MSH|^~\\&|waiting\r');
      chownSync(filler, uid, gid);
    }
    try {
      const result = await upload(r, [file.path]);
      expect(result.code).toBe(5);
      expect(result.stdout).toContain('ERROR    HL7-Dropoff already holds 300 files, and the registry allows 300.');
      expect(result.stdout).toContain('Not sent: the dropoff folder is full');
      expect(existsSync(join(r.dropoff, file.name))).toBe(false);
    } finally {
      for (const filler of fillers) rmSync(filler, { force: true });
    }
  });

  it(
    protocol === 'sftp'
      ? 'sends several files at once, and reports them in the order given'
      : 'sends one file at a time over FTPS, and reports them in the order given',
    async () => {
      const r = reg();
      const folder = localFolder('Weekly');
      const big = join(folder, `${r.account.username}_week_large.HL7`);
      await writeLargeHl7Batch(big, { importCode: r.account.username, minBytes: 64 * 1024 * 1024 });
      const small = [batchFile(r), batchFile(r), batchFile(r)];
      const result = await upload(r, [big, ...small.map((f) => f.path)]);
      expect(result.code).toBe(0);
      expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('4 sent, 0 failed.');
      const reported = result.stdout.split('\n').filter((line) => line.startsWith('  Sent: '));
      expect(reported.map((line) => line.split(', ')[0]?.split('/').at(-1))).toEqual([`${r.account.username}_week_large.HL7`, ...small.map((f) => f.name)]);
      for (const f of small) expect(readFileSync(join(r.dropoff, f.name))).toEqual(f.bytes);
      // The history is written as files land: over SFTP the small ones land while the large one is
      // still on its way; over FTPS each waits for the one before.
      const landed = history(r)
        .slice(-4)
        .map((e) => e.remoteName);
      if (protocol === 'sftp') expect(landed.at(-1)).toBe(`${r.account.username}_week_large.HL7`);
      else expect(landed).toEqual([`${r.account.username}_week_large.HL7`, ...small.map((f) => f.name)]);
      rmSync(big);
    },
  );

  it('on Ctrl+C stops the files being sent, removes their temporary copies from the registry, and starts no other', async () => {
    const r = reg();
    const folder = localFolder('Big Export');
    // Five large files: more than an SFTP connection carries at once (four), so one is still waiting.
    const names = [1, 2, 3, 4, 5].map((i) => `${r.account.username}_large_${i}.HL7`);
    const first = join(folder, names[0] as string);
    await writeLargeHl7Batch(first, { importCode: r.account.username, minBytes: 192 * 1024 * 1024 });
    for (const name of names.slice(1)) linkSync(first, join(folder, name));
    const child = spawn(process.execPath, [LAUNCHER, 'upload', ...names.map((name) => join(folder, name)), ...connection(r)], { cwd: ROOT, env: cliEnv(r.account.password) });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt once a temporary file is growing on the registry's disk.
    const deadline = Date.now() + 40_000;
    while (temporaryFiles(r).length === 0 && child.exitCode === null && Date.now() < deadline) await new Promise((w) => setTimeout(w, 5));
    expect(temporaryFiles(r)).not.toEqual([]);
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(stdout).toContain('Not sent: the run was stopped while it was being sent.');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('0 sent, 5 failed.');
    expect(temporaryFiles(r)).toEqual([]);
    for (const name of names) expect(existsSync(join(r.dropoff, name))).toBe(false);
    expect(
      history(r)
        .slice(-5)
        .map((e) => [e.remoteName, e.result])
        .sort(),
    ).toEqual(names.map((name) => [name, 'cancelled']));
    rmSync(folder, { recursive: true });
  });

  it('exits 4 on a wrong password, sends nothing, and writes that into the history', async () => {
    const r = reg();
    const file = batchFile(r);
    const result = await run(['upload', file.path, ...connection(r)], cliEnv(WRONG_PASSWORD));
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('did not accept that import code and password');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('0 sent, 1 failed.');
    expect(existsSync(join(r.dropoff, file.name))).toBe(false);
    expect(history(r).at(-1)).toMatchObject({ direction: 'upload', localName: file.path, remoteName: file.name, result: 'failed' });
  });
});

describe.each(['sftp', 'ftps'] as const)('registry-transfer download over %s', (protocol) => {
  const reg = () => registries.get(protocol) as Registry;

  it('saves the DQA reports into a folder with spaces, and a second run saves "(2)" beside the first', async () => {
    const r = reg();
    const report = `${r.account.username}_20261114_DQA.txt`;
    const onDisk = readFileSync(join(r.account.accountDir, 'DQA-Report', report));
    const to = localFolder('Clinic Reports');

    const first = await download(r, 'DQA-Report', to);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Saved to ${join(to, report)}`);
    expect(first.stdout.trimEnd().split('\n').at(-1)).toBe('1 saved, 0 failed.');
    expect(readFileSync(join(to, report))).toEqual(onDisk);

    const second = await download(r, 'dqa-report', to, '--json');
    expect(second.code).toBe(0);
    const doc = JSON.parse(second.stdout) as { ok: boolean; saved: number; files: { name: string; outcome: string; savedTo: string; renamed: boolean; size: number; sha256: string }[] };
    const copy = join(to, `${r.account.username}_20261114_DQA (2).txt`);
    expect(doc).toMatchObject({ ok: true, saved: 1 });
    expect(doc.files).toEqual([
      expect.objectContaining({ name: report, outcome: 'saved', savedTo: copy, renamed: true, size: onDisk.length, sha256: sha256Of(onDisk) }),
    ]);
    expect(readFileSync(copy)).toEqual(onDisk);
    expect(readFileSync(join(to, report))).toEqual(onDisk);
    expect(readdirSync(to).sort()).toEqual([report, `${r.account.username}_20261114_DQA (2).txt`].sort());
  });

  it('saves the files named, and exits 1 naming one that is not there', async () => {
    const r = reg();
    const to = localFolder('Accepted Copies');
    const accepted = `${r.account.username}_20261114.HL7`;
    const result = await download(r, 'Accepted', to);
    expect(result.code).toBe(0);
    expect(readFileSync(join(to, accepted))).toEqual(readFileSync(join(r.account.accountDir, 'Accepted', accepted)));

    const missing = await run(['download', 'Receive', 'NO_SUCH_FILE.CNF', '--to', to, ...connection(r)], cliEnv(r.account.password));
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('Not saved: there is no file named "NO_SUCH_FILE.CNF" in Receive.');
    expect(missing.stdout.trimEnd().split('\n').at(-1)).toBe('0 saved, 1 failed.');
    expect(existsSync(join(to, 'NO_SUCH_FILE.CNF'))).toBe(false);
  });

  it('refuses a --to folder that does not exist (exit 2) before connecting', async () => {
    const r = reg();
    const result = await download(r, 'DQA-Report', join(scratch, 'no such folder'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('does not exist on this computer');
  });
});

describe.each(['sftp', 'ftps'] as const)('the transfer history the CLI writes over %s', (protocol) => {
  it('holds every upload and download outcome, with sizes and checksums, and no password or file contents', () => {
    const r = registries.get(protocol) as Registry;
    const lines = history(r);
    const text = historyText(r);
    for (const secret of secrets()) expect(text).not.toContain(secret);
    expect(text).not.toContain(SAMPLE_PATIENT.surname);
    expect(text).not.toContain('MSH|');

    const profileId = protocol === 'sftp' ? 'cli-sftp' : 'cli-ftps';
    for (const line of lines) expect(line).toMatchObject({ profileId, account: r.account.username });
    const sent = lines.filter((l) => l.direction === 'upload' && l.result === 'done');
    // The first test's file, the one on a terminal, the one after the unnamed file, the accepted
    // warning, two for --replace, two by wildcard, four sent together.
    expect(sent.length).toBe(12);
    // The last delivery of each name is what the registry holds now.
    const lastSent = new Map(sent.map((l) => [l.remoteName, l]));
    for (const [name, line] of lastSent) {
      const onDisk = readFileSync(join(r.dropoff, name));
      expect({ name, size: line.size, sha256: line.sha256 }).toEqual({ name, size: onDisk.length, sha256: sha256Of(onDisk) });
    }
    const failed = lines.filter((l) => l.direction === 'upload' && l.result === 'failed');
    expect(failed.map((l) => l.remoteName)).toContain('weekly-immunizations.HL7');
    expect(failed.find((l) => l.remoteName === 'weekly-immunizations.HL7')?.error).toContain('Not sent');

    const downloads = lines.filter((l) => l.direction === 'download');
    expect(downloads.filter((l) => l.result === 'done').map((l) => l.remoteName)).toEqual([
      `${r.account.username}_20261114_DQA.txt`,
      `${r.account.username}_20261114_DQA.txt`,
      `${r.account.username}_20261114.HL7`,
    ]);
    expect(downloads.filter((l) => l.result === 'done').map((l) => l.localName.endsWith(' (2).txt'))).toEqual([false, true, false]);
    expect(downloads.filter((l) => l.result === 'failed').map((l) => l.remoteName)).toEqual(['NO_SUCH_FILE.CNF']);
  });
});
