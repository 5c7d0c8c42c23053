// PuTTY's private key files (.ppk) that ssh2 does not read: version 3 (PuTTYgen's default since
// 0.75, its passphrase stretched with Argon2) and Ed25519 / ECDSA keys in either version. The file is
// opened as PuTTY documents its format (appendix C of PuTTY's manual): the passphrase derives the
// AES-256-CBC key and the MAC key, the MAC over every field is checked (a wrong passphrase and a
// damaged file are both found there, before anything is used), and the key is rebuilt in OpenSSH's
// own format for ssh2, in memory. The result is then proved to be the key the file says it is: it
// signs, and the public key the file states verifies that signature.
// Hand-written because no maintained npm package reads PPK version 3; Argon2 comes from
// @noble/hashes (audited, pure JavaScript: Node 20's crypto has no Argon2).
import { argon2d, argon2i, argon2id } from '@noble/hashes/argon2.js';
import bcryptPbkdf from 'bcrypt-pbkdf';
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import ssh2, { type ParsedKey } from 'ssh2';

const { utils } = ssh2;

export class PpkProblem extends Error {
  constructor(
    readonly kind: 'passphrase-needed' | 'wrong-passphrase' | 'unsupported' | 'damaged',
    message: string,
  ) {
    super(message);
    this.name = 'PpkProblem';
  }
}

interface PpkFile {
  version: 2 | 3;
  algorithm: string;
  encryption: 'none' | 'aes256-cbc';
  comment: string;
  publicBlob: Buffer;
  privateBlob: Buffer;
  mac: Buffer;
  kdf: { variant: 'Argon2id' | 'Argon2i' | 'Argon2d'; memoryKiB: number; passes: number; parallelism: number; salt: Buffer } | null;
}

/** Argon2 limits a real PuTTYgen file stays far below (8 MiB, tens of passes): a hostile file cannot stall the app. */
const MAX_ARGON2_MEMORY_KIB = 1024 * 1024;
const MAX_ARGON2_PASSES = 1000;

export function isPpk(text: string): boolean {
  return /^PuTTY-User-Key-File-\d+:/.test(text.trimStart());
}

function parsePpk(text: string): PpkFile {
  const lines = text.replace(/\r\n?/g, '\n').trimStart().split('\n');
  let at = 0;
  const header = (name: string): string => {
    const line = lines[at++] ?? '';
    const match = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line);
    if (!match || match[1] !== name) throw new PpkProblem('damaged', `the line "${name}:" is missing or out of place`);
    return match[2] ?? '';
  };
  const first = /^PuTTY-User-Key-File-(\d+):\s*(\S+)/.exec(lines[at++] ?? '');
  if (!first) throw new PpkProblem('damaged', 'it does not start as a PuTTY key file does');
  const version = Number(first[1]);
  if (version !== 2 && version !== 3) throw new PpkProblem('unsupported', `it is PuTTY key file version ${first[1]}, which this app does not know`);
  const algorithm = first[2] as string;
  const encryption = header('Encryption');
  if (encryption !== 'none' && encryption !== 'aes256-cbc') throw new PpkProblem('unsupported', `its encryption "${encryption}" is not one PuTTY writes`);
  const comment = header('Comment');
  const base64Lines = (name: string) => {
    const count = Number(header(name));
    if (!Number.isInteger(count) || count < 0 || count > 1000) throw new PpkProblem('damaged', `"${name}" is not a line count`);
    const body = lines.slice(at, at + count).join('');
    at += count;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new PpkProblem('damaged', 'a key part is not base64');
    return Buffer.from(body, 'base64');
  };
  const publicBlob = base64Lines('Public-Lines');
  let kdf: PpkFile['kdf'] = null;
  if (version === 3 && encryption !== 'none') {
    const variant = header('Key-Derivation');
    if (variant !== 'Argon2id' && variant !== 'Argon2i' && variant !== 'Argon2d') throw new PpkProblem('unsupported', `its key derivation "${variant}" is not one PuTTY writes`);
    const memoryKiB = Number(header('Argon2-Memory'));
    const passes = Number(header('Argon2-Passes'));
    const parallelism = Number(header('Argon2-Parallelism'));
    const saltHex = header('Argon2-Salt');
    const sane = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;
    if (!sane(memoryKiB, MAX_ARGON2_MEMORY_KIB) || !sane(passes, MAX_ARGON2_PASSES) || !sane(parallelism, 255) || !/^([0-9a-fA-F]{2})+$/.test(saltHex)) {
      throw new PpkProblem('damaged', 'its Argon2 settings are out of range');
    }
    kdf = { variant, memoryKiB, passes, parallelism, salt: Buffer.from(saltHex, 'hex') };
  }
  const privateBlob = base64Lines('Private-Lines');
  const macHex = header('Private-MAC');
  if (!/^([0-9a-fA-F]{2})+$/.test(macHex)) throw new PpkProblem('damaged', 'its MAC is not hexadecimal');
  return { version, algorithm, encryption, comment, publicBlob, privateBlob, mac: Buffer.from(macHex, 'hex'), kdf };
}

const sshString = (data: Buffer | string) => {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};

/** The file's private part in the clear, its MAC checked (which also tells a wrong passphrase). */
function openPrivatePart(file: PpkFile, passphrase: string | null): Buffer {
  if (file.encryption !== 'none' && (passphrase === null || passphrase === '')) {
    throw new PpkProblem('passphrase-needed', 'it is protected by a passphrase');
  }
  const secret = Buffer.from(file.encryption === 'none' ? '' : (passphrase as string), 'utf8');
  let plain = file.privateBlob;
  let macKey: Buffer;
  if (file.version === 3) {
    if (file.kdf) {
      const derive = file.kdf.variant === 'Argon2id' ? argon2id : file.kdf.variant === 'Argon2i' ? argon2i : argon2d;
      const derived = Buffer.from(
        derive(secret, file.kdf.salt, { t: file.kdf.passes, m: file.kdf.memoryKiB, p: file.kdf.parallelism, dkLen: 80, maxmem: (MAX_ARGON2_MEMORY_KIB + 1024) * 1024 }),
      );
      plain = decryptCbc(file.privateBlob, derived.subarray(0, 32), derived.subarray(32, 48));
      macKey = derived.subarray(48, 80);
    } else {
      macKey = Buffer.alloc(0);
    }
  } else {
    if (file.encryption !== 'none') {
      const sha1 = (counter: number) => createHash('sha1').update(Buffer.from([0, 0, 0, counter])).update(secret).digest();
      plain = decryptCbc(file.privateBlob, Buffer.concat([sha1(0), sha1(1)]).subarray(0, 32), Buffer.alloc(16));
    }
    macKey = createHash('sha1').update('putty-private-key-file-mac-key').update(secret).digest();
  }
  const macInput = Buffer.concat([sshString(file.algorithm), sshString(file.encryption), sshString(file.comment), sshString(file.publicBlob), sshString(plain)]);
  const expected = createHmac(file.version === 3 ? 'sha256' : 'sha1', macKey).update(macInput).digest();
  if (expected.length !== file.mac.length || !timingSafeEqual(expected, file.mac)) {
    throw file.encryption === 'none' ? new PpkProblem('damaged', 'its contents do not match its MAC (the file was changed or cut)') : new PpkProblem('wrong-passphrase', 'the passphrase does not open it');
  }
  return plain;
}

function decryptCbc(data: Buffer, key: Buffer, iv: Buffer): Buffer {
  if (data.length % 16 !== 0) throw new PpkProblem('damaged', 'its private part is not whole AES blocks');
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

/** SSH wire fields, read one after another; a short or overlong field is a damaged file. */
class WireReader {
  private at = 0;
  constructor(private readonly data: Buffer) {}
  bytes(): Buffer {
    if (this.at + 4 > this.data.length) throw new PpkProblem('damaged', 'a key field is cut short');
    const length = this.data.readUInt32BE(this.at);
    const start = this.at + 4;
    if (start + length > this.data.length) throw new PpkProblem('damaged', 'a key field is cut short');
    this.at = start + length;
    return this.data.subarray(start, start + length);
  }
  text(): string {
    return this.bytes().toString('latin1');
  }
}

/** The OpenSSH private-key fields (after the key type) of the key in the file. */
function openSshFields(file: PpkFile, plain: Buffer): Buffer[] {
  const pub = new WireReader(file.publicBlob);
  const priv = new WireReader(plain);
  const type = pub.text();
  if (type !== file.algorithm) throw new PpkProblem('damaged', 'its public key is not of the type it names');
  switch (type) {
    case 'ssh-ed25519': {
      const point = pub.bytes();
      // The 32-byte secret seed as a string; OpenSSH keeps it followed by the public point.
      const seed = priv.bytes();
      if (point.length !== 32 || seed.length !== 32) throw new PpkProblem('damaged', 'its Ed25519 key has the wrong length');
      return [point, Buffer.concat([seed, point])];
    }
    case 'ssh-rsa': {
      const e = pub.bytes();
      const n = pub.bytes();
      const [d, p, q, iqmp] = [priv.bytes(), priv.bytes(), priv.bytes(), priv.bytes()];
      return [n, e, d, iqmp, p, q];
    }
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521': {
      const curve = pub.bytes();
      const point = pub.bytes();
      return [curve, point, priv.bytes()];
    }
    case 'ssh-dss': {
      const [p, q, g, y] = [pub.bytes(), pub.bytes(), pub.bytes(), pub.bytes()];
      return [p, q, g, y, priv.bytes()];
    }
    default:
      throw new PpkProblem('unsupported', `it holds a ${type} key, which the app cannot sign in with`);
  }
}

/** bcrypt rounds for a protected copy: ssh-keygen's default, as for the keys the app makes. */
const KDF_ROUNDS = 16;

/**
 * One key in OpenSSH's private key format (openssh-key-v1): unencrypted only in memory, for ssh2 to
 * parse; with a passphrase, protected as ssh-keygen does (bcrypt KDF, AES-256-CTR) for the disk.
 */
function openSshText(type: string, publicBlob: Buffer, fields: Buffer[], comment: string, passphrase: string | null = null): string {
  const check = randomBytes(4);
  let section = Buffer.concat([check, check, sshString(type), ...fields.map(sshString), sshString(comment)]);
  const blockSize = passphrase === null ? 8 : 16;
  const padding: number[] = [];
  for (let i = 1; (section.length + padding.length) % blockSize !== 0; i += 1) padding.push(i);
  section = Buffer.concat([section, Buffer.from(padding)]);
  let cipherName = 'none';
  let kdfName = 'none';
  let kdfOptions = Buffer.alloc(0);
  if (passphrase !== null) {
    const salt = randomBytes(16);
    const rounds = Buffer.alloc(4);
    rounds.writeUInt32BE(KDF_ROUNDS);
    const secret = Buffer.from(passphrase, 'utf8');
    const keyAndIv = Buffer.alloc(48);
    if (bcryptPbkdf.pbkdf(secret, secret.length, salt, salt.length, keyAndIv, keyAndIv.length, KDF_ROUNDS) !== 0) throw new Error('bcrypt_pbkdf failed');
    const cipher = createCipheriv('aes-256-ctr', keyAndIv.subarray(0, 32), keyAndIv.subarray(32));
    section = Buffer.concat([cipher.update(section), cipher.final()]);
    keyAndIv.fill(0);
    cipherName = 'aes256-ctr';
    kdfName = 'bcrypt';
    kdfOptions = Buffer.concat([sshString(salt), rounds]);
  }
  const count = Buffer.alloc(4);
  count.writeUInt32BE(1);
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0', 'latin1'), sshString(cipherName), sshString(kdfName), sshString(kdfOptions), count, sshString(publicBlob), sshString(section)]);
  const lines = body.toString('base64').replace(/.{70}/g, '$&\n');
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.trimEnd()}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/**
 * The key in a PuTTY file, opened with `passphrase` when it has one. Throws PpkProblem: what is
 * wrong, in a few words the caller puts in its own sentence.
 */
export function openPpk(text: string, passphrase: string | null): ParsedKey {
  return convertPpk(text, passphrase, null).key;
}

/**
 * The key in a PuTTY file, and the same key in OpenSSH's format protected by `newPassphrase` (for a
 * copy the app keeps, so that Argon2 runs once, when the file is chosen, not at every sign-in).
 */
export function convertPpk(text: string, passphrase: string | null, newPassphrase: string | null): { key: ParsedKey; openSsh: string | null } {
  const file = parsePpk(text);
  const plain = openPrivatePart(file, passphrase);
  const fields = openSshFields(file, plain);
  const parsed = utils.parseKey(openSshText(file.algorithm, file.publicBlob, fields, file.comment));
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error || !key.isPrivateKey()) throw new PpkProblem('damaged', 'its key could not be rebuilt');
  // Proof the rebuilt key is the file's: it signs, and the file's own public key verifies it.
  const stated = utils.parseKey(`${file.algorithm} ${file.publicBlob.toString('base64')}`);
  const statedKey = Array.isArray(stated) ? stated[0] : stated;
  const probe = randomBytes(32);
  const signature = key.sign(probe);
  if (!statedKey || statedKey instanceof Error || signature instanceof Error || statedKey.verify(probe, signature) !== true) {
    throw new PpkProblem('damaged', 'its private key does not match its public key');
  }
  return { key, openSsh: newPassphrase === null ? null : openSshText(file.algorithm, file.publicBlob, fields, file.comment, newPassphrase) };
}
