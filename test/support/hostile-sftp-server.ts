// A small SFTP server of our own, on ssh2's Server, for what OpenSSH will not do: files whose reads
// do not match the size the server states (a file listed as 100 bytes that never stops sending, one
// that ends short), folder listings that never end, and slow ones. It serves a Texas-shaped account from memory
// (the login folder `/<import code>` holds HL7-Dropoff, Accepted, DQA-Report and Receive), takes one
// password login, and counts what it sent, so a test can say how much a client let in before it
// stopped. Binds 127.0.0.1 only; the test that starts it stops it.
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Server, utils, type Attributes, type Connection, type FileEntry, type SFTPWrapper } from 'ssh2';
import { wholeKeyPair } from '../../electron/engine/keys/whole-key-pair';
import { localTexasProfile, TEXAS_FOLDERS } from './sshd';

export type TexasFolder = (typeof TEXAS_FOLDERS)[number];

/**
 * A file the server lists and stats as `statedSize` bytes, whose reads bring `sends` bytes: the same
 * for an honest file, fewer for one that ends short (EOF at `sends`), more for one that grew, and
 * 'endless' for one whose reads never end (every read answered in full).
 */
export interface ServedFile {
  folder: TexasFolder;
  name: string;
  statedSize: number;
  sends: number | 'endless';
}

/**
 * A folder listed in many READDIR answers of made-up names: by default one that never ends (every
 * READDIR is answered with more names, never with EOF); with `answers`, that many and then EOF.
 */
export interface ServedListing {
  folder: TexasFolder;
  /** How many answers before EOF, or 'endless' (the default). */
  answers?: number | 'endless';
  /** Names in each answer (OpenSSH sends 100). */
  namesPerAnswer?: number;
  /** The length of each name, to try a bound on bytes rather than on entries (default about 20). */
  nameLength?: number;
  /** How long each answer is held back: a slow but live server. */
  delayMs?: number;
}

export interface HostileSftpOptions {
  /** Up to three letters or digits, in the import code (`TX<tag>HS`). */
  tag?: string;
  files?: ServedFile[];
  listings?: ServedListing[];
}

export interface HostileSftpServer {
  host: '127.0.0.1';
  port: number;
  /** `SHA256:...` of the host key, as `ssh-keygen -l` prints it. */
  fingerprint: string;
  username: string;
  password: string;
  /** The login folder, `/<import code>`. */
  home: string;
  /** A Texas profile pointed at this server. */
  profile(id: string): ReturnType<typeof localTexasProfile>;
  /** File bytes sent in READ answers for a file (by name), over all connections. */
  bytesSent(name: string): number;
  /** Names sent in READDIR answers for a folder. */
  entriesSent(folder: TexasFolder): number;
  /** CLOSE requests received for handles of a file or folder (by name). */
  closes(name: string): number;
  /** Connections open now. */
  connections(): number;
  stop(): Promise<void>;
}

const READ_ONLY_FILE = 0o100444;
const FOLDER = 0o040755;
const WHEN = Math.floor(Date.UTC(2026, 10, 14, 9, 30) / 1000);

/** The bytes of a served file at `offset`: a repeating line, so any length can be made. */
export function servedBytes(offset: number, length: number): Buffer {
  const line = Buffer.from('MSH|^~\\&|hostile|test\r');
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i += 1) out[i] = line[(offset + i) % line.length] as number;
  return out;
}

function longname(name: string, attrs: Attributes): string {
  const type = (attrs.mode & 0o170000) === 0o040000 ? 'd' : '-';
  return `${type}r--r--r--    1 0        0        ${String(attrs.size).padStart(8)} Nov 14 09:30 ${name}`;
}

function fingerprintOf(publicKey: string): string {
  const blob = Buffer.from(publicKey.trim().split(/\s+/)[1] ?? '', 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export async function startHostileSftpServer(options: HostileSftpOptions = {}): Promise<HostileSftpServer> {
  const tag = (options.tag ?? 'H').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 3) || 'H';
  const username = `TX${tag}HS`;
  const password = 'Hostile-pass-2026!';
  const home = `/${username}`;
  const keys = wholeKeyPair('ed25519', () => utils.generateKeyPairSync('ed25519'));
  const files: ServedFile[] = [
    { folder: 'Accepted', name: `${username}_20261114.HL7`, statedSize: 200, sends: 200 },
    { folder: 'DQA-Report', name: `${username}_20261114_DQA.txt`, statedSize: 120, sends: 120 },
    ...(options.files ?? []),
  ];
  const generated = new Map((options.listings ?? []).map((l) => [`${home}/${l.folder}`, l]));
  const sent = new Map<string, number>();
  const entries = new Map<string, number>();
  const closed = new Map<string, number>();
  const add = (counts: Map<string, number>, key: string, n: number) => counts.set(key, (counts.get(key) ?? 0) + n);

  const folderAttrs = (): Attributes => ({ mode: FOLDER, uid: 0, gid: 0, size: 4096, atime: WHEN, mtime: WHEN });
  const fileAttrs = (f: ServedFile): Attributes => ({ mode: READ_ONLY_FILE, uid: 0, gid: 0, size: f.statedSize, atime: WHEN, mtime: WHEN });
  const folders = new Set([home, ...TEXAS_FOLDERS.map((f) => `${home}/${f}`)]);
  const normalise = (path: string) => {
    const parts: string[] = [];
    for (const part of (path.startsWith('/') ? path : `${home}/${path}`).split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') parts.pop();
      else parts.push(part);
    }
    return `/${parts.join('/')}`;
  };
  const fileAt = (path: string) => files.find((f) => `${home}/${f.folder}/${f.name}` === path);
  const attrsAt = (path: string): Attributes | null => (folders.has(path) ? folderAttrs() : fileAt(path) ? fileAttrs(fileAt(path) as ServedFile) : null);
  const listingOf = (path: string): FileEntry[] => {
    const named = (name: string, attrs: Attributes): FileEntry => ({ filename: name, longname: longname(name, attrs), attrs });
    if (path === home) return TEXAS_FOLDERS.map((f) => named(f, folderAttrs()));
    return files.filter((f) => `${home}/${f.folder}` === path).map((f) => named(f.name, fileAttrs(f)));
  };

  const open = new Set<Connection>();
  const server = new Server({ hostKeys: [keys.private] }, (client: Connection) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === username && ctx.password === password) ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('sftp', (acceptSftp) => serve(acceptSftp()));
      });
    });
  });

  const { STATUS_CODE, OPEN_MODE } = utils.sftp;
  function serve(sftp: SFTPWrapper): void {
    // Handles are numbers as text; each remembers its path and, for a folder, whether it was read.
    const handles = new Map<string, { path: string; answers: number; name: string }>();
    let next = 0;
    const newHandle = (path: string) => {
      const key = String((next += 1));
      handles.set(key, { path, answers: 0, name: path.split('/').pop() ?? path });
      return Buffer.from(key);
    };
    const handleOf = (buf: Buffer) => handles.get(buf.toString());

    sftp.on('REALPATH', (id, path) => {
      const real = normalise(path);
      sftp.name(id, [{ filename: real, longname: real, attrs: {} as Attributes }]);
    });
    const stat = (id: number, path: string) => {
      const attrs = attrsAt(normalise(path));
      if (attrs) sftp.attrs(id, attrs);
      else sftp.status(id, STATUS_CODE.NO_SUCH_FILE, 'No such file');
    };
    sftp.on('STAT', stat);
    sftp.on('LSTAT', stat);
    sftp.on('FSTAT', (id, buf) => {
      const h = handleOf(buf);
      if (h) stat(id, h.path);
      else sftp.status(id, STATUS_CODE.FAILURE, 'bad handle');
    });
    sftp.on('OPEN', (id, filename, flags) => {
      const path = normalise(filename);
      if (flags & (OPEN_MODE.WRITE | OPEN_MODE.CREAT | OPEN_MODE.APPEND | OPEN_MODE.TRUNC)) return sftp.status(id, STATUS_CODE.PERMISSION_DENIED, 'Permission denied');
      if (!fileAt(path)) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE, 'No such file');
      sftp.handle(id, newHandle(path));
    });
    sftp.on('READ', (id, buf, offset, length) => {
      const h = handleOf(buf);
      const file = h && fileAt(h.path);
      if (!file) return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle');
      const available = file.sends === 'endless' ? length : Math.max(0, Math.min(length, file.sends - offset));
      if (available === 0) return sftp.status(id, STATUS_CODE.EOF);
      add(sent, file.name, available);
      sftp.data(id, servedBytes(offset, available));
    });
    sftp.on('OPENDIR', (id, path) => {
      const real = normalise(path);
      if (!folders.has(real)) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE, 'No such file');
      sftp.handle(id, newHandle(real));
    });
    sftp.on('READDIR', (id, buf) => {
      const h = handleOf(buf);
      if (!h) return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle');
      const folder = h.path.slice(home.length + 1);
      const made = generated.get(h.path);
      if (made) {
        const answers = made.answers ?? 'endless';
        if (answers !== 'endless' && h.answers >= answers) return sftp.status(id, STATUS_CODE.EOF);
        h.answers += 1;
        const count = made.namesPerAnswer ?? 100;
        const done = entries.get(folder) ?? 0;
        const names = Array.from({ length: count }, (_, i) => {
          const base = `${username}_${String(done + i).padStart(9, '0')}`;
          const name = `${base}${'x'.repeat(Math.max(0, (made.nameLength ?? 0) - base.length - 4))}.CNF`;
          const attrs: Attributes = { mode: READ_ONLY_FILE, uid: 0, gid: 0, size: 21, atime: WHEN, mtime: WHEN };
          return { filename: name, longname: longname(name, attrs), attrs };
        });
        const answer = () => {
          add(entries, folder, names.length);
          sftp.name(id, names);
        };
        // The client may be gone by then (the test is over): nothing to answer.
        if (made.delayMs) setTimeout(() => void Promise.resolve().then(answer).catch(() => undefined), made.delayMs);
        else answer();
        return;
      }
      if (h.answers > 0) return sftp.status(id, STATUS_CODE.EOF);
      h.answers += 1;
      const names = listingOf(h.path);
      add(entries, folder, names.length);
      sftp.name(id, names);
    });
    sftp.on('CLOSE', (id, buf) => {
      const h = handleOf(buf);
      if (!h) return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle');
      handles.delete(buf.toString());
      add(closed, h.name, 1);
      sftp.status(id, STATUS_CODE.OK);
    });
    for (const refused of ['WRITE', 'REMOVE', 'RENAME', 'MKDIR', 'RMDIR', 'SETSTAT', 'FSETSTAT', 'READLINK', 'SYMLINK'] as const) {
      sftp.on(refused as 'REMOVE', (id: number) => sftp.status(id, STATUS_CODE.PERMISSION_DENIED, 'Permission denied'));
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    fingerprint: fingerprintOf(keys.public),
    username,
    password,
    home,
    profile: (id) => localTexasProfile(port, id),
    bytesSent: (name) => sent.get(name) ?? 0,
    entriesSent: (folder) => entries.get(folder) ?? 0,
    closes: (name) => closed.get(name) ?? 0,
    connections: () => open.size,
    async stop() {
      for (const client of open) client.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
