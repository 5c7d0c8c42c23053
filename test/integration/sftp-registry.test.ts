// The registry service against a real OpenSSH sshd laid out as Texas: the host-key prompt comes before
// any credential, both account layouts find their four folders, a login is tried exactly once, and
// "Trust" / "Allow this connection only" / "Do not allow" mean what the Texas specification says.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FolderRole, IdentityRequest, RegistryEvent, TrustAnswer } from '../../shared/contract';
import { createRegistryService, type RegistryService } from '../../electron/engine/registry-service';
import { JsonFileSettings, MemorySettings, type SettingsStore } from '../../electron/engine/settings/settings-store';
import { localTexasProfile, startSshd, type SshAccount, type SshServer } from '../support/sshd';

const PROFILE_ID = 'local-texas';
const PROFILE_NAME = 'Texas ImmTrac2 (test server)';

let server: SshServer;
let dataDir: string;
const services: RegistryService[] = [];

beforeAll(async () => {
  server = await startSshd({ tag: 'EN1' });
  dataDir = mkdtempSync(join(tmpdir(), 'rt-sftp-registry-'));
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.dispose()));
});
afterAll(async () => {
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function settingsWithProfile(settings: SettingsStore = new MemorySettings()): SettingsStore {
  settings.set('customProfiles', [localTexasProfile(server.port, PROFILE_ID)]);
  return settings;
}

/** A service whose "window" answers each host-key prompt the way `answer` says (or never). */
function openService(settings: SettingsStore, answer: TrustAnswer | 'never') {
  const events: RegistryEvent[] = [];
  const service: RegistryService = createRegistryService({
    settings,
    emit: (event) => {
      events.push(event);
      if (event.type === 'request' && answer !== 'never') {
        setImmediate(() => void service.handlers.answerRequest({ id: event.request.id, answer }));
      }
    },
    openExternal: async () => undefined,
    appInfo: { name: 'Registry Transfer', version: 'test' },
  });
  services.push(service);
  const requests = (): IdentityRequest[] => events.flatMap((e) => (e.type === 'request' && e.request.kind !== 'new-password' ? [e.request] : []));
  const states = () => events.flatMap((e) => (e.type === 'connection' ? [e.state] : []));
  const connect = (account: SshAccount, password = account.password) =>
    service.handlers.connect({ profileId: PROFILE_ID, protocol: 'sftp', username: account.username, password });
  return { handlers: service.handlers, events, requests, states, connect };
}

/** The part of sshd's log written since `mark`, once it shows `until` (sshd's children append late). */
async function logSince(mark: number, until: RegExp): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const text = server.log().slice(mark);
    if (until.test(text) || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

const TEXAS_FILES: Record<FolderRole, (username: string) => [string, string][]> = {
  dropoff: () => [],
  accepted: (u) => [['Accepted', `${u}_20261114.HL7`]],
  reports: (u) => [['DQA-Report', `${u}_20261114_DQA.txt`]],
  receive: (u) => [['Receive', `${u}_20261114.CNF`]],
};

describe('connecting to a Texas-shaped SFTP server', () => {
  it.each([
    ['logs in to its import-code folder', 'home', (a: SshAccount) => a.accountDir],
    ['logs in to a root that holds /<import code>/', 'chroot', (a: SshAccount) => `/${a.username}`],
  ] as const)('an account that %s connects after "Trust" and lists its four folders', async (_layout, which, accountPath) => {
    const account = server[which];
    const app = openService(settingsWithProfile(), 'trust');
    const mark = server.log().length;

    const result = await app.connect(account);
    if (!result.ok) throw new Error(`connect failed: ${result.code} ${result.message}`);

    expect(app.requests()).toEqual([
      {
        id: expect.any(String),
        kind: 'host-key',
        profileId: PROFILE_ID,
        profileName: PROFILE_NAME,
        host: '127.0.0.1',
        port: server.port,
        algorithm: 'ED25519',
        fingerprint: server.fingerprint,
        timeoutSeconds: 300,
      },
    ]);
    expect(result.connection).toMatchObject({ profileId: PROFILE_ID, username: account.username, host: '127.0.0.1', port: server.port, fingerprint: server.fingerprint });
    const base = accountPath(account);
    expect(result.connection.folders.map((f) => [f.role, f.name, f.path])).toEqual([
      ['dropoff', 'HL7-Dropoff', `${base}/HL7-Dropoff`],
      ['accepted', 'Accepted', `${base}/Accepted`],
      ['reports', 'DQA-Report', `${base}/DQA-Report`],
      ['receive', 'Receive', `${base}/Receive`],
    ]);

    for (const role of ['dropoff', 'accepted', 'reports', 'receive'] as const) {
      const listing = await app.handlers.listRemoteFolder({ role });
      if (!listing.ok) throw new Error(`listing ${role} failed: ${listing.message}`);
      const expected = TEXAS_FILES[role](account.username).map(([folder, name]) => ({
        name,
        kind: 'file',
        size: statSync(join(account.accountDir, folder, name)).size,
      }));
      expect(listing.entries.map(({ name, kind, size }) => ({ name, kind, size })), role).toEqual(expected);
    }

    // The control for the "no password was sent" checks below: a login does show in this log.
    expect(await logSince(mark, new RegExp(`Accepted password for ${account.username} `))).toContain(`Accepted password for ${account.username} from 127.0.0.1`);
  });

  it('sends nothing, not even the username, when the user answers "Do not allow"', async () => {
    const app = openService(settingsWithProfile(), 'deny');
    const mark = server.log().length;

    const result = await app.connect(server.home);

    expect(result).toEqual({
      ok: false,
      code: 'identity-denied',
      message: 'Not connected: you chose not to allow the connection to 127.0.0.1. Nothing was sent to it.',
      detail: `Server 127.0.0.1:${server.port} presented ${server.fingerprint}.`,
    });
    expect(app.requests()).toHaveLength(1);
    expect(app.events.filter((e) => e.type === 'request-closed')).toEqual([{ type: 'request-closed', id: app.requests()[0]?.id, answer: 'deny' }]);
    // sshd's own words for a session that ended before authentication began.
    const log = await logSince(mark, /Disconnected from 127\.0\.0\.1 port \d+ \[preauth\]/);
    expect(log).toMatch(/Disconnected from 127\.0\.0\.1 port \d+ \[preauth\]/);
    expect(log).not.toContain(server.home.username);
    expect(log).not.toMatch(/Failed password|Accepted password|Failed keyboard-interactive/);
    expect(await app.handlers.listTrusted({})).toEqual({ ok: true, identities: [] });
  });

  it('"Allow this connection only" connects but remembers nothing: a new session asks again', async () => {
    const settings = settingsWithProfile();
    const first = openService(settings, 'allow-once');
    expect(await first.connect(server.home)).toMatchObject({ ok: true });
    expect(first.requests()).toHaveLength(1);
    expect(await first.handlers.listTrusted({})).toEqual({ ok: true, identities: [] });
    expect(settings.get('trustedIdentities')).toBeUndefined();

    const second = openService(settings, 'allow-once');
    expect(await second.connect(server.chroot)).toMatchObject({ ok: true });
    expect(second.requests().map((r) => r.fingerprint)).toEqual([server.fingerprint]);
  });

  it('"Trust" is remembered in the settings file: the next start connects without asking', async () => {
    const file = join(dataDir, 'config.json');
    const first = openService(settingsWithProfile(new JsonFileSettings(file)), 'trust');
    expect(await first.connect(server.home)).toMatchObject({ ok: true });
    const trusted = await first.handlers.listTrusted({});
    expect(trusted).toEqual({
      ok: true,
      identities: [
        { id: expect.any(String), host: '127.0.0.1', port: server.port, kind: 'ssh-host-key', fingerprint: server.fingerprint, description: 'ED25519', firstTrusted: expect.any(String) },
      ],
    });
    await first.handlers.disconnect({});

    const restarted = openService(new JsonFileSettings(file), 'deny');
    const result = await restarted.connect(server.chroot);
    expect(result).toMatchObject({ ok: true, connection: { fingerprint: server.fingerprint } });
    expect(restarted.requests()).toEqual([]);
    expect(await restarted.handlers.listTrusted({})).toEqual(trusted);
  });

  it('a wrong password fails in plain words after exactly one attempt', async () => {
    const app = openService(settingsWithProfile(), 'trust');
    const account = server.chroot;
    const wrong = 'Not-The-Password-2026!';
    const mark = server.log().length;

    const result = await app.connect(account, wrong);

    expect(result).toMatchObject({ ok: false, code: 'auth-failed' });
    if (result.ok) return;
    expect(result.message).toBe(
      'The registry did not accept that import code and password. The app tried only once, so repeated attempts will not lock the account. If the password is forgotten, only the registry can reset it (Texas Immunization Registry Interoperability Team).',
    );
    expect(JSON.stringify(app.events)).not.toContain(wrong);
    const log = await logSince(mark, new RegExp(`Failed password for ${account.username} `));
    // A little longer, so a retry (which would come straight after) would have been logged too.
    await new Promise((r) => setTimeout(r, 300));
    const settled = server.log().slice(mark);
    expect(count(log, `Failed password for ${account.username} `)).toBe(1);
    expect(count(settled, `Failed password for ${account.username} `)).toBe(1);
    expect(settled).not.toContain(`Accepted password for ${account.username}`);
  });

  it('reports not-connected before connecting and after disconnecting, with plain connection events', async () => {
    const app = openService(settingsWithProfile(), 'trust');
    const notConnected = { ok: false, code: 'not-connected', message: 'Not connected to a registry. Connect first.' };
    expect(await app.handlers.listRemoteFolder({ role: 'dropoff' })).toEqual(notConnected);

    expect(await app.connect(server.home)).toMatchObject({ ok: true });
    expect(await app.handlers.listRemoteFolder({ role: 'reports' })).toMatchObject({ ok: true });
    expect(await app.handlers.disconnect({})).toEqual({ ok: true });
    expect(await app.handlers.listRemoteFolder({ role: 'reports' })).toEqual(notConnected);

    const failed = await app.connect(server.home, 'Not-The-Password-2026!');
    expect(failed).toMatchObject({ ok: false, code: 'auth-failed' });

    const connectionEvents = app.events.flatMap((e) => (e.type === 'connection' ? [{ state: e.state, message: e.message, code: e.failure?.code }] : []));
    expect(connectionEvents).toEqual([
      { state: 'connecting', message: `Connecting to ${PROFILE_NAME}…`, code: undefined },
      { state: 'connected', message: `Connected to ${PROFILE_NAME} as ${server.home.username}.`, code: undefined },
      { state: 'disconnected', message: `Disconnected from ${PROFILE_NAME}.`, code: undefined },
      { state: 'connecting', message: `Connecting to ${PROFILE_NAME}…`, code: undefined },
      { state: 'failed', message: expect.stringMatching(/^The registry did not accept that import code and password\./), code: 'auth-failed' },
    ]);
    const connected = app.events.find((e) => e.type === 'connection' && e.state === 'connected');
    expect(connected?.type === 'connection' && connected.connection?.folders).toHaveLength(4);
  });
});
