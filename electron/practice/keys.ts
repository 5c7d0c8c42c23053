// The practice registry's identity: an SSH host key and a self-signed TLS certificate for 127.0.0.1
// and localhost, made on its first run and kept in its folder of the app's data folder, so it shows
// the same identity every start (a trainee learns that a changed key is news). Written owner-only.
import { createHash, webcrypto, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
// ssh2 is CommonJS: its default export, so the ESM bundles (the CLI, the main process) load it too.
import ssh2 from 'ssh2';
import { wholeKeyPair } from '../engine/keys/whole-key-pair';

const { utils } = ssh2;

export interface PracticeKeys {
  /** The SSH host key, OpenSSH private key format. */
  hostKey: string;
  /** `SHA256:<base64>` as `ssh-keygen -l` prints it (what `--trust` takes). */
  hostKeyFingerprint: string;
  tls: { key: string; cert: string };
  /** SHA-256 of the certificate in colon-separated hex, as browsers and OpenSSL print it. */
  certificateFingerprint: string;
}

const HOST_KEY_FILE = 'ssh_host_ed25519_key';
const TLS_KEY_FILE = 'tls-key.pem';
const TLS_CERT_FILE = 'tls-cert.pem';

/** Write a file only its owner can read, whole or not at all. */
function writeSecret(path: string, text: string): void {
  const partial = `${path}.partial`;
  writeFileSync(partial, text, { mode: 0o600 });
  renameSync(partial, path);
  chmodSync(path, 0o600);
}

function readableHostKey(privateKey: string): boolean {
  const parsed = utils.parseKey(privateKey);
  return !(parsed instanceof Error) && (Array.isArray(parsed) ? parsed.length > 0 : true);
}

function hostKeyFingerprint(privateKey: string): string {
  const parsed = utils.parseKey(privateKey);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key) throw new Error('The practice registry host key could not be read.');
  return `SHA256:${createHash('sha256').update(key.getPublicSSH()).digest('base64').replace(/=+$/, '')}`;
}

async function makeCertificate(): Promise<{ key: string; cert: string }> {
  // The library takes Node's WebCrypto from globalThis.crypto (Node 20 and Electron have it).
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: createHash('sha256').update(String(now)).digest('hex').slice(0, 16),
    name: 'CN=Registry Transfer practice registry, O=Registry Transfer',
    // A day back, for a clock that is a little behind; ten years on, as a practice server needs.
    notBefore: new Date(now - 24 * 3600 * 1000),
    notAfter: new Date(now + 10 * 365 * 24 * 3600 * 1000),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
  return { key, cert: cert.toString('pem') };
}

/** The keys in `folder`, made there first if they are not yet (or a file of them was lost). */
export async function practiceKeys(folder: string): Promise<PracticeKeys> {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  chmodSync(folder, 0o700);
  const hostKeyPath = join(folder, HOST_KEY_FILE);
  // A key made before ssh2's fault was mended around (one in 256, see wholeKeyPair) cannot be read,
  // and no client ever saw it: it is made again rather than stopping every start.
  if (!existsSync(hostKeyPath) || !readableHostKey(readFileSync(hostKeyPath, 'utf8'))) {
    const pair = wholeKeyPair('ed25519', () => utils.generateKeyPairSync('ed25519'));
    writeSecret(hostKeyPath, pair.private);
  }
  const keyPath = join(folder, TLS_KEY_FILE);
  const certPath = join(folder, TLS_CERT_FILE);
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    const made = await makeCertificate();
    writeSecret(keyPath, made.key);
    writeSecret(certPath, made.cert);
  }
  const hostKey = readFileSync(hostKeyPath, 'utf8');
  const tls = { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  return {
    hostKey,
    hostKeyFingerprint: hostKeyFingerprint(hostKey),
    tls,
    certificateFingerprint: new X509Certificate(tls.cert).fingerprint256,
  };
}
