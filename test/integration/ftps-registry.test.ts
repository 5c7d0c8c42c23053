// FTPS against Debian's vsftpd, laid out as Texas: implicit TLS (Texas) and explicit AUTH TLS
// (Colorado), self-signed certificate, TLS session reuse required on data connections. The
// certificate is judged before any USER or PASS is sent, and vsftpd's protocol log proves it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityRequest, RegistryEvent, TrustAnswer } from '../../shared/contract';
import { createRegistryService, type RegistryService } from '../../electron/engine/registry-service';
import { JsonFileSettings, MemorySettings, type SettingsStore } from '../../electron/engine/settings/settings-store';
import { startVsftpd, type FtpsServer } from '../support/vsftpd';

function serviceAnswering(settings: SettingsStore, answer: TrustAnswer | null) {
  const prompts: IdentityRequest[] = [];
  const events: RegistryEvent[] = [];
  const service: RegistryService = createRegistryService({
    settings,
    appInfo: { name: 'test', version: '0' },
    openExternal: async () => undefined,
    timeoutSeconds: 10,
    emit: (event) => {
      events.push(event);
      if (event.type === 'request' && event.request.kind !== 'new-password') {
        prompts.push(event.request);
        if (answer) void service.handlers.answerRequest({ id: event.request.id, answer });
      }
    },
  });
  return { service, prompts, events };
}

const commandsFrom = (log: string, user: string) => log.split('\n').filter((l) => l.includes(`"USER ${user}"`) || l.includes('"PASS '));

for (const mode of ['implicit', 'explicit'] as const) {
  describe(`FTPS with ${mode} TLS`, () => {
    let server: FtpsServer;
    let settings: SettingsStore;
    const profileId = `ftps-${mode}`;
    const connect = (service: RegistryService, password = server.account.password) =>
      service.handlers.connect({ profileId, protocol: 'ftps', username: server.account.username, password });

    beforeAll(async () => {
      server = await startVsftpd({ mode, tag: mode === 'implicit' ? 'FI' : 'FE' });
    });
    afterAll(async () => {
      await server?.stop();
    });
    const freshSettings = () => {
      settings = new MemorySettings();
      settings.set('customProfiles', [server.profile(profileId)]);
      return settings;
    };

    it('shows the certificate, and sends no username or password when the user does not allow it', async () => {
      const { service, prompts } = serviceAnswering(freshSettings(), 'deny');
      const result = await connect(service);
      await service.dispose();
      expect(result).toMatchObject({ ok: false, code: 'identity-denied' });
      expect(prompts).toHaveLength(1);
      const prompt = prompts[0] as IdentityRequest;
      expect(prompt.kind).toBe('certificate');
      expect(prompt.fingerprint).toBe(server.fingerprint);
      expect(prompt.certificate).toMatchObject({
        names: ['127.0.0.1', 'localhost'],
        authorityTrusted: false,
        hostnameMatches: true,
      });
      expect(prompt.certificate?.subject).toContain('CN=127.0.0.1');
      expect(new Date(prompt.certificate?.validTo ?? 0).getTime()).toBeGreaterThan(Date.now());
      expect(prompt.certificate?.protocol).toMatch(/^TLSv1\.[23]$/);
      expect(server.log()).toContain('CONNECT: Client "127.0.0.1"');
      expect(commandsFrom(server.log(), server.account.username)).toEqual([]);
    });

    it('connects once trusted and lists every Texas folder through TLS-protected data connections', async () => {
      const { service, prompts } = serviceAnswering(freshSettings(), 'trust');
      const result = await connect(service);
      expect(result.ok).toBe(true);
      expect(prompts).toHaveLength(1);
      const expected: Record<string, string[]> = {
        dropoff: [],
        accepted: [`${server.account.username}_20261114.HL7`],
        reports: [`${server.account.username}_20261114_DQA.txt`],
        receive: [`${server.account.username}_20261114.CNF`],
      };
      for (const [role, names] of Object.entries(expected)) {
        const listing = await service.handlers.listRemoteFolder({ role: role as 'dropoff' });
        expect(listing.ok, role).toBe(true);
        if (listing.ok) {
          expect(listing.entries.map((e) => e.name)).toEqual(names);
          for (const entry of listing.entries) expect(entry.modified).not.toBeNull();
        }
      }
      await service.dispose();
      expect(commandsFrom(server.log(), server.account.username).length).toBeGreaterThan(0);
      const trusted = await serviceAnswering(settings, null).service.handlers.listTrusted({});
      expect(trusted.ok && trusted.identities.map((t) => [t.kind, t.fingerprint])).toEqual([['tls-certificate', server.fingerprint]]);
    });

    it('"Allow this connection only" connects without remembering the certificate', async () => {
      const first = serviceAnswering(freshSettings(), 'allow-once');
      expect((await connect(first.service)).ok).toBe(true);
      const trusted = await first.service.handlers.listTrusted({});
      expect(trusted.ok && trusted.identities).toEqual([]);
      await first.service.dispose();
      const second = serviceAnswering(settings, 'deny');
      expect(await connect(second.service)).toMatchObject({ ok: false, code: 'identity-denied' });
      expect(second.prompts).toHaveLength(1);
      await second.service.dispose();
    });

    it('a wrong password is refused after one attempt, in plain words', async () => {
      const { service } = serviceAnswering(freshSettings(), 'trust');
      const before = commandsFrom(server.log(), server.account.username).filter((l) => l.includes('PASS')).length;
      const result = await connect(service, 'not-the-password');
      await service.dispose();
      expect(result).toMatchObject({ ok: false, code: 'auth-failed' });
      expect(result.ok === false && result.message).toMatch(/did not accept that import code and password/);
      expect(result.ok === false && JSON.stringify(result)).not.toContain('not-the-password');
      const after = commandsFrom(server.log(), server.account.username).filter((l) => l.includes('PASS')).length;
      expect(after - before).toBe(1);
    });
  });
}

describe('FTPS trust across runs and certificate changes', () => {
  let server: FtpsServer;
  let dataDir: string;
  beforeAll(async () => {
    server = await startVsftpd({ mode: 'implicit', tag: 'FC' });
    dataDir = mkdtempSync(join(tmpdir(), 'rt-ftps-trust-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('remembers a trusted certificate across runs and refuses a changed one until the user trusts it', async () => {
    const settingsFile = () => {
      const s = JsonFileSettings.inDataDir(dataDir);
      s.set('customProfiles', [server.profile('ftps-trust')]);
      return s;
    };
    const connect = (service: RegistryService) =>
      service.handlers.connect({ profileId: 'ftps-trust', protocol: 'ftps', username: server.account.username, password: server.account.password });

    const first = serviceAnswering(settingsFile(), 'trust');
    expect((await connect(first.service)).ok).toBe(true);
    await first.service.dispose();

    const again = serviceAnswering(settingsFile(), 'deny');
    expect((await connect(again.service)).ok).toBe(true);
    expect(again.prompts).toEqual([]);
    await again.service.dispose();

    const oldFingerprint = server.fingerprint;
    const newFingerprint = await server.changeCertificate();
    const before = server.log().length;
    const refused = serviceAnswering(settingsFile(), 'deny');
    expect(await connect(refused.service)).toMatchObject({ ok: false, code: 'identity-denied' });
    await refused.service.dispose();
    expect(refused.prompts[0]?.fingerprint).toBe(newFingerprint);
    expect(refused.prompts[0]?.previous?.fingerprint).toBe(oldFingerprint);
    expect(commandsFrom(server.log().slice(before), server.account.username)).toEqual([]);
    const stillTrusted = await refused.service.handlers.listTrusted({});
    expect(stillTrusted.ok && stillTrusted.identities.map((t) => t.fingerprint)).toEqual([oldFingerprint]);

    const accepted = serviceAnswering(settingsFile(), 'trust');
    expect((await connect(accepted.service)).ok).toBe(true);
    const nowTrusted = await accepted.service.handlers.listTrusted({});
    expect(nowTrusted.ok && nowTrusted.identities.map((t) => t.fingerprint)).toEqual([newFingerprint]);
    await accepted.service.dispose();
  });
});

describe('FTPS servers that are not safe enough', () => {
  it('refuses a server limited to TLS 1.1, before anything is sent', async () => {
    const server = await startVsftpd({ mode: 'implicit', tag: 'FO', maxTls: 'TLSv1.1' });
    try {
      const settings = new MemorySettings();
      settings.set('customProfiles', [server.profile('old-tls')]);
      const { service, prompts } = serviceAnswering(settings, 'trust');
      const result = await service.handlers.connect({ profileId: 'old-tls', protocol: 'ftps', username: server.account.username, password: server.account.password });
      await service.dispose();
      expect(result).toMatchObject({ ok: false, code: 'tls-required' });
      expect(result.ok === false && result.message).toMatch(/TLS 1\.2 or newer/);
      expect(prompts).toEqual([]);
      expect(commandsFrom(server.log(), server.account.username)).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('refuses a server that does not offer TLS at all, and sends it no username or password', async () => {
    const server = await startVsftpd({ mode: 'none', tag: 'FN' });
    try {
      const settings = new MemorySettings();
      settings.set('customProfiles', [server.profile('no-tls')]);
      const { service, prompts } = serviceAnswering(settings, 'trust');
      const result = await service.handlers.connect({ profileId: 'no-tls', protocol: 'ftps', username: server.account.username, password: server.account.password });
      await service.dispose();
      expect(result).toMatchObject({ ok: false, code: 'tls-required' });
      expect(result.ok === false && result.message).toMatch(/does not offer encryption/);
      expect(prompts).toEqual([]);
      expect(server.log()).toContain('"AUTH TLS"');
      expect(commandsFrom(server.log(), server.account.username)).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
