// Fingerprints must read exactly as OpenSSH prints them, so a clinic's IT can compare what the app
// shows with what the registry published or what `ssh-keygen -l` says on the server.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintBytes, sameFingerprint, sshFingerprint, sshKeyAlgorithm } from '../../../../electron/engine/trust/fingerprint';

interface GeneratedKey {
  blob: Buffer;
  /** `ssh-keygen -l` output: `<bits> SHA256:<b64> <comment> (<TYPE>)`. */
  printedFingerprint: string;
  printedType: string;
}

let dir: string;

function generateKey(type: string, extra: string[] = []): GeneratedKey {
  const path = join(dir, `key_${type}`);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...extra, '-N', '', '-C', 'unit-test', '-f', path]);
  const base64 = readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/)[1] ?? '';
  const printed = execFileSync('ssh-keygen', ['-l', '-f', `${path}.pub`]).toString();
  const match = /(SHA256:[A-Za-z0-9+/]+).*\(([A-Z0-9-]+)\)\s*$/.exec(printed);
  if (!match?.[1] || !match[2]) throw new Error(`unexpected ssh-keygen output: ${printed}`);
  return { blob: Buffer.from(base64, 'base64'), printedFingerprint: match[1], printedType: match[2] };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rt-fingerprint-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('sshFingerprint and sshKeyAlgorithm', () => {
  it.each([
    ['ed25519', [], 'ED25519'],
    ['rsa', ['-b', '2048'], 'RSA'],
    ['ecdsa', ['-b', '256'], 'ECDSA'],
  ] as const)('match what ssh-keygen -l prints for a fresh %s key', (type, extra, expectedType) => {
    const key = generateKey(type, [...extra]);
    expect(sshFingerprint(key.blob)).toBe(key.printedFingerprint);
    expect(sshKeyAlgorithm(key.blob)).toBe(key.printedType);
    expect(key.printedType).toBe(expectedType);
  });

  it('prints no base64 padding, as OpenSSH does', () => {
    const fingerprint = sshFingerprint(Buffer.from('any key blob'));
    expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('names a blob it cannot read "unknown" instead of guessing', () => {
    expect(sshKeyAlgorithm(Buffer.alloc(0))).toBe('unknown');
    expect(sshKeyAlgorithm(Buffer.from([0, 0, 0, 0]))).toBe('unknown');
    // A length prefix that points past the end of the blob.
    expect(sshKeyAlgorithm(Buffer.from([0, 0, 0, 20, 0x73, 0x73, 0x68]))).toBe('unknown');
  });
});

describe('fingerprintBytes', () => {
  const bytes = createHash('sha256').update('a registry host key').digest();
  const shaForm = `SHA256:${bytes.toString('base64').replace(/=+$/, '')}`;
  const hex = bytes.toString('hex');
  const colonHex = hex.toUpperCase().match(/../g)?.join(':') ?? '';

  it('reads the same 32 bytes from the SHA256: form, colon hex and plain hex', () => {
    expect(fingerprintBytes(shaForm)?.equals(bytes)).toBe(true);
    expect(fingerprintBytes(`${shaForm}=`)?.equals(bytes)).toBe(true);
    expect(fingerprintBytes(colonHex)?.equals(bytes)).toBe(true);
    expect(fingerprintBytes(colonHex.toLowerCase())?.equals(bytes)).toBe(true);
    expect(fingerprintBytes(hex)?.equals(bytes)).toBe(true);
    expect(fingerprintBytes(`  ${hex.toUpperCase()}\n`)?.equals(bytes)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['words', 'not a fingerprint'],
    ['a short SHA256 form', 'SHA256:abc'],
    ['an MD5 fingerprint', 'MD5:' + createHash('md5').update('x').digest('hex').match(/../g)?.join(':')],
    ['bare MD5 colon hex (16 bytes)', createHash('md5').update('x').digest('hex').match(/../g)?.join(':') ?? ''],
    ['hex one digit short', hex.slice(1)],
    ['hex with a stray letter', `${hex.slice(0, 63)}g`],
    ['colons in the wrong places', `${hex.slice(0, 3)}:${hex.slice(3)}`],
    ['a SHA256 form with a bad character', `SHA256:${'*'.repeat(43)}`],
  ])('rejects %s', (_label, text) => {
    expect(fingerprintBytes(text)).toBeNull();
  });
});

describe('sameFingerprint', () => {
  const a = createHash('sha256').update('key a').digest();
  const b = createHash('sha256').update('key b').digest();
  const sha = (x: Buffer) => `SHA256:${x.toString('base64').replace(/=+$/, '')}`;

  it('is true for the same bytes in different forms', () => {
    expect(sameFingerprint(sha(a), a.toString('hex'))).toBe(true);
    expect(sameFingerprint(a.toString('hex').match(/../g)?.join(':') ?? '', sha(a))).toBe(true);
  });

  it('is false for different keys', () => {
    expect(sameFingerprint(sha(a), sha(b))).toBe(false);
    expect(sameFingerprint(a.toString('hex'), b.toString('hex'))).toBe(false);
  });

  it('is false when either side is unreadable, even if both say the same thing', () => {
    expect(sameFingerprint('garbage', 'garbage')).toBe(false);
    expect(sameFingerprint(sha(a), 'garbage')).toBe(false);
  });
});
