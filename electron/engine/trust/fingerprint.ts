// Fingerprints in the forms people compare them in: `SHA256:<base64>` as `ssh-keygen -l` prints it
// for host keys, colon-separated hex as browsers and OpenSSL print it for certificates.
import { createHash } from 'node:crypto';

/** `SHA256:` + unpadded base64 of the SHA-256 of the key blob, exactly as OpenSSH prints it. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

const ALGORITHM_NAMES: Record<string, string> = {
  'ssh-ed25519': 'ED25519',
  'ssh-rsa': 'RSA',
  'ssh-dss': 'DSA',
  'ecdsa-sha2-nistp256': 'ECDSA',
  'ecdsa-sha2-nistp384': 'ECDSA',
  'ecdsa-sha2-nistp521': 'ECDSA',
  'ssh-ed448': 'ED448',
};

/** The key type from an SSH public key blob (its first string), named as `ssh-keygen -l` does. */
export function sshKeyAlgorithm(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const length = keyBlob.readUInt32BE(0);
  if (length <= 0 || length > 64 || keyBlob.length < 4 + length) return 'unknown';
  const name = keyBlob.subarray(4, 4 + length).toString('latin1');
  return ALGORITHM_NAMES[name] ?? name.toUpperCase();
}

/**
 * The 32 bytes behind a SHA-256 fingerprint given in either form (`SHA256:<base64>` or hex with or
 * without colons), or null when it is neither. Lets a clinic's IT paste whichever form they have.
 */
export function fingerprintBytes(text: string): Buffer | null {
  const trimmed = text.trim();
  const sha = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(trimmed);
  if (sha?.[1]) {
    const bytes = Buffer.from(sha[1], 'base64');
    return bytes.length === 32 ? bytes : null;
  }
  const hex = trimmed.replace(/:/g, '');
  if (/^[0-9A-Fa-f]{64}$/.test(hex) && (trimmed.includes(':') ? /^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/.test(trimmed) : true)) {
    return Buffer.from(hex, 'hex');
  }
  return null;
}

export function sameFingerprint(a: string, b: string): boolean {
  const x = fingerprintBytes(a);
  const y = fingerprintBytes(b);
  return x !== null && y !== null && x.equals(y);
}
