// The practice registry's SFTP door and identity (issue 13, items 1, 2) met by clients and tools that
// nobody here wrote: OpenSSH's `sftp` (its password typed by `sshpass`) and `curl` over SFTP
// (libssh2) list, upload, download, rename, and meet the read-only folders, the 300-file quota and a
// flood of connections as a person would; OpenSSH's `ssh-keygen` and OpenSSL print the same
// fingerprints the registry prints; curl checks the certificate against 127.0.0.1 without -k; and
// the keys are the same after a restart, kept owner-only.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSftp } from '../../electron/engine/remote/sftp';
import { startPracticeRegistry, type RunningPracticeRegistry } from '../../electron/practice/practice-registry';

const ROOT = new URL('../..', import.meta.url).pathname;
const SAMPLE = join(ROOT, 'electron', 'practice', 'samples', 'PRAC01_20261201_weekly.HL7');

let scratch: string;
let dataDir: string;
let practice: RunningPracticeRegistry;
let password: string;
let knownHosts: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(scratch, 'home'), ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

const keysDir = () => join(dataDir, 'practice', 'keys');
const folder = (name: string) => practice.files.folderPath(name);
const onDisk = (name: string) => readdirSync(folder(name)).sort();

async function start(): Promise<void> {
  // Files land and stay: processing (another part of the registry) is not what these tests look at.
  practice = await startPracticeRegistry({ dataDir, ready: true, processAfterSeconds: 3600 });
  password = practice.issuedPassword() as string;
  // The host key as OpenSSH reads it from the private key file, pinned for this port only.
  const publicKey = (await run('ssh-keygen', ['-y', '-f', join(keysDir(), 'ssh_host_ed25519_key')])).stdout.trim();
  writeFileSync(knownHosts, `[127.0.0.1]:${practice.sftp.port} ${publicKey}\n`);
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-practice-sftp-clients-'));
  mkdirSync(join(scratch, 'home'));
  dataDir = join(scratch, 'data');
  knownHosts = join(scratch, 'known_hosts');
  await start();
}, 60_000);

afterAll(async () => {
  await practice?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** OpenSSH's sftp in batch mode, the host key checked strictly, the password typed by sshpass. */
function sftp(batch: string[]): Promise<Run> {
  const batchFile = join(scratch, `batch-${Math.random().toString(36).slice(2)}`);
  writeFileSync(batchFile, `${batch.join('\n')}\n`);
  return run(
    'sshpass',
    [
      '-e',
      'sftp',
      '-F', '/dev/null',
      // sftp -b turns BatchMode on, which forbids typing a password; sshpass types it.
      '-o', 'BatchMode=no',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', `UserKnownHostsFile=${knownHosts}`,
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', 'PreferredAuthentications=password',
      '-o', 'PubkeyAuthentication=no',
      '-o', 'NumberOfPasswordPrompts=1',
      '-P', String(practice.sftp.port),
      '-b', batchFile,
      `${practice.username}@127.0.0.1`,
    ],
    { SSHPASS: password },
  );
}

/** curl over SFTP, the host key pinned by the SHA-256 the registry prints (without "SHA256:"). */
function curl(path: string, args: string[] = [], pin = practice.sftp.fingerprint.replace(/^SHA256:/, '')): Promise<Run> {
  return run('curl', ['-sS', '--hostpubsha256', pin, '--user', `${practice.username}:${password}`, ...args, `sftp://127.0.0.1:${practice.sftp.port}${path}`]);
}

describe('its identity, as OpenSSH and OpenSSL read it', () => {
  it('prints the host key fingerprint ssh-keygen prints, and the certificate fingerprint OpenSSL prints', async () => {
    const pub = join(scratch, 'host.pub');
    writeFileSync(pub, (await run('ssh-keygen', ['-y', '-f', join(keysDir(), 'ssh_host_ed25519_key')])).stdout);
    const listed = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub]);
    expect(listed.stdout).toMatch(/^256 SHA256:\S+ .*\(ED25519\)\n$/);
    expect(listed.stdout.split(' ')[1]).toBe(practice.sftp.fingerprint);

    const cert = join(keysDir(), 'tls-cert.pem');
    const fingerprint = await run('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256']);
    expect(fingerprint.stdout.trim().split('=')[1]).toBe(practice.ftpsImplicit.fingerprint);
    expect(practice.ftpsExplicit.fingerprint).toBe(practice.ftpsImplicit.fingerprint);
    expect(practice.ftpsImplicit.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const names = await run('openssl', ['x509', '-in', cert, '-noout', '-ext', 'subjectAltName']);
    expect(names.stdout).toContain('IP Address:127.0.0.1');
    expect(names.stdout).toContain('DNS:localhost');
  });

  it('is a certificate curl verifies for 127.0.0.1 with nothing but the certificate itself (no -k), over implicit and explicit FTPS', async () => {
    const cert = join(keysDir(), 'tls-cert.pem');
    const implicit = await run('curl', ['-sS', '--cacert', cert, '--user', `${practice.username}:${password}`, `ftps://127.0.0.1:${practice.ftpsImplicit.port}/`]);
    expect(implicit.stderr).toBe('');
    expect(implicit.stdout).toContain('HL7-Dropoff');
    const explicit = await run('curl', ['-sS', '--ssl-reqd', '--cacert', cert, '--user', `${practice.username}:${password}`, `ftp://127.0.0.1:${practice.ftpsExplicit.port}/`]);
    expect(explicit.stderr).toBe('');
    expect(explicit.stdout).toContain('HL7-Dropoff');
  });

  it('keeps its keys, account and files owner-only', () => {
    const practiceDir = join(dataDir, 'practice');
    for (const file of ['ssh_host_ed25519_key', 'tls-key.pem', 'tls-cert.pem']) expect(statSync(join(keysDir(), file)).mode & 0o777).toBe(0o600);
    for (const file of ['accounts.json', 'running.json']) expect(statSync(join(practiceDir, file)).mode & 0o777).toBe(0o600);
    const accountDir = join(practiceDir, 'files', practice.username);
    for (const dir of [practiceDir, keysDir(), join(practiceDir, 'files'), accountDir, ...['HL7-Dropoff', 'Accepted', 'DQA-Report', 'Receive'].map(folder)]) {
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    }
  });
});

describe("OpenSSH's sftp", () => {
  it('lists the four folders, uploads to HL7-Dropoff, renames there, and downloads what it sent', async () => {
    const saved = join(scratch, 'downloaded-by-openssh.HL7');
    const result = await sftp([
      'ls -1',
      'cd HL7-Dropoff',
      `put ${SAMPLE} upload.partial`,
      'rename upload.partial PRAC01_20261201_weekly.HL7',
      'ls -l',
      `get PRAC01_20261201_weekly.HL7 ${saved}`,
    ]);
    expect(result.stderr).not.toMatch(/denied|error|failure/i);
    expect(result.code).toBe(0);
    // sftp echoes each command after "sftp> "; what `ls -1` printed runs to the next one.
    const listed = result.stdout.split('sftp> ')[1] ?? '';
    expect(listed.split('\n').slice(1).map((line) => line.trim()).filter(Boolean)).toEqual(['Accepted', 'DQA-Report', 'HL7-Dropoff', 'Receive']);
    expect(result.stdout).toMatch(new RegExp(`-rw-r--r-- .* ${readFileSync(SAMPLE).length} .* PRAC01_20261201_weekly\\.HL7`));
    expect(onDisk('HL7-Dropoff')).toEqual(['PRAC01_20261201_weekly.HL7']);
    expect(readFileSync(saved)).toEqual(readFileSync(SAMPLE));

    const removed = await sftp(['rm /HL7-Dropoff/PRAC01_20261201_weekly.HL7']);
    expect(removed.code).toBe(0);
    expect(onDisk('HL7-Dropoff')).toEqual([]);
  });

  it('is refused a write, a delete, a rename and a new folder where the registry allows none, and is told so', async () => {
    writeFileSync(join(folder('DQA-Report'), 'PRAC01_report.txt'), 'a report');
    try {
      const write = await sftp([`put ${SAMPLE} /Accepted/PRAC01_mine.HL7`]);
      expect(write.code).not.toBe(0);
      expect(write.stderr).toMatch(/Permission denied/);
      const top = await sftp([`put ${SAMPLE} /PRAC01_top.HL7`]);
      expect(top.stderr).toMatch(/Permission denied/);
      const remove = await sftp(['rm /DQA-Report/PRAC01_report.txt']);
      expect(remove.stderr).toMatch(/Permission denied/);
      const rename = await sftp(['rename /DQA-Report/PRAC01_report.txt /DQA-Report/mine.txt']);
      expect(rename.stderr).toMatch(/Permission denied/);
      const mkdir = await sftp(['mkdir /HL7-Dropoff/sub']);
      expect(mkdir.stderr).toMatch(/Permission denied/);
      const climb = await sftp([`get /HL7-Dropoff/../../keys/tls-key.pem ${join(scratch, 'never.pem')}`]);
      expect(climb.stderr).toMatch(/not found/);
      expect(existsSync(join(scratch, 'never.pem'))).toBe(false);
      expect(onDisk('Accepted')).toEqual([]);
      expect(onDisk('DQA-Report')).toEqual(['PRAC01_report.txt']);
      expect(readdirSync(join(dataDir, 'practice', 'files', practice.username)).sort()).toEqual(['Accepted', 'DQA-Report', 'HL7-Dropoff', 'Receive']);
    } finally {
      rmSync(join(folder('DQA-Report'), 'PRAC01_report.txt'), { force: true });
    }
  });

  it('is refused the 301st file in HL7-Dropoff before a byte is written', async () => {
    for (let i = 0; i < 300; i++) writeFileSync(join(folder('HL7-Dropoff'), `PRAC01_earlier_${i}.HL7`), 'MSH|');
    try {
      const result = await sftp([`put ${SAMPLE} /HL7-Dropoff/PRAC01_one_too_many.HL7`]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/dest open "\/HL7-Dropoff\/PRAC01_one_too_many\.HL7": Failure/);
      expect(onDisk('HL7-Dropoff')).toHaveLength(300);
      expect(onDisk('HL7-Dropoff')).not.toContain('PRAC01_one_too_many.HL7');
    } finally {
      for (const file of onDisk('HL7-Dropoff')) rmSync(join(folder('HL7-Dropoff'), file));
    }
  });

  it('is refused plainly when a script floods the registry with connections, and gets in again once they close', async () => {
    // Ten connections that never sign in hold every place this address has.
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        const socket = connect(practice.sftp.port, '127.0.0.1');
        socket.on('error', () => undefined);
        held.push(socket);
        // The registry has taken it once it says which SSH it speaks.
        await new Promise<void>((resolve, reject) => {
          socket.once('data', (data) => (String(data).startsWith('SSH-2.0-') ? resolve() : reject(new Error(String(data)))));
          socket.once('close', () => reject(new Error('closed')));
        });
      }
      // Each refused one is refused alike, and none of them takes a place once it has gone.
      for (let i = 0; i < 12; i++) {
        const refused = await sftp(['ls']);
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toMatch(/Received disconnect from 127\.0\.0\.1 port \d+:12: Too many connections from your address: the practice registry takes 10 at once\./);
      }
      // The app reads SSH's reason, and says it is no password problem.
      const app = await openSftp({
        host: '127.0.0.1',
        port: practice.sftp.port,
        username: practice.username,
        password,
        timeoutSeconds: 30,
        verifyIdentity: (seen) => seen.fingerprint === practice.sftp.fingerprint,
      }).then(
        async (fs) => (await fs.close(), null),
        (error: unknown) => error as { code: string; message: string },
      );
      expect(app).toMatchObject({ code: 'too-many-connections', message: expect.stringContaining('were not refused') });
    } finally {
      await Promise.all(held.map((socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : (socket.once('close', () => resolve()), socket.destroy())))));
    }
    // The registry counts a connection gone when its socket closes; the next sign-in waits for that.
    let again: Run = { code: null, stdout: '', stderr: '' };
    const deadline = Date.now() + 30_000;
    do {
      again = await sftp(['ls /']);
      if (again.code !== 0) await new Promise((r) => setTimeout(r, 100));
    } while (again.code !== 0 && Date.now() < deadline);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('HL7-Dropoff');
  });
});

describe('curl over SFTP (libssh2)', () => {
  it('lists, uploads, renames, downloads and deletes in HL7-Dropoff', async () => {
    const top = await curl('/');
    expect(top.code, top.stderr).toBe(0);
    expect(top.stdout.trim().split('\n').map((line) => line.split(/\s+/).at(-1)).sort()).toEqual(['Accepted', 'DQA-Report', 'HL7-Dropoff', 'Receive']);

    const upload = await curl('/HL7-Dropoff/PRAC01_by_curl.partial', ['-T', SAMPLE]);
    expect(upload.code, upload.stderr).toBe(0);
    const rename = await curl('/HL7-Dropoff/', ['-Q', 'rename /HL7-Dropoff/PRAC01_by_curl.partial /HL7-Dropoff/PRAC01_by_curl.HL7']);
    expect(rename.code, rename.stderr).toBe(0);
    expect(rename.stdout).toMatch(new RegExp(` ${readFileSync(SAMPLE).length} .* PRAC01_by_curl\\.HL7`));
    const saved = join(scratch, 'downloaded-by-curl.HL7');
    const download = await curl('/HL7-Dropoff/PRAC01_by_curl.HL7', ['-o', saved]);
    expect(download.code, download.stderr).toBe(0);
    expect(readFileSync(saved)).toEqual(readFileSync(SAMPLE));
    const remove = await curl('/HL7-Dropoff/', ['-Q', 'rm /HL7-Dropoff/PRAC01_by_curl.HL7']);
    expect(remove.code, remove.stderr).toBe(0);
    expect(onDisk('HL7-Dropoff')).toEqual([]);
  });

  it('reads a read-only folder, and is refused a write or a delete there', async () => {
    writeFileSync(join(folder('Receive'), 'PRAC01_consent.CNF'), 'consent');
    try {
      const read = await curl('/Receive/PRAC01_consent.CNF');
      expect(read.stdout).toBe('consent');
      const write = await curl('/Receive/PRAC01_mine.HL7', ['-T', SAMPLE]);
      expect(write.code).not.toBe(0);
      expect(write.stderr).toMatch(/Permission denied/);
      const remove = await curl('/', ['-Q', 'rm /Receive/PRAC01_consent.CNF']);
      expect(remove.code).not.toBe(0);
      expect(remove.stderr).toMatch(/Permission denied/);
      expect(onDisk('Receive')).toEqual(['PRAC01_consent.CNF']);
    } finally {
      rmSync(join(folder('Receive'), 'PRAC01_consent.CNF'), { force: true });
    }
  });

  it('is refused the 301st file in HL7-Dropoff, and nothing of it is kept', async () => {
    for (let i = 0; i < 300; i++) writeFileSync(join(folder('HL7-Dropoff'), `PRAC01_earlier_${i}.HL7`), 'MSH|');
    try {
      const result = await curl('/HL7-Dropoff/PRAC01_one_too_many.HL7', ['-T', SAMPLE]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/Upload failed/);
      expect(onDisk('HL7-Dropoff')).toHaveLength(300);
      expect(onDisk('HL7-Dropoff')).not.toContain('PRAC01_one_too_many.HL7');
    } finally {
      for (const file of onDisk('HL7-Dropoff')) rmSync(join(folder('HL7-Dropoff'), file));
    }
  });

  it('refuses to sign in when the pinned fingerprint is not the one the registry printed', async () => {
    const wrong = await curl('/', [], 'A'.repeat(43));
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/fingerprint/i);
  });
});

describe('after a restart', () => {
  it('shows the same host key and certificate, so OpenSSH with the old known_hosts line still signs in', async () => {
    const before = { sftp: practice.sftp.fingerprint, tls: practice.ftpsImplicit.fingerprint, password };
    await practice.stop();
    expect(existsSync(join(dataDir, 'practice', 'running.json'))).toBe(false);
    const oldLine = readFileSync(knownHosts, 'utf8').split(' ').slice(1).join(' ');
    await start();
    expect(practice.sftp.fingerprint).toBe(before.sftp);
    expect(practice.ftpsImplicit.fingerprint).toBe(before.tls);
    expect(password).toBe(before.password);
    expect(readFileSync(knownHosts, 'utf8').split(' ').slice(1).join(' ')).toBe(oldLine);
    const result = await sftp(['ls /']);
    expect(result.code, result.stderr).toBe(0);
  });
});
