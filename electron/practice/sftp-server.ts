// The practice registry's SFTP door: ssh2's own Server on 127.0.0.1, password sign-in, the first-login
// change as RFC 4252 section 8 asks for it (SSH_MSG_USERAUTH_PASSWD_CHANGEREQ, ssh2's requestChange),
// and an SFTP subsystem over the registry's folders. It only speaks the protocol: what may be done
// where is the backend's to say, and its refusals come back as SFTP statuses with its words.
import { createServer, type AddressInfo, type Socket } from 'node:net';
// ssh2 is CommonJS: its default export, so the ESM bundles (the CLI, the main process) load it too.
import ssh2, { type Attributes, type Connection, type FileEntry, type SFTPWrapper } from 'ssh2';
import { PracticeRefusal, type PracticeAccounts, type PracticeEntry, type PracticeFileHandle, type PracticeFiles, type RandomAccessFiles } from './backend';

const { Server, utils } = ssh2;
const { OPEN_MODE, STATUS_CODE } = utils.sftp;

/** SSH_DISCONNECT_TOO_MANY_CONNECTIONS (RFC 4250 section 4.2.2). */
const DISCONNECT_TOO_MANY_CONNECTIONS = 12;

/** A file opened over SFTP; `abandon` (where the backend has it) lets it go without it counting as arrived. */
type SftpFileHandle = PracticeFileHandle & { abandon?(): Promise<void> };

export interface SftpBackend {
  accounts: PracticeAccounts;
  filesFor(username: string): PracticeFiles & RandomAccessFiles & { openFile(...args: Parameters<RandomAccessFiles['openFile']>): Promise<SftpFileHandle> };
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
  /** Password tries on one connection before it is closed (OpenSSH's MaxAuthTries is 6). */
  maxSignInTries?: number;
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

/** Names in one READDIR answer (OpenSSH's sftp-server: at most 100). */
const NAMES_PER_READDIR = 100;

type Handle = { kind: 'file'; file: SftpFileHandle } | { kind: 'folder'; entries: PracticeEntry[] | null };

/**
 * The SFTP status for each refusal, as OpenSSH's server answers the same thing: SFTP version 3 has no
 * code for a full quota or an existing name, so those are FAILURE (OpenSSH answers EDQUOT and EEXIST
 * so) with the registry's words, which name the quota.
 */
const STATUS_FOR: Record<PracticeRefusal['kind'], number> = {
  'not-found': STATUS_CODE.NO_SUCH_FILE,
  permission: STATUS_CODE.PERMISSION_DENIED,
  'bad-name': STATUS_CODE.PERMISSION_DENIED,
  quota: STATUS_CODE.FAILURE,
  exists: STATUS_CODE.FAILURE,
};

/** Answer an SFTP request with the registry's refusal (or a plain failure) in SFTP's own codes. */
function refuse(sftp: SFTPWrapper, reqid: number, error: unknown): void {
  if (error instanceof PracticeRefusal) {
    sftp.status(reqid, STATUS_FOR[error.kind], error.message);
    return;
  }
  sftp.status(reqid, STATUS_CODE.FAILURE, 'The practice registry could not do that.');
}

/** Files and folders one SFTP session may hold open at once (each is an open file on this computer). */
export const MAX_OPEN_HANDLES = 64;
/** SFTP sessions one connection may open (clients use one; WinSCP and FileZilla at most two). */
export const MAX_SESSIONS_PER_CONNECTION = 4;

/** Requests one SFTP session may have waiting their turn (a client pipelines a few dozen writes). */
const MAX_WAITING_REQUESTS = 1024;
/** Change requests sent in one sign-in before a new password the registry keeps refusing ends it. */
const MAX_PASSWORD_CHANGE_ROUNDS = 3;

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

  /**
   * Requests are carried out one at a time, in the order they came, as OpenSSH's sftp-server does:
   * clients send the writes of an upload, its FSTAT and its CLOSE without waiting for answers, and the
   * protocol has the server do them in order (draft-ietf-secsh-filexfer-02, section 6); done at once,
   * an FSTAT could see half the file, and a CLOSE could close it under a write.
   */
  let turn: Promise<void> = Promise.resolve();
  let waiting = 0;
  const run = (reqid: number, body: () => Promise<void> | void) => {
    if (waiting >= MAX_WAITING_REQUESTS) {
      sftp.status(reqid, STATUS_CODE.FAILURE, 'Too many requests at once: the practice registry is still carrying out the ones before.');
      return;
    }
    waiting += 1;
    turn = turn
      .then(body)
      .catch((error: unknown) => {
        try {
          refuse(sftp, reqid, error);
        } catch {
          // The channel is gone: nobody to answer.
        }
      })
      .finally(() => (waiting -= 1));
  };
  const fileHandle = (reqid: number, id: Buffer): (Handle & { kind: 'file' }) | null => {
    const handle = handleOf(id);
    if (handle?.kind === 'file') return handle;
    sftp.status(reqid, STATUS_CODE.FAILURE, 'That is not an open file.');
    return null;
  };
  /** Refuse an open past the limit (true), before any file is opened. */
  const tooManyOpen = (reqid: number): boolean => {
    if (handles.size < MAX_OPEN_HANDLES) return false;
    sftp.status(reqid, STATUS_CODE.FAILURE, `Too many files open at once on this connection (the practice registry allows ${MAX_OPEN_HANDLES}): close some first.`);
    return true;
  };

  sftp.on('REALPATH', (reqid, path) =>
    run(reqid, () => {
      const normal = normalizeSftpPath(path);
      sftp.name(reqid, [{ filename: normal, longname: normal, attrs: attrsOf({ name: normal, kind: 'folder', size: 0, modified: new Date(0) }) }]);
    }),
  );

  const statOf = (reqid: number, path: string) => run(reqid, async () => void sftp.attrs(reqid, attrsOf(await files.stat(normalizeSftpPath(path)))));
  sftp.on('STAT', statOf);
  sftp.on('LSTAT', statOf);

  sftp.on('OPEN', (reqid, filename, flags) =>
    run(reqid, async () => {
      if (tooManyOpen(reqid)) return;
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
      const handle = fileHandle(reqid, id);
      if (!handle) return;
      const data = await handle.file.read(offset, Math.min(length, 256 * 1024));
      if (data.length === 0) sftp.status(reqid, STATUS_CODE.EOF);
      else sftp.data(reqid, data);
    }),
  );

  sftp.on('WRITE', (reqid, id, offset, data) =>
    run(reqid, async () => {
      const handle = fileHandle(reqid, id);
      if (!handle) return;
      await handle.file.write(offset, data);
      sftp.status(reqid, STATUS_CODE.OK);
    }),
  );

  sftp.on('FSTAT', (reqid, id) =>
    run(reqid, async () => {
      const handle = fileHandle(reqid, id);
      if (handle) sftp.attrs(reqid, attrsOf(await handle.file.stat()));
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
      if (tooManyOpen(reqid)) return;
      const entries = await files.list(normalizeSftpPath(path));
      sftp.handle(reqid, newHandle({ kind: 'folder', entries }));
    }),
  );

  sftp.on('READDIR', (reqid, id) =>
    run(reqid, () => {
      const handle = handleOf(id);
      if (handle?.kind !== 'folder') return void sftp.status(reqid, STATUS_CODE.FAILURE, 'That is not an open folder.');
      if (handle.entries === null || handle.entries.length === 0) return void sftp.status(reqid, STATUS_CODE.EOF);
      // A hundred names per answer, as OpenSSH's sftp-server sends them: a folder of thousands in one
      // answer would pass the packet size clients accept (34,000 bytes is all RFC draft 02 promises).
      const batch = handle.entries.slice(0, NAMES_PER_READDIR);
      handle.entries = handle.entries.slice(NAMES_PER_READDIR);
      const names: FileEntry[] = batch.map((entry) => ({ filename: entry.name, longname: longName(entry, owner), attrs: attrsOf(entry) }));
      sftp.name(reqid, names);
    }),
  );

  sftp.on('REMOVE', (reqid, path) => run(reqid, async () => void (await files.remove(normalizeSftpPath(path)), sftp.status(reqid, STATUS_CODE.OK))));
  sftp.on('RENAME', (reqid, from, to) => run(reqid, async () => void (await files.rename(normalizeSftpPath(from), normalizeSftpPath(to)), sftp.status(reqid, STATUS_CODE.OK))));
  sftp.on('MKDIR', (reqid, path) => run(reqid, async () => void (await files.makeFolder(normalizeSftpPath(path)), sftp.status(reqid, STATUS_CODE.OK))));
  sftp.on('RMDIR', (reqid) => run(reqid, () => void sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, 'The registry keeps its folders as they are.')));
  // Times and modes the client would set are the registry's to keep: accepted and left as they are.
  sftp.on('SETSTAT', (reqid) => run(reqid, () => void sftp.status(reqid, STATUS_CODE.OK)));
  sftp.on('FSETSTAT', (reqid) => run(reqid, () => void sftp.status(reqid, STATUS_CODE.OK)));
  sftp.on('READLINK', (reqid) => run(reqid, () => void sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, 'There are no links here.')));
  sftp.on('SYMLINK', (reqid) => run(reqid, () => void sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, 'The registry does not make links.')));

  // The client has no more requests (OpenSSH's sftp at the end of its batch): close the channel, as
  // OpenSSH's sftp-server does by exiting, so the client's ssh can end.
  sftp.on('end', () => sftp.end());
  sftp.on('close', () => {
    // The client went away with these open: an upload among them did not finish, so it has not
    // arrived. After the requests already taken (their answers go nowhere now).
    void turn.then(async () => {
      for (const handle of handles.values()) if (handle.kind === 'file') await (handle.file.abandon ?? handle.file.close)().catch(() => undefined);
      handles.clear();
    });
  });
}

/** SSH's identification line, sent before anything else (RFC 4253 section 4.2). */
const IDENT = 'RegistryTransfer_Practice';

/**
 * An SSH_MSG_DISCONNECT as the first packet (RFC 4253 section 6: before the key exchange a packet is
 * sent in the clear, no MAC): OpenSSH prints its text ("Received disconnect from ...:12: Too many
 * connections ..."), ssh2 and so the app read its reason. Made here rather than through ssh2's
 * Connection, whose end() only ever says "by application" and whose disconnect(reason) is private.
 */
export function disconnectPacket(reason: number, description: string): Buffer {
  const text = Buffer.from(description, 'utf8');
  const payload = Buffer.alloc(1 + 4 + 4 + text.length + 4);
  payload[0] = 1; // SSH_MSG_DISCONNECT
  payload.writeUInt32BE(reason, 1);
  payload.writeUInt32BE(text.length, 5);
  text.copy(payload, 9);
  payload.writeUInt32BE(0, 9 + text.length); // language tag: none
  // packet_length, padding_length, payload, padding: at least 4 bytes, the whole a multiple of 8.
  let padding = 8 - ((4 + 1 + payload.length) % 8);
  if (padding < 4) padding += 8;
  const packet = Buffer.alloc(4 + 1 + payload.length + padding);
  packet.writeUInt32BE(1 + payload.length + padding, 0);
  packet[4] = padding;
  payload.copy(packet, 5);
  return packet;
}

/** Too many at once from one address (a script gone wrong): refused before any key exchange, plainly. */
function refuseTooMany(socket: Socket, limit: number): void {
  socket.on('error', () => undefined);
  // What the client sends meanwhile is read and dropped, so its end (and so the socket's close) is seen.
  socket.resume();
  socket.write(`SSH-2.0-${IDENT}\r\n`);
  socket.end(disconnectPacket(DISCONNECT_TOO_MANY_CONNECTIONS, `Too many connections from your address: the practice registry takes ${limit} at once. Close some, or wait for them to finish, then try again.`));
  // A client that never reads is not waited for.
  setTimeout(() => socket.destroy(), 5_000).unref();
}

export async function startSftpServer(options: SftpServerOptions): Promise<RunningSftpServer> {
  const perAddress = new Map<string, number>();
  const limit = options.maxConnectionsPerAddress ?? 10;
  const clients = new Set<Connection>();
  const sockets = new Set<Socket>();
  // Connections are counted as they arrive, before ssh2 spends a key exchange on them; those within
  // the limit are handed to ssh2's Server (its public injectSocket).
  const listener = createServer((socket) => {
    sockets.add(socket);
    const address = socket.remoteAddress ?? '';
    const count = (perAddress.get(address) ?? 0) + 1;
    perAddress.set(address, count);
    socket.once('close', () => {
      sockets.delete(socket);
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left <= 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
    if (count > limit) return refuseTooMany(socket, limit);
    // A connection that has not signed in within the time is closed, whatever stage it stopped at
    // (one that never even says which SSH it speaks would otherwise hold its place for ever).
    const key = `${address}:${socket.remotePort}`;
    signInDeadlines.set(key, setTimeout(() => socket.destroy(), (options.signInTimeoutSeconds ?? 60) * 1000));
    socket.once('close', () => {
      clearTimeout(signInDeadlines.get(key));
      signInDeadlines.delete(key);
    });
    server.injectSocket(socket);
  });
  /** Per connection (address:port), the moment it is closed unless it has signed in. */
  const signInDeadlines = new Map<string, NodeJS.Timeout>();
  const server = new Server({ hostKeys: [options.hostKey], ident: IDENT }, (client, info) => {
    clients.add(client);
    client.on('error', () => undefined);
    client.on('close', () => clients.delete(client));
    let username: string | null = null;
    const signedIn = () => {
      const key = `${info.ip}:${info.port}`;
      clearTimeout(signInDeadlines.get(key));
      signInDeadlines.delete(key);
    };
    let tries = 0;
    const maxTries = options.maxSignInTries ?? 6;
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'password') return ctx.reject(['password']);
      tries += 1;
      if (tries > maxTries) {
        ctx.reject(['password']);
        client.end();
        return;
      }
      const accounts = options.backend.accounts;
      // ssh2 hands over what the client sent: a password, or, for a change the client offers without
      // being asked (RFC 4252 section 8 lets it), an object with the old and the new one. The registry
      // changes passwords only when it asks (as Texas's server does): anything but a string is refused.
      const sent: unknown = ctx.password;
      if (typeof sent !== 'string') return ctx.reject(['password']);
      const result = accounts.signIn(ctx.username, sent);
      if (result === 'refused') return ctx.reject(['password']);
      if (result === 'ok') {
        username = ctx.username;
        return ctx.accept();
      }
      // RFC 4252 section 8: the password was right, and it has expired. A new password the registry
      // does not take is answered with another change request saying why (as the RFC asks), so the
      // user is asked again instead of being told the sign-in failed; a few rounds, then a refusal.
      const askForNewPassword = (prompt: string, roundsLeft: number) =>
        ctx.requestChange(prompt, (newPassword: unknown) => {
          // A client that answers the change request with a plain password request sends no new one.
          if (typeof newPassword !== 'string') return ctx.reject(['password']);
          const change = accounts.changePassword(ctx.username, sent, newPassword);
          if (change === 'ok') {
            username = ctx.username;
            return ctx.accept();
          }
          if (change !== 'rejected-new' || roundsLeft <= 1) return ctx.reject(['password']);
          askForNewPassword("New password not accepted: it does not meet the registry's password rules. Choose another one.", roundsLeft - 1);
        });
      askForNewPassword('Your password has expired: choose a new one to sign in.', MAX_PASSWORD_CHANGE_ROUNDS);
    });
    client.on('ready', () => {
      signedIn();
      let sessions = 0;
      client.on('session', (acceptSession, rejectSession) => {
        if (sessions >= MAX_SESSIONS_PER_CONNECTION) return rejectSession();
        sessions += 1;
        const session = acceptSession();
        // ssh2 says the session closed on the session, or (once SFTP runs in it) on its SFTP channel.
        let counted = true;
        const closed = () => {
          if (counted) sessions -= 1;
          counted = false;
        };
        session.once('close', closed);
        session.on('sftp', (acceptSftp) => {
          if (username === null) return;
          const sftp = acceptSftp();
          sftp.once('close', closed);
          serveSftp(sftp, options.backend.filesFor(username), username);
        });
        // Only SFTP: no shell, no commands, no forwarding.
        session.on('shell', (_accept, reject) => reject());
        session.on('exec', (_accept, reject) => reject());
        session.on('pty', (_accept, reject) => reject?.());
      });
      client.on('tcpip', (_accept, reject) => reject());
    });
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.port, options.host, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  return {
    port: (listener.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        listener.close(() => resolve());
        for (const client of clients) client.end();
        // Whatever has not gone after a moment (a client that never reads) is cut.
        setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, 2_000).unref();
      }),
  };
}
