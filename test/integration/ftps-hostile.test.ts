// The FTPS adapter against a hostile FTPS server of our own (test/support/hostile-ftps-server.ts):
// data connections that show another certificate, a server behind NAT that refuses EPSV, a
// connection killed in the TLS handshake, a download and a listing that never end. Each test checks
// what a user would: the message, the bytes that reached the server, the files left on this computer.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RoleFolder } from '../../shared/contract';
import { openFtps } from '../../electron/engine/remote/ftps';
import { LISTING_LIMITS, listingTooLong, overran, type RemoteFs } from '../../electron/engine/remote/remote-fs';
import { fetchFile } from '../../electron/engine/transfers/download';
import { startHostileFtps, type HostileFtpsOptions, type HostileFtpsServer } from '../support/hostile-ftps-server';

const BATCH = Buffer.from('MSH|^~\\&|CLINIC|CLINIC|IMMTRAC|TXDSHS|20261114||VXU^V04^VXU_V04|1|P|2.5.1\r'.repeat(200));
const REPLY = Buffer.from('MSH|^~\\&|IMMTRAC|TXDSHS|CLINIC|CLINIC|20261114||ACK^V04|2|P|2.5.1\rMSA|AA|1\r');
const INBOX: RoleFolder = { role: 'reports', name: 'Reports', rights: ['list', 'read'], description: 'Replies', path: '/' };
const PASSIVE_PORTS = { from: 40000, to: 40100 };

const open = (server: HostileFtpsServer) =>
  openFtps({
    host: server.host,
    port: server.port,
    tls: server.tls,
    username: 'clinic',
    password: 'secret-pass',
    timeoutSeconds: 20,
    passivePorts: PASSIVE_PORTS,
    verifyIdentity: (seen) => seen.fingerprint === server.fingerprint,
  });

const failureOf = async (work: Promise<unknown>) => {
  const error = await work.then(
    () => null,
    (e: unknown) => e as { code: string; message: string },
  );
  expect(error, 'the operation should have failed').not.toBeNull();
  return error as { code: string; message: string };
};

let servers: HostileFtpsServer[] = [];
let connections: RemoteFs[] = [];
let scratch: string;
const start = async (options: HostileFtpsOptions) => {
  const server = await startHostileFtps({ files: { 'reply.hl7': REPLY }, ...options });
  servers.push(server);
  return server;
};
const connect = async (server: HostileFtpsServer) => {
  const fs = await open(server);
  connections.push(fs);
  return fs;
};
const downloadFolder = () => mkdtempSync(join(scratch, 'downloads-'));

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-ftps-hostile-'));
});
afterEach(async () => {
  for (const fs of connections) await fs.close();
  for (const server of servers) await server.stop();
  connections = [];
  servers = [];
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

for (const tls of ['explicit', 'implicit'] as const) {
  describe(`data connections showing another certificate (${tls} TLS)`, () => {
    it('stops an upload before one byte of the file reaches the server, in plain words', async () => {
      const server = await start({ tls, dataCertificate: 'other' });
      const fs = await connect(server);
      const error = await failureOf(fs.upload(BATCH, '/batch.hl7'));
      expect(error.code).toBe('identity-changed');
      expect(error.message).toMatch(/different certificate than the one trusted/);
      expect(error.message).toMatch(/nothing was sent/);
      expect(error.message).toMatch(/intercepting/);
      expect(error.message).toMatch(/IT/);
      await server.dataClosed();
      expect(server.dataBytesReceived()).toBe(0);
      expect(server.files.has('batch.hl7')).toBe(false);
      expect(fs.usable).toBe(false);
    });

    it('refuses the listing and the download, and leaves no file on this computer', async () => {
      const server = await start({ tls, dataCertificate: 'other' });
      const listing = await failureOf((await connect(server)).list('/'));
      expect(listing.code).toBe('identity-changed');
      expect(listing.message).toMatch(/different certificate/);

      const folder = downloadFolder();
      const download = await failureOf(fetchFile(await connect(server), INBOX, 'reply.hl7', folder, { statedSize: REPLY.length }));
      expect(download.code).toBe('identity-changed');
      expect(download.message).toMatch(/nothing was saved/);
      expect(readdirSync(folder)).toEqual([]);
    });
  });
}

describe('a server behind NAT: EPSV refused, PASV names an address this computer cannot reach', () => {
  it('lists, uploads and downloads over data connections to the control connection address', async () => {
    const server = await start({ tls: 'explicit', natPasv: true });
    const fs = await connect(server);
    expect((await fs.list('/')).map((e) => e.name)).toEqual(['reply.hl7']);
    expect(await fs.upload(BATCH, '/batch.hl7')).toBe(BATCH.length);
    expect(server.files.get('batch.hl7')?.equals(BATCH)).toBe(true);
    const folder = downloadFolder();
    const saved = await fetchFile(fs, INBOX, 'reply.hl7', folder);
    expect(readFileSync(saved.localPath).equals(REPLY)).toBe(true);
    // EPSV was asked once; once refused, every transfer used PASV (and its named address was ignored).
    expect(server.commands.filter((c) => c === 'EPSV')).toHaveLength(1);
    expect(server.commands.filter((c) => c === 'PASV').length).toBeGreaterThanOrEqual(3);
  });

  it('still names the passive ports the firewall must open when the data port is blocked', async () => {
    const server = await start({ tls: 'explicit', natPasv: true, closedDataPort: true });
    const error = await failureOf((await connect(server)).list('/'));
    expect(error.code).toBe('unreachable');
    expect(error.message).toContain(`ports ${PASSIVE_PORTS.from}-${PASSIVE_PORTS.to}`);
    expect(error.message).toMatch(/firewall must allow outgoing connections to 127\.0\.0\.1/);
  });
});

for (const tls of ['implicit', 'explicit'] as const) {
  for (const how of ['close', 'reset'] as const) {
    it(`reports a server that ${{ close: 'closes', reset: 'resets' }[how]} the connection in the TLS handshake (${tls}) as dropped, not as a TLS version problem`, async () => {
      const server = await start({ tls, dropDuringHandshake: how });
      const error = await failureOf(open(server));
      expect(error.code).toBe('unreachable');
      expect(error.message).toMatch(/dropped by the server or the network/);
      expect(error.message).not.toMatch(/TLS|encryption/);
      expect(server.commands.filter((c) => c.startsWith('USER') || c.startsWith('PASS'))).toEqual([]);
    });
  }
}

const PLAIN_TEXT = (port: number) => `The server at 127.0.0.1 port ${port} answered in plain text where encryption (TLS) should have begun, so nothing was sent. Its session may have ended as it began: try again in a minute. If it keeps happening, show this message to your IT: `;

for (const tls of ['implicit', 'explicit'] as const) {
  it(`says a server that writes a plain-text error in the TLS handshake and closes (vsftpd's "500 OOPS", ${tls}) answered in plain text, not that TLS versions disagree`, async () => {
    const server = await start({ tls, dropDuringHandshake: 'oops' });
    const error = await failureOf(open(server));
    expect(error.code).toBe('unreachable');
    expect(error.message).toBe(
      PLAIN_TEXT(server.port) + (tls === 'implicit' ? `port ${server.port} may not be an implicit FTPS port (one encrypted from the first byte).` : 'the server agreed to encrypt the connection (AUTH TLS) but did not.'),
    );
    expect(server.commands.filter((c) => c.startsWith('USER') || c.startsWith('PASS'))).toEqual([]);
  });
}

it('says a plain FTP server on a port named as implicit FTPS answered in plain text (it is no drop: a second try meets the same), and sends nothing', async () => {
  const server = await start({ tls: 'explicit' });
  const error = await failureOf(openFtps({ host: server.host, port: server.port, tls: 'implicit', username: 'clinic', password: 'secret-pass', timeoutSeconds: 20, verifyIdentity: () => true }));
  expect(error.code).toBe('unreachable');
  expect(error.message).toBe(`${PLAIN_TEXT(server.port)}port ${server.port} may not be an implicit FTPS port (one encrypted from the first byte).`);
  expect(error.message).not.toMatch(/dropped/);
  expect(server.commands).toEqual([]);
});

describe('data connections that go silent in the middle', () => {
  // The timeout is about silence: the server sent its first bytes, then nothing, the connection open.
  const silent = (server: HostileFtpsServer) => `The registry server at 127.0.0.1 port ${server.port} did not answer within 5 seconds.`;
  const openQuick = (server: HostileFtpsServer) =>
    openFtps({ host: server.host, port: server.port, tls: server.tls, username: 'clinic', password: 'secret-pass', timeoutSeconds: 5, passivePorts: PASSIVE_PORTS, verifyIdentity: (seen) => seen.fingerprint === server.fingerprint }).then((fs) => {
      connections.push(fs);
      return fs;
    });

  it('a listing fails at the timeout instead of waiting for ever', async () => {
    const server = await start({ tls: 'explicit', silentData: true });
    const error = await failureOf((await openQuick(server)).list('/'));
    expect(error.code).toBe('timeout');
    expect(error.message).toContain(silent(server));
  });

  it('a download fails at the timeout and keeps nothing', async () => {
    const server = await start({ tls: 'explicit', silentData: true });
    const folder = downloadFolder();
    const error = await failureOf(fetchFile(await openQuick(server), INBOX, 'reply.hl7', folder, { statedSize: REPLY.length }));
    expect(error.code).toBe('timeout');
    expect(error.message).toContain(silent(server));
    expect(readdirSync(folder)).toEqual([]);
  });
});

describe('a server that never stops sending', () => {
  it('stops a download that passes the size the server stated and keeps nothing', async () => {
    const server = await start({ tls: 'explicit', endlessDownload: true });
    const fs = await connect(server);
    const folder = downloadFolder();
    const error = await failureOf(fetchFile(fs, INBOX, 'endless.hl7', folder));
    expect(error.code).toBe('incomplete');
    expect(error.message).toBe(overran('endless.hl7', 100).message);
    expect(readdirSync(folder)).toEqual([]);
    await server.dataClosed();
    // The server could push only what the network buffers hold before the client closed.
    expect(server.dataBytesSent()).toBeLessThan(64 * 1024 * 1024);
  });

  it('cuts off a listing that never ends at the listing limit, in plain words', async () => {
    const server = await start({ tls: 'explicit', endlessListing: true });
    const fs = await connect(server);
    const error = await failureOf(fs.list('/'));
    expect(error.code).toBe('incomplete');
    expect(error.message).toBe(listingTooLong('/').message);
    await server.dataClosed();
    // Read up to the limit and not much past it: the kernel's socket buffers are the rest.
    expect(server.dataBytesSent()).toBeGreaterThan(LISTING_LIMITS.bytes - 1024 * 1024);
    expect(server.dataBytesSent()).toBeLessThan(LISTING_LIMITS.bytes + 16 * 1024 * 1024);
  });

  it('refuses a listing with more entries than any registry folder holds, and takes one at the limit', async () => {
    const tooMany = await start({ tls: 'explicit', listingEntries: LISTING_LIMITS.entries + 1 });
    const error = await failureOf((await connect(tooMany)).list('/'));
    expect(error.code).toBe('incomplete');
    expect(error.message).toBe(listingTooLong('/').message);

    const atLimit = await start({ tls: 'explicit', listingEntries: LISTING_LIMITS.entries });
    expect(await (await connect(atLimit)).list('/')).toHaveLength(LISTING_LIMITS.entries);
  });
});
