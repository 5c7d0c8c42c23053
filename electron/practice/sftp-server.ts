// The practice registry's SFTP door: ssh2's own Server on 127.0.0.1, password sign-in, the first-login
// change as RFC 4252 section 8 asks for it (SSH_MSG_USERAUTH_PASSWD_CHANGEREQ, ssh2's requestChange),
// and an SFTP subsystem over the registry's folders. It only speaks the protocol: what may be done
// where is the backend's to say, and its refusals come back as SFTP statuses with its words.
import type { AddressInfo } from 'node:net';
import { Server, utils, type Attributes, type Connection, type FileEntry, type SFTPWrapper } from 'ssh2';
import { PracticeRefusal, type PracticeAccounts, type PracticeEntry, type PracticeFileHandle, type PracticeFiles, type RandomAccessFiles } from './backend';

const { OPEN_MODE, STATUS_CODE } = utils.sftp;

export interface SftpBackend {
  accounts: PracticeAccounts;
  filesFor(username: string): PracticeFiles & RandomAccessFiles;
}

export interface SftpServerOptions {
  host: string;
  /** 0: a free port. */
  port: number;
  hostKey: string;
  backend: SftpBackend;
  /** Connections at once from one address; a script that floods is refused plainly. */
  maxConnectionsPerAddress?: number;
  /** Seconds a connection may take to sign in. */
  signInTimeoutSeconds?: number;
}

export interface RunningSftpServer {
  port: number;
  stop(): Promise<void>;
}

/** `/`-rooted, with `.` and `..` worked out inside the account's view (never above `/`). */
export function normalizeSftpPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

const attrsOf = (entry: PracticeEntry): Attributes => {
  const seconds = Math.floor(entry.modified.getTime() / 1000);
  return { mode: entry.kind === 'folder' ? 0o40755 : 0o100644, uid: 0, gid: 0, size: entry.size, atime: seconds, mtime: seconds };
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** The `ls -l` line OpenSSH's server gives each entry (clients show it as it is). */
function longName(entry: PracticeEntry, owner: string): string {
  const d = entry.modified;
  const when = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  const mode = entry.kind === 'folder' ? 'drwxr-xr-x' : '-rw-r--r--';
  return `${mode}    1 ${owner} ${owner} ${String(entry.size).padStart(12)} ${when} ${entry.name}`;
}

type Handle = { kind: 'file'; file: PracticeFileHandle } | { kind: 'folder'; entries: PracticeEntry[] | null };

/** Answer an SFTP request with the registry's refusal (or a plain failure) in SFTP's own codes. */
function refuse(sftp: SFTPWrapper, reqid: number, error: unknown): void {
  if (error instanceof PracticeRefusal) {
    const code = error.kind === 'not-found' ? STATUS_CODE.NO_SUCH_FILE : error.kind === 'quota' ? STATUS_CODE.FAILURE : STATUS_CODE.PERMISSION_DENIED;
    sftp.status(reqid, code, error.message);
    return;
  }
  sftp.status(reqid, STATUS_CODE.FAILURE, 'The practice registry could not do that.');
}

function serveSftp(sftp: SFTPWrapper, files: PracticeFiles & RandomAccessFiles, owner: string): void {
  const handles = new Map<string, Handle>();
  let nextHandle = 0;
  const newHandle = (handle: Handle): Buffer => {
    const id = Buffer.alloc(4);
    id.writeUInt32BE((nextHandle += 1) >>> 0);
    handles.set(id.toString('hex'), handle);
    return id;
  };
  const handleOf = (id: Buffer) => handles.get(id.toString('hex'));
  const run = (reqid: number, body: () => Promise<void>) => void body().catch((error: unknown) => refuse(sftp, reqid, error));

  sftp.on('REALPATH', (reqid, path) => {
    const normal = normalizeSftpPath(path);
    sftp.name(reqid, [{ filename: normal, longname: normal, attrs: attrsOf({ name: normal, kind: 'folder', size: 0, modified: new Date(0) }) }]);
  });

  const statOf = (reqid: number, path: string) => run(reqid, async () => void sftp.attrs(reqid, attrsOf(await files.stat(normalizeSftpPath(path)))));
  sftp.on('STAT', statOf);
  sftp.on('LSTAT', statOf);

  sftp.on('OPEN', (reqid, filename, flags) =>
    run(reqid, async () => {
      const path = normalizeSftpPath(filename);
      const writing = (flags & (OPEN_MODE.WRITE | OPEN_MODE.APPEND | OPEN_MODE.CREAT | OPEN_MODE.TRUNC)) !== 0;
      const file = writing
        ? await files.openFile(path, 'write', { truncate: (flags & OPEN_MODE.TRUNC) !== 0, append: (flags & OPEN_MODE.APPEND) !== 0, exclusive: (flags & OPEN_MODE.EXCL) !== 0 })
        : await files.openFile(path, 'read');
      sftp.handle(reqid, newHandle({ kind: 'file', file }));
    }),
  );

  sftp.on('READ', (reqid, id, offset, length) =>
    run(reqid, async () => {
      const handle = handleOf(id);
      if (handle?.kind !== 'file') return void sftp.status(reqid, STATUS_CODE.FAILURE, 'That is not an open file.');
      const data = await handle.file.read(offset, Math.min(length, 256 * 1024));
      if (data.length === 0) sftp.status(reqid, STATUS_CODE.EOF);
      else sftp.data(reqid, data);
    }),
  );

  sftp.on('WRITE', (reqid, id, offset, data) =>
    run(reqid, async () => {
      const handle = handleOf(id);
      if (handle?.kind !== 'file') return void sftp.status(reqid, STATUS_CODE.FAILURE, 'That is not an open file.');
      await handle.file.write(offset, data);
      sftp.status(reqid, STATUS_CODE.OK);
    }),
  );

  sftp.on('FSTAT', (reqid, id) =>
    run(reqid, async () => {
      const handle = handleOf(id);
      if (handle?.kind !== 'file') return void sftp.status(reqid, STATUS_CODE.FAILURE, 'That is not an open file.');
      sftp.attrs(reqid, attrsOf(await handle.file.stat()));
    }),
  );

  sftp.on('CLOSE', (reqid, id) =>
    run(reqid, async () => {
      const handle = handleOf(id);
      handles.delete(id.toString('hex'));
      if (handle?.kind === 'file') await handle.file.close();
      sftp.status(reqid, handle ? STATUS_CODE.OK : STATUS_CODE.FAILURE);
    }),
  );

  sftp.on('OPENDIR', (reqid, path) =>
    run(reqid, async () => {
      const entries = await files.list(normalizeSftpPath(path));
      sftp.handle(reqid, newHandle({ kind: 'folder', entries }));
    }),
  );

  sftp.on('READDIR', (reqid, id) => {
    const handle = handleOf(id);
    if (handle?.kind !== 'folder') return void sftp.status(reqid, STATUS_CODE.FAILURE, 'That is not an open folder.');
    if (handle.entries === null) return void sftp.status(reqid, STATUS_CODE.EOF);
    const names: FileEntry[] = handle.entries.map((entry) => ({ filename: entry.name, longname: longName(entry, owner), attrs: attrsOf(entry) }));
    handle.entries = null;
    sftp.name(reqid, names);
  });

  sftp.on('REMOVE', (reqid, path) => run(reqid, async () => void (await files.remove(normalizeSftpPath(path)), sftp.status(reqid, STATUS_CODE.OK))));
  sftp.on('RENAME', (reqid, from, to) => run(reqid, async () => void (await files.rename(normalizeSftpPath(from), normalizeSftpPath(to)), sftp.status(reqid, STATUS_CODE.OK))));
  sftp.on('MKDIR', (reqid, path) => run(reqid, async () => void (await files.makeFolder(normalizeSftpPath(path)))));
  sftp.on('RMDIR', (reqid) => sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, 'The registry keeps its folders as they are.'));
  // Times and modes the client would set are the registry's to keep: accepted and left as they are.
  sftp.on('SETSTAT', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
  sftp.on('FSETSTAT', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
  sftp.on('READLINK', (reqid) => sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, 'There are no links here.'));
  sftp.on('SYMLINK', (reqid) => sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, 'The registry does not make links.'));

  sftp.on('close', () => {
    for (const handle of handles.values()) if (handle.kind === 'file') void handle.file.close().catch(() => undefined);
    handles.clear();
  });
}

export async function startSftpServer(options: SftpServerOptions): Promise<RunningSftpServer> {
  const perAddress = new Map<string, number>();
  const limit = options.maxConnectionsPerAddress ?? 8;
  const clients = new Set<Connection>();
  const server = new Server({ hostKeys: [options.hostKey], ident: 'RegistryTransfer_Practice' }, (client, info) => {
    clients.add(client);
    client.on('error', () => undefined);
    const address = info.ip;
    const count = (perAddress.get(address) ?? 0) + 1;
    perAddress.set(address, count);
    client.on('close', () => {
      clients.delete(client);
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left <= 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
    if (count > limit) {
      // Too many at once from one address (a script gone wrong): ended before sign-in.
      client.end();
      return;
    }
    let username: string | null = null;
    const signInTimer = setTimeout(() => client.end(), (options.signInTimeoutSeconds ?? 60) * 1000);
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'password') return ctx.reject(['password']);
      const result = options.backend.accounts.signIn(ctx.username, ctx.password);
      if (result === 'refused') return ctx.reject(['password']);
      if (result === 'ok') {
        username = ctx.username;
        return ctx.accept();
      }
      // RFC 4252 section 8: the password was right, and it has expired.
      ctx.requestChange('Your password has expired: choose a new one to sign in.', (newPassword) => {
        const changed = options.backend.accounts.changePassword(ctx.username, ctx.password, newPassword);
        if (changed !== 'ok') return ctx.reject(['password']);
        username = ctx.username;
        ctx.accept();
      });
    });
    client.on('ready', () => {
      clearTimeout(signInTimer);
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('sftp', (acceptSftp) => {
          if (username === null) return;
          serveSftp(acceptSftp(), options.backend.filesFor(username), username);
        });
        // Only SFTP: no shell, no commands, no forwarding.
        session.on('shell', (_accept, reject) => reject());
        session.on('exec', (_accept, reject) => reject());
        session.on('pty', (_accept, reject) => reject?.());
      });
      client.on('tcpip', (_accept, reject) => reject());
    });
    client.on('close', () => clearTimeout(signInTimer));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.end();
        server.close(() => resolve());
      }),
  };
}
