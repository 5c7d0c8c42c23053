// An SSH server whose algorithms the app does not share (issue 11, item 13): a hardened OpenSSH
// that offers only a post-quantum key exchange ssh2 does not have, only host key certificates, or
// only a cipher the app does not offer. The user sees that the two sides share no algorithm (not a
// timeout, not "something unexpected"), with both lists named for IT, and nothing is sent: no
// password, no host key prompt.
import { afterEach, describe, expect, it } from 'vitest';
import type { RegistryEvent } from '../../shared/contract';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';
import { openApp, until, type App, type TestRegistry } from '../support/transfer-harness';

const cases = [
  {
    title: 'only a key exchange the app does not have (sntrup761x25519-sha512@openssh.com)',
    tag: 'ZK',
    options: { extraConfig: 'KexAlgorithms sntrup761x25519-sha512@openssh.com' },
    what: 'key exchange method',
    serverOffers: 'sntrup761x25519-sha512@openssh.com',
    appSupports: /curve25519-sha256.*ecdh-sha2-nistp256.*diffie-hellman-group14-sha256/,
    sshdSays: 'no matching key exchange method found',
  },
  {
    title: 'only host key certificates (ssh-ed25519-cert-v01@openssh.com)',
    tag: 'ZH',
    options: { hostCertificate: true, extraConfig: 'HostKeyAlgorithms ssh-ed25519-cert-v01@openssh.com' },
    what: 'host key type',
    serverOffers: 'ssh-ed25519-cert-v01@openssh.com',
    appSupports: /ssh-ed25519, ecdsa-sha2-nistp256.*rsa-sha2-512/,
    sshdSays: 'no matching host key type found',
  },
  {
    title: 'only a CBC cipher, which the app does not offer (aes256-cbc)',
    tag: 'ZC',
    options: { extraConfig: 'Ciphers aes256-cbc' },
    what: 'encryption cipher',
    serverOffers: 'aes256-cbc',
    appSupports: /aes128-gcm@openssh\.com.*aes256-ctr/,
    sshdSays: 'no matching cipher found',
  },
];

describe('an OpenSSH server that shares no algorithm with the app', () => {
  let server: SshServer | undefined;
  let app: App | undefined;
  afterEach(async () => {
    await app?.dispose();
    await server?.stop();
    app = undefined;
    server = undefined;
  });

  for (const c of cases) {
    it(`offering ${c.title}: says so, naming both sides' algorithms, and sends nothing`, async () => {
      server = await startSshd({ tag: c.tag, ...c.options });
      const running = server;
      const registry: TestRegistry = {
        protocol: 'sftp',
        label: 'SFTP',
        port: running.port,
        account: running.home,
        dropoffDir: '',
        profile: (id) => localTexasProfile(running.port, id),
        log: () => running.log(),
        processes: () => ({ listener: 0, sessions: [] }),
        stop: () => running.stop(),
      };
      app = openApp(registry, { profileId: `algorithms-${c.tag.toLowerCase()}` });
      const result = await app.call('connect', { profileId: `algorithms-${c.tag.toLowerCase()}`, protocol: 'sftp', username: running.home.username, password: running.home.password });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.code).toBe('algorithm-mismatch');
      expect(result.message).toContain(`The registry server at 127.0.0.1 port ${running.port} and this app have no ${c.what} in common, so no secure connection could be made and nothing was sent.`);
      expect(result.message).toContain(`Show this to your IT: the server offers ${c.serverOffers}; this app supports `);
      expect(result.message).toMatch(c.appSupports);
      // The markers of protocol extensions are not algorithms, and are left out.
      expect(result.message).not.toContain('kex-strict');
      expect(result.message).not.toContain('ext-info');
      // No host key was put to the user, and the server never saw a sign-in.
      expect(app.events.filter((e: RegistryEvent) => e.type === 'request')).toEqual([]);
      // sshd writes its line once its pre-authentication process has ended: wait for it.
      const log = await until(`sshd to log "${c.sshdSays}"`, () => (running.log().includes(c.sshdSays) ? running.log() : null), 30_000);
      expect(log).not.toContain(running.home.username);
    });
  }
});
