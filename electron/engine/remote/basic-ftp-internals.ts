// Every place the FTPS adapter leans on how basic-ftp works inside rather than on what its API
// promises, in one file (written against basic-ftp 6.2). Its public hooks (`prepareTransfer`,
// `parseList`, the FTPContext's `dataSocket`, `tlsSessionStore`, `closeWithError`) are used in
// ftps.ts as documented; these are not promised anywhere. Each says why it is needed and what happens
// if a new basic-ftp changes it: an upgrade is checked against this file, and
// test/unit/architecture/library-internals.test.ts keeps such reaches out of every other file.
import type { TLSSocket } from 'node:tls';
import type { Client } from 'basic-ftp';

/**
 * Send every line basic-ftp would log through `rewrite` first. basic-ftp writes each command and
 * reply through `FTPContext.log`, and masks `PASS` alone; the app's password commands (`PASS old
 * new` is masked, but `SITE PSWD`, `SITE CPWD` are not) must never reach a log. If basic-ftp logs some
 * other way: verbose logging (off unless switched on while debugging) could show a password.
 */
export function logThrough(client: Client, rewrite: (line: string) => string): void {
  const ftp = client.ftp;
  ftp.log = (message: string) => {
    if (ftp.verbose) console.log(rewrite(message));
  };
}

/**
 * basic-ftp's `useDefaultSettings()` (TYPE I, UTF-8, PROT P, and MLSD when offered), returning the
 * server's FEAT answer it asked for on the way. Its answer tells whether listings carry UTC times
 * (MLST) and whether MDTM can be asked; asking FEAT again would cost a round trip on every
 * connection. Relies on `useDefaultSettings` calling `this.features()`. If it stops: the answer is
 * empty, so the adapter learns each server's LIST clock from its own uploads only (never by MDTM),
 * and treats an MLSD server's listings as if they might need it (they carry UTC and are never moved).
 */
export async function useDefaultSettingsKeepingFeatures(client: Client): Promise<Map<string, string>> {
  let features = new Map<string, string>();
  const askFeatures = client.features.bind(client);
  client.features = async () => (features = await askFeatures());
  try {
    await client.useDefaultSettings();
  } finally {
    client.features = askFeatures;
  }
  return features;
}

/**
 * Let `secureConnect` reach the data connection's listeners (basic-ftp's among them) only when
 * `allow()` says so. basic-ftp starts writing an upload on the data connection's 'secureConnect' (or
 * at once if the handshake is over, which the check has then already seen), so a data connection
 * whose certificate is not the trusted one is stopped before one byte of the file leaves. Done in
 * `emit` itself because a listener of our own could not keep basic-ftp's from running in the same
 * event. If basic-ftp starts writing on another event: an upload could begin before the check; the
 * check still closes the connection as soon as it runs, and a download's bytes stay gated in
 * ftps.ts. test/integration/ftps-hostile.test.ts (data connections showing another certificate) shows whether this holds.
 */
export function holdSecureConnect(data: TLSSocket, allow: () => boolean): void {
  const emit = data.emit;
  data.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event === 'secureConnect' && !allow()) return false;
    return emit.apply(data, [event, ...args] as Parameters<typeof data.emit>);
  }) as typeof data.emit;
}

/**
 * Whether `error` is basic-ftp stopping a listing at the client's `maxListingBytes`: its
 * StringWriter fails with "Maximum bytes exceeded". If the wording changes: such a listing fails
 * with the generic words for a failed listing instead of "longer than any registry folder holds",
 * and its connection is left to be found unusable on the next command.
 */
export function isListingByteLimit(error: unknown): boolean {
  return error instanceof Error && /Maximum bytes exceeded/.test(error.message);
}
