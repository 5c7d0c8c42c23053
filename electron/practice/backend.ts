// What the practice registry's two servers (SFTP on ssh2's Server, FTPS on node:tls) share: the
// accounts and the registry's folders, with its rules. Each server only speaks its protocol and maps
// a `PracticeRefusal` to that protocol's answer (an SFTP status, an FTP reply code), so both refuse
// the same things in the same words, as one registry behind two doors would.
import type { Readable, Writable } from 'node:stream';

/** Why the registry refused an operation; each server words it in its protocol's own code. */
export type RefusalKind =
  /** No such file or folder. */
  | 'not-found'
  /** The folder's rights do not allow it (the root is list-only; Accepted, DQA-Report, Receive are read-only). */
  | 'permission'
  /** The folder holds as many files as the registry allows (300). */
  | 'quota'
  /** A name the registry does not take (a path out of the account's folders, control characters, ...). */
  | 'bad-name'
  /** The target of a rename exists and the server does not replace. */
  | 'exists';

export class PracticeRefusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
  ) {
    super(message);
    this.name = 'PracticeRefusal';
  }
}

export type SignInResult = 'ok' | 'change-required' | 'refused';
export type ChangeResult = 'ok' | 'refused' | 'rejected-new';

export interface PracticeEntry {
  name: string;
  kind: 'file' | 'folder';
  size: number;
  modified: Date;
}

/** The accounts: who may sign in, and whose first-login change is still due. */
export interface PracticeAccounts {
  /** 'change-required': the password is right, and the account must choose a new one before anything else. */
  signIn(username: string, password: string): SignInResult;
  /**
   * Change a password (the first-login change, or a voluntary one). 'refused': the old password is
   * wrong; 'rejected-new': the new one breaks the registry's rules (the old one still works).
   */
  changePassword(username: string, oldPassword: string, newPassword: string): ChangeResult;
}

/**
 * One signed-in account's view of the registry: paths are the account's own (`/`, `/HL7-Dropoff`,
 * `/HL7-Dropoff/x.hl7`, or relative to `/`), and nothing outside the account's folder is reachable.
 * Every method throws a PracticeRefusal for what the registry refuses.
 */
export interface PracticeFiles {
  list(path: string): Promise<PracticeEntry[]>;
  stat(path: string): Promise<PracticeEntry>;
  read(path: string, start?: number): Promise<Readable>;
  /** Refused before any byte is taken when the folder is read-only or full (the quota). */
  write(path: string, options?: { append?: boolean; start?: number }): Promise<Writable>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** Only where the registry allows it (it does not: folders are fixed); here for the protocols' MKD/mkdir. */
  makeFolder(path: string): Promise<void>;
}

/** An open file, read or written at any position (SFTP's READ and WRITE carry their offsets). */
export interface PracticeFileHandle {
  read(position: number, length: number): Promise<Buffer>;
  write(position: number, data: Buffer): Promise<void>;
  stat(): Promise<PracticeEntry>;
  /** For a file opened to write: the moment it counts as having arrived (a file that lands in HL7-Dropoff). */
  close(): Promise<void>;
}

/** What SFTP needs beyond the streams FTP uses: files opened at a position. */
export interface RandomAccessFiles {
  /** `write`: refused before any byte is taken when the folder is read-only or full; `exclusive` refuses an existing name. */
  openFile(path: string, mode: 'read' | 'write', options?: { truncate?: boolean; append?: boolean; exclusive?: boolean }): Promise<PracticeFileHandle>;
}

export interface PracticeBackend {
  accounts: PracticeAccounts;
  /** The signed-in account's files. */
  filesFor(username: string): PracticeFiles;
}
