// Every place the SFTP adapter reaches past ssh2's public API, in one file (written against ssh2
// 1.17). ssh2 offers no public way to do these things; each says why it is needed and what happens
// if a new ssh2 renames or drops the field. Each is written so that a missing field leaves the app
// working (slower, or without a feature), never broken: an upgrade of ssh2 is checked against this
// file, and test/unit/architecture/library-internals.test.ts keeps such reaches out of every other file.
import type { Client as SshClient, SFTPWrapper } from 'ssh2';

/** The connection's socket, kept by ssh2's Client as `_sock` (the public API offers no handle on it). */
const socketOf = (ssh: SshClient) => (ssh as unknown as { _sock?: { cork(): void; uncork(): void; destroy(): void } })._sock;

/**
 * Stop ssh2's debug hook once the handshake is over. The hook is needed for the handshake alone
 * (HandshakeOffers reads both sides' algorithm lists from it), but ssh2's protocol layer keeps it as
 * `_protocol._debug` and checks it before every packet it handles. If the field goes: the hook keeps
 * being called, ignored by HandshakeOffers; transfers cost a little more CPU.
 */
export function stopProtocolDebug(ssh: SshClient): void {
  const protocol = (ssh as unknown as { _protocol?: { _debug?: unknown } })._protocol;
  if (protocol) protocol._debug = undefined;
}

/**
 * The SFTP channel copies the debug hook as `_debug` and checks it before every request (every
 * write of an upload). If the field goes: as above, a little more CPU per request.
 */
export function stopChannelDebug(sftp: SFTPWrapper): void {
  (sftp as unknown as { _debug?: unknown })._debug = undefined;
}

/**
 * The extensions the server announced in its SFTP version packet (`posix-rename@openssh.com` and
 * kin), which ssh2 keeps in `_extensions` and offers no public way to ask; its `ext_openssh_rename`
 * throws unless version "1" is there. If the field goes: no extension is seen, so an upload that
 * replaces a file does it in two steps (move aside, then rename) as on servers without it.
 */
export function serverExtensions(sftp: SFTPWrapper): Readonly<Record<string, string>> {
  return (sftp as unknown as { _extensions?: Record<string, string> })._extensions ?? {};
}

/**
 * The sizes an upload's write requests are cut to (see writePlan in sftp.ts): the channel's packet
 * size (`outgoing.packetSize`, typed `unknown` in @types/ssh2) and the longest write the server
 * allows (`_maxWriteLen`: what `limits@openssh.com` said, or ssh2's own guess). If they go: writes of
 * one 32 KiB packet each, correct but slower (more requests, more CPU at both ends).
 */
export function writeLimits(sftp: SFTPWrapper): { packetSize: number | undefined; maxWriteLength: number | undefined } {
  const inner = sftp as unknown as { outgoing?: { packetSize?: number }; _maxWriteLen?: number };
  return { packetSize: inner.outgoing?.packetSize, maxWriteLength: inner._maxWriteLen };
}

/**
 * Close the socket itself. ssh2's `destroy()` does nothing once a goodbye half-closed the socket,
 * which leaves a connection to a server that stopped answering open. If `_sock` goes: `destroy()`
 * alone, and such a socket stays open until the operating system gives up on it.
 */
export function destroySocket(ssh: SshClient): void {
  socketOf(ssh)?.destroy();
}

/**
 * Run `send` with the socket corked, so the packets it writes leave in one system call instead of
 * one each (ssh2 writes every packet to the socket at once). If `_sock` goes: one system call per
 * packet, correct but slower.
 */
export function corked<T>(ssh: SshClient, send: () => T): T {
  const socket = socketOf(ssh);
  socket?.cork();
  try {
    return send();
  } finally {
    socket?.uncork();
  }
}
