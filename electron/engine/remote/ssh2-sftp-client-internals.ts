// Every place the SFTP adapter reaches past ssh2-sftp-client's public API, in one file (written
// against ssh2-sftp-client 12.1). Each says why it is needed and what happens if a new version
// renames or drops the field: an upgrade is checked against this file, and
// test/unit/architecture/library-internals.test.ts keeps such reaches out of every other file.
import type { Client as SshClient } from 'ssh2';
import type SftpClient from 'ssh2-sftp-client';

/**
 * The ssh2 connection under the wrapper, kept as `client` (set in its constructor, not in its types
 * or README). The adapter needs it before connect, to answer a server's password-change request
 * (ssh2's 'change password' event), see the handshake's algorithm lists and the server's disconnect
 * reason, and after it, to turn off Nagle's algorithm and to close the socket at once. If the field
 * goes, every SFTP connection fails at once with a TypeError: there is no working fallback, so a
 * new version that moves it fails every SFTP test at the first connection, never silently.
 */
export function sshClientOf(client: SftpClient): SshClient {
  return (client as unknown as { client: SshClient }).client;
}

/**
 * Stop the wrapper's debug hook, which it keeps as `debug` (from connect's `debug` option) and calls
 * for every operation. The hook is wanted for the handshake alone. If the field goes: the hook
 * keeps being called and ignored, a little more CPU per request.
 */
export function stopWrapperDebug(client: SftpClient): void {
  (client as unknown as { debug?: unknown }).debug = undefined;
}
