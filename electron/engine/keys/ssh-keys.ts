// SSH keys for SFTP sign-in by public key (issue 15): made here, or brought from elsewhere. ssh2 both
// writes and reads OpenSSH's own private-key format (node:crypto alone writes PKCS#8, which ssh2
// cannot read back), so a key made here is one OpenSSH's tools and ssh2 open alike. A passphrase, when
// there is one, protects the file (bcrypt with 16 rounds, AES-256-CTR, as ssh-keygen does); the app
// keeps the passphrase in the system keychain, never in a file. What a key file cannot be (a public
// key, a PuTTY file ssh2 does not read, a wrong passphrase) is said in plain words before any
// connection is opened.
import { createHash } from 'node:crypto';
import { chmod, open, rm } from 'node:fs/promises';
// ssh2 by its default export: it is CommonJS, and the ESM bundles (CLI, main) see no named exports.
import ssh2, { type ParsedKey } from 'ssh2';
import { KEY_TYPES } from '../../../shared/contract';
import { convertPpk, PpkProblem } from './ppk';
import { wholeKeyPair } from './whole-key-pair';

const { utils } = ssh2;

export { KEY_TYPES };
export type KeyType = (typeof KEY_TYPES)[number];

/** RSA keys are made this long: what the issue and today's registries ask for. */
const RSA_BITS = 4096;
/** bcrypt rounds for a passphrase-protected key: ssh-keygen's default. */
const KDF_ROUNDS = 16;

export interface KeyPair {
  type: KeyType;
  /** The private key in OpenSSH's format (protected by the passphrase when one was given). */
  privateKey: string;
  /** The public key on one line, as OpenSSH's authorized_keys takes it: `ssh-ed25519 AAAA... comment`. */
  publicKey: string;
  /** SHA256:... of the public key, as `ssh-keygen -l` prints it. */
  fingerprint: string;
}

export function makeKeyPair({ type, passphrase, comment }: { type: KeyType; passphrase: string | null; comment: string }): KeyPair {
  const protection = passphrase ? { passphrase, cipher: 'aes256-ctr', rounds: KDF_ROUNDS } : {};
  const made = wholeKeyPair(type, () =>
    type === 'rsa' ? utils.generateKeyPairSync('rsa', { bits: RSA_BITS, comment, ...protection }) : utils.generateKeyPairSync('ed25519', { comment, ...protection }),
  );
  const publicKey = made.public.trim();
  return { type, privateKey: made.private, publicKey, fingerprint: publicKeyFingerprint(publicKey) };
}

/** SHA256:<base64 without padding> of the key's blob (the second word of its one-line form). */
export function publicKeyFingerprint(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1] ?? '';
  return `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/**
 * The keychain entry that keeps a key's passphrase: one per private key file, by its full path (a
 * key moved elsewhere needs its passphrase saved again). The passphrase is never written to a file.
 */
export const passphraseVaultAccount = (privateKeyPath: string): string => `ssh-key-passphrase:${privateKeyPath}`;

export class KeyFileExists extends Error {
  constructor(readonly path: string) {
    super(`${path} already exists. Choose another name, or move the old key away first: a key is never overwritten.`);
    this.name = 'KeyFileExists';
  }
}

/**
 * Writes the private key to `path` (readable by its owner only) and the public key to `path.pub`,
 * never over an existing file. On Windows the mode bits mean nothing: the key is then kept private
 * by where it is written (the user's own profile folder, which only that user and the system can
 * read by default).
 */
export async function writeKeyPair(path: string, pair: Pick<KeyPair, 'privateKey' | 'publicKey'>): Promise<{ privatePath: string; publicPath: string }> {
  const publicPath = `${path}.pub`;
  const write = async (file: string, text: string, mode: number) => {
    let handle;
    try {
      handle = await open(file, 'wx', mode);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new KeyFileExists(file);
      throw error;
    }
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
    // The process's umask may have taken bits away (never added): set exactly what is meant.
    await chmod(file, mode);
  };
  // The public file is claimed first: a clash there leaves no private key behind.
  await write(publicPath, `${pair.publicKey}\n`, 0o644);
  try {
    await write(path, pair.privateKey, 0o600);
  } catch (error) {
    await rm(publicPath, { force: true });
    throw error;
  }
  return { privatePath: path, publicPath };
}

export type KeyProblemKind = 'passphrase-needed' | 'wrong-passphrase' | 'public-key' | 'putty-unsupported' | 'unreadable';

export class KeyProblem extends Error {
  constructor(
    readonly kind: KeyProblemKind,
    message: string,
  ) {
    super(message);
    this.name = 'KeyProblem';
  }
}

const PUTTY_EXPORT =
  'Open the key in PuTTYgen, choose Conversions > Export OpenSSH key (not the "force new file format" one), save it, and use that file.';

/** Whether ssh2 itself reads this PuTTY file (version 2, RSA or DSA). */
const isReadBySsh2 = (version: string, algorithm: string) => version === '2' && /^ssh-(rsa|dss)$/.test(algorithm);

/** A PuTTY file ssh2 does not read, opened by ppk.ts; its problems said as the other keys' are. */
function openPuttyKey(text: string, passphrase: string | null, source: string): ParsedKey {
  return convertPuttyKey(text, passphrase, null, source).key;
}

/**
 * A PuTTY file ssh2 does not read, opened, and (with `newPassphrase`) the same key in OpenSSH's
 * format protected by it; its problems said as the other keys' are (KeyProblem).
 */
export function convertPuttyKey(text: string, passphrase: string | null, newPassphrase: string | null, source = 'The key file'): { key: ParsedKey; openSsh: string | null } {
  try {
    return convertPpk(text, passphrase, newPassphrase);
  } catch (error) {
    if (!(error instanceof PpkProblem)) throw error;
    if (error.kind === 'passphrase-needed') throw new KeyProblem('passphrase-needed', `${source} is protected by a passphrase. Give its passphrase to use it.`);
    if (error.kind === 'wrong-passphrase') throw new KeyProblem('wrong-passphrase', `The passphrase does not open ${source.replace(/^The /, 'the ')}. Nothing was sent to any server.`);
    throw new KeyProblem('putty-unsupported', `${source} is a PuTTY key this app cannot use: ${error.message}. ${PUTTY_EXPORT}`);
  }
}

/** A PuTTY file that ppk.ts opens (not ssh2): the app keeps an OpenSSH copy of it, so Argon2 runs once. */
export function needsPuttyConversion(text: Buffer | string): boolean {
  const head = (typeof text === 'string' ? text : text.subarray(0, 200).toString('latin1')).trimStart();
  const putty = /^PuTTY-User-Key-File-(\d+):\s*(\S+)/.exec(head);
  return putty !== null && !isReadBySsh2(putty[1] ?? '', putty[2] ?? '');
}

/**
 * The private key in `text`, opened (with `passphrase` when it is protected), or a KeyProblem that
 * says what is wrong in plain words. Nothing is sent anywhere: this runs before any connection.
 */
export function openPrivateKey(text: string | Buffer, passphrase: string | null, source = 'The key file'): ParsedKey {
  const head = (typeof text === 'string' ? text : text.subarray(0, 200).toString('latin1')).trimStart();
  const putty = /^PuTTY-User-Key-File-(\d+):\s*(\S+)/.exec(head);
  // ssh2 reads PuTTY's version 2 files of RSA and DSA keys only; PuTTYgen writes version 3 (Argon2)
  // by default since 0.75, and Ed25519 and ECDSA keys in either version: those are opened by ppk.ts.
  if (putty && !isReadBySsh2(putty[1] ?? '', putty[2] ?? '')) return openPuttyKey(typeof text === 'string' ? text : text.toString('utf8'), passphrase, source);
  // An empty passphrase is none given: ssh2 would say it cannot derive the key, read here as unreadable.
  const parsed = utils.parseKey(text, passphrase || undefined);
  const one = Array.isArray(parsed) ? (parsed[0] as ParsedKey | Error | undefined) : parsed;
  if (one === undefined || one instanceof Error) {
    const why = one instanceof Error ? one.message : '';
    if (/no passphrase given/i.test(why)) throw new KeyProblem('passphrase-needed', `${source} is protected by a passphrase. Give its passphrase to use it.`);
    if (/bad passphrase|decrypt|integrity check failed/i.test(why)) throw new KeyProblem('wrong-passphrase', `The passphrase does not open ${source.replace(/^The /, 'the ')}. Nothing was sent to any server.`);
    throw new KeyProblem('unreadable', `${source} is not a private key this app can read (OpenSSH, PEM or PuTTY). If PuTTYgen made it: ${PUTTY_EXPORT}`);
  }
  if (!one.isPrivateKey()) {
    throw new KeyProblem('public-key', `${source} holds a public key. Sign-in needs the private key: the file of the same name without .pub.`);
  }
  return one;
}
