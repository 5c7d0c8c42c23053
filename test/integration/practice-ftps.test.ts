// The practice registry's FTPS server (electron/practice/ftps-server.ts), implicit TLS (as Texas) and
// explicit AUTH TLS (as Colorado), behind an in-memory practice backend of this test's own with the
// Texas folders and rights. Clients nobody here wrote talk to it: curl (list, upload, download,
// REST, SIZE/MDTM, rename, the quota refusal, WS_FTP's `PASS old new`, a password in plain text
// refused), a few hand-made FTP lines for what no client does on purpose (a data connection from
// another address or without the control connection's TLS session, a flood, a megabyte line), and
// the app's own engine (certificate prompt, listing, an upload through the queue by way of a
// temporary name, a download, and the first-login change demanded with 560 and answered through
// the new-password request).
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryEvent } from '../../shared/contract';
import {
  PracticeRefusal,
  type ChangeResult,
  type PracticeBackend,
  type PracticeEntry,
  type PracticeFiles,
  type SignInResult,
} from '../../electron/practice/backend';
import { startFtpsServer, type FtpsLogEntry, type FtpsServerHandle, type FtpsServerOptions } from '../../electron/practice/ftps-server';
import { createRegistryService, type RegistryService } from '../../electron/engine/registry-service';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { hl7Batch, sha256Of } from '../support/hl7-samples';
import { openApp, type App, type TestRegistry } from '../support/transfer-harness';
import { freeRange } from '../support/vsftpd';

// ---------------------------------------------------------------------------------------------
// An in-memory practice backend: the Texas folders and rights, a per-folder file quota, accounts
// whose first-login change may be due. It counts sign-in attempts, so a test can show that a
// password sent in plain text was never even checked.

const FOLDERS: Record<string, { write: boolean }> = {
  'HL7-Dropoff': { write: true },
  Accepted: { write: false },
  'DQA-Report': { write: false },
  Receive: { write: false },
};

interface Account {
  password: string;
  changeDue: boolean;
  quota: number;
  /** path below the account ("HL7-Dropoff/x.hl7") -> contents */
  files: Map<string, { data: Buffer; modified: Date }>;
}

class MemoryBackend implements PracticeBackend {
  readonly accounts_ = new Map<string, Account>();
  signInAttempts = 0;

  add(username: string, password: string, options: { changeDue?: boolean; quota?: number; files?: Record<string, Buffer> } = {}): Account {
    const account: Account = { password, changeDue: options.changeDue ?? false, quota: options.quota ?? 300, files: new Map() };
    for (const [path, data] of Object.entries(options.files ?? {})) account.files.set(path, { data, modified: new Date(Date.UTC(2026, 10, 14, 9, 5)) });
    this.accounts_.set(username, account);
    return account;
  }

  readonly accounts = {
    signIn: (username: string, password: string): SignInResult => {
      this.signInAttempts += 1;
      const account = this.accounts_.get(username);
      if (!account || account.password !== password) return 'refused';
      return account.changeDue ? 'change-required' : 'ok';
    },
    changePassword: (username: string, oldPassword: string, newPassword: string): ChangeResult => {
      const account = this.accounts_.get(username);
      if (!account || account.password !== oldPassword) return 'refused';
      // The registry's own rules: long enough, new, without the username in it.
      if (newPassword.length < 10 || newPassword === oldPassword || newPassword.toUpperCase().includes(username.toUpperCase())) return 'rejected-new';
      account.password = newPassword;
      account.changeDue = false;
      return 'ok';
    },
  };

  filesFor(username: string): PracticeFiles {
    const account = this.accounts_.get(username);
    if (!account) throw new Error(`no account ${username}`);
    return new MemoryFiles(account);
  }
}

/** `{ folder, name }` of an account path; the root is `{ folder: null }`. */
function split(path: string): { folder: string | null; name: string | null } {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..' || /[\u0000-\u001f\\]/.test(p))) throw new PracticeRefusal('bad-name', 'That name is not allowed here.');
  if (parts.length === 0) return { folder: null, name: null };
  const folder = parts[0] as string;
  if (!(folder in FOLDERS)) throw new PracticeRefusal('not-found', `${path} does not exist.`);
  if (parts.length > 2) throw new PracticeRefusal('not-found', `${path} does not exist.`);
  return { folder, name: parts[1] ?? null };
}

class MemoryFiles implements PracticeFiles {
  constructor(private readonly account: Account) {}

  private inFolder(folder: string): [string, { data: Buffer; modified: Date }][] {
    return [...this.account.files].filter(([key]) => key.startsWith(`${folder}/`));
  }

  async list(path: string): Promise<PracticeEntry[]> {
    const { folder, name } = split(path);
    if (folder === null) return Object.keys(FOLDERS).map((f) => ({ name: f, kind: 'folder' as const, size: 0, modified: new Date(Date.UTC(2026, 0, 5)) }));
    if (name !== null) throw new PracticeRefusal('not-found', `${path} is not a folder.`);
    return this.inFolder(folder).map(([key, file]) => ({ name: key.slice(folder.length + 1), kind: 'file' as const, size: file.data.length, modified: file.modified }));
  }

  async stat(path: string): Promise<PracticeEntry> {
    const { folder, name } = split(path);
    if (folder === null) return { name: '/', kind: 'folder', size: 0, modified: new Date(Date.UTC(2026, 0, 5)) };
    if (name === null) return { name: folder, kind: 'folder', size: 0, modified: new Date(Date.UTC(2026, 0, 5)) };
    const file = this.account.files.get(`${folder}/${name}`);
    if (!file) throw new PracticeRefusal('not-found', `No file ${name} in ${folder}.`);
    return { name, kind: 'file', size: file.data.length, modified: file.modified };
  }

  async read(path: string, start = 0): Promise<Readable> {
    const { folder, name } = split(path);
    const file = folder && name ? this.account.files.get(`${folder}/${name}`) : undefined;
    if (!file) throw new PracticeRefusal('not-found', `No file ${name ?? path}.`);
    if (name === ENDLESS_FILE) {
      return new Readable({
        read() {
          this.push(Buffer.alloc(16 * 1024, 0x41));
        },
      });
    }
    return Readable.from([file.data.subarray(start)]);
  }

  async write(path: string, options: { append?: boolean; start?: number } = {}): Promise<Writable> {
    const { folder, name } = split(path);
    if (folder === null || name === null) throw new PracticeRefusal('permission', 'Files go in HL7-Dropoff: this folder is list-only.');
    if (!FOLDERS[folder]?.write) throw new PracticeRefusal('permission', `${folder} is read-only.`);
    const key = `${folder}/${name}`;
    const existing = this.account.files.get(key);
    if (!existing && this.inFolder(folder).length >= this.account.quota) {
      throw new PracticeRefusal('quota', `${folder} holds ${this.account.quota} files, as many as the registry allows.`);
    }
    const before = options.append ? (existing?.data ?? Buffer.alloc(0)) : options.start ? (existing?.data ?? Buffer.alloc(0)).subarray(0, options.start) : Buffer.alloc(0);
    const chunks: Buffer[] = [before];
    const files = this.account.files;
    return new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
      final(done) {
        files.set(key, { data: Buffer.concat(chunks), modified: new Date() });
        done();
      },
    });
  }

  async rename(from: string, to: string): Promise<void> {
    const a = split(from);
    const b = split(to);
    if (!a.folder || !a.name || !b.folder || !b.name) throw new PracticeRefusal('permission', 'Only files can be renamed.');
    if (!FOLDERS[a.folder]?.write || !FOLDERS[b.folder]?.write) throw new PracticeRefusal('permission', 'Renaming is allowed in HL7-Dropoff only.');
    const file = this.account.files.get(`${a.folder}/${a.name}`);
    if (!file) throw new PracticeRefusal('not-found', `No file ${a.name}.`);
    if (this.account.files.has(`${b.folder}/${b.name}`)) throw new PracticeRefusal('exists', `${b.name} already exists.`);
    this.account.files.delete(`${a.folder}/${a.name}`);
    this.account.files.set(`${b.folder}/${b.name}`, file);
  }

  async remove(path: string): Promise<void> {
    const { folder, name } = split(path);
    if (!folder || !name || !FOLDERS[folder]?.write) throw new PracticeRefusal('permission', 'Deleting is allowed in HL7-Dropoff only.');
    if (!this.account.files.delete(`${folder}/${name}`)) throw new PracticeRefusal('not-found', `No file ${name}.`);
  }

  async makeFolder(): Promise<void> {
    throw new PracticeRefusal('permission', "The registry's folders are fixed.");
  }
}

// ---------------------------------------------------------------------------------------------
// The server, its certificate, and the clients.

/** Usernames (import codes) of this file's accounts: PF = practice FTPS. */
const READY = { username: 'TXPF01', password: 'Ready-Pass-2026!' };
const DUE = { username: 'TXPF02', password: 'Issued-Pass-58!' };
const FULL = { username: 'TXPF03', password: 'Full-Pass-2026!' };
const DUE_APP = { username: 'TXPF04', password: 'Issued-App-77!' };
const ENDLESS = { username: 'TXPF05', password: 'Endless-Pass-2026!' };
const SITE = { username: 'TXPF06', password: 'Site-Pass-2026!' };
/** A file whose reading never ends (its size says 100 bytes): a transfer that only ABOR stops. */
const ENDLESS_FILE = 'endless.CNF';
const CHOSEN = 'Chosen-Pass-2290%';

let certDir: string;
let certFile: string;
let fingerprint: string;
let tlsFiles: { key: string; cert: string };
let scratch: string;

beforeAll(() => {
  certDir = mkdtempSync(join(tmpdir(), 'rt-practice-ftps-cert-'));
  scratch = mkdtempSync(join(tmpdir(), 'rt-practice-ftps-'));
  certFile = join(certDir, 'cert.pem');
  const keyFile = join(certDir, 'key.pem');
  // Debian's openssl, as the practice registry makes its certificate on first run.
  return new Promise<void>((resolve, reject) => {
    execFile(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30', '-subj', '/CN=127.0.0.1/O=Practice Registry',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile],
      (error) => {
        if (error) return reject(error);
        tlsFiles = { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
        fingerprint = new X509Certificate(tlsFiles.cert).fingerprint256;
        resolve();
      },
    );
  });
});
afterAll(() => {
  rmSync(certDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

interface Practice {
  server: FtpsServerHandle;
  backend: MemoryBackend;
  log: FtpsLogEntry[];
  mode: 'implicit' | 'explicit';
}

async function startPractice(mode: 'implicit' | 'explicit', extra: Partial<FtpsServerOptions> = {}): Promise<Practice> {
  const backend = new MemoryBackend();
  backend.add(READY.username, READY.password, { files: { 'DQA-Report/TXPF01_20261114_DQA.txt': Buffer.from('Data quality report: 40 messages, score 97.\r\n') } });
  backend.add(DUE.username, DUE.password, { changeDue: true });
  backend.add(FULL.username, FULL.password, { quota: 2, files: { 'HL7-Dropoff/a.HL7': Buffer.from('a'), 'HL7-Dropoff/b.HL7': Buffer.from('b') } });
  backend.add(DUE_APP.username, DUE_APP.password, { changeDue: true });
  backend.add(ENDLESS.username, ENDLESS.password, { files: { [`Receive/${ENDLESS_FILE}`]: Buffer.alloc(100, 0x41) } });
  backend.add(SITE.username, SITE.password);
  const log: FtpsLogEntry[] = [];
  const server = await startFtpsServer({ host: '127.0.0.1', port: 0, implicitTls: mode === 'implicit', tls: tlsFiles, backend, log: (entry) => log.push(entry), ...extra });
  return { server, backend, log, mode };
}

interface CurlResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** curl against the practice server, the certificate checked against the one the server was given. */
function curl(practice: Practice, user: { username: string; password: string } | string, path: string, args: string[] = []): Promise<CurlResult> {
  const url = `${practice.mode === 'implicit' ? 'ftps' : 'ftp'}://127.0.0.1:${practice.server.port}${path}`;
  const credentials = typeof user === 'string' ? user : `${user.username}:${user.password}`;
  const tls = practice.mode === 'explicit' ? ['--ssl-reqd'] : [];
  return new Promise((resolve) => {
    execFile('curl', ['--silent', '--show-error', '--max-time', '60', '--cacert', certFile, ...tls, '--user', credentials, ...args, url], { encoding: 'utf8' }, (error, stdout, stderr) => {
      const status = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : -1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

/** A hand-made FTP client: send lines, read whole replies (multi-line ones too). */
class FtpLines {
  private text = '';
  private ended = false;
  private wake: (() => void) | null = null;
  stream: Socket;

  constructor(stream: Socket) {
    this.stream = stream;
    this.attach(stream);
  }

  attach(stream: Socket): void {
    this.stream = stream;
    this.ended = false;
    stream.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('utf8');
      this.wake?.();
    });
    stream.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
    stream.on('error', () => undefined);
  }

  /** Stop reading `stream` (before it is handed to TLS). */
  detach(): void {
    this.stream.removeAllListeners('data');
    this.stream.removeAllListeners('close');
  }

  send(line: string): void {
    this.stream.write(`${line}\r\n`);
  }

  /** The next whole reply; `{ code: 0 }` once the connection has closed without one. */
  async reply(): Promise<{ code: number; text: string }> {
    for (;;) {
      const lines = this.text.split('\r\n');
      const first = /^(\d{3})([ -])/.exec(lines[0] ?? '');
      if (first && lines.length > 1) {
        const code = first[1] as string;
        let last = 0;
        if (first[2] === '-') {
          last = lines.findIndex((line, i) => i > 0 && line.startsWith(`${code} `) && i < lines.length - 1);
        }
        if (last >= 0) {
          const reply = lines.slice(0, last + 1).join('\n');
          this.text = lines.slice(last + 1).join('\r\n');
          return { code: Number(code), text: reply };
        }
      }
      if (this.ended) return { code: 0, text: this.text };
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
  }

  async command(line: string): Promise<{ code: number; text: string }> {
    this.send(line);
    return this.reply();
  }
}

/** A control connection, TLS agreed (implicit, or AUTH TLS) but not signed in; its newest TLS session kept. */
async function controlConnection(practice: Practice): Promise<{ ftp: FtpLines; tls: TLSSocket; session: () => Buffer | undefined }> {
  let session: Buffer | undefined;
  const secure = (socket?: Socket) =>
    new Promise<TLSSocket>((resolve, reject) => {
      const tls = connectTls({ ...(socket ? { socket } : { host: '127.0.0.1', port: practice.server.port }), rejectUnauthorized: false, minVersion: 'TLSv1.2' }, () => resolve(tls));
      tls.on('session', (s: Buffer) => {
        session = s;
      });
      tls.once('error', reject);
    });
  if (practice.mode === 'implicit') {
    const tls = await secure();
    const ftp = new FtpLines(tls);
    expect((await ftp.reply()).code).toBe(220);
    return { ftp, tls, session: () => session };
  }
  const raw = connectTcp({ host: '127.0.0.1', port: practice.server.port });
  const ftp = new FtpLines(raw);
  expect((await ftp.reply()).code).toBe(220);
  expect((await ftp.command('AUTH TLS')).code).toBe(234);
  ftp.detach();
  const tls = await secure(raw);
  ftp.attach(tls);
  return { ftp, tls, session: () => session };
}

async function signedIn(practice: Practice, user = READY) {
  const control = await controlConnection(practice);
  expect((await control.ftp.command(`USER ${user.username}`)).code).toBe(331);
  expect((await control.ftp.command(`PASS ${user.password}`)).code).toBe(230);
  expect((await control.ftp.command('PBSZ 0')).code).toBe(200);
  expect((await control.ftp.command('PROT P')).code).toBe(200);
  return control;
}

/** The root's names as curl prints a name listing (it ends lines with LF alone on this system: an ASCII transfer). */
const ROOT_NAMES = 'HL7-Dropoff\nAccepted\nDQA-Report\nReceive\n';

const epsvPort = (text: string) => Number(/\(\|\|\|(\d+)\|\)/.exec(text)?.[1]);

/** A data connection: TCP from `from`, then TLS resuming `session` (or a fresh one). Resolves with what it received once closed. */
function dataConnection(port: number, options: { from?: string; session?: Buffer | undefined }) {
  const raw = connectTcp({ host: '127.0.0.1', port, ...(options.from ? { localAddress: options.from } : {}) });
  const tls = connectTls({ socket: raw, rejectUnauthorized: false, ...(options.session ? { session: options.session } : {}) });
  const received: Buffer[] = [];
  let secured = false;
  let resumed = false;
  tls.on('secureConnect', () => {
    secured = true;
    resumed = tls.isSessionReused();
  });
  tls.on('data', (chunk: Buffer) => received.push(chunk));
  const closed = new Promise<{ secured: boolean; resumed: boolean; text: string }>((resolve) => {
    tls.on('error', () => undefined);
    raw.on('error', () => undefined);
    tls.on('close', () => resolve({ secured, resumed, text: Buffer.concat(received).toString('utf8') }));
  });
  return { tls, closed };
}

const dropoff = (practice: Practice, user = READY) => [...(practice.backend.accounts_.get(user.username)?.files.keys() ?? [])].filter((k) => k.startsWith('HL7-Dropoff/')).sort();
const fileOf = (practice: Practice, path: string, user = READY) => practice.backend.accounts_.get(user.username)?.files.get(path)?.data;

// ---------------------------------------------------------------------------------------------

for (const mode of ['implicit', 'explicit'] as const) {
  describe(`practice FTPS, ${mode} TLS, with curl`, () => {
    let practice: Practice;
    beforeAll(async () => {
      practice = await startPractice(mode);
    });
    afterAll(async () => {
      await practice?.server.stop();
    });

    it('lists the account root and a folder, the certificate checked by curl against the one the server was given', async () => {
      const root = await curl(practice, READY, '/');
      expect(root.stderr).toBe('');
      expect(root.status).toBe(0);
      const names = root.stdout.trim().split('\n').map((line) => line.split(/\s+/).slice(8).join(' '));
      expect(names).toEqual(['HL7-Dropoff', 'Accepted', 'DQA-Report', 'Receive']);
      expect(root.stdout).toMatch(/^drwxr-xr-x\s+1 ftp\s+ftp\s+0 Jan {2}5 {2}2026 HL7-Dropoff$/m);

      const reports = await curl(practice, READY, '/DQA-Report/');
      expect(reports.status).toBe(0);
      expect(reports.stdout).toMatch(/^-rw-r--r--\s+1 ftp\s+ftp\s+45 Nov 14 ( {2}2026|09:05) TXPF01_20261114_DQA\.txt$/m);
      const namesOnly = await curl(practice, READY, '/DQA-Report/', ['--list-only']);
      expect(namesOnly.stdout).toBe('TXPF01_20261114_DQA.txt\n');
    });

    it('uploads, downloads (whole and from an offset), says size and time, renames and deletes in HL7-Dropoff', async () => {
      const bytes = hl7Batch({ importCode: READY.username, messages: 12 });
      const local = join(scratch, `${mode}-TXPF01_20261121.HL7`);
      writeFileSync(local, bytes);
      const up = await curl(practice, READY, '/HL7-Dropoff/TXPF01_20261121.HL7', ['-T', local]);
      expect(up.stderr).toBe('');
      expect(up.status).toBe(0);
      expect(fileOf(practice, 'HL7-Dropoff/TXPF01_20261121.HL7')?.equals(bytes)).toBe(true);

      const out = join(scratch, `${mode}-down.HL7`);
      const down = await curl(practice, READY, '/HL7-Dropoff/TXPF01_20261121.HL7', ['-o', out]);
      expect(down.status).toBe(0);
      expect(sha256Of(readFileSync(out))).toBe(sha256Of(bytes));
      const tail = join(scratch, `${mode}-tail.HL7`);
      const resumed = await curl(practice, READY, '/HL7-Dropoff/TXPF01_20261121.HL7', ['-C', '100', '-o', tail]);
      expect(resumed.status).toBe(0);
      expect(readFileSync(tail).equals(bytes.subarray(100))).toBe(true);

      const head = await curl(practice, READY, '/HL7-Dropoff/TXPF01_20261121.HL7', ['--head']);
      expect(head.status).toBe(0);
      expect(head.stdout).toContain(`Content-Length: ${bytes.length}\r\n`);
      const lastModified = /Last-Modified: (.*)\r\n/.exec(head.stdout)?.[1];
      expect(Math.abs(Date.parse(lastModified ?? '') - Date.now())).toBeLessThan(24 * 3600 * 1000);

      const renamed = await curl(practice, READY, '/HL7-Dropoff/', ['--list-only', '-Q', 'RNFR /HL7-Dropoff/TXPF01_20261121.HL7', '-Q', 'RNTO /HL7-Dropoff/TXPF01_20261121_renamed.HL7']);
      expect(renamed.status).toBe(0);
      expect(renamed.stdout).toBe('TXPF01_20261121_renamed.HL7\n');

      // APPE adds to the end of a file.
      const more = join(scratch, `${mode}-more.HL7`);
      writeFileSync(more, 'MSH|^~\\&|more\r');
      const appended = await curl(practice, READY, '/HL7-Dropoff/TXPF01_20261121_renamed.HL7', ['-T', more, '--append']);
      expect(appended.status).toBe(0);
      expect(fileOf(practice, 'HL7-Dropoff/TXPF01_20261121_renamed.HL7')?.equals(Buffer.concat([bytes, readFileSync(more)]))).toBe(true);

      // A rename onto a name that is there is refused (550), and curl says its quote command failed.
      const copy = await curl(practice, READY, '/HL7-Dropoff/TXPF01_copy.HL7', ['-T', more]);
      expect(copy.status).toBe(0);
      const onto = await curl(practice, READY, '/HL7-Dropoff/', ['--list-only', '-Q', 'RNFR /HL7-Dropoff/TXPF01_copy.HL7', '-Q', 'RNTO /HL7-Dropoff/TXPF01_20261121_renamed.HL7']);
      expect(onto.status).toBe(21);
      expect(onto.stderr).toMatch(/550/);
      // A name the registry does not take (a backslash) is refused with 553.
      const badName = await curl(practice, READY, '/HL7-Dropoff/a%5Cb.HL7', ['-T', more]);
      expect(badName.status).toBe(25);
      expect(badName.stderr).toMatch(/553/);

      const deleted = await curl(practice, READY, '/HL7-Dropoff/', ['--list-only', '-Q', 'DELE /HL7-Dropoff/TXPF01_20261121_renamed.HL7', '-Q', 'DELE /HL7-Dropoff/TXPF01_copy.HL7']);
      expect(deleted.status).toBe(0);
      expect(deleted.stdout).toBe('');
      expect(dropoff(practice)).toEqual([]);
    });

    it('refuses a file past the quota (552) and one in a read-only folder (550), and keeps nothing of either', async () => {
      const local = join(scratch, `${mode}-quota.HL7`);
      writeFileSync(local, 'MSH|^~\\&|\r');
      const full = await curl(practice, FULL, '/HL7-Dropoff/c.HL7', ['-T', local]);
      expect(full.status).toBe(25);
      expect(full.stderr).toMatch(/552/);
      expect(dropoff(practice, FULL)).toEqual(['HL7-Dropoff/a.HL7', 'HL7-Dropoff/b.HL7']);

      const readOnly = await curl(practice, READY, '/Accepted/x.HL7', ['-T', local]);
      expect(readOnly.status).toBe(25);
      expect(readOnly.stderr).toMatch(/550/);
      const root = await curl(practice, READY, '/x.HL7', ['-T', local]);
      expect(root.status).toBe(25);
      expect([...(practice.backend.accounts_.get(READY.username)?.files.keys() ?? [])]).toEqual(['DQA-Report/TXPF01_20261114_DQA.txt']);
    });

    it("a wrong password is refused (curl's 67); a due change is refused with 560, then `PASS old new` changes it and signs in", async () => {
      const wrong = await curl(practice, `${READY.username}:not-the-password`, '/');
      expect(wrong.status).toBe(67);
      expect(wrong.stderr).toMatch(/530/);

      const due = await curl(practice, DUE, '/');
      expect(due.status).toBe(67);
      expect(due.stderr).toMatch(/560/);
      expect(practice.backend.accounts_.get(DUE.username)).toMatchObject({ password: DUE.password, changeDue: true });

      const tooShort = await curl(practice, `${DUE.username}:${DUE.password} short`, '/');
      expect(tooShort.status).toBe(67);
      expect(practice.backend.accounts_.get(DUE.username)).toMatchObject({ password: DUE.password, changeDue: true });

      const changed = await curl(practice, `${DUE.username}:${DUE.password} ${CHOSEN}`, '/', ['--list-only']);
      expect(changed.stderr).toBe('');
      expect(changed.stdout).toBe(ROOT_NAMES);
      expect(practice.backend.accounts_.get(DUE.username)).toMatchObject({ password: CHOSEN, changeDue: false });
      expect((await curl(practice, DUE, '/')).status).toBe(67);
      expect((await curl(practice, `${DUE.username}:${CHOSEN}`, '/')).status).toBe(0);
      // No log line holds a password.
      for (const secret of [DUE.password, CHOSEN, READY.password]) expect(JSON.stringify(practice.log)).not.toContain(secret);
      expect(practice.log.filter((e) => e.command.startsWith('PASS')).every((e) => e.command === 'PASS ********')).toBe(true);
    });

    it('takes data connections only from the control connection\'s address, and only resuming its TLS session', async () => {
      const { ftp, session } = await signedIn(practice);
      // Someone else (another address) connects to the passive port first: closed at once, and
      // the port still waits for the client.
      const epsv = await ftp.command('EPSV');
      expect(epsv.code).toBe(229);
      const port = epsvPort(epsv.text);
      const intruder = dataConnection(port, { from: '127.0.0.2', session: session() });
      expect((await intruder.closed).secured).toBe(false);
      const client = dataConnection(port, { session: session() });
      expect((await ftp.command('LIST /')).code).toBe(150);
      expect((await ftp.reply()).code).toBe(226);
      const listed = await client.closed;
      expect(listed).toMatchObject({ secured: true, resumed: true });
      expect(listed.text).toContain('HL7-Dropoff');

      // A data connection with a TLS session of its own is not the client's: 522, nothing sent.
      const fresh = dataConnection(epsvPort((await ftp.command('EPSV')).text), {});
      expect((await ftp.command('LIST /')).code).toBe(150);
      const refused = await ftp.reply();
      expect(refused.code).toBe(522);
      expect(refused.text).toMatch(/resume the control connection's TLS session/);
      expect(await fresh.closed).toMatchObject({ resumed: false, text: '' });

      // Active mode is not offered, PROT C is refused, and a transfer needs a passive port first.
      expect((await ftp.command('PORT 127,0,0,1,200,10')).code).toBe(502);
      expect((await ftp.command('EPRT |1|127.0.0.1|51210|')).code).toBe(502);
      expect((await ftp.command('PROT C')).code).toBe(534);
      expect((await ftp.command('RETR /DQA-Report/TXPF01_20261114_DQA.txt')).code).toBe(425);
      expect((await ftp.command('QUIT')).code).toBe(221);
    });

    it('answers FEAT, MLST, MLSD, SIZE, MDTM, TYPE, MODE, STRU, OPTS, PWD, CWD, CDUP, MKD and refusals in their codes', async () => {
      const { ftp, session } = await signedIn(practice);
      const feat = await ftp.command('FEAT');
      expect(feat.code).toBe(211);
      for (const feature of ['EPSV', 'MDTM', 'MLST type*;size*;modify*;', 'PASV', 'PBSZ', 'PROT', 'REST STREAM', 'SIZE', 'UTF8']) expect(feat.text).toContain(`\n ${feature}\n`);
      expect(feat.text.includes('AUTH TLS')).toBe(mode === 'explicit');
      expect((await ftp.command('SYST')).text).toBe('215 UNIX Type: L8');
      expect((await ftp.command('OPTS UTF8 ON')).code).toBe(200);
      expect((await ftp.command('TYPE A')).code).toBe(200);
      expect((await ftp.command('TYPE I')).code).toBe(200);
      expect((await ftp.command('TYPE E')).code).toBe(504);
      expect((await ftp.command('MODE S')).code).toBe(200);
      expect((await ftp.command('MODE B')).code).toBe(504);
      expect((await ftp.command('STRU F')).code).toBe(200);
      expect((await ftp.command('PWD')).text).toBe('257 "/" is the current folder.');
      expect((await ftp.command('CWD DQA-Report')).code).toBe(250);
      expect((await ftp.command('PWD')).text).toBe('257 "/DQA-Report" is the current folder.');
      expect((await ftp.command('SIZE TXPF01_20261114_DQA.txt')).text).toBe('213 45');
      expect((await ftp.command('MDTM TXPF01_20261114_DQA.txt')).text).toBe('213 20261114090500');
      expect((await ftp.command('MLST TXPF01_20261114_DQA.txt')).text).toBe(
        '250-Listing /DQA-Report/TXPF01_20261114_DQA.txt\n type=file;size=45;modify=20261114090500; /DQA-Report/TXPF01_20261114_DQA.txt\n250 End',
      );
      expect((await ftp.command('SIZE /DQA-Report')).code).toBe(550);
      expect((await ftp.command('CDUP')).code).toBe(250);
      expect((await ftp.command('CWD ../../..')).code).toBe(250);
      expect((await ftp.command('PWD')).text).toBe('257 "/" is the current folder.');
      const missing = await ftp.command('CWD /Nowhere');
      expect(missing.code).toBe(550);
      expect(missing.text).toMatch(/^550 No such file or folder\./);
      expect((await ftp.command('MKD /HL7-Dropoff/sub')).text).toBe("550 Permission denied. The registry's folders are fixed.");
      expect((await ftp.command('RMD /HL7-Dropoff')).code).toBe(550);
      expect((await ftp.command('DELE /Accepted/none.HL7')).code).toBe(550);
      expect((await ftp.command('RNTO /HL7-Dropoff/x')).code).toBe(503);
      expect((await ftp.command('STOU')).code).toBe(502);
      expect((await ftp.command('NOOP')).code).toBe(200);
      expect((await ftp.command('ABOR')).code).toBe(225);

      expect((await ftp.command('OPTS MLST type;size;')).text).toBe('200 MLST OPTS type;size;');
      const data = dataConnection(epsvPort((await ftp.command('EPSV')).text), { session: session() });
      expect((await ftp.command('MLSD /DQA-Report')).code).toBe(150);
      expect((await ftp.reply()).code).toBe(226);
      expect((await data.closed).text).toBe('type=file;size=45; TXPF01_20261114_DQA.txt\r\n');
      const onFile = dataConnection(epsvPort((await ftp.command('EPSV')).text), { session: session() });
      expect((await ftp.command('MLSD /DQA-Report/TXPF01_20261114_DQA.txt')).code).toBe(501);
      onFile.tls.destroy();
      // A path that climbs out stays inside the account (and the backend judges it): not found.
      expect((await ftp.command('SIZE ../../../etc/passwd')).text).toMatch(/^550 No such file or folder\./);
      expect((await ftp.command('STOR /HL7-Dropoff/a\\b.HL7')).code).toBe(553);
      expect((await ftp.command('QUIT')).code).toBe(221);
    });

    it('ABOR stops a download that would never end: 426 then 226, the data connection closed, and the session goes on', async () => {
      const { ftp, session } = await signedIn(practice, ENDLESS);
      const data = dataConnection(epsvPort((await ftp.command('EPSV')).text), { session: session() });
      let received = 0;
      const flowing = new Promise<void>((resolve) =>
        data.tls.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > 64 * 1024) resolve();
        }),
      );
      expect((await ftp.command(`RETR /Receive/${ENDLESS_FILE}`)).text).toBe(`150 Opening BINARY mode data connection for ${ENDLESS_FILE} (100 bytes).`);
      await flowing;
      expect((await ftp.command('ABOR')).text).toBe('426 Transfer aborted: the data connection was closed.');
      expect((await ftp.reply()).text).toBe('226 ABOR successful.');
      await data.closed;
      expect((await ftp.command('NOOP')).code).toBe(200);
      expect((await ftp.command('SIZE /Receive/endless.CNF')).text).toBe('213 100');
    });

    it('SITE PSWD old new (bare or quoted) and SITE CPWD new change the password after sign-in; a wrong old one or a weak new one is refused', async () => {
      const account = practice.backend.accounts_.get(SITE.username) as Account;
      account.password = SITE.password;
      const { ftp } = await signedIn(practice, SITE);
      expect((await ftp.command(`SITE PSWD wrong-old ${CHOSEN}`)).code).toBe(530);
      expect((await ftp.command(`SITE PSWD ${SITE.password} short`)).code).toBe(550);
      expect(account.password).toBe(SITE.password);
      expect((await ftp.command(`SITE PSWD ${SITE.password} ${CHOSEN}`)).text).toBe('200 Password changed.');
      expect(account.password).toBe(CHOSEN);
      expect((await ftp.command(`SITE PSWD "${CHOSEN}" "${SITE.password}"`)).code).toBe(200);
      expect(account.password).toBe(SITE.password);
      expect((await ftp.command(`SITE CPWD ${CHOSEN}`)).code).toBe(200);
      expect(account.password).toBe(CHOSEN);
      expect((await ftp.command('SITE CHMOD 777 x')).code).toBe(500);
      expect((await curl(practice, `${SITE.username}:${CHOSEN}`, '/')).status).toBe(0);
      for (const secret of [SITE.password, CHOSEN]) expect(JSON.stringify(practice.log)).not.toContain(secret);
      expect(practice.log.filter((e) => e.command.startsWith('SITE')).map((e) => e.command)).toEqual(
        expect.arrayContaining(['SITE PSWD ********', 'SITE CPWD ********', 'SITE CHMOD 777 x']),
      );
    });
  });
}

describe('practice FTPS, explicit TLS: nothing about the account is taken in plain text', () => {
  let practice: Practice;
  beforeAll(async () => {
    practice = await startPractice('explicit');
  });
  afterAll(async () => {
    await practice?.server.stop();
  });

  it('curl without TLS is refused at USER, and the password it sent in the clear is never checked', async () => {
    const before = practice.backend.signInAttempts;
    const plain = await new Promise<CurlResult>((resolve) => {
      execFile('curl', ['--silent', '--show-error', '--user', `${READY.username}:${READY.password}`, `ftp://127.0.0.1:${practice.server.port}/`], { encoding: 'utf8' }, (error, stdout, stderr) =>
        resolve({ status: error ? Number((error as { code?: unknown }).code) : 0, stdout, stderr }),
      );
    });
    expect(plain.status).toBe(67);
    expect(plain.stdout).toBe('');
    expect(practice.backend.signInAttempts).toBe(before);
    const plainCommands = practice.log.filter((e) => !e.encrypted).map((e) => e.command);
    expect(plainCommands).toContain(`USER ${READY.username}`);
    expect(plainCommands.some((c) => c.startsWith('PASS') && c !== 'PASS ********')).toBe(false);
  });

  it('curl asking for clear data connections (--ftp-ssl-control: PROT C) signs in but gets no data connection', async () => {
    const clear = await new Promise<CurlResult>((resolve) => {
      execFile('curl', ['--silent', '--show-error', '--cacert', certFile, '--ftp-ssl-control', '--user', `${READY.username}:${READY.password}`, `ftp://127.0.0.1:${practice.server.port}/`], { encoding: 'utf8' }, (error, stdout, stderr) =>
        resolve({ status: error ? Number((error as { code?: unknown }).code) : 0, stdout, stderr }),
      );
    });
    expect(clear.status).not.toBe(0);
    expect(clear.stdout).toBe('');
    const commands = practice.log.map((e) => e.command);
    expect(commands).toContain('PROT C');
    expect(commands.some((c) => c === 'LIST' || c.startsWith('LIST '))).toBe(false);
  });

  it('USER and PASS in plain text get 530 and a reason; AUTH with another mechanism is refused; after AUTH TLS sign-in works', async () => {
    const before = practice.backend.signInAttempts;
    const raw = connectTcp({ host: '127.0.0.1', port: practice.server.port });
    const ftp = new FtpLines(raw);
    expect((await ftp.reply()).text).toBe('220 Registry Transfer practice registry ready (FTPS, explicit TLS: send AUTH TLS before signing in).');
    const user = await ftp.command(`USER ${READY.username}`);
    expect(user).toEqual({ code: 530, text: '530 This server takes no username or password over an unencrypted connection: send AUTH TLS first. Nothing was checked.' });
    expect((await ftp.command(`PASS ${READY.password}`)).code).toBe(530);
    expect((await ftp.command('LIST')).code).toBe(530);
    expect((await ftp.command('PBSZ 0')).code).toBe(530);
    expect((await ftp.command('AUTH KERBEROS')).code).toBe(504);
    expect(practice.backend.signInAttempts).toBe(before);
    raw.destroy();
  });

  it('a command slipped in after AUTH TLS in the same packet is dropped, never run over the encrypted connection', async () => {
    const raw = connectTcp({ host: '127.0.0.1', port: practice.server.port });
    const ftp = new FtpLines(raw);
    expect((await ftp.reply()).code).toBe(220);
    raw.write(`AUTH TLS\r\nUSER ${READY.username}\r\n`);
    expect((await ftp.reply()).code).toBe(234);
    ftp.detach();
    const tls = await new Promise<TLSSocket>((resolve) => {
      const s = connectTls({ socket: raw, rejectUnauthorized: false }, () => resolve(s));
    });
    ftp.attach(tls);
    // Had the slipped-in USER been taken, PASS would sign in.
    expect((await ftp.command(`PASS ${READY.password}`)).text).toBe('503 Send USER first.');
    tls.destroy();
  });
});

describe('practice FTPS: floods and long lines get a plain refusal, and the server stays up', () => {
  let practice: Practice;
  beforeAll(async () => {
    practice = await startPractice('implicit', { maxConnectionsPerAddress: 2 });
  });
  afterAll(async () => {
    await practice?.server.stop();
  });

  it('a third connection from one address gets 421 over TLS, in words the app reads as the address\'s limit; once one closes, a new one is let in', async () => {
    const first = await controlConnection(practice);
    const second = await controlConnection(practice);
    const third = connectTls({ host: '127.0.0.1', port: practice.server.port, rejectUnauthorized: false });
    const ftp = new FtpLines(third);
    const refused = await ftp.reply();
    expect(refused.text).toBe('421 There are too many connections from your internet address (this registry allows 2 at once). Close one, then try again.');
    expect((await ftp.reply()).code).toBe(0);
    first.tls.destroy();
    second.tls.destroy();
    // The closed ones are counted out as the server sees them close (a moment after the client).
    let listed: CurlResult = await curl(practice, READY, '/', ['--list-only']);
    for (let attempt = 0; attempt < 100 && listed.status !== 0; attempt += 1) {
      expect(listed.stderr).toMatch(/421/);
      await new Promise((r) => setTimeout(r, 100));
      listed = await curl(practice, READY, '/', ['--list-only']);
    }
    expect(listed.stdout).toBe(ROOT_NAMES);
  });

  it('a megabyte without a line break is refused with 500 and the connection closed; a burst of commands past the queue is refused with 421', async () => {
    const { ftp, tls } = await controlConnection(practice);
    tls.write(Buffer.alloc(1024 * 1024, 0x41));
    const long = await ftp.reply();
    expect(long.text).toBe('500 Command line too long (more than 4096 bytes): closing the connection.');
    expect((await ftp.reply()).code).toBe(0);

    const burst = await controlConnection(practice);
    burst.tls.write('NOOP\r\n'.repeat(10_000));
    let last = { code: 200, text: '' };
    while (last.code === 200) last = await burst.ftp.reply();
    expect(last.text).toBe('421 Too many commands sent without waiting for their answers: closing the connection.');
    expect((await burst.ftp.reply()).code).toBe(0);

    const listed = await curl(practice, READY, '/', ['--list-only']);
    expect(listed.stdout).toBe(ROOT_NAMES);
  });

  it('a client that keeps sending commands and never reads the replies is closed, not buffered for', async () => {
    const { ftp, tls } = await controlConnection(practice);
    ftp.detach();
    tls.pause();
    let closed = false;
    tls.on('close', () => {
      closed = true;
    });
    tls.on('error', () => undefined);
    // Either bound stops it: the commands queued unanswered (the server answers no more while its
    // replies lie unread), or the queue limit when the network joins the writes into larger chunks.
    const lines = 'HELP\r\n'.repeat(32);
    for (let i = 0; i < 20_000 && !closed; i += 1) {
      if (!tls.write(lines)) {
        await new Promise<void>((resolve) => {
          tls.once('drain', resolve);
          tls.once('close', resolve);
        });
      }
    }
    // Read now, only to see the end: the server said 421 and closed the connection.
    const seen: Buffer[] = [];
    tls.on('data', (chunk: Buffer) => seen.push(chunk));
    tls.resume();
    await new Promise<void>((resolve) => (closed ? resolve() : tls.once('close', () => resolve())));
    expect(closed).toBe(true);
    const replies = Buffer.concat(seen).toString('utf8');
    expect(replies.length).toBeLessThan(1024 * 1024);
    if (replies !== '') expect(replies).toMatch(/421 Too many commands sent without waiting for their answers: closing the connection\.\r\n$/);
    const listed = await curl(practice, READY, '/', ['--list-only']);
    expect(listed.stdout).toBe(ROOT_NAMES);
  });

  it('three wrong passwords close the connection; a client speaking plain text to the TLS port is dropped', async () => {
    const { ftp } = await controlConnection(practice);
    expect((await ftp.command(`USER ${READY.username}`)).code).toBe(331);
    expect((await ftp.command('PASS wrong-1')).text).toBe('530 Login incorrect.');
    expect((await ftp.command('PASS wrong-2')).text).toBe('530 Login incorrect.');
    expect((await ftp.command('PASS wrong-3')).text).toBe('530 Login incorrect. Too many failed sign-ins: closing the connection.');
    expect((await ftp.reply()).code).toBe(0);

    const plain = connectTcp({ host: '127.0.0.1', port: practice.server.port });
    const lines = new FtpLines(plain);
    plain.write('USER TXPF01\r\n');
    expect(await lines.reply()).toEqual({ code: 0, text: '' });
  });
});

describe('practice FTPS: a published passive port range', () => {
  it('opens data connections only on the given ports', async () => {
    const passivePorts = await freeRange(3);
    const practice = await startPractice('explicit', { passivePorts });
    try {
      const { ftp } = await signedIn(practice);
      const ports = new Set<number>();
      for (let i = 0; i < 6; i += 1) ports.add(epsvPort((await ftp.command('EPSV')).text));
      const pasv = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec((await ftp.command('PASV')).text);
      expect(pasv?.slice(1, 5)).toEqual(['127', '0', '0', '1']);
      ports.add(Number(pasv?.[5]) * 256 + Number(pasv?.[6]));
      for (const port of ports) expect(port >= passivePorts.from && port <= passivePorts.to, String(port)).toBe(true);
      expect((await curl(practice, READY, '/', ['--list-only'])).stdout).toBe(ROOT_NAMES);
    } finally {
      await practice.server.stop();
    }
  });
});

describe('practice FTPS: idle connections and sign-ins left unfinished', () => {
  it('a connection that does not sign in is closed with 421 after the sign-in limit, however busy it keeps', async () => {
    const practice = await startPractice('implicit', { limits: { loginMs: 1000 } });
    try {
      const { ftp } = await controlConnection(practice);
      let reply = await ftp.command('NOOP');
      while (reply.code === 200) reply = await ftp.command('NOOP');
      expect(reply.text).toBe('421 Not signed in within 1 second: closing the connection.');
      expect((await ftp.reply()).code).toBe(0);
    } finally {
      await practice.server.stop();
    }
  });

  it('a connection that sends nothing is closed with 421 after the idle limit', async () => {
    const practice = await startPractice('explicit', { limits: { idleMs: 1000 } });
    try {
      const raw = connectTcp({ host: '127.0.0.1', port: practice.server.port });
      const ftp = new FtpLines(raw);
      expect((await ftp.reply()).code).toBe(220);
      expect((await ftp.reply()).text).toBe('421 No command for 1 second: closing the connection.');
      expect((await ftp.reply()).code).toBe(0);
    } finally {
      await practice.server.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The app's own engine.

const practiceProfile = (id: string, port: number, tls: 'implicit' | 'explicit', passwordChange: Record<string, unknown> = {}) => ({
  id,
  name: `Practice registry (FTPS, ${tls} TLS)`,
  endpoints: [{ protocol: 'ftps', host: '127.0.0.1', port, tls }],
  username: { label: 'Import code', isImportCode: true },
  folders: [
    { role: 'dropoff', name: 'HL7-Dropoff', path: 'HL7-Dropoff', rights: ['list', 'read', 'write', 'rename', 'delete'] },
    { role: 'accepted', name: 'Accepted', path: 'Accepted', rights: ['list', 'read'] },
    { role: 'reports', name: 'DQA-Report', path: 'DQA-Report', rights: ['list', 'read'] },
    { role: 'receive', name: 'Receive', path: 'Receive', rights: ['list', 'read'] },
  ],
  quotaFiles: 300,
  retentionDays: 180,
  files: { extension: '.HL7', importCodeInName: true },
  passwordChange,
  support: { team: 'Practice registry', phone: '(800) 555-0100' },
});

for (const mode of ['implicit', 'explicit'] as const) {
  describe(`the app's engine on the practice FTPS server, ${mode} TLS`, () => {
    let practice: Practice;
    const apps: App[] = [];
    beforeAll(async () => {
      practice = await startPractice(mode);
    });
    afterAll(async () => {
      await Promise.all(apps.map((app) => app.dispose()));
      await practice?.server.stop();
    });
    const registry = (): TestRegistry => ({
      protocol: 'ftps',
      label: `practice FTPS (${mode} TLS)`,
      port: practice.server.port,
      account: { username: READY.username, password: READY.password, accountDir: '' },
      dropoffDir: '',
      profile: (id) => practiceProfile(id, practice.server.port, mode),
      log: () => practice.log.map((e) => e.command).join('\n'),
      processes: () => ({ listener: process.pid, sessions: [] }),
      stop: () => practice.server.stop(),
    });

    it('shows the certificate, connects once trusted, lists every folder, uploads through a temporary name, and downloads a report', async () => {
      const app = openApp(registry(), { profileId: `practice-ftps-${mode}` });
      apps.push(app);
      await app.connect();
      const prompts = app.events.flatMap((e) => (e.type === 'request' && e.request.kind === 'certificate' ? [e.request] : []));
      expect(prompts).toHaveLength(1);
      expect(prompts[0]).toMatchObject({ fingerprint, certificate: { names: ['127.0.0.1', 'localhost'], authorityTrusted: false, hostnameMatches: true } });

      const reports = await app.call('listRemoteFolder', { role: 'reports' });
      expect(reports).toMatchObject({ ok: true, entries: [{ name: 'TXPF01_20261114_DQA.txt', kind: 'file', size: 45, modified: Date.UTC(2026, 10, 14, 9, 5) }] });
      for (const role of ['dropoff', 'accepted', 'receive'] as const) expect(await app.call('listRemoteFolder', { role })).toMatchObject({ ok: true, entries: [] });

      const name = `${READY.username}_20261121.HL7`;
      const bytes = hl7Batch({ importCode: READY.username, messages: 40, variant: mode === 'implicit' ? 'I' : 'E' });
      const local = join(mkdtempSync(join(scratch, `${mode}-upload-`)), name);
      writeFileSync(local, bytes);
      const logFrom = practice.log.length;
      const started = await app.call('upload', { localPath: local });
      if (!started.ok) throw new Error(started.message);
      const done = await app.finished(started.transfer.id);
      expect(done.state, done.message).toBe('done');
      expect(done.message).toBe(`Delivered: ${name} is in the dropoff folder, ${bytes.length.toLocaleString('en-US')} bytes, checked.`);
      expect(dropoff(practice)).toEqual([`HL7-Dropoff/${name}`]);
      expect(fileOf(practice, `HL7-Dropoff/${name}`)?.equals(bytes)).toBe(true);
      // The registry never saw the final name until the whole file was there: STOR to a temporary
      // name, its size checked, then renamed.
      const commands = practice.log.slice(logFrom).map((e) => e.command);
      const stor = commands.find((c) => c.startsWith('STOR '));
      expect(stor).toMatch(/^STOR \/HL7-Dropoff\/\.upload-[0-9a-f]{12}\.rt-partial$/);
      const temporary = stor?.slice(5);
      expect(commands.slice(commands.indexOf(stor as string))).toEqual(expect.arrayContaining([`SIZE ${temporary}`, `RNFR ${temporary}`, `RNTO /HL7-Dropoff/${name}`]));
      expect(commands.indexOf(`RNTO /HL7-Dropoff/${name}`)).toBeGreaterThan(commands.indexOf(`SIZE ${temporary}`));

      const toFolder = mkdtempSync(join(scratch, `${mode}-downloads-`));
      const download = await app.call('download', { role: 'reports', names: ['TXPF01_20261114_DQA.txt'], toFolder });
      if (!download.ok) throw new Error(download.message);
      for (const transfer of download.transfers) expect((await app.finished(transfer.id)).state).toBe('done');
      expect(readFileSync(join(toFolder, 'TXPF01_20261114_DQA.txt'), 'utf8')).toBe('Data quality report: 40 messages, score 97.\r\n');
      // The listing came by MLSD (FEAT offers MLST), in UTC, and every data connection resumed TLS.
      expect(practice.log.some((e) => e.command.startsWith('MLSD '))).toBe(true);
      expect(commands.some((c) => c.startsWith('PORT') || c.startsWith('EPRT') || c === 'PROT C')).toBe(false);
    });

    it('the demanded first-login change: 560, the new-password request answered, PASS old new on a new connection; a new password the registry refuses is asked again with its reason', async () => {
      const settings = new MemorySettings();
      settings.set('customProfiles', [practiceProfile('practice-pw', practice.server.port, mode, { requiredAtFirstLogin: true, methods: { ftps: 'pass-old-new' } })]);
      const events: RegistryEvent[] = [];
      // The first answer breaks the registry's own rule (the import code inside it), which the app does not know.
      const answers = [`${DUE_APP.username}-Lantern-1!`, CHOSEN];
      const service: RegistryService = createRegistryService({
        settings,
        appInfo: { name: 'test', version: '0' },
        openExternal: async () => undefined,
        timeoutSeconds: 20,
        emit: (event) => {
          events.push(event);
          if (event.type !== 'request') return;
          if (event.request.kind === 'new-password') {
            const next = answers.shift();
            void service.handlers.answerRequest({ id: event.request.id, answer: next ? { newPassword: next } : 'deny' });
          } else {
            void service.handlers.answerRequest({ id: event.request.id, answer: 'trust' });
          }
        },
      });
      const logFrom = practice.log.length;
      try {
        const result = await service.handlers.connect({ profileId: 'practice-pw', protocol: 'ftps', username: DUE_APP.username, password: DUE_APP.password });
        expect(result).toMatchObject({ ok: true, connection: { username: DUE_APP.username, passwordChangeDue: false } });
        expect(result.ok && result.notices).toContain('The registry accepted your new password.');
        const asked = events.flatMap((e) => (e.type === 'request' && e.request.kind === 'new-password' ? [e.request] : []));
        expect(asked).toHaveLength(2);
        expect(asked[0]?.problem).toBeUndefined();
        expect(asked[1]?.problem).toBe(
          'The registry did not accept the new password, so the password was not changed. Choose a different one (the registry may have rules of its own) and try again.',
        );
        expect(practice.backend.accounts_.get(DUE_APP.username)).toMatchObject({ password: CHOSEN, changeDue: false });
        expect(await service.handlers.listRemoteFolder({ role: 'dropoff' })).toMatchObject({ ok: true, entries: [] });
      } finally {
        await service.dispose();
      }
      // Five logins, each on a connection of its own: the issued password (560); then for each
      // answer, the issued password again (560) and `PASS old new` (refused, then taken). None
      // logged with its password, none sent out in an event.
      const logins = practice.log.slice(logFrom).filter((e) => e.command.startsWith('PASS'));
      expect(logins.map((e) => e.command)).toEqual(Array(5).fill('PASS ********'));
      expect(new Set(logins.map((e) => e.session)).size).toBe(5);
      for (const secret of [DUE_APP.password, CHOSEN]) {
        expect(JSON.stringify(events)).not.toContain(secret);
        expect(JSON.stringify(practice.log)).not.toContain(secret);
      }
    });
  });
}
