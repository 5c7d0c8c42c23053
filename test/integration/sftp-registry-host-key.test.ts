// When the registry "updates its security keys" (or someone sits in between), the app shows the old
// and the new fingerprint; "Do not allow" keeps the old trust untouched, "Trust" replaces it. A prompt
// nobody answers counts as "Do not allow", and nothing is sent meanwhile.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityRequest, RegistryEvent, TrustAnswer } from '../../shared/contract';
import { createRegistryService, type RegistryService } from '../../electron/engine/registry-service';
import { MemorySettings, type SettingsStore } from '../../electron/engine/settings/settings-store';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';

const PROFILE_ID = 'local-texas';

let server: SshServer;
const services: RegistryService[] = [];

beforeAll(async () => {
  server = await startSshd({ tag: 'EN2' });
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.dispose()));
});
afterAll(async () => {
  await server?.stop();
});

function settingsWithProfile(): SettingsStore {
  const settings = new MemorySettings();
  settings.set('customProfiles', [localTexasProfile(server.port, PROFILE_ID)]);
  return settings;
}

/** A service whose "window" answers prompts with whatever `answer` holds at the time (or never). */
function openService(settings: SettingsStore, requestTimeoutSeconds?: number) {
  const events: RegistryEvent[] = [];
  const window = { answer: 'never' as TrustAnswer | 'never' };
  const service: RegistryService = createRegistryService({
    settings,
    emit: (event) => {
      events.push(event);
      const answer = window.answer;
      if (event.type === 'request' && answer !== 'never') {
        setImmediate(() => void service.handlers.answerRequest({ id: event.request.id, answer }));
      }
    },
    openExternal: async () => undefined,
    appInfo: { name: 'Registry Transfer', version: 'test' },
    ...(requestTimeoutSeconds !== undefined ? { requestTimeoutSeconds } : {}),
  });
  services.push(service);
  const requests = (): IdentityRequest[] => events.flatMap((e) => (e.type === 'request' && e.request.kind !== 'new-password' ? [e.request] : []));
  const connect = () =>
    service.handlers.connect({ profileId: PROFILE_ID, protocol: 'sftp', username: server.home.username, password: server.home.password });
  return { handlers: service.handlers, events, requests, window, connect };
}

async function logSince(mark: number, until: RegExp): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const text = server.log().slice(mark);
    if (until.test(text) || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a host key that is not (or no longer) trusted', () => {
  it('counts an unanswered prompt as "Do not allow" when its time is up, sending nothing', async () => {
    const app = openService(settingsWithProfile(), 1);
    const mark = server.log().length;
    const started = Date.now();

    const result = await app.connect();
    const elapsed = Date.now() - started;

    expect(result).toMatchObject({ ok: false, code: 'identity-denied' });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    const [request] = app.requests();
    expect(request).toMatchObject({ timeoutSeconds: 1, fingerprint: server.fingerprint });
    expect(app.events).toContainEqual({ type: 'request-closed', id: request?.id, answer: 'deny' });
    // A late answer finds nothing to answer.
    expect(await app.handlers.answerRequest({ id: request?.id ?? 'x', answer: 'trust' })).toMatchObject({ ok: false, code: 'not-found' });
    expect(await app.handlers.listTrusted({})).toEqual({ ok: true, identities: [] });

    const log = await logSince(mark, /Disconnected from 127\.0\.0\.1 port \d+ \[preauth\]/);
    expect(log).toMatch(/Disconnected from 127\.0\.0\.1 port \d+ \[preauth\]/);
    expect(log).not.toContain(server.home.username);
  });

  it('shows old and new fingerprints after the key changes; "Do not allow" keeps the old trust, "Trust" replaces it', async () => {
    const app = openService(settingsWithProfile());
    app.window.answer = 'trust';
    expect(await app.connect()).toMatchObject({ ok: true });
    await app.handlers.disconnect({});
    const before = await app.handlers.listTrusted({});
    if (!before.ok) throw new Error(before.message);
    const [original] = before.identities;
    const oldFingerprint = server.fingerprint;
    expect(original?.fingerprint).toBe(oldFingerprint);

    const newFingerprint = await server.changeHostKey();
    expect(newFingerprint).not.toBe(oldFingerprint);

    app.window.answer = 'deny';
    const denied = await app.connect();
    expect(denied).toEqual({
      ok: false,
      code: 'identity-denied',
      message: 'Not connected: the identity of 127.0.0.1 has changed since you trusted it, and it was not accepted.',
      detail: `Server 127.0.0.1:${server.port} presented ${newFingerprint}.`,
    });
    const changedPrompt = app.requests().at(-1);
    expect(changedPrompt).toMatchObject({
      kind: 'host-key',
      host: '127.0.0.1',
      port: server.port,
      algorithm: 'ED25519',
      fingerprint: newFingerprint,
      previous: { fingerprint: oldFingerprint, algorithm: 'ED25519', firstTrusted: original?.firstTrusted },
    });
    expect(await app.handlers.listTrusted({})).toEqual(before);

    app.window.answer = 'trust';
    const accepted = await app.connect();
    expect(accepted).toMatchObject({ ok: true, connection: { fingerprint: newFingerprint } });
    expect(app.requests().at(-1)).toMatchObject({ fingerprint: newFingerprint, previous: { fingerprint: oldFingerprint } });
    const after = await app.handlers.listTrusted({});
    if (!after.ok) throw new Error(after.message);
    expect(after.identities).toHaveLength(1);
    expect(after.identities[0]).toMatchObject({ host: '127.0.0.1', port: server.port, fingerprint: newFingerprint });
    expect(after.identities[0]?.id).not.toBe(original?.id);
    expect(await app.handlers.listRemoteFolder({ role: 'accepted' })).toMatchObject({ ok: true, entries: [{ name: `${server.home.username}_20261114.HL7` }] });

    // Trusted now: connecting again asks nothing.
    const promptsSoFar = app.requests().length;
    expect(await app.connect()).toMatchObject({ ok: true });
    expect(app.requests()).toHaveLength(promptsSoFar);
  });
});
