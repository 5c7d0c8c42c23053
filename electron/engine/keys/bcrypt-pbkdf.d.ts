// bcrypt-pbkdf (the KDF of OpenSSH's private key format; ssh2 uses the same package) ships no types.
declare module 'bcrypt-pbkdf' {
  /** Fills `key` (of `keylen` bytes) from `pass` and `salt` with `rounds` rounds; returns 0 on success. */
  export function pbkdf(pass: Uint8Array, passlen: number, salt: Uint8Array, saltlen: number, key: Uint8Array, keylen: number, rounds: number): number;
}
