// A new SSH key pair that is whole, around a fault in ssh2's key maker. Its own module: the practice
// registry (a server) makes its host key with it, and takes nothing else of the engine's keys.

/** An Ed25519 public key's blob: its name ("ssh-ed25519", 11 bytes) and its 32-byte key, each with a length. */
const ED25519_BLOB_BYTES = 4 + 11 + 4 + 32;

/**
 * A new pair from `generate` (ssh2's generateKeyPairSync) that is whole. ssh2 1.17.0 drops an
 * Ed25519 public key's leading zero bytes as it writes the pair (mscdex/ssh2#1390 and #1513, open),
 * so one pair in 256 comes out with a 31-byte public key that neither OpenSSH nor ssh2 can read:
 * the private key file is refused ("Malformed OpenSSH private key", ssh-keygen: "error in
 * libcrypto") and the public key matches nothing. Such a pair is thrown away and made again; eight
 * in a row (one chance in 2^64) is a fault of another kind, said as such.
 */
export function wholeKeyPair<Pair extends { public: string }>(type: 'ed25519' | 'rsa', generate: () => Pair): Pair {
  for (let attempt = 1; attempt <= 8; attempt += 1) {
    const made = generate();
    const blob = Buffer.from(made.public.trim().split(/\s+/)[1] ?? '', 'base64');
    if (type !== 'ed25519' || blob.length === ED25519_BLOB_BYTES) return made;
  }
  throw new Error(`A new ${type} key could not be made whole.`);
}
