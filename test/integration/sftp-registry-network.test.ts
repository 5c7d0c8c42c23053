// A registry that is not there: a closed port is said at once, a server that never answers is given
// up on after the timeout, both in plain words that name the host and port.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryEvent } from '../../shared/contract';
import { createRegistryService, type RegistryService } from '../../electron/engine/registry-service';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { freePort } from '../support/ports';
import { localTexasProfile } from '../support/sshd';

const services: RegistryService[] = [];
let blackHole: Server;
const blackHoleSockets = new Set<Socket>();

beforeAll(async () => {
  // Accepts the TCP connection and never says a word, as a server behind a broken firewall does.
  blackHole = createServer((socket) => {
    blackHoleSockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => blackHoleSockets.delete(socket));
  });
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.dispose()));
});
afterAll(async () => {
  for (const socket of blackHoleSockets) socket.destroy();
  await new Promise((resolve) => blackHole?.close(resolve));
});

function openService(port: number, timeoutSeconds?: number) {
  const settings = new MemorySettings();
  settings.set('customProfiles', [localTexasProfile(port)]);
  const events: RegistryEvent[] = [];
  const service = createRegistryService({
    settings,
    emit: (event) => events.push(event),
    openExternal: async () => undefined,
    appInfo: { name: 'Registry Transfer', version: 'test' },
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
  });
  services.push(service);
  const connect = () => service.handlers.connect({ profileId: 'local-texas', protocol: 'sftp', username: 'TXEN3HM', password: 'Any-pass-2026!' });
  return { events, connect };
}

describe('a registry server that is not reachable', () => {
  it('says a closed port refused the connection, naming host and port, well within the timeout', async () => {
    const port = await freePort();
    const app = openService(port);

    const result = await app.connect();

    // Refused at once, not waited on: the message is the refusal's, not the timeout's.
    expect(result).toMatchObject({
      ok: false,
      code: 'unreachable',
      message: `The registry server at 127.0.0.1 port ${port} refused the connection. The server may be down, or the address or port may be wrong.`,
    });
    expect(app.events.some((e) => e.type === 'request')).toBe(false);
    expect(app.events.map((e) => (e.type === 'connection' ? e.state : e.type))).toEqual(['connecting', 'failed']);
  });

  it('gives up on a server that never answers after the timeout, and says so', async () => {
    const address = blackHole.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const app = openService(port, 2);
    const started = Date.now();

    const result = await app.connect();
    const elapsed = Date.now() - started;

    expect(result).toMatchObject({
      ok: false,
      code: 'timeout',
      message: `The registry server at 127.0.0.1 port ${port} did not answer within 2 seconds. A firewall may be blocking port ${port}, or the server may be busy or down.`,
    });
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    const failed = app.events.find((e) => e.type === 'connection' && e.state === 'failed');
    expect(failed).toMatchObject({ message: expect.stringContaining('did not answer within 2 seconds'), failure: { code: 'timeout' } });
  });
});
